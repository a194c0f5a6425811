/**
 * The cache key of a request: one string that names the operation and every field of the request, read as own
 * properties (`""` name parts count as absent), so two requests that differ in any field never share an entry.
 * A request with a field the manager would refuse for its type or length gets no key and is passed through
 * uncached: no input makes a key longer than a few bounded parts, so the cache's entry bound is a memory bound.
 */
import type { SecretRequest } from "../../SecretsManager.ts"
import { maxNamePartLength } from "../lookup/naming.ts"

/** The manager's operations that are cached; each is its own entry. */
export type Operation = "get" | "getRedacted" | "getPath" | "locate"

/** A request's fields in key form: every field but the encoding, then the encoding on its own. */
export interface KeyedRequest {
  readonly encodeMode: EncodeMode
  readonly fields: string
}

/** `""` when absent; `"r"` is kept apart from absent because the request spelled it. */
export type EncodeMode = "" | "r" | "rb"

export const encodeModes: ReadonlyArray<EncodeMode> = ["", "r", "rb"]

// Never inside a field: the manager refuses names and variable names holding control characters, and a request
// holding one is passed through uncached.
const separator = "\u0000"

/**
 * `value`, read as `request[field]`, when it is an own property, else `undefined`: a polluted prototype adds
 * nothing. Each field is read by its literal name first, so an absent field, the usual case, costs one cheap read.
 */
const ownValue = (request: object, field: keyof SecretRequest, value: unknown): unknown =>
  value === undefined || Object.hasOwn(request, field) ? value : undefined

/** A name part or variable name in key form (`""` for absent), or `undefined` when it cannot be keyed. */
const namePart = (value: unknown): string | undefined =>
  value === undefined
    ? ""
    : typeof value === "string" && value.length <= maxNamePartLength && !value.includes(separator)
    ? value
    : undefined

/**
 * The request in key form, or `undefined` when it must be passed through uncached: not an object, or a field
 * that is not a string within the name-length limit, or a mount requirement or encoding that does not exist.
 * Each field is read once, so what is keyed is exactly what is looked up.
 */
export const keyedRequest = (request: unknown): KeyedRequest | undefined => {
  if (typeof request !== "object" || request === null) return undefined
  const fields = request as SecretRequest
  const mountRequirement = ownValue(request, "mountRequirement", fields.mountRequirement)
  const encodeMode = ownValue(request, "encodeMode", fields.encodeMode)
  if (
    mountRequirement !== undefined && mountRequirement !== "ANY" && mountRequirement !== "ENV_VAR" &&
    mountRequirement !== "FILE"
  ) return undefined
  if (encodeMode !== undefined && encodeMode !== "r" && encodeMode !== "rb") return undefined
  // A Flyte 2 secret is looked for at other places than the Flyte 1 secret of the same names.
  const origin = ownValue(request, "origin", fields.origin)
  if (origin !== undefined && origin !== "flyte1" && origin !== "flyte2") return undefined
  const group = namePart(ownValue(request, "group", fields.group))
  const groupVersion = namePart(ownValue(request, "groupVersion", fields.groupVersion))
  const key = namePart(ownValue(request, "key", fields.key))
  const envVar = namePart(ownValue(request, "envVar", fields.envVar))
  if (group === undefined || groupVersion === undefined || key === undefined || envVar === undefined) {
    return undefined
  }
  return {
    encodeMode: encodeMode ?? "",
    fields: group + separator + groupVersion + separator + key + separator + (mountRequirement ?? "") + separator +
      envVar + separator + (origin === "flyte2" ? origin : "")
  }
}

/** The cache key of one operation on a keyed request, read with the given encoding. */
export const cacheKey = (operation: Operation, encodeMode: EncodeMode, fields: string): string =>
  operation + separator + encodeMode + separator + fields

/** The operation and the request a cache key stands for: only the fields present, on an object with no prototype. */
export const fromCacheKey = (cacheKey: string): { readonly operation: Operation; readonly request: SecretRequest } => {
  const [operation, encodeMode, group, groupVersion, key, mountRequirement, envVar, origin] = cacheKey.split(separator)
  const request: Record<string, string> = Object.create(null)
  if (encodeMode !== "") request["encodeMode"] = encodeMode!
  if (group !== "") request["group"] = group!
  if (groupVersion !== "") request["groupVersion"] = groupVersion!
  if (key !== "") request["key"] = key!
  if (mountRequirement !== "") request["mountRequirement"] = mountRequirement!
  if (envVar !== "") request["envVar"] = envVar!
  if (origin !== "") request["origin"] = origin!
  return { operation: operation as Operation, request: request as SecretRequest }
}
