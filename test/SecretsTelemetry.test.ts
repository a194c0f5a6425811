import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Tracer from "effect/Tracer"
import { SecretsManager, SecretsTelemetry } from "../src/index.ts"

const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
}

describe("SecretsTelemetry", () => {
  it.effect("smoke", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const manager = yield* SecretsManager
      yield* manager.get({ group: "g", key: "k" }).pipe(Effect.provideService(Tracer.Tracer, tracer))
      expect(spans.length).toBe(0)
      yield* manager.get({ group: "g", key: "k" }).pipe(
        Effect.provideService(Tracer.Tracer, tracer),
        Effect.provide(SecretsTelemetry.layer)
      )
      yield* Effect.exit(manager.get({ group: "g", key: "nope" })).pipe(
        Effect.provideService(Tracer.Tracer, tracer),
        Effect.provide(SecretsTelemetry.layer)
      )
      console.log(spans.map((s) => [s.name, [...s.attributes], s.status]))
      console.log(JSON.stringify(yield* Metric.snapshot, (_, v) => typeof v === "bigint" ? String(v) : v))
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_K: "value-one" } }))))
})
