/**
 * The lookup sources. Each source turns a request into the places it tries; each place, when tried, gives an
 * `Effect` that succeeds with the secret or fails with one `Attempt`. The chain is the sources' places in order:
 * adding a source (a dotenv file, a remote store) is adding an element to `sources`.
 */
import * as Effect from "effect/Effect"
import type { Environment } from "../Environment.ts"
import type { MountRequirement } from "../Secret.ts"
import type { SecretsConfigShape } from "../SecretsConfig.ts"
import type { Attempt } from "../SecretsError.ts"
import type { FileMiss } from "./fileOps.ts"
import { envVarName, secretFilePath, type SecretName, shellSafeSpelling } from "./naming.ts"
import type { SecretFileReader } from "./secretFile.ts"

/**
 * What a lookup yields: the text (trimmed), the exact bytes, the path of the file holding the secret, or only
 * where the secret is (`locate`: a file is checked, not read).
 */
export type Mode = "text" | "bytes" | "path" | "locate"

/** A request after its name was checked. */
export interface Target {
  readonly name: SecretName
  readonly mountRequirement: MountRequirement
  readonly envVar: string | undefined
}

/** What the sources read from: fixed when the manager is built. */
export interface LookupContext {
  readonly config: SecretsConfigShape
  readonly environment: Environment["Service"]
  readonly files: SecretFileReader
}

/** Where a secret was found, and the value as the mode wants it. */
export interface Found {
  readonly source: string
  readonly location: string
  readonly value: string | Uint8Array
}

/**
 * One place to try, called when the lookup reaches it. A place that can answer at once (an environment variable,
 * a synchronous file read) returns its outcome as an `Exit`, so the chain moves on without scheduling anything.
 */
export type Place = () => Effect.Effect<Found, Attempt>

/** A source: the places it tries for a target, in order (none when it cannot serve the mode). */
export type Source = (target: Target, mode: Mode, context: LookupContext) => ReadonlyArray<Place>

const encoder = new TextEncoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

const notValidUtf8 = "not valid UTF-8 (read it with encodeMode: \"rb\")"

/** An environment value as the mode wants it: trimmed text, or the UTF-8 bytes of the trimmed text. */
const fromValue = (value: string, mode: Mode): string | Uint8Array =>
  mode === "bytes" ? encoder.encode(value.trim()) : mode === "text" ? value.trim() : value

/** Whether the mode needs a file's content, not only to know it is there and may be read. */
const needsContent = (mode: Mode) => mode === "text" || mode === "bytes"

/** File bytes as the mode wants them, or why they cannot be given that way. */
const fromFile = (bytes: Uint8Array, path: string, mode: Mode): string | Uint8Array | undefined => {
  if (mode === "bytes") return bytes
  if (mode !== "text") return path
  try {
    return strictUtf8.decode(bytes).trim()
  } catch {
    return undefined
  }
}

const miss = (source: string, location: string, reason: string): Effect.Effect<never, Attempt> =>
  Effect.fail({ source, location, reason })

const found = (source: string, location: string, value: string | Uint8Array): Effect.Effect<Found> =>
  Effect.succeed({ source, location, value })

/** The variable `name`, read when the place is tried. */
const variable = (source: string, name: string, mode: Mode, context: LookupContext): Place => {
  const notSet = miss(source, name, "not set")
  return () => {
    const value = context.environment.get(name)
    return value === undefined ? notSet : found(source, name, fromValue(value, mode))
  }
}

/** The variable and, for a name a shell cannot set (`MY-GROUP_KEY`), its shell-safe spelling. */
const variableSpellings = (source: string, name: string, mode: Mode, context: LookupContext): Array<Place> => {
  const safe = shellSafeSpelling(name)
  const places = [variable(source, name, mode, context)]
  if (safe !== undefined) places.push(variable(source, safe, mode, context))
  return places
}

/** The file at `path`: read when the place is tried, decoded as the mode wants. */
const file = (
  source: string,
  location: string,
  path: string,
  contained: boolean,
  mode: Mode,
  context: LookupContext,
  onMissing?: () => Effect.Effect<Found, Attempt>
): Effect.Effect<Found, Attempt> => {
  const decoded: Effect.Effect<Found, FileMiss | Attempt> = Effect.flatMapEager(
    context.files.read(path, contained, needsContent(mode)),
    (file) => {
      const value = fromFile(file.bytes, path, mode)
      return value === undefined ? miss(source, location, notValidUtf8) : found(source, location, value)
    }
  )
  return Effect.catchEager(decoded, (failure) =>
    !("missing" in failure)
      ? Effect.fail(failure)
      : failure.missing && onMissing !== undefined
      ? onMissing()
      : miss(source, location, failure.reason))
}

/**
 * A declared `envVar`, looked at first, as flytepropeller injects it: `ENV_VAR` holds the value, `FILE` the path
 * of the file; for `ANY`, an absolute path to an existing file is read as the file (what the platform injects)
 * and any other value is the secret itself (what a user sets locally).
 */
const declaredEnvVar: Source = (target, mode, context) => {
  const name = target.envVar
  if (name === undefined) return []
  if (target.mountRequirement === "ENV_VAR") {
    return mode === "path"
      ? []
      : [variable("declared-env", name, mode, context)]
  }
  return [() => {
    const value = context.environment.get(name)
    if (value === undefined) return miss("declared-env", name, "not set")
    const path = value.trim()
    const location = `${name} -> ${path}`
    if (target.mountRequirement === "FILE") return file("declared-file", location, path, false, mode, context)
    const asValue = () =>
      mode === "path"
        ? miss("declared-env", name, "holds the secret itself, not the path of a file")
        : found("declared-env", name, fromValue(value, mode))
    return path.startsWith("/") ? file("declared-file", location, path, false, mode, context, asValue) : asValue()
  }]
}

const prefixedEnv: Source = (target, mode, context) =>
  mode === "path" ? [] : variableSpellings("env", envVarName(context.config.envPrefix, target.name), mode, context)

const secretsDirectory: Source = (target, mode, context) => {
  const { defaultDir, filePrefix } = context.config
  const path = secretFilePath(defaultDir, filePrefix, target.name)
  return [() => file("file", path, path, true, mode, context)]
}

const localEnv: Source = (target, mode, context) =>
  mode === "path" || !context.config.local
    ? []
    : variableSpellings("local-env", envVarName("", target.name), mode, context)

/** The sources, in lookup order. */
export const sources: ReadonlyArray<Source> = [declaredEnvVar, prefixedEnv, secretsDirectory, localEnv]
