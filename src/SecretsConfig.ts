/**
 * `SecretsConfig`: where the lookup chain looks (env prefix, secrets directory, file prefix), whether this is a
 * local run, and how large a secret may be.
 *
 * @since 0.1.0
 */
import type { ConfigError } from "effect/Config"
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import { Environment } from "./Environment.ts"
import { checkedConfig, configDefaults, readConfig } from "./internal/config/readConfig.ts"

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
   * Never the root: one that resolves to `/` fails the layer, since every absolute path would be inside it.
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
 * The defaults: flytekit's directory and file prefix, and this library's own variable prefix (`FLYTE_SECRETS_`, so
 * it never clashes with what the platform injects under `_FSEC_`).
 *
 * **Example** (The defaults a configuration starts from)
 *
 * ```ts
 * import { defaults } from "effect-secrets/SecretsConfig"
 *
 * console.log(defaults.defaultDir, defaults.envPrefix) // /etc/secrets FLYTE_SECRETS_
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: SecretsConfigShape = configDefaults

/**
 * The configuration service.
 *
 * **Example** (Reading the configuration in effect)
 *
 * ```ts
 * import { SecretsConfig } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const secretsDir = Effect.gen(function*() {
 *   const config = yield* SecretsConfig
 *   return config.defaultDir
 * })
 * Effect.runSync(secretsDir.pipe(Effect.provide(SecretsConfig.layerWith({ defaultDir: "/run/secrets" }))))
 * ```
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
   * **Example** (The configuration of a given environment)
   *
   * ```ts
   * import { Environment, SecretsConfig } from "effect-secrets"
   * import * as Layer from "effect/Layer"
   *
   * const config = SecretsConfig.layerNoDeps.pipe(
   *   Layer.provide(Environment.layerTest({ FLYTE_SECRETS_ENV_PREFIX: "_FSEC_" }))
   * )
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerNoDeps: Layer.Layer<SecretsConfig, ConfigError, Environment> = Layer.effect(
    SecretsConfig,
    readConfig()
  )

  /**
   * `layerNoDeps` over `process.env`, read when the layer is built.
   *
   * **Example** (A manager over files, configured from process.env)
   *
   * ```ts
   * import { Environment, SecretsConfig, SecretsManager } from "effect-secrets"
   * import * as Layer from "effect/Layer"
   *
   * const manager = SecretsManager.layerNodeFiles.pipe(
   *   Layer.provide(SecretsConfig.layer),
   *   Layer.provide(Environment.layer)
   * )
   * ```
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
   * **Example** (A manager reading another secrets directory)
   *
   * ```ts
   * import { Environment, SecretsConfig, SecretsManager } from "effect-secrets"
   * import * as Layer from "effect/Layer"
   *
   * const manager = SecretsManager.layerNodeFiles.pipe(
   *   Layer.provide(SecretsConfig.layerWith({ defaultDir: "/run/secrets", filePrefix: "" })),
   *   Layer.provide(Environment.layer)
   * )
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerWith = (config: Partial<SecretsConfigShape>): Layer.Layer<SecretsConfig, ConfigError> =>
    Layer.effect(SecretsConfig, checkedConfig(config))
}
