/**
 * The state the machine ran in. A shared virtual machine runs at two speeds from one hour to the next: JavaScript's
 * cost moves while a system call's stays about the same, so a figure that sets a system call against JavaScript (the
 * full miss against an env hit) moves with the state. A full run times both, before its figures and after them, so
 * each run's ratios can be read against the state it met.
 */
import * as fs from "node:fs"
import { median, timeSync } from "./harness.ts"

export interface MachineState {
  /** ns per read of a variable that is not set: JavaScript and a call into Node, no system call. */
  readonly variableReadNs: number
  /** ns per `lstat` of a missing file: one system call. */
  readonly systemCallNs: number
}

/** Both costs, each the median of `rounds` loops of `iterations`, taking turns. */
export const machineState = (missingFile: string, rounds = 11, iterations = 20_000): MachineState => {
  const variable = "EFFECT_SECRETS_BENCH_NEVER_SET"
  const missing = { throwIfNoEntry: false } as const
  const reads: Array<number> = []
  const calls: Array<number> = []
  for (let round = 0; round < rounds; round++) {
    reads.push(timeSync(iterations, () => process.env[variable]))
    calls.push(timeSync(iterations, () => fs.lstatSync(missingFile, missing)))
  }
  return { variableReadNs: median(reads), systemCallNs: median(calls) }
}

/** The state as a line of the report. */
export const describeState = (when: string, state: MachineState): string =>
  `machine ${when}: a variable read ${state.variableReadNs.toFixed(0)} ns, a system call ${
    (state.systemCallNs / 1000).toFixed(2)
  } us (${(state.systemCallNs / state.variableReadNs).toFixed(1)} reads)`
