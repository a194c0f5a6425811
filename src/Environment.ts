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
   * @since 0.1.0
   * @category layers
   */
  static readonly layer: Layer.Layer<Environment> = Layer.sync(Environment, () => environmentOver(process.env))

  /**
   * A fixed record of variables; `process.env` is never touched.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerTest = (variables: Readonly<Record<string, string>>): Layer.Layer<Environment> =>
    Layer.succeed(Environment, environmentOver({ ...variables }))
}
