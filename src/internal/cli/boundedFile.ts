/**
 * A file named on the command line (`stored-secret --from-file`, `run --dotenv`), read as the library reads a
 * secret file (docs/security.md, S4 and S14): only a regular file, opened without blocking, so a FIFO or a device
 * swapped in after the check never holds the command, and never more than a cap, whatever `stat` said (a file may
 * grow; a kernel file says 0 and holds megabytes). A refusal is an error with a `code`, as Node's own are, so one
 * message names both.
 */
import * as fs from "node:fs"

/** How much of a file a command takes, and how its refusal says so ("larger than a Secret's 1 MiB"). */
export interface FileCap {
  readonly maxBytes: number
  readonly tooLarge: string
}

const notRegular = "not a regular file"

/** A refusal of a file named on the command line: its reason as `code`, as Node's errors carry theirs. */
export const refusal = (code: string) => Object.assign(new Error(), { code })

/**
 * At most the cap of an open file, or a refusal. The buffer starts at the size `fstat` gives, one byte more to see the
 * end (4 KiB when it says 0), and grows to the cap and one byte only while the file has more.
 */
const readOpen = (fd: number, cap: FileCap): Uint8Array => {
  const status = fs.fstatSync(fd)
  if (!status.isFile()) throw refusal(notRegular)
  let buffer = new Uint8Array(Math.min(status.size > 0 ? status.size + 1 : 4096, cap.maxBytes + 1))
  let length = 0
  for (;;) {
    const read = fs.readSync(fd, buffer, length, buffer.length - length, null)
    length += read
    if (read === 0) return buffer.slice(0, length)
    if (length > cap.maxBytes) throw refusal(cap.tooLarge)
    if (length === buffer.length) {
      const grown = new Uint8Array(Math.min(buffer.length * 2, cap.maxBytes + 1))
      grown.set(buffer)
      buffer = grown
    }
  }
}

/**
 * The bytes of the regular file at `file`, within `cap`. Anything else is refused before it is opened; the file
 * opened is checked again (it may have been replaced since). Throws Node's error, or a refusal with its reason as
 * `code`.
 */
export const readBoundedFile = (file: string, cap: FileCap): Uint8Array => {
  const stat = fs.statSync(file)
  if (!stat.isFile()) throw refusal(notRegular)
  if (stat.size > cap.maxBytes) throw refusal(cap.tooLarge)
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY)
  try {
    return readOpen(fd, cap)
  } finally {
    fs.closeSync(fd)
  }
}

/** What to do about a file the command could not read, by its error's code ("" when the code says it all). */
export const adviceFor = (code: string | undefined): string => {
  switch (code) {
    case notRegular:
      return " Name a regular file: a folder, a FIFO or a device is never read."
    case "EACCES":
    case "EPERM":
      return " You may not read it: check its permissions, or name a file you can read."
    case "ENOTDIR":
      return " A part of its path is not a folder: check the path."
    case "ELOOP":
      return " Its path loops through symbolic links: name the file itself."
    case "ENAMETOOLONG":
      return " Its path is longer than the system takes."
    default:
      return ""
  }
}
