/**
 * The one secret-file read algorithm, for every file system (DESIGN, safety rules 2 to 4). A read opens the file
 * once, judges the opened file (`fstat`: a regular file, one name, within the size cap), checks that the file
 * actually opened lies inside the real secrets directory, reads that open file and closes it. No verdict outlives
 * the open file it was made for: inode numbers are reused as soon as a file is deleted, so nothing is remembered
 * per inode. A read that loses a race with a rotation (the kubelet swaps `..data`, then deletes the old version)
 * is tried again a few times, so readers see the whole old or the whole new value.
 */
import * as Effect from "effect/Effect"
import { BoundedCache } from "../BoundedCache.ts"
import type { FileAccess, FileStatus } from "./fileAccess.ts"
import {
  danglingLink,
  directoryMissing,
  type FileMiss,
  hardLinked,
  keptChanging,
  missOfType,
  noSuchFile,
  outsideSecretsDirectory,
  tooLarge,
  vanished
} from "./fileMiss.ts"

/** A file that may be read: its whole content (empty when only checked). */
export interface SecretFile {
  readonly bytes: Uint8Array
}

/** What a read needs to know. */
export interface ReadRequest {
  /** The path must lead inside the secrets directory (it was built from a name, not given by the platform). */
  readonly contained: boolean
  /** Read the content, or only check that the file may be read. */
  readonly content: boolean
}

/** The open file is not the file that was judged before it was opened: a swap happened in between. */
const moved = Symbol("moved")
type Retry = typeof moved | FileMiss & { readonly vanished: true }

const isRetry = (failure: Retry | FileMiss): failure is Retry => failure === moved || failure.vanished === true

const unidentified: FileMiss = {
  outcome: "refused",
  reason: "cannot be checked: the file system does not identify files (no inode numbers)"
}

const noContent: SecretFile = { bytes: new Uint8Array(0) }

// A rotation in progress resolves within a swap or two; ten tries ride out a writer swapping non-stop.
const maxTries = 10

const sameFile = (a: FileStatus, b: FileStatus): boolean => a.dev === b.dev && a.ino === b.ino

/** Reads secret files for one manager, whose secrets directory is `secretsDir` (absolute). */
export const makeFileReader = <Handle>(
  access: FileAccess<Handle>,
  limits: { readonly secretsDir: string; readonly maxBytes: number }
) => {
  const { maxBytes, secretsDir } = limits

  // The real path of the secrets directory, with a trailing "/". Resolved when first needed, and again when a check
  // fails, so a secrets directory that is itself a link re-pointed later (or created late) is followed.
  let realRoot: string | undefined
  const resolveRoot = (): Effect.Effect<string | undefined> =>
    Effect.matchEager(access.realPath(secretsDir), {
      onFailure: () => (realRoot = undefined),
      onSuccess: (real) => (realRoot = real.endsWith("/") ? real : real + "/")
    })
  const isInside = (real: string): Effect.Effect<boolean> =>
    realRoot !== undefined && real.startsWith(realRoot)
      ? Effect.succeed(true)
      : Effect.mapEager(resolveRoot(), (root) => root !== undefined && real.startsWith(root))

  /** The first problem with an opened file, or `undefined` when it may be read. */
  const judge = (status: FileStatus, contained: boolean): FileMiss | undefined => {
    const notRegular = missOfType(status.type)
    if (notRegular !== undefined) return notRegular
    // No name left: deleted since it was opened (the kubelet removing an old version).
    if (status.links === 0) return vanished
    if (contained && status.links !== undefined && status.links > 1) return hardLinked(status.links)
    return status.size > maxBytes ? tooLarge(status.size, maxBytes, true) : undefined
  }

  /** Reads the open file to its end under the cap, trusting a regular file's size; 0 may be a pseudo-file's. */
  const readAll = (handle: Handle, size: number): Effect.Effect<SecretFile, FileMiss> => {
    const step = (buffer: Uint8Array, total: number): Effect.Effect<SecretFile, FileMiss> =>
      Effect.flatMapEager(access.read(handle, buffer, total), (count) => {
        const read = total + count
        if (count === 0 || (size > 0 && read === size)) {
          return Effect.succeed({ bytes: read === buffer.length ? buffer : buffer.slice(0, read) })
        }
        if (read < buffer.length) return step(buffer, read)
        if (read > maxBytes) return Effect.fail(tooLarge(read, maxBytes, false))
        const grown = new Uint8Array(Math.min(buffer.length * 2, maxBytes + 1))
        grown.set(buffer)
        return step(grown, read)
      })
    return step(new Uint8Array(size > 0 ? size : Math.min(4096, maxBytes + 1)), 0)
  }

  // Whether this file system names open handles: learnt from the first handle it could not name (a property of the
  // file system, not a verdict about any file). From then on a contained read judges the real path's own entry first
  // and opens that real path.
  let namesHandles = true

  /**
   * Where a handle could not be named: whether the real path of `path` lies inside the secrets directory and its own
   * entry there is the open file, not a link swapped in since (that is a move: the read is tried again).
   */
  const realPathIsOpened = (path: string, opened: FileStatus): Effect.Effect<boolean, FileMiss | typeof moved> =>
    Effect.flatMapEager(
      access.realPath(path),
      (real) =>
        Effect.flatMapEager(isInside(real), (inside): Effect.Effect<boolean, FileMiss | typeof moved> => {
          if (!inside) return Effect.succeed(false)
          if (opened.ino === undefined) return Effect.fail(unidentified)
          return Effect.flatMapEager(
            access.lstat(real),
            (entry) => sameFile(entry, opened) ? Effect.succeed(true) : Effect.fail(moved)
          )
        })
    )

  /** Whether the open file lies inside the secrets directory, by the real path of the open handle where it can. */
  const checkInside = (
    handle: Handle,
    path: string,
    opened: FileStatus
  ): Effect.Effect<boolean, FileMiss | typeof moved> =>
    Effect.flatMapEager(
      access.handlePath(handle, opened),
      (named): Effect.Effect<boolean, FileMiss | typeof moved> => {
        if (named !== undefined) return isInside(named)
        namesHandles = false
        return realPathIsOpened(path, opened)
      }
    )

  /**
   * Judges the open file (and that it is the file `expected` described, when given), checks that it lies inside the
   * secrets directory when that is still to be checked, and only then reads it.
   */
  const readOpen = (
    handle: Handle,
    path: string,
    request: ReadRequest,
    expected: FileStatus | undefined,
    checkContainment: boolean
  ): Effect.Effect<SecretFile, FileMiss | typeof moved> =>
    Effect.flatMapEager(access.fstat(handle), (status): Effect.Effect<SecretFile, FileMiss | typeof moved> => {
      if (expected !== undefined) {
        if (status.ino === undefined) return Effect.fail(unidentified)
        if (!sameFile(status, expected)) return Effect.fail(moved)
      }
      const problem = judge(status, request.contained)
      if (problem !== undefined) return Effect.fail(problem)
      const read = () => request.content ? readAll(handle, status.size) : Effect.succeed(noContent)
      if (!checkContainment) return read()
      return Effect.flatMapEager(
        checkInside(handle, path, status),
        (inside) => inside ? read() : Effect.fail(outsideSecretsDirectory)
      )
    })

  /** Judges `status` before an open: anything but a regular file is refused (a link, when not followed, moved). */
  const judgedBeforeOpen = (
    status: FileStatus,
    contained: boolean
  ): Effect.Effect<FileStatus, FileMiss | typeof moved> => {
    if (status.type === "SymbolicLink") return Effect.fail(moved)
    const problem = judge(status, contained)
    return problem === undefined ? Effect.succeed(status) : Effect.fail(problem)
  }

  /**
   * One try: one open of the file, judged, checked and read; `moved` or a vanished file asks for another try. Where
   * opening could block, the path is judged first and the open file must be the file judged. Where open handles
   * cannot be named, a contained read resolves the real path first, judges its own entry (a link there is a swap),
   * and opens it: the open file must be that entry.
   */
  const readOnce = (path: string, request: ReadRequest): Effect.Effect<SecretFile, FileMiss | typeof moved> => {
    if (request.contained && !namesHandles) {
      return Effect.flatMapEager(
        access.realPath(path),
        (real) =>
          Effect.flatMapEager(isInside(real), (inside) =>
            !inside
              ? Effect.fail(outsideSecretsDirectory)
              : Effect.flatMapEager(
                Effect.flatMapEager(access.lstat(real), (entry) => judgedBeforeOpen(entry, true)),
                (entry) => access.withOpen(real, (handle) => readOpen(handle, real, request, entry, false))
              ))
      )
    }
    if (access.opensWithoutBlocking) {
      return access.withOpen(path, (handle) => readOpen(handle, path, request, undefined, request.contained))
    }
    return Effect.flatMapEager(
      Effect.flatMapEager(access.stat(path), (status) => judgedBeforeOpen(status, request.contained)),
      (status) => access.withOpen(path, (handle) => readOpen(handle, path, request, status, request.contained))
    )
  }

  /**
   * Why nothing was found at a path: a link whose target vanished is a rotation in progress (try again); a missing
   * secrets directory is said as such.
   */
  const whyMissing = (path: string, contained: boolean): Effect.Effect<FileMiss> =>
    Effect.flatMapEager(access.isSymbolicLink(path), (isLink) =>
      isLink
        ? Effect.succeed(vanished)
        : contained
        ? Effect.mapEager(access.exists(secretsDir), (exists) => exists ? noSuchFile : directoryMissing)
        : Effect.succeed(noSuchFile))

  const attempt = (path: string, request: ReadRequest, triesLeft: number): Effect.Effect<SecretFile, FileMiss> => {
    const retry = (why: Retry) =>
      triesLeft > 1 ? attempt(path, request, triesLeft - 1) : Effect.fail(why === moved ? keptChanging : danglingLink)
    return Effect.catchEager(readOnce(path, request), (failure) =>
      failure === noSuchFile
        ? Effect.flatMapEager(
          whyMissing(path, request.contained),
          (miss) => isRetry(miss) ? retry(miss) : Effect.fail(miss)
        )
        : isRetry(failure)
        ? retry(failure)
        : Effect.fail(failure))
  }

  // Paths found missing last time. A failed open costs an exception, so while a path stays missing (a local run that
  // reads its secrets from the environment passes a missing file on every lookup) a cheap existence check goes
  // first; when the file appears, it is opened and read as usual.
  const missedLastTime = new BoundedCache<string, FileMiss>({ maxEntries: 4096, maxBytes: 4 * 1024 * 1024 })

  /**
   * The file at `path`, read (or only checked) under every rule, or why it was not. Call it when the lookup runs:
   * with a synchronous file system it reads at once.
   */
  const read = (path: string, request: ReadRequest): Effect.Effect<SecretFile, FileMiss> => {
    if (access.existsNow !== undefined) {
      const lastMiss = missedLastTime.get(path)
      if (lastMiss !== undefined && !access.existsNow(path)) {
        // The secrets directory may have been created since: then only this path is missing.
        return Effect.fail(lastMiss === directoryMissing && access.existsNow(secretsDir) ? noSuchFile : lastMiss)
      }
    }
    const file = attempt(path, request, maxTries)
    if (access.existsNow === undefined) return file
    return Effect.catchEager(file, (miss) => {
      if (miss.outcome === "missing") missedLastTime.set(path, miss, path.length)
      return Effect.fail(miss)
    })
  }

  const { changes } = access
  return {
    read,
    listNow: (dir: string) => access.listNow?.(dir),
    /** Change signals for `paths`, when the file system can watch. */
    changes: changes && ((paths: ReadonlyArray<string>) => changes(paths, secretsDir))
  }
}

/** The reader one manager uses. */
export type FileReader = ReturnType<typeof makeFileReader>
