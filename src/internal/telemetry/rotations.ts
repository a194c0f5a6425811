/**
 * Telemetry for `watch`: each value a stream emits after its first is one rotation. The reads behind a watch (one
 * per poll tick or change signal) record no lookup span: a span per poll would bury the lookups users make.
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"
import { rotations } from "./instruments.ts"
import { TelemetryEnabled, whenEnabled } from "./switch.ts"

const recordRotation = whenEnabled(() => Effect.void, () => Metric.update(rotations, 1))

/** `values`, counting each value after the first in `effect_secrets.rotations` when telemetry is on. */
export const countRotations = <A, E, R>(values: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
  Stream.suspend(() => {
    let first = true
    return Stream.tap(values, () => first ? (first = false, Effect.void) : recordRotation)
  })

/** A watch's read, recording no lookup span. */
export const withoutLookupSpan = <A, E, R>(read: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  whenEnabled(() => read, () => Effect.provideService(read, TelemetryEnabled, false))
