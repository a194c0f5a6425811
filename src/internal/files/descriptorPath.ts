/**
 * The real path of an open descriptor, as Linux names it in `/proc/self/fd`: what containment is checked against,
 * so the verdict is bound to the file actually opened.
 */
import { fs } from "../nodeBuiltins.ts"
import type { FileStatus } from "./fileAccess.ts"

const descriptorDirectory = "/proc/self/fd/"

/** Whether this platform names an open descriptor's real path. */
export const namesDescriptors = process.platform === "linux" && fs.existsSync(descriptorDirectory)

/** The real path of descriptor `fd` of this process (which must be open). */
export const descriptorPath = (fd: number): string => fs.readlinkSync(descriptorDirectory + fd)

/**
 * The real path of an open `@effect/platform-node` file, whose descriptor it keeps as `fd`, or `undefined` for any
 * other file system's file. Another file system's file may carry an `fd` that is not the operating system's (an
 * in-memory one): the number is trusted only when the system's own `fstat` of it finds the device and inode that
 * `opened` (the file's `stat`) gave.
 */
export const platformNodeFilePath = (file: object, opened: FileStatus): string | undefined => {
  const fd = (file as { readonly fd?: unknown }).fd
  if (!namesDescriptors || typeof fd !== "number" || opened.ino === undefined) return undefined
  try {
    const stats = fs.fstatSync(fd, { bigint: true })
    return stats.dev === opened.dev && stats.ino === opened.ino ? descriptorPath(fd) : undefined
  } catch {
    return undefined
  }
}
