/**
 * The lookup engine behind `SecretsManager`: each request is compiled once into its chain of places (names, paths,
 * the order of the sources) and kept in a bounded cache; running the compiled lookup reads again. A miss is one
 * `SecretNotFound` carrying every attempt.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { attachHint, type Attempt, SecretNotFound } from "../../SecretsError.ts"
import type { SecretLocation, SecretRequest, SecretsManagerShape } from "../../SecretsManager.ts"
import { BoundedCache } from "../BoundedCache.ts"
import { registerSecretValue } from "../masking/registry.ts"
import { withoutStackTrace } from "../stackTrace.ts"
import { describeManagerLookup } from "../telemetry/describe.ts"
import { observeChain, observeLookup } from "../telemetry/lookupSpan.ts"
import { whenEnabled } from "../telemetry/switch.ts"
import { requestChanges } from "../watch/requestChanges.ts"
import { type WatchOptions, watchValues } from "../watch/watchValues.ts"
import { readRequest, type Target } from "./request.ts"
import { type Found, type LookupContext, type Mode, type Place, sources } from "./sources.ts"
import { suggestionsFor } from "./suggestions.ts"

/** A compiled lookup: lazy, so running it again reads again. */
type Lookup<A> = Effect.Effect<A, SecretNotFound>

/**
 * Tries each place in order: the first success wins; a miss moves on and is kept, in order. A refusal ends the
 * chain: that place holds something for this secret, and a later place must not answer instead of it (flytekit, too,
 * reads a file that exists or fails). `catchEager` continues at once past a place that answered at once, and
 * schedules only for a place that must wait.
 */
const firstFound = (
  places: ReadonlyArray<Place>,
  index: number,
  attempts: ReadonlyArray<Attempt>
): Effect.Effect<readonly [Found, ReadonlyArray<Attempt>], ReadonlyArray<Attempt>> =>
  index === places.length
    ? Effect.fail(attempts)
    : Effect.catchEager(
      Effect.mapEager(places[index]!(), (found) => [found, attempts] as const),
      (failed) => {
        const tried = attempts.length === 0 ? failed : [...attempts, ...failed]
        return failed.some((attempt) => attempt.outcome === "refused")
          ? Effect.fail(tried)
          : firstFound(places, index + 1, tried)
      }
    )

/** Each compiled lookup's work, to start in place: see `startLookup`. */
const lookupWork = new WeakMap<Effect.Effect<unknown, unknown>, () => Effect.Effect<unknown, unknown>>()

/** A lazy lookup that the library's own callers can also start in place. */
const lookupOf = <A>(
  work: () => Effect.Effect<A, SecretNotFound>,
  observed: () => Effect.Effect<A, SecretNotFound>
): Lookup<A> => {
  const lookup = whenEnabled(work, observed)
  lookupWork.set(lookup, work)
  return lookup
}

/**
 * Starts a lookup now, when it is one of this module's: the sources are read at once, and a lookup whose sources all
 * answered at once comes back as an `Exit`, which `Effect.runSyncExit` and `Effect.forEach` take without starting a
 * fiber. Any other effect is returned as it is. For callers already at the moment of reading (the facade, the
 * preflight); the effects users get stay lazy.
 */
export const startLookup = <A, E, R>(lookup: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const work = lookupWork.get(lookup as Effect.Effect<unknown, unknown>)
  return work === undefined ? lookup : (work() as Effect.Effect<A, E, R>)
}

/**
 * A lookup whose miss `f` turns into another, still started in place by `startLookup` like the lookup itself.
 */
export const mapMiss = <A>(lookup: Lookup<A>, f: (miss: SecretNotFound) => SecretNotFound): Lookup<A> =>
  lookupOf(() => Effect.mapErrorEager(startLookup(lookup), f), () => Effect.mapErrorEager(lookup, f))

/** The failure for a request that cannot be looked up: nothing is read. Names are kept only when they are safe. */
const invalidRequest = (request: unknown, problem: string): SecretNotFound => {
  const name = typeof request === "object" && request !== null ? safeName(request as SecretRequest) : {}
  return withoutStackTrace(() =>
    new SecretNotFound({
      ...name,
      reason: "InvalidRequest",
      attempts: [{ source: "request", location: "request", outcome: "refused", reason: problem }]
    })
  )
}

const safeName = (request: SecretRequest) => {
  const checked = readRequest({
    group: Object.hasOwn(request, "group") ? request.group : undefined,
    key: Object.hasOwn(request, "key") ? request.key : undefined,
    groupVersion: Object.hasOwn(request, "groupVersion") ? request.groupVersion : undefined
  })
  return typeof checked === "string" ? {} : nameFields(checked)
}

const nameFields = (target: Target) => {
  const { group, groupVersion, key } = target.name
  return {
    ...(group === undefined ? {} : { group }),
    ...(key === undefined ? {} : { key }),
    ...(groupVersion === undefined ? {} : { groupVersion })
  }
}

/** What each operation reads, and how it turns what was found into its result. */
/** A secret handed out, registered for masking first (see `Masking`). */
const secretValue = (found: Found) => (registerSecretValue(found.value), found.value)

const operations = {
  text: { mode: "text", result: secretValue },
  bytes: { mode: "bytes", result: secretValue },
  redactedText: { mode: "text", result: (found: Found) => Redacted.make(secretValue(found)) },
  redactedBytes: { mode: "bytes", result: (found: Found) => Redacted.make(secretValue(found)) },
  path: { mode: "path", result: (found: Found) => found.value },
  locate: {
    mode: "locate",
    result: (found: Found, tried: ReadonlyArray<Attempt>): SecretLocation => ({
      source: found.source,
      location: found.location,
      tried
    })
  }
} satisfies Record<string, { mode: Mode; result: (found: Found, tried: ReadonlyArray<Attempt>) => unknown }>

type Operation = keyof typeof operations

/**
 * A plain request read once: its own fields, and its cache key, each value prefixed by its length so that no two
 * different requests share a key whatever their values hold. The lookup is compiled from this same reading, so a
 * request whose getters answer differently each time cannot store one request's lookup under another's key.
 * `undefined` for a request that is not a plain object of strings (it is checked, and refused, without being kept).
 */
const readOnce = (operation: Operation, request: object): { key: string; fields: SecretRequest } | undefined => {
  let key: string = operation
  const fields: Record<string, string> = Object.create(null)
  for (const field of Object.keys(request)) {
    const value = (request as Record<string, unknown>)[field]
    if (value === undefined) continue
    if (typeof value !== "string") return undefined
    fields[field] = value
    key += `|${field}:${value.length}:${value}`
  }
  return { key, fields }
}

/** The manager over a context: each operation is a compiled lookup, kept per distinct request. */
export const makeManager = (context: LookupContext): SecretsManagerShape => {
  const notFound = (target: Target) => (attempts: ReadonlyArray<Attempt>): SecretNotFound => {
    const error = withoutStackTrace(() =>
      new SecretNotFound({
        ...nameFields(target),
        reason: attempts.some((attempt) => attempt.outcome === "refused") ? "Refused" : "NotFound",
        attempts
      })
    )
    attachHint(error, () => suggestionsFor(target, context))
    return error
  }

  const compile = (operation: Operation, request: unknown): { lookup: Lookup<unknown>; keep: boolean } => {
    const target = readRequest(request)
    if (typeof target === "string") {
      const failure = Effect.fail(invalidRequest(request, target))
      const observed = () =>
        observeLookup(describeManagerLookup(operation, safeName(request as SecretRequest), request), failure)
      return { lookup: lookupOf(() => failure, observed), keep: false }
    }
    const { mode, result } = operations[operation]
    const places = sources.flatMap((source) => source(target, mode, context))
    const onFailure = notFound(target)
    const onSuccess = ([found, tried]: readonly [Found, ReadonlyArray<Attempt>]) => result(found, tried)
    const chain = () => firstFound(places, 0, [])
    const description = describeManagerLookup(operation, target.name, request)
    return {
      lookup: lookupOf(
        () => Effect.mapBothEager(chain(), { onFailure, onSuccess }),
        () => observeChain(description, chain, { onFailure, onSuccess })
      ),
      keep: true
    }
  }

  // Compiled lookups by request key, bounded in entries and bytes so requests built from untrusted input cannot
  // grow it; a dropped entry is compiled again when next asked for.
  const compiled = new BoundedCache<string, Lookup<unknown>>({ maxEntries: 4096, maxBytes: 8 * 1024 * 1024 })
  // Requests that cannot change (a `Secret`, a frozen object) are also found by identity: no key to build. Entries
  // go with their requests.
  const byIdentity = new WeakMap<object, Partial<Record<Operation, Lookup<unknown>>>>()
  // The compiled structures of one lookup, beside its key: names, paths and closures.
  const compiledOverhead = 2048

  const byFields = (operation: Operation, request: unknown): Lookup<unknown> => {
    const read = typeof request === "object" && request !== null ? readOnce(operation, request) : undefined
    if (read === undefined) return compile(operation, request).lookup
    let lookup = compiled.get(read.key)
    if (lookup === undefined) {
      const fresh = compile(operation, read.fields)
      lookup = fresh.lookup
      if (fresh.keep) compiled.set(read.key, lookup, read.key.length * 2 + compiledOverhead)
    }
    return lookup
  }

  const lookup = <A>(operation: Operation, request: SecretRequest): Lookup<A> => {
    if (!isImmutable(request)) return byFields(operation, request) as Lookup<A>
    let kept = byIdentity.get(request)
    if (kept === undefined) byIdentity.set(request, kept = {})
    return (kept[operation] ??= byFields(operation, request)) as Lookup<A>
  }

  const get =
    ((request: SecretRequest) => lookup(isBytes(request) ? "bytes" : "text", request)) as SecretsManagerShape["get"]

  return {
    get,
    getRedacted:
      ((request: SecretRequest) =>
        lookup(isBytes(request) ? "redactedBytes" : "redactedText", request)) as SecretsManagerShape["getRedacted"],
    getPath: (request) => lookup("path", request),
    locate: (request) => lookup("locate", request),
    watch:
      ((request: SecretRequest, options?: WatchOptions) =>
        watchValues(get(request), options, requestChanges(request, context))) as SecretsManagerShape[
          "watch"
        ]
  }
}

// Read as an own property, like every request field: a polluted prototype cannot turn a request into bytes.
const isBytes = (request: SecretRequest): boolean =>
  typeof request === "object" && request !== null && Object.hasOwn(request, "encodeMode") && request.encodeMode === "rb"

const isImmutable = (request: unknown): request is object =>
  typeof request === "object" && request !== null && Object.isFrozen(request)
