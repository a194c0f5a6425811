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
import { SecretNotFound, type SecretRequest, type SecretsManagerShape } from "../src/index.ts"
import { makeCachedManager } from "../src/internal/cache/cachedManager.ts"

const request = { group: "db", key: "password" }
const settings = { timeToLive: 300_000, missTimeToLive: 1_000, staleIfError: 3_600_000, capacity: 1_000 }

/** A read in flight: the value it took when it started (or the failure), waiting for `release`. */
interface PendingRead {
  readonly key: string | undefined
  readonly took: string | undefined
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
      const took = store.get(request.key ?? "")
      const release = yield* Deferred.make<void>()
      pending.push({ key: request.key, took, release })
      yield* Deferred.await(release)
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
  /** Releases the oldest read still waiting. */
  const releaseOldest = Effect.gen(function*() {
    const next = pending.shift()
    if (next !== undefined) yield* Deferred.succeed(next.release, undefined)
    yield* settle
  })
  const releaseAll = Effect.gen(function*() {
    yield* settle
    while (pending.length > 0) yield* releaseOldest
  })
  return { store, pending, manager, settle, releaseOldest, releaseAll }
}

type BlockingStore = ReturnType<typeof makeBlockingStore>

/** Runs `body` over a fresh store, releasing every read still waiting when it ends, pass or fail. */
const withStore = <A, E, R>(body: (double: BlockingStore) => Effect.Effect<A, E, R>) => {
  const double = makeBlockingStore()
  return Effect.ensuring(body(double), double.releaseAll)
}

describe("SecretsCache: an invalidation is never undone", () => {
  it.effect("a refresh in flight when invalidate returns does not write its old value back", () =>
    withStore((double) =>
      Effect.gen(function*() {
        const { control, manager } = yield* makeCachedManager(double.manager, settings)
        double.store.set("password", "old")
        const first = yield* Effect.forkChild(manager.get(request))
        yield* double.releaseAll
        assert.strictEqual(yield* Fiber.join(first), "old")
        const refresh = yield* Effect.forkChild(control.refresh(request))
        yield* double.settle
        assert.strictEqual(double.pending.length, 1)
        double.store.set("password", "new")
        yield* control.invalidate(request)
        yield* double.releaseAll
        yield* Fiber.join(refresh)
        const after = yield* Effect.forkChild(manager.get(request))
        yield* double.releaseAll
        assert.strictEqual(yield* Fiber.join(after), "new")
      })
    ))

  it.effect("a refresh in flight when invalidateAll returns does not write its old value back", () =>
    withStore((double) =>
      Effect.gen(function*() {
        const { control, manager } = yield* makeCachedManager(double.manager, settings)
        double.store.set("password", "old")
        const first = yield* Effect.forkChild(manager.get(request))
        yield* double.releaseAll
        yield* Fiber.join(first)
        const refresh = yield* Effect.forkChild(control.refresh(request))
        yield* double.settle
        double.store.set("password", "new")
        yield* control.invalidateAll
        yield* double.releaseAll
        yield* Fiber.join(refresh)
        const after = yield* Effect.forkChild(manager.get(request))
        yield* double.releaseAll
        assert.strictEqual(yield* Fiber.join(after), "new")
      })
    ))

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
        const stale = yield* Effect.forkChild(manager.get(request))
        yield* double.releaseAll
        assert.strictEqual(yield* Fiber.join(stale), "new")
      })
    ).pipe(Effect.provide(Logger.layer([]))))

  it.effect("a value invalidated is not served stale when the next read fails", () =>
    withStore((double) =>
      Effect.gen(function*() {
        const { control, manager } = yield* makeCachedManager(double.manager, settings)
        double.store.set("password", "old")
        const first = yield* Effect.forkChild(manager.get(request))
        yield* double.releaseAll
        yield* Fiber.join(first)
        const failing = yield* Effect.forkChild(control.refresh(request))
        yield* double.settle
        double.store.delete("password")
        yield* control.invalidate(request)
        // The refresh fails after the invalidation: it must not fall back to the value invalidated.
        double.pending[0] = { ...double.pending[0]!, took: undefined }
        yield* double.releaseAll
        yield* Effect.exit(Fiber.join(failing))
        const after = yield* Effect.forkChild(Effect.exit(manager.get(request)))
        yield* double.releaseAll
        assert.isTrue(Exit.isFailure(yield* Fiber.join(after)))
      })
    ).pipe(Effect.provide(Logger.layer([]))))
})
