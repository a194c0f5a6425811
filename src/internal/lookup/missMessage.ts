/**
 * The text of a miss, built only when an error's message is read: where the lookup looked, and what to do. Hints
 * that compare against what exists ("did you mean") are kept in private fields of the error, so nothing extra prints
 * or serialises, and are computed once, on first read.
 */
import type { MissingSecrets, SecretNotFound } from "../../SecretsError.ts"
import { describeName, type NameInput, quoteName } from "./naming.ts"

/**
 * A base whose constructor returns the object it is given: a class extending it adds its private fields to that
 * object.
 */
export class Stamped {
  constructor(target: object) {
    return target
  }
}

/**
 * The hint of every miss of one lookup, kept with the frozen attempts those misses share (see `lookupAttempts`), in a
 * private field of the array: a miss then carries nothing of its own for it until its message is first read.
 */
class SharedHint extends Stamped {
  readonly #compute: () => string | undefined

  constructor(attempts: object, compute: () => string | undefined) {
    super(attempts)
    this.#compute = compute
  }

  static of(attempts: unknown): (() => string | undefined) | undefined {
    return typeof attempts === "object" && attempts !== null && #compute in attempts ? attempts.#compute : undefined
  }
}

/** Keeps `hint` with `attempts`, before they are frozen, for every miss that carries them. */
export const shareHint = (attempts: ReadonlyArray<unknown>, hint: () => string | undefined): void => {
  new SharedHint(attempts, hint)
}

/**
 * A miss's hint, in private fields of the error itself: nothing but this class reads them, no listing, JSON or
 * printing shows them (hidden properties included), and adding them costs what adding a property costs, where a
 * `WeakMap` entry per miss cost several times that. The hint is computed once per miss, on the first read of its
 * message; a lookup's own miss takes the hint its attempts share then.
 */
class LateHint extends Stamped {
  readonly #compute: () => string | undefined
  #computed: { readonly hint: string | undefined } | undefined = undefined

  constructor(error: SecretNotFound, compute: () => string | undefined) {
    super(error)
    this.#compute = compute
  }

  static attach(error: SecretNotFound, compute: () => string | undefined): void {
    if (!(#compute in error)) new LateHint(error, compute)
  }

  static computeOf(error: SecretNotFound): (() => string | undefined) | undefined {
    return #compute in error ? error.#compute : SharedHint.of(error.attempts)
  }

  static of(error: SecretNotFound): string | undefined {
    if (#compute in error) {
      error.#computed ??= { hint: error.#compute() }
      return error.#computed.hint
    }
    const shared = SharedHint.of(error.attempts)
    if (shared === undefined) return undefined
    // A miss made unchangeable keeps nothing: its hint is computed at each read.
    if (!Object.isExtensible(error)) return shared()
    new LateHint(error, shared)
    return LateHint.of(error)
  }
}

const hintOf = (error: SecretNotFound): string | undefined => LateHint.of(error)

/** Gives `to` the hint `from` carries (a miss re-made for a task, or for several spellings). */
export const carryHint = (from: SecretNotFound, to: SecretNotFound): SecretNotFound => {
  const hint = LateHint.computeOf(from)
  if (hint !== undefined) LateHint.attach(to, hint)
  return to
}

const quote = (value: string | undefined): string => value === undefined ? "(none)" : quoteName(value)

/** The declaration a user adds to a task, written as code they can paste. */
export const declarationHint = (name: NameInput): string => {
  const fields = [
    name.group === undefined ? undefined : `group: ${quoteName(name.group)}`,
    name.key === undefined ? undefined : `key: ${quoteName(name.key)}`,
    name.groupVersion === undefined ? undefined : `groupVersion: ${quoteName(name.groupVersion)}`
  ].filter((field) => field !== undefined)
  return `new Secret({ ${fields.join(", ")} })`
}

/**
 * "Secret not found: <name>. Tried:" and one line per attempt; a refusal leads with the first refused place, the one
 * to fix.
 */
const whereLookedFor = (error: SecretNotFound): string => {
  const tried = error.attempts.map((a) => `\n  - ${a.source} ${a.location}: ${a.reason}`).join("")
  const refused = error.reason === "Refused"
    ? error.attempts.find((attempt) => attempt.outcome === "refused")
    : undefined
  if (refused === undefined) return `Secret not found: ${describeName(error)}. Tried:${tried}`
  return `Secret found but not readable: ${describeName(error)}: ${refused.source} ${refused.location} ` +
    `${refused.reason}.\nTried:${tried}`
}

/** What a miss's message advises after its list of places: what to set or fix, and "did you mean" hints. */
export const adviceOf = (error: SecretNotFound): string => {
  const late = hintOf(error)
  const advice = error.reason === "Refused"
    ? "The place named first holds something that may not be read (its reason says why), and no other place " +
      "holds the secret: fix that place or remove it, or set one of the other places tried."
    : error.task === undefined
    ? "Set one of the variables tried, or create the file."
    : error.declared
    ? `Task ${quote(error.task)} declares it, so the platform injects it on a cluster; for a local run, set one ` +
      "of the variables tried or create the file."
    : `Task ${quote(error.task)} does not declare it: add ${declarationHint(error)} to its secretRequests so the ` +
      "platform injects it."
  return advice + (late === undefined ? "" : `\n${late}`)
}

/** `SecretNotFound`'s message. */
export const secretNotFoundMessage = (error: SecretNotFound): string => {
  switch (error.reason) {
    case "InvalidRequest":
      return `Secret request refused: ${error.attempts[0]?.reason ?? "invalid request"}. Nothing was read.`
    case "Undeclared":
      return `Task ${quote(error.task)} does not declare ${describeName(error)} (strict mode): add ` +
        `${declarationHint(error)} to its secretRequests. Nothing was read.`
    default:
      return `${whereLookedFor(error)}\n${adviceOf(error)}`
  }
}

/** `MissingSecrets`' message: every miss's places, then the hints once each. */
export const missingSecretsMessage = (error: MissingSecrets): string => {
  const each = error.missing.map((miss) => "\n\n" + whereLookedFor(miss)).join("")
  const header = `Task ${quote(error.task)} is missing ${error.missing.length} declared secret(s)`
  const hints = error.missing.map(hintOf).filter((hint) => hint !== undefined)
  const hint = "The platform injects declared secrets; for a local run, set one of the variables tried or create " +
    "the file."
  return `${header}; its body did not run.${each}\n\n${[...new Set(hints), hint].join("\n")}`
}
