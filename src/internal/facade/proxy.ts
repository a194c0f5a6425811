/**
 * The facade's machinery: `secrets.<group>.<key>` as two levels of read-only proxies. Names that printers, test
 * runners, promise machinery, module loaders and serialisers probe on any object are never groups or keys, so
 * inspecting, awaiting, spreading or serialising a facade never looks anything up.
 */
import type { Secrets, SecretsMethods } from "../../SecretsFacade.ts"
import type { SecretRequest, SecretsManagerShape } from "../../SecretsManager.ts"
import { BoundedCache } from "../BoundedCache.ts"
import { coreOf, type ReadNow, readNow } from "../lookup/core.ts"
import { hasHiddenCharacter, quoteName } from "../lookup/naming.ts"
import { util } from "../nodeBuiltins.ts"
import { answerNow } from "./run.ts"

/** What common tools look for on any object, besides everything on `Object.prototype`. */
const toolProbes = [
  // promises and async functions
  "then",
  "catch",
  "finally",
  // serialisers, printers, test runners, React, Immutable, Node streams and buffers, BSON, DOM checks
  "toJSON",
  "inspect",
  "asymmetricMatch",
  "nodeType",
  "nodeName",
  "tagName",
  "$$typeof",
  "length",
  "pipe",
  "_isBuffer",
  "toBSON",
  "_bsontype",
  // Node streams' checks
  "readable",
  "writable",
  "_readableState",
  "_writableState",
  // error-like checks
  "message",
  "stack"
] as const

/** Names probed on any object: everything on `Object.prototype`, and what common tools look for. */
const probedNames: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), ...toolProbes])

/**
 * The names `isProbe` reserves, as a type for the typed facade: `Object.prototype`'s own names are `keyof Object`
 * and the `__` ones.
 */
export type ProbedName = keyof Object | typeof toolProbes[number] | `__${string}` | `@@${string}`

/** Whether a property name is a probe, never a group or key. */
export const isProbe = (name: string | symbol): boolean =>
  typeof name === "symbol" || probedNames.has(name) || name.startsWith("__") || name.startsWith("@@")

/** What the facade shows when printed, inspected or serialised: never a lookup. Nothing is enumerable. */
const printable = (label: string): object => {
  const show = () => label
  return Object.defineProperties({}, {
    toString: { value: show },
    toJSON: { value: show },
    // Buffer.from and other converters ask for a primitive before reading array-like fields.
    valueOf: { value: show },
    [Symbol.toPrimitive]: { value: show },
    [Symbol.toStringTag]: { value: label },
    [util.inspect.custom]: { value: show }
  })
}

/** Every change is refused: no property can be added, removed or redefined, and the prototype stays. */
const readOnly: ProxyHandler<object> = {
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
  setPrototypeOf: () => false,
  preventExtensions: () => false
}

/**
 * A facade over a manager obtained on first use. `attributeRequests` maps `secrets.<group>.<key>` to the spellings
 * of the secret it names: each place is tried for every spelling before the next place. `methods` are the top-level names that are not groups; `topLevelRequests` maps a top-level name
 * that is a secret rather than a group (a task's key-only declaration) to its requests.
 */
const makeFacade = <Methods extends object>(
  manager: () => SecretsManagerShape,
  attributeRequests: (group: string, key: string) => ReadonlyArray<SecretRequest>,
  methods: Methods,
  topLevelRequests?: (name: string) => ReadonlyArray<SecretRequest> | undefined
): object => {
  // The lookups of each attribute read so far, and the group proxies: bounded, so untrusted attribute names cannot
  // grow them. A prepared lookup reads again each time it is called.
  const lookups = new BoundedCache<string, ReadNow>({
    maxEntries: 4096,
    maxBytes: 4 * 1024 * 1024
  })
  const groups = new BoundedCache<string, object>({ maxEntries: 1024, maxBytes: 1024 * 1024 })
  const perEntry = 256

  /** Reads the lookup kept under `slot`, prepared from `requests()` on first use. */
  const read = (slot: string, requests: () => ReadonlyArray<SecretRequest>): unknown => {
    let lookup = lookups.get(slot)
    if (lookup === undefined) {
      lookup = coreOf(manager()).prepare("get", requests())
      lookups.set(slot, lookup, slot.length * 2 + perEntry)
    }
    return answerNow(lookup(), read)
  }

  const group = (name: string): object =>
    // A name that could hide or forge text where the group is printed is shown escaped, as every refused name is.
    new Proxy(printable(`SecretGroup ${hasHiddenCharacter(name) ? quoteName(name) : name} <lazy>`), {
      ...readOnly,
      get: (target, key) => {
        if (isProbe(key)) return Reflect.get(target, key)
        return read(`${name.length}:${name}${key as string}`, () => attributeRequests(name, key as string))
      }
    })

  return new Proxy(printable("Secrets <lazy>"), {
    ...readOnly,
    get: (target, name) => {
      if (isProbe(name)) return Reflect.get(target, name)
      if (Object.hasOwn(methods, name)) return methods[name as keyof Methods]
      const groupName = name as string
      // A top-level secret's slot starts with ":", a group's with its length: the two never share one.
      const secret = topLevelRequests?.(groupName)
      if (secret !== undefined) return read(`:${groupName}`, () => secret)
      let found = groups.get(groupName)
      if (found === undefined) groups.set(groupName, found = group(groupName), groupName.length * 2 + perEntry)
      return found
    }
  })
}

/** The facade's methods over a manager obtained on first use: each reads now and throws its miss. */
const methodsOver = (manager: () => SecretsManagerShape): SecretsMethods => {
  function get(request: SecretRequest & { readonly encodeMode: "rb" }): Uint8Array
  function get(request: SecretRequest & { readonly encodeMode?: "r" | undefined }): string
  function get(request: SecretRequest): string | Uint8Array
  function get(request: SecretRequest): unknown {
    return answerNow(readNow(manager(), "get", [request]), get)
  }
  const getPath = (request: SecretRequest): string =>
    answerNow(readNow(manager(), "getPath", [request]), getPath) as string
  return { get, getPath }
}

/**
 * The facade over a manager obtained on first use; `attributeRequests` maps `secrets.<group>.<key>` to the
 * spellings to try, and `topLevelRequests` a top-level name that is a secret rather than a group.
 */
export const facadeOver = (
  manager: () => SecretsManagerShape,
  attributeRequests: (group: string, key: string) => ReadonlyArray<SecretRequest>,
  topLevelRequests?: (name: string) => ReadonlyArray<SecretRequest> | undefined
): Secrets => makeFacade(manager, attributeRequests, methodsOver(manager), topLevelRequests) as Secrets
