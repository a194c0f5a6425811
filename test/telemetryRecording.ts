/** A tracer and a metric registry that keep everything recorded, for the telemetry tests. */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Tracer from "effect/Tracer"
import { SecretsManager, SecretsTelemetry } from "../src/index.ts"

/** The telemetry tests' secrets: a text file, a binary file, a file in a nested folder, and a variable. */
export const telemetryFiles = {
  "/etc/secrets/g/file_key": "file-value-1234",
  "/etc/secrets/g/binary": new Uint8Array([0xff, 0xfe, 0x00]),
  "/etc/secrets/g/empty_dir/x": "nested"
}
export const telemetryEnv = { FLYTE_SECRETS_G_ENV_KEY: "env-value-5678" }
/** The test layer over those secrets. */
export const telemetryTestManager = SecretsManager.layerTest({ env: telemetryEnv, files: telemetryFiles })

export const recording = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  const registry: Metric.MetricRegistry = new Map()
  /** The tracer and the registry alone: telemetry stays off. */
  const observers = Layer.mergeAll(Layer.succeed(Tracer.Tracer, tracer), Layer.succeed(Metric.MetricRegistry, registry))
  const metrics = () => Metric.snapshotUnsafe(Context.make(Metric.MetricRegistry, registry))
  return {
    spans,
    observers,
    /** The tracer, the registry and `SecretsTelemetry.layer`. */
    traced: Layer.merge(observers, SecretsTelemetry.layer),
    metrics,
    named: (name: string) => spans.filter((span) => span.name === name),
    /** A counter's count for the metric whose attributes include `attributes`. */
    count: (id: string, attributes: Record<string, string> = {}) =>
      metrics()
        .filter((metric) =>
          metric.id === id &&
          Object.entries(attributes).every(([key, value]) => metric.attributes?.[key] === value)
        )
        .reduce((sum, metric) => sum + Number((metric.state as { readonly count: number }).count), 0)
  }
}

export const attributesOf = (span: Tracer.NativeSpan): Record<string, unknown> => Object.fromEntries(span.attributes)

/** The error a span ended with, as a tracer sees it: its name, message and stack, and the cause printed. */
const endOf = (span: Tracer.NativeSpan) => {
  if (span.status._tag !== "Ended") return { ended: false }
  const exit = span.status.exit
  if (Exit.isSuccess(exit)) return { success: exit.value }
  const errors = Cause.prettyErrors(exit.cause)
  return {
    cause: Cause.pretty(exit.cause),
    errors: errors.map((error) => ({ name: error.name, message: error.message, stack: error.stack }))
  }
}

/** Everything recorded: every span (name, attributes, events, links, how it ended) and every metric. */
export const recorded = (spans: ReadonlyArray<Tracer.NativeSpan>, metrics: ReadonlyArray<Metric.Metric.Snapshot>) => ({
  spans: spans.map((span) => ({
    name: span.name,
    attributes: attributesOf(span),
    events: span.events,
    links: span.links,
    end: endOf(span)
  })),
  metrics
})

/** Everything recorded, as text. */
export const everythingRecorded = (
  spans: ReadonlyArray<Tracer.NativeSpan>,
  metrics: ReadonlyArray<Metric.Metric.Snapshot>
): string =>
  JSON.stringify(
    recorded(spans, metrics),
    (_, value) => typeof value === "bigint" ? value.toString() : value instanceof Uint8Array ? [...value] : value
  )

/** Every string and number inside `value` (keys too), each as it is: no escaping stands between a leak and a match. */
export const leavesOf = (value: unknown, into: Array<string | number> = []): Array<string | number> => {
  if (typeof value === "string" || typeof value === "number") into.push(value)
  else if (typeof value === "bigint") into.push(value.toString())
  else if (value instanceof Uint8Array) into.push(Buffer.from(value).toString("latin1"))
  else if (value instanceof Map) { for (const [key, entry] of value) leavesOf([key, entry], into) }
  else if (Array.isArray(value)) { for (const entry of value) leavesOf(entry, into) }
  else if (typeof value === "object" && value !== null) {
    for (const [key, entry] of Object.entries(value)) leavesOf([key, entry], into)
  }
  return into
}
