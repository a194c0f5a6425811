/**
 * flytepropeller's global secrets (`webhook/global_secrets.go`): secrets the webhook itself can read are injected
 * as literal environment variables, `_FSEC_<GROUP>_<KEY>`, after `FLYTE_SECRETS_ENV_PREFIX`. Here the webhook's
 * secret provider is `options.globalSecrets`; like propeller's, it is asked before anything else is looked at.
 */
import type { Secret } from "../../Secret.ts"
import { goToUpper } from "./goStrings.ts"
import { appendToEveryContainer, type PodDraft } from "./podDraft.ts"
import { namesOf, type Problem } from "./problems.ts"
import { envPrefix, envPrefixEnvVar } from "./webhookConfig.ts"

export const injectGlobal = (
  secret: Secret,
  draft: PodDraft,
  provider: (secret: Secret) => string | undefined
): Problem | undefined => {
  const value = provider(secret)
  if (value === undefined) return { reason: "GlobalSecretNotFound", backend: "Global", secret: namesOf(secret) }
  if (typeof value !== "string") {
    return { reason: "InvalidOptions", backend: "Global", detail: "globalSecrets must return a string or undefined" }
  }
  if (secret.mountRequirement === "FILE") {
    return { reason: "UnsupportedMount", backend: "Global", secret: namesOf(secret) }
  }
  if (!secret.group) return { reason: "MissingGroup", backend: "Global", secret: namesOf(secret) }
  const variable = { name: goToUpper(envPrefix + secret.group + "_" + (secret.key ?? "")), value }
  appendToEveryContainer(draft, [envPrefixEnvVar, variable])
  return undefined
}
