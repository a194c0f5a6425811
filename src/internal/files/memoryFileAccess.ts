/**
 * The test layer's files: a record of absolute paths to contents, in memory, read through the same algorithm as
 * real files. Directories are the paths' ancestors; there are no links, FIFOs or devices. Nothing touches the disk,
 * and every operation answers at once with a plain value (a lookup over it needs no fiber), so the sync facade works
 * over it.
 */
import { path } from "../nodeBuiltins.ts"
import * as Now from "../now.ts"
import type { FileAccess, FileStatus } from "./fileAccess.ts"
import { noSuchFile } from "./fileMiss.ts"

interface Entry {
  readonly path: string
  readonly content: Uint8Array
  readonly status: FileStatus
}

/** An open in-memory file: the entry and how far it was read. */
interface Handle {
  readonly entry: Entry
  position: number
}

const encoder = new TextEncoder()

/** File access over `files` (absolute path to text or bytes). */
export const memoryFileAccess = (files: Readonly<Record<string, string | Uint8Array>>): FileAccess<Handle> => {
  const entries = new Map<string, Entry>()
  const add = (file: string, type: "File" | "Directory", content: Uint8Array) => {
    const status: FileStatus = { type, size: content.length, links: 1, dev: 0n, ino: BigInt(entries.size + 1) }
    entries.set(file, { path: file, content, status })
  }
  for (const [file, content] of Object.entries(files)) {
    if (!path.posix.isAbsolute(file)) throw new TypeError(`Test file paths must be absolute: ${JSON.stringify(file)}`)
    add(path.posix.normalize(file), "File", typeof content === "string" ? encoder.encode(content) : content)
  }
  for (const file of [...entries.keys()]) {
    for (let dir = path.posix.dirname(file); !entries.has(dir); dir = path.posix.dirname(dir)) {
      add(dir, "Directory", new Uint8Array(0))
    }
  }
  // Paths the library builds are already normal: the exact path first, normalised only when it is not found.
  const find = (file: string): Entry | undefined => entries.get(file) ?? entries.get(path.posix.normalize(file))
  const missing = Now.fail(noSuchFile)

  return {
    opensWithoutBlocking: true,
    handlePath: (handle) => handle.entry.path,
    withOpen: (file, use, context) => {
      const entry = find(file)
      return entry === undefined ? missing : use({ entry, position: 0 }, context)
    },
    fstat: (handle) => handle.entry.status,
    read: (handle, buffer, offset) => {
      const { content } = handle.entry
      const count = Math.min(content.length - handle.position, buffer.length - offset)
      // A whole file read at once (the usual read) is copied without a view of it.
      buffer.set(
        count === content.length ? content : content.subarray(handle.position, handle.position + count),
        offset
      )
      handle.position += count
      return count
    },
    stat: (file) => find(file)?.status ?? missing,
    // There are no links: a path's own status is what it leads to.
    lstat: (file) => find(file)?.status ?? missing,
    realPath: (file) => find(file)?.path ?? missing,
    exists: (file) => find(file) !== undefined,
    isSymbolicLink: () => false,
    listNow: (dir) => {
      const parent = path.posix.normalize(dir)
      const names = [...entries.keys()].filter((file) => file !== parent && path.posix.dirname(file) === parent)
      return find(parent)?.status.type === "Directory" ? names.map((file) => path.posix.basename(file)) : undefined
    }
  }
}
