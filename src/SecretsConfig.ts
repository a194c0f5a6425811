/**
 * `SecretsConfig`: where the lookup chain looks (env prefix, secrets directory, file prefix), whether this is a
 * local run, and how large a secret file may be.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type { ConfigError } from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { Environment } from "./Environment.ts"

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
  /** Directory holding secret files (`/etc/secrets`; `/etc/flyte/secrets` on a Flyte cluster). */
  readonly defaultDir: string
  /** Prefix of every secret file name (empty by default). */
  readonly filePrefix: string
  /** A local run: the unprefixed variable name is tried last. */
  readonly local: boolean
  /** Largest secret file read, in bytes (1 MiB, the Kubernetes Secret limit). */
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

// An empty or blank override keeps the default, as flytekit's configuration does.
const setting = (name: string, fallback: string): Config.Config<string> =>
  Config.String(name).pipe(Config.withDefault(""), Config.map((value) => value.trim() || fallback))

const PositiveInt = Schema.Trim.pipe(
  Schema.decodeTo(Schema.NumberFromString),
  Schema.check(Schema.makeFilter((n: number) => (Number.isSafeInteger(n) && n > 0) || "Expected a positive integer"))
)

const fromEnvironmentVariables: Config.Config<SecretsConfigShape> = Config.all({
  envPrefix: setting("FLYTE_SECRETS_ENV_PREFIX", defaults.envPrefix),
  defaultDir: setting("FLYTE_SECRETS_DEFAULT_DIR", defaults.defaultDir),
  filePrefix: setting("FLYTE_SECRETS_FILE_PREFIX", defaults.filePrefix),
  // flytepropeller sets FLYTE_INTERNAL_EXECUTION_ID in every task pod: its presence means a platform run.
  local: Config.String("FLYTE_INTERNAL_EXECUTION_ID").pipe(Config.option, Config.map((id) => id._tag === "None")),
  maxFileBytes: Config.schema(PositiveInt, "FLYTE_SECRETS_MAX_FILE_BYTES").pipe(
    Config.withDefault(defaults.maxFileBytes)
  )
})

/** Reads the configuration through an `Environment`, so a test record and `process.env` follow one rule. */
export const fromEnvironment: Effect.Effect<SecretsConfigShape, ConfigError, Environment> = Environment.use(
  (environment) =>
    fromEnvironmentVariables.parse(ConfigProvider.make((path) => {
      const value = environment.get(path.join("_"))
      return Effect.succeed(value === undefined || value === "" ? undefined : ConfigProvider.makeValue(value))
    }))
)

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
   * layer is built. A bad value fails the layer with a `ConfigError` naming the variable.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerNoDeps: Layer.Layer<SecretsConfig, ConfigError, Environment> = Layer.effect(
    SecretsConfig,
    fromEnvironment
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
   * Given values, the defaults for the rest; the environment is not read.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerWith = (config: Partial<SecretsConfigShape>): Layer.Layer<SecretsConfig> =>
    Layer.succeed(SecretsConfig, SecretsConfig.of({ ...defaults, ...config }))
}
