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
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never> = Layer.succeed(TelemetryEnabled, true)
