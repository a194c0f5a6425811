/**
 * A request as the lookup reads it: own properties only (a polluted `Object.prototype` adds nothing), every field
 * checked at the boundary, so plain JavaScript callers get a clear reason instead of a silent wrong lookup.
 */
import type { MountRequirement } from "../../Secret.ts"
import { flyte2NameProblem } from "./flyte2Names.ts"
import {
  type NameInput,
  nameProblem,
  quoteName,
  type SecretName,
  shownBareName,
  shownName,
  toSecretName
} from "./naming.ts"

/** A request after its fields were read and checked. */
export interface Target {
  readonly name: SecretName
  readonly mountRequirement: MountRequirement
  readonly envVar: string | undefined
  readonly encodeMode: "r" | "rb"
  /** Which Flyte's platform injected the secret: it decides the places looked at. */
  readonly origin: "flyte1" | "flyte2"
}

const fields = ["group", "key", "groupVersion", "mountRequirement", "envVar", "encodeMode", "origin"] as const
type Field = typeof fields[number]
const knownFields: ReadonlySet<string> = new Set(fields)

const mountRequirements: ReadonlySet<unknown> = new Set(["ANY", "ENV_VAR", "FILE"])
const encodeModes: ReadonlySet<unknown> = new Set([undefined, "r", "rb"])
const origins: ReadonlySet<unknown> = new Set(["flyte1", "flyte2"])

/** The rule a `Secret`'s `envVar` follows; a request's follows it too. */
const envVarPattern = /^[A-Z_][A-Z0-9_]*$/

/** The library's own configuration variables: a secret injected there would be read as configuration. */
const isConfigurationVariable = (name: string): boolean =>
  name.startsWith("FLYTE_SECRETS_") || name === "FLYTE_INTERNAL_EXECUTION_ID"

/**
 * Why `name` cannot be a declared variable, or `undefined`: one rule for a `Secret` and a request. A name that does
 * not match `^[A-Z_][A-Z0-9_]*$` (flytekit's message, `""` included), or one of the library's configuration variables.
 */
export const envVarProblem = (name: string): string | undefined =>
  !envVarPattern.test(name)
    ? `Invalid environment variable name: ${shownBareName(name)} (envVar must be an environment ` +
      "variable name matching ^[A-Z_][A-Z0-9_]*$)"
    : isConfigurationVariable(name)
    ? `envVar ${shownName(name)} is a configuration variable of this library (FLYTE_SECRETS_*, ` +
      "FLYTE_INTERNAL_EXECUTION_ID): a secret there would be read as configuration; choose another name"
    : undefined

/** The edit distance of two short strings, for "did you mean". */
export const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The closest of `candidates` to `name` when it is close enough to be a typo of it: at most two edits, and fewer for a
 * short name (a third of its length), so that a short name is never "close" to everything.
 */
export const closest = (name: string, candidates: Iterable<string>): string | undefined => {
  const maxDistance = Math.min(2, Math.floor(name.length / 3))
  let best: string | undefined
  let bestDistance = maxDistance + 1
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - name.length) > maxDistance) continue
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best
}

const describe = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : typeof value === "string"
    ? "a string"
    : `a ${typeof value}`

const example = "{ group: \"my-group\", key: \"my_key\" }"

/** Why a field's value is not valid, or `undefined`. */
const fieldProblem = (field: Field, value: unknown): string | undefined => {
  if (value === undefined) return undefined
  switch (field) {
    case "mountRequirement":
      return mountRequirements.has(value) ? undefined : `mountRequirement must be "ANY", "ENV_VAR" or "FILE"`
    case "encodeMode":
      return encodeModes.has(value) ? undefined : `encodeMode must be "r" (text) or "rb" (exact bytes)`
    case "origin":
      return origins.has(value) ? undefined : `origin must be "flyte1" or "flyte2"`
    case "envVar":
      return typeof value !== "string"
        ? `envVar must be a string, not ${describe(value)}`
        : value === ""
        ? undefined
        : envVarProblem(value)
    default:
      return typeof value === "string" ? undefined : `${field} must be a string, not ${describe(value)}`
  }
}

/**
 * A request's own enumerable fields, each read exactly once (a getter cannot answer one thing when checked and
 * another when used; a polluted `Object.prototype` adds nothing), or why it cannot be read.
 */
export const requestFields = (request: unknown): Partial<Record<Field, unknown>> | string => {
  if (typeof request !== "object" || request === null) {
    return `a secret request must be an object such as ${example}, not ${describe(request)}`
  }
  const values: Partial<Record<Field, unknown>> = Object.create(null)
  for (const field of Object.keys(request)) {
    if (!knownFields.has(field)) {
      const suggestion = closest(field, knownFields)
      return `unknown field ${quoteName(field)} in a secret request` +
        (suggestion === undefined
          ? ` (it takes ${fields.join(", ")})`
          : ` (did you mean ${JSON.stringify(suggestion)}?)`)
    }
    values[field as Field] = (request as Record<string, unknown>)[field]
  }
  return values
}

/** The request's own fields checked, or why it cannot be looked up (before anything is read). */
export const readRequest = (request: unknown): Target | string => {
  const own = requestFields(request)
  if (typeof own === "string") return own
  for (const field of fields) {
    const problem = fieldProblem(field, own[field])
    if (problem !== undefined) return problem
  }
  const name = toSecretName(own as NameInput)
  const origin = (own.origin ?? "flyte1") as Target["origin"]
  const problem = origin === "flyte2" ? flyte2NameProblem(name) : nameProblem(name)
  if (problem !== undefined) return problem
  const envVar = own.envVar as string | undefined
  return {
    name,
    mountRequirement: (own.mountRequirement ?? "ANY") as MountRequirement,
    envVar: envVar === "" ? undefined : envVar,
    encodeMode: (own.encodeMode ?? "r") as "r" | "rb",
    origin
  }
}

/**
 * The one key of a read request, defaults applied (a `Target` has them): two targets share a key exactly when they
 * read the same secret the same way. A JSON array, so no value can pass for a separator and the key reads back with
 * `JSON.parse`: the name parts, the mount requirement, the variable, the encoding and the origin, absent parts as
 * `null`.
 */
export const targetKey = (target: Target): string => {
  const { encodeMode, envVar, mountRequirement, name, origin } = target
  return JSON.stringify([
    name.group ?? null,
    name.groupVersion ?? null,
    name.key ?? null,
    mountRequirement,
    envVar ?? null,
    encodeMode,
    origin
  ])
}

/**
 * The name of a request that cannot be looked up, when its name itself is safe to show; `undefined` otherwise.
 * Read by the same rule as `readRequest`.
 */
export const safeNameOf = (request: unknown): SecretName | undefined => {
  const own = requestFields(request)
  if (typeof own === "string") return undefined
  const nameOnly = readRequest({ group: own.group, key: own.key, groupVersion: own.groupVersion })
  return typeof nameOnly === "string" ? undefined : nameOnly.name
}
