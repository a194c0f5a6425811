/**
 * The lookup sources of a Flyte 1 secret, in flytekit's order. Each source turns a request into the places it
 * tries; each place, when tried, answers with the secret or fails with the attempts it made.
 * The chain is the sources' places in order: adding a source (a dotenv file, a remote store) is adding an element to
 * `sources`.
 */
import type { Environment } from "../../Environment.ts"
import type { SecretsConfigShape } from "../../SecretsConfig.ts"
import type { Attempt } from "../../SecretsError.ts"
import { directoryMissing, type FileMiss } from "../files/fileMiss.ts"
import type { FileReader, ReadRequest, SecretFile } from "../files/fileReader.ts"
import * as Now from "../now.ts"
import { envVarNames, isPathInside, quoteName, secretFilePaths } from "./naming.ts"
import type { Target } from "./request.ts"
import { flytekitText, pythonStrip, type TextRule } from "./text.ts"

/**
 * What a lookup yields: the text (stripped), the exact bytes, the path of the file holding the secret, or only
 * where the secret is (`locate`: a file is checked, not read).
 */
export type Mode = "text" | "bytes" | "path" | "locate"

/** What the sources read from: fixed when the manager is built. */
export interface LookupContext {
  readonly config: SecretsConfigShape
  readonly environment: Environment["Service"]
  readonly files: FileReader
  /** How values become text: flytekit's rule (stripped) unless the context says otherwise. */
  readonly text?: TextRule | undefined
  /** A reader over the same file system for another secrets directory (Flyte 2's, when it is not the configured one). */
  readonly filesIn?: ((secretsDir: string) => FileReader) | undefined
}

/** Where a secret was found, and the value as the mode wants it. */
export interface Found {
  readonly source: string
  readonly location: string
  readonly value: string | Uint8Array
}

/**
 * A failure that ends the whole lookup: one that says nothing of what the place holds (see `FileMiss.endsLookup`): a
 * file kept changing, or stayed a dangling link, through every retry (a rotation in progress), or could not be opened
 * or read because the system or the device failed. During a swap no later place may answer instead of the secret
 * being swapped in, nor while the file that may hold it cannot be read.
 */
export class EndsLookup {
  readonly attempts: ReadonlyArray<Attempt>
  constructor(attempts: ReadonlyArray<Attempt>) {
    this.attempts = attempts
  }
}

/**
 * One place to try, called when the lookup reaches it. A place that can answer at once (an environment variable, a
 * synchronous file read) answers now, so the chain moves on as plain JavaScript; one that must wait answers `Later`.
 * A place that fails with its attempts (missing or refused) lets the lookup go on to the next place.
 */
export type Place = () => Now.Now<Found, ReadonlyArray<Attempt> | EndsLookup>

/** A source: the places it tries for a request, in order (none when it cannot serve the mode). */
export type Source = (target: Target, mode: Mode, context: LookupContext) => ReadonlyArray<Place>

const encoder = new TextEncoder()

const notValidUtf8 = "not valid UTF-8 (read it with encodeMode: \"rb\")"

const miss = (
  source: string,
  location: string,
  reason: string,
  outcome: Attempt["outcome"] = "missing"
): Now.Now<never, ReadonlyArray<Attempt>> =>
  Now.fail(Object.freeze([Object.freeze({ source, location, outcome, reason })]))

const found = (source: string, location: string, value: string | Uint8Array): Found => ({ source, location, value })

/** An environment value over the size cap is refused: an environment is no place for a large secret. */
const oversized = (value: string, maxBytes: number): boolean =>
  value.length * 3 > maxBytes && encoder.encode(value).length > maxBytes

/** An environment value as the mode wants it: its text by the rule (stripped by default), or that text's UTF-8 bytes. */
const fromValue = (value: string, mode: Mode, text: TextRule): string | Uint8Array =>
  mode === "bytes" ? encoder.encode(text.ofValue(value)) : mode === "text" ? text.ofValue(value) : value

/** The variable `name`, read when the place is tried. */
export const variable = (source: string, name: string, mode: Mode, context: LookupContext): Place => {
  const maxBytes = context.config.maxFileBytes
  const text = context.text ?? flytekitText
  // The answers of every lookup that passes an unset (or too large) variable on its way to a file: made once, and
  // never changed (the lookup copies a place's attempts into its own list).
  const notSet = miss(source, name, "not set")
  const tooLarge = miss(source, name, `holds over ${maxBytes} bytes, over the limit`, "refused")
  return () => {
    const value = context.environment.get(name)
    if (value === undefined) return notSet
    if (oversized(value, maxBytes)) return tooLarge
    return found(source, name, fromValue(value, mode, text))
  }
}

/** File bytes as the mode wants them, or `undefined` when they are not valid text. */
const fromFile = (bytes: Uint8Array, path: string, mode: Mode, text: TextRule): string | Uint8Array | undefined =>
  mode === "bytes" ? bytes : mode === "text" ? text.ofFile(bytes) : path

/** What a place asks the reader, by whether its path must lie inside the secrets directory and whether it reads content. */
const readRequests = {
  contained: [{ contained: true, content: false }, { contained: true, content: true }],
  given: [{ contained: false, content: false }, { contained: false, content: true }]
} as const satisfies Record<string, readonly [ReadRequest, ReadRequest]>

/**
 * One file, read (or, for `path` and `locate`, only checked) each time the returned function is called, its failure
 * as `onFailure` makes it. What every read uses (the reader's request, the text rule) is made once, when the lookup is
 * compiled; a miss is made when it happens, so a compiled lookup holds no more than it needs.
 */
const fileRead = (
  source: string,
  location: string,
  path: string,
  contained: boolean,
  mode: Mode,
  context: LookupContext,
  onFailure: (failure: FileMiss) => Now.Now<never, ReadonlyArray<Attempt> | EndsLookup>
): Place => {
  const request = readRequests[contained ? "contained" : "given"][mode === "text" || mode === "bytes" ? 1 : 0]
  const text = context.text ?? flytekitText
  const ofFile = (file: SecretFile) => {
    const value = fromFile(file.bytes, path, mode, text)
    return value === undefined ? miss(source, location, notValidUtf8, "refused") : found(source, location, value)
  }
  return () => Now.match(context.files.read(path, request), ofFile, onFailure)
}

/** A path as an error shows it: escaped, in quotes, when it holds a character that could forge or hide text. */
const shownPath = (path: string): string => {
  const quoted = quoteName(path)
  return quoted === JSON.stringify(path) && !quoted.includes("\\") ? path : quoted
}

/**
 * A failed file read as the place's failure: its attempt, ending the lookup when the failure says nothing of it. The
 * failure is kept for the way the read failed last, each a constant of `fileMiss.ts` or made for its error: a file
 * missing on every lookup (a platform run that finds its secrets in variables) then fails with the same frozen answer
 * each time, and a repeated miss makes nothing for it.
 */
const fileFailure = (source: string, location: (failure: FileMiss) => string | undefined) => {
  let last:
    | { readonly failure: FileMiss; readonly answer: Now.Now<never, ReadonlyArray<Attempt> | EndsLookup> }
    | undefined
  return (failure: FileMiss) => {
    if (last?.failure !== failure) {
      const shownAt = location(failure)
      const attempts: ReadonlyArray<Attempt> = shownAt === undefined ? [] : Object.freeze([
        Object.freeze({ source, location: shownAt, outcome: failure.outcome, reason: failure.reason })
      ])
      last = { failure, answer: Now.fail(failure.endsLookup === true ? new EndsLookup(attempts) : attempts) }
    }
    return last.answer
  }
}

/**
 * One file of the secrets directory. When the directory itself is missing, that is said once, at the directory, by
 * its first path (`first`); its other paths add nothing.
 */
export const secretFile = (
  source: string,
  path: string,
  first: boolean,
  mode: Mode,
  context: LookupContext
): Place => {
  const onFailure = fileFailure(
    source,
    (failure) => failure !== directoryMissing ? path : first ? context.config.defaultDir : undefined
  )
  return fileRead(source, path, path, true, mode, context, onFailure)
}

/**
 * What a declared variable holds now, by the rule of its mount requirement: for `ANY`, a path inside the secrets
 * directory is a file (what the platform injects) and anything else is the secret itself (what a user sets locally);
 * for `FILE`, the path of a file, read wherever it points (the platform's choice, or a local user's own file) but
 * shown only inside the secrets directory. A value over the size cap is refused. The one rule for the lookup and for
 * what `watch` listens to.
 */
export type Declared =
  | { readonly _tag: "Unset" }
  | { readonly _tag: "Oversized" }
  | { readonly _tag: "File"; readonly path: string; readonly inside: boolean }
  | { readonly _tag: "Value"; readonly value: string }
  | { readonly _tag: "NotAPath" }

const unset: Declared = { _tag: "Unset" }
const oversizedValue: Declared = { _tag: "Oversized" }
const notAPath: Declared = { _tag: "NotAPath" }

export const readDeclared = (name: string, target: Target, context: LookupContext): Declared => {
  const value = context.environment.get(name)
  if (value === undefined) return unset
  const { defaultDir, maxFileBytes } = context.config
  if (oversized(value, maxFileBytes)) return oversizedValue
  const path = pythonStrip(value)
  // A NUL byte ends a path where the system reads it: a value holding one names no file (an open would fail with an
  // error that says nothing of any place).
  const names = !path.includes("\u0000")
  if (names && isPathInside(defaultDir, path)) return { _tag: "File", path, inside: true }
  if (target.mountRequirement !== "FILE") return { _tag: "Value", value }
  return names && path.startsWith("/") ? { _tag: "File", path, inside: false } : notAPath
}

/** The declared variable's file, read (or, for `path` and `locate`, only checked). */
const declaredFile = (name: string, path: string, inside: boolean, mode: Mode, context: LookupContext) => {
  const location = inside
    ? `${name} -> ${shownPath(path)}`
    : `${name} (its path, outside the secrets directory, is not shown)`
  return fileRead(
    "declared-file",
    location,
    path,
    inside,
    mode,
    context,
    fileFailure("declared-file", () => location)
  )()
}

/**
 * A declared `envVar`, looked at first, as flytepropeller injects it: `ENV_VAR` holds the value; `FILE` and `ANY` as
 * `readDeclared` says. A variable's content is never passed to a system call unless it is read as a file, and is
 * shown only when it is a path inside the secrets directory.
 */
export const declaredEnvVar: Source = (target, mode, context) => {
  const name = target.envVar
  if (name === undefined) return []
  if (target.mountRequirement === "ENV_VAR") {
    return mode === "path"
      ? []
      : [variable("declared-env", name, mode, context)]
  }
  // Each answer that names no file is made once: a lookup that misses the same way again repeats its attempts.
  const notSet = miss("declared-env", name, "not set")
  const tooLarge = miss(
    "declared-env",
    name,
    `holds over ${context.config.maxFileBytes} bytes, over the limit`,
    "refused"
  )
  const notAPath = miss(
    "declared-file",
    name,
    "does not hold an absolute path (a FILE secret's variable holds the path of its file)",
    "refused"
  )
  const notAFile = miss(
    "declared-env",
    name,
    "holds the secret itself, not the path of a file in the secrets directory"
  )
  return [() => {
    const declared = readDeclared(name, target, context)
    switch (declared._tag) {
      case "Unset":
        return notSet
      case "Oversized":
        return tooLarge
      case "File":
        return declaredFile(name, declared.path, declared.inside, mode, context)
      case "NotAPath":
        return notAPath
      case "Value":
        return mode === "path"
          ? notAFile
          : found("declared-env", name, fromValue(declared.value, mode, context.text ?? flytekitText))
    }
  }]
}

const prefixedEnv: Source = (target, mode, context) =>
  mode === "path"
    ? []
    : envVarNames(context.config.envPrefix, target.name).map((name) => variable("env", name, mode, context))

const secretsDirectory: Source = (target, mode, context) => {
  const { defaultDir, filePrefix } = context.config
  return secretFilePaths(defaultDir, filePrefix, target.name).map((path, index) =>
    secretFile("file", path, index === 0, mode, context)
  )
}

const localEnv: Source = (target, mode, context) =>
  mode === "path" || !context.config.local
    ? []
    : envVarNames("", target.name).map((name) => variable("local-env", name, mode, context))

/** The sources, in lookup order. */
export const sources: ReadonlyArray<Source> = [declaredEnvVar, prefixedEnv, secretsDirectory, localEnv]
