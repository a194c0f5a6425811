/**
 * Safe secret-file reading over any `FileSystem`: open once, `fstat` the descriptor, read only a regular file
 * within the size cap, and, for files under the secrets directory, check that the file's real path stays inside
 * it. A miss fails with the reason, in words, never with file bytes.
 */
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type { PlatformError } from "effect/PlatformError"

const typeReasons: Partial<Record<FileSystem.File.Type, string>> = {
  Directory: "is a directory",
  FIFO: "is a FIFO (named pipe), not a regular file",
  Socket: "is a socket, not a regular file",
  CharacterDevice: "is a character device, not a regular file",
  BlockDevice: "is a block device, not a regular file"
}

const platformReason = (error: PlatformError): string => {
  const reason = error.reason
  if (reason._tag === "BadArgument") return `could not be read (${reason.description ?? "bad argument"})`
  switch (reason._tag) {
    case "NotFound":
      return reason.description === "a part of the path is not a directory" ? reason.description : "no such file"
    case "PermissionDenied":
      return "permission denied"
    case "BadResource":
      return reason.description ?? "not a readable file"
    default:
      return `could not be read (${reason.description ?? reason._tag})`
  }
}

/** Why a file was not read; `missing` when nothing exists at the path. */
export interface FileMiss {
  readonly reason: string
  readonly missing: boolean
}

/** The reader's failure: a reason in words, or a sign that the file moved between `open` and the check. */
type ReadFailure = string | typeof moved
const moved = Symbol("moved")

// Verdicts kept per inode; bounded so a long-lived process that sees many rotations does not grow without end.
const maxVerdicts = 4096

/** What the reader needs to know: the secrets directory and the size cap. */
export interface SecretFileLimits {
  readonly defaultDir: string
  readonly maxFileBytes: number
}

/**
 * Reads secret files for one manager. `contained` files must resolve inside `defaultDir`; others (a path the
 * platform injected through a declared `envVar`) are read where they point, under the other rules.
 */
export const makeSecretFileReader = (fileSystem: FileSystem.FileSystem, limits: SecretFileLimits) => {
  const { maxFileBytes } = limits
  let realRoot: string | undefined
  // "dev:ino" -> is that inode's real path inside the secrets directory. A `..data` swap yields a new inode.
  const verdicts = new Map<string, boolean>()

  const rootRealPath = Effect.suspend(() =>
    realRoot === undefined
      ? Effect.map(fileSystem.realPath(limits.defaultDir), (real) => (realRoot = real))
      : Effect.succeed(realRoot)
  )

  const isContained = Effect.fnUntraced(function*(file: string, info: FileSystem.File.Info) {
    const inode = `${info.dev}:${Option.getOrElse(info.ino, () => "")}`
    const known = verdicts.get(inode)
    if (known !== undefined) return known
    const root = yield* rootRealPath
    const real = yield* fileSystem.realPath(file)
    // Bind the verdict to the opened inode: the path may have been swapped after `open`.
    const realInfo = yield* fileSystem.stat(real)
    if (realInfo.dev !== info.dev || Option.getOrUndefined(realInfo.ino) !== Option.getOrUndefined(info.ino)) {
      return yield* Effect.fail(moved)
    }
    const inside = real === root || real.startsWith(root.endsWith("/") ? root : root + "/")
    if (verdicts.size >= maxVerdicts) verdicts.clear()
    verdicts.set(inode, inside)
    return inside
  })

  const readOpened = Effect.fnUntraced(function*(file: FileSystem.File, size: number) {
    // Trust a regular file's size; a size of 0 may be a pseudo-file, so read it to the end under the cap.
    let buffer = new Uint8Array(size > 0 ? size : 4096)
    let total = 0
    while (true) {
      const count = yield* file.read(buffer.subarray(total))
      if (count === 0) break
      total += count
      if (total < buffer.length) continue
      if (size > 0 && total === size) break
      if (total > maxFileBytes) return yield* Effect.fail(tooLarge(total))
      const grown = new Uint8Array(Math.min(buffer.length * 2, maxFileBytes + 1))
      grown.set(buffer)
      buffer = grown
    }
    return total === buffer.length ? buffer : buffer.slice(0, total)
  })

  const tooLarge = (size: number) =>
    `is ${size} bytes, over the ${maxFileBytes}-byte limit (raise FLYTE_SECRETS_MAX_FILE_BYTES if it is meant to be this large)`

  const readOnce = (path: string, contained: boolean): Effect.Effect<Uint8Array, ReadFailure | PlatformError> =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* fileSystem.open(path, { flag: "r" })
      const info = yield* file.stat
      if (info.type !== "File") return yield* Effect.fail(typeReasons[info.type] ?? `is not a regular file (${info.type})`)
      const size = Number(info.size)
      if (size > maxFileBytes) return yield* Effect.fail(tooLarge(size))
      if (contained && !(yield* isContained(path, info))) {
        return yield* Effect.fail("resolves outside the secrets directory (a symbolic link leads out of it)")
      }
      return yield* readOpened(file, size)
    }))

  /** The file's exact bytes, or why it was not read. A file swapped while being checked is opened again. */
  const read = (path: string, contained: boolean): Effect.Effect<Uint8Array, FileMiss> =>
    readOnce(path, contained).pipe(
      Effect.retry({ times: 10, while: (failure) => failure === moved }),
      Effect.mapError((failure): FileMiss =>
        failure === moved
          ? { reason: "kept changing while being read", missing: false }
          : typeof failure === "string"
          ? { reason: failure, missing: false }
          : { reason: platformReason(failure), missing: failure.reason._tag === "NotFound" }
      )
    )

  return { read }
}

/** The reader one manager uses. */
export type SecretFileReader = ReturnType<typeof makeSecretFileReader>
