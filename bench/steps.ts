/**
 * The raw guarded sequence, the baseline of every file-read figure: the system calls the read rules require (open
 * read-only and non-blocking, `fstat`, the real path of the open descriptor, read, close), made directly with no
 * library, synchronously and with `fs.promises`. And what each step costs on this machine, then what the library
 * adds above the five calls, layer by layer (its file reader, decoding, the lookup chain, the facade).
 */
import * as fs from "node:fs"
import { median, timeSync } from "./harness.ts"

export interface Step {
  readonly step: string
  readonly ns: number
}

const readFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

const text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString().trim()

/** The five calls, synchronously, and the text trimmed: what reading one secret file under every guard must cost. */
export const rawGuardedRead = (file: string): string => {
  const fd = fs.openSync(file, readFlags)
  try {
    const size = fs.fstatSync(fd).size
    fs.readlinkSync(`/proc/self/fd/${fd}`)
    const bytes = new Uint8Array(size)
    fs.readSync(fd, bytes, 0, size, null)
    return text(bytes)
  } finally {
    fs.closeSync(fd)
  }
}

/** The checks without the read (open, `fstat`, the descriptor's path, close): what locating a secret file costs. */
export const rawGuardedCheck = (file: string): void => {
  const fd = fs.openSync(file, readFlags)
  try {
    fs.fstatSync(fd)
    fs.readlinkSync(`/proc/self/fd/${fd}`)
  } finally {
    fs.closeSync(fd)
  }
}

/** The five calls through `fs.promises` (each a thread-pool round trip), and the text trimmed. */
export const rawGuardedReadAsync = async (file: string): Promise<string> => {
  const handle = await fs.promises.open(file, readFlags)
  try {
    const { size } = await handle.stat()
    await fs.promises.readlink(`/proc/self/fd/${handle.fd}`)
    const bytes = new Uint8Array(size)
    await handle.read(bytes, 0, size, null)
    return text(bytes)
  } finally {
    await handle.close()
  }
}

/** What the library does per read, each layer timed on its own, in the order they wrap each other. */
export interface LibraryLayers {
  /** The library's file reader alone (contained, content read), as the live layer runs it. */
  readonly fileReader: () => unknown
  /** Strict UTF-8 decoding, universal newlines and Python's strip of the file's bytes. */
  readonly decode: () => unknown
  /** A `get` file hit started in place: the prefixed variable tried first, the reader, decoding, masking. */
  readonly lookup: () => unknown
  /** `secrets.g.k`: the facade's proxy traps and its cache of lookups around the same lookup. */
  readonly facade: () => unknown
}

/** The median ns of each step over `rounds` rounds of `iterations` calls, reading `file`. */
export const measureSteps = (
  file: string,
  layers: LibraryLayers,
  rounds: number,
  iterations: number
): ReadonlyArray<Step> => {
  const fd = fs.openSync(file, readFlags)
  const size = fs.fstatSync(fd).size
  const buffer = new Uint8Array(size)
  const steps: ReadonlyArray<readonly [string, () => unknown]> = [
    ["open (non-blocking) + close", () => fs.closeSync(fs.openSync(file, readFlags))],
    ["fstat", () => fs.fstatSync(fd)],
    ["descriptor path (readlink /proc/self/fd/N)", () => fs.readlinkSync(`/proc/self/fd/${fd}`)],
    ["read (at position 0)", () => fs.readSync(fd, buffer, 0, size, 0)],
    ["the raw guarded sequence (all five, text trimmed)", () => rawGuardedRead(file)],
    ["readFileSync(path, \"utf8\") (one native call, no check)", () => fs.readFileSync(file, "utf8")],
    ["library: the file reader (the five calls and its checks)", layers.fileReader],
    ["library: strict UTF-8 decode + universal newlines + Python strip", layers.decode],
    ["library: `get` file hit started in place (whole lookup)", layers.lookup],
    ["library: facade `secrets.g.k` file hit", layers.facade]
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
