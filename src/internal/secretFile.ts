/**
 * Safe secret-file reading: a regular file within the size cap (the file operations enforce that) and, for files
 * under the secrets directory, a real path that stays inside it. A miss fails with the reason, in words, never
 * with file bytes.
 */
import * as Effect from "effect/Effect"
import type { FileIdentity, FileMiss, RegularFile, SecretFileOps } from "./fileOps.ts"

/** What the reader needs to know: the secrets directory and the size cap. */
export interface SecretFileLimits {
  readonly defaultDir: string
  readonly maxFileBytes: number
}

const outside: FileMiss = {
  reason: "resolves outside the secrets directory (a symbolic link leads out of it)",
  missing: false
}
const keptChanging: FileMiss = { reason: "kept changing while being read", missing: false }
const moved = Symbol("moved")

// Verdicts kept per file; bounded so a long-lived process that sees many rotations does not grow.
const maxVerdicts = 4096

/**
 * Reads secret files for one manager. `contained` files must resolve inside `defaultDir`; others (a path the
 * platform injected through a declared `envVar`) are read where they point, under the other rules.
 */
export const makeSecretFileReader = (ops: SecretFileOps, limits: SecretFileLimits) => {
  let realRoot: string | undefined
  // Device -> inode -> whether that file's real path is inside the secrets directory. A Kubernetes `..data` swap
  // brings new inodes, so a rotated file is judged again; an unchanged one costs nothing.
  const verdicts = new Map<number | bigint, Map<number | bigint, boolean>>()
  let verdictCount = 0
  const verdictOf = (file: FileIdentity) => file.ino === undefined ? undefined : verdicts.get(file.dev)?.get(file.ino)
  const remember = (file: FileIdentity, inside: boolean) => {
    if (file.ino === undefined) return
    if (verdictCount >= maxVerdicts) {
      verdicts.clear()
      verdictCount = 0
    }
    let byInode = verdicts.get(file.dev)
    if (byInode === undefined) verdicts.set(file.dev, byInode = new Map())
    byInode.set(file.ino, inside)
    verdictCount++
  }

  // Eager combinators throughout: with synchronous file operations a read completes without scheduling.
  const rootRealPath = (): Effect.Effect<string, FileMiss> =>
    realRoot === undefined
      ? Effect.mapEager(ops.realPath(limits.defaultDir), (real) => (realRoot = real.endsWith("/") ? real : real + "/"))
      : Effect.succeed(realRoot)

  /**
   * Judges the file opened at `path`, binding the verdict to the opened file: the path may have moved since. A file
   * whose inode is unknown cannot be bound, so it is judged but not remembered.
   */
  const judge = (path: string, opened: FileIdentity): Effect.Effect<boolean, FileMiss | typeof moved> =>
    Effect.flatMapEager(
      rootRealPath(),
      (root) =>
        Effect.flatMapEager(ops.realPath(path), (real) =>
          Effect.flatMapEager(ops.identity(real), (resolved) => {
            if (resolved.dev !== opened.dev || resolved.ino !== opened.ino) return Effect.fail(moved)
            const inside = real.startsWith(root)
            remember(opened, inside)
            return Effect.succeed(inside)
          }))
    )

  // A file swapped between being opened and being judged is read again, a few times at most.
  const readContained = (path: string, content: boolean, retries: number): Effect.Effect<RegularFile, FileMiss> => {
    const read = ops.readRegular(path, limits.maxFileBytes, content)
    return Effect.flatMapEager(read, (file) => {
      const verdict = verdictOf(file)
      if (verdict !== undefined) return verdict ? read : Effect.fail(outside)
      return Effect.catchEager(
        Effect.flatMapEager(judge(path, file), (inside) => inside ? read : Effect.fail(outside)),
        (failure) =>
          failure !== moved
            ? Effect.fail(failure)
            : retries > 0
            ? readContained(path, content, retries - 1)
            : Effect.fail(keptChanging)
      )
    })
  }

  // Paths found missing last time. A failed open costs an exception, so while a path stays missing (a local run
  // that reads secrets from the environment passes a missing file on every lookup) a cheap existence check goes
  // first; when the file appears, it is opened and read as usual.
  const missingLastTime = new Map<string, FileMiss>()

  /**
   * The file, with its exact bytes (empty when `content` is false: the file is only checked), or why it was not
   * read. Call it when the lookup runs: it may read at once.
   */
  const read = (path: string, contained: boolean, content: boolean): Effect.Effect<RegularFile, FileMiss> => {
    const lastMiss = ops.exists === undefined ? undefined : missingLastTime.get(path)
    if (lastMiss !== undefined && !ops.exists!(path)) return Effect.fail(lastMiss)
    const file = contained ? readContained(path, content, 10) : ops.readRegular(path, limits.maxFileBytes, content)
    return Effect.catchEager(
      Effect.flatMapEager(file, () => (missingLastTime.delete(path), file)),
      (miss) => {
        if (miss.missing) {
          if (missingLastTime.size >= maxVerdicts) missingLastTime.clear()
          missingLastTime.set(path, miss)
        }
        return file
      }
    )
  }

  return { read }
}

/** The reader one manager uses. */
export type SecretFileReader = ReturnType<typeof makeSecretFileReader>
