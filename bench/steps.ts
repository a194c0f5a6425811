/**
 * What each step of the guarded read costs on this machine, beside the raw call it is compared with: the same Node
 * calls the live layer makes, timed alone (open and close together: a descriptor must be closed).
 */
import * as fs from "node:fs"
import { median, timeSync } from "./harness.ts"

export interface Step {
  readonly step: string
  readonly ns: number
}

const readFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

/** The median ns of each step over `rounds` rounds of `iterations` calls, reading `file`. */
export const measureSteps = (file: string, rounds: number, iterations: number): ReadonlyArray<Step> => {
  const fd = fs.openSync(file, readFlags)
  const size = fs.fstatSync(fd).size
  const buffer = new Uint8Array(size)
  const steps: ReadonlyArray<readonly [string, () => unknown]> = [
    ["open (non-blocking) + close", () => fs.closeSync(fs.openSync(file, readFlags))],
    ["fstat", () => fs.fstatSync(fd)],
    ["descriptor path (readlink /proc/self/fd/N)", () => fs.readlinkSync(`/proc/self/fd/${fd}`)],
    ["read (at position 0)", () => fs.readSync(fd, buffer, 0, size, 0)],
    ["all five, as the guarded read makes them", () => {
      const opened = fs.openSync(file, readFlags)
      const stats = fs.fstatSync(opened)
      fs.readlinkSync(`/proc/self/fd/${opened}`)
      fs.readSync(opened, new Uint8Array(stats.size), 0, stats.size, null)
      fs.closeSync(opened)
    }],
    ["readFileSync(path, \"utf8\") (one native call)", () => fs.readFileSync(file, "utf8")]
  ]
  try {
    return steps.map(([step, call]) => ({
      step,
      ns: median(Array.from({ length: rounds }, () => timeSync(iterations, call)))
    }))
  } finally {
    fs.closeSync(fd)
  }
}
