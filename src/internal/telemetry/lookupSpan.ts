/**
 * The `effect_secrets.lookup` span and the lookup metrics. The outermost recorded lookup on a fiber (the cache, a
 * task's view, or the manager itself) makes the one span and the one sample; the lookups it runs underneath only
 * tell it where the secret was found. The span never sees a value: it ends with no result on success, and on a
 * failure with an error that names only the kind of failure (the real error, which may come from user code, is not
 * shown to the tracer).
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Now from "../now.ts"
import { withoutStackTrace } from "../stackTrace.ts"
import { asksForBytes, describeLookup, nameIn, type SecretName } from "./describe.ts"
import { cacheLookups, lookupDuration, lookups } from "./instruments.ts"
import { CurrentLookup, CurrentTask, type LookupRecord, TelemetryEnabled, whenEnabled } from "./switch.ts"

const lookupSpanName = "effect_secrets.lookup"

/** A lookup as its span names it: the operation and the secret's name, never what was read. */
export interface LookupDescription {
  readonly operation: "get" | "getRedacted" | "getPath" | "locate"
  readonly encodeMode: "r" | "rb"
  readonly group?: string | undefined
  readonly key?: string | undefined
  readonly groupVersion?: string | undefined
}

const outcomes = new Set(["NotFound", "Refused", "InvalidRequest", "Undeclared"])

/** The outcome of a lookup that failed: a miss's reason, or nothing for a failure no lookup can give. */
const failureOutcome = (cause: Cause.Cause<unknown>): string | undefined => {
  const error = Cause.findErrorOption(cause)
  if (error._tag === "None" || typeof error.value !== "object" || error.value === null) return undefined
  const reason = error.value as { readonly _tag?: unknown; readonly reason?: unknown }
  return reason._tag === "SecretNotFound" && typeof reason.reason === "string" && outcomes.has(reason.reason)
    ? reason.reason
    : undefined
}

/** The kind of failure, for `error.type`: a miss, a defect or an interruption. Never a message. */
const failureType = (cause: Cause.Cause<unknown>): string =>
  failureOutcome(cause) !== undefined
    ? "SecretNotFound"
    : Cause.hasInterruptsOnly(cause)
    ? "Interrupted"
    : Cause.hasFails(cause)
    ? "LookupFailed"
    : "Defect"

/** What the tracer gets for a failed lookup: the kind of failure, with no message from the error and no frames. */
class LookupFailure extends Error {
  constructor(type: string, outcome: string | undefined) {
    super(outcome === undefined ? type : `${type}: ${outcome}`)
    this.name = type
  }
}

/**
 * The exit a span ends with: no value on success, and on failure an error naming only its kind (`type`), so a
 * tracer never records a value, nor a message or stack from user code.
 */
export const spanExit = (exit: Exit.Exit<unknown, unknown>, type: string, outcome: string | undefined) =>
  Exit.isSuccess(exit)
    ? Exit.void
    : Cause.hasInterruptsOnly(exit.cause)
    ? exit
    : Exit.fail(withoutStackTrace(() => new LookupFailure(type, outcome)))

const startAttributes = (description: LookupDescription, task: string | undefined): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {
    "effect_secrets.operation": description.operation,
    "effect_secrets.encode_mode": description.encodeMode
  }
  if (description.group !== undefined) attributes["effect_secrets.group"] = description.group
  if (description.key !== undefined) attributes["effect_secrets.key"] = description.key
  if (description.groupVersion !== undefined) attributes["effect_secrets.group_version"] = description.groupVersion
  if (task !== undefined) attributes["effect_secrets.task"] = task
  return attributes
}

// Each attribute set's counter is made once: the sets are few (outcomes, sources, cache results).
const counters = new Map<string, Metric.Counter<number>>()
const counterWith = (key: string, make: () => Metric.Counter<number>) => {
  let kept = counters.get(key)
  if (kept === undefined) counters.set(key, kept = make())
  return kept
}
const lookupsBy = (outcome: string, source: string | undefined) =>
  counterWith(
    source === undefined ? outcome : `${outcome}/${source}`,
    () => Metric.withAttributes(lookups, source === undefined ? { outcome } : { outcome, source })
  )
const cacheLookupsBy = (result: string) =>
  counterWith(`cache/${result}`, () => Metric.withAttributes(cacheLookups, { result }))

/** Ends the span with what the record and the exit tell, and takes the lookup's samples. */
const finish = (
  fiber: Fiber.Fiber<unknown, unknown>,
  span: { attribute(key: string, value: unknown): void; end(time: bigint, exit: Exit.Exit<unknown, unknown>): void },
  record: LookupRecord,
  startedAt: bigint,
  exit: Exit.Exit<unknown, unknown>
): Effect.Effect<void> => {
  const endedAt = fiber.getRef(Clock.Clock).currentTimeNanosUnsafe()
  const outcome = Exit.isSuccess(exit) ? "found" : failureOutcome(exit.cause)
  if (outcome !== undefined) span.attribute("effect_secrets.outcome", outcome)
  if (outcome === "found" && record.source !== undefined) {
    span.attribute("effect_secrets.source", record.source)
    span.attribute("effect_secrets.location", record.location)
  }
  if (record.attempts !== undefined) span.attribute("effect_secrets.attempts", record.attempts)
  if (record.cache !== undefined) span.attribute("effect_secrets.cache", record.cache)
  if (Exit.isFailure(exit)) span.attribute("error.type", failureType(exit.cause))
  span.end(endedAt, Exit.isSuccess(exit) ? Exit.void : spanExit(exit, failureType(exit.cause), outcome))
  const counted = outcome === undefined
    ? Effect.void
    : Metric.update(lookupsBy(outcome, outcome === "found" ? record.source : undefined), 1)
  const cached = record.cache === undefined ? Effect.void : Metric.update(cacheLookupsBy(record.cache), 1)
  return Effect.andThen(
    Effect.andThen(counted, cached),
    Metric.update(lookupDuration, Duration.nanos(endedAt - startedAt))
  )
}

/** Runs `lookup` as the recorded lookup `record` describes: one span, one sample. */
const recorded = <A, E>(
  description: LookupDescription,
  record: LookupRecord,
  lookup: Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.withFiber((fiber) => {
    const startedAt = fiber.getRef(Clock.Clock).currentTimeNanosUnsafe()
    return Effect.flatMap(
      Effect.makeSpan(lookupSpanName, { attributes: startAttributes(description, fiber.getRef(CurrentTask)) }),
      (span) =>
        lookup.pipe(
          Effect.provideService(CurrentLookup, record),
          // No stack trace: capturing one per lookup is most of a span's cost, and its frames name paths.
          Effect.withParentSpan(span, { captureStackTrace: false }),
          Effect.onExit((exit) => finish(fiber, span, record, startedAt, exit))
        )
    )
  })

const emptyRecord = (): LookupRecord => ({
  cache: undefined,
  source: undefined,
  location: undefined,
  attempts: undefined
})

/**
 * A lookup recorded when telemetry is on: its own span, unless it runs inside another recorded lookup, which then
 * speaks for it.
 */
export const observeLookup = <A, E>(description: LookupDescription, lookup: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.withFiber((fiber) =>
    fiber.getRef(CurrentLookup) === undefined ? recorded(description, emptyRecord(), lookup) : lookup
  )

/**
 * A prepared lookup of `operation` on `request`, read as one recorded lookup when telemetry is on: its own span, or,
 * inside another recorded lookup, its part of that one. Off, it is read as it is, after one reference read.
 */
export const observeRead = <A, E>(
  operation: LookupOperation,
  request: unknown,
  read: (record?: LookupRecord) => Now.Now<A, E>
): Effect.Effect<A, E> =>
  Effect.withFiber((fiber) => {
    if (!fiber.getRef(TelemetryEnabled)) return Now.toEffect(read())
    const outer = fiber.getRef(CurrentLookup)
    if (outer !== undefined) return Now.toEffect(read(outer))
    const record = emptyRecord()
    const description = describeLookup(operation, nameIn(request), asksForBytes(request))
    return recorded(description, record, Effect.suspend(() => Now.toEffect(read(record))))
  })

/** Where a chain of places found a secret. */
export interface FoundAt {
  readonly source: string
  readonly location: string
}

/** Tells `record` where the manager's chain of places found the secret, after how many places tried before it. */
export const noteFound = (record: LookupRecord, found: FoundAt, triedBefore: number): void => {
  record.source = found.source
  record.location = found.location
  record.attempts = triedBefore + 1
}

/** Tells `record` how many places the manager's chain tried before it missed. */
export const noteMissed = (record: LookupRecord, attempts: number): void => {
  record.attempts = attempts
}

/**
 * Tells the recorded lookup on this fiber what the cache answered: `hit` or `miss`, or `stale` when the entry holds a
 * last good value served after a failed read.
 */
export const noteCacheResult = (
  fiber: Fiber.Fiber<unknown, unknown>,
  result: "hit" | "miss",
  entry?: { readonly stale: unknown }
): void => {
  const record = fiber.getRef(CurrentLookup)
  if (record !== undefined) record.cache = entry?.stale !== undefined ? "stale" : result
}

/** The operations a lookup's span names. */
export type LookupOperation = LookupDescription["operation"]

/**
 * A lookup refused before anything is read (one a strict task does not declare), recorded when telemetry is on.
 */
export const refusedLookup = <E extends SecretName>(
  operation: LookupOperation,
  request: unknown,
  error: E
): Effect.Effect<never, E> => {
  const failure = Effect.fail(error)
  return whenEnabled(
    () => failure,
    () => observeLookup(describeLookup(operation, error, asksForBytes(request)), failure)
  )
}

/** Whether a lookup starting on this fiber makes its own span: telemetry is on and no recorded lookup runs it. */
export const startsLookupRecord = (fiber: Fiber.Fiber<unknown, unknown>): boolean =>
  fiber.getRef(TelemetryEnabled) && fiber.getRef(CurrentLookup) === undefined
