/**
 * The library's typed errors. They carry names, locations and reasons, never a secret value or file bytes.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type NameInput, quoteName } from "./internal/lookup/naming.ts"

/**
 * One place a lookup tried, and why it did not yield the secret: `missing` (nothing there) or `refused` (something
 * there that may not be read: not UTF-8, too large, not a regular file, a link out of the secrets directory).
 * `outcome` may be left out when building one (a custom manager's miss): it is then `missing`.
 *
 * @since 0.1.0
 * @category models
 */
export const Attempt = Schema.Struct({
  source: Schema.String,
  location: Schema.String,
  outcome: Schema.Literals(["missing", "refused"]).pipe(
    Schema.withConstructorDefault(Effect.succeed("missing" as const))
  ),
  reason: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type Attempt = typeof Attempt.Type

/**
 * Why a lookup failed: `NotFound` (no place holds it), `Refused` (a place holds something that may not be read),
 * `InvalidRequest` (the request itself is malformed or names an unsafe path; nothing was read), `Undeclared` (a
 * strict task did not declare it; nothing was read).
 *
 * @since 0.1.0
 * @category models
 */
export const SecretNotFoundReason = Schema.Literals(["NotFound", "Refused", "InvalidRequest", "Undeclared"])

/**
 * @since 0.1.0
 * @category models
 */
export type SecretNotFoundReason = typeof SecretNotFoundReason.Type

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

// Hints computed only when a message is read (a "did you mean" compares against what exists): a miss stays cheap
// for callers that only branch on it. Kept beside the error, never in it, so nothing extra prints or serialises.
const lateHints = new WeakMap<object, () => string | undefined>()

/**
 * Attaches a hint computed when the error's message is first read.
 *
 * @internal
 */
export const attachHint = (error: SecretNotFound, hint: () => string | undefined): void => {
  let computed: string | undefined | null = null
  lateHints.set(error, () => computed === null ? (computed = hint()) : computed)
}

/**
 * The miss as seen from a task: the same attempts, with the task named and whether it declares the secret, so the
 * advice fits.
 *
 * @internal
 */
export const inTask = (error: SecretNotFound, task: string, declared: boolean): SecretNotFound => {
  if (error.reason !== "NotFound" && error.reason !== "Refused") return error
  return carryingHint(error, new SecretNotFound({ ...fieldsOf(error), task, declared }))
}

/**
 * One miss for several spellings of one request tried in turn (the facade's `my_api_keys`, then `my-api-keys`):
 * the first one's name, every place tried once, in order.
 *
 * @internal
 */
export const mergeMisses = (misses: ReadonlyArray<SecretNotFound>): SecretNotFound => {
  const [first] = misses
  const seen = new Set<string>()
  const attempts = misses.flatMap((miss) => miss.attempts).filter((attempt) => {
    const place = `${attempt.source}\u0000${attempt.location}`
    return seen.has(place) ? false : (seen.add(place), true)
  })
  const reason = misses.some((miss) => miss.reason === "Refused") ? "Refused" : first!.reason
  return carryingHint(first!, new SecretNotFound({ ...fieldsOf(first!), reason, attempts }))
}

const fieldsOf = (error: SecretNotFound) => ({
  ...(error.group === undefined ? {} : { group: error.group }),
  ...(error.key === undefined ? {} : { key: error.key }),
  ...(error.groupVersion === undefined ? {} : { groupVersion: error.groupVersion }),
  ...(error.task === undefined ? {} : { task: error.task }),
  ...(error.declared === undefined ? {} : { declared: error.declared }),
  reason: error.reason,
  attempts: error.attempts
})

const carryingHint = (from: SecretNotFound, to: SecretNotFound): SecretNotFound => {
  const hint = lateHints.get(from)
  if (hint !== undefined) lateHints.set(to, hint)
  return to
}

/**
 * A secret could not be read from any source. `attempts` lists every place tried, in order; `reason` tells a miss
 * from a refusal, a malformed request and an undeclared one; `task` names the task whose lookup it was. A custom
 * manager (a Vault-backed one, a test double) builds one from `{ group, key, attempts: [{ source, location, reason }]
 * }`: `reason` defaults to `NotFound`, each attempt's `outcome` to `missing`.
 *
 * @since 0.1.0
 * @category errors
 */
export class SecretNotFound extends Schema.TaggedError<SecretNotFound>()("SecretNotFound", {
  group: Schema.optional(Schema.String),
  key: Schema.optional(Schema.String),
  groupVersion: Schema.optional(Schema.String),
  reason: SecretNotFoundReason.pipe(Schema.withConstructorDefault(Effect.succeed("NotFound" as const))),
  attempts: Schema.Array(Attempt),
  task: Schema.optional(Schema.String),
  declared: Schema.optional(Schema.Boolean)
}) {
  override get message(): string {
    switch (this.reason) {
      case "InvalidRequest":
        return `Secret request refused: ${this.attempts[0]?.reason ?? "invalid request"}. Nothing was read.`
      case "Undeclared":
        return `Task ${quote(this.task)} does not declare ${describeName(this)} (strict mode): add ` +
          `${declarationHint(this)} to its secretRequests. Nothing was read.`
      default:
        return `${whereLookedFor(this)}\n${whatToDo(this)}`
    }
  }
}

const describeName = (error: NameInput): string => {
  const parts = [
    error.group === undefined ? undefined : `group ${quote(error.group)}`,
    error.groupVersion === undefined ? undefined : `version ${quote(error.groupVersion)}`,
    error.key === undefined ? undefined : `key ${quote(error.key)}`
  ]
  return parts.filter((part) => part !== undefined).join(" ")
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

/**
 * What a miss's message advises after its list of places: what to set or fix, and "did you mean" hints.
 *
 * @internal
 */
export const adviceOf = (error: SecretNotFound): string => whatToDo(error)

const whatToDo = (error: SecretNotFound): string => {
  const late = lateHints.get(error)?.()
  if (error.reason === "Refused") {
    return "The place named first holds something that may not be read (its reason says why), and no other place " +
      "holds the secret: fix that place or remove it, or set one of the other places tried." +
      (late === undefined ? "" : `\n${late}`)
  }
  const advice = error.task === undefined
    ? "Set one of the variables tried, or create the file."
    : error.declared
    ? `Task ${quote(error.task)} declares it, so the platform injects it on a cluster; for a local run, set one ` +
      "of the variables tried or create the file."
    : `Task ${quote(error.task)} does not declare it: add ${declarationHint(error)} to its secretRequests so the ` +
      "platform injects it."
  return advice + (late === undefined ? "" : `\n${late}`)
}

/**
 * A task's preflight found declared secrets missing; the task body did not run.
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingSecrets extends Schema.TaggedError<MissingSecrets>()("MissingSecrets", {
  task: Schema.String,
  missing: Schema.Array(SecretNotFound)
}) {
  override get message(): string {
    const each = this.missing.map((miss) => "\n\n" + whereLookedFor(miss)).join("")
    const header = `Task ${quote(this.task)} is missing ${this.missing.length} declared secret(s)`
    const hints = this.missing.map((miss) => lateHints.get(miss)?.()).filter((hint) => hint !== undefined)
    const hint = "The platform injects declared secrets; for a local run, set one of the variables tried or create " +
      "the file."
    return `${header}; its body did not run.${each}\n\n${[...new Set(hints), hint].join("\n")}`
  }
}
