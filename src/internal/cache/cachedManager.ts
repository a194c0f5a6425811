/**
 * The cached manager: one Effect `Cache` entry per operation and read request (single flight, a time to live per
 * entry, misses kept for a short while), the last good value of each entry beside it for stale-if-error, and the
 * reads in flight, which an invalidation overtakes so that nothing read before it is served after it returns. Every
 * request is read once, by the manager's own reader, before anything is looked up or cached.
 */
import * as Cache from "effect/Cache"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as MutableHashMap from "effect/MutableHashMap"
import * as Redacted from "effect/Redacted"
import { Secret } from "../../Secret.ts"
import type { SecretsCacheShape } from "../../SecretsCache.ts"
import type { SecretNotFound } from "../../SecretsError.ts"
import type { SecretRequest, SecretsManagerShape } from "../../SecretsManager.ts"
import { invalidRequest } from "../lookup/misses.ts"
import type { Target } from "../lookup/request.ts"
import { describeCached } from "../telemetry/describe.ts"
import { noteCacheResult, observeLookup, refusedLookup, startsLookupRecord } from "../telemetry/lookupSpan.ts"
import { checkedWatch } from "../watch/watchValues.ts"
import { cacheKey, fromCacheKey, keysOf, type Operation, requestOf, targetOf } from "./cacheKey.ts"
import { type Flight, Flights } from "./flights.ts"
import { type Handed, type HandOut, handOutFor } from "./handOut.ts"
import { LastGood, type Stale, staleValue, warnStale } from "./staleIfError.ts"

/** The layer's options, checked, in milliseconds. */
export interface CacheSettings {
  readonly timeToLive: number
  readonly missTimeToLive: number
  readonly staleIfError: number
  readonly capacity: number
}

/** What an entry holds: the value as read, how long to keep it, the read it came from and, when stale, why. */
interface Held extends Handed {
  readonly timeToLive: number
  readonly flight: Flight
  readonly stale: Stale | undefined
}

/** What a read of an entry needs: the manager to read, the settings, the last good values and the reads in flight. */
interface Reader {
  readonly underlying: SecretsManagerShape
  readonly settings: CacheSettings
  readonly lastGood: LastGood
  readonly flights: Flights
}

/** Everything the cached manager's functions share: the reader and the entries. */
interface CacheState extends Reader {
  readonly cache: Cache.Cache<string, Held, SecretNotFound>
}

// A request may name a variable of any length: past this, its entries would make the cache's entry bound no memory
// bound, so it is read through uncached.
const maxKeyLength = 2048

const readUnderlying = (
  underlying: SecretsManagerShape,
  operation: Operation,
  request: SecretRequest
): Effect.Effect<unknown, SecretNotFound> => {
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

/**
 * One read of an entry from the underlying manager, as `flight`: its value, kept as the last good one unless an
 * invalidation overtook the read; or, when the read fails, the last good value while it is young enough, kept like a
 * miss (the source is tried again as soon as a miss would be, and never past the end of the stale window).
 */
const readEntry = (state: Reader, key: string, flight: Flight): Effect.Effect<Held, SecretNotFound> => {
  const { operation, target } = fromCacheKey(key)
  const { lastGood, settings } = state
  return Effect.matchEffect(readUnderlying(state.underlying, operation, requestOf(target)), {
    onSuccess: (value) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (!flight.overtaken) {
          lastGood.set(key, value, now)
          state.flights.supersede(key, flight)
        }
        return { value, success: Exit.succeed(value), timeToLive: settings.timeToLive, flight, stale: undefined }
      }),
    onFailure: (error) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const stale = staleValue(lastGood, key, error, now, settings.staleIfError)
        if (stale === undefined) return Effect.fail(error)
        const timeToLive = Math.min(settings.missTimeToLive, stale.left)
        return Effect.succeed({ value: stale.value, success: Exit.succeed(stale.value), timeToLive, flight, stale })
      })
  })
}

/** The read behind a cache miss: a flight of its own, warning when it serves a stale value. */
const lookupEntry = (state: Reader, key: string): Effect.Effect<Held, SecretNotFound> =>
  state.flights.run(key, (flight) =>
    Effect.tap(
      readEntry(state, key, flight),
      (entry) => entry.stale === undefined ? Effect.void : warnStale(fromCacheKey(key).target, entry.stale)
    ))

/** How long an entry is kept: nothing of a read an invalidation overtook, checked as the entry is stored. */
const entryTimeToLive = (settings: CacheSettings) => (exit: Exit.Exit<Held, SecretNotFound>): number =>
  Exit.isFailure(exit) ? settings.missTimeToLive : exit.value.flight.overtaken ? 0 : exit.value.timeToLive

/**
 * The entry's value when it is complete and unexpired on the fiber's own clock (so `TestClock` drives expiry),
 * else `Cache.get`, which joins a lookup in flight or starts one. A hit answered here leaves the entry where it is in
 * the eviction order (moving it would cost about as much as the rest of the hit), so a full cache drops the entry read
 * from the source longest ago: for a hot entry, one more read.
 */
const readThrough = (state: CacheState, key: string, handOut: HandOut): Effect.Effect<unknown, SecretNotFound> =>
  Effect.withFiber((fiber) => {
    if (startsLookupRecord(fiber)) {
      return observeLookup(describeCached(fromCacheKey(key)), readThrough(state, key, handOut))
    }
    const entry = MutableHashMap.get(state.cache.map, key)
    if (entry._tag === "Some") {
      const exit = entry.value.fiber.pollUnsafe()
      if (
        exit !== undefined &&
        (entry.value.expiresAt === undefined ||
          fiber.getRef(Clock.Clock).currentTimeMillisUnsafe() < entry.value.expiresAt)
      ) {
        noteCacheResult(fiber, "hit", Exit.isSuccess(exit) ? exit.value : undefined)
        return Exit.isSuccess(exit) ? handOut(exit.value) : exit
      }
    }
    noteCacheResult(fiber, "miss")
    return Effect.flatMap(
      Cache.get(state.cache, key),
      (entry) => (noteCacheResult(fiber, "miss", entry), handOut(entry))
    )
  })

/**
 * The cached read of `operation` on `request`: refused as the manager refuses it, read through uncached when its key
 * would be too long, else through its entry.
 */
const cachedRead = (
  state: CacheState,
  operation: Operation,
  request: unknown
): Effect.Effect<unknown, SecretNotFound> => {
  const target = targetOf(request)
  if (typeof target === "string") return refusedLookup(operation, request, invalidRequest(request, target))
  const key = cacheKey(operation, target)
  if (key.length > maxKeyLength) return readUnderlying(state.underlying, operation, requestOf(target))
  return readThrough(state, key, handOutFor(operation, target.encodeMode))
}

/** The cached manager's operations; `watch` is not cached, only its options checked as the manager checks them. */
const makeManager = (state: CacheState): SecretsManagerShape => {
  // Requests that cannot change (a `Secret`, a frozen object) keep their read per operation: no request to read.
  const byIdentity = new WeakMap<object, Partial<Record<Operation, Effect.Effect<unknown, SecretNotFound>>>>()
  const cached = (operation: Operation) => (request: unknown): Effect.Effect<unknown, SecretNotFound> => {
    if (typeof request !== "object" || request === null || !(request instanceof Secret || Object.isFrozen(request))) {
      return cachedRead(state, operation, request)
    }
    let reads = byIdentity.get(request)
    if (reads === undefined) byIdentity.set(request, reads = {})
    return reads[operation] ??= cachedRead(state, operation, request)
  }
  return {
    get: cached("get") as SecretsManagerShape["get"],
    getRedacted: cached("getRedacted") as SecretsManagerShape["getRedacted"],
    getPath: cached("getPath") as SecretsManagerShape["getPath"],
    locate: cached("locate") as SecretsManagerShape["locate"],
    watch: checkedWatch(state.underlying.watch)
  }
}

/**
 * Reads an entry again now and stores what it read, unless an invalidation overtook the read: then it is only
 * answered. A read that fails with no value young enough to serve drops the entry, so the next read tries again.
 */
const refreshEntry = (state: CacheState, key: string): Effect.Effect<Held, SecretNotFound> =>
  state.flights.run(key, (flight) =>
    Effect.onExit(readEntry(state, key, flight), (exit) => {
      if (flight.overtaken) return Effect.void
      return Exit.isSuccess(exit) ? Cache.set(state.cache, key, exit.value) : Cache.invalidate(state.cache, key)
    }))

/**
 * Re-reads every entry held for `target` (each operation and encoding cached; the text `get` when none is), all of
 * them even when one fails. Fails with the first failure, or with why a stale value is now served; warns once.
 */
const refreshTarget = (state: CacheState, target: Target): Effect.Effect<void, SecretNotFound> =>
  // A target whose keys are past the bound is never cached (see `cachedRead`): refreshing it only reads it.
  cacheKey("get", target).length > maxKeyLength
    ? Effect.asVoid(readUnderlying(state.underlying, "get", requestOf(target)))
    : refreshHeld(state, target)

/** `refreshTarget` for a target that can be cached. */
const refreshHeld = (state: CacheState, target: Target): Effect.Effect<void, SecretNotFound> =>
  Effect.suspend(() => {
    const present = keysOf(target).filter((key) => MutableHashMap.has(state.cache.map, key) || state.lastGood.has(key))
    const keys = present.length > 0 ? present : [cacheKey("get", target)]
    return Effect.forEach(keys, (key) => Effect.exit(refreshEntry(state, key)), { concurrency: "unbounded" })
  }).pipe(Effect.flatMap((exits): Effect.Effect<void, SecretNotFound> => {
    const failed = exits.find(Exit.isFailure)
    if (failed !== undefined) return Effect.asVoid(failed)
    const stale = exits.map((exit) => (exit as Exit.Success<Held>).value.stale).find((stale) => stale !== undefined)
    return stale === undefined ? Effect.void : Effect.andThen(warnStale(target, stale), Effect.fail(stale.because))
  }))

/** Drops every entry and last good value of `target`, and overtakes its reads in flight, in one step. */
const invalidateTarget = (state: CacheState, target: Target): Effect.Effect<void> =>
  Effect.sync(() => {
    for (const key of keysOf(target)) {
      state.flights.overtake(key)
      state.lastGood.delete(key)
      MutableHashMap.remove(state.cache.map, key)
    }
  })

/** Drops every entry and last good value, and overtakes every read in flight, in one step. */
const invalidateEverything = (state: CacheState): Effect.Effect<void> =>
  Effect.sync(() => {
    state.flights.overtakeAll()
    state.lastGood.clear()
    MutableHashMap.clear(state.cache.map)
  })

const makeControl = (state: CacheState): SecretsCacheShape => ({
  refresh: (request) => {
    const target = targetOf(request)
    return typeof target === "string" ? Effect.fail(invalidRequest(request, target)) : refreshTarget(state, target)
  },
  invalidate: (request) => {
    const target = targetOf(request)
    return typeof target === "string" ? Effect.void : invalidateTarget(state, target)
  },
  invalidateAll: invalidateEverything(state)
})

/** The cached manager over `underlying`, and the controls of its cache. */
export const makeCachedManager = (
  underlying: SecretsManagerShape,
  settings: CacheSettings
): Effect.Effect<{
  readonly manager: SecretsManagerShape
  readonly control: SecretsCacheShape
  /** How many entries, last good values and keys with reads in flight are held: what bounds the memory. */
  readonly stored: () => { readonly entries: number; readonly lastGood: number; readonly inFlight: number }
}> =>
  Effect.gen(function*() {
    const lastGood = new LastGood(settings.staleIfError > 0 ? settings.capacity : 0)
    const reader: Reader = { underlying, settings, lastGood, flights: new Flights() }
    const cache = yield* Cache.makeWith((key: string) => lookupEntry(reader, key), {
      capacity: settings.capacity,
      timeToLive: entryTimeToLive(settings)
    })
    const state: CacheState = { ...reader, cache }
    const stored = () => ({
      entries: MutableHashMap.size(cache.map),
      lastGood: lastGood.size,
      inFlight: reader.flights.size
    })
    return { manager: makeManager(state), control: makeControl(state), stored }
  })
