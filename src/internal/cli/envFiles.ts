/**
 * `run --env-file PATH`: variables from `.env` files, parsed by Node's own parser (`util.parseEnv`), added to the
 * environment by Node's rule for `node --env-file`: a later file overrides an earlier one, and a variable already
 * set in the environment keeps its value.
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as util from "node:util"
import { type CommandFailed, fail } from "./failure.ts"
import { shown } from "./printing.ts"

const readEnvFile = (file: string): Effect.Effect<Record<string, string>, CommandFailed> =>
  Effect.try({
    try: () => util.parseEnv(fs.readFileSync(file, "utf8")) as Record<string, string>,
    // The code only: the file holds secrets, and no error text may quote it.
    catch: (error) => {
      const code = (error as NodeJS.ErrnoException).code
      return fail(
        code === "ENOENT"
          ? `Environment file ${shown(file)} not found.`
          : `Cannot read environment file ${shown(file)} (${code ?? "not a text file"}).`
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
