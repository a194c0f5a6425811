/**
 * A service's secrets as the README wires them: a cached manager over the live layer, refreshed by `watch` when the
 * kubelet rotates a Secret volume, with every value read masked in the logs.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Stream from "effect/Stream"
import * as path from "node:path"
import { Masking, SecretsCache, SecretsManager } from "../src/index.ts"
import { makeKubeletVolume } from "./fixtures/kubeletVolume.ts"
import { useSecretsDir } from "./support.ts"

describe("a service's secrets", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: "exec-1" })

  it.live("a rotation refreshes the cached value at once, and no value reaches a log line", () =>
    Effect.gen(function*() {
      const volume = makeKubeletVolume(path.join(dirs.secrets, "db"), { password: "first-password-1" })
      const lines: Array<string> = []
      const capture = Logger.layer([Masking.logger(Logger.formatSimple).pipe(Logger.map((l) => (lines.push(l), l)))])
      const request = { group: "db", key: "password" }
      yield* Effect.gen(function*() {
        const secrets = yield* SecretsManager
        const cache = yield* SecretsCache
        const watching = yield* Deferred.make<void>()
        const refreshed = yield* Effect.forkScoped(
          secrets.watch(request, { pollInterval: "1 hour" }).pipe(
            Stream.mapEffect((value) => Effect.as(cache.refresh(request), value)),
            Stream.tap(() => Deferred.succeed(watching, undefined)),
            Stream.take(2),
            Stream.runCollect
          )
        )
        assert.strictEqual(yield* secrets.get(request), "first-password-1")
        yield* Effect.log(`connected with ${yield* secrets.get(request)}`)
        // Once the watch has read the first value, rotate as the kubelet does.
        yield* Deferred.await(watching)
        volume.publish({ password: "second-password-2" })
        const seen = yield* Effect.timeout(Fiber.join(refreshed), "5 seconds")
        assert.deepStrictEqual(seen, ["first-password-1", "second-password-2"])
        // Within the cache's 5-minute time to live, the new value is served: the watch refreshed the entry.
        assert.strictEqual(yield* secrets.get(request), "second-password-2")
        yield* Effect.log(`reconnected with ${yield* secrets.get(request)}`)
      }).pipe(
        Effect.scoped,
        Effect.provide(Layer.mergeAll(SecretsCache.layer().pipe(Layer.provide(SecretsManager.layer)), capture))
      )
      assert.lengthOf(lines, 2)
      assert.match(lines[0]!, /connected with <redacted>/)
      assert.match(lines[1]!, /reconnected with <redacted>/)
      assert.notMatch(lines.join("\n"), /password-\d/)
    }))
})
