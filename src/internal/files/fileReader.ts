/**
 * The one secret-file read algorithm, for every file system (docs/security.md, S3 to S7). A read opens
 * the file once, judges the opened file (`fstat`: a regular file, one name, within the size cap), checks that the
 * file actually opened lies inside the secrets directory as that directory resolves now, reads that open file and
 * closes it. No verdict outlives the open file it was made for: inode numbers are reused as soon as a file is
 * deleted, so nothing is remembered per inode. A read that loses a race with a rotation (the kubelet swaps `..data`,
 * then deletes the old version) is tried again for as long as the files keep changing under it (up to a bound a
 * writer cannot hold it past), so readers see the whole old or the whole new value.
 *
 * Where the configured secrets directory is its own real path (the usual case: a volume's mount point), a read does not
 * resolve the directory: the real path of the open file, as the system names it (`/proc/self/fd` on Linux), is built
 * from the directories that file lies in at that moment, so a real path under the configured path lies inside the
 * directory that path names then. A file found anywhere else is tried again, with the directory resolved first.
 * That name is built in whatever mount namespace the file was reached through: docs/security.md (S3) says what a
 * link through another process's `/proc/<pid>/root` can do, and why no check here could tell.
 *
 * Each step below is a top-level function over a `Reader`: the reader's settings and the three things it learns (the
 * secrets directory's resolution, whether that is the configured path itself, and whether the file system names open
 * handles).
 */
import { BoundedCache } from "../BoundedCache.ts"
import { path as nodePath } from "../nodeBuiltins.ts"
import * as Now from "../now.ts"
import type { FileAccess, FileStatus } from "./fileAccess.ts"
import {
  danglingLink,
  directoryMissing,
  type FileMiss,
  hardLinked,
  keptChanging,
  linksUnknown,
  missOfType,
  noSuchFile,
  outsideSecretsDirectory,
  secretsDirectoryIsRoot,
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

/** The secrets directory as last resolved: its real path with a trailing "/", and its status then. */
interface Root {
  readonly real: string
  readonly status: FileStatus
}

/** One manager's reader: its file access, its limits, and what it has learnt. */
interface Reader<Handle> {
  readonly access: FileAccess<Handle>
  /** Absolute, as configured (it may itself be a link, or lead through one). */
  readonly secretsDir: string
  /** The configured path with a trailing "/", when it is written as a real path is (normal, absolute, not the root). */
  readonly configured: string | undefined
  /**
   * Whether the secrets directory resolved to the configured path itself when last resolved (assumed until then
   * when the path is written as a real path is): then a read checks the open file's real path against it directly.
   * Only a hint of which check to try first: a wrong one costs a try, never a verdict.
   */
  rootIsConfigured: boolean
  readonly maxBytes: number
  /** Resolved when first needed, and again whenever the directory's path leads to another directory. */
  root: Root | undefined
  /**
   * Whether the file system names open handles: learnt from the first handle it could not name (a property of the
   * file system, not a verdict about any file). From then on a contained read judges the real path's own entry first
   * and opens that real path.
   */
  namesHandles: boolean
  /** Paths found missing last time, each with the answer it gives while it stays missing (see `read`). */
  readonly missedLastTime: BoundedCache<string, Now.Failed<FileMiss>>
}

/** The open file is not the file that was judged before it was opened: a swap happened in between. */
const moved = Symbol("moved")
/** The path is a link whose target is missing right now: dangling, or caught mid-swap by a writer. */
const dangling = Symbol("dangling")
/** What asks for another try: the files changed under the read (`moved`, `vanished`), or a dangling link. */
type Retry = typeof moved | typeof dangling | typeof vanished

const isRetry = (failure: unknown): failure is Retry =>
  failure === moved || failure === vanished || failure === dangling

const unidentified: FileMiss = {
  outcome: "refused",
  reason: "cannot be checked: the file system does not identify files (no inode numbers)"
}

const noContent: SecretFile = { bytes: new Uint8Array(0) }

// A dangling link is refused after a few looks: a kubelet swap never leaves one for longer than a rename.
const maxDanglingTries = 10
// A read is tried again for as long as the files keep changing under it: each such try means a writer changed
// something between two steps of the read (under CPU starvation a reader can lose many races in a row). A writer
// that never stops is a bound away from holding the reader: then the read is refused as "kept changing".
const maxChangedTries = 100

const sameFile = (a: FileStatus, b: FileStatus): boolean => a.dev === b.dev && a.ino === b.ino

/** The first problem with a file's status, or `undefined` when it may be read. */
const judge = (status: FileStatus, contained: boolean, maxBytes: number): FileMiss | undefined => {
  const notRegular = missOfType(status.type)
  if (notRegular !== undefined) return notRegular
  // No name left: deleted since it was opened (the kubelet removing an old version).
  if (status.links === 0) return vanished
  if (contained) {
    // A second name could be outside the secrets directory; a count the file system does not give cannot rule
    // that out.
    if (status.links === undefined) return linksUnknown
    if (status.links > 1) return hardLinked(status.links)
  }
  return status.size > maxBytes ? tooLarge(status.size, maxBytes, true) : undefined
}

/**
 * Resolves the secrets directory now: its real path, and the status of what that names; `undefined` when nothing is
 * there. A resolution that failed for another reason fails with its miss: it says nothing of where the directory is.
 */
const resolveRoot = <Handle>(reader: Reader<Handle>): Now.Now<string | undefined, FileMiss> =>
  Now.recoverWith(
    Now.flatMap(reader.access.realPath(reader.secretsDir), (resolved) => {
      const real = resolved.endsWith("/") ? resolved : resolved + "/"
      return Now.map(reader.access.stat(resolved), (status) => {
        reader.root = { real, status }
        reader.rootIsConfigured = real === reader.configured
        return real
      })
    }),
    unresolved,
    reader
  )

const unresolved = <Handle>(miss: FileMiss, reader: Reader<Handle>): Now.Now<undefined, FileMiss> => {
  reader.root = undefined
  return miss.outcome === "missing" ? undefined : Now.fail(miss)
}

/**
 * The real path of the secrets directory as it resolves at this read: a `stat` of the configured path and an `lstat`
 * of the real path resolved last time, side by side, must both find the directory found then; otherwise it is
 * resolved again. Its number alone is not enough: a re-pointed link (of the directory or of a folder above it) may
 * lead to that same directory under another name, or to a new one that took the number of the old one, deleted
 * since; and that real path may have become a link itself. `undefined` when it does not exist.
 */
const currentRoot = <Handle>(reader: Reader<Handle>): Now.Now<string | undefined, FileMiss> => {
  const root = reader.root
  if (root === undefined || root.status.ino === undefined) return resolveRoot(reader)
  // Without its trailing "/", which would follow a link there.
  const real = root.real === "/" ? root.real : root.real.slice(0, -1)
  return Now.recover(
    Now.flatMap(
      Now.both(reader.access.stat(reader.secretsDir), reader.access.lstat(real)),
      ([status, named]) =>
        sameFile(root.status, status) && sameFile(root.status, named) ? root.real : resolveRoot(reader)
    ),
    () => resolveRoot(reader)
  )
}

/**
 * What a read checks containment against: the real path of the secrets directory as it resolved when the read
 * started (`undefined` when it does not exist), the configured path (`asConfigured`, see the top of this module), or
 * `unchecked` for a path the platform gave rather than one built from a name.
 */
type Containment = string | undefined | typeof asConfigured | typeof unchecked
const asConfigured = Symbol("asConfigured")
const unchecked = Symbol("unchecked")

// A secrets directory that resolves to the root (a link to "/") would hold every file: nothing is under it.
const isUnder = (root: string | undefined, real: string): boolean =>
  root !== undefined && root !== "/" && real.startsWith(root)

/** Why a file that is not under the secrets directory `root` is refused. */
const notUnder = (root: string | undefined) => Now.fail(root === "/" ? secretsDirectoryIsRoot : outsideSecretsDirectory)

/**
 * A file found outside the secrets directory as it resolved when the read started: when the directory resolves to
 * another directory now (its link re-pointed during the read, a folder put in its place, or a folder above it renamed
 * and linked to), the read is tried again, as for any other change under it; otherwise it is refused. Resolved
 * afresh: a path that still leads to the same directory may no longer be its real path, and the same real path may
 * name another directory.
 */
const notUnderUnlessMoved = <Handle>(
  reader: Reader<Handle>,
  root: string | undefined
): Now.Now<never, FileMiss | typeof moved> => {
  const before = reader.root
  return Now.flatMap(resolveRoot(reader), (now): Now.Now<never, FileMiss | typeof moved> => {
    const after = reader.root
    const same = now === root &&
      (root === undefined || before?.real === root && after !== undefined && sameFile(before.status, after.status))
    return same ? notUnder(root) : Now.fail(moved)
  })
}

/**
 * `first` and the secrets directory's real path as it resolves now, side by side: concurrently, so a file system
 * that answers through a thread pool pays no extra round trip for the directory.
 */
const besideRoot = <Handle, A, E>(
  reader: Reader<Handle>,
  first: Now.Now<A, E>
): Now.Now<readonly [A, string | undefined], E | FileMiss> => Now.both(first, currentRoot(reader))

/** An open file being read to its end: the buffer so far, and how much of it holds the file. */
interface Filling<Handle> {
  readonly reader: Reader<Handle>
  readonly handle: Handle
  /** The size `fstat` gave: 0 may be a pseudo-file's. */
  readonly size: number
  buffer: Uint8Array
  total: number
}

/** Reads the open file to its end under the cap, trusting a regular file's size; 0 may be a pseudo-file's. */
const readAll = <Handle>(reader: Reader<Handle>, handle: Handle, size: number): Now.Now<SecretFile, FileMiss> =>
  readFrom({
    reader,
    handle,
    size,
    buffer: new Uint8Array(size > 0 ? size : Math.min(4096, reader.maxBytes + 1)),
    total: 0
  })

const readFrom = <Handle>(filling: Filling<Handle>): Now.Now<SecretFile, FileMiss> =>
  Now.flatMapWith(filling.reader.access.read(filling.handle, filling.buffer, filling.total), readMore, filling)

/** After a read of `count` bytes: the file when it is all read, else the next read (into a larger buffer when full). */
const readMore = <Handle>(count: number, filling: Filling<Handle>): Now.Now<SecretFile, FileMiss> => {
  const { buffer, reader, size } = filling
  const read = filling.total + count
  if (count === 0 || (size > 0 && read === size)) {
    return { bytes: read === buffer.length ? buffer : buffer.slice(0, read) }
  }
  filling.total = read
  if (read < buffer.length) return readFrom(filling)
  if (read > reader.maxBytes) return Now.fail(tooLarge(read, reader.maxBytes, false))
  const grown = new Uint8Array(Math.min(buffer.length * 2, reader.maxBytes + 1))
  grown.set(buffer)
  filling.buffer = grown
  return readFrom(filling)
}

/**
 * Where a handle could not be named: that the real path of `path` lies inside `root` and its own entry there is the
 * open file. An entry that is not the open file (a link swapped in since) is a move: the read is tried again; a real
 * path outside is refused unless the directory moved.
 */
const realPathInside = <Handle>(
  reader: Reader<Handle>,
  path: string,
  opened: FileStatus,
  root: string | undefined
): Now.Now<unknown, FileMiss | typeof moved> =>
  Now.flatMap(reader.access.realPath(path), (real): Now.Now<unknown, FileMiss | typeof moved> => {
    if (!isUnder(root, real)) return notUnderUnlessMoved(reader, root)
    if (opened.ino === undefined) return Now.fail(unidentified)
    return Now.flatMap(reader.access.lstat(real), (entry) => sameFile(entry, opened) ? real : Now.fail(moved))
  })

/**
 * One try's file: what it opens, how it judges and checks what it opened, and, once open, its handle and status: what
 * each step of the try needs (the steps are top-level functions: a try makes this record, not a closure per step).
 */
interface Opened<Handle> {
  readonly reader: Reader<Handle>
  readonly path: string
  readonly request: ReadRequest
  /** The status the path had when judged before the open, when it was. */
  readonly expected: FileStatus | undefined
  readonly containment: Containment
  /** Set once the file is open (each try opens once). */
  handle: Handle | undefined
  /** The open file's own status, once `fstat` gave it. */
  status: FileStatus | undefined
}

/**
 * That the open file lies inside the secrets directory, by the real path of the open handle where it can: against
 * the directory resolved when the read started, or against the configured path (see the top of this module), where
 * a file anywhere else is tried again with the directory resolved first.
 */
const checkInside = <Handle>(opened: Opened<Handle>, status: FileStatus): Now.Now<unknown, FileMiss | typeof moved> =>
  Now.flatMapWith(opened.reader.access.handlePath(opened.handle!, status), insideByName, opened)

const insideByName = <Handle>(
  named: string | undefined,
  opened: Opened<Handle>
): Now.Now<unknown, FileMiss | typeof moved> => {
  const { reader } = opened
  // Only a read that checks containment gets here.
  const containment = opened.containment as Exclude<Containment, typeof unchecked>
  if (named === undefined) {
    reader.namesHandles = false
    const { path } = opened
    const status = opened.status!
    return containment === asConfigured
      ? Now.flatMap(currentRoot(reader), (root) => realPathInside(reader, path, status, root))
      : realPathInside(reader, path, status, containment)
  }
  if (containment !== asConfigured) {
    return isUnder(containment, named) ? named : notUnderUnlessMoved(reader, containment)
  }
  return reader.configured !== undefined && named.startsWith(reader.configured) ? named : Now.fail(moved)
}

/** The content of an open file that passed every check, or only the fact that it may be read. */
const contentOf = <Handle>(_checked: unknown, opened: Opened<Handle>): Now.Now<SecretFile, FileMiss> =>
  opened.request.content ? readAll(opened.reader, opened.handle!, opened.status!.size) : noContent

/**
 * Judges the open file (and that it is the file `expected` described, when given), checks that it lies inside the
 * secrets directory when that is still to be checked, and only then reads it.
 */
const readOpen = <Handle>(handle: Handle, opened: Opened<Handle>): Now.Now<SecretFile, FileMiss | typeof moved> => {
  opened.handle = handle
  return Now.flatMapWith(opened.reader.access.fstat(handle), judgeOpen, opened)
}

const judgeOpen = <Handle>(
  status: FileStatus,
  opened: Opened<Handle>
): Now.Now<SecretFile, FileMiss | typeof moved> => {
  const { containment, expected, reader, request } = opened
  if (expected !== undefined) {
    if (status.ino === undefined) return Now.fail(unidentified)
    if (!sameFile(status, expected)) return Now.fail(moved)
  }
  const problem = judge(status, request.contained, reader.maxBytes)
  if (problem !== undefined) return Now.fail(problem)
  opened.status = status
  if (containment === unchecked) return contentOf(undefined, opened)
  return Now.flatMapWith(checkInside(opened, status), contentOf, opened)
}

/** Judges `status` before an open: anything but a regular file is refused (a link, when not followed, moved). */
const judgedBeforeOpen = (
  status: FileStatus,
  contained: boolean,
  maxBytes: number
): Now.Now<FileStatus, FileMiss | typeof moved> => {
  if (status.type === "SymbolicLink") return Now.fail(moved)
  const problem = judge(status, contained, maxBytes)
  return problem === undefined ? status : Now.fail(problem)
}

/**
 * Where open handles cannot be named: the real path first, inside the secrets directory, its own entry judged (a
 * link there is a swap), and that real path opened: the open file must be that entry. The directory is resolved
 * before the file's real path, so a real path outside it either lies outside or was found after the directory moved.
 */
const readByRealPath = <Handle>(
  reader: Reader<Handle>,
  path: string,
  request: ReadRequest
): Now.Now<SecretFile, FileMiss | typeof moved> =>
  Now.flatMap(
    currentRoot(reader),
    (root) =>
      Now.flatMap(throughRoot(reader, path, root, (through) => reader.access.realPath(through)), (real) =>
        !isUnder(root, real)
          ? notUnderUnlessMoved(reader, root)
          : Now.flatMap(
            Now.flatMap(reader.access.lstat(real), (entry) =>
              judgedBeforeOpen(entry, true, reader.maxBytes)),
            (entry) => openAndRead(reader, real, request, entry, unchecked)
          ))
  )

/**
 * `use` of `path` as reached through `root`, the secrets directory's real path as resolved for this try, rather than
 * through the configured path: what is opened then lies where containment is checked, even when the configured path
 * is a link that flips to another directory and back during the try. A file missing there is a move when the
 * directory resolves elsewhere now (an old version deleted). A path outside the configured directory is used as is.
 */
const throughRoot = <Handle, A>(
  reader: Reader<Handle>,
  path: string,
  root: string | undefined,
  use: (through: string) => Now.Now<A, FileMiss | typeof moved>
): Now.Now<A, FileMiss | typeof moved> => {
  // How the lookup joins names to the directory, so a spelling ending in "/" is matched too.
  const prefix = reader.secretsDir.endsWith("/") ? reader.secretsDir : reader.secretsDir + "/"
  if (root === undefined || !path.startsWith(prefix)) return use(path)
  return Now.recover(
    use(root + path.slice(prefix.length)),
    (failure) =>
      failure === noSuchFile
        ? Now.flatMap(currentRoot(reader), (now) => Now.fail(now === root ? noSuchFile : moved))
        : Now.fail(failure)
  )
}

/** Opens `path` and reads it, judged and checked (see `readOpen`). */
const openAndRead = <Handle>(
  reader: Reader<Handle>,
  path: string,
  request: ReadRequest,
  expected: FileStatus | undefined,
  containment: Containment
): Now.Now<SecretFile, FileMiss | typeof moved> => {
  const opened: Opened<Handle> = {
    reader,
    path,
    request,
    expected,
    containment,
    handle: undefined,
    status: undefined
  }
  return reader.access.withOpen(path, readOpen, opened)
}

/** How a try checks containment: not at all, against the configured path, or against the directory resolved first. */
type Plan = typeof unchecked | typeof asConfigured | typeof resolvedFirst
const resolvedFirst = Symbol("resolvedFirst")

/** Where opening could block: the path is judged first, and the open file must be the file judged. */
const readJudgedFirst = <Handle>(
  reader: Reader<Handle>,
  path: string,
  request: ReadRequest,
  plan: Plan
): Now.Now<SecretFile, FileMiss | typeof moved> => {
  const judged = Now.flatMap(
    reader.access.stat(path),
    (status) => judgedBeforeOpen(status, request.contained, reader.maxBytes)
  )
  return plan === resolvedFirst
    ? Now.flatMap(
      besideRoot(reader, judged),
      ([status, root]) =>
        throughRoot(reader, path, root, (through) => openAndRead(reader, through, request, status, root))
    )
    : Now.flatMap(judged, (status) => openAndRead(reader, path, request, status, plan))
}

/**
 * One try: one open of the file, judged, checked against the secrets directory as it resolves during the try, and
 * read; `moved` or a vanished file asks for another try. Only a first try checks against the configured path: a try
 * that follows a change resolves the directory first, and opens the file through that resolution (`throughRoot`).
 */
const readOnce = <Handle>(
  reader: Reader<Handle>,
  path: string,
  request: ReadRequest,
  firstTry: boolean
): Now.Now<SecretFile, FileMiss | typeof moved> => {
  if (request.contained && !reader.namesHandles) return readByRealPath(reader, path, request)
  const plan = !request.contained ? unchecked : firstTry && reader.rootIsConfigured ? asConfigured : resolvedFirst
  if (!reader.access.opensWithoutBlocking) return readJudgedFirst(reader, path, request, plan)
  // A file system that opens without blocking answers at once: the directory first, then the file.
  return plan === resolvedFirst
    ? Now.flatMap(
      currentRoot(reader),
      (root) => throughRoot(reader, path, root, (through) => openAndRead(reader, through, request, undefined, root))
    )
    : openAndRead(reader, path, request, undefined, plan)
}

/**
 * Why nothing was found at a path: a link is a rotation in progress (its target vanished during the read) when it
 * leads somewhere now, and dangling otherwise (both are tried again); a missing secrets directory is said as such. A
 * check that fails fails the read with its miss: a link it could not see must not pass for a missing file.
 */
const whyMissing = <Handle>(
  reader: Reader<Handle>,
  path: string,
  contained: boolean
): Now.Now<FileMiss | typeof dangling, FileMiss> =>
  Now.flatMap(reader.access.isSymbolicLink(path), (isLink) =>
    isLink
      ? Now.map(reader.access.exists(path), (leads) => leads ? vanished : dangling)
      : contained
      ? Now.map(reader.access.exists(reader.secretsDir), (exists) => exists ? noSuchFile : directoryMissing)
      : noSuchFile)

/** A read of `path` and the tries it has left. */
interface Tries<Handle> {
  readonly reader: Reader<Handle>
  readonly path: string
  readonly request: ReadRequest
  readonly changedLeft: number
  readonly danglingLeft: number
}

/** Reads `path`, trying again while the files change under the read or a link dangles (see the limits above). */
const attempt = <Handle>(tries: Tries<Handle>): Now.Now<SecretFile, FileMiss> =>
  Now.recoverWith(
    readOnce(tries.reader, tries.path, tries.request, tries.changedLeft === maxChangedTries),
    afterFailedTry,
    tries
  )

const afterFailedTry = <Handle>(
  failure: FileMiss | typeof moved,
  tries: Tries<Handle>
): Now.Now<SecretFile, FileMiss> =>
  failure === noSuchFile
    ? Now.flatMapWith(whyMissing(tries.reader, tries.path, tries.request.contained), retryOrMiss, tries)
    : retryOrMiss(failure, tries)

const retryOrMiss = <Handle>(
  failure: FileMiss | Retry,
  tries: Tries<Handle>
): Now.Now<SecretFile, FileMiss> => {
  if (!isRetry(failure)) return Now.fail(failure)
  const { changedLeft, danglingLeft } = tries
  if (changedLeft <= 1) return Now.fail(keptChanging)
  if (failure !== dangling) return attempt({ ...tries, changedLeft: changedLeft - 1 })
  return danglingLeft > 1
    ? attempt({ ...tries, changedLeft: changedLeft - 1, danglingLeft: danglingLeft - 1 })
    : Now.fail(danglingLink)
}

/**
 * The file at `path`, read (or only checked) under every rule, or why it was not. A failed open costs an
 * exception, so while a path stays missing (a local run that reads its secrets from the environment passes a
 * missing file on every lookup) a cheap existence check goes first; when the file appears, it is opened and read
 * as usual.
 */
const read = <Handle>(
  reader: Reader<Handle>,
  path: string,
  request: ReadRequest
): Now.Now<SecretFile, FileMiss> => {
  const { access } = reader
  if (access.existsNow !== undefined) {
    const lastMiss = reader.missedLastTime.get(path)
    if (lastMiss !== undefined) {
      // One lstat: of the secrets directory when it was missing (nothing lies under it while nothing is there), else
      // of the path. Anything there now, a dangling link too, is read afresh, and remembered only if missing again.
      if (!access.existsNow(lastMiss.failure === directoryMissing ? reader.secretsDir : path)) return lastMiss
      reader.missedLastTime.delete(path)
    }
  }
  const tries: Tries<Handle> = {
    reader,
    path,
    request,
    changedLeft: maxChangedTries,
    danglingLeft: maxDanglingTries
  }
  return access.existsNow === undefined ? attempt(tries) : Now.recoverWith(attempt(tries), rememberMiss, tries)
}

/**
 * A path found missing is remembered, with the answer it gives while it stays missing (see `read`): only "no such
 * file" and "the secrets directory does not exist", which stay true while nothing is at the path. "A part of the path
 * is not a directory" does not: that part can be removed while the path stays missing.
 */
const rememberMiss = <Handle>(miss: FileMiss, tries: Tries<Handle>): Now.Now<never, FileMiss> => {
  const answer = new Now.Failed(miss)
  if (miss === noSuchFile || miss === directoryMissing) {
    tries.reader.missedLastTime.set(tries.path, answer, tries.path.length)
  }
  return answer
}

/** Reads secret files for one manager, whose secrets directory is `secretsDir` (absolute). */
export const makeFileReader = <Handle>(
  access: FileAccess<Handle>,
  limits: { readonly secretsDir: string; readonly maxBytes: number }
) => {
  const { secretsDir } = limits
  const configured = secretsDir !== "/" && nodePath.posix.resolve(secretsDir) === secretsDir
    ? secretsDir + "/"
    : undefined
  const reader: Reader<Handle> = {
    access,
    secretsDir,
    configured,
    rootIsConfigured: configured !== undefined,
    maxBytes: limits.maxBytes,
    root: undefined,
    namesHandles: true,
    missedLastTime: new BoundedCache({ maxEntries: 4096, maxBytes: 4 * 1024 * 1024 })
  }
  const { changes } = access
  return {
    /**
     * The file at `path`, read (or only checked) under every rule, or why it was not. Call it when the lookup runs:
     * with a synchronous file system it reads at once.
     */
    read: (path: string, request: ReadRequest) => read(reader, path, request),
    listNow: (dir: string) => access.listNow?.(dir),
    /** Change signals for `paths`, when the file system can watch. */
    changes: changes && ((paths: ReadonlyArray<string>) => changes(paths, limits.secretsDir))
  }
}

/** The reader one manager uses. */
export type FileReader = ReturnType<typeof makeFileReader>
