/**
 * The library's typed errors. They carry names, locations and reasons, never a secret value or file bytes.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type { NameInput } from "./internal/naming.ts"

/**
 * One place a lookup tried, and why it did not yield the secret.
 *
 * @since 0.1.0
 * @category models
 */
export const Attempt = Schema.Struct({
  source: Schema.String,
  location: Schema.String,
  reason: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type Attempt = typeof Attempt.Type

const quote = (value: string | undefined): string => value === undefined ? "(none)" : JSON.stringify(value)

/** The declaration a user adds to a task, written as code they can paste. */
export const declarationHint = (name: NameInput): string => {
  const fields = [
    name.group === undefined ? undefined : `group: ${JSON.stringify(name.group)}`,
    name.key === undefined ? undefined : `key: ${JSON.stringify(name.key)}`,
    name.groupVersion === undefined ? undefined : `groupVersion: ${JSON.stringify(name.groupVersion)}`
  ].filter((field) => field !== undefined)
  return `new Secret({ ${fields.join(", ")} })`
}

/**
 * A secret was not found in any source. `attempts` lists every place tried, in order.
 *
 * @since 0.1.0
 * @category errors
 */
export class SecretNotFound extends Schema.TaggedError<SecretNotFound>()("SecretNotFound", {
  group: Schema.optional(Schema.String),
  key: Schema.optional(Schema.String),
  groupVersion: Schema.optional(Schema.String),
  attempts: Schema.Array(Attempt)
}) {
  override get message(): string {
    const refusal = this.attempts.find((attempt) => attempt.source === "request")
    if (refusal !== undefined) return `Secret request refused: ${refusal.reason}. Nothing was read.`
    return `${whereLookedFor(this)}\n` +
      `Declare it in the task's secretRequests as ${declarationHint(this)} and make sure the platform injects it.`
  }
}

/** "Secret not found: <name>. Tried:" and one line per attempt. */
const whereLookedFor = (error: SecretNotFound): string => {
  const version = error.groupVersion === undefined ? "" : ` version ${quote(error.groupVersion)}`
  const tried = error.attempts.map((a) => `\n  - ${a.source} ${a.location}: ${a.reason}`).join("")
  return `Secret not found: group ${quote(error.group)}${version} key ${quote(error.key)}. Tried:${tried}`
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
    const header = `Task ${JSON.stringify(this.task)} is missing ${this.missing.length} declared secret(s)`
    const hint =
      "The platform injects declared secrets; for a local run, set one of the variables tried or create the file."
    return `${header}; its body did not run.${each}\n\n${hint}`
  }
}
