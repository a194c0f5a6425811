/**
 * Shared test fixtures, one copy each: temp directories, `process.env` changes that are always undone, the live
 * layer, a planted value to scan for, failures and log lines captured.
 */
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { inspect } from "node:util"
import { afterEach, beforeEach } from "vitest"
import { SecretNotFound } from "../src/SecretsError.ts"
import { SecretsManager } from "../src/SecretsManager.ts"

/** A recognisable value planted where no read may reach: every text a test sees is scanned for it. */
export const PLANTED = "PLANTED-SECRET-VALUE-7f3a"

/**
 * A Unix socket server listening at `socketPath`; a listen that fails (a path longer than a socket's name may be) fails
 * the test at once instead of leaving it waiting.
 */
export const listeningAt = (socketPath: string): Effect.Effect<net.Server> =>
  Effect.callback<net.Server>((resume) => {
    const server = net.createServer()
    server.once("error", (error) => resume(Effect.die(error)))
    server.listen(socketPath, () => resume(Effect.succeed(server)))
  })

/** Runs `effect` over the live layer (`SecretsManager.layer`). */
export const live = <A, E>(effect: Effect.Effect<A, E, SecretsManager>) => Effect.provide(effect, SecretsManager.layer)

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

/** Runs an effect expected to fail and returns its error; a success is a defect that fails the test. */
export const failureOf = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.result(effect), (result) =>
    Result.isFailure(result)
      ? Effect.succeed(result.failure)
      : Effect.die(new Error("expected a failure, got a value")))

/** Runs a lookup expected to miss and returns its `SecretNotFound`. */
export const expectMiss: <A, R>(
  effect: Effect.Effect<A, SecretNotFound, R>
) => Effect.Effect<SecretNotFound, never, R> = failureOf

/** A logger layer that keeps every line (level and message), and the lines it kept. */
export const captureLogs = () => {
  const lines: Array<{ readonly level: string; readonly message: string }> = []
  const layer = Logger.layer([
    Logger.make((options) => {
      lines.push({
        level: options.logLevel,
        message: (options.message as ReadonlyArray<unknown>).map(String).join(" ")
      })
    })
  ])
  return { lines, layer }
}

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

/**
 * Before each test, a fresh temp folder that is also `TMPDIR` (so what a test leaves behind can be counted); after
 * it, the folder removed and `process.env` restored.
 */
export const useTmpdir = () => {
  const temp = { dir: "" }
  let remove = () => {}
  beforeEach(() => {
    const made = makeTempDir()
    remove = made.remove
    temp.dir = made.dir
    setEnv({ TMPDIR: made.dir })
  })
  afterEach(() => {
    restoreEnv()
    remove()
  })
  return temp
}

/**
 * This process's environment without the library's settings or the tests' secrets, for a child process; nor
 * FORCE_COLOR, so a child writing into a pipe prints plain text, as it does for a user.
 */
export const childEnvironment = (): Record<string, string | undefined> => {
  const env: Record<string, string | undefined> = { ...process.env }
  delete env.FORCE_COLOR
  for (const name of Object.keys(env)) if (name.startsWith("FLYTE_") || name.startsWith("_FSEC_")) delete env[name]
  return env
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
