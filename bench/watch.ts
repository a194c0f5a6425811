/**
 * `watch`'s reaction time: from a Kubernetes `..data` swap (as the kubelet makes it) to the stream emitting the new
 * value, on the live layer (directory watches and the poll) against a `FileSystem` layer (the poll alone), both
 * with the default options. Each swap comes at a random moment within a poll interval, as a rotation does.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import type { Environment, SecretNotFound, SecretsConfig, SecretsManager } from "../src/index.ts"
import { makeKubeletVolume } from "../test/fixtures/kubeletVolume.ts"
import { type Figure, sideBySide } from "./harness.ts"

/** What `bench/run.ts` hands over: the built package and its number of rounds. */
export interface WatchBenchContext {
  readonly lib: typeof import("../src/index.ts")
  readonly rounds: number
}

// The default poll interval: a swap lands anywhere within it.
const pollIntervalMs = 1000

export const figures = ({ lib, rounds }: WatchBenchContext): ReadonlyArray<Figure> => {
  /**
   * A running `watch` of its own volume in `dir`, over `layer`; `reaction` swaps in a new value at a random moment
   * and gives the milliseconds until the stream emitted it.
   */
  const startWatch = async (
    dir: string,
    group: string,
    layer: Layer.Layer<SecretsManager, never, SecretsConfig | Environment>
  ) => {
    const volume = makeKubeletVolume(path.join(dir, group), { token: "0" })
    const manager = await Effect.runPromise(
      lib.SecretsManager.use(Effect.succeed).pipe(Effect.provide(
        layer.pipe(
          Layer.provide(lib.SecretsConfig.layerWith({ defaultDir: dir })),
          Layer.provide(lib.Environment.layerTest({}))
        )
      ))
    )
    const values = await Effect.runPromise(Queue.unbounded<string, SecretNotFound | Cause.Done>())
    const fiber = Effect.runFork(Stream.runIntoQueue(manager.watch({ group, key: "token" }), values))
    const next = () => Effect.runPromise(Queue.take(values))
    await next()
    let version = 0
    return {
      reaction: async () => {
        await sleep(Math.random() * pollIntervalMs)
        const expected = String(++version)
        const start = process.hrtime.bigint()
        volume.publish({ token: expected })
        while (await next() !== expected);
        return Number(process.hrtime.bigint() - start) / 1e6
      },
      stop: () => Effect.runPromise(Fiber.interrupt(fiber))
    }
  }

  return [{
    name: "`watch`: `..data` swap to new value, live layer",
    unit: "ms",
    baseline: "poll alone, `layerNoDeps` over NodeFileSystem",
    // The figure is reported for itself; the target says only that the watch beats the poll it is merged with.
    target: 1,
    measure: async () => {
      const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "effect-secrets-watch-")))
      const watched = await startWatch(dir, "watched", lib.SecretsManager.layerNodeFiles)
      const polled = await startWatch(
        dir,
        "polled",
        lib.SecretsManager.layerNoDeps.pipe(Layer.provide(NodeFileSystem.layer))
      )
      try {
        return await sideBySide(rounds, watched.reaction, polled.reaction)
      } finally {
        await watched.stop()
        await polled.stop()
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
  }]
}
