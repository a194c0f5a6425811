/**
 * Secrets telemetry exported through OpenTelemetry, wired as an app wires it: `@effect/opentelemetry` turns
 * Effect's spans and metrics into OpenTelemetry ones, and `SecretsTelemetry.layer` turns the library's on.
 * `docs/telemetry.md` shows this file; the tests run it with in-memory exporters.
 */
import * as OtelMetrics from "@effect/opentelemetry/OtelMetrics"
import * as OtelTracer from "@effect/opentelemetry/OtelTracer"
import * as Resource from "@effect/opentelemetry/Resource"
import type { MetricReader } from "@opentelemetry/sdk-metrics"
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base"
import { Secret, SecretsCache, SecretsManager, SecretsTelemetry, task } from "effect-secrets"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"

/** OpenTelemetry for the app: spans to `spans`, metrics read by `metrics`, all under the service's name. */
export const openTelemetry = (spans: SpanExporter, metrics: MetricReader) => {
  const tracerProvider = Layer.effect(
    OtelTracer.OtelTracerProvider,
    Effect.map(
      Resource.Resource,
      (resource) => new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(spans)] })
    )
  )
  return Layer.mergeAll(
    OtelTracer.layer.pipe(Layer.provide(tracerProvider)),
    OtelMetrics.layer(() => metrics)
  ).pipe(Layer.provide(Resource.layer({ serviceName: "billing-service" })))
}

const syncInvoices = task({
  name: "sync_invoices",
  secretRequests: [new Secret({ group: "billing", key: "api_token" })]
}, (customer: string) =>
  Effect.gen(function*() {
    const secrets = yield* SecretsManager
    const token = yield* secrets.getRedacted({ group: "billing", key: "api_token" })
    return `${customer}: synced with ${token}` // the token prints as <redacted>
  }))

/** The app: a task, then requests whose handler reads through the cache. */
export const program = Effect.gen(function*() {
  const synced = yield* syncInvoices("acme")
  const secrets = yield* SecretsManager
  // Two requests: the first reads the secret, the second is served by the cache.
  const handle = secrets.get({ group: "billing", key: "api_token" }).pipe(Effect.withSpan("handle-request"))
  yield* handle
  yield* handle
  return synced
})

/**
 * A watched secret whose rotations are counted under a name the app picks: `effect_secrets.rotations` carries no
 * group or key of its own (metric attributes stay low-cardinality), so an app that wants rotations per secret adds
 * the attribute itself, for the few secrets it watches.
 */
export const watchNamed = (name: string) =>
  Stream.unwrap(SecretsManager.use((secrets) => Effect.succeed(secrets.watch({ group: "billing", key: "api_token" }))))
    .pipe(Stream.provideService(Metric.CurrentMetricAttributes, { secret: name }))

/** Everything together: the cached manager, the library's telemetry on, OpenTelemetry under it. */
export const main = <E>(secrets: Layer.Layer<SecretsManager, E>, spans: SpanExporter, metrics: MetricReader) =>
  program.pipe(
    Effect.provide(SecretsCache.layer().pipe(Layer.provide(secrets))),
    Effect.provide(SecretsTelemetry.layer),
    Effect.provide(openTelemetry(spans, metrics))
  )
