/**
 * The text of a miss, built only when an error's message is read: where the lookup looked, and what to do. Hints
 * that compare against what exists ("did you mean") are kept beside the error, never in it, so nothing extra prints
 * or serialises, and are computed once, on first read.
 */
import type { MissingSecrets, SecretNotFound } from "../../SecretsError.ts"
import { describeName, type NameInput, quoteName } from "./naming.ts"

const lateHints = new WeakMap<object, () => string | undefined>()
/** Hints computed, by error: a miss that is only branched on stores nothing here. */
const computedHints = new WeakMap<object, string | undefined>()

/** Attaches a hint computed when the error's message is first read (the same function for every miss of a lookup). */
export const attachHint = (error: SecretNotFound, hint: () => string | undefined): void => {
  lateHints.set(error, hint)
}

const hintOf = (error: SecretNotFound): string | undefined => {
  if (computedHints.has(error)) return computedHints.get(error)
  const hint = lateHints.get(error)?.()
  computedHints.set(error, hint)
  return hint
}

/** Gives `to` the hint `from` carries (a miss re-made for a task, or for several spellings). */
export const carryHint = (from: SecretNotFound, to: SecretNotFound): SecretNotFound => {
  const hint = lateHints.get(from)
  if (hint !== undefined) lateHints.set(to, hint)
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
