/**
 * flytepropeller's Vault injector (`webhook/vault_secret_manager.go`): annotations for the Vault Agent injector,
 * which writes the key `key` of the Vault secret at path `group` to `/etc/flyte/secrets/<group>/<key>` (case
 * kept). The template follows the KV engine: `groupVersion` `kv1`/`kv2`, none for `db`, else the configured version.
 */
import type { Secret } from "../../Secret.ts"
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
  const forSecret = vaultAnnotationsForSecret(group, key, secret.groupVersion, config.vault.kvVersion, config.uuid())
  unionAnnotations(draft, forSecret, common, Object.entries(config.vault.annotations))
  return undefined
}
