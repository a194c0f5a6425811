/**
 * `run --dotenv PATH`: variables from `.env` files, parsed by Node's own parser (`util.parseEnv`), added to the
 * environment by Node's rule for `node --env-file`: a later file overrides an earlier one, and a variable already
 * set in the environment keeps its value.
 */
import * as Effect from "effect/Effect"
import * as util from "node:util"
import { adviceFor, readBoundedFile, refusal } from "./boundedFile.ts"
import { type CommandFailed, fail } from "./failure.ts"
import { shown } from "./printing.ts"

/**
 * Linux starts a command with at most 2 MiB of arguments and environment in all, so a larger file could not be
 * passed on: it is refused before it is read, and a FIFO or a device is never waited on.
 */
const envFileCap = { maxBytes: 1024 * 1024, tooLarge: "larger than 1 MiB, more than a command's environment can hold" }

// Fatal: a replaced byte would change a value silently (Node's own --env-file passes the bytes on as they are).
const decoder = new TextDecoder("utf-8", { fatal: true })

/** The file's text: UTF-8 without a NUL byte, which no variable can hold (the command could not be started). */
const envText = (bytes: Uint8Array): string => {
  if (bytes.includes(0)) throw refusal("it holds a NUL byte, which no variable can hold")
  try {
    return decoder.decode(bytes)
  } catch {
    throw refusal("it is not UTF-8 text; save it as UTF-8")
  }
}

const readEnvFile = (file: string): Effect.Effect<Record<string, string>, CommandFailed> =>
  Effect.try({
    try: () => util.parseEnv(envText(readBoundedFile(file, envFileCap))) as Record<string, string>,
    // The code only: the file holds secrets, and no error text may quote it.
    catch: (error) => {
      const code = (error as NodeJS.ErrnoException).code
      return fail(
        code === "ENOENT"
          ? `Environment file ${shown(file)} not found.`
          : `Cannot read environment file ${shown(file)} (${code ?? "not a text file"}).${adviceFor(code)}`
      )
    }
  })

/** `environment` with the files' variables added under it. */
export const withEnvFiles = (
  files: ReadonlyArray<string>,
  environment: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<Record<string, string | undefined>, CommandFailed> =>
  Effect.map(
    Effect.forEach(files, readEnvFile),
    (parsed) => Object.assign(Object.create(null), ...parsed, environment)
  )
