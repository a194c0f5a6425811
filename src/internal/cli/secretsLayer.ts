/**
 * The manager the commands look secrets up with: the library's usual lookup (configuration from the variables,
 * files read from disk), over `process.env` or over the variables `run` put together from environment files.
 */
import type { ConfigError } from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { Environment } from "../../Environment.ts"
import { SecretsConfig } from "../../SecretsConfig.ts"
import { SecretsManager } from "../../SecretsManager.ts"
import { environmentOver } from "../config/environmentOver.ts"
import { withEnvFiles } from "./envFiles.ts"
import { type CommandFailed, fail } from "./failure.ts"

const issuesOf = SchemaIssue.makeFormatterStandardSchemaV1()

/** A refused setting as the user reads it: each problem's own sentence, which names its variable. */
const configProblem = (error: ConfigError): string =>
  Schema.isSchemaError(error.cause)
    ? issuesOf(error.cause.issue).issues.map((issue) => issue.message).join("; ")
    : error.message

/** The lookup over `variables`, read live; a configuration variable the library refuses ends the command. */
const managerLayer = (
  variables: Readonly<Record<string, string | undefined>>
): Layer.Layer<SecretsManager, CommandFailed> =>
  SecretsManager.layerNodeFiles.pipe(
    Layer.provide(SecretsConfig.layerNoDeps),
    Layer.provide(Layer.succeed(Environment, environmentOver(variables))),
    Layer.catchTag("ConfigError", (error) =>
      Layer.effect(SecretsManager, Effect.fail(fail(`The secrets configuration is invalid: ${configProblem(error)}`))))
  )

/** Runs `effect` with a manager over `variables` (`process.env` by default). */
export const withSecretsManager = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  variables: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<A, E | CommandFailed, Exclude<R, SecretsManager>> => Effect.provide(effect, managerLayer(variables))

/** Runs `effect` with a manager over this environment, `.env` files' variables added under it (`--dotenv`). */
export const withSecretsManagerAndEnvFiles = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  envFiles: ReadonlyArray<string> = []
): Effect.Effect<A, E | CommandFailed, Exclude<R, SecretsManager>> =>
  envFiles.length === 0
    ? withSecretsManager(effect)
    : Effect.flatMap(withEnvFiles(envFiles), (variables) => withSecretsManager(effect, variables))
