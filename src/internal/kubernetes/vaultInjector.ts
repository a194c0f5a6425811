/**
 * flytepropeller's Vault injector (`webhook/vault_secret_manager.go`): annotations for the Vault Agent injector,
 * which writes the key `key` of the Vault secret at path `group` to `/etc/flyte/secrets/<group>/<key>` (case
 * kept). The template follows the KV engine: `groupVersion` `kv1`/`kv2`, none for `db`, else the configured version.
 */
import type { Secret } from "../../Secret.ts"
import { crypto } from "../nodeBuiltins.ts"
import { appendToEveryContainer, type PodDraft, unionAnnotations } from "./podDraft.ts"
import { namesOf, type Problem } from "./problems.ts"
import { defaultDirEnvVar, filePrefixEnvVar, secretsRoot, type WebhookConfig } from "./webhookConfig.ts"

export const vaultPrefix = "vault.hashicorp.com/"

/** `CreateVaultAnnotationsForSecret`: the secret, the file and (unless `db`) the template, under one new id. */
export const vaultAnnotationsForSecret = (
  group: string,
  key: string,
  groupVersion: string | undefined,
  kvVersion: "1" | "2",
  id: string
): Array<readonly [string, string]> => {
  const annotations: Array<readonly [string, string]> = [
    [`${vaultPrefix}agent-inject-secret-${id}`, group],
    [`${vaultPrefix}agent-inject-file-${id}`, `${group}/${key}`]
  ]
  const query = groupVersion === "kv1"
    ? ".Data"
    : groupVersion === "kv2"
    ? ".Data.data"
    : groupVersion === "db"
    ? undefined
    : kvVersion === "1"
    ? ".Data"
    : ".Data.data"
  if (query !== undefined) {
    annotations.push([
      `${vaultPrefix}agent-inject-template-${id}`,
      `{{- with secret "${group}" -}}{{ ${query}.${key} }}{{- end -}}`
    ])
  }
  return annotations
}

/** The namespace of the ids below: fixed, so that one pod and one secret always give one id. */
const idNamespace = Buffer.from("4f33c264a663400db4ca4ca26b773655", "hex")

/**
 * A name-based UUID (version 5: SHA-1 of a namespace and a name) of the pod's name and the secret's names. Propeller
 * draws a random one; derived, the same pod renders to the same bytes every time, and a secret declared twice
 * keeps one set of annotations.
 */
const nameBasedId = (podName: unknown, secret: Secret): string => {
  const name = JSON.stringify([
    typeof podName === "string" ? podName : "",
    secret.group,
    secret.key,
    secret.groupVersion
  ])
  const bytes = crypto.createHash("sha1").update(idNamespace).update(name, "utf8").digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export const injectVault = (secret: Secret, draft: PodDraft, config: WebhookConfig): Problem | undefined => {
  const { group, key } = secret
  if (!group || !key) {
    return { reason: group ? "MissingKey" : "MissingGroup", backend: "Vault", secret: namesOf(secret) }
  }
  if (secret.mountRequirement === "ENV_VAR") {
    return { reason: "UnsupportedMount", backend: "Vault", secret: namesOf(secret) }
  }
  appendToEveryContainer(draft, [defaultDirEnvVar, filePrefixEnvVar])
  const common: ReadonlyArray<readonly [string, string]> = [
    [`${vaultPrefix}agent-inject`, "true"],
    [`${vaultPrefix}secret-volume-path`, secretsRoot],
    [`${vaultPrefix}role`, config.vault.role],
    [`${vaultPrefix}agent-pre-populate-only`, "true"]
  ]
  const id = config.uuid?.() ?? nameBasedId(draft.pod.metadata?.["name"], secret)
  const forSecret = vaultAnnotationsForSecret(group, key, secret.groupVersion, config.vault.kvVersion, id)
  unionAnnotations(draft, forSecret, common, Object.entries(config.vault.annotations))
  return undefined
}
