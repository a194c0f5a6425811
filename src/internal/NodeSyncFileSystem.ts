/**
 * A `FileSystem` over Node's synchronous `fs` calls, with the operations the secret reader uses (`open` for
 * reading, `stat`, `realPath`). Synchronous because a secret file is small: a sync read costs about 8 us where
 * the async one costs about 130 us, and the sync facade can only run effects that complete synchronously.
 */
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as PlatformError from "effect/PlatformError"
import * as fs from "node:fs"
import { fileInfo, makeReadOnlyFile } from "./readOnlyFile.ts"

// Non-blocking, so opening a FIFO returns at once instead of waiting for a writer; never a controlling terminal.
const readFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

const errnoTags: Readonly<Record<string, PlatformError.SystemErrorTag>> = {
  ENOENT: "NotFound",
  ENOTDIR: "NotFound",
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  EISDIR: "BadResource",
  ELOOP: "BadResource",
  // open(2) of a Unix socket fails with ENXIO.
  ENXIO: "BadResource",
  EAGAIN: "WouldBlock"
}

const errnoDescriptions: Readonly<Record<string, string>> = {
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many levels of symbolic links",
  ENXIO: "is a socket or a device without a driver"
}

const systemError = (method: string, path: string | number) => (cause: unknown) => {
  const code = (cause as NodeJS.ErrnoException).code ?? ""
  return PlatformError.systemError({
    _tag: errnoTags[code] ?? "Unknown",
    module: "FileSystem",
    method,
    description: errnoDescriptions[code] ?? code,
    pathOrDescriptor: path,
    cause
  })
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

const infoOf = (stats: fs.Stats) =>
  fileInfo({ type: typeOf(stats), size: stats.size, dev: stats.dev, ino: stats.ino, mode: stats.mode })

const openForReading = (path: string, options?: { readonly flag?: FileSystem.OpenFlag | undefined }) => {
  if (options?.flag !== undefined && options.flag !== "r") {
    return Effect.fail(PlatformError.badArgument({
      module: "FileSystem",
      method: "open",
      description: "this file system only opens files for reading"
    }))
  }
  return Effect.acquireRelease(
    Effect.try({ try: () => fs.openSync(path, readFlags), catch: systemError("open", path) }),
    (fd) => Effect.sync(() => fs.closeSync(fd))
  ).pipe(Effect.map((fd) =>
    makeReadOnlyFile(
      Effect.try({ try: () => infoOf(fs.fstatSync(fd)), catch: systemError("stat", fd) }),
      (buffer, position) =>
        Effect.try({ try: () => fs.readSync(fd, buffer, 0, buffer.length, position), catch: systemError("read", fd) })
    )
  ))
}

/** The synchronous Node `FileSystem`. */
export const nodeSyncFileSystem: FileSystem.FileSystem = FileSystem.makeNoop({
  open: openForReading,
  stat: (path) => Effect.try({ try: () => infoOf(fs.statSync(path)), catch: systemError("stat", path) }),
  realPath: (path) => Effect.try({ try: () => fs.realpathSync.native(path), catch: systemError("realPath", path) })
})

export const layer: Layer.Layer<FileSystem.FileSystem> = Layer.succeed(FileSystem.FileSystem, nodeSyncFileSystem)
