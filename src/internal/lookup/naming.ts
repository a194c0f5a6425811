/**
 * The pure naming rules: how a request becomes environment variable names and file paths (as flytekit builds them,
 * and where flytepropeller's backends write), and which names are refused before anything is read.
 */
import { path } from "../nodeBuiltins.ts"

/** A request's name with `""` parts dropped; at least one of group and key is present. */
export interface SecretName {
  readonly group: string | undefined
  readonly groupVersion: string | undefined
  readonly key: string | undefined
}

/** What a caller may pass as a name; `""` counts as absent. */
export interface NameInput {
  readonly group?: string | undefined
  readonly groupVersion?: string | undefined
  readonly key?: string | undefined
}

const present = (part: string | undefined): string | undefined => part === "" ? undefined : part

/**
 * Control, format (bidi overrides, zero-width), lone surrogate, line and paragraph separator characters, and those
 * shown as nothing at all (a Hangul filler, a variation selector, a combining grapheme joiner): each can forge or
 * hide printed text (errors, logs, terminals). A lone surrogate has no UTF-8 form: two different ones would name the
 * same file.
 */
const hiddenClass = String.raw`\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}`

/** Separators, and every hidden character: none belongs in a path segment. */
const unsafeCharacter = new RegExp(String.raw`[/\\${hiddenClass}]`, "u")

/** The longest name part: a Kubernetes Secret name (a DNS subdomain) is at most 253 characters. */
export const maxNamePartLength = 253

/** Why a name part cannot be used, or `undefined` when it is safe. The part itself is shown only when safe to. */
export const unsafePartReason = (field: string, part: unknown): string | undefined => {
  if (typeof part !== "string") return `unsafe name: ${field} must be a string, not ${describeType(part)}`
  if (part.length > maxNamePartLength) {
    return `unsafe name: ${field} is ${part.length} characters long, over the ${maxNamePartLength}-character limit`
  }
  return part === "." || part === ".." || unsafeCharacter.test(part)
    ? `unsafe name: ${field} ${quoteName(part)} could leave the secrets directory or forge ` +
      `text where it is shown (names may not be "." or ".." nor hold "/", "\\", control, format, surrogate, separator ` +
      `or invisible characters)`
    : undefined
}

const hiddenCharacter = new RegExp(`[${hiddenClass}]`, "u")
const hiddenCharacters = new RegExp(hiddenCharacter, "gu")

/** Whether text holds a character that printing it as it is could forge or hide text with. */
export const hasHiddenCharacter = (text: string): boolean => hiddenCharacter.test(text)

/**
 * A name in double quotes with every hidden character escaped (`\u202e`), so printing a name, even a refused one,
 * can neither forge nor hide text in a terminal or a log line.
 */
export const quoteName = (name: string): string =>
  JSON.stringify(name).replace(hiddenCharacters, (character) => `\\u{${character.codePointAt(0)!.toString(16)}}`)

/** A name for a message without quotes (flytekit's words), escaped, or only its length as `shownName` gives it. */
export const shownBareName = (name: string): string =>
  name.length > maxNamePartLength ? `(${name.length} characters)` : quoteName(name).slice(1, -1)

/** A name for a message: quoted, or only its length when it is longer than a name part may be (messages stay short). */
export const shownName = (name: string): string =>
  name.length > maxNamePartLength ? `(${name.length} characters)` : quoteName(name)

/** A secret's name in a sentence, every part safely quoted: `group "g" version "v1" key "k"`. */
export const describeName = (name: NameInput): string => {
  const parts = [
    name.group === undefined ? undefined : `group ${quoteName(name.group)}`,
    name.groupVersion === undefined ? undefined : `version ${quoteName(name.groupVersion)}`,
    name.key === undefined ? undefined : `key ${quoteName(name.key)}`
  ]
  return parts.filter((part) => part !== undefined).join(" ")
}

const describeType = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

/** The name as the lookup rules see it: `""` parts dropped. */
export const toSecretName = (input: NameInput): SecretName => ({
  group: present(input.group),
  groupVersion: present(input.groupVersion),
  key: present(input.key)
})

/** Why a name is refused before anything is read, or `undefined` when it can be looked up. */
export const nameProblem = (name: SecretName): string | undefined => {
  if (name.group === undefined && name.key === undefined) return "a secret request needs a group or a key"
  return (name.group !== undefined ? unsafePartReason("group", name.group) : undefined) ??
    (name.groupVersion !== undefined ? unsafePartReason("groupVersion", name.groupVersion) : undefined) ??
    (name.key !== undefined ? unsafePartReason("key", name.key) : undefined)
}

const parts = (name: SecretName): Array<string> => {
  const result: Array<string> = []
  if (name.group !== undefined) result.push(name.group)
  if (name.groupVersion !== undefined) result.push(name.groupVersion)
  if (name.key !== undefined) result.push(name.key)
  return result
}

/** `prefix + UPPER(parts joined by "_")`, exactly as flytekit builds it: nothing is sanitised. */
export const envVarName = (prefix: string, name: SecretName): string => prefix + parts(name).join("_").toUpperCase()

const notShellSafe = /[-.]/g

/**
 * The spelling a shell can set (`MY-GROUP` -> `MY_GROUP`, `A.B` -> `A_B`), or `undefined` when the name already is
 * one. Only `-` and `.` are replaced (Flyte 2's rule), so two different names never share a spelling.
 */
export const shellSafeSpelling = (envName: string): string | undefined => {
  const safe = envName.replace(notShellSafe, "_")
  return safe === envName ? undefined : safe
}

/** The name as flytepropeller writes a Kubernetes secret: without its version (`undefined` when it has none). */
const withoutVersion = (name: SecretName): SecretName | undefined =>
  name.groupVersion !== undefined && name.group !== undefined && name.key !== undefined
    ? { group: name.group, groupVersion: undefined, key: name.key }
    : undefined

/**
 * The variable names a request tries, in order: flytekit's name and its shell-safe spelling, then the names
 * flytepropeller injects where they differ: a versioned Kubernetes or global secret without its version
 * (`_FSEC_G_K`), and a group-only global secret with an empty key (`_FSEC_G_`).
 */
export const envVarNames = (prefix: string, name: SecretName): ReadonlyArray<string> => {
  const exact = [envVarName(prefix, name)]
  const versionless = withoutVersion(name)
  if (versionless !== undefined) exact.push(envVarName(prefix, versionless))
  if (name.key === undefined && name.group !== undefined) {
    exact.push(envVarName(prefix, { group: name.group, groupVersion: undefined, key: undefined }) + "_")
  }
  const names: Array<string> = []
  for (const spelled of exact) {
    names.push(spelled)
    const safe = shellSafeSpelling(spelled)
    if (safe !== undefined) names.push(safe)
  }
  return [...new Set(names)]
}

const joinPath = (dir: string, segments: ReadonlyArray<string>) =>
  (dir.endsWith("/") ? dir : dir + "/") + segments.join("/")

/** `dir / lower(group) / lower(groupVersion) / filePrefix + lower(key)`, empty parts dropped. */
export const secretFilePath = (dir: string, filePrefix: string, name: SecretName): string => {
  const segments = parts(name).map((part) => part.toLowerCase())
  segments[segments.length - 1] = filePrefix + segments[segments.length - 1]
  return joinPath(dir, segments)
}

/**
 * The file paths a request tries, in order, without repeats: flytekit's path, then where flytepropeller's backends
 * write the same secret: Kubernetes without the version (`dir/g/k`), GCP the version as the file (`dir/g/v`), Vault
 * with the case of the names kept (`dir/G/K`).
 */
export const secretFilePaths = (dir: string, filePrefix: string, name: SecretName): ReadonlyArray<string> => {
  const paths = [secretFilePath(dir, filePrefix, name)]
  const versionless = withoutVersion(name)
  if (versionless !== undefined) {
    paths.push(secretFilePath(dir, filePrefix, versionless))
    paths.push(secretFilePath(dir, filePrefix, { group: name.group, groupVersion: name.groupVersion, key: undefined }))
  }
  if (name.group !== undefined && name.key !== undefined) {
    paths.push(joinPath(dir, [name.group, filePrefix + name.key]))
  }
  return [...new Set(paths)]
}

/**
 * Whether `value` is a path inside the secrets directory, by its spelling alone (no system call): absolute, under
 * `dir`, and already normal (no `.` or `..` segments, no doubled `/`). Nothing is inside a secrets directory of `/`
 * (a configuration given as a value, which the layers' own check does not see): every absolute path would be.
 */
export const isPathInside = (dir: string, value: string): boolean => {
  const prefix = dir.endsWith("/") ? dir : dir + "/"
  return prefix !== "/" && value.length > prefix.length && value.startsWith(prefix) &&
    path.posix.normalize(value) === value
}
