/**
 * The file operations a secret read needs, and the rules every implementation applies: only a regular file is
 * read, and only within the size cap. The library's Node file system implements them directly (one synchronous
 * step per read); any other `FileSystem` gets them through its `open`/`stat`/`realPath`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type { PlatformError } from "effect/PlatformError"

/** Why a file was not read; `missing` when nothing exists at the path. */
export interface FileMiss {
  readonly reason: string
  readonly missing: boolean
}

/**
 * Which file an entry is: its device and inode. A rotated file has a new inode; `ino` is `undefined` when the file
 * system cannot tell it exactly.
 */
export interface FileIdentity {
  readonly dev: number | bigint
  readonly ino: number | bigint | undefined
}

/** A regular file's whole content, and its identity. */
export interface RegularFile extends FileIdentity {
  readonly bytes: Uint8Array
}

/**
 * What the secret reader asks of a file system. Operations are called when a lookup runs; a synchronous
 * implementation does its work when called and returns the outcome as an `Exit`, which the reader's eager
 * combinators use without scheduling anything, while an effectful one returns an effect that runs later.
 */
export interface SecretFileOps {
  /**
   * Opens read-only without blocking, checks the descriptor is a regular file within `maxBytes`, and reads it
   * when `content` is true (otherwise `bytes` is empty).
   */
  readonly readRegular: (path: string, maxBytes: number, content: boolean) => Effect.Effect<RegularFile, FileMiss>
  /** The path with every symbolic link resolved. */
  readonly realPath: (path: string) => Effect.Effect<string, FileMiss>
  /** The identity of the file at `path` (links followed), as `readRegular` reports it. */
  readonly identity: (path: string) => Effect.Effect<FileIdentity, FileMiss>
  /**
   * Whether something exists at `path`, answered at once and without an exception; only a synchronous file system
   * has it. The reader uses it for paths that were missing last time, never to decide what to read.
   */
  readonly exists?: (path: string) => boolean
}

/**
 * Direct file operations, when the layer has them: `SecretsManager.layer` provides the Node ones. Without them the
 * manager works through the `FileSystem` service.
 */
export const DirectFileOps = Context.Reference<SecretFileOps | undefined>("effect-secrets/DirectFileOps", {
  defaultValue: () => undefined
})

const typeReasons: Partial<Record<FileSystem.File.Type, string>> = {
  Directory: "is a directory",
  FIFO: "is a FIFO (named pipe), not a regular file",
  Socket: "is a socket, not a regular file",
  CharacterDevice: "is a character device, not a regular file",
  BlockDevice: "is a block device, not a regular file"
}

/** Why an entry of this type is not read, or `undefined` for a regular file. */
const notRegularReason = (type: FileSystem.File.Type): string | undefined =>
  type === "File" ? undefined : typeReasons[type] ?? `is not a regular file (${type})`

export const tooLarge = (size: number, maxBytes: number): FileMiss => ({
  reason: `is ${size} bytes, over the ${maxBytes}-byte limit ` +
    "(raise FLYTE_SECRETS_MAX_FILE_BYTES if it is meant to be this large)",
  missing: false
})

/** The first problem with an opened entry of this type and size, or `undefined` when it may be read. */
export const openedProblem = (type: FileSystem.File.Type, size: number, maxBytes: number): FileMiss | undefined => {
  const notRegular = notRegularReason(type)
  if (notRegular !== undefined) return { reason: notRegular, missing: false }
  return size > maxBytes ? tooLarge(size, maxBytes) : undefined
}

const platformMiss = (error: PlatformError): FileMiss => {
  const reason = error.reason
  if (reason._tag === "BadArgument") {
    return { reason: `could not be read (${reason.description ?? "bad argument"})`, missing: false }
  }
  switch (reason._tag) {
    case "NotFound":
      return { reason: "no such file", missing: true }
    case "PermissionDenied":
      return { reason: "permission denied", missing: false }
    default:
      return { reason: `could not be read (${reason.description ?? reason._tag})`, missing: false }
  }
}

/** The `bytes` of a file that was checked but not read. */
export const noContent = new Uint8Array(0)

const identityOf = (info: FileSystem.File.Info): FileIdentity => ({
  dev: info.dev,
  ino: Option.getOrUndefined(info.ino)
})

/** The secret file operations through any `FileSystem`. */
export const fileOpsOver = (fileSystem: FileSystem.FileSystem): SecretFileOps => ({
  readRegular: Effect.fnUntraced(
    function*(path: string, maxBytes: number, content: boolean) {
      const file = yield* fileSystem.open(path, { flag: "r" })
      const info = yield* file.stat
      const problem = openedProblem(info.type, Number(info.size), maxBytes)
      if (problem !== undefined) return yield* Effect.fail(problem)
      if (!content) return { bytes: noContent, ...identityOf(info) }
      // Read to the end under the cap: a pseudo-file may report a size of 0.
      const chunks: Array<Uint8Array> = []
      let total = 0
      while (true) {
        const chunk = yield* file.readAlloc(maxBytes + 1 - total)
        if (Option.isNone(chunk)) break
        chunks.push(chunk.value)
        total += chunk.value.length
        if (total > maxBytes) return yield* Effect.fail(tooLarge(total, maxBytes))
      }
      const bytes = new Uint8Array(total)
      chunks.reduce((offset, chunk) => (bytes.set(chunk, offset), offset + chunk.length), 0)
      return { bytes, ...identityOf(info) }
    },
    Effect.scoped,
    Effect.catchTag("PlatformError", (error) => Effect.fail(platformMiss(error)))
  ),
  realPath: (path) => Effect.mapError(fileSystem.realPath(path), platformMiss),
  identity: (path) => Effect.mapError(Effect.map(fileSystem.stat(path), identityOf), platformMiss)
})
