/**
 * `Environment`: reads one environment variable at a time, live. Swapped for a record in tests.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import { environmentOver } from "./internal/config/environmentOver.ts"

/**
 * Reads environment variables by exact name, at the moment of the call.
 *
 * **Details**
 *
 * A name is looked up, never evaluated or expanded. Only own string values count: names such as
 * `__proto__` or `toString` are not set unless a variable of that name is.
 *
 * **Example** (Reading a variable through the service)
 *
 * ```ts
 * import { Environment } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const home = Effect.gen(function*() {
 *   const environment = yield* Environment
 *   return environment.get("HOME") // string | undefined, read now
 * })
 * Effect.runSync(home.pipe(Effect.provide(Environment.layer)))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class Environment extends Context.Service<Environment, {
  readonly get: (name: string) => string | undefined
  /** The names set, for "did you mean" hints on a miss; optional for environments that cannot list. */
  readonly names?: (() => Iterable<string>) | undefined
}>()("effect-secrets/Environment") {
  /**
   * `process.env`, read live at every call.
   *
   * **Example** (The live environment under a SecretsConfig)
   *
   * ```ts
   * import { Environment, SecretsConfig } from "effect-secrets"
   * import * as Layer from "effect/Layer"
   *
   * // The configuration read from process.env when the layer is built.
   * const config = SecretsConfig.layerNoDeps.pipe(Layer.provide(Environment.layer))
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer: Layer.Layer<Environment> = Layer.sync(Environment, () => environmentOver(process.env))

  /**
   * A fixed record of variables; `process.env` is never touched.
   *
   * **Example** (A fixed environment for a test)
   *
   * ```ts
   * import { Environment, SecretsConfig } from "effect-secrets"
   * import * as Layer from "effect/Layer"
   *
   * const environment = Environment.layerTest({ FLYTE_SECRETS_DEFAULT_DIR: "/run/secrets" })
   * const config = SecretsConfig.layerNoDeps.pipe(Layer.provide(environment)) // defaultDir "/run/secrets"
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerTest = (variables: Readonly<Record<string, string>>): Layer.Layer<Environment> =>
    Layer.succeed(Environment, environmentOver({ ...variables }))
}
