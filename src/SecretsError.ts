/**
 * The library's typed errors. They carry names, locations and reasons, never a secret value or file bytes.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Schema from "effect/Schema"
import { equalFields, hashFields } from "./internal/lookup/missEquality.ts"
import { missingSecretsMessage, secretNotFoundMessage } from "./internal/lookup/missMessage.ts"

/**
 * One place a lookup tried, and why it did not yield the secret: `missing` (nothing there) or `refused` (something
 * there that may not be read: not UTF-8, too large, not a regular file, a link out of the secrets directory).
 * `outcome` may be left out when building one (a custom manager's miss): it is then `missing`.
 *
 * **Example** (One place a custom manager tried)
 *
 * ```ts
 * import { Attempt } from "effect-secrets/SecretsError"
 *
 * const attempt = Attempt.make({ source: "vault", location: "secret/data/db", reason: "no key \"password\"" })
 * attempt.outcome // "missing"
 * ```
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
 * **Example** (Checking a reason read from elsewhere)
 *
 * ```ts
 * import { SecretNotFoundReason } from "effect-secrets/SecretsError"
 * import * as Schema from "effect/Schema"
 *
 * const isReason = Schema.is(SecretNotFoundReason)
 * isReason("Refused") // true
 * ```
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

/**
 * A secret could not be read from any source. `attempts` lists every place tried, in order; `reason` tells a miss
 * from a refusal, a malformed request and an undeclared one; `task` names the task whose lookup it was. A custom
 * manager (a Vault-backed one, a test double) builds one from `{ group, key, attempts: [{ source, location, reason }]
 * }`: `reason` defaults to `NotFound`, each attempt's `outcome` to `missing`.
 *
 * **Example** (A custom manager's miss, and handling one)
 *
 * ```ts
 * import { SecretNotFound, SecretsManager } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const notInVault = new SecretNotFound({
 *   group: "db",
 *   key: "password",
 *   attempts: [{ source: "vault", location: "secret/data/db", reason: "no key \"password\"" }]
 * })
 * const password = SecretsManager.use((secrets) => secrets.get({ group: "db", key: "password" })).pipe(
 *   Effect.catchTag("SecretNotFound", (miss) => Effect.succeed(`none (${miss.attempts.length} places tried)`))
 * )
 * ```
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
  /** Built when read: a miss that is only branched on never builds its text. */
  override get message(): string {
    return secretNotFoundMessage(this)
  }

  /** Equal to a miss of the same fields, whether the schema or a lookup built it. */
  [Equal.symbol](that: Equal.Equal): boolean {
    return equalFields(this, that)
  }

  [Hash.symbol](): number {
    return hashFields(this)
  }
}

/**
 * A task's preflight found declared secrets missing; the task body did not run.
 *
 * **Example** (A task's preflight naming every missing secret)
 *
 * ```ts
 * import { SecretsManager, task } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const sync = task({ name: "sync", secretRequests: [{ group: "db", key: "password" }] }, () => Effect.void)
 * const run = sync().pipe(
 *   Effect.catchTag("MissingSecrets", (error) => Effect.logError(error.message)), // the body did not run
 *   Effect.provide(SecretsManager.layerTest())
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingSecrets extends Schema.TaggedError<MissingSecrets>()("MissingSecrets", {
  task: Schema.String,
  missing: Schema.Array(SecretNotFound)
}) {
  override get message(): string {
    return missingSecretsMessage(this)
  }

  /** Equal to a failure of the same task and misses, whether or not either message has been read. */
  [Equal.symbol](that: Equal.Equal): boolean {
    return equalFields(this, that)
  }

  [Hash.symbol](): number {
    return hashFields(this)
  }
}
