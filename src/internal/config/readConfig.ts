/**
 * The configuration as the environment sets it: which variables, how they are read (trimmed, a blank one keeps the
 * default), and what is refused (a `ConfigError` naming the variable: configuration values are not secrets).
 */
import { ConfigError } from "effect/Config"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { Environment } from "../../Environment.ts"
import type { SecretsConfigShape } from "../../SecretsConfig.ts"
import { hasHiddenCharacter, quoteName } from "../lookup/naming.ts"
import { closest } from "../lookup/request.ts"
import { path } from "../nodeBuiltins.ts"

/** The defaults (`SecretsConfig.defaults`). */
export const configDefaults: SecretsConfigShape = {
  envPrefix: "FLYTE_SECRETS_",
  defaultDir: "/etc/secrets",
  filePrefix: "",
  local: true,
  maxFileBytes: 1024 * 1024
}

/** The variables that configure the manager, by the setting each one sets. */
const variables = {
  envPrefix: "FLYTE_SECRETS_ENV_PREFIX",
  defaultDir: "FLYTE_SECRETS_DEFAULT_DIR",
  filePrefix: "FLYTE_SECRETS_FILE_PREFIX",
  maxFileBytes: "FLYTE_SECRETS_MAX_FILE_BYTES"
} as const

/** flytepropeller sets it in every task pod: a non-blank value means a platform run. */
const executionIdVariable = "FLYTE_INTERNAL_EXECUTION_ID"

const invalid = (variable: string, message: string): ConfigError =>
  new ConfigError(
    new Schema.SchemaError(new SchemaIssue.Pointer([variable], new SchemaIssue.InvalidValue({ message })))
  )

/**
 * The first setting holding a character that hides or forges text: each is part of the variable names and paths a
 * miss prints, which no name may put such a character in either.
 */
const hiddenCharacterProblem = (config: SecretsConfigShape): ConfigError | undefined => {
  for (const setting of ["envPrefix", "filePrefix", "defaultDir"] as const) {
    if (hasHiddenCharacter(config[setting])) {
      return invalid(
        variables[setting],
        `${variables[setting]} may not hold control, format, separator or invisible characters, got ` +
          quoteName(config[setting])
      )
    }
  }
  return undefined
}

/** The first problem with a configuration, naming the variable that sets it (config values are not secrets). */
const problemOf = (config: SecretsConfigShape): ConfigError | undefined => {
  const hidden = hiddenCharacterProblem(config)
  if (hidden !== undefined) return hidden
  if (/[/\\]|\.\./u.test(config.filePrefix)) {
    return invalid(
      variables.filePrefix,
      `${variables.filePrefix} may not hold "/", "\\" or "..", got ` +
        JSON.stringify(config.filePrefix)
    )
  }
  if (!Number.isSafeInteger(config.maxFileBytes) || config.maxFileBytes <= 0) {
    return invalid(
      variables.maxFileBytes,
      `${variables.maxFileBytes} must be a positive whole number of bytes, got ${JSON.stringify(config.maxFileBytes)}`
    )
  }
  return undefined
}

/**
 * The configuration checked, its secrets directory resolved once: a relative one (`./secrets`, `.`) against the
 * working directory of this moment, as flytekit reads it, so a later `chdir` changes nothing; and spelt in its normal
 * form (no `//`, `/./`, trailing `/`), so that a path the platform injects is recognised as inside it.
 */
const validated = (config: SecretsConfigShape): Effect.Effect<SecretsConfigShape, ConfigError> => {
  const defaultDir = path.resolve(config.defaultDir)
  const problem = problemOf(config) ?? rootProblem(config.defaultDir, defaultDir)
  return problem === undefined ? Effect.succeed({ ...config, defaultDir }) : Effect.fail(problem)
}

/**
 * A secrets directory that resolves to the root holds every absolute path: an `ANY` variable holding `/etc/passwd`
 * would be opened as a file instead of taken as the value, and any file would count as contained.
 */
const rootProblem = (given: string, resolved: string): ConfigError | undefined => {
  if (path.dirname(resolved) !== resolved) return undefined
  const relative = path.isAbsolute(given) ? "" : ` (resolved against the working directory ${process.cwd()})`
  return invalid(
    variables.defaultDir,
    `${variables.defaultDir} may not be the root directory, got ${JSON.stringify(given)}${relative}: every ` +
      `absolute path would count as a secret file. Set it to the directory that holds the secret files, such as ` +
      configDefaults.defaultDir
  )
}

/** A whole number of bytes as written in a variable, or `NaN`. */
const parseBytes = (text: string): number => /^\d+$/.test(text) ? Number(text) : Number.NaN

/** Variables close to a configuration variable's name but not it: a typo the user should hear about. */
const misspelt = (environment: Environment["Service"], envPrefix: string): Array<string> => {
  const known = [...Object.values(variables), executionIdVariable]
  const warnings: Array<string> = []
  for (const name of environment.names?.() ?? []) {
    // A name under the env prefix may be a secret's variable (FLYTE_SECRETS_DEFAULT_DIRS is group "default").
    if (!name.startsWith("FLYTE_") || known.includes(name as never) || name.startsWith(envPrefix)) continue
    const meant = closest(name, known)
    if (meant !== undefined) warnings.push(`${name} is set but not read: did you mean ${meant}?`)
  }
  return warnings
}

/**
 * Reads the configuration through an `Environment`, so a test record and `process.env` follow one rule: values
 * are trimmed, and an empty or blank value keeps the default.
 */
export const readConfig = (
  overrides: Partial<SecretsConfigShape> = {}
): Effect.Effect<SecretsConfigShape, ConfigError, Environment> =>
  Effect.gen(function*() {
    const environment = yield* Environment
    const setting = (name: string): string | undefined => {
      const value = environment.get(name)?.trim()
      return value === "" ? undefined : value
    }
    const maxFileBytes = setting(variables.maxFileBytes)
    const config: SecretsConfigShape = {
      envPrefix: setting(variables.envPrefix) ?? configDefaults.envPrefix,
      defaultDir: setting(variables.defaultDir) ?? configDefaults.defaultDir,
      filePrefix: setting(variables.filePrefix) ?? configDefaults.filePrefix,
      local: setting(executionIdVariable) === undefined,
      maxFileBytes: maxFileBytes === undefined ? configDefaults.maxFileBytes : parseBytes(maxFileBytes),
      ...overrides
    }
    if (Number.isNaN(config.maxFileBytes)) {
      return yield* Effect.fail(invalid(
        variables.maxFileBytes,
        `${variables.maxFileBytes} must be a positive whole number of bytes, got ${JSON.stringify(maxFileBytes)}`
      ))
    }
    for (const warning of misspelt(environment, config.envPrefix)) yield* Effect.logWarning(warning)
    return yield* validated(config)
  })

/** Given values, the defaults for the rest, checked when the layer is built. */
export const checkedConfig = (
  config: Partial<SecretsConfigShape>
): Effect.Effect<SecretsConfigShape, ConfigError> => Effect.suspend(() => validated({ ...configDefaults, ...config }))
