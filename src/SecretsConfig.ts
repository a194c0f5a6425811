/**
 * `SecretsConfig`: where the lookup chain looks (env prefix, secrets directory, file prefix), whether this is a
 * local run, and how large a secret may be.
 *
 * @since 0.1.0
 */
import { ConfigError } from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as path from "node:path"
import { Environment } from "./Environment.ts"
import { closest } from "./internal/lookup/request.ts"

/**
 * The configuration every lookup reads. Values are fixed when the layer is built; secret values are read at
 * every lookup.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretsConfigShape {
  /** Prefix of the environment variables the platform injects (`FLYTE_SECRETS_`; `_FSEC_` on a Flyte cluster). */
  readonly envPrefix: string
  /**
   * Directory holding secret files (`/etc/secrets`; `/etc/flyte/secrets` on a Flyte cluster): absolute and normal,
   * a relative one resolved against the working directory when the layer is built.
   */
  readonly defaultDir: string
  /** Prefix of every secret file name (empty by default). */
  readonly filePrefix: string
  /** A local run: the unprefixed variable name is tried last. */
  readonly local: boolean
  /** Largest secret read, in bytes (1 MiB, the Kubernetes Secret limit); files and variables alike. */
  readonly maxFileBytes: number
}

/**
 * The defaults, as flytekit's seed documents them.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: SecretsConfigShape = {
  envPrefix: "FLYTE_SECRETS_",
  defaultDir: "/etc/secrets",
  filePrefix: "",
  local: true,
  maxFileBytes: 1024 * 1024
}

/** The variables that configure the manager, by the setting each one sets. */
const variables = {
  envPrefix: "FLYTE_SECRETS_ENV_PREFIX",
  defaultDir: "FLYTE_SECRETS_DEFAULT_DIR",
  filePrefix: "FLYTE_SECRETS_FILE_PREFIX",
  maxFileBytes: "FLYTE_SECRETS_MAX_FILE_BYTES"
} as const

/** flytepropeller sets it in every task pod: a non-blank value means a platform run. */
const executionIdVariable = "FLYTE_INTERNAL_EXECUTION_ID"

const invalid = (variable: string, message: string): ConfigError =>
  new ConfigError(
    new Schema.SchemaError(new SchemaIssue.Pointer([variable], new SchemaIssue.InvalidValue({ message })))
  )

/** The first problem with a configuration, naming the variable that sets it (config values are not secrets). */
const problemOf = (config: SecretsConfigShape): ConfigError | undefined => {
  if (/[/\\\p{Cc}]|\.\./u.test(config.filePrefix)) {
    return invalid(
      variables.filePrefix,
      `${variables.filePrefix} may not hold "/", "\\", ".." or control characters, got ` +
        JSON.stringify(config.filePrefix)
    )
  }
  if (!Number.isSafeInteger(config.maxFileBytes) || config.maxFileBytes <= 0) {
    return invalid(
      variables.maxFileBytes,
      `${variables.maxFileBytes} must be a positive whole number of bytes, got ${JSON.stringify(config.maxFileBytes)}`
    )
  }
  return undefined
}

/**
 * The configuration checked, its secrets directory resolved once: a relative one (`./secrets`, `.`) against the
 * working directory of this moment, as flytekit reads it, so a later `chdir` changes nothing; and spelt in its normal
 * form (no `//`, `/./`, trailing `/`), so that a path the platform injects is recognised as inside it.
 */
const validated = (config: SecretsConfigShape): Effect.Effect<SecretsConfigShape, ConfigError> => {
  const problem = problemOf(config)
  return problem === undefined
    ? Effect.succeed({ ...config, defaultDir: path.resolve(config.defaultDir) })
    : Effect.fail(problem)
}

/** A whole number of bytes as written in a variable, or `NaN`. */
const parseBytes = (text: string): number => /^\d+$/.test(text) ? Number(text) : Number.NaN

/** Variables close to a configuration variable's name but not it: a typo the user should hear about. */
const misspelt = (environment: Environment["Service"], envPrefix: string): Array<string> => {
  const known = [...Object.values(variables), executionIdVariable]
  const warnings: Array<string> = []
  for (const name of environment.names?.() ?? []) {
    // A name under the env prefix may be a secret's variable (FLYTE_SECRETS_DEFAULT_DIRS is group "default").
    if (!name.startsWith("FLYTE_") || known.includes(name as never) || name.startsWith(envPrefix)) continue
    const meant = closest(name, known)
    if (meant !== undefined) warnings.push(`${name} is set but not read: did you mean ${meant}?`)
  }
  return warnings
}

/**
 * Reads the configuration through an `Environment`, so a test record and `process.env` follow one rule: values
 * are trimmed, and an empty or blank value keeps the default.
 */
const fromEnvironment = (
  overrides: Partial<SecretsConfigShape> = {}
): Effect.Effect<SecretsConfigShape, ConfigError, Environment> =>
  Effect.gen(function*() {
    const environment = yield* Environment
    const setting = (name: string): string | undefined => {
      const value = environment.get(name)?.trim()
      return value === "" ? undefined : value
    }
    const maxFileBytes = setting(variables.maxFileBytes)
    const config: SecretsConfigShape = {
      envPrefix: setting(variables.envPrefix) ?? defaults.envPrefix,
      defaultDir: setting(variables.defaultDir) ?? defaults.defaultDir,
      filePrefix: setting(variables.filePrefix) ?? defaults.filePrefix,
      local: setting(executionIdVariable) === undefined,
      maxFileBytes: maxFileBytes === undefined ? defaults.maxFileBytes : parseBytes(maxFileBytes),
      ...overrides
    }
    if (Number.isNaN(config.maxFileBytes)) {
      return yield* Effect.fail(invalid(
        variables.maxFileBytes,
        `${variables.maxFileBytes} must be a positive whole number of bytes, got ${JSON.stringify(maxFileBytes)}`
      ))
    }
    for (const warning of misspelt(environment, config.envPrefix)) yield* Effect.logWarning(warning)
    return yield* validated(config)
  })

/**
 * The configuration read from the `Environment`, then `overrides` applied (what `SecretsManager.layerTest` uses).
 *
 * @internal
 */
export const layerFromEnvironment = (
  overrides: Partial<SecretsConfigShape>
): Layer.Layer<SecretsConfig, ConfigError, Environment> => Layer.effect(SecretsConfig, fromEnvironment(overrides))

/**
 * The configuration service.
 *
 * @since 0.1.0
 * @category services
 */
export class SecretsConfig
  extends Context.Service<SecretsConfig, SecretsConfigShape>()("effect-secrets/SecretsConfig")
{
  /**
   * Reads `FLYTE_SECRETS_ENV_PREFIX`, `FLYTE_SECRETS_DEFAULT_DIR`, `FLYTE_SECRETS_FILE_PREFIX`,
   * `FLYTE_SECRETS_MAX_FILE_BYTES` and `FLYTE_INTERNAL_EXECUTION_ID` from the `Environment` as it is when the
   * layer is built. A bad value fails the layer with a `ConfigError` naming the variable; a variable whose name is
   * close to one of these (`FLYTE_SECRET_DEFAULT_DIR`) is warned about in the log.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerNoDeps: Layer.Layer<SecretsConfig, ConfigError, Environment> = Layer.effect(
    SecretsConfig,
    fromEnvironment()
  )

  /**
   * `layerNoDeps` over `process.env`, read when the layer is built.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer: Layer.Layer<SecretsConfig, ConfigError> = SecretsConfig.layerNoDeps.pipe(
    Layer.provide(Environment.layer)
  )

  /**
   * Given values, the defaults for the rest; the environment is not read. Values are checked as the environment's
   * are, and a relative `defaultDir` is resolved against the working directory when the layer is built.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerWith = (config: Partial<SecretsConfigShape>): Layer.Layer<SecretsConfig, ConfigError> =>
    Layer.effect(SecretsConfig, Effect.suspend(() => validated({ ...defaults, ...config })))
}
