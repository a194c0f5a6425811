/**
 * Stale if error: the last good value of each entry, and when it was read, served when reading it again fails while
 * it is younger than the `staleIfError` window, with one warning per failed read or refresh (never the value).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { SecretNotFound } from "../../SecretsError.ts"
import { quoteName } from "../lookup/naming.ts"
import type { Target } from "../lookup/request.ts"
import { makeSecretRegistry, maskSecrets } from "../masking/registry.ts"

/** The last good values by cache key; bounded like the cache, the least recently stored dropped first. */
export class LastGood {
  private readonly values = new Map<string, { readonly value: unknown; readonly readAt: number }>()
  private readonly capacity: number

  constructor(capacity: number) {
    this.capacity = capacity
  }

  get(key: string) {
    return this.values.get(key)
  }

  has(key: string): boolean {
    return this.values.has(key)
  }

  set(key: string, value: unknown, readAt: number): void {
    this.values.delete(key)
    if (this.capacity === 0) return
    this.values.set(key, { value, readAt })
    if (this.values.size > this.capacity) this.values.delete(this.values.keys().next().value!)
  }

  delete(key: string): void {
    this.values.delete(key)
  }

  clear(): void {
    this.values.clear()
  }

  get size(): number {
    return this.values.size
  }
}

/** A stale value to serve: the value, how long it may still be served, and the failure that made it stale. */
export interface Stale {
  readonly value: unknown
  readonly age: number
  readonly left: number
  readonly because: SecretNotFound
}

/** The last good value of `key` when it is young enough to serve in place of `error`, else `undefined`. */
export const staleValue = (
  lastGood: LastGood,
  key: string,
  error: SecretNotFound,
  now: number,
  window: number
): Stale | undefined => {
  const good = lastGood.get(key)
  if (good === undefined || now - good.readAt >= window) return undefined
  const age = now - good.readAt
  return { value: good.value, age, left: window - age, because: error }
}

/** The secret an entry is for, as the warning names it: group, version and key, never a value. */
const describeSecret = (target: Target): string =>
  [
    target.name.group === undefined ? undefined : `group ${quoteName(target.name.group)}`,
    target.name.groupVersion === undefined ? undefined : `version ${quoteName(target.name.groupVersion)}`,
    target.name.key === undefined ? undefined : `key ${quoteName(target.name.key)}`
  ].filter((part) => part !== undefined).join(" ")

const whyNotFound = (error: SecretNotFound): string =>
  error.attempts.length === 0
    ? error.message
    : error.attempts.map((attempt) => `${attempt.source} ${attempt.location}: ${attempt.reason}`).join("; ")

/**
 * Why the read failed, with the stale value (each form the masking knows) and every registered value masked: the
 * failure may come from a manager of the user's own, whose reasons may quote what it read.
 */
const maskedWhy = (stale: Stale): string => {
  const why = maskSecrets(whyNotFound(stale.because))
  if (typeof stale.value !== "string" && !(stale.value instanceof Uint8Array)) return why
  const own = makeSecretRegistry(undefined, () => {})
  own.register(stale.value)
  return own.mask(why)
}

const format = (millis: number) => Duration.format(Duration.millis(millis))

/** The warning that a stale value is served: which secret, how old, for how long more, and why. */
export const warnStale = (target: Target, stale: Stale): Effect.Effect<void> =>
  Effect.logWarning(
    `Serving the last good value of the secret ${describeSecret(target)}, read ${format(stale.age)} ago ` +
      `(served for ${format(stale.left)} more at most): reading it again failed: ${maskedWhy(stale)}`
  )
