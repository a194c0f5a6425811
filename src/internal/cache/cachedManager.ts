/**
 * The cached manager: one Effect `Cache` entry per request and operation (single flight, a time to live per
 * entry, misses kept for a short while), and beside it the last good value of each entry, which a failed re-read
 * serves while it is young enough. A hit is answered from the completed entry without entering `Cache.get`.
 */
import * as Cache from "effect/Cache"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as MutableHashMap from "effect/MutableHashMap"
import * as Redacted from "effect/Redacted"
import { Secret } from "../../Secret.ts"
import type { SecretsCacheShape } from "../../SecretsCache.ts"
import type { SecretNotFound } from "../../SecretsError.ts"
import type { SecretLocation, SecretRequest, SecretsManagerShape } from "../../SecretsManager.ts"
import { quoteName } from "../lookup/naming.ts"
import { registerSecretValue } from "../masking/registry.ts"
import { describeCached } from "../telemetry/describe.ts"
import { noteCacheResult, observeLookup, startsLookupRecord } from "../telemetry/lookupSpan.ts"
import { cacheKey, encodeModes, fromCacheKey, keyedRequest, type Operation } from "./requestKey.ts"

/** The layer's options, checked, in milliseconds. */
export interface CacheSettings {
  readonly timeToLive: number
  readonly missTimeToLive: number
  readonly staleIfError: number
  readonly capacity: number
}

/** What an entry holds: the value as read, how long to keep it, and, when it is a stale value, why. */
interface Held {
  readonly value: unknown
  /** The value as a completed effect, handed out as it is where callers may share one value. */
  readonly success: Exit.Exit<unknown>
  readonly timeToLive: number
  readonly staleBecause: SecretNotFound | undefined
}

const held = (value: unknown, timeToLive: number, staleBecause?: SecretNotFound): Held => ({
  value,
  success: Exit.succeed(value),
  timeToLive,
  staleBecause
})

/** The value a caller gets from an entry: shared when it cannot be changed, a copy or a fresh wrapper otherwise. */
type HandOut<A> = (entry: Held) => Effect.Effect<A>

const shared = <A>(entry: Held) => entry.success as Exit.Exit<A>
// A hit hands out a secret without the underlying manager: it is registered for masking again here, so a value a
// service keeps reading stays among the most recently registered.
const sharedSecret = <A>(entry: Held) => (registerSecretValue(entry.value as string), shared<A>(entry))
// A caller may zero its bytes after use, or wipe its `Redacted`: neither may reach the cached value.
const bytesCopy = (
  entry: Held
) => (registerSecretValue(entry.value as Uint8Array), Effect.succeed((entry.value as Uint8Array).slice()))
const redacted = <A>(
  entry: Held
) => (registerSecretValue(entry.value as string), Effect.succeed(Redacted.make(entry.value as A)))
const redactedBytesCopy = (
  entry: Held
) => (registerSecretValue(entry.value as Uint8Array),
  Effect.succeed(Redacted.make((entry.value as Uint8Array).slice())))

/** The last good value of each entry, and when it was read; bounded like the cache, the least recent dropped first. */
const makeLastGood = (capacity: number) => {
  const values = new Map<string, { readonly value: unknown; readonly readAt: number }>()
  return {
    get: (key: string) => values.get(key),
    has: (key: string) => values.has(key),
    set: (key: string, value: unknown, readAt: number) => {
      values.delete(key)
      if (capacity === 0) return
      values.set(key, { value, readAt })
      if (values.size > capacity) values.delete(values.keys().next().value!)
    },
    delete: (key: string) => values.delete(key),
    clear: () => values.clear(),
    size: () => values.size
  }
}

/** The secret an entry is for, as the warning names it: group, version and key, never a value. */
const describeSecret = (request: SecretRequest): string =>
  [
    request.group === undefined ? undefined : `group ${quoteName(request.group)}`,
    request.groupVersion === undefined ? undefined : `version ${quoteName(request.groupVersion)}`,
    request.key === undefined ? undefined : `key ${quoteName(request.key)}`
  ].filter((part) => part !== undefined).join(" ")

const whyNotFound = (error: SecretNotFound): string =>
  error.attempts.length === 0
    ? error.message
    : error.attempts.map((attempt) => `${attempt.source} ${attempt.location}: ${attempt.reason}`).join("; ")

const format = (millis: number) => Duration.format(Duration.millis(millis))

/** The cached manager over `underlying`, and the controls of its cache. */
export const makeCachedManager = (
  underlying: SecretsManagerShape,
  settings: CacheSettings
): Effect.Effect<{
  readonly manager: SecretsManagerShape
  readonly control: SecretsCacheShape
  /** How many entries and last good values are held: what bounds the memory. */
  readonly stored: () => { readonly entries: number; readonly lastGood: number }
}> =>
  Effect.gen(function*() {
    const lastGood = makeLastGood(settings.staleIfError > 0 ? settings.capacity : 0)
    // Bumped by every invalidation: a read that started before one does not bring back a value it dropped.
    let generation = 0

    const readUnderlying = (operation: Operation, request: SecretRequest): Effect.Effect<unknown, SecretNotFound> => {
      switch (operation) {
        case "get":
          return underlying.get(request)
        case "getRedacted":
          return Effect.map(underlying.getRedacted(request), Redacted.value)
        case "getPath":
          return underlying.getPath(request)
        case "locate":
          return underlying.locate(request)
      }
    }

    const serveStale = (key: string, request: SecretRequest, error: SecretNotFound, now: number) => {
      const good = lastGood.get(key)
      const age = good === undefined ? Infinity : now - good.readAt
      if (good === undefined || age >= settings.staleIfError) return Effect.fail(error)
      const left = settings.staleIfError - age
      return Effect.as(
        Effect.logWarning(
          `Serving the last good value of the secret ${describeSecret(request)}, read ${format(age)} ago ` +
            `(served for ${format(left)} more at most): reading it again failed: ${whyNotFound(error)}`
        ),
        // Try the source again as soon as a miss would be, and never past the end of the stale window.
        held(good.value, Math.min(settings.missTimeToLive, left), error)
      )
    }

    const lookup = (key: string): Effect.Effect<Held, SecretNotFound> => {
      const { operation, request } = fromCacheKey(key)
      const startedIn = generation
      return Effect.matchEffect(readUnderlying(operation, request), {
        onSuccess: (value) =>
          Clock.currentTimeMillis.pipe(Effect.map((now) => {
            if (startedIn === generation) lastGood.set(key, value, now)
            return held(value, settings.timeToLive)
          })),
        onFailure: (error) => Effect.flatMap(Clock.currentTimeMillis, (now) => serveStale(key, request, error, now))
      })
    }

    const cache = yield* Cache.makeWith(lookup, {
      capacity: settings.capacity,
      timeToLive: (exit) => Exit.isSuccess(exit) ? exit.value.timeToLive : settings.missTimeToLive
    })

    /**
     * The entry's value when it is complete and unexpired on the fiber's own clock (so `TestClock` drives expiry),
     * else `Cache.get`, which joins a lookup in flight or starts one. A hit answered here leaves the entry where it
     * is in the eviction order (moving it would cost about as much as the rest of the hit), so a full cache drops
     * the entry read from the source longest ago: for a hot entry, one more read.
     */
    const readThrough = <A>(key: string, handOut: HandOut<A>): Effect.Effect<A, SecretNotFound> =>
      Effect.withFiber((fiber) => {
        if (startsLookupRecord(fiber)) {
          return observeLookup(describeCached(fromCacheKey(key)), readThrough(key, handOut))
        }
        const entry = MutableHashMap.get(cache.map, key)
        if (entry._tag === "Some") {
          const exit = entry.value.fiber.pollUnsafe()
          if (
            exit !== undefined &&
            (entry.value.expiresAt === undefined ||
              fiber.getRef(Clock.Clock).currentTimeMillisUnsafe() < entry.value.expiresAt)
          ) {
            noteCacheResult(fiber, "hit", Exit.isSuccess(exit) ? exit.value : undefined)
            return Exit.isSuccess(exit) ? handOut(exit.value) : exit as Exit.Exit<never, SecretNotFound>
          }
        }
        noteCacheResult(fiber, "miss")
        return Effect.flatMap(Cache.get(cache, key), (entry) => (noteCacheResult(fiber, "miss", entry), handOut(entry)))
      })

    // Requests that cannot change (a `Secret`, a frozen object) keep their read per operation: no key to build.
    const byIdentity = new WeakMap<object, Partial<Record<Operation, Effect.Effect<unknown, SecretNotFound>>>>()

    /** The cached read of one operation, or the manager's own when the request cannot be keyed. */
    const cached = <A>(
      operation: Operation,
      request: SecretRequest,
      handOut: (encodeMode: string) => HandOut<A>,
      uncached: () => Effect.Effect<A, SecretNotFound>
    ): Effect.Effect<A, SecretNotFound> => {
      const build = () => {
        const keyed = keyedRequest(request)
        return keyed === undefined
          ? uncached()
          : readThrough(cacheKey(operation, keyed.encodeMode, keyed.fields), handOut(keyed.encodeMode))
      }
      if (typeof request !== "object" || request === null || !(request instanceof Secret || Object.isFrozen(request))) {
        return build()
      }
      let reads = byIdentity.get(request)
      if (reads === undefined) byIdentity.set(request, reads = {})
      return (reads[operation] ??= build()) as Effect.Effect<A, SecretNotFound>
    }

    const manager: SecretsManagerShape = {
      get: ((request: SecretRequest) =>
        cached(
          "get",
          request,
          (encodeMode) => encodeMode === "rb" ? bytesCopy : sharedSecret,
          () => underlying.get(request)
        )) as SecretsManagerShape["get"],
      getRedacted: ((request: SecretRequest) =>
        cached(
          "getRedacted",
          request,
          (encodeMode) => encodeMode === "rb" ? redactedBytesCopy : redacted,
          () => underlying.getRedacted(request)
        )) as SecretsManagerShape["getRedacted"],
      getPath: (request) => cached("getPath", request, () => shared<string>, () => underlying.getPath(request)),
      locate: (request) => cached("locate", request, () => shared<SecretLocation>, () => underlying.locate(request)),
      watch: underlying.watch
    }

    const operations: ReadonlyArray<Operation> = ["get", "getRedacted", "getPath", "locate"]
    /** Every key a request can have: each operation, read with each encoding. */
    const keysOf = (fields: string) =>
      operations.flatMap((operation) => encodeModes.map((encodeMode) => cacheKey(operation, encodeMode, fields)))

    const refreshKey = (key: string): Effect.Effect<void, SecretNotFound> =>
      Effect.flatMap(
        Cache.refresh(cache, key),
        (entry) => entry.staleBecause === undefined ? Effect.void : Effect.fail(entry.staleBecause)
      )

    const control: SecretsCacheShape = {
      refresh: (request) => {
        const keyed = keyedRequest(request)
        if (keyed === undefined) return Effect.asVoid(underlying.get(request))
        return Effect.suspend(() => {
          const present = keysOf(keyed.fields).filter((key) => MutableHashMap.has(cache.map, key) || lastGood.has(key))
          const keys = present.length > 0 ? present : [cacheKey("get", keyed.encodeMode, keyed.fields)]
          // Every entry is re-read even when one fails; the first failure is the one reported.
          return Effect.forEach(keys, (key) => Effect.exit(refreshKey(key)), { concurrency: "unbounded" }).pipe(
            Effect.flatMap((exits) => exits.find(Exit.isFailure) ?? Effect.void)
          )
        })
      },
      invalidate: (request) => {
        const keyed = keyedRequest(request)
        if (keyed === undefined) return Effect.void
        const keys = keysOf(keyed.fields)
        return Effect.suspend(() => {
          generation++
          for (const key of keys) lastGood.delete(key)
          return Effect.forEach(keys, (key) => Cache.invalidate(cache, key), { discard: true })
        })
      },
      invalidateAll: Effect.suspend(() => {
        generation++
        lastGood.clear()
        return Cache.invalidateAll(cache)
      })
    }
    const stored = () => ({ entries: MutableHashMap.size(cache.map), lastGood: lastGood.size() })
    return { manager, control, stored }
  })
