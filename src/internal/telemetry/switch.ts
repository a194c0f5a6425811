/**
 * The switch that turns the library's spans and metrics on, and the fiber state a recorded lookup carries. Off by
 * default: a lookup reads one reference and records nothing.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/** Set by `SecretsTelemetry.layer`; read by every hook before it records anything. */
export const TelemetryEnabled = Context.Reference<boolean>("effect-secrets/TelemetryEnabled", {
  defaultValue: () => false
})

/** The task whose body or preflight is running, named on the lookups made inside it. */
export const CurrentTask = Context.Reference<string | undefined>("effect-secrets/CurrentTask", {
  defaultValue: () => undefined
})

/**
 * What one recorded lookup learns on its way: the cache's answer, and where the manager underneath found the secret.
 * The outermost lookup (the cache, a task's view, the manager itself) owns the span; the ones it calls fill this in.
 */
export interface LookupRecord {
  cache: "hit" | "miss" | "stale" | undefined
  source: string | undefined
  location: string | undefined
  attempts: number | undefined
}

/** The lookup being recorded on this fiber, if any. */
export const CurrentLookup = Context.Reference<LookupRecord | undefined>("effect-secrets/CurrentLookup", {
  defaultValue: () => undefined
})

/** `observed` when telemetry is on where the effect runs, `work` otherwise: one reference read, nothing recorded. */
export const whenEnabled = <A, E, R>(
  work: () => Effect.Effect<A, E, R>,
  observed: () => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.withFiber((fiber) => fiber.getRef(TelemetryEnabled) ? observed() : work())
