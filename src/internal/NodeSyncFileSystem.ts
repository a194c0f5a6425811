/**
 * Node's synchronous `fs` for secrets: the direct secret-file operations (one synchronous step per read: open
 * non-blocking, `fstat`, read, close) and a `FileSystem` over the same calls. Synchronous because a secret file is
 * small (a sync read costs a few microseconds, an async one over a hundred) and because the sync facade can only
 * run effects that complete synchronously.
 */
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as PlatformError from "effect/PlatformError"
import * as fs from "node:fs"
import {
  DirectFileOps,
  type FileMiss,
  noContent,
  openedProblem,
  type RegularFile,
  type SecretFileOps,
  tooLarge
} from "./fileOps.ts"
import { fileInfo, makeReadOnlyFile } from "./readOnlyFile.ts"
import { withoutStackTrace } from "./stackTrace.ts"

// Non-blocking, so opening a FIFO returns at once instead of waiting for a writer; never a controlling terminal.
const readFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

const missReasons: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  ENOTDIR: "a part of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ELOOP: "too many levels of symbolic links",
  // open(2) of a Unix socket fails with ENXIO.
  ENXIO: "is a socket or a device without a driver, not a regular file"
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? "unknown"

const missOf = (error: unknown): FileMiss => {
  const code = codeOf(error)
  return {
    reason: missReasons[code] ?? `could not be read (${code})`,
    missing: code === "ENOENT" || code === "ENOTDIR"
  }
}

const typeOf = (stats: fs.Stats): FileSystem.File.Type =>
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

/**
 * The inode from number stats (cheaper than bigint ones). An inode number past 2^53 would lose precision, so such a
 * file has no known inode and is judged at every read.
 */
const inodeOf = (stats: fs.Stats): number | undefined => Number.isSafeInteger(stats.ino) ? stats.ino : undefined

/** Reads the open descriptor to the end, trusting a regular file's size; a size of 0 may be a pseudo-file. */
const readToEnd = (fd: number, size: number, maxBytes: number): Uint8Array | FileMiss => {
  let buffer = new Uint8Array(size > 0 ? size : 4096)
  let total = 0
  while (true) {
    const count = fs.readSync(fd, buffer, total, buffer.length - total, null)
    if (count === 0) break
    total += count
    if (total < buffer.length) continue
    if (size > 0 && total === size) break
    if (total > maxBytes) return tooLarge(total, maxBytes)
    const grown = new Uint8Array(Math.min(buffer.length * 2, maxBytes + 1))
    grown.set(buffer)
    buffer = grown
  }
  return total === buffer.length ? buffer : buffer.slice(0, total)
}

const readRegularSync = (path: string, maxBytes: number, content: boolean): RegularFile | FileMiss => {
  let fd: number
  try {
    fd = withoutStackTrace(() => fs.openSync(path, readFlags))
  } catch (error) {
    return missOf(error)
  }
  try {
    const stats = fs.fstatSync(fd)
    const problem = openedProblem(stats.isFile() ? "File" : typeOf(stats), stats.size, maxBytes)
    if (problem !== undefined) return problem
    const bytes = content ? readToEnd(fd, stats.size, maxBytes) : noContent
    return bytes instanceof Uint8Array ? { bytes, dev: stats.dev, ino: inodeOf(stats) } : bytes
  } catch (error) {
    return missOf(error)
  } finally {
    fs.closeSync(fd)
  }
}

/** Runs `call` now and returns its outcome as an `Exit`. */
const attempt = <A>(call: () => A): Effect.Effect<A, FileMiss> => {
  try {
    return Effect.succeed(withoutStackTrace(call))
  } catch (error) {
    return Effect.fail(missOf(error))
  }
}

/** The secret-file operations on Node's synchronous `fs`: each does its work when called. */
export const nodeFileOps: SecretFileOps = {
  readRegular: (path, maxBytes, content) => {
    const result = readRegularSync(path, maxBytes, content)
    return "bytes" in result ? Effect.succeed(result) : Effect.fail(result)
  },
  realPath: (path) => attempt(() => fs.realpathSync.native(path)),
  exists: (path) => fs.existsSync(path),
  identity: (path) =>
    attempt(() => {
      const stats = fs.statSync(path)
      return { dev: stats.dev, ino: inodeOf(stats) }
    })
}

const platformError = (method: string, path: string | number) => (cause: unknown) =>
  PlatformError.systemError({
    _tag: codeOf(cause) === "ENOENT" ? "NotFound" : codeOf(cause) === "EACCES" ? "PermissionDenied" : "Unknown",
    module: "FileSystem",
    method,
    description: codeOf(cause),
    pathOrDescriptor: path,
    cause
  })

const infoOf = (stats: fs.Stats) =>
  fileInfo({ type: typeOf(stats), size: stats.size, dev: stats.dev, ino: stats.ino, mode: stats.mode })

/** A `FileSystem` over the same synchronous calls: reading only, opening without blocking. */
export const nodeSyncFileSystem: FileSystem.FileSystem = FileSystem.makeNoop({
  open: (path, options) =>
    options?.flag !== undefined && options.flag !== "r"
      ? Effect.fail(PlatformError.badArgument({ module: "FileSystem", method: "open", description: "read-only" }))
      : Effect.acquireRelease(
        Effect.try({ try: () => fs.openSync(path, readFlags), catch: platformError("open", path) }),
        (fd) => Effect.sync(() => fs.closeSync(fd))
      ).pipe(Effect.map((fd) =>
        makeReadOnlyFile(
          Effect.try({ try: () => infoOf(fs.fstatSync(fd)), catch: platformError("stat", fd) }),
          (buffer, position) =>
            Effect.try({
              try: () => fs.readSync(fd, buffer, 0, buffer.length, position),
              catch: platformError("read", fd)
            })
        )
      )),
  stat: (path) => Effect.try({ try: () => infoOf(fs.statSync(path)), catch: platformError("stat", path) }),
  realPath: (path) => Effect.try({ try: () => fs.realpathSync.native(path), catch: platformError("realPath", path) })
})

/** The Node `FileSystem` and the direct secret-file operations over it. */
export const layer: Layer.Layer<FileSystem.FileSystem> = Layer.merge(
  Layer.succeed(FileSystem.FileSystem, nodeSyncFileSystem),
  Layer.succeed(DirectFileOps, nodeFileOps)
)
