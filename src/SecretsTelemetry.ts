/**
 * `SecretsTelemetry`: spans (Effect's `Tracer`) and metrics (Effect's `Metric`) for secret lookups, the cache,
 * `watch` and masked logging, off unless this layer is provided. Nothing recorded ever holds a secret value, part of
 * one, its length or a hash of it; OpenTelemetry reaches them through the app's own `@effect/opentelemetry` wiring.
 *
 * @since 0.1.0
 */
import * as Layer from "effect/Layer"
import { TelemetryEnabled } from "./internal/telemetry/switch.ts"

/**
 * Where it is provided, lookups (`get`, `getRedacted`, `getPath`, `locate`, through any manager, the cache, a
 * facade's layer or a task), task preflights, the cache, `watch` and the masked loggers record the
 * `effect_secrets.*` spans and metrics. Without it, nothing is recorded.
 *
 * **Example** (Tracing the lookups of a program)
 *
 * ```ts
 * import { SecretsManager, SecretsTelemetry } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const program = SecretsManager.use((secrets) => secrets.locate({ group: "db", key: "password" }))
 * // Spans and metrics go wherever the app's tracer and metrics go (@effect/opentelemetry, for one).
 * export const traced = program.pipe(Effect.provide(Layer.mergeAll(SecretsManager.layer, SecretsTelemetry.layer)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never> = Layer.succeed(TelemetryEnabled, true)
