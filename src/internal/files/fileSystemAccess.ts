/**
 * File access through any Effect `FileSystem` (what `SecretsManager.layerNoDeps` is given, and `layerTest`'s
 * in-memory one). A `FileSystem` cannot open without blocking nor name an open file's real path, so the read
 * algorithm `stat`s before opening and checks containment by real path and device/inode.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type { PlatformError } from "effect/PlatformError"
import * as Scope from "effect/Scope"
import { platformNodeFilePath } from "./descriptorPath.ts"
import type { FileAccess, FileStatus } from "./fileAccess.ts"
import { missOfPlatformError } from "./fileMiss.ts"

const statusOf = (info: FileSystem.File.Info): FileStatus => ({
  type: info.type,
  size: Number(info.size),
  links: Option.match(info.nlink, { onNone: () => undefined, onSome: Number }),
  dev: info.dev,
  ino: Option.getOrUndefined(info.ino)
})

const orMiss = <A, R>(effect: Effect.Effect<A, PlatformError, R>) => Effect.mapError(effect, missOfPlatformError)

/** The read algorithm's file access over `fileSystem`. */
export const fileSystemAccess = (fileSystem: FileSystem.FileSystem): FileAccess<FileSystem.File> => ({
  opensWithoutBlocking: false,
  // Any other file system's files fall back to the real path of the name.
  handlePath: (file, opened) => Effect.succeed(platformNodeFilePath(file, opened)),
  withOpen: (path, use) =>
    Effect.scoped(Effect.gen(function*() {
      const scope = yield* Effect.scope
      // An open that blocks (a FIFO swapped in after the stat) must not hold the read: it runs in a fiber of its own,
      // which the read stops waiting for when interrupted; a file it opens later is closed with this scope. The fiber
      // starts at once, so a synchronous file system's open completes here, with no scheduling in between.
      const opening = yield* Effect.forkDetach(Scope.provide(orMiss(fileSystem.open(path, { flag: "r" })), scope), {
        startImmediately: true
      })
      return yield* use(yield* Fiber.join(opening))
    })),
  fstat: (file) => Effect.map(orMiss(file.stat), statusOf),
  read: (file, buffer, offset) => orMiss(file.read(buffer.subarray(offset))),
  stat: (path) => Effect.map(orMiss(fileSystem.stat(path)), statusOf),
  lstat: (path) => Effect.map(orMiss(fileSystem.lstat(path)), statusOf),
  realPath: (path) => orMiss(fileSystem.realPath(path)),
  // Through `stat`, which every file system the reader works with has (`FileSystem.makeNoop`'s `exists` is false).
  exists: (path) =>
    Effect.matchEffect(fileSystem.stat(path), {
      onFailure: () => Effect.succeed(false),
      onSuccess: () => Effect.succeed(true)
    }),
  isSymbolicLink: (path) =>
    Effect.matchEffect(fileSystem.readLink(path), {
      onFailure: () => Effect.succeed(false),
      onSuccess: () => Effect.succeed(true)
    })
})
