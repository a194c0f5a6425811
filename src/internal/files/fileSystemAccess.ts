/**
 * File access through any Effect `FileSystem` (what `SecretsManager.layerNoDeps` is given). A `FileSystem` cannot
 * open without blocking nor name an open file's real path, so the read algorithm `stat`s before opening and checks
 * containment by real path and device/inode. Every answer is `Later`: an effect that runs when the read runs.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type { PlatformError } from "effect/PlatformError"
import * as Scope from "effect/Scope"
import * as Now from "../now.ts"
import { platformNodeFilePath } from "./descriptorPath.ts"
import type { FileAccess, FileStatus } from "./fileAccess.ts"
import { codeOf, missOfPlatformError } from "./fileMiss.ts"

const statusOf = (info: FileSystem.File.Info): FileStatus => ({
  type: info.type,
  size: Number(info.size),
  links: Option.match(info.nlink, { onNone: () => undefined, onSome: Number }),
  dev: info.dev,
  ino: Option.getOrUndefined(info.ino)
})

const missOf = <A, R>(effect: Effect.Effect<A, PlatformError, R>) =>
  Effect.mapError(effect, (error) => missOfPlatformError(error))

const orMiss = <A>(effect: Effect.Effect<A, PlatformError>) => Now.later(missOf(effect))

/** A call on an open file: only a refusal to read it goes on (see `missOfHandleCode`). */
const onHandle = <A>(effect: Effect.Effect<A, PlatformError>) =>
  Now.later(Effect.mapError(effect, (error) => missOfPlatformError(error, true)))

/**
 * Whether a check answered "nothing there" (`NotFound`, ENOENT, ENOTDIR), or, for `readLink`, "not a link" (EINVAL, or
 * `BadResource` without a code): any other failure is the check's miss, so a failing check never passes for an answer.
 */
const answeredNo = (error: PlatformError, notALink: boolean): boolean => {
  const code = codeOf(error)
  if (notALink && (code === "EINVAL" || (code === undefined && error.reason._tag === "BadResource"))) return true
  return missOfPlatformError(error).outcome === "missing"
}

const checked = (effect: Effect.Effect<unknown, PlatformError>, notALink: boolean) =>
  Now.later(Effect.matchEffect(effect, {
    onFailure: (error) => answeredNo(error, notALink) ? Effect.succeed(false) : Effect.fail(missOfPlatformError(error)),
    onSuccess: () => Effect.succeed(true)
  }))

/** The read algorithm's file access over `fileSystem`. */
export const fileSystemAccess = (fileSystem: FileSystem.FileSystem): FileAccess<FileSystem.File> => ({
  opensWithoutBlocking: false,
  // Any other file system's files fall back to the real path of the name.
  handlePath: (file, opened) => platformNodeFilePath(file, opened),
  withOpen: (path, use, context) =>
    // An open that blocks (a FIFO swapped in after the stat) must not hold the read: it runs in a fiber of its own,
    // which the read stops waiting for when interrupted; a file it opens later is closed with this scope. The fiber
    // starts at once, so a synchronous file system's open completes here, with no scheduling in between.
    Now.later(Effect.scopedWith((scope) =>
      Effect.flatMap(
        Effect.forkDetach(Scope.provide(missOf(fileSystem.open(path, { flag: "r" })), scope), {
          startImmediately: true
        }),
        (opening) => Effect.flatMap(Fiber.join(opening), (file) => Now.toEffect(use(file, context)))
      )
    )),
  fstat: (file) => Now.map(onHandle(file.stat), statusOf),
  read: (file, buffer, offset) => onHandle(file.read(buffer.subarray(offset))),
  stat: (path) => Now.map(orMiss(fileSystem.stat(path)), statusOf),
  lstat: (path) => Now.map(orMiss(fileSystem.lstat(path)), statusOf),
  realPath: (path) => orMiss(fileSystem.realPath(path)),
  // Through `stat`, which every file system the reader works with has (`FileSystem.makeNoop`'s `exists` is false).
  exists: (path) => checked(fileSystem.stat(path), false),
  isSymbolicLink: (path) => checked(fileSystem.readLink(path), true)
})
