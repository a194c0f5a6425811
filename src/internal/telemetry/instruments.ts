/**
 * The library's metrics. Their attributes stay low-cardinality: outcomes, sources and cache results, never a group,
 * a key or anything read.
 */
import * as Metric from "effect/Metric"

export const lookups = Metric.counter("effect_secrets.lookups", {
  description: "Secret lookups, by outcome, and by source when found",
  incremental: true
})

export const lookupDuration = Metric.timer("effect_secrets.lookup.duration", {
  description: "How long each secret lookup took"
})

export const cacheLookups = Metric.counter("effect_secrets.cache.lookups", {
  description: "Lookups through SecretsCache, by result: hit, miss or stale",
  incremental: true
})

export const rotations = Metric.counter("effect_secrets.rotations", {
  description: "New values emitted by watch streams after their first",
  incremental: true
})

export const masked = Metric.counter("effect_secrets.masked", {
  description: "Secret values replaced in log output by the masked loggers",
  incremental: true
})
