/**
 * The synchronous facade for plain code: `secrets.my_group.my_key`, `secrets.get(request)`,
 * `secrets.getPath(request)`. Lookups run the `SecretsManager` synchronously; a miss throws the `SecretNotFound`
 * itself.
 *
 * @since 0.1.0
 */
import type { ConfigError } from "effect/Config"
import type * as Layer from "effect/Layer"
import { facadeOver } from "./internal/facade/proxy.ts"
import { defaultManager, managerOf } from "./internal/facade/run.ts"
import { type SecretRequest, SecretsManager } from "./SecretsManager.ts"

/**
 * A group of the facade: every property read looks up `<group>.<key>` and returns the stripped text.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretGroup {
  readonly [key: string]: string
}

/**
 * The facade's methods, beside attribute access.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretsMethods {
  /** The secret as stripped text, or with `encodeMode: "rb"` as its exact bytes. Throws `SecretNotFound`. */
  readonly get: {
    (request: SecretRequest & { readonly encodeMode: "rb" }): Uint8Array
    (request: SecretRequest & { readonly encodeMode?: "r" | undefined }): string
    (request: SecretRequest): string | Uint8Array
  }
  /** The path of the file holding the secret. Throws `SecretNotFound`. */
  readonly getPath: (request: SecretRequest) => string
}

/**
 * The facade: `secrets.<group>.<key>` and the methods. Names that tools probe (everything on `Object.prototype`,
 * `then`, `toJSON`, `inspect`, `length`, `message`, `stack` and the others listed in the README, names starting
 * with `__` or `@@`, symbols, and `get`/`getPath` at the top level) are never groups or keys: read such secrets
 * with `get()`.
 *
 * @since 0.1.0
 * @category models
 */
export type Secrets = SecretsMethods & { readonly [group: string]: SecretGroup }

/**
 * The requests `secrets.<group>.<key>` makes: the group as written, then, when it holds `_`, with `-` for `_` (a
 * Kubernetes Secret name cannot hold `_`, so `my_api_keys` stands for `my-api-keys` too).
 */
const attributeSpellings = (group: string, key: string): ReadonlyArray<SecretRequest> =>
  group.includes("_") ? [{ group, key }, { group: group.replaceAll("_", "-"), key }] : [{ group, key }]

/**
 * A synchronous facade over a `SecretsManager` layer (default `SecretsManager.layer`). The layer is built on the
 * first lookup; its files must be read synchronously (`layer` and `layerTest` do).
 *
 * **Example** (A facade over the test manager)
 *
 * ```ts
 * import { makeSecrets, SecretsManager } from "effect-secrets"
 *
 * const secrets = makeSecrets(SecretsManager.layerTest({ env: { FLYTE_SECRETS_MY_GROUP_MY_KEY: "s3cr3t" } }))
 * secrets.my_group.my_key // "s3cr3t"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSecrets = (layer: Layer.Layer<SecretsManager, ConfigError> = SecretsManager.layer): Secrets =>
  facadeOver(managerOf(layer), attributeSpellings)

/**
 * The default facade, over `SecretsManager.layer`, built on first use.
 *
 * **Example** (Reading a secret from plain code)
 *
 * ```ts
 * import { secrets } from "effect-secrets"
 *
 * const token = secrets.my_api_keys.github_token // my-api-keys too; throws SecretNotFound on a miss
 * const cert = secrets.get({ group: "my-certs", key: "tls_cert", encodeMode: "rb" }) // Uint8Array
 * const certPath = secrets.getPath({ group: "my-certs", key: "tls_cert" })
 * ```
 *
 * @since 0.1.0
 * @category facade
 */
export const secrets: Secrets = facadeOver(defaultManager, attributeSpellings)
