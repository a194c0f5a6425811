/**
 * The real path of an open descriptor, as Linux names it in `/proc/self/fd`: what containment is checked against,
 * so the verdict is bound to the file actually opened.
 */
import * as fs from "node:fs"
import type { FileStatus } from "./fileAccess.ts"

const descriptorDirectory = "/proc/self/fd/"

/** Whether this platform names an open descriptor's real path. */
export const namesDescriptors = process.platform === "linux" && fs.existsSync(descriptorDirectory)

/** The real path of descriptor `fd` of this process (which must be open). */
export const descriptorPath = (fd: number): string => fs.readlinkSync(descriptorDirectory + fd)

/**
 * The real path of `fd` when it is this process's descriptor of the file `opened` describes, else `undefined`. A
 * `FileSystem`'s handle may carry a descriptor number that is not the operating system's (an in-memory one): only
 * when the system's own `fstat` of that number finds the same device and inode is its path the file's.
 */
export const verifiedDescriptorPath = (fd: unknown, opened: FileStatus): string | undefined => {
  if (!namesDescriptors || typeof fd !== "number" || opened.ino === undefined) return undefined
  try {
    const stats = fs.fstatSync(fd, { bigint: true })
    return stats.dev === opened.dev && stats.ino === opened.ino ? descriptorPath(fd) : undefined
  } catch {
    return undefined
  }
}
