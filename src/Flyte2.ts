/**
 * `Flyte2`: the stored side of Flyte 2's secrets. What SecretService holds (`store`, for the Embedded secret
 * manager of `Kubernetes.injectSecrets({ flyte: 2 })`), the id it stores a secret under (`encodeSecretName`), and
 * the Kubernetes Secret it writes for `flyte create secret` (`kubernetesSecret`).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Internal from "./internal/kubernetes/flyte2/store.ts"
import { type StoredKubernetesSecret, storedSecret } from "./internal/kubernetes/flyte2/storedSecret.ts"
import { fromResult } from "./internal/kubernetes/problems.ts"
import type { SecretInjectionError } from "./KubernetesError.ts"

/**
 * The secrets SecretService holds, by id. It prints its ids, never a value.
 *
 * @since 0.1.0
 * @category models
 */
export type Store = Internal.Store

/**
 * One stored secret: its name, its value (text as `flyte.remote.Secret.create` sends it, bytes as `flyte create
 * secret` does), and its scope: `project` with `domain`, `domain` alone, or neither (the organisation).
 *
 * @since 0.1.0
 * @category models
 */
export type StoreEntry = Internal.StoreEntry

/**
 * A secret's name and scope. An `organization` is ignored: SecretService stores every secret under `flyte`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretId extends Internal.SecretId {
  readonly organization?: string | undefined
}

/**
 * The Kubernetes Secret SecretService writes.
 *
 * @since 0.1.0
 * @category models
 */
export type KubernetesSecret = StoredKubernetesSecret

/**
 * What SecretService holds: entries `{ name, value, project?, domain? }`, or a record `{ [name]: value }` at the
 * organisation scope. Throws a `TypeError` saying what is wrong with an entry: a project needs a domain, as the
 * service says, and a project or domain must be a Kubernetes label value, as `kubernetesSecret` requires (a task pod
 * carries its scope as labels, so no pod could read a secret stored under any other). A name may be any string: the
 * Embedded secret manager looks up whatever key a pod asks for.
 *
 * **Example** (Secrets stored at the project scope)
 *
 * ```ts
 * import { Flyte2 } from "effect-secrets"
 *
 * const store = Flyte2.store([{ name: "openai-key", value: "sk-...", project: "flytesnacks", domain: "development" }])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const store = (entries: ReadonlyArray<StoreEntry> | Readonly<Record<string, string | Uint8Array>>): Store => {
  const made = Internal.makeStore(entries)
  if (typeof made === "string") throw new TypeError(`Invalid Flyte2.store: ${made}`)
  return made
}

/**
 * The id SecretService stores a secret under, which the Embedded secret manager looks up:
 * `u__org__flyte__domain__<domain>__project__<project>__key__<name>`.
 *
 * **Example** (The id SecretService stores a secret under)
 *
 * ```ts
 * import { Flyte2 } from "effect-secrets"
 *
 * Flyte2.encodeSecretName({ name: "openai-key", project: "flytesnacks", domain: "development" })
 * // "u__org__flyte__domain__development__project__flytesnacks__key__openai-key"
 * ```
 *
 * @since 0.1.0
 * @category naming
 */
export const encodeSecretName = (id: SecretId): string => Internal.encodeSecretName(id)

/**
 * The Kubernetes Secret SecretService writes for a secret: name `md5hex(id)`, namespace `options.namespace` (default
 * `flyte`, the service's own default; its Helm chart uses the release namespace), the id as its only key,
 * `stringData` for text and `data` (base64) for bytes, and the labels `app.flyte.org/managed`, `app.flyte.org/domain`
 * and `app.flyte.org/project` (the last two when set). A project without a domain is refused, as by the service, and
 * so is a name other than letters, digits, `-`, `_` and `.` (the service stores `tls.crt`), or `.` or `..` alone. So is
 * what Kubernetes would refuse in the Secret: a project or domain that is not a label value (at most 63 letters,
 * digits, `-`, `_` and `.`, starting and ending with a letter or digit), an id longer than a data key's 253
 * characters, a value over 1 MiB (text by its UTF-8 bytes), text holding a lone surrogate (no UTF-8 form: pass
 * bytes), and a namespace that is not a DNS label. Refused text is shown escaped.
 *
 * **Example** (The Secret `flyte create secret` leaves in the cluster)
 *
 * ```ts
 * import { Flyte2, Kubernetes } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const secret = Flyte2.kubernetesSecret({ name: "openai-key", project: "flytesnacks", domain: "development" }, "sk-1")
 * console.log(Kubernetes.toYaml(Effect.runSync(secret))) // the value in stringData
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const kubernetesSecret = (
  id: SecretId,
  value: string | Uint8Array,
  options?: { readonly namespace?: string }
): Effect.Effect<KubernetesSecret, SecretInjectionError> =>
  fromResult(() => storedSecret(id, value, options?.namespace))
