/**
 * An in-memory `FileSystem` for tests: a record of absolute paths to contents. Directories are the paths'
 * ancestors. Nothing touches the disk.
 */
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as PlatformError from "effect/PlatformError"
import * as path from "node:path"
import { fileInfo, makeReadOnlyFile } from "./readOnlyFile.ts"

const notFound = (method: string, file: string) =>
  PlatformError.systemError({
    _tag: "NotFound",
    module: "FileSystem",
    method,
    description: "ENOENT",
    pathOrDescriptor: file
  })

const encoder = new TextEncoder()

/** A `FileSystem` whose files are `files` (absolute path to text or bytes). */
export const makeMemoryFileSystem = (
  files: Readonly<Record<string, string | Uint8Array>>
): FileSystem.FileSystem => {
  const contents = new Map<string, Uint8Array>()
  const directories = new Set<string>()
  for (const [file, content] of Object.entries(files)) {
    if (!path.posix.isAbsolute(file)) {
      throw new TypeError(`Test file paths must be absolute: ${JSON.stringify(file)}`)
    }
    const normalized = path.posix.normalize(file)
    contents.set(normalized, typeof content === "string" ? encoder.encode(content) : content)
    for (let dir = path.posix.dirname(normalized); !directories.has(dir); dir = path.posix.dirname(dir)) {
      directories.add(dir)
      if (dir === "/") break
    }
  }
  const inodes = [...directories, ...contents.keys()]

  const lookup = (method: string, file: string) =>
    Effect.suspend(() => {
      const normalized = path.posix.normalize(file)
      const content = contents.get(normalized)
      const type: FileSystem.File.Type | undefined = content !== undefined
        ? "File"
        : directories.has(normalized)
        ? "Directory"
        : undefined
      return type === undefined
        ? Effect.fail(notFound(method, file))
        : Effect.succeed({
          path: normalized,
          content: content ?? new Uint8Array(0),
          info: fileInfo({ type, size: content?.length ?? 0, dev: 0, ino: inodes.indexOf(normalized) + 1, mode: 0o400 })
        })
    })

  return FileSystem.makeNoop({
    open: (file) =>
      Effect.map(
        lookup("open", file),
        (entry) =>
          makeReadOnlyFile(Effect.succeed(entry.info), (buffer, position) =>
            Effect.sync(() => {
              const chunk = entry.content.subarray(position, position + buffer.length)
              buffer.set(chunk)
              return chunk.length
            }))
      ),
    stat: (file) => Effect.map(lookup("stat", file), (entry) => entry.info),
    realPath: (file) => Effect.map(lookup("realPath", file), (entry) => entry.path)
  })
}
