/**
 * The Flyte 2 webhook's injectors that read a secret by group and key (`secret/global_secrets.go`,
 * `k8s_secrets.go`, `vault_secret_manager.go`). Their names and paths are Flyte 1's; what differs is the merge
 * (variables go to the head), the prefix, Kubernetes Secrets of key-only secrets (group `md5hex(key)`), and the
 * refusals' words.
 */
import type { EnvVar, Flyte2SecretFields } from "../../../Kubernetes.ts"
import type { Refusal } from "../../../KubernetesError.ts"
import type { Secret } from "../../../Secret.ts"
import { goJoin, goToLower, goToUpper } from "../goStrings.ts"
import { volumeForSecret, volumeMountForSecret } from "../k8sInjector.ts"
import { appendVolume, type PodDraft, prependToEveryContainer } from "../podDraft.ts"
import { describeProblem } from "../problems.ts"
import { injectVault as injectFlyte1Vault } from "../vaultInjector.ts"
import { defaultDirEnvVar, envPrefixVariable, filePrefixEnvVar, secretsRoot } from "../webhookConfig.ts"
import type { Flyte2Config } from "./config.ts"
import { refusal, unmet } from "./refusal.ts"
import { goText, mountName } from "./secrets.ts"
import { md5Hex } from "./store.ts"

/** What the webhook's global secret provider answers. */
export type GlobalAnswer = { readonly value: string } | { readonly error: string; readonly invalid?: true }

export const prefixEnvVar = (prefix: string): EnvVar => ({ name: envPrefixVariable, value: prefix })

/** The variables a file secret brings, at the head: its path under `envVar` when it has one, then the two dirs. */
export const fileEnvVars = (envVar: string | undefined, path: string): ReadonlyArray<EnvVar> => [
  ...(envVar ? [{ name: envVar, value: path }] : []),
  filePrefixEnvVar,
  defaultDirEnvVar
]

export const injectGlobal = (
  secret: Flyte2SecretFields,
  draft: PodDraft,
  prefix: string,
  provider: (secret: Flyte2SecretFields) => GlobalAnswer
): Refusal | undefined => {
  const answer = provider(secret)
  if ("error" in answer) {
    return refusal("Global", answer.invalid ? "InvalidOptions" : "GlobalSecretNotFound", answer.error)
  }
  if (secret.mountRequirement === "FILE") {
    return refusal(
      "Global",
      "UnsupportedMount",
      `global secrets can only be injected as environment variables [${secret.group ?? ""}/${secret.key ?? ""}]`
    )
  }
  if (!secret.group) {
    return refusal(
      "Global",
      "MissingGroup",
      `mounting a secret to env var requires selecting the secret and a single key within. Key [${secret.key ?? ""}]`
    )
  }
  const name = goToUpper(prefix + secret.group + "_" + (secret.key ?? ""))
  prependToEveryContainer(draft, [{ name, value: answer.value }, prefixEnvVar(prefix)])
  return undefined
}

/**
 * The provider a function of the options stands for: its value, or, as the webhook's own provider answers, an error
 * for a secret without group and key, or not found.
 */
export const globalProvider = (config: Flyte2Config) => (secret: Flyte2SecretFields): GlobalAnswer => {
  const value: unknown = config.globalSecrets?.(secret)
  if (typeof value === "string") return { value }
  if (value !== undefined) return { error: "globalSecrets must return a string or undefined", invalid: true }
  if (!secret.group || !secret.key) {
    return { error: `both key and group are required parameters. Secret: [${goText(secret)}]` }
  }
  return { error: `secret ${secret.group}/${secret.key} not found among the global secrets (options.globalSecrets)` }
}

export const injectK8s = (secret: Flyte2SecretFields, draft: PodDraft, prefix: string): Refusal | undefined => {
  const { envVar, key } = secret
  if (!key) {
    return unmet("K8s", "MissingKey", "k8s Secrets Webhook require key to be set.", secret)
  }
  // A key-only secret names the Kubernetes Secret after its key's MD5.
  const group = secret.group || md5Hex(key)
  switch (secret.mountRequirement) {
    case "ENV_VAR": {
      const valueFrom = { secretKeyRef: { name: group, key, optional: true } }
      prependToEveryContainer(draft, [
        prefixEnvVar(prefix),
        ...(envVar ? [{ name: envVar, valueFrom }] : []),
        { name: goToUpper(prefix + group + "_" + key), valueFrom }
      ])
      return undefined
    }
    case "ANY":
    case "FILE": {
      const volume = volumeForSecret(group, key, secret.groupVersion ?? "")
      appendVolume(draft, volume)
      const path = goJoin(secretsRoot, goToLower(group), goToLower(key))
      prependToEveryContainer(draft, fileEnvVars(envVar, path), volumeMountForSecret(volume.name, group))
      return undefined
    }
    default:
      return refusal(
        "K8s",
        "UnsupportedMount",
        `unrecognized mount requirement [${mountName(secret)}] for secret [${key}]`
      )
  }
}

export const injectVault = (secret: Flyte2SecretFields, draft: PodDraft, config: Flyte2Config): Refusal | undefined => {
  const { group, key } = secret
  if (!group || !key) {
    return unmet(
      "Vault",
      group ? "MissingKey" : "MissingGroup",
      "vault Secrets Webhook requires both key and group to be set.",
      secret
    )
  }
  if (secret.mountRequirement === "ENV_VAR") {
    return refusal("Vault", "UnsupportedMount", "Env_Var is not a supported mount requirement for Vault Secret Manager")
  }
  // The variables go to the head first, Flyte 2's way; Flyte 1's injector then finds them there (it keeps an
  // existing variable) and adds the agent's annotations, which are the same in both webhooks.
  prependToEveryContainer(draft, [filePrefixEnvVar, defaultDirEnvVar])
  const flyte1Secret = { ...secret, mountRequirement: "FILE" } as unknown as Secret
  const refused = injectFlyte1Vault(flyte1Secret, draft, { ...config, backend: "Vault", globalSecrets: undefined })
  return refused === undefined ? undefined : refusal("Vault", refused.reason, describeProblem(refused))
}
