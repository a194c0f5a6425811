/**
 * A lookup's description for its span, from what the caller asked: the operation, the encoding and the secret's
 * name. Fields are read as own data properties only, so describing a request never runs a getter.
 */
import { readRequest, type Target } from "../lookup/request.ts"
import { uriGroupReason } from "../lookup/uriGroup.ts"
import type { LookupDescription } from "./lookupSpan.ts"

/** The name of a secret: the parts a lookup's span shows. */
export interface SecretName {
  readonly group?: string | undefined
  readonly key?: string | undefined
  readonly groupVersion?: string | undefined
}

/** A request's own field, when it is a string held as data. */
const ownString = (request: unknown, field: string): string | undefined => {
  if (typeof request !== "object" || request === null) return undefined
  const descriptor = Object.getOwnPropertyDescriptor(request, field)
  return descriptor !== undefined && "value" in descriptor && typeof descriptor.value === "string" &&
      descriptor.value !== ""
    ? descriptor.value
    : undefined
}

/** Whether a request asks for bytes (`encodeMode: "rb"`), read like its other fields. */
export const asksForBytes = (request: unknown): boolean => ownString(request, "encodeMode") === "rb"

/**
 * The secret name in a request, when the lookup would accept it (the names a miss's error shows); none otherwise,
 * so a malformed name (a path, control characters) is never put on a span.
 */
export const nameIn = (request: unknown): SecretName => {
  const target = readRequest({
    group: ownString(request, "group"),
    key: ownString(request, "key"),
    groupVersion: ownString(request, "groupVersion"),
    // A Flyte 2 name is judged by Flyte 2's rules.
    origin: ownString(request, "origin")
  })
  return typeof target === "string" ? {} : target.name
}

/**
 * The name as a span shows it: a group spelt as a URI only when it is a URI group a secret manager takes (host and
 * path), since the lookup also accepts a URI with user info, a query or a fragment, which may carry a credential.
 */
const shownName = (name: SecretName): SecretName =>
  name.group !== undefined && name.group.includes("://") && uriGroupReason(name.group) !== undefined
    ? { key: name.key, groupVersion: name.groupVersion }
    : name

export const describeLookup = (
  operation: LookupDescription["operation"],
  name: SecretName,
  bytes: boolean
): LookupDescription => {
  const shown = shownName(name)
  return {
    operation,
    encodeMode: bytes ? "rb" : "r",
    group: shown.group,
    key: shown.key,
    groupVersion: shown.groupVersion
  }
}

/** A lookup through the cache, from the operation and request its entry is kept under. */
export const describeCached = (entry: {
  readonly operation: LookupDescription["operation"]
  readonly target: Target
}): LookupDescription => describeLookup(entry.operation, entry.target.name, entry.target.encodeMode === "rb")
