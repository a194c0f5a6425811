/**
 * `SecretsManager.watch`: on the live layer, directory watches make a rotation (the kubelet's `..data` swap, a file
 * replaced) show within milliseconds, whatever the poll interval; every other layer is polled.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import * as fs from "node:fs"
import * as path from "node:path"
import * as util from "node:util"
import { Environment, SecretNotFound, SecretsCache, SecretsConfig, SecretsManager } from "../src/index.ts"
import { makeKubeletVolume } from "./fixtures/kubeletVolume.ts"
import { nodeSyncFileSystem } from "./fixtures/nodeSyncFileSystem.ts"
import { makeTempDir, setEnv, useSecretsDir, writeFiles } from "./support.ts"

/**
 * Runs `stream` in the background into a queue that also ends with its failure; `next` takes the next value (or
 * fails with the stream's error), failing after 5 seconds.
 */
const collect = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.gen(function*() {
    const values = yield* Queue.unbounded<A, E | Cause.Done>()
    const fiber = yield* Effect.forkScoped(Stream.runIntoQueue(stream, values))
    return { values, fiber, next: Effect.timeout(Queue.take(values), "5 seconds") }
  })

/** The directory watches open in this process. A closed one is released on the event loop's next turn. */
const openWatches = () => process.getActiveResourcesInfo().filter((resource) => resource === "FSEventWrap").length
const released = Effect.sleep("30 millis")

// A poll this slow never fires during a test: only a directory watch can explain a prompt new value.
const slowPoll = { pollInterval: "1 hour" } as const

describe("watch on the live layer: directory watches", () => {
  const dirs = useSecretsDir()
  const live = Effect.provide(SecretsManager.layer)

  it.live("emits the initial value, then each new value of a Kubernetes volume once, in order", () =>
    Effect.gen(function*() {
      const volume = makeKubeletVolume(path.join(dirs.secrets, "db"), { password: "v1", user: "admin" })
      const manager = yield* SecretsManager
      const watch = yield* collect(manager.watch({ group: "db", key: "password" }, slowPoll))
      assert.strictEqual(yield* watch.next, "v1")
      for (const value of ["v2", "v3", "v4", "v5"]) {
        volume.publish({ password: value, user: "admin" })
        assert.strictEqual(yield* watch.next, value)
      }
      yield* Effect.sleep("200 millis")
      assert.strictEqual(yield* Queue.size(watch.values), 0)
    }).pipe(live))

  it.live("swaps closer together than the quiet period give one new value, the last", () =>
    Effect.gen(function*() {
      const volume = makeKubeletVolume(path.join(dirs.secrets, "db"), { password: "v1" })
      const manager = yield* SecretsManager
      const watch = yield* collect(manager.watch({ group: "db", key: "password" }, slowPoll))
      assert.strictEqual(yield* watch.next, "v1")
      volume.publish({ password: "v2" })
      volume.publish({ password: "v3" })
      assert.strictEqual(yield* watch.next, "v3")
      yield* Effect.sleep("200 millis")
      assert.strictEqual(yield* Queue.size(watch.values), 0)
    }).pipe(live))

  it.live("does not emit a value again when a swap brings the same value", () =>
    Effect.gen(function*() {
      const volume = makeKubeletVolume(path.join(dirs.secrets, "db"), { password: "same", user: "admin" })
      const manager = yield* SecretsManager
      const watch = yield* collect(manager.watch({ group: "db", key: "password" }, slowPoll))
      assert.strictEqual(yield* watch.next, "same")
      volume.publish({ password: "same", user: "root" })
      yield* Effect.sleep("200 millis")
      assert.strictEqual(yield* Queue.size(watch.values), 0)
      volume.publish({ password: "new", user: "root" })
      assert.strictEqual(yield* watch.next, "new")
    }).pipe(live))

  it.live("sees a plain file replaced (written aside, renamed over) and rewritten in place", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "vault/token": "t1" })
      const file = path.join(dirs.secrets, "vault", "token")
      const manager = yield* SecretsManager
      const watch = yield* collect(manager.watch({ group: "vault", key: "token" }, slowPoll))
      assert.strictEqual(yield* watch.next, "t1")
      fs.writeFileSync(file + ".tmp", "t2")
      fs.renameSync(file + ".tmp", file)
      assert.strictEqual(yield* watch.next, "t2")
      fs.writeFileSync(file, "t3")
      assert.strictEqual(yield* watch.next, "t3")
    }).pipe(live))

  it.live("gives the exact bytes of each version with encodeMode rb", () =>
    Effect.gen(function*() {
      const volume = makeKubeletVolume(path.join(dirs.secrets, "tls"), { key: "one\n" })
      const manager = yield* SecretsManager
      const watch = yield* collect(manager.watch({ group: "tls", key: "key", encodeMode: "rb" }, slowPoll))
      assert.deepStrictEqual(yield* watch.next, new TextEncoder().encode("one\n"))
      volume.publish({ key: "two\n" })
      assert.deepStrictEqual(yield* watch.next, new TextEncoder().encode("two\n"))
    }).pipe(live))

  it.live("follows the file a declared variable points to in the secrets directory", () =>
    Effect.gen(function*() {
      const volume = makeKubeletVolume(path.join(dirs.secrets, "mounted"), { api_key: "k1" })
      setEnv({ MY_API_KEY_PATH: path.join(dirs.secrets, "mounted", "api_key") })
      const manager = yield* SecretsManager
      const watch = yield* collect(
        manager.watch({ group: "elsewhere", key: "api_key", envVar: "MY_API_KEY_PATH" }, slowPoll)
      )
      assert.strictEqual(yield* watch.next, "k1")
      volume.publish({ api_key: "k2" })
      assert.strictEqual(yield* watch.next, "k2")
    }).pipe(live))

  it.live("sees a file in a directory created after the watch started, then watches that directory", () =>
    Effect.gen(function*() {
      // `g/v/k` is tried before `g/k` (where flytepropeller writes Kubernetes secrets), and `g/v` is missing.
      writeFiles(dirs.secrets, { "g/k": "versionless" })
      const manager = yield* SecretsManager
      const watch = yield* collect(manager.watch({ group: "g", groupVersion: "v", key: "k" }, slowPoll))
      assert.strictEqual(yield* watch.next, "versionless")
      writeFiles(dirs.secrets, { "g/v/k": "versioned" })
      assert.strictEqual(yield* watch.next, "versioned")
      fs.writeFileSync(path.join(dirs.secrets, "g", "v", "k"), "versioned again")
      assert.strictEqual(yield* watch.next, "versioned again")
    }).pipe(live))

  it.live("opens one watch per distinct directory, and closes every watch when the stream is interrupted", () =>
    Effect.gen(function*() {
      makeKubeletVolume(path.join(dirs.secrets, "g"), { k: "v1" })
      yield* released
      const before = openWatches()
      const manager = yield* SecretsManager
      // Four paths are tried (g/v/k, g/k, g/v, G/K spelled alike): all are seen from g.
      const watch = yield* collect(manager.watch({ group: "g", groupVersion: "v", key: "k" }, slowPoll))
      assert.strictEqual(yield* watch.next, "v1")
      assert.strictEqual(openWatches(), before + 1)
      yield* Fiber.interrupt(watch.fiber)
      yield* released
      assert.strictEqual(openWatches(), before)
    }).pipe(live))

  it.live("fails with SecretNotFound when the secret is missing, and leaves no watch open", () =>
    Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "db"))
      yield* released
      const before = openWatches()
      const manager = yield* SecretsManager
      const error = yield* Effect.flip(Stream.runCollect(manager.watch({ group: "db", key: "absent" }, slowPoll)))
      assert.instanceOf(error, SecretNotFound)
      assert.strictEqual(error.key, "absent")
      yield* released
      assert.strictEqual(openWatches(), before)
    }).pipe(live))

  it.live("fails promptly when the volume is removed, and the error holds no value", () =>
    Effect.gen(function*() {
      const value = "s3cr3t-rotated-value"
      makeKubeletVolume(path.join(dirs.secrets, "db"), { password: value })
      const manager = yield* SecretsManager
      const watch = yield* collect(manager.watch({ group: "db", key: "password" }, slowPoll))
      assert.strictEqual(yield* watch.next, value)
      fs.rmSync(path.join(dirs.secrets, "db"), { recursive: true })
      const error = yield* Effect.flip(watch.next)
      assert.instanceOf(error, SecretNotFound)
      for (const shown of [error.message, String(error), JSON.stringify(error), util.inspect(error, { depth: 9 })]) {
        assert.notInclude(shown, value)
      }
    }).pipe(live))

  it.live("opens no watch when the secrets directory is missing, and still gives the value", () =>
    Effect.gen(function*() {
      setEnv({ FLYTE_SECRETS_DEFAULT_DIR: path.join(dirs.root, "absent"), FLYTE_SECRETS_G_K: "from-env" })
      yield* released
      const before = openWatches()
      // Built after the variables are set: the layer reads its configuration when it is built.
      const manager = yield* live(SecretsManager.use(Effect.succeed))
      const watch = yield* collect(manager.watch({ group: "g", key: "k" }, slowPoll))
      assert.strictEqual(yield* watch.next, "from-env")
      assert.strictEqual(openWatches(), before)
    }))
})

describe("watch without directory watches: the poll", () => {
  /** Lets the background fibers run, in real time, while the test clock stands still. */
  const settle = TestClock.withLive(Effect.sleep("30 millis"))

  it.effect("a FileSystem layer sees a change at the next poll, not before", () =>
    Effect.gen(function*() {
      const temp = yield* Effect.acquireRelease(Effect.sync(makeTempDir), (temp) => Effect.sync(temp.remove))
      writeFiles(temp.dir, { "g/k": "one" })
      const manager = yield* SecretsManager.use(Effect.succeed).pipe(
        Effect.provide(SecretsManager.layerNoDeps.pipe(
          Layer.provide(SecretsConfig.layerWith({ defaultDir: temp.dir })),
          Layer.provide(Environment.layerTest({})),
          Layer.provide(Layer.succeed(FileSystem.FileSystem, nodeSyncFileSystem))
        ))
      )
      const watch = yield* collect(manager.watch({ group: "g", key: "k" }, { pollInterval: "1 minute" }))
      assert.strictEqual(yield* Queue.take(watch.values), "one")
      fs.writeFileSync(path.join(temp.dir, "g", "k"), "two")
      yield* settle
      yield* TestClock.adjust("59 seconds")
      yield* settle
      assert.strictEqual(yield* Queue.size(watch.values), 0)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Queue.take(watch.values), "two")
    }))

  it.effect("the test layer emits a value that never changes once, whatever the ticks", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const watch = yield* collect(manager.watch({ group: "g", key: "k" }, { pollInterval: "1 second" }))
      assert.strictEqual(yield* Queue.take(watch.values), "fixed")
      for (let tick = 0; tick < 5; tick++) {
        yield* settle
        yield* TestClock.adjust("1 second")
      }
      yield* settle
      assert.strictEqual(yield* Queue.size(watch.values), 0)
    }).pipe(Effect.provide(SecretsManager.layerTest({ files: { "/etc/secrets/g/k": "fixed" } }))))
})

describe("S12 watch refuses a poll interval that is not positive and finite", () => {
  const env = { FLYTE_SECRETS_G_K: "value" }
  useSecretsDir(env)
  const layers = {
    "SecretsManager.layer": SecretsManager.layer,
    "SecretsManager.layerNoDeps": SecretsManager.layerNoDeps.pipe(
      Layer.provide(SecretsConfig.layerWith({})),
      Layer.provide(Environment.layerTest(env)),
      Layer.provide(Layer.succeed(FileSystem.FileSystem, nodeSyncFileSystem))
    ),
    "SecretsManager.layerTest": SecretsManager.layerTest({ env }),
    "SecretsCache.layer": SecretsCache.layer().pipe(Layer.provide(SecretsManager.layerTest({ env })))
  }
  // Every way a `Duration` input can say zero, less, not a number or never: each would poll in a busy loop or never.
  const refused: ReadonlyArray<unknown> = [
    0,
    -0,
    -1,
    NaN,
    Infinity,
    -Infinity,
    5e-324,
    "0 millis",
    "-5 seconds",
    "Infinity",
    "-Infinity",
    "soon",
    0n,
    -1n,
    [0, 0],
    [-1, 0],
    [NaN, 1],
    {},
    { seconds: -1 },
    { seconds: NaN },
    Duration.zero,
    Duration.infinity,
    Duration.millis(-1),
    null
  ]

  for (const [name, layer] of Object.entries(layers)) {
    it.effect(`${name}: the stream dies at once with an IllegalArgumentError saying what to give`, () =>
      Effect.gen(function*() {
        const manager = yield* SecretsManager
        for (const pollInterval of refused) {
          const exit = yield* Effect.exit(
            Stream.runHead(manager.watch({ group: "g", key: "k" }, { pollInterval } as never))
          )
          assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), `${String(pollInterval)} is refused`)
          const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)
          assert.isTrue(Cause.isIllegalArgumentError(defect))
          assert.include(String(defect), "pollInterval must be a positive, finite duration, such as \"1 second\"")
        }
        // A positive, finite interval, however short or spelled, is taken.
        for (const pollInterval of [1, "1 second", 1n, [0, 1], { milliseconds: 5 }, Duration.seconds(1)]) {
          const first = yield* Stream.runHead(manager.watch({ group: "g", key: "k" }, { pollInterval } as never))
          assert.deepStrictEqual(first._tag, "Some")
        }
      }).pipe(Effect.provide(layer)))
  }

  it("says what was given, briefly", () => {
    const messageFor = (pollInterval: unknown) =>
      Effect.runSync(
        Effect.flip(Effect.sandbox(Stream.runDrain(
          Effect.runSync(SecretsManager.use(Effect.succeed).pipe(Effect.provide(SecretsManager.layerTest({ env }))))
            .watch({ group: "g", key: "k" }, { pollInterval } as never)
        )))
      )
    assert.include(String(messageFor(-1)), "not -1")
    assert.include(String(messageFor("x".repeat(10_000))), "...")
    assert.isBelow(String(messageFor("x".repeat(10_000))).length, 400)
  })
})
