/**
 * An invalidation is never undone: once `invalidate` or `invalidateAll` returns, no value read before it is served,
 * whatever reads and refreshes were in flight. Driven by a manager double whose every read takes the store's value
 * when it starts and then waits for the test to release it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { SecretNotFound, type SecretRequest, type SecretsCacheShape, type SecretsManagerShape } from "../src/index.ts"
import type { CacheSettings } from "../src/internal/cache/cachedManager.ts"
import { makeCachedManager } from "../src/internal/cache/cachedManager.ts"

const request = { group: "db", key: "password" }
const settings = { timeToLive: 300_000, missTimeToLive: 1_000, staleIfError: 3_600_000, capacity: 1_000 }

/** A read in flight: the value it took when it started (or the failure), waiting for `release`. */
interface PendingRead {
  readonly key: string | undefined
  /** What the read answers when released; the test may turn it into a failure meanwhile. */
  took: string | undefined
  readonly release: Deferred.Deferred<void>
}

/**
 * An underlying manager over a store of values by key: each read takes the current value when it starts, then
 * waits until the test releases it. `undefined` in the store is a failed read.
 */
const makeBlockingStore = () => {
  const store = new Map<string, string | undefined>()
  const pending: Array<PendingRead> = []
  const read = (request: SecretRequest) =>
    Effect.gen(function*() {
      const waiting: PendingRead = {
        key: request.key,
        took: store.get(request.key ?? ""),
        release: yield* Deferred.make<void>()
      }
      pending.push(waiting)
      yield* Deferred.await(waiting.release)
      const took = waiting.took
      if (took === undefined) {
        return yield* Effect.fail(
          new SecretNotFound({
            group: request.group,
            key: request.key,
            reason: "NotFound",
            attempts: [{ source: "store", location: "store", outcome: "missing", reason: "down" }]
          })
        )
      }
      return took
    })
  const manager = {
    get: read,
    getRedacted: read,
    getPath: read,
    locate: read,
    watch: () => {
      throw new Error("not used")
    }
  } as unknown as SecretsManagerShape
  /** Lets forked fibers reach their reads. */
  const settle = Effect.gen(function*() {
    for (let i = 0; i < 20; i++) yield* Effect.yieldNow
  })
  /** Releases the read waiting at `index` (the oldest by default). */
  const release = (index = 0) =>
    Effect.gen(function*() {
      const [next] = pending.splice(index, 1)
      if (next !== undefined) yield* Deferred.succeed(next.release, undefined)
      yield* settle
    })
  const releaseOldest = release()
  const releaseAll = Effect.gen(function*() {
    yield* settle
    while (pending.length > 0) yield* releaseOldest
  })
  /** Runs `effect` to its end, answering every read it makes. */
  const answered = <A, E>(effect: Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(effect)
      yield* releaseAll
      return yield* Fiber.join(fiber)
    })
  return { store, pending, manager, settle, release, releaseAll, answered }
}

type BlockingStore = ReturnType<typeof makeBlockingStore>

/** Runs `body` over a fresh store, releasing every read still waiting when it ends, pass or fail. */
const withStore = <A, E, R>(body: (double: BlockingStore) => Effect.Effect<A, E, R>) => {
  const double = makeBlockingStore()
  return Effect.ensuring(body(double), double.releaseAll)
}

describe("S12 SecretsCache: an invalidation is never undone", () => {
  const invalidations = {
    invalidate: (control: SecretsCacheShape) => control.invalidate(request),
    invalidateAll: (control: SecretsCacheShape) => control.invalidateAll
  }
  for (const [name, invalidation] of Object.entries(invalidations)) {
    it.effect(`a refresh in flight when ${name} returns does not write its old value back`, () =>
      withStore((double) =>
        Effect.gen(function*() {
          const { control, manager } = yield* makeCachedManager(double.manager, settings)
          double.store.set("password", "old")
          assert.strictEqual(yield* double.answered(manager.get(request)), "old")
          const refresh = yield* Effect.forkChild(control.refresh(request))
          yield* double.settle
          assert.strictEqual(double.pending.length, 1)
          double.store.set("password", "new")
          yield* invalidation(control)
          yield* double.releaseAll
          yield* Fiber.join(refresh)
          assert.strictEqual(yield* double.answered(manager.get(request)), "new")
        })
      ))
  }

  it.effect("a miss in flight when invalidate returns is neither joined afterwards nor kept as the last good value", () =>
    withStore((double) =>
      Effect.gen(function*() {
        const { control, manager } = yield* makeCachedManager(double.manager, settings)
        double.store.set("password", "old")
        const before = yield* Effect.forkChild(manager.get(request))
        yield* double.settle
        double.store.set("password", "new")
        yield* control.invalidate(request)
        const after = yield* Effect.forkChild(manager.get(request))
        yield* double.settle
        // The read after the invalidation is a read of its own, not the one in flight.
        assert.strictEqual(double.pending.length, 2)
        yield* double.releaseAll
        assert.strictEqual(yield* Fiber.join(before), "old")
        assert.strictEqual(yield* Fiber.join(after), "new")
        // Down now: the last good value served is the one read after the invalidation.
        double.store.delete("password")
        yield* TestClock.adjust("5 minutes")
        assert.strictEqual(yield* double.answered(manager.get(request)), "new")
      })
    ).pipe(Effect.provide(Logger.layer([]))))

  it.effect("a value invalidated is not served stale when the next read fails", () =>
    withStore((double) =>
      Effect.gen(function*() {
        const { control, manager } = yield* makeCachedManager(double.manager, settings)
        double.store.set("password", "old")
        yield* double.answered(manager.get(request))
        const failing = yield* Effect.forkChild(control.refresh(request))
        yield* double.settle
        double.store.delete("password")
        yield* control.invalidate(request)
        // The refresh fails after the invalidation: it must not fall back to the value invalidated.
        double.pending[0]!.took = undefined
        yield* double.releaseAll
        yield* Effect.exit(Fiber.join(failing))
        assert.isTrue(Exit.isFailure(yield* double.answered(Effect.exit(manager.get(request)))))
      })
    ).pipe(Effect.provide(Logger.layer([]))))
})

describe("SecretsCache: reads given up", () => {
  it.effect("a read whose every caller was interrupted is interrupted too, and leaves no entry nor flight", () =>
    withStore((double) =>
      Effect.gen(function*() {
        const { manager, stored } = yield* makeCachedManager(double.manager, settings)
        double.store.set("password", "1")
        const callers = yield* Effect.forEach([1, 2], () => Effect.forkChild(manager.get(request)))
        yield* double.settle
        assert.strictEqual(double.pending.length, 1)
        yield* Effect.forEach(callers, Fiber.interrupt)
        yield* double.settle
        assert.deepStrictEqual(stored(), { entries: 0, lastGood: 0, inFlight: 0 })
        double.pending.length = 0
        double.store.set("password", "2")
        assert.strictEqual(yield* double.answered(manager.get(request)), "2")
      })
    ))
})

describe("SecretsCache: a newer value is never replaced by an older one", () => {
  it.effect("a refresh that started first and ends last does not replace the value of the later one", () =>
    withStore((double) =>
      Effect.gen(function*() {
        const { control, manager } = yield* makeCachedManager(double.manager, settings)
        double.store.set("password", "1")
        assert.strictEqual(yield* double.answered(manager.get(request)), "1")
        const older = yield* Effect.forkChild(control.refresh(request))
        yield* double.settle
        double.store.set("password", "2")
        const newer = yield* Effect.forkChild(control.refresh(request))
        yield* double.settle
        yield* double.release(1)
        yield* Fiber.join(newer)
        yield* double.release(0)
        yield* Fiber.join(older)
        assert.strictEqual(yield* manager.get(request), "2")
      })
    ))

  it.effect("a miss that started first and ends last does not replace the value a refresh read after it", () =>
    withStore((double) =>
      Effect.gen(function*() {
        const { control, manager } = yield* makeCachedManager(double.manager, settings)
        double.store.set("password", "1")
        const older = yield* Effect.forkChild(manager.get(request))
        yield* double.settle
        double.store.set("password", "2")
        const newer = yield* Effect.forkChild(control.refresh(request))
        yield* double.settle
        yield* double.release(1)
        yield* Fiber.join(newer)
        yield* double.release(0)
        assert.strictEqual(yield* Fiber.join(older), "1")
        assert.strictEqual(yield* manager.get(request), "2")
      })
    ))
})

/** One step of a schedule: start a read or a refresh, invalidate, let a read in flight answer, or take the store down. */
type Step =
  | { readonly kind: "get" | "refresh" | "invalidate"; readonly key: "a" | "b" }
  | { readonly kind: "invalidateAll" | "down" | "up" }
  | { readonly kind: "release"; readonly index: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom("get", "refresh", "invalidate"), key: fc.constant("a") }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("get", "refresh", "invalidate"), key: fc.constant("b") }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("invalidateAll", "down", "up") }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("release"), index: fc.nat(8) }) }
) as fc.Arbitrary<Step>

/**
 * Runs a schedule against a cache over a blocking store whose values are numbered in the order written: every
 * invalidation first writes a new value, so a read started before it took a smaller number than any read after it.
 * Every `get` started after an invalidation of its key must answer a number at least that of the invalidation.
 */
const runSchedule = (steps: ReadonlyArray<Step>, settings: CacheSettings) =>
  withStore((double) =>
    Effect.gen(function*() {
      const { control, manager } = yield* makeCachedManager(double.manager, settings)
      let written = 0
      let down = false
      const write = (key: "a" | "b") => double.store.set(key, down ? undefined : `${++written}`)
      const floor = { a: 0, b: 0 }
      const gets: Array<{ readonly floor: number; readonly fiber: Fiber.Fiber<Exit.Exit<string, SecretNotFound>> }> = []
      write("a")
      write("b")
      for (const next of steps) {
        switch (next.kind) {
          case "get":
            gets.push({
              floor: floor[next.key],
              fiber: yield* Effect.forkChild(Effect.exit(manager.get({ key: next.key })))
            })
            break
          case "refresh":
            yield* Effect.forkChild(Effect.exit(control.refresh({ key: next.key })))
            break
          case "invalidate":
            write(next.key)
            floor[next.key] = written
            yield* control.invalidate({ key: next.key })
            break
          case "invalidateAll":
            write("a")
            floor.a = written
            write("b")
            floor.b = written
            yield* control.invalidateAll
            break
          case "down":
          case "up":
            down = next.kind === "down"
            write("a")
            write("b")
            break
          case "release":
            yield* double.release(double.pending.length === 0 ? 0 : next.index % double.pending.length)
        }
        yield* double.settle
      }
      yield* double.releaseAll
      for (const get of gets) {
        const exit = yield* Fiber.join(get.fiber)
        if (Exit.isSuccess(exit)) assert.isAtLeast(Number(exit.value), get.floor, `a get after an invalidation`)
      }
    })
  ).pipe(Effect.provide(Logger.layer([])))

describe("SecretsCache: random schedules of reads, refreshes and invalidations", () => {
  for (const capacity of [1, 2, 1_000]) {
    it(`no get after an invalidation answers a value read before it (capacity ${capacity})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { maxLength: 24 }),
          (steps) => Effect.runPromise(runSchedule(steps, { ...settings, capacity }))
        ),
        { numRuns: 500 }
      )
    })
  }
})
