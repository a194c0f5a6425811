/**
 * The cache's keys: one per operation and read request, the request read once by the manager's own reader with its
 * defaults applied, so two spellings of one request share an entry and a request the manager refuses gets none.
 */
import type { SecretRequest } from "../../SecretsManager.ts"
import { readRequest, type Target, targetKey } from "../lookup/request.ts"

/** The manager's operations that are cached; each is its own entry. */
export type Operation = "get" | "getRedacted" | "getPath" | "locate"

const operations: ReadonlyArray<Operation> = ["get", "getRedacted", "getPath", "locate"]
const encodeModes: ReadonlyArray<Target["encodeMode"]> = ["r", "rb"]

/**
 * The request's own enumerable fields, each read exactly once, as the manager's reader takes them: a getter that
 * answers differently on each read cannot be keyed as one request and looked up as another.
 */
const readOnce = (request: object): object => {
  const copy: Record<string, unknown> = Object.create(null)
  for (const field of Object.keys(request)) copy[field] = (request as Record<string, unknown>)[field]
  return copy
}

/** The request read by the manager's own reader, from one reading of its fields: its target, or why it is refused. */
export const targetOf = (request: unknown): Target | string =>
  readRequest(typeof request === "object" && request !== null ? readOnce(request) : request)

/** The key of one operation on one target: the operation's name, a space, then the target's key. */
export const cacheKey = (operation: Operation, target: Target): string => `${operation} ${targetKey(target)}`

/** Every key a target's secret can be held under: each operation, read with each encoding. */
export const keysOf = (target: Target): ReadonlyArray<string> =>
  operations.flatMap((operation) => encodeModes.map((encodeMode) => cacheKey(operation, { ...target, encodeMode })))

/** The operation and target a key stands for, read back from the target key's JSON array. */
export const fromCacheKey = (key: string): { readonly operation: Operation; readonly target: Target } => {
  const space = key.indexOf(" ")
  const [group, groupVersion, secretKey, mountRequirement, envVar, encodeMode, origin] = JSON.parse(
    key.slice(space + 1)
  ) as Array<string | null>
  const target: Target = {
    name: { group: group ?? undefined, groupVersion: groupVersion ?? undefined, key: secretKey ?? undefined },
    mountRequirement: mountRequirement as Target["mountRequirement"],
    envVar: envVar ?? undefined,
    encodeMode: encodeMode as Target["encodeMode"],
    origin: origin as Target["origin"]
  }
  return { operation: key.slice(0, space) as Operation, target }
}

/**
 * The request the underlying manager is given for a target: the target's fields, and only those present, so what
 * was keyed is exactly what is looked up (a request's getters are never read a second time).
 */
export const requestOf = (target: Target): SecretRequest => {
  const { encodeMode, envVar, mountRequirement, name, origin } = target
  const request: Record<string, unknown> = { mountRequirement, encodeMode }
  // Flyte 1 is every manager's default: a manager of the user's own need not know the field.
  if (origin !== "flyte1") request["origin"] = origin
  if (name.group !== undefined) request["group"] = name.group
  if (name.groupVersion !== undefined) request["groupVersion"] = name.groupVersion
  if (name.key !== undefined) request["key"] = name.key
  if (envVar !== undefined) request["envVar"] = envVar
  return request as SecretRequest
}
