/**
 * The lookup engine behind `SecretsManager`: each request is compiled once into its chain of places (names, paths,
 * the order of the sources) and kept in a bounded cache; running the compiled lookup reads again. A miss is one
 * `SecretNotFound` carrying every attempt.
 */
import * as Redacted from "effect/Redacted"
import { type Attempt, SecretNotFound } from "../../SecretsError.ts"
import type { SecretLocation, SecretRequest, SecretsManagerShape } from "../../SecretsManager.ts"
import { BoundedCache } from "../BoundedCache.ts"
import { registerSecretValue } from "../masking/held.ts"
import * as Now from "../now.ts"
import { noteFound, noteMissed } from "../telemetry/lookupSpan.ts"
import { requestChanges } from "../watch/requestChanges.ts"
import { managerFromCore, type Operation, type ReadNow } from "./core.ts"
import { sourcesFor } from "./flyte2Places.ts"
import { endedLookup, invalidRequest, lookupAttempts, lookupMiss } from "./misses.ts"
import type { SecretName } from "./naming.ts"
import { readRequest, requestFields, type Target } from "./request.ts"
import { EndsLookup, type Found, type LookupContext, type Mode, type Place } from "./sources.ts"
import { suggestionsFor } from "./suggestions.ts"

/** What an operation answers: the value, as text or bytes, redacted or not; a path; where the secret is. */
type Answer = string | Uint8Array | Redacted.Redacted<string | Uint8Array> | SecretLocation

/** What an operation makes of a secret found, given the places tried before it. */
type Result = (found: Found, tried: ReadonlyArray<Attempt>) => Answer

/**
 * Tries each place in order: the first success wins; a miss or a refusal is kept, in order, in `tried` (this run's
 * own array), and the next place tried (a refused place is never read, and flytekit would have found the secret at a
 * later place: it reads the unprefixed variable before the file and ignores a declared variable). Only a failure that
 * says nothing of its place ends the chain, failing with an `EndsLookup` of the attempts so far. A place that
 * answered now is followed at once by the next; only a place that must wait makes the rest of the chain wait for it.
 */
const firstFound = (
  places: ReadonlyArray<Place>,
  index: number,
  tried: Array<Attempt> | undefined,
  result: Result
): Now.Now<Answer, ReadonlyArray<Attempt> | EndsLookup> => {
  for (let next = index; next < places.length; next++) {
    const answer = places[next]!()
    if (answer instanceof Now.Later) {
      const before = tried
      return Now.recover(
        Now.map(answer, (found) => result(found, before ?? [])),
        (failed) => {
          const kept = withAttempts(before, failed)
          return failed instanceof EndsLookup
            ? Now.fail(new EndsLookup(kept))
            : firstFound(places, next + 1, kept, result)
        }
      )
    }
    // The operation's result is made here, from the place's answer and the places tried before it.
    if (!(answer instanceof Now.Failed)) return result(answer, tried ?? [])
    tried = withAttempts(tried, answer.failure)
    if (answer.failure instanceof EndsLookup) return Now.fail(new EndsLookup(tried))
  }
  return Now.fail(tried ?? [])
}

/**
 * `tried` with a place's attempts added, in a new array of the size it needs: a lookup tries a handful of places, and
 * one that finds its secret at the second place, the usual file hit, keeps one attempt.
 */
const withAttempts = (
  tried: Array<Attempt> | undefined,
  failed: ReadonlyArray<Attempt> | EndsLookup
): Array<Attempt> => {
  const attempts = failed instanceof EndsLookup ? failed.attempts : failed
  // A place's attempts are frozen, which `slice` copies slowly; a place makes one attempt, or none. (A push past the
  // first element would make room for sixteen more.)
  if (tried === undefined) return attempts.length === 1 ? [attempts[0]!] : [...attempts]
  return attempts.length === 1 ? [...tried, attempts[0]!] : [...tried, ...attempts]
}

/** A secret handed out, registered for masking first (see `Masking`). */
const secretValue = (found: Found) => (registerSecretValue(found.value), found.value)

/** What each operation reads (text or bytes by the request's `encodeMode`), and what it makes of what was found. */
const operations: Record<
  Operation,
  { readonly mode: (target: Target) => Mode; readonly result: Result }
> = {
  get: { mode: textOrBytes, result: secretValue },
  getRedacted: { mode: textOrBytes, result: (found) => Redacted.make(secretValue(found)) },
  getPath: { mode: () => "path", result: (found) => found.value },
  locate: {
    mode: () => "locate",
    result: (found, tried): SecretLocation => ({ source: found.source, location: found.location, tried })
  }
}

function textOrBytes(target: Target): Mode {
  return target.encodeMode === "rb" ? "bytes" : "text"
}

/**
 * A request read once, by the one request reader, and its cache key: each value prefixed by its length so that no
 * two different requests share a key whatever their values hold. The lookup is compiled from this same reading, so a
 * request whose getters answer differently each time cannot store one request's lookup under another's key.
 * `undefined` for a request that is not a plain object of strings (it is checked, and refused, without being kept).
 */
const readOnce = (operation: Operation, request: unknown): { key: string; fields: SecretRequest } | undefined => {
  const fields = requestFields(request)
  if (typeof fields === "string") return undefined
  let key: string = operation
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue
    if (typeof value !== "string") return undefined
    key += `|${field}:${value.length}:${value}`
  }
  return { key, fields: fields as SecretRequest }
}

/**
 * The failure of a lookup that found nothing: every attempt, and "did you mean" hints for when it is read. A lookup
 * that misses the same way again (each place answered as last time, as an unset variable and a missing file do) shares
 * the last miss's frozen attempts.
 */
const notFound = (name: SecretName, target: Target, context: LookupContext) => {
  const hint = () => suggestionsFor(target, context)
  const missOf = lookupMiss(name)
  let last:
    | {
      readonly tried: ReadonlyArray<Attempt>
      readonly reason: "NotFound" | "Refused"
      readonly attempts: ReadonlyArray<Attempt>
    }
    | undefined
  return (failed: ReadonlyArray<Attempt> | EndsLookup): SecretNotFound => {
    const tried = failed instanceof EndsLookup ? failed.attempts : failed
    let miss = last
    if (miss === undefined || !sameAttempts(miss.tried, tried)) {
      const attempts = lookupAttempts(uniquePlaces(tried), hint)
      miss = { tried, reason: refusedAny(tried) ? "Refused" : "NotFound", attempts }
      // A compiled lookup is cached at a fixed cost: attempts holding long text (a declared variable's long path)
      // are not kept beyond their miss.
      last = shortEnoughToKeep(attempts) ? miss : undefined
    }
    const error = missOf(miss.reason, miss.attempts)
    return failed instanceof EndsLookup ? endedLookup(error) : error
  }
}

/** What the attempts a compiled lookup keeps may hold: the text of a handful of names and paths of usual length. */
const maxKeptText = 4096

const shortEnoughToKeep = (attempts: ReadonlyArray<Attempt>): boolean => {
  let text = 0
  for (const attempt of attempts) text += attempt.location.length + attempt.reason.length
  return text <= maxKeptText
}

/** Whether two lists hold the same attempts, the same objects in the same order. */
const sameAttempts = (one: ReadonlyArray<Attempt>, other: ReadonlyArray<Attempt>): boolean => {
  if (one.length !== other.length) return false
  for (let index = 0; index < one.length; index++) if (one[index] !== other[index]) return false
  return true
}

const refusedAny = (attempts: ReadonlyArray<Attempt>): boolean => {
  for (const attempt of attempts) if (attempt.outcome === "refused") return true
  return false
}

/**
 * Attempts with each place once, in a new array, each frozen whatever place made it: two spellings of a name can share
 * a place (`MY_API_KEYS_TOKEN`). A lookup tries a handful of places, so a scan of those kept is cheaper than a set of
 * keys.
 */
const uniquePlaces = (attempts: ReadonlyArray<Attempt>): Array<Attempt> => {
  const unique: Array<Attempt> = []
  for (const attempt of attempts) {
    if (!triedBefore(unique, attempt)) unique.push(Object.freeze(attempt))
  }
  return unique
}

/** Whether one of the first `end` attempts kept (all of them by default) names the attempt's place. */
const triedBefore = (kept: ReadonlyArray<Attempt>, attempt: Attempt, end = kept.length): boolean => {
  for (let index = 0; index < end; index++) {
    const earlier = kept[index]!
    if (earlier.source === attempt.source && earlier.location === attempt.location) return true
  }
  return false
}

/** How many places the attempts name, each once: what a miss lists, and what telemetry counts. */
const placesTried = (attempts: ReadonlyArray<Attempt>): number => {
  let count = 0
  for (let index = 0; index < attempts.length; index++) {
    if (!triedBefore(attempts, attempts[index]!, index)) count++
  }
  return count
}

/**
 * Compiles the lookup of `operation` for the spellings of one secret: each source's places for every spelling,
 * before the next source's. A spelling that cannot be looked up fails the lookup before anything is read.
 */
const compile = (operation: Operation, spellings: ReadonlyArray<unknown>, context: LookupContext): ReadNow => {
  const targets: Array<Target> = []
  for (const spelling of spellings) {
    const target = readRequest(spelling)
    if (typeof target === "string") {
      const failure = Now.fail(invalidRequest(spelling, target))
      return () => failure
    }
    targets.push(target)
  }
  const { mode, result } = operations[operation]
  // Every spelling of one request has its origin, which decides the sources.
  const places = sourcesFor(targets[0]!).flatMap((source) =>
    targets.flatMap((target) => source(target, mode(target), context))
  )
  const onFailure = notFound(targets[0]!.name, targets[0]!, context)
  return (record) => {
    if (record === undefined) return Now.mapFailure(firstFound(places, 0, undefined, result), onFailure)
    const noted: Result = (found, tried) => (noteFound(record, found, placesTried(tried)), result(found, tried))
    return Now.mapFailure(firstFound(places, 0, undefined, noted), (attempts) => {
      const miss = onFailure(attempts)
      noteMissed(record, miss.attempts.length)
      return miss
    })
  }
}

/**
 * The manager over a context. Each request's lookup is compiled once and kept: by identity for a request that cannot
 * change (a `Secret`, a frozen object), else by its fields, in a cache bounded in entries and bytes so requests built
 * from untrusted input cannot grow it (a dropped entry is compiled again when next asked for).
 */
export const makeManager = (context: LookupContext): SecretsManagerShape => {
  const compiled = new BoundedCache<string, ReadNow>({ maxEntries: 4096, maxBytes: 8 * 1024 * 1024 })
  const byIdentity = new WeakMap<object, Partial<Record<Operation, ReadNow>>>()
  // The compiled structures of one lookup, beside its key: names, paths and closures.
  const compiledOverhead = 2048

  const byFields = (operation: Operation, request: unknown): ReadNow => {
    const read = readOnce(operation, request)
    if (read === undefined) return compile(operation, [request], context)
    let lookup = compiled.get(read.key)
    if (lookup === undefined) {
      lookup = compile(operation, [read.fields], context)
      compiled.set(read.key, lookup, read.key.length * 2 + compiledOverhead)
    }
    return lookup
  }

  const prepareOne = (operation: Operation, request: SecretRequest): ReadNow => {
    if (!isImmutable(request)) return byFields(operation, request)
    let kept = byIdentity.get(request)
    if (kept === undefined) byIdentity.set(request, kept = {})
    return kept[operation] ??= byFields(operation, request)
  }

  return managerFromCore({
    prepare: (operation, spellings) =>
      spellings.length === 1 ? prepareOne(operation, spellings[0]!) : compile(operation, spellings, context),
    changes: (request) => requestChanges(request, context)
  })
}

const isImmutable = (request: unknown): request is object =>
  typeof request === "object" && request !== null && Object.isFrozen(request)
