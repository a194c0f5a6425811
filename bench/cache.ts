/**
 * The cached manager's figures: a hit against an uncached env hit of the default live manager, both read in a loop
 * inside one Effect, side by side.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type { SecretsManagerShape } from "../src/index.ts"
import { type Figure, type PackageBench, sideBySide } from "./harness.ts"

/** What `bench/run.ts` hands over: the built package, its counts, its uncached manager and its timed loop. */
export interface CacheBenchContext extends PackageBench {
  /** `SecretsManager.layer`'s manager, uncached. */
  readonly manager: SecretsManagerShape
  /** ns/op of `effect` run `iterations` times in a loop inside one Effect. */
  readonly timeEffect: <A, E>(iterations: number, effect: Effect.Effect<A, E, never>) => Promise<number>
}

export const figures = (context: CacheBenchContext): ReadonlyArray<Figure> => {
  const { envRequest, lib, manager, n, rounds, timeEffect } = context
  // Built on first use, over the same live manager layer as the baseline.
  let cached: Promise<SecretsManagerShape> | undefined
  const cachedManager = () =>
    cached ??= ManagedRuntime.make(lib.SecretsCache.layer().pipe(Layer.provide(lib.SecretsManager.layer))).runPromise(
      lib.SecretsManager.use(Effect.succeed)
    )
  const secret = new lib.Secret({ group: envRequest.group, key: envRequest.key })
  return [
    {
      name: "cached `get`, hit",
      unit: "ns/op",
      baseline: "uncached `get`, env hit",
      target: 0.5,
      measure: async () => {
        const read = (await cachedManager()).get(envRequest)
        return sideBySide(
          rounds,
          () => timeEffect(n(100_000), read),
          () => timeEffect(n(100_000), manager.get(envRequest))
        )
      }
    },
    {
      name: "cached `get(secret)` per read, hit",
      unit: "ns/op",
      baseline: "uncached `get(secret)` per read, env hit",
      target: 0.5,
      // A service's usual call: a `Secret` declared once, `get` called on every request.
      measure: async () => {
        const cachedOne = await cachedManager()
        return sideBySide(
          rounds,
          () => timeEffect(n(100_000), Effect.suspend(() => cachedOne.get(secret))),
          () => timeEffect(n(100_000), Effect.suspend(() => manager.get(secret)))
        )
      }
    }
  ]
}
