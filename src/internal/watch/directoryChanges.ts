/**
 * Change signals from the disk, for the live layer: Node's `fs.watch` on the DIRECTORY of each file a lookup may
 * read, never on the file. The kubelet publishes a new version of a Secret volume by writing a new timestamped
 * directory, renaming a `..data_tmp` link over `..data` and deleting the old directory; a watch on the file follows
 * the link to one inode and goes silent after the first swap, while its directory sees every swap as an event for
 * `..data`. An event for the file's own name is a plain file created, replaced or rewritten (Vault Agent, a local
 * edit). Every watch is a hint only: the poll in `watchValues` still runs, so a watch that fails, errors or is never
 * opened costs promptness, never correctness.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { isPathInside } from "../lookup/naming.ts"
import { fs, path } from "../nodeBuiltins.ts"
import type { ChangeSignals } from "./watchValues.ts"

/** The link the kubelet swaps to publish a new version of a Secret volume's files. */
const swapLink = "..data"

// One swap is about five events (the new directory, `..data_tmp` created and renamed over `..data`, the old
// directory removed): they make one signal, sent once the directory has been quiet this long.
const quietPeriod = Duration.millis(50)

/** A file to watch, and the highest directory its watch may climb to while the file's own directory is missing. */
interface WatchedFile {
  readonly file: string
  readonly highest: string
}

/** Where a file's changes can be seen now: a directory, and the entry names that concern the file there. */
interface Vantage {
  readonly dir: string
  readonly names: ReadonlyArray<string>
}

const isDirectory = (dir: string): boolean => {
  try {
    return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true
  } catch {
    return false
  }
}

/**
 * The file's directory when it exists (its name and `..data` concern it there); otherwise the nearest existing
 * directory on its way, no higher than `highest`, where the next directory toward the file will appear. `undefined`
 * when none exists: the poll alone covers the file.
 */
const vantageOf = ({ file, highest }: WatchedFile): Vantage | undefined => {
  let dir = path.posix.dirname(file)
  if (isDirectory(dir)) return { dir, names: [path.posix.basename(file), swapLink] }
  while (dir !== highest && dir !== "/") {
    const name = path.posix.basename(dir)
    dir = path.posix.dirname(dir)
    if (isDirectory(dir)) return { dir, names: [name] }
  }
  return undefined
}

/**
 * Watches that call `signal` when one of `files` may have changed: at most one per distinct directory, moved when a
 * missing directory appears or a watched one is removed.
 */
const watchDirectories = (files: ReadonlyArray<WatchedFile>, signal: () => void) => {
  const watchers = new Map<string, fs.FSWatcher>()
  // The entry names that signal, per watched directory.
  let concerns = new Map<string, Set<string>>()
  let closed = false

  const drop = (dir: string) => {
    watchers.get(dir)?.close()
    watchers.delete(dir)
  }

  const open = (dir: string) => {
    try {
      const watcher = fs.watch(dir, (_event, name) => onEvent(dir, name))
      // A watch that errors is dropped, and the poll carries on; the next event elsewhere may open it again.
      watcher.on("error", () => {
        if (watchers.get(dir) === watcher) drop(dir)
        signal()
      })
      watchers.set(dir, watcher)
    } catch {
      // Out of watches (ENOSPC), no permission, or removed since it was seen: this directory is left to the poll.
    }
  }

  /** Puts the watches where the files can be seen now, opening and closing only what changed. */
  const settle = () => {
    const wanted = new Map<string, Set<string>>()
    for (const file of files) {
      const vantage = vantageOf(file)
      if (vantage === undefined) continue
      const names = wanted.get(vantage.dir) ?? new Set()
      for (const name of vantage.names) names.add(name)
      wanted.set(vantage.dir, names)
    }
    for (const dir of [...watchers.keys()]) if (!wanted.has(dir)) drop(dir)
    for (const dir of wanted.keys()) if (!watchers.has(dir)) open(dir)
    concerns = wanted
  }

  const onEvent = (dir: string, name: string | null) => {
    if (closed) return
    // An event naming the watched directory itself: it was removed or moved, and its watch sees nothing more.
    const itself = name === path.posix.basename(dir)
    if (name !== null && !itself && concerns.get(dir)?.has(name) !== true) return
    if (itself) drop(dir)
    settle()
    signal()
  }

  settle()
  return {
    close: () => {
      closed = true
      for (const dir of [...watchers.keys()]) drop(dir)
    }
  }
}

const withoutTrailingSlash = (dir: string) => dir.length > 1 && dir.endsWith("/") ? dir.slice(0, -1) : dir

/**
 * Signals that the files at `paths` may have changed, from watches on their directories that close with the scope.
 * A file inside `secretsDir` whose directory does not exist yet is watched from the nearest existing directory up to
 * `secretsDir`; a file elsewhere (a declared `FILE` variable's) only from its own directory. Signals closer together
 * than the quiet period are one.
 */
export const directoryChanges = (paths: ReadonlyArray<string>, secretsDir: string): ChangeSignals =>
  Effect.gen(function*() {
    const signals = yield* Queue.sliding<void>(1)
    const root = withoutTrailingSlash(secretsDir)
    const files = [...new Set(paths)].map((file) => ({
      file,
      highest: isPathInside(root, file) ? root : path.posix.dirname(file)
    }))
    yield* Effect.acquireRelease(
      Effect.sync(() => watchDirectories(files, () => Queue.offerUnsafe(signals, undefined))),
      (watches) => Effect.sync(watches.close)
    )
    return Stream.debounce(Stream.fromQueue(signals), quietPeriod)
  })
