/**
 * The live layer's file access: Node's synchronous `fs`, called directly. Synchronous because a secret file is
 * small (a synchronous read costs a few microseconds, an asynchronous one over a hundred) and because the sync
 * facade can only run lookups that complete at once. Opening is non-blocking (a FIFO or device never blocks), and on
 * Linux the real path of an open descriptor is read from `/proc/self/fd`, so containment is checked on the file
 * actually opened.
 */
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import { fs } from "../nodeBuiltins.ts"
import * as Now from "../now.ts"
import { pauseStackTraces, resumeStackTraces } from "../stackTrace.ts"
import { directoryChanges } from "../watch/directoryChanges.ts"
import { descriptorPath, namesDescriptors } from "./descriptorPath.ts"
import type { FileAccess, FileStatus } from "./fileAccess.ts"
import { type FileMiss, missOfCode, missOfDescriptorName, missOfHandleCode } from "./fileMiss.ts"

// Read-only; non-blocking, so opening a FIFO returns at once instead of waiting for a writer; never a controlling
// terminal.
const readFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

const missOf = (error: unknown): FileMiss => missOfCode((error as NodeJS.ErrnoException).code)

/** The miss for a failed call on an open descriptor (see `missOfHandleCode`). */
const missOnHandle = (error: unknown): FileMiss => missOfHandleCode((error as NodeJS.ErrnoException).code)

const unnamed = (error: unknown): FileMiss => missOfDescriptorName((error as NodeJS.ErrnoException).code)

/**
 * Runs `call` on `target` now and answers with its value, or its failure as a miss (a top-level `call`: nothing is
 * made per read). Only an open is kept from capturing a stack trace for its error (see `withOpen`): it is the call
 * that fails on a lookup's way (no such file, permission denied); the others fail only when an open descriptor or
 * the secrets directory changes under a read.
 */
const now = <T, A>(
  call: (target: T) => A,
  target: T,
  miss: (error: unknown) => FileMiss = missOf
): Now.Now<A, FileMiss> => {
  try {
    return call(target)
  } catch (error) {
    return Now.fail(miss(error))
  }
}

/** What a Node `Stats` describes, as a `FileSystem.File.Type`. */
export const typeOf = (stats: fs.BigIntStats | fs.Stats): FileSystem.File.Type =>
  stats.isFile()
    ? "File"
    : stats.isDirectory()
    ? "Directory"
    : stats.isFIFO()
    ? "FIFO"
    : stats.isSocket()
    ? "Socket"
    : stats.isCharacterDevice()
    ? "CharacterDevice"
    : stats.isBlockDevice()
    ? "BlockDevice"
    : stats.isSymbolicLink()
    ? "SymbolicLink"
    : "Unknown"

const statusOf = (stats: fs.BigIntStats | fs.Stats): FileStatus => ({
  type: typeOf(stats),
  size: Number(stats.size),
  links: Number(stats.nlink),
  dev: stats.dev,
  ino: stats.ino
})

/**
 * The status from number stats, which are cheaper, when they identify the file exactly (a device or inode number
 * past 2^53 is rounded as a number); otherwise from `exact`, the bigint stats of the same call. A file's identity thus
 * always comes in the same form, so two statuses of one file compare equal and those of two files never do.
 */
const exactStatus = <T>(stats: fs.Stats, exact: (target: T) => fs.BigIntStats, target: T): FileStatus =>
  stats.dev <= Number.MAX_SAFE_INTEGER && stats.ino <= Number.MAX_SAFE_INTEGER
    ? statusOf(stats)
    : statusOf(exact(target))

const exactFstat = (fd: number) => fs.fstatSync(fd, { bigint: true })
const exactStat = (path: string) => fs.statSync(path, { bigint: true })
const exactLstat = (path: string) => fs.lstatSync(path, { bigint: true })
const fstatOf = (fd: number) => exactStatus(fs.fstatSync(fd), exactFstat, fd)
const statOf = (path: string) => exactStatus(fs.statSync(path), exactStat, path)
const lstatOf = (path: string) => exactStatus(fs.lstatSync(path), exactLstat, path)
const realPathOf = (path: string) => fs.realpathSync.native(path)

/** `stat` answers `undefined`, without an exception, only when nothing is at the path (ENOENT, ENOTDIR). */
const missingIsUndefined = { throwIfNoEntry: false } as const

const isThere = (path: string) => fs.statSync(path, missingIsUndefined) !== undefined
const isLink = (path: string) => fs.lstatSync(path, missingIsUndefined)?.isSymbolicLink() === true

// Hints compare against at most this many names of a directory: a huge directory costs no more.
const maxListed = 1000

/**
 * Opens `path` without capturing a stack trace for a failure. A descriptor opened is never lost: when putting the
 * program's `Error.stackTraceLimit` back throws (a setter of its own), the descriptor is closed before that error goes
 * on.
 */
const open = (path: string): number | Now.Failed<FileMiss> => {
  const stackTraceLimit = pauseStackTraces()
  let fd: number
  try {
    fd = fs.openSync(path, readFlags)
  } catch (error) {
    resumeStackTraces(stackTraceLimit)
    return new Now.Failed(missOf(error))
  }
  try {
    resumeStackTraces(stackTraceLimit)
  } catch (error) {
    close(fd)
    throw error
  }
  return fd
}

/**
 * Closes `fd`; a close that fails (EIO, EINTR) answers its miss, which ends the lookup: it says nothing of the file,
 * and is no defect. The descriptor is released all the same (Linux frees it whatever close(2) answers), so it is never
 * closed again.
 */
const close = (fd: number): Now.Failed<FileMiss> | undefined => {
  try {
    fs.closeSync(fd)
    return undefined
  } catch (error) {
    return new Now.Failed(missOnHandle(error))
  }
}

/** Node's synchronous `fs` as the read algorithm's file access; every operation does its work when called. */
export const nodeFileAccess: FileAccess<number> = {
  opensWithoutBlocking: true,
  handlePath: namesDescriptors ? (fd) => now(descriptorPath, fd, unnamed) : () => undefined,
  withOpen: (path, use, context) => {
    const fd = open(path)
    if (typeof fd !== "number") return fd
    let used: ReturnType<typeof use>
    try {
      used = use(fd, context)
    } catch (error) {
      close(fd)
      throw error
    }
    // A `use` that answered now has finished: close now. One that must run closes when it ends, however it ends.
    if (!(used instanceof Now.Later)) return close(fd) ?? used
    let closed: Now.Failed<FileMiss> | undefined
    return Now.later(Effect.flatMap(
      Effect.ensuring(used.effect, Effect.sync(() => (closed = close(fd)))),
      (value) => closed === undefined ? Effect.succeed(value) : Effect.fail(closed.failure)
    ))
  },
  fstat: (fd) => now(fstatOf, fd, missOnHandle),
  read: (fd, buffer, offset) => {
    try {
      return fs.readSync(fd, buffer, offset, buffer.length - offset, null)
    } catch (error) {
      return Now.fail(missOnHandle(error))
    }
  },
  stat: (path) => now(statOf, path),
  lstat: (path) => now(lstatOf, path),
  realPath: (path) => now(realPathOf, path),
  // Not `existsSync`, which says false for every failure: an I/O error would pass for a missing file.
  exists: (path) => now(isThere, path),
  isSymbolicLink: (path) => now(isLink, path),
  existsNow: (path) => {
    // `lstat`: a dangling link is something at the path, which the open and the checks after it must see.
    try {
      return fs.lstatSync(path, missingIsUndefined) !== undefined
    } catch {
      return true
    }
  },
  listNow: (dir) => {
    try {
      const opened = fs.opendirSync(dir)
      try {
        const names: Array<string> = []
        for (let entry = opened.readSync(); entry !== null && names.length < maxListed; entry = opened.readSync()) {
          names.push(entry.name)
        }
        return names
      } finally {
        opened.closeSync()
      }
    } catch {
      return undefined
    }
  },
  changes: directoryChanges
}
