import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import {
  makeSecrets,
  Secret,
  SecretNotFound,
  type SecretRequest,
  SecretsCache,
  type SecretsCacheOptions,
  SecretsManager,
  type SecretsManagerShape
} from "../src/index.ts"
import { makeCachedManager } from "../src/internal/cache/cachedManager.ts"
import { captureLogs, expectMiss } from "./support.ts"

type Operation = "get" | "getRedacted" | "getPath" | "locate" | "watch"

/**
 * An underlying manager over a record it reads at every call, which counts its calls, remembers the requests it
 * was given, can be taken down (every read fails) and can hold reads at a gate until the test opens it.
 */
const makeFake = (initial: Readonly<Record<string, string>>) => {
  const fake = {
    values: new Map(Object.entries(initial)),
    calls: { get: 0, getRedacted: 0, getPath: 0, locate: 0, watch: 0 } satisfies Record<Operation, number>,
    requests: [] as Array<SecretRequest>,
    down: false,
    gate: undefined as Deferred.Deferred<void> | undefined
  }
  const read = (operation: Operation, request: SecretRequest) =>
    Effect.suspend(() => {
      fake.calls[operation]++
      fake.requests.push(request)
      return Effect.andThen(fake.gate === undefined ? Effect.void : Deferred.await(fake.gate), () => {
        const name = `${request?.group}/${request?.key}`
        const value = fake.values.get(name)
        const reason = fake.down ? "the store did not answer" : value === undefined ? "no such secret" : undefined
        const part = (part: unknown) => typeof part === "string" ? part : undefined
        return reason === undefined ? Effect.succeed(value!) : Effect.fail(
          new SecretNotFound({
            group: part(request?.group),
            key: part(request?.key),
            groupVersion: part(request?.groupVersion),
            reason: "NotFound",
            attempts: [{ source: "remote", location: `store ${name}`, outcome: "missing", reason }]
          })
        )
      })
    })
  const bytesOr = (request: SecretRequest, value: string) =>
    request.encodeMode === "rb" ? new TextEncoder().encode(value) : value
  const manager = {
    get: (request: SecretRequest) => Effect.map(read("get", request), (value) => bytesOr(request, value)),
    getRedacted: (request: SecretRequest) =>
      Effect.map(read("getRedacted", request), (value) => Redacted.make(bytesOr(request, value))),
    getPath: (request: SecretRequest) =>
      Effect.map(read("getPath", request), () => `/secrets/${request.group}/${request.key}`),
    locate: (request: SecretRequest) =>
      Effect.map(read("locate", request), () => ({ source: "file", location: `/secrets/${request.group}` })),
    watch: () => {
      fake.calls.watch++
      return Stream.make("watched")
    }
  } as unknown as SecretsManagerShape
  return { fake, manager }
}

type Fake = ReturnType<typeof makeFake>

const cachedOver = (fake: Fake, options?: SecretsCacheOptions) =>
  SecretsCache.layer(options).pipe(Layer.provide(Layer.succeed(SecretsManager, fake.manager)))

const request = { group: "db", key: "password" }
const value = "hunter2-s3cr3t"

describe("SecretsCache: time to live", () => {
  it.effect("a hit inside its time to live does not touch the underlying manager; after it, it reads again", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get(request), value)
      yield* TestClock.adjust("4 minutes")
      assert.strictEqual(yield* manager.get(request), value)
      assert.strictEqual(fake.fake.calls.get, 1)
      fake.fake.values.set("db/password", "rotated")
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(yield* manager.get(request), value)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* manager.get(request), "rotated")
      assert.strictEqual(fake.fake.calls.get, 2)
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("takes timeToLive as an option", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* manager.get(request)
      yield* TestClock.adjust("9 seconds")
      yield* manager.get(request)
      assert.strictEqual(fake.fake.calls.get, 1)
      yield* TestClock.adjust("1 second")
      yield* manager.get(request)
      assert.strictEqual(fake.fake.calls.get, 2)
    }).pipe(Effect.provide(cachedOver(fake, { timeToLive: "10 seconds" })))
  })

  it.effect("a miss is kept for missTimeToLive (1 second), then looked up again", () => {
    const fake = makeFake({})
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const first = yield* expectMiss(manager.get(request))
      assert.strictEqual(first.attempts[0]?.reason, "no such secret")
      fake.fake.values.set("db/password", value)
      yield* TestClock.adjust("999 millis")
      yield* expectMiss(manager.get(request))
      assert.strictEqual(fake.fake.calls.get, 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* manager.get(request), value)
      assert.strictEqual(fake.fake.calls.get, 2)
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("a zero time to live caches nothing", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* manager.get(request)
      yield* manager.get(request)
      yield* expectMiss(manager.get({ group: "db", key: "absent" }))
      yield* expectMiss(manager.get({ group: "db", key: "absent" }))
      assert.strictEqual(fake.fake.calls.get, 4)
    }).pipe(Effect.provide(cachedOver(fake, { timeToLive: 0, missTimeToLive: 0 })))
  })
})

describe("SecretsCache: single flight", () => {
  it.effect("50 concurrent reads make one underlying read, per operation", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      fake.fake.gate = yield* Deferred.make<void>()
      const reads: ReadonlyArray<Effect.Effect<unknown, SecretNotFound>> = [
        manager.get(request),
        manager.get({ ...request, encodeMode: "rb" }),
        manager.getRedacted(request),
        manager.getPath(request),
        manager.locate(request)
      ]
      const fibers = yield* Effect.forEach(
        reads,
        (read) => Effect.forkChild(Effect.all(Array.from({ length: 50 }, () => read), { concurrency: "unbounded" }))
      )
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow
      yield* Deferred.succeed(fake.fake.gate, undefined)
      const results = yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(fake.fake.calls, { get: 2, getRedacted: 1, getPath: 1, locate: 1, watch: 0 })
      assert.isTrue(results[0]!.every((text) => text === value))
      assert.isTrue(results[1]!.every((bytes) => new TextDecoder().decode(bytes as Uint8Array) === value))
      assert.isTrue(results[2]!.every((secret) => Redacted.value(secret as Redacted.Redacted<string>) === value))
      assert.isTrue(results[3]!.every((path) => path === "/secrets/db/password"))
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("each operation and encoding is its own entry", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      for (let round = 0; round < 2; round++) {
        yield* manager.get(request)
        yield* manager.get({ ...request, encodeMode: "rb" })
        yield* manager.getRedacted(request)
        yield* manager.getRedacted({ ...request, encodeMode: "rb" })
        yield* manager.getPath(request)
        yield* manager.locate(request)
      }
      assert.deepStrictEqual(fake.fake.calls, { get: 2, getRedacted: 2, getPath: 1, locate: 1, watch: 0 })
    }).pipe(Effect.provide(cachedOver(fake)))
  })
})

describe("SecretsCache: stale if error", () => {
  const options = { timeToLive: "5 minutes", missTimeToLive: "1 minute", staleIfError: "12 minutes" } as const

  it.effect("a failed re-read serves the last good value while it is young enough, then fails", () => {
    const fake = makeFake({ "db/password": value })
    const logs = captureLogs()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get(request), value)
      fake.fake.down = true
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual(yield* manager.get(request), value)
      assert.strictEqual(fake.fake.calls.get, 2)
      // The stale value is kept like a miss: the store is tried again a minute later, not on every read.
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(yield* manager.get(request), value)
      assert.strictEqual(fake.fake.calls.get, 2)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* manager.get(request), value)
      assert.strictEqual(fake.fake.calls.get, 3)
      // 12 minutes after the last good read, the failure shows.
      yield* TestClock.adjust(Duration.sum(Duration.minutes(5), Duration.seconds(59)))
      assert.strictEqual(yield* manager.get(request), value)
      yield* TestClock.adjust("1 second")
      const miss = yield* expectMiss(manager.get(request))
      assert.strictEqual(miss.attempts[0]?.reason, "the store did not answer")
    }).pipe(Effect.provide(cachedOver(fake, options)), Effect.provide(logs.layer))
  })

  it.effect("the store back, the fresh value is served again and the stale window starts over", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* manager.get(request)
      fake.fake.down = true
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual(yield* manager.get(request), value)
      fake.fake.down = false
      fake.fake.values.set("db/password", "rotated")
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* manager.get(request), "rotated")
      fake.fake.down = true
      yield* TestClock.adjust("11 minutes")
      assert.strictEqual(yield* manager.get(request), "rotated")
    }).pipe(Effect.provide(cachedOver(fake, options)))
  })

  it.effect("logs a warning that names the secret and why, never the value", () => {
    const fake = makeFake({ "db/password": value })
    const logs = captureLogs()
    const versioned = { ...request, groupVersion: "v2" }
    fake.fake.values.set("db/password", value)
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* manager.get(versioned)
      fake.fake.down = true
      yield* TestClock.adjust("5 minutes")
      yield* manager.get(versioned)
      const warnings = logs.lines.filter((line) => line.level === "Warn")
      assert.strictEqual(warnings.length, 1)
      const message = warnings[0]!.message
      for (const part of ["group \"db\"", "version \"v2\"", "key \"password\"", "the store did not answer", "5m"]) {
        assert.include(message, part)
      }
      assert.notInclude(message, value)
      assert.notInclude(message, "s3cr3t")
    }).pipe(Effect.provide(cachedOver(fake, options)), Effect.provide(logs.layer))
  })

  it.effect("staleIfError 0 turns it off: a failed re-read fails at once", () => {
    const fake = makeFake({ "db/password": value })
    const logs = captureLogs()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* manager.get(request)
      fake.fake.down = true
      yield* TestClock.adjust("5 minutes")
      yield* expectMiss(manager.get(request))
      assert.deepStrictEqual(logs.lines, [])
    }).pipe(Effect.provide(cachedOver(fake, { staleIfError: 0 })), Effect.provide(logs.layer))
  })

  it.effect("the default window is 1 hour", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* manager.get(request)
      fake.fake.down = true
      yield* TestClock.adjust(Duration.sum(Duration.minutes(59), Duration.seconds(59)))
      assert.strictEqual(yield* manager.get(request), value)
      yield* TestClock.adjust("1 second")
      yield* expectMiss(manager.get(request))
    }).pipe(Effect.provide(cachedOver(fake)), Effect.provide(captureLogs().layer))
  })
})

describe("SecretsCache: refresh, invalidate, invalidateAll", () => {
  it.effect("refresh re-reads, when run, every operation of the request cached by then", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const cache = yield* SecretsCache
      const refresh = cache.refresh(request)
      yield* manager.get(request)
      yield* manager.getPath(request)
      fake.fake.values.set("db/password", "rotated")
      assert.strictEqual(yield* manager.get(request), value)
      yield* refresh
      assert.deepStrictEqual([fake.fake.calls.get, fake.fake.calls.getPath, fake.fake.calls.locate], [2, 2, 0])
      assert.strictEqual(yield* manager.get(request), "rotated")
      assert.strictEqual(fake.fake.calls.get, 2)
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("refresh of a request not cached reads it, and the next get is a hit", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const cache = yield* SecretsCache
      yield* cache.refresh(request)
      assert.strictEqual(yield* manager.get(request), value)
      assert.strictEqual(fake.fake.calls.get, 1)
      yield* expectMiss(cache.refresh({ group: "db", key: "absent" }))
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("a failed refresh reports the failure, keeps serving the last good value, and warns once for all its entries", () => {
    const fake = makeFake({ "db/password": value })
    const logs = captureLogs()
    const warnings = () => logs.lines.filter((line) => line.level === "Warn").length
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const cache = yield* SecretsCache
      yield* manager.get(request)
      yield* manager.getRedacted(request)
      yield* manager.getPath(request)
      fake.fake.down = true
      const failure = yield* expectMiss(cache.refresh(request))
      assert.strictEqual(failure.attempts[0]?.reason, "the store did not answer")
      assert.strictEqual(warnings(), 1)
      // Each entry serves its stale value, without a warning of its own until it is read again.
      assert.strictEqual(yield* manager.get(request), value)
      assert.strictEqual(Redacted.value(yield* manager.getRedacted(request)), value)
      assert.strictEqual(fake.fake.calls.get, 2)
      assert.strictEqual(warnings(), 1)
    }).pipe(Effect.provide(cachedOver(fake)), Effect.provide(logs.layer))
  })

  it.effect("with staleIfError 0 a failed refresh drops the good value", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const cache = yield* SecretsCache
      yield* manager.get(request)
      fake.fake.down = true
      yield* expectMiss(cache.refresh(request))
      yield* expectMiss(manager.get(request))
    }).pipe(Effect.provide(cachedOver(fake, { staleIfError: 0 })))
  })

  it.effect("invalidate drops every entry of the request and its last good value", () => {
    const fake = makeFake({ "db/password": value, "db/user": "admin" })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const cache = yield* SecretsCache
      yield* manager.get(request)
      yield* manager.get({ ...request, encodeMode: "rb" })
      yield* manager.get({ group: "db", key: "user" })
      fake.fake.values.set("db/password", "rotated")
      yield* cache.invalidate(request)
      assert.strictEqual(yield* manager.get(request), "rotated")
      assert.strictEqual(new TextDecoder().decode(yield* manager.get({ ...request, encodeMode: "rb" })), "rotated")
      yield* manager.get({ group: "db", key: "user" })
      assert.strictEqual(fake.fake.calls.get, 5)
      // Its last good value went too: with the store down, nothing stale is served.
      yield* cache.invalidate(request)
      fake.fake.down = true
      yield* expectMiss(manager.get(request))
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("a read in flight when its request is invalidated does not bring its value back as the last good one", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const cache = yield* SecretsCache
      fake.fake.gate = yield* Deferred.make<void>()
      const read = yield* Effect.forkChild(manager.get(request))
      yield* Effect.yieldNow
      yield* cache.invalidate(request)
      yield* Deferred.succeed(fake.fake.gate, undefined)
      assert.strictEqual(yield* Fiber.join(read), value)
      fake.fake.gate = undefined
      fake.fake.down = true
      yield* expectMiss(manager.get(request))
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("invalidateAll drops every entry and every last good value", () => {
    const fake = makeFake({ "db/password": value, "db/user": "admin" })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const cache = yield* SecretsCache
      yield* manager.get(request)
      yield* manager.locate({ group: "db", key: "user" })
      yield* cache.invalidateAll
      yield* manager.get(request)
      yield* manager.locate({ group: "db", key: "user" })
      assert.deepStrictEqual([fake.fake.calls.get, fake.fake.calls.locate], [2, 2])
      yield* cache.invalidateAll
      fake.fake.down = true
      yield* expectMiss(manager.get(request))
    }).pipe(Effect.provide(cachedOver(fake)))
  })
})

describe("SecretsCache: keys", () => {
  it.effect("requests that differ in a field that changes the answer are different entries", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const variants: ReadonlyArray<SecretRequest> = [
        request,
        { ...request, groupVersion: "v1" },
        { ...request, envVar: "DB_PASSWORD" },
        { ...request, mountRequirement: "ENV_VAR" },
        { ...request, mountRequirement: "FILE" },
        { ...request, encodeMode: "rb" },
        { group: "db", key: "Password" },
        { group: "db" },
        { key: "password" },
        { group: "password" }
      ]
      for (const variant of variants) yield* Effect.result(manager.get(variant))
      assert.strictEqual(fake.fake.calls.get, variants.length)
      // "" parts are absent, and the defaults spelled out are the defaults: each of these is the first request.
      yield* manager.get({ ...request, groupVersion: "", envVar: "" })
      yield* manager.get({ ...request, mountRequirement: "ANY", encodeMode: "r" })
      yield* manager.get(new Secret(request))
      assert.strictEqual(fake.fake.calls.get, variants.length)
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("reads fields as own properties only, and looks up exactly what it keyed", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const inherited: SecretRequest = Object.assign(Object.create({ envVar: "POLLUTED", key: "other" }), request)
      assert.strictEqual(yield* manager.get(inherited), value)
      assert.strictEqual(yield* manager.get(request), value)
      assert.strictEqual(fake.fake.calls.get, 1)
      const looked = fake.fake.requests[0]!
      assert.deepStrictEqual({ ...looked }, { group: "db", key: "password", mountRequirement: "ANY", encodeMode: "r" })
      assert.isUndefined(looked.envVar)
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("a request changed after its effect was made keeps the read it was made for", () => {
    const fake = makeFake({ "db/password": value, "db/user": "admin" })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const mutable = { group: "db", key: "password" }
      const read = manager.get(mutable)
      mutable.key = "user"
      assert.strictEqual(yield* read, value)
      assert.strictEqual(yield* manager.get(mutable), "admin")
    }).pipe(Effect.provide(cachedOver(fake)))
  })
})

describe("SecretsCache: values handed out", () => {
  it.effect("getRedacted gives a fresh Redacted per call: wiping one leaves the others and the cache", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const first = yield* manager.getRedacted(request)
      const second = yield* manager.getRedacted(request)
      assert.notStrictEqual(first, second)
      Redacted.wipeUnsafe(first)
      assert.strictEqual(Redacted.value(second), value)
      assert.strictEqual(Redacted.value(yield* manager.getRedacted(request)), value)
      assert.strictEqual(String(second), "<redacted>")
      assert.strictEqual(fake.fake.calls.getRedacted, 1)
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("bytes are a copy per call: zeroing them leaves the cache intact", () => {
    const fake = makeFake({ "db/password": value })
    const rb = { ...request, encodeMode: "rb" } as const
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const bytes = yield* manager.get(rb)
      bytes.fill(0)
      assert.strictEqual(new TextDecoder().decode(yield* manager.get(rb)), value)
      const redacted = yield* manager.getRedacted(rb)
      Redacted.value(redacted).fill(0)
      assert.strictEqual(new TextDecoder().decode(Redacted.value(yield* manager.getRedacted(rb))), value)
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("watch is not cached: it is the underlying manager's", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const first = yield* Stream.runCollect(manager.watch(request))
      yield* Stream.runCollect(manager.watch(request))
      assert.deepStrictEqual(first, ["watched"])
      assert.strictEqual(fake.fake.calls.watch, 2)
      assert.strictEqual(fake.fake.calls.get, 0)
    }).pipe(Effect.provide(cachedOver(fake)))
  })

  it.effect("watch refuses a poll interval that is not positive and finite over any manager, without calling it", () => {
    const fake = makeFake({ "db/password": value })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      for (const pollInterval of [0, -1, NaN, Infinity]) {
        const exit = yield* Effect.exit(Stream.runCollect(manager.watch(request, { pollInterval })))
        assert.isTrue(Exit.isFailure(exit) && Cause.isIllegalArgumentError(Cause.squash(exit.cause)))
      }
      assert.strictEqual(fake.fake.calls.watch, 0)
    }).pipe(Effect.provide(cachedOver(fake)))
  })
})

describe("S14 SecretsCache: memory stays bounded", () => {
  const settings = { timeToLive: 300_000, missTimeToLive: 1_000, staleIfError: 3_600_000 }

  it.effect("evicts beyond capacity, the least recently stored first", () => {
    const fake = makeFake({ "g/a": "1", "g/b": "2", "g/c": "3" })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      for (const key of ["a", "b", "c"]) yield* manager.get({ group: "g", key })
      yield* manager.get({ group: "g", key: "c" })
      yield* manager.get({ group: "g", key: "b" })
      assert.strictEqual(fake.fake.calls.get, 3)
      yield* manager.get({ group: "g", key: "a" })
      assert.strictEqual(fake.fake.calls.get, 4)
    }).pipe(Effect.provide(cachedOver(fake, { capacity: 2 })))
  })

  it.effect("bounds the last good values by capacity too", () => {
    const fake = makeFake({ "g/a": "1", "g/b": "2", "g/c": "3" })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      for (const key of ["a", "b", "c"]) yield* manager.get({ group: "g", key })
      fake.fake.down = true
      yield* TestClock.adjust("5 minutes")
      yield* expectMiss(manager.get({ group: "g", key: "a" }))
      assert.strictEqual(yield* manager.get({ group: "g", key: "c" }), "3")
    }).pipe(Effect.provide(cachedOver(fake, { capacity: 2 })), Effect.provide(captureLogs().layer))
  })

  it.effect("many distinct requests keep at most capacity entries and last good values", () =>
    Effect.gen(function*() {
      const values = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`g/k${i}`, `value-${i}`]))
      const fake = makeFake(values)
      const { manager, stored } = yield* makeCachedManager(fake.manager, { ...settings, capacity: 100 })
      for (let i = 0; i < 5_000; i++) {
        yield* manager.get({ group: "g", key: `k${i}` })
        yield* Effect.result(manager.get({ group: "g", key: `missing${i}` }))
      }
      assert.deepStrictEqual(stored(), { entries: 100, lastGood: 100, inFlight: 0 })
    }))

  it.effect(
    "100,000 distinct requests keep at most capacity entries, last good values and nothing in flight",
    () =>
      Effect.gen(function*() {
        const fake = makeFake({})
        const { control, manager, stored } = yield* makeCachedManager(fake.manager, { ...settings, capacity: 1_000 })
        for (let i = 0; i < 100_000; i++) {
          const request = { group: `g${i % 317}`, key: `k${i}`, groupVersion: i % 2 === 0 ? "v" : "" }
          fake.fake.values.set(`${request.group}/${request.key}`, `value-${i}`)
          yield* manager.get(request)
          if (i % 1_000 === 0) yield* control.refresh(request)
          if (i % 1_500 === 0) yield* control.invalidate(request)
        }
        const held = stored()
        assert.isAtMost(held.entries, 1_000)
        assert.isAtMost(held.lastGood, 1_000)
        assert.strictEqual(held.inFlight, 0)
      }),
    60_000
  )

  it.effect("capacity 1: a lookup in flight whose entry is evicted still answers its callers; the next read reads again", () => {
    const fake = makeFake({ "g/a": "1", "g/b": "2" })
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      fake.fake.gate = yield* Deferred.make<void>()
      const a = yield* Effect.forkChild(
        Effect.all([manager.get({ group: "g", key: "a" }), manager.get({ group: "g", key: "a" })], {
          concurrency: "unbounded"
        })
      )
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow
      const b = yield* Effect.forkChild(manager.get({ group: "g", key: "b" }))
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow
      yield* Deferred.succeed(fake.fake.gate, undefined)
      assert.deepStrictEqual(yield* Fiber.join(a), ["1", "1"])
      assert.strictEqual(yield* Fiber.join(b), "2")
      assert.strictEqual(fake.fake.calls.get, 2)
      fake.fake.gate = undefined
      assert.strictEqual(yield* manager.get({ group: "g", key: "b" }), "2")
      assert.strictEqual(yield* manager.get({ group: "g", key: "a" }), "1")
      assert.strictEqual(fake.fake.calls.get, 3)
    }).pipe(Effect.provide(cachedOver(fake, { capacity: 1 })))
  })

  it.effect("requests the manager refuses hold no entry and reach no lookup", () =>
    Effect.gen(function*() {
      const fake = makeFake({ "db/password": value })
      const { manager, stored } = yield* makeCachedManager(fake.manager, { ...settings, capacity: 100 })
      const refused = [
        { group: "g".repeat(254), key: "k" },
        { group: "g", key: "k".repeat(100_000) },
        { group: 42, key: "k" },
        { group: { toString: () => "db" }, key: "password" },
        { group: "g\u0000", key: "k" },
        { group: "g", key: "k", mountRequirement: "bogus" },
        { group: "g", key: "k", mountRequirement: "" },
        { group: "g", key: "k", encodeMode: "binary" },
        "db/password",
        null
      ] as unknown as ReadonlyArray<SecretRequest>
      for (let round = 0; round < 2; round++) {
        for (const bad of refused) yield* expectMiss(manager.get(bad))
      }
      assert.strictEqual(fake.fake.calls.get, 0)
      assert.deepStrictEqual(stored(), { entries: 0, lastGood: 0, inFlight: 0 })
    }))

  it.effect("a request whose key would be too long to hold is read through uncached", () =>
    Effect.gen(function*() {
      const fake = makeFake({ "db/password": value })
      const { manager, stored } = yield* makeCachedManager(fake.manager, { ...settings, capacity: 100 })
      const long = { ...request, envVar: "E".repeat(100_000) }
      for (let round = 0; round < 3; round++) assert.strictEqual(yield* manager.get(long), value)
      assert.strictEqual(fake.fake.calls.get, 3)
      assert.deepStrictEqual(stored(), { entries: 0, lastGood: 0, inFlight: 0 })
    }))
})

describe("SecretsCache.layer", () => {
  it.effect("caches SecretsManager.layer's lookups (here over a test environment)", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const secret = new Secret({ group: "my-group", key: "my_key" })
      assert.strictEqual(yield* manager.get(secret), "s3cr3t")
      assert.deepStrictEqual(yield* manager.locate(secret), {
        source: "env",
        location: "FLYTE_SECRETS_MY_GROUP_MY_KEY",
        tried: [{ source: "env", location: "FLYTE_SECRETS_MY-GROUP_MY_KEY", outcome: "missing", reason: "not set" }]
      })
      const miss = yield* expectMiss(manager.get({ group: "my-group", key: "absent" }))
      assert.include(miss.message, "FLYTE_SECRETS_MY_GROUP_ABSENT")
      const refused = yield* expectMiss(manager.get({ group: "..", key: "k" }))
      assert.include(refused.message, "refused")
    }).pipe(
      Effect.provide(
        SecretsCache.layer().pipe(
          Layer.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_MY_GROUP_MY_KEY: "s3cr3t" } }))
        )
      )
    ))

  it("serves the sync facade", () => {
    const facade = makeSecrets(
      SecretsCache.layer().pipe(Layer.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_K: "from-env" } })))
    )
    assert.strictEqual(facade.g.k, "from-env")
    assert.deepStrictEqual(facade.get({ group: "g", key: "k", encodeMode: "rb" }), new TextEncoder().encode("from-env"))
    assert.throws(() => facade.g.absent, SecretNotFound)
  })

  it("refuses options out of range when the layer is made, saying which", () => {
    const bad: ReadonlyArray<[SecretsCacheOptions, string]> = [
      [{ capacity: -1 }, "capacity"],
      [{ capacity: 1.5 }, "capacity"],
      [{ capacity: Infinity }, "capacity"],
      [{ capacity: NaN }, "capacity"],
      [{ timeToLive: -1 }, "timeToLive"],
      [{ missTimeToLive: "soon" as never }, "missTimeToLive"],
      [{ staleIfError: NaN }, "staleIfError"]
    ]
    for (const [options, name] of bad) {
      assert.throws(() => SecretsCache.layer(options), new RegExp(`SecretsCache.layer: ${name} `))
    }
  })
})
