/**
 * What `SecretsTelemetry.layer` costs when it is on: a traced `get` (a span on Effect's own tracer, the lookup
 * metrics) beside the same `get` untraced, for an env hit and a file hit, each read in a loop inside one Effect.
 * Off, nothing is recorded: the other figures of `npm run bench` are the untraced cost.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type { SecretRequest } from "../src/index.ts"
import { type Figure, type PackageBench, sideBySide } from "./harness.ts"

/** What `bench/run.ts` hands over: the built package, its counts and its requests. */
export interface TelemetryBenchContext extends PackageBench {
  /** A request found in the secrets directory. */
  readonly fileRequest: SecretRequest
}

export const figures = (context: TelemetryBenchContext): ReadonlyArray<Figure> => {
  const { envRequest, fileRequest, lib, n, rounds } = context
  const untraced = ManagedRuntime.make(lib.SecretsManager.layer)
  const traced = ManagedRuntime.make(Layer.merge(lib.SecretsManager.layer, lib.SecretsTelemetry.layer))
  /** ns/op of `get(request)` run `iterations` times in a loop inside one Effect of `runtime`. */
  const timeGet = (runtime: typeof untraced, iterations: number, request: SecretRequest) =>
    runtime.runPromise(lib.SecretsManager.use((manager) =>
      Effect.gen(function*() {
        const start = process.hrtime.bigint()
        for (let i = 0; i < iterations; i++) yield* manager.get(request)
        return Number(process.hrtime.bigint() - start) / iterations
      })
    ))
  const pair = (name: string, request: SecretRequest, iterations: number): Figure => ({
    name: `traced \`get\`, ${name} hit`,
    unit: "ns/op",
    baseline: `untraced \`get\`, ${name} hit`,
    // Informative: a span and three metric updates per lookup, against a lookup of a few microseconds.
    target: 5,
    measure: () =>
      sideBySide(
        rounds,
        () => timeGet(traced, n(iterations), request),
        () => timeGet(untraced, n(iterations), request)
      )
  })
  return [pair("env", envRequest, 50_000), pair("file", fileRequest, 10_000)]
}
