/**
 * The floors under the file-read figures: for each, the least any implementation can cost while keeping the safety
 * rules and flytekit's order, written by hand with Node's `fs` and nothing else, side by side in one process with
 * the raw guarded sequence and the library's own layers. A ratio here is to the raw sequence of its group (1.00x),
 * so the distance between the floor and the library is the library's own cost, and the distance between the raw
 * sequence and the floor is what the rules require.
 *
 * Synchronous candidates are timed by the process's CPU time (user + system): it moves far less than wall-clock time
 * on a shared machine. Asynchronous ones (thread-pool round trips, whose wait is not CPU time) by wall-clock time, as
 * loops inside one Effect, as their figure runs them.
 * Within a round every candidate runs once, in turns, and the ratio is the median of the per-round ratios.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as FileSystem from "effect/FileSystem"
import * as Scope from "effect/Scope"
import * as fs from "node:fs"
import { median } from "./harness.ts"
import { rawGuardedCheck, rawGuardedRead, rawGuardedReadAsync } from "./steps.ts"

/** One candidate's ratio to the first candidate of its group. */
export interface Floor {
  readonly group: string
  readonly what: string
  readonly ratio: number
}

type Candidates = ReadonlyArray<readonly [string, () => unknown]>
type AsyncCandidates = ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]>

const readFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

const cpuNs = (): number => {
  const used = process.cpuUsage()
  return (used.user + used.system) * 1000
}

const cpuPerCall = (iterations: number, run: () => unknown): number => {
  const start = cpuNs()
  for (let i = 0; i < iterations; i++) run()
  return (cpuNs() - start) / iterations
}

/** Each candidate's median per-round ratio to the first; the candidates take turns at going first. */
export const ratios = async (
  group: string,
  rounds: number,
  names: ReadonlyArray<string>,
  time: (index: number) => number | Promise<number>
): Promise<ReadonlyArray<Floor>> => {
  const perRound: Array<Array<number>> = names.map(() => [])
  for (let round = 0; round < rounds; round++) {
    const times: Array<number> = []
    for (let turn = 0; turn < names.length; turn++) {
      const index = (turn + round) % names.length
      times[index] = await time(index)
    }
    names.forEach((_, index) => perRound[index]!.push(times[index]! / times[0]!))
  }
  return names.map((what, index) => ({ group, what, ratio: median(perRound[index]!) }))
}

const sideBySideCpu = (group: string, rounds: number, iterations: number, candidates: Candidates) =>
  ratios(group, rounds, candidates.map(([what]) => what), (index) => cpuPerCall(iterations, candidates[index]![1]))

const sideBySideEffect = (
  group: string,
  rounds: number,
  iterations: number,
  timeEffect: FloorInputs["timeEffect"],
  candidates: AsyncCandidates
) => ratios(group, rounds, candidates.map(([what]) => what), (index) => timeEffect(iterations, candidates[index]![1]))

/** What the floors need from the library and the fixtures. */
export interface FloorInputs {
  readonly dir: string
  readonly file: string
  /** The variable flytekit's order tries before the file (the prefixed one), unset here. */
  readonly variable: string
  /** The files of the many-secrets preflight, and the variables tried before each. */
  readonly manyFiles: ReadonlyArray<string>
  readonly manyVariables: ReadonlyArray<string>
  readonly maxBytes: number
  /** A secret no place holds: its variable (the prefixed one; the run is a platform run) and its file. */
  readonly missVariable: string
  readonly missingFile: string
  /**
   * A new `SecretNotFound` of a full miss's fields, made by `Data.Error`'s constructor, as the schema's constructor
   * makes it once it has checked them: what every miss must build (a new error, equal to the schema's).
   */
  readonly newMiss: () => unknown
  /** The library's own decoding of a file's bytes and its masking registration, as a lookup runs them. */
  readonly decode: (bytes: Uint8Array) => string | undefined
  readonly register: (value: string) => void
  readonly library: {
    readonly fileReader: () => unknown
    readonly lookup: () => unknown
    readonly facade: () => unknown
    /** One preflight of the many secrets, run synchronously. */
    readonly preflight: () => unknown
    /** A `get` file hit through `layerNoDeps` over platform-node's `NodeFileSystem`. */
    readonly fileSystemGet: Effect.Effect<unknown, unknown>
    /** The library's file reader alone over the same `FileSystem`: the one read algorithm, as an effect. */
    readonly fileSystemReader: Effect.Effect<unknown, unknown>
    /** A `get` env hit and a `get` full miss through the live layer, each inside `Effect.ignore`, as the figure runs them. */
    readonly envHit: Effect.Effect<unknown, unknown>
    readonly fullMiss: Effect.Effect<unknown, unknown>
  }
  /** platform-node's `FileSystem`, the one `layerNoDeps` reads through in its figure. */
  readonly fileSystem: FileSystem.FileSystem
  /** Wall-clock ns per run of `effect` run `iterations` times in a loop inside one Effect, as the figures run it. */
  readonly timeEffect: (iterations: number, effect: Effect.Effect<unknown, unknown>) => Promise<number>
}

/**
 * A lookup written by hand with nothing but what the rules and flytekit's order require: the prefixed variable tried
 * first, open, `fstat` judged, the descriptor's real path under the secrets directory (its own real path here), read,
 * close, then decoding and the masking registration. Any deviation throws: the floor covers the path a file hit
 * takes, not the rest of the algorithm.
 */
const handWrittenLookup = (inputs: FloorInputs) => {
  const inside = inputs.dir + "/"
  const env = process.env
  return (): string => {
    if (env[inputs.variable] !== undefined) throw new Error("not the file-hit path")
    const fd = fs.openSync(inputs.file, readFlags)
    let bytes: Uint8Array
    try {
      const status = fs.fstatSync(fd)
      if (!status.isFile() || status.nlink !== 1 || status.size > inputs.maxBytes) throw new Error("refused")
      if (!fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(inside)) throw new Error("outside")
      bytes = new Uint8Array(status.size)
      fs.readSync(fd, bytes, 0, status.size, null)
    } finally {
      fs.closeSync(fd)
    }
    const text = inputs.decode(bytes)
    if (text === undefined) throw new Error("not text")
    inputs.register(text)
    return text
  }
}

/**
 * The library's one read algorithm, with the rest of a lookup written by hand around it: the prefixed variable tried
 * first, then decoding and the masking registration. What a lookup costs when every file access keeps one algorithm.
 */
const readerLookup = (inputs: FloorInputs) => {
  const env = process.env
  return (): string => {
    if (env[inputs.variable] !== undefined) throw new Error("not the file-hit path")
    const { bytes } = inputs.library.fileReader() as { readonly bytes?: unknown }
    if (!(bytes instanceof Uint8Array)) throw new Error("not read")
    const text = inputs.decode(bytes)
    if (text === undefined) throw new Error("not text")
    inputs.register(text)
    return text
  }
}

/** A sync file read: the raw sequence, the least a lookup can run, and the library's layers. */
const readFloors = (inputs: FloorInputs, rounds: number, iterations: number) =>
  sideBySideCpu("a file hit", rounds, iterations, [
    ["the raw guarded sequence", () => rawGuardedRead(inputs.file)],
    [
      "a hand-written lookup: the variable tried first, the five calls, decoding, registration",
      handWrittenLookup(inputs)
    ],
    ["library: the file reader", inputs.library.fileReader],
    ["the library's file reader, the rest of the lookup written by hand around it", readerLookup(inputs)],
    ["library: a `get` lookup started in place", inputs.library.lookup],
    ["library: the facade's `secrets.g.k`", inputs.library.facade]
  ])

/**
 * A preflight of many file secrets: the raw checks, the same with what flytekit's order adds (each variable looked at
 * right before its file, or all of them in a first pass), the library.
 */
const preflightFloors = (inputs: FloorInputs, rounds: number, iterations: number) => {
  const { manyFiles, manyVariables } = inputs
  const env = process.env
  return sideBySideCpu(`a preflight of ${manyFiles.length} file secrets`, rounds, iterations, [
    ["the raw guarded checks, in a loop", () => {
      for (const file of manyFiles) rawGuardedCheck(file)
    }],
    ["each secret's variable tried first, then the raw checks (what flytekit's order adds)", () => {
      for (let i = 0; i < manyFiles.length; i++) {
        if (env[manyVariables[i]!] !== undefined) throw new Error("not the file-hit path")
        rawGuardedCheck(manyFiles[i]!)
      }
    }],
    [
      "every secret's variable looked at first, then the raw checks (the same order for each secret, in two passes)",
      () => {
        const unset = manyVariables.map((name) => env[name] === undefined)
        for (let i = 0; i < manyFiles.length; i++) if (unset[i]) rawGuardedCheck(manyFiles[i]!)
      }
    ],
    ["library: the task's preflight", inputs.library.preflight]
  ])
}

/**
 * The same read over a `FileSystem`, which cannot open without blocking: the path is `stat`ed before the open (a
 * FIFO is refused before it can block); the descriptor's path is read synchronously, as the library reads
 * platform-node's.
 */
const fileSystemSequence = async (file: string): Promise<string> => {
  await fs.promises.stat(file)
  const handle = await fs.promises.open(file, "r")
  try {
    const { size } = await handle.stat()
    fs.readlinkSync(`/proc/self/fd/${handle.fd}`)
    const bytes = new Uint8Array(size)
    await handle.read(bytes, 0, size, null)
    return Buffer.from(bytes).toString().trim()
  } finally {
    await handle.close()
  }
}

/**
 * The same calls through the `FileSystem` service, as any reader of a given `FileSystem` must make them: each an
 * effect, the file closed by its scope. platform-node's file carries its descriptor. With `openAside`, the open runs
 * in a fiber of its own, as S4 requires of a read over a `FileSystem` (its open cannot be interrupted, and a FIFO
 * swapped in after the `stat` would block it): the read stops waiting when interrupted, and the scope closes a file
 * opened later.
 */
const throughFileSystem = (fileSystem: FileSystem.FileSystem, file: string, openAside: boolean) =>
  Effect.scoped(Effect.gen(function*() {
    yield* fileSystem.stat(file)
    const open = fileSystem.open(file, { flag: "r" })
    const handle = openAside
      ? yield* Fiber.join(
        yield* Effect.forkDetach(Scope.provide(open, yield* Effect.scope), { startImmediately: true })
      )
      : yield* open
    const { size } = yield* handle.stat
    fs.readlinkSync(`/proc/self/fd/${(handle as unknown as { readonly fd: number }).fd}`)
    const bytes = new Uint8Array(Number(size))
    yield* handle.read(bytes)
    return Buffer.from(bytes).toString().trim()
  }))

const fileSystemFloors = (inputs: FloorInputs, rounds: number, iterations: number) =>
  sideBySideEffect("a file hit over a `FileSystem` (asynchronous)", rounds, iterations, inputs.timeEffect, [
    ["the raw guarded sequence with `fs.promises`", Effect.promise(() => rawGuardedReadAsync(inputs.file))],
    [
      "the calls a `FileSystem` read needs: `stat` of the path, open, `fstat`, the descriptor's path, read, close",
      Effect.promise(() => fileSystemSequence(inputs.file))
    ],
    [
      "the same calls through the `FileSystem` service, closed by a scope",
      throughFileSystem(inputs.fileSystem, inputs.file, false)
    ],
    [
      "the same, the open in a fiber of its own (what keeps a FIFO swapped in from holding the read)",
      throughFileSystem(inputs.fileSystem, inputs.file, true)
    ],
    ["library: the file reader over that `FileSystem`", inputs.library.fileSystemReader],
    ["library: `layerNoDeps` over `NodeFileSystem`", inputs.library.fileSystemGet]
  ])

/**
 * A full miss against its figure's baseline, an env hit: what a miss must do (read the variable, check that nothing is
 * at the file's path: one created since must be found, and only "no such entry" lets the lookup end as a miss), then
 * the same failing the effect with an error made beforehand, then with a new error made then, as a miss must be (a
 * `SecretNotFound` equal to the one the schema's constructor makes, without stack frames), then the library. Each runs inside `Effect.ignore` in a loop inside one
 * Effect, as the figure runs them.
 */
const missFloors = (inputs: FloorInputs, rounds: number, iterations: number) => {
  const env = process.env
  const noEntry = { throwIfNoEntry: false } as const
  const mustDo = Effect.sync(() => {
    if (env[inputs.missVariable] !== undefined || fs.lstatSync(inputs.missingFile, noEntry) !== undefined) {
      throw new Error("not a miss")
    }
  })
  const madeBefore = new Error("made before")
  const madeThen = Effect.suspend(() => {
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      return Effect.fail(inputs.newMiss())
    } finally {
      Error.stackTraceLimit = limit
    }
  })
  return sideBySideEffect("a full miss, against an env hit", rounds, iterations, inputs.timeEffect, [
    ["library: a `get` env hit (the figure's baseline)", inputs.library.envHit],
    ["the calls a miss must make: the variable read, the file's path checked (`lstat`)", Effect.ignore(mustDo)],
    [
      "the same, then the effect failed with an error made beforehand (Effect's failure path)",
      Effect.ignore(Effect.andThen(mustDo, Effect.fail(madeBefore)))
    ],
    [
      "the same, the error a new `SecretNotFound` made then by `Data.Error`'s constructor, without stack frames",
      Effect.ignore(Effect.andThen(mustDo, madeThen))
    ],
    ["library: a `get` full miss", inputs.library.fullMiss]
  ])
}

/** Every group of floors (Linux only: the descriptor's path comes from `/proc`). */
export const measureFloors = async (
  inputs: FloorInputs,
  counts: {
    readonly rounds: number
    readonly reads: number
    readonly preflights: number
    readonly asyncReads: number
    readonly misses: number
  }
): Promise<ReadonlyArray<Floor>> => [
  ...(await readFloors(inputs, counts.rounds, counts.reads)),
  ...(await preflightFloors(inputs, counts.rounds, counts.preflights)),
  ...(await fileSystemFloors(inputs, counts.rounds, counts.asyncReads)),
  ...(await missFloors(inputs, counts.rounds, counts.misses))
]
