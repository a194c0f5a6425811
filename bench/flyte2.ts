/**
 * Flyte 2 reads against Flyte 1 reads on the same live manager: an env hit and file hits, each read in a loop inside
 * one Effect, side by side. A Flyte 2 lookup tries other places, not more work per place: it should cost the same.
 */
import type * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { SecretRequest, SecretsManagerShape } from "../src/index.ts"
import { type Figure, sideBySide } from "./harness.ts"

/** What `bench/run.ts` hands over: counts, the live manager over `dir`, Flyte 1's requests, the timed loop. */
export interface Flyte2BenchContext {
  readonly rounds: number
  readonly n: (count: number) => number
  readonly manager: SecretsManagerShape
  /** The secrets directory, `FLYTE_SECRETS_DEFAULT_DIR` of the live manager: Flyte 2's `D` too. */
  readonly dir: string
  readonly value: string
  readonly envRequest: SecretRequest
  readonly fileRequest: SecretRequest
  readonly timeEffect: <A, E>(iterations: number, effect: Effect.Effect<A, E, never>) => Promise<number>
}

export const figures = (context: Flyte2BenchContext): ReadonlyArray<Figure> => {
  const { dir, envRequest, fileRequest, manager, n, rounds, timeEffect, value } = context
  // As the webhook lays them out: Global/K8s's `_UNION_G_K`, Embedded's `D/K`, K8s/AWS's `D/g/k` (after `D/K`).
  process.env["_UNION_FLYTE2_TOKEN"] = value
  fs.writeFileSync(path.join(dir, "Flyte2-Token"), value)
  fs.mkdirSync(path.join(dir, "flyte2"))
  fs.writeFileSync(path.join(dir, "flyte2", "token"), value)
  const envHit = { group: "flyte2", key: "token", mountRequirement: "ENV_VAR", origin: "flyte2" } as const
  const embeddedFile = { key: "Flyte2-Token", mountRequirement: "FILE", origin: "flyte2" } as const
  const groupedFile = { group: "flyte2", key: "token", mountRequirement: "FILE", origin: "flyte2" } as const
  const against = (ours: SecretRequest, baseline: SecretRequest, count: number) => () =>
    sideBySide(rounds, () => timeEffect(n(count), manager.get(ours)), () => timeEffect(n(count), manager.get(baseline)))
  return [
    {
      name: "Flyte 2 `get`, env hit",
      unit: "ns/op",
      baseline: "Flyte 1 `get`, env hit",
      target: 1.2,
      measure: against(envHit, envRequest, 100_000)
    },
    {
      name: "Flyte 2 `get`, file hit at D/K",
      unit: "ns/op",
      baseline: "Flyte 1 `get`, file hit",
      target: 1.2,
      measure: against(embeddedFile, fileRequest, 20_000)
    },
    {
      name: "Flyte 2 `get`, file hit at D/g/k (after D/K)",
      unit: "ns/op",
      baseline: "Flyte 1 `get`, file hit",
      target: 1.5,
      measure: against(groupedFile, fileRequest, 20_000)
    }
  ]
}
