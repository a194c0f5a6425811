/**
 * What a caller gets from a cache entry, per operation and encoding: the value shared where it cannot be changed,
 * a copy or a fresh wrapper where a caller could change it (zero its bytes, wipe its `Redacted`), so nothing a caller
 * does reaches the cached value. A secret handed out is registered for masking again, as the manager would: a value
 * a service keeps reading from the cache stays among the most recently registered.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import type { Target } from "../lookup/request.ts"
import { registerSecretValue } from "../masking/held.ts"
import type { Operation } from "./cacheKey.ts"

/** What an entry holds that a caller may get: the value, and the value as a completed effect to share. */
export interface Handed {
  readonly value: unknown
  readonly success: Exit.Exit<unknown>
}

export type HandOut = (entry: Handed) => Effect.Effect<unknown>

const shared: HandOut = (entry) => entry.success
const sharedSecret: HandOut = (entry) => (registerSecretValue(entry.value as string), entry.success)
const bytesCopy: HandOut = (entry) => (
  registerSecretValue(entry.value as Uint8Array), Effect.succeed((entry.value as Uint8Array).slice())
)
const redacted: HandOut = (entry) => (
  registerSecretValue(entry.value as string), Effect.succeed(Redacted.make(entry.value))
)
const redactedBytesCopy: HandOut = (entry) => (
  registerSecretValue(entry.value as Uint8Array), Effect.succeed(Redacted.make((entry.value as Uint8Array).slice()))
)

/** A copy of an object and of the objects in its arrays: a location's `tried` list and each attempt in it. */
const copyOf = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) return value.map(copyOf)
  const copy = Object.assign(Object.create(Object.getPrototypeOf(value)), value) as Record<string, unknown>
  for (const field of Object.keys(copy)) if (Array.isArray(copy[field])) copy[field] = copy[field].map(copyOf)
  return copy
}

// A location is an object a caller could change (its `location`, its `tried` list): each caller gets its own.
const locationCopy: HandOut = (entry) => Effect.succeed(copyOf(entry.value))

/** How an entry of `operation` on a target read with `encodeMode` is handed out. */
export const handOutFor = (operation: Operation, encodeMode: Target["encodeMode"]): HandOut => {
  switch (operation) {
    case "get":
      return encodeMode === "rb" ? bytesCopy : sharedSecret
    case "getRedacted":
      return encodeMode === "rb" ? redactedBytesCopy : redacted
    case "getPath":
      return shared
    case "locate":
      return locationCopy
  }
}
