/**
 * `effect-secrets where GROUP [KEY]`: every place the lookup tries for a secret, in order, with what it found there.
 * `where --flyte 2 KEY [--group G] [--mount | --as-env-var NAME]` declares the secret as flyte-sdk's `Secret` does
 * and looks at Flyte 2's places. The value itself is never read: a file is checked, not opened for its content.
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { Secret } from "../../Secret.ts"
import type { Attempt, SecretNotFound } from "../../SecretsError.ts"
import { type SecretLocation, type SecretRequest, SecretsManager } from "../../SecretsManager.ts"
import { adviceOf } from "../lookup/missMessage.ts"
import { type CommandExited, type CommandFailed, exitWith, fail } from "./failure.ts"
import { columns, print, secretName } from "./printing.ts"
import { withSecretsManagerAndEnvFiles } from "./secretsLayer.ts"

/**
 * One place tried: `found` (the lookup stopped there), `missing` (nothing there) or `refused` (something there that
 * may not be read); `reason` says why for the last two.
 */
export interface WhereAttempt {
  readonly source: string
  readonly location: string
  readonly outcome: "found" | "missing" | "refused"
  readonly reason?: string
}

/** What `where --json` prints: whether the secret was found, and every place tried, in order. */
export interface WhereReport {
  readonly found: boolean
  readonly attempts: ReadonlyArray<WhereAttempt>
}

export interface WhereInput {
  readonly group: string
  readonly key: string | undefined
  readonly groupVersion: string | undefined
  readonly json: boolean
  /** Flyte 2: the first argument is the key, and the rest is the declaration flyte-sdk's `Secret` makes. */
  readonly flyte?: 1 | 2
  readonly flyte2?: Flyte2Where
  /** `.env` files whose variables are added to the environment first (`--dotenv`). */
  readonly envFiles?: ReadonlyArray<string>
}

/** `where --flyte 2 KEY`'s declaration: `--group`, `--mount` (a file) or `--as-env-var NAME`. */
export interface Flyte2Where {
  readonly group: string | undefined
  readonly mount: boolean
  readonly asEnvVar: string | undefined
}

/** An attempt as printed: its fields in a fixed order, nothing else. */
export const attemptOf = (attempt: Attempt): WhereAttempt => ({
  source: attempt.source,
  location: attempt.location,
  outcome: attempt.outcome,
  reason: attempt.reason
})

/** The report of one lookup, from where it found the secret or from its miss. */
export const whereReport = (outcome: Result.Result<SecretLocation, SecretNotFound>): WhereReport =>
  Result.isSuccess(outcome)
    ? {
      found: true,
      attempts: [
        ...outcome.success.tried.map(attemptOf),
        { source: outcome.success.source, location: outcome.success.location, outcome: "found" }
      ]
    }
    : { found: false, attempts: outcome.failure.attempts.map(attemptOf) }

/** The attempts as aligned rows: outcome, source, location, reason. */
export const attemptRows = (attempts: ReadonlyArray<WhereAttempt>): string =>
  columns(attempts.map((attempt) => [attempt.outcome, attempt.source, attempt.location, attempt.reason ?? ""]))

/** What a miss is, by its reason. */
const missHeadings: Record<SecretNotFound["reason"], string> = {
  NotFound: "not found",
  Refused: "found, but not readable",
  InvalidRequest: "refused (nothing was read)",
  Undeclared: "not declared"
}

const indent = (text: string) => text.split("\n").map((line) => `  ${line}`).join("\n")

/** Flyte 1's request: the names as given. */
const flyte1Request = (input: WhereInput): Effect.Effect<SecretRequest, CommandFailed> => {
  if (input.flyte2 !== undefined && (input.flyte2.group !== undefined || input.flyte2.mount || input.flyte2.asEnvVar)) {
    return Effect.fail(fail("--group, --mount and --as-env-var declare a Flyte 2 secret: add --flyte 2."))
  }
  return Effect.succeed({
    group: input.group,
    ...(input.key === undefined ? {} : { key: input.key }),
    ...(input.groupVersion === undefined ? {} : { groupVersion: input.groupVersion })
  })
}

/** Flyte 2's request: the declaration `Secret.flyte2` makes (its rules and messages), the key first. */
const flyte2Request = (input: WhereInput): Effect.Effect<SecretRequest, CommandFailed> => {
  if (input.key !== undefined || input.groupVersion !== undefined) {
    return Effect.fail(fail(
      "With --flyte 2, give the key alone, and the group with --group (a Flyte 2 secret has no version): " +
        "where --flyte 2 KEY [--group GROUP] [--mount | --as-env-var NAME]"
    ))
  }
  const { asEnvVar, group, mount } = input.flyte2 ?? { group: undefined, mount: false, asEnvVar: undefined }
  try {
    return Effect.succeed(Secret.flyte2({
      key: input.group,
      ...(group === undefined ? {} : { group }),
      ...(mount ? { mount: "/etc/flyte/secrets" as const } : {}),
      ...(asEnvVar === undefined ? {} : { asEnvVar })
    }))
  } catch (error) {
    return Effect.fail(fail((error as Error).message))
  }
}

/** Looks the secret up, prints every place tried; fails with exit code 1 when it is not found. */
export const where = (input: WhereInput): Effect.Effect<void, CommandFailed | CommandExited> =>
  withSecretsManagerAndEnvFiles(
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const request = yield* (input.flyte === 2 ? flyte2Request : flyte1Request)(input)
      const outcome = yield* Effect.result(manager.locate(request))
      const report = whereReport(outcome)
      if (input.json) {
        yield* print(JSON.stringify(report, null, 2))
      } else {
        const name = secretName({
          group: request.group || undefined,
          key: request.key || undefined,
          groupVersion: request.groupVersion || undefined
        })
        const heading = Result.isSuccess(outcome)
          ? `${name}: found (${outcome.success.source} ${outcome.success.location})`
          : `${name}: ${missHeadings[outcome.failure.reason]}`
        const advice = Result.isFailure(outcome) ? adviceOf(outcome.failure) : ""
        yield* print([heading, indent(attemptRows(report.attempts)), ...(advice === "" ? [] : [advice])].join("\n"))
      }
      if (!report.found) return yield* Effect.fail(exitWith(1))
    }),
    input.envFiles
  )
