/**
 * The parts the library's two FileSystems share: a read-only `FileSystem.File` over a read function, and the
 * `File.Info` built from the few stat fields the secret reader needs.
 */
import * as ByteSize from "effect/ByteSize"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import * as PlatformError from "effect/PlatformError"

/** The stat fields a secret read depends on: what the entry is, how large, and which inode it is. */
export interface StatFields {
  readonly type: FileSystem.File.Type
  readonly size: number
  readonly dev: number
  readonly ino: number
  readonly mode: number
}

export const fileInfo = (stat: StatFields): FileSystem.File.Info => ({
  type: stat.type,
  mtime: Option.none(),
  atime: Option.none(),
  birthtime: Option.none(),
  dev: BigInt(stat.dev),
  ino: Option.some(BigInt(stat.ino)),
  mode: stat.mode,
  nlink: Option.none(),
  uid: Option.none(),
  gid: Option.none(),
  rdev: Option.none(),
  size: ByteSize.bytes(stat.size),
  blksize: Option.none(),
  blocks: Option.none()
})

const readOnly = (method: string) =>
  Effect.fail(PlatformError.badArgument({ module: "FileSystem", method, description: "the file is open read-only" }))

/**
 * A read-only file: `read` fills `buffer` from `position` and returns the byte count (0 at the end). The cursor
 * is kept here so both file systems share one implementation.
 */
export const makeReadOnlyFile = (
  stat: Effect.Effect<FileSystem.File.Info, PlatformError.PlatformError>,
  read: (buffer: Uint8Array, position: number) => Effect.Effect<number, PlatformError.PlatformError>
): FileSystem.File => {
  let cursor = 0
  const readAt = (buffer: Uint8Array, options?: FileSystem.File.ReadOptions) => {
    if (options?.position !== undefined) return read(buffer, Number(options.position))
    return Effect.map(read(buffer, cursor), (count) => {
      cursor += count
      return count
    })
  }
  return {
    [FileSystem.FileTypeId]: FileSystem.FileTypeId,
    stat,
    seek: (offset, from) =>
      Effect.sync(() => {
        cursor = from === "start" ? Number(offset) : cursor + Number(offset)
        return BigInt(cursor)
      }),
    sync: Effect.void,
    read: readAt,
    readAlloc: (size, options) => {
      const buffer = new Uint8Array(size)
      return Effect.map(
        readAt(buffer, options),
        (count) => count === 0 ? Option.none() : Option.some(buffer.subarray(0, count))
      )
    },
    truncate: () => readOnly("truncate"),
    write: () => readOnly("write"),
    writeAll: () => readOnly("writeAll")
  }
}
