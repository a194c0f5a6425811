/** Shared test fixtures: temp secret directories and `process.env` changes that are always undone. */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { inspect } from "node:util"
import { afterEach, beforeEach } from "vitest"
import { SecretNotFound } from "../src/SecretsError.ts"

/** A fresh directory under the OS temp dir, removed when the returned function is called. */
export const makeTempDir = (): { readonly dir: string; readonly remove: () => void } => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "effect-secrets-")))
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/** Writes `files` (relative path to content) under `dir`, creating folders. */
export const writeFiles = (dir: string, files: Readonly<Record<string, string | Uint8Array>>): void => {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, content)
  }
}

/** Sets variables in `process.env` (undefined removes one); `restoreEnv` puts the old values back. */
const saved = new Map<string, string | undefined>()
export const setEnv = (variables: Readonly<Record<string, string | undefined>>): void => {
  for (const [name, value] of Object.entries(variables)) {
    if (!saved.has(name)) saved.set(name, process.env[name])
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
}
export const restoreEnv = (): void => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  saved.clear()
}

/** Runs a lookup expected to miss and returns its `SecretNotFound`. */
export const expectMiss = <A, R>(
  effect: Effect.Effect<A, SecretNotFound, R>
): Effect.Effect<SecretNotFound, Error, R> =>
  Effect.flatMap(Effect.result(effect), (result) =>
    Result.isFailure(result)
      ? Effect.succeed(result.failure)
      : Effect.fail(new Error(`expected a miss, got a value`)))

/**
 * For live tests: before each test, a fresh temp folder whose `secrets/` folder is FLYTE_SECRETS_DEFAULT_DIR, and
 * the given variables set; after it, the folder removed and `process.env` restored.
 */
export const useSecretsDir = (variables: Readonly<Record<string, string | undefined>> = {}) => {
  const dirs = { root: "", secrets: "" }
  let remove = () => {}
  beforeEach(() => {
    const temp = makeTempDir()
    remove = temp.remove
    dirs.root = temp.dir
    dirs.secrets = path.join(temp.dir, "secrets")
    fs.mkdirSync(dirs.secrets)
    setEnv({ FLYTE_SECRETS_DEFAULT_DIR: dirs.secrets, ...variables })
  })
  afterEach(() => {
    restoreEnv()
    remove()
  })
  return dirs
}

/** What `f` throws; fails the test when it does not throw. */
export const thrownBy = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  throw new Error("expected a throw")
}

/** A name part for property tests: absent, any text, raw bytes as text, or a known trick. */
export const arbitraryNamePart = fc.option(
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 6 }),
    fc.constantFrom(".", "..", "a/..", "%2f", "%2e%2e")
  ),
  { nil: undefined }
)

/** Every text a user or a log could see of an error. */
export const visibleTexts = (error: unknown): string =>
  [
    String(error),
    (error as Error | undefined)?.message,
    JSON.stringify(error),
    inspect(error, { depth: 20, showHidden: true }),
    (error as Error | undefined)?.stack
  ].join("\n")
