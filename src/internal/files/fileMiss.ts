/**
 * Why a secret file was not read: one table turns system error codes, `PlatformError` reasons and file types into
 * the words a user reads. A miss names the problem, never file bytes.
 */
import type * as FileSystem from "effect/FileSystem"
import type { PlatformError } from "effect/PlatformError"

/**
 * Why a file was not read. `missing`: nothing is at the path (the lookup moves on and says "no such file");
 * `refused`: something is there but may not be read. `vanished`: it was there a moment ago (a rotation in
 * progress), so the read is tried again.
 */
export interface FileMiss {
  readonly outcome: "missing" | "refused"
  readonly reason: string
  readonly vanished?: true
  /**
   * The failure says nothing of what the place holds (the system or the device failed, or a rotation outlasted every
   * retry): the lookup ends there, so no later place answers instead of the secret the place may hold.
   */
  readonly endsLookup?: true
}

const refused = (reason: string): FileMiss => ({ outcome: "refused", reason })

const endingLookup = (reason: string): FileMiss => ({ outcome: "refused", reason, endsLookup: true })

/** A system error that says nothing of the file, in the words a user reads. */
const systemFailed = (code: string, what: string): FileMiss =>
  endingLookup(`could not be read: ${what} (${code}); no later place was tried`)

export const noSuchFile: FileMiss = { outcome: "missing", reason: "no such file" }
export const directoryMissing: FileMiss = { outcome: "missing", reason: "the secrets directory does not exist" }
export const vanished: FileMiss = { outcome: "missing", reason: "no such file", vanished: true }
export const outsideSecretsDirectory = refused(
  "resolves outside the secrets directory (a symbolic link leads out of it)"
)
export const secretsDirectoryIsRoot = refused(
  "lies under a secrets directory that resolves to / (a link to the root): no file is read from it; point " +
    "FLYTE_SECRETS_DEFAULT_DIR at the directory that holds the secret files"
)
export const keptChanging = endingLookup("kept changing while being read (tried several times)")
export const danglingLink = endingLookup(
  "is a symbolic link whose target is missing (or kept being replaced while being read)"
)
export const processOutOfDescriptors = endingLookup(
  "could not be opened: this process has too many files open (EMFILE); no later place was tried"
)
export const systemOutOfDescriptors = endingLookup(
  "could not be opened: the system has too many files open (ENFILE); no later place was tried"
)

/**
 * The reasons for system error codes, as `node:fs` reports them. Only the codes that say what is at the path (nothing,
 * or something that may not be read) let the lookup go on; every other code, these and any the table does not know,
 * ends it.
 */
const codeReasons: Readonly<Record<string, FileMiss>> = {
  ENOENT: noSuchFile,
  ENOTDIR: { outcome: "missing", reason: "a part of the path is not a directory" },
  EACCES: refused("permission denied"),
  EPERM: refused("permission denied"),
  ELOOP: refused("too many levels of symbolic links"),
  ENAMETOOLONG: refused("the path is too long"),
  EISDIR: refused("is a directory"),
  // open(2) of a Unix socket fails with ENXIO, of a device whose driver is absent with ENXIO or ENODEV.
  ENXIO: refused("is a socket or a device without a driver, not a regular file"),
  ENODEV: refused("is a device without a driver, not a regular file"),
  EMFILE: processOutOfDescriptors,
  ENFILE: systemOutOfDescriptors,
  EIO: systemFailed("EIO", "the device failed"),
  ENOMEM: systemFailed("ENOMEM", "the system is out of memory"),
  // A non-blocking open of a file another process holds a lease on fails with EAGAIN (EWOULDBLOCK).
  EAGAIN: systemFailed("EAGAIN", "another process holds a lease on it, or the system is short of resources"),
  EWOULDBLOCK: systemFailed("EWOULDBLOCK", "another process holds a lease on it"),
  EINTR: systemFailed("EINTR", "a signal interrupted the read"),
  EBUSY: systemFailed("EBUSY", "it is busy"),
  ESTALE: systemFailed("ESTALE", "the network file system lost track of it"),
  ETIMEDOUT: systemFailed("ETIMEDOUT", "the file system did not answer in time")
}

const saysNothing = (code: string): FileMiss => systemFailed(code, "an error that says nothing of the file")

/** The miss for a system error code. */
export const missOfCode = (code: string | undefined): FileMiss =>
  (code !== undefined && Object.hasOwn(codeReasons, code) && codeReasons[code]) || saysNothing(code ?? "no error code")

/**
 * The miss for a system error code from a call on a file already open (its status, a read, its close): the path led
 * to a file, so only a refusal to read it says what the place holds. Any other code (even ENOENT or ELOOP, which would
 * say the place is empty or a link loop when opening it) ends the lookup.
 */
export const missOfHandleCode = (code: string | undefined): FileMiss =>
  code === "EACCES" || code === "EPERM" ? codeReasons[code]! : missOfDescriptorName(code)

/**
 * The miss for a failure to name an open descriptor (`/proc/self/fd`): whatever its code, even EACCES, it is about
 * the system's view of the descriptor, not the file, and ends the lookup.
 */
export const missOfDescriptorName = (code: string | undefined): FileMiss => {
  const miss = missOfCode(code)
  return miss.endsLookup === true ? miss : saysNothing(code!)
}

/** `PlatformError` reasons that say what is at the path, when they carry no system code. */
const placeReasons: ReadonlySet<string> = new Set(["NotFound", "PermissionDenied", "BadResource"])

/** The system error code a `PlatformError` carries in its cause, when it carries one. */
export const codeOf = (error: PlatformError): string | undefined => {
  const code = (error.reason.cause as NodeJS.ErrnoException | undefined)?.code
  return typeof code === "string" ? code : undefined
}

/**
 * The miss for a `PlatformError` from a `FileSystem`: its system code when it carries one, else its reason. A reason
 * that says nothing of the file (`Busy`, `TimedOut`, `Unknown`, ...) ends the lookup, as such a code does. On a file
 * already open (`onHandle`), only a refusal to read it goes on (see `missOfHandleCode`).
 */
export const missOfPlatformError = (error: PlatformError, onHandle = false): FileMiss => {
  const tag = error.reason._tag
  if (tag === "PermissionDenied") return codeReasons["EACCES"]!
  if (onHandle) return missOfHandleCode(codeOf(error) ?? tag)
  if (tag === "NotFound") return noSuchFile
  const code = codeOf(error)
  if (code !== undefined) return missOfCode(code)
  return placeReasons.has(tag) ? refused(`could not be read (${tag})`) : saysNothing(tag)
}

const typeReasons: Readonly<Record<FileSystem.File.Type, FileMiss | undefined>> = {
  File: undefined,
  Directory: refused("is a directory"),
  FIFO: refused("is a FIFO (named pipe), not a regular file"),
  Socket: refused("is a socket, not a regular file"),
  CharacterDevice: refused("is a character device, not a regular file"),
  BlockDevice: refused("is a block device, not a regular file"),
  SymbolicLink: refused("is a symbolic link that could not be followed"),
  Unknown: refused("is not a regular file")
}

/** Why an entry of this type is not read, or `undefined` for a regular file. */
export const missOfType = (type: FileSystem.File.Type): FileMiss | undefined => typeReasons[type]

/** The miss for a file over the size cap, by the size known (from `fstat`, or the bytes read of a pseudo-file). */
export const tooLarge = (size: number, maxBytes: number, sizeKnown: boolean): FileMiss =>
  refused(
    `${sizeKnown ? `is ${size} bytes` : `holds more than ${maxBytes} bytes`}, over the ${maxBytes}-byte limit ` +
      "(raise FLYTE_SECRETS_MAX_FILE_BYTES if it is meant to be this large)"
  )

/** A contained file over a file system that gives no link count: a second name, outside, cannot be ruled out. */
export const linksUnknown = refused(
  "cannot be checked: the file system does not report link counts (a hard link could lead out of the secrets " +
    "directory)"
)

/** The miss for a file with several names: another name could be outside the secrets directory. */
export const hardLinked = (links: number): FileMiss =>
  refused(`has ${links} hard links (a secret file has exactly one name, so none can lead out of its directory)`)

/** Whether a miss says that a directory is where a file was looked for. */
export const isDirectoryMiss = (miss: FileMiss): boolean => miss.reason === typeReasons.Directory!.reason
