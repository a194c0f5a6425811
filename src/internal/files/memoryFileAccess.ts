/**
 * The test layer's files: a record of absolute paths to contents, in memory, read through the same algorithm as
 * real files. Directories are the paths' ancestors; there are no links, FIFOs or devices. Nothing touches the disk,
 * and every operation completes at once (an `Exit`, so the read algorithm's eager steps never reach the fiber runtime),
 * so the sync facade works over it.
 */
import * as Effect from "effect/Effect"
import { path } from "../nodeBuiltins.ts"
import type { FileAccess, FileStatus } from "./fileAccess.ts"
import { noSuchFile } from "./fileMiss.ts"

interface Entry {
  readonly path: string
  readonly content: Uint8Array
  readonly status: FileStatus
  /** `status` and `path` as answers, made once: a step of a read allocates nothing for them. */
  readonly statusNow: Effect.Effect<FileStatus>
  readonly pathNow: Effect.Effect<string>
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
    entries.set(file, {
      path: file,
      content,
      status,
      statusNow: Effect.succeed(status),
      pathNow: Effect.succeed(file)
    })
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
  const missing = Effect.fail(noSuchFile)

  return {
    opensWithoutBlocking: true,
    handlePath: (handle) => handle.entry.pathNow,
    withOpen: (file, use) => {
      const entry = find(file)
      return entry === undefined ? missing : use({ entry, position: 0 })
    },
    fstat: (handle) => handle.entry.statusNow,
    read: (handle, buffer, offset) => {
      const chunk = handle.entry.content.subarray(handle.position, handle.position + buffer.length - offset)
      buffer.set(chunk, offset)
      handle.position += chunk.length
      return Effect.succeed(chunk.length)
    },
    stat: (file) => find(file)?.statusNow ?? missing,
    // There are no links: a path's own status is what it leads to.
    lstat: (file) => find(file)?.statusNow ?? missing,
    realPath: (file) => find(file)?.pathNow ?? missing,
    exists: (file) => Effect.succeed(find(file) !== undefined),
    isSymbolicLink: () => Effect.succeed(false),
    listNow: (dir) => {
      const parent = path.posix.normalize(dir)
      const names = [...entries.keys()].filter((file) => file !== parent && path.posix.dirname(file) === parent)
      return find(parent)?.status.type === "Directory" ? names.map((file) => path.posix.basename(file)) : undefined
    }
  }
}
