/**
 * How misses are made: the lookup's own, the same miss seen from a task, one miss for several spellings of a secret,
 * and a request refused. None carries stack frames: they would point into the library, and capturing them costs
 * more than the rest of a miss (the facade gives a thrown miss the caller's frames).
 */
import * as Data from "effect/Data"
import { type Attempt, SecretNotFound } from "../../SecretsError.ts"
import { pauseStackTraces, resumeStackTraces, withoutStackTrace } from "../stackTrace.ts"
import { carryHint, shareHint, Stamped } from "./missMessage.ts"
import type { SecretName } from "./naming.ts"
import { safeNameOf } from "./request.ts"

const fieldsOf = (error: SecretNotFound) => ({
  ...(error.group === undefined ? {} : { group: error.group }),
  ...(error.key === undefined ? {} : { key: error.key }),
  ...(error.groupVersion === undefined ? {} : { groupVersion: error.groupVersion }),
  ...(error.task === undefined ? {} : { task: error.task }),
  ...(error.declared === undefined ? {} : { declared: error.declared }),
  reason: error.reason,
  attempts: error.attempts
})

/**
 * The miss as seen from a task: the same attempts, with the task named and whether it declares the secret, so the
 * advice fits.
 */
export const inTask = (error: SecretNotFound, task: string, declared: boolean): SecretNotFound => {
  const { attempts, reason } = error
  if (reason !== "NotFound" && reason !== "Refused") return error
  const names = nameFields(error)
  // A lookup's own miss (its attempts, frozen, and a name of strings) is re-made without a second check; any other,
  // a custom manager's, is checked by the schema, however it was made.
  const miss = LookupAttempts.has(attempts) && isNameOfStrings(names)
    ? fromLookupFields({ _tag: "SecretNotFound", ...names, reason, attempts, task, declared })
    : withoutStackTrace(() => new SecretNotFound({ ...fieldsOf(error), task, declared }))
  return carryEnded(error, carryHint(error, miss))
}

/**
 * A miss whose lookup ended at a place that could not say what it holds (see `EndsLookup`), stamped in a private
 * field of the error: a lookup of another spelling of the same secret must not answer after it. Nothing lists,
 * serialises or prints the stamp.
 */
class EndedLookup extends Stamped {
  readonly #ended = true

  static mark(error: SecretNotFound): SecretNotFound {
    if (!EndedLookup.has(error)) new EndedLookup(error)
    return error
  }

  static has(error: SecretNotFound): boolean {
    return #ended in error
  }
}

/** Marks `error` as the miss of a lookup that ended before its last place. */
export const endedLookup = (error: SecretNotFound): SecretNotFound => EndedLookup.mark(error)

/** Whether `error` is the miss of a lookup that ended before its last place: no other spelling may answer after it. */
export const hasEnded = (error: SecretNotFound): boolean => EndedLookup.has(error)

/** `to`, marked as ended when `from` is: a miss re-made keeps what it says of the lookup. */
const carryEnded = (from: SecretNotFound, to: SecretNotFound): SecretNotFound =>
  EndedLookup.has(from) ? EndedLookup.mark(to) : to

/**
 * The attempts of a miss a lookup made, stamped in a private field, then frozen (each attempt is frozen already): only
 * `lookupMiss` stamps, so a custom manager's frozen array, however it looks, is never taken for a lookup's own. Like a
 * hint, the stamp costs what adding a property costs, and nothing lists, serialises or prints it.
 */
class LookupAttempts extends Stamped {
  readonly #stamped = true

  static stamp(attempts: Array<Attempt>): ReadonlyArray<Attempt> {
    new LookupAttempts(attempts)
    return Object.freeze(attempts)
  }

  static has(attempts: unknown): boolean {
    return typeof attempts === "object" && attempts !== null && #stamped in attempts
  }
}

/** Whether each name field is a string or absent (a miss's fields can be changed after it was made). */
const isNameOfStrings = (names: Partial<Record<"group" | "key" | "groupVersion", unknown>>): boolean =>
  (names.group === undefined || typeof names.group === "string") &&
  (names.key === undefined || typeof names.key === "string") &&
  (names.groupVersion === undefined || typeof names.groupVersion === "string")

/**
 * One miss for two spellings of one request tried in turn (the facade's `my_api_keys`, then `my-api-keys`, over a
 * manager the library did not make): the first one's name, every place tried once, in order.
 */
export const mergeMisses = (first: SecretNotFound, later: SecretNotFound): SecretNotFound => {
  const seen = new Set<string>()
  const attempts = [...first.attempts, ...later.attempts].filter((attempt) => {
    const place = `${attempt.source}\u0000${attempt.location}`
    return seen.has(place) ? false : (seen.add(place), true)
  })
  const reason = first.reason === "Refused" || later.reason === "Refused" ? "Refused" : first.reason
  const merged = carryHint(first, withoutStackTrace(() => new SecretNotFound({ ...fieldsOf(first), reason, attempts })))
  return carryEnded(later, merged)
}

/**
 * The failure for a request that cannot be looked up: nothing is read. Names are kept only when they are safe. Every
 * manager refuses with it, the cached one too, so a refusal reads the same wherever it is made.
 */
export const invalidRequest = (request: unknown, problem: string): SecretNotFound => {
  const name = safeNameOf(request)
  return withoutStackTrace(() =>
    new SecretNotFound({
      ...(name === undefined ? {} : nameFields(name)),
      reason: "InvalidRequest",
      attempts: [{ source: "request", location: "request", outcome: "refused", reason: problem }]
    })
  )
}

/**
 * Whether the schema's constructor, once it has checked the fields, hands them to `Data.Error`'s, which makes a native
 * `Error` and stores the fields on it: then a miss whose fields the lookup built itself is made that way directly, as
 * a `SecretNotFound`, without the schema checking them again (checking them was most of what building a miss cost,
 * and a lookup misses on every read of a missing secret). With an Effect whose schema classes are built otherwise,
 * every miss goes through the schema.
 */
const madeFromFields = Object.getPrototypeOf(Object.getPrototypeOf(SecretNotFound)) === Data.Error

/**
 * The native `Error` that `Data.Error` extends, as it was when Effect was loaded: a global `Error` replaced since (as
 * zone.js and some tracing agents do) is not what the schema's constructor runs, so a lookup's miss does not run it.
 */
const nativeError: ErrorConstructor = Object.getPrototypeOf(Object.getPrototypeOf(Data.Error))

/**
 * The attempts of a lookup's miss, each place once, in an array the lookup made for them: stamped here, with the
 * lookup's "did you mean" hint (computed when a miss's message is read), then frozen (each attempt is frozen
 * already). A compiled lookup that misses the same way again hands out the same array.
 */
export const lookupAttempts = (attempts: Array<Attempt>, hint: () => string | undefined): ReadonlyArray<Attempt> => {
  shareHint(attempts, hint)
  return LookupAttempts.stamp(attempts)
}

/**
 * The misses of one lookup of `name`: given the reason and the attempts (`lookupAttempts`). The name's fields are
 * gathered once, in the schema's order, so the error's keys, JSON and message are the ones its constructor gives.
 */
export const lookupMiss = (name: SecretName) => {
  const named = { _tag: "SecretNotFound" as const, ...nameFields(name) }
  return (reason: "NotFound" | "Refused", attempts: ReadonlyArray<Attempt>): SecretNotFound =>
    fromLookupFields({ ...named, reason, attempts })
}

/** A miss's fields as a lookup builds them: in the schema's order, the attempts frozen. */
interface LookupFields {
  readonly _tag: "SecretNotFound"
  readonly group?: string
  readonly key?: string
  readonly groupVersion?: string
  readonly reason: "NotFound" | "Refused"
  readonly attempts: ReadonlyArray<Attempt>
  readonly task?: string
  readonly declared?: boolean
}

/**
 * A miss from fields a lookup built: the native `Error` that `Data.Error`'s constructor makes for a `SecretNotFound`,
 * with the fields stored on it in the schema's order, as its constructor stores them. That constructor also keeps the
 * object it was given under a hidden symbol; a lookup's miss does not (defining a hidden key cost a miss 7% to 8% of
 * its time): `SecretNotFound` is equal and hashed by its fields, and `toJSON` spreads its own fields either way.
 */
const fromLookupFields = (fields: LookupFields): SecretNotFound => {
  // The schema would copy the attempts: the lookup's own, frozen, are set after it.
  if (!madeFromFields) {
    return withoutStackTrace(() =>
      Object.assign(new SecretNotFound({ ...fields, attempts: [] }), { attempts: fields.attempts })
    )
  }
  const limit = pauseStackTraces()
  let error: Error & { -readonly [Field in keyof LookupFields]?: LookupFields[Field] }
  try {
    error = Reflect.construct(nativeError, [], SecretNotFound)
  } finally {
    resumeStackTraces(limit)
  }
  error._tag = fields._tag
  if (fields.group !== undefined) error.group = fields.group
  if (fields.key !== undefined) error.key = fields.key
  if (fields.groupVersion !== undefined) error.groupVersion = fields.groupVersion
  error.reason = fields.reason
  error.attempts = fields.attempts
  if (fields.task !== undefined) error.task = fields.task
  if (fields.declared !== undefined) error.declared = fields.declared
  return error as unknown as SecretNotFound
}

const nameFields = (name: Partial<Pick<SecretName, "group" | "key" | "groupVersion">>) => {
  const { group, groupVersion, key } = name
  return {
    ...(group === undefined ? {} : { group }),
    ...(key === undefined ? {} : { key }),
    ...(groupVersion === undefined ? {} : { groupVersion })
  }
}
