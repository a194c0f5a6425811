/**
 * The live layer's file access: Node's synchronous `fs`, called directly. Synchronous because a secret file is
 * small (a synchronous read costs a few microseconds, an asynchronous one over a hundred) and because the sync
 * facade can only run lookups that complete at once. Opening is non-blocking (a FIFO or device never blocks), and on
 * Linux the real path of an open descriptor is read from `/proc/self/fd`, so containment is checked on the file
 * actually opened.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as FileSystem from "effect/FileSystem"
import { fs } from "../nodeBuiltins.ts"
import { withoutStackTrace } from "../stackTrace.ts"
import { directoryChanges } from "../watch/directoryChanges.ts"
import { descriptorPath, namesDescriptors } from "./descriptorPath.ts"
import type { FileAccess, FileStatus } from "./fileAccess.ts"
import { type FileMiss, missOfCode } from "./fileMiss.ts"

// Read-only; non-blocking, so opening a FIFO returns at once instead of waiting for a writer; never a controlling
// terminal.
const readFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

const missOf = (error: unknown): FileMiss => missOfCode((error as NodeJS.ErrnoException).code)

/** Runs `call` now and returns its outcome as an `Exit`; a failure costs no stack trace. */
const now = <A>(call: () => A): Effect.Effect<A, FileMiss> => {
  try {
    return Effect.succeed(withoutStackTrace(call))
  } catch (error) {
    return Effect.fail(missOf(error))
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

// Identities are compared only where the descriptor's path is unknown (not Linux): bigint stats keep an inode past
// 2^53 exact there. Elsewhere number stats are cheaper and the identity is never used.
const statusOf = (stats: fs.BigIntStats | fs.Stats): FileStatus => ({
  type: typeOf(stats),
  size: Number(stats.size),
  links: Number(stats.nlink),
  dev: stats.dev,
  ino: stats.ino
})

// Hints compare against at most this many names of a directory: a huge directory costs no more.
const maxListed = 1000

/** Node's synchronous `fs` as the read algorithm's file access; every operation does its work when called. */
export const nodeFileAccess: FileAccess<number> = {
  opensWithoutBlocking: true,
  handlePath: namesDescriptors ? (fd) => now(() => descriptorPath(fd)) : () => Effect.succeed(undefined),
  withOpen: (path, use) => {
    let fd: number
    try {
      fd = withoutStackTrace(() => fs.openSync(path, readFlags))
    } catch (error) {
      return Effect.fail(missOf(error))
    }
    let used: ReturnType<typeof use>
    try {
      used = use(fd)
    } catch (error) {
      fs.closeSync(fd)
      throw error
    }
    // A synchronous `use` has finished: close now. Anything else closes when it ends, however it ends.
    if (Exit.isExit(used)) {
      fs.closeSync(fd)
      return used
    }
    return Effect.ensuring(used, Effect.sync(() => fs.closeSync(fd)))
  },
  fstat: (fd) => now(() => statusOf(namesDescriptors ? fs.fstatSync(fd) : fs.fstatSync(fd, { bigint: true }))),
  read: (fd, buffer, offset) => now(() => fs.readSync(fd, buffer, offset, buffer.length - offset, null)),
  stat: (path) => now(() => statusOf(fs.statSync(path, { bigint: true }))),
  lstat: (path) => now(() => statusOf(fs.lstatSync(path, { bigint: true }))),
  realPath: (path) => now(() => fs.realpathSync.native(path)),
  exists: (path) => Effect.succeed(fs.existsSync(path)),
  isSymbolicLink: (path) =>
    Effect.catchEager(
      now(() => fs.lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true),
      () => Effect.succeed(false)
    ),
  existsNow: (path) => fs.existsSync(path),
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
