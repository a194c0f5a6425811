/**
 * What the one secret-file read algorithm (`fileReader.ts`) asks of a file system. Three implementations: Node's
 * synchronous `fs` directly (`nodeFileAccess.ts`, the live layer), the test layer's in-memory files
 * (`memoryFileAccess.ts`), and any Effect `FileSystem` (`fileSystemAccess.ts`, for `layerNoDeps`). Operations are
 * called when a read runs; a synchronous implementation does its work when called and answers with the value or a
 * `Failed`, an effectful one answers `Later`: the algorithm is written over `Now`, which is correct for both.
 */
import type * as FileSystem from "effect/FileSystem"
import type { Now } from "../now.ts"
import type { ChangeSignals } from "../watch/watchValues.ts"
import type { FileMiss } from "./fileMiss.ts"

/** What `fstat` or `stat` tells about an entry: enough to judge it, and which file it is. */
export interface FileStatus {
  readonly type: FileSystem.File.Type
  readonly size: number
  /** Hard links; `undefined` when the file system does not say. */
  readonly links: number | undefined
  /** Device and inode: compared only with those the same file access gave (both numbers, or both bigints). */
  readonly dev: number | bigint
  /** `undefined` when the file system cannot identify files. */
  readonly ino: number | bigint | undefined
}

/** The operations the read algorithm needs, over some kind of open file `Handle`. */
export interface FileAccess<Handle> {
  /**
   * Whether `withOpen` opens without blocking (a FIFO or device returns at once). When not, the algorithm `stat`s a
   * path and refuses anything but a regular file before opening it.
   */
  readonly opensWithoutBlocking: boolean
  /**
   * The real path of what an open handle refers to (on Linux `/proc/self/fd/N` names it), or `undefined` when it
   * cannot tell: then containment is checked by the path's real path and a device/inode comparison.
   */
  readonly handlePath: (handle: Handle, opened: FileStatus) => Now<string | undefined, FileMiss>
  /**
   * Opens `path` read-only, runs `use` with the handle and `context` (what it needs, so that a top-level `use` makes
   * no closure per read), and closes the handle however `use` ends.
   */
  readonly withOpen: <A, E, C>(
    path: string,
    use: (handle: Handle, context: C) => Now<A, E>,
    context: C
  ) => Now<A, E | FileMiss>
  readonly fstat: (handle: Handle) => Now<FileStatus, FileMiss>
  /** Reads into `buffer` from `offset` to its end, at the handle's position; 0 at the end of the file. */
  readonly read: (handle: Handle, buffer: Uint8Array, offset: number) => Now<number, FileMiss>
  /** The status of what `path` leads to, links followed. */
  readonly stat: (path: string) => Now<FileStatus, FileMiss>
  /** The status of `path` itself: a link is not followed. */
  readonly lstat: (path: string) => Now<FileStatus, FileMiss>
  readonly realPath: (path: string) => Now<string, FileMiss>
  /**
   * Whether something exists at `path`, links followed: false only when nothing is there (ENOENT, ENOTDIR); a check
   * that failed for another reason fails with its miss, never passing for an answer.
   */
  readonly exists: (path: string) => Now<boolean, FileMiss>
  /** Whether `path` itself is a symbolic link (its target may be missing); fails as `exists` does. */
  readonly isSymbolicLink: (path: string) => Now<boolean, FileMiss>
  /**
   * Whether an open is worth trying, answered at once without an exception: false only when nothing, not even a
   * dangling link, is at the path (an open would find a dangling link missing, and the reader must see the link), so a
   * check that failed for another reason leaves the open to say why. Only a synchronous file system has it. The reader
   * asks it only for paths that were missing last time (or for the secrets directory, when that was), never to decide
   * what to read.
   */
  readonly existsNow?: (path: string) => boolean
  /**
   * Some names in a directory, answered at once (for "did you mean" hints when an error's message is read); only a
   * synchronous file system has it.
   */
  readonly listNow?: (dir: string) => ReadonlyArray<string> | undefined
  /**
   * Signals that the files at `paths` may have changed, from watches set up in the caller's scope; `secretsDir`
   * bounds how far up a watch may move while a file's directory does not exist yet. Only a file system that can
   * watch has it: `watch` polls the others.
   */
  readonly changes?: (paths: ReadonlyArray<string>, secretsDir: string) => ChangeSignals
}
