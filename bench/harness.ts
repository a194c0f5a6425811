/**
 * The benchmark harness: timed loops, medians over rounds, and the results table. Plain `process.hrtime`
 * loops: no benchmark library is needed for ratios measured side by side in one run.
 */
import type { SecretRequest } from "../src/index.ts"

/** Nanoseconds per operation of `iterations` runs of a synchronous function. */
export const timeSync = (iterations: number, run: (i: number) => unknown): number => {
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) run(i)
  return Number(process.hrtime.bigint() - start) / iterations
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Side-by-side measurements: both medians, and the median of the per-round ratios. */
export interface Measured {
  readonly ours: number
  readonly baseline: number
  readonly ratio: number
}

/**
 * Runs `ours` and `baseline` side by side for `rounds` rounds, taking turns at going first, after half as many rounds
 * again that are not counted: a figure runs in a fresh process, whose first runs compile the code and fill the caches
 * (a read through an asynchronous `FileSystem` takes about ten rounds to settle), while what an application feels is
 * its process once warm. The ratio is the median of each round's ratio: a round's two runs are close in time, so a
 * machine that speeds up or slows down between rounds (a shared virtual machine does) moves both alike.
 */
export const sideBySide = async (
  rounds: number,
  ours: () => number | Promise<number>,
  baseline: () => number | Promise<number>
): Promise<Measured> => {
  const oursRuns: Array<number> = []
  const baselineRuns: Array<number> = []
  for (let round = 0; round < Math.ceil(rounds / 2); round++) {
    await ours()
    await baseline()
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs right after the other's garbage or a warm cache.
    if (round % 2 === 0) {
      oursRuns.push(await ours())
      baselineRuns.push(await baseline())
    } else {
      baselineRuns.push(await baseline())
      oursRuns.push(await ours())
    }
  }
  return {
    ours: median(oursRuns),
    baseline: median(baselineRuns),
    ratio: median(oursRuns.map((value, round) => value / baselineRuns[round]!))
  }
}

/** One row of the results: a figure, its two measurements, and whether the ratio meets the target. */
export interface Row {
  readonly figure: string
  readonly unit: string
  readonly ours: number
  readonly baseline: number
  readonly baselineName: string
  readonly target: number
  readonly ratio: number
  readonly met: boolean
}

export const row = (figure: string, unit: string, measured: Measured, baselineName: string, target: number): Row => ({
  figure,
  unit,
  ours: measured.ours,
  baseline: measured.baseline,
  ratio: measured.ratio,
  baselineName,
  target,
  met: measured.ratio <= target
})

const format = (value: number, unit: string) =>
  unit === "ns/op" && value >= 1000
    ? `${(value / 1000).toFixed(2)} us/op`
    : `${value.toFixed(unit === "ns/op" ? 0 : 2)} ${unit}`

/** The results as a Markdown table. */
export const table = (rows: ReadonlyArray<Row>): string =>
  [
    "| figure | ours | baseline | ratio | target | met |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${r.figure} | ${format(r.ours, r.unit)} | ${format(r.baseline, r.unit)} (${r.baselineName}) | ` +
      `${r.ratio.toFixed(2)}x | <= ${r.target}x | ${r.met ? "yes" : "**no**"} |`
    )
  ].join("\n")

/** One figure: what it measures, against what, the target ratio, and how to measure it side by side. */
export interface Figure {
  readonly name: string
  readonly unit: "ns/op" | "ms" | "MiB"
  readonly baseline: string
  readonly target: number
  readonly measure: () => Promise<Measured>
}

/** What `bench/run.ts` hands a group of figures over the built package: the package, its counts, an env request. */
export interface PackageBench {
  readonly lib: typeof import("../src/index.ts")
  readonly rounds: number
  readonly n: (count: number) => number
  /** A request found in an environment variable. */
  readonly envRequest: SecretRequest
}
