/**
 * Safe secret-file reading: a regular file within the size cap (the file operations enforce that) and, for files
 * under the secrets directory, a real path that stays inside it. A miss fails with the reason, in words, never
 * with file bytes.
 */
import * as Effect from "effect/Effect"
import type { FileMiss, SecretFileOps } from "./fileOps.ts"

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

// Verdicts kept per file identity; bounded so a long-lived process that sees many rotations does not grow.
const maxVerdicts = 4096

/**
 * Reads secret files for one manager. `contained` files must resolve inside `defaultDir`; others (a path the
 * platform injected through a declared `envVar`) are read where they point, under the other rules.
 */
export const makeSecretFileReader = (ops: SecretFileOps, limits: SecretFileLimits) => {
  let realRoot: string | undefined
  // Identity ("dev:ino") -> whether that file's real path is inside the secrets directory. A Kubernetes
  // `..data` swap brings a new identity, so a rotated file is judged again; an unchanged one costs nothing.
  const verdicts = new Map<string, boolean>()

  // Eager combinators throughout: with synchronous file operations a read completes without scheduling.
  const rootRealPath = (): Effect.Effect<string, FileMiss> =>
    realRoot === undefined
      ? Effect.mapEager(ops.realPath(limits.defaultDir), (real) => (realRoot = real.endsWith("/") ? real : real + "/"))
      : Effect.succeed(realRoot)

  /**
   * Judges the file opened at `path`, binding the verdict to the opened identity: the path may have moved. A file
   * without an identity cannot be bound, so it is judged but not remembered.
   */
  const judge = (path: string, identity: string | undefined): Effect.Effect<boolean, FileMiss | typeof moved> =>
    Effect.flatMapEager(rootRealPath(), (root) =>
      Effect.flatMapEager(ops.realPath(path), (real) =>
        Effect.flatMapEager(ops.identity(real), (realIdentity) => {
          if (realIdentity !== identity) return Effect.fail(moved)
          const inside = real.startsWith(root)
          if (identity !== undefined) {
            if (verdicts.size >= maxVerdicts) verdicts.clear()
            verdicts.set(identity, inside)
          }
          return Effect.succeed(inside)
        })))

  // A file swapped between being opened and being judged is read again, a few times at most.
  const readContained = (path: string, content: boolean, retries: number): Effect.Effect<Uint8Array, FileMiss> =>
    Effect.flatMapEager(ops.readRegular(path, limits.maxFileBytes, content), (file) => {
      const verdict = file.identity === undefined ? undefined : verdicts.get(file.identity)
      if (verdict !== undefined) return verdict ? Effect.succeed(file.bytes) : Effect.fail(outside)
      return Effect.catchEager(
        Effect.flatMapEager(judge(path, file.identity), (inside) => inside ? Effect.succeed(file.bytes) : Effect.fail(outside)),
        (failure) =>
          failure !== moved
            ? Effect.fail(failure)
            : retries > 0
            ? readContained(path, content, retries - 1)
            : Effect.fail(keptChanging)
      )
    })

  /**
   * The file's exact bytes (empty when `content` is false: the file is only checked), or why it was not read.
   * Call it when the lookup runs: it may read at once.
   */
  const read = (path: string, contained: boolean, content: boolean): Effect.Effect<Uint8Array, FileMiss> =>
    contained
      ? readContained(path, content, 10)
      : Effect.mapEager(ops.readRegular(path, limits.maxFileBytes, content), (file) => file.bytes)

  return { read }
}

/** The reader one manager uses. */
export type SecretFileReader = ReturnType<typeof makeSecretFileReader>
