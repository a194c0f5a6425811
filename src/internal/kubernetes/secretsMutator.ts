/**
 * flytepropeller's secrets mutator (Flyte 1, `webhook/secrets.go`): for each secret in order, the global injector
 * when there is one, then the configured backend; the first that injects wins and the backend's error is the one
 * returned. An injector that refuses a secret changes nothing, so the next one starts from the same pod.
 */
import type * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { Flyte2InjectOptions, InjectOptions, Pod } from "../../Kubernetes.ts"
import type { SecretInjectionError } from "../../KubernetesError.ts"
import { Secret, type SecretInput } from "../../Secret.ts"
import { injectAws } from "./awsInjector.ts"
import { injectFlyte2Pod } from "./flyte2/mutator.ts"
import { injectGcp } from "./gcpInjector.ts"
import { injectGlobal } from "./globalInjector.ts"
import { injectK8s } from "./k8sInjector.ts"
import { draftOf, finish, isDraft, type PodDraft } from "./podDraft.ts"
import { declarationProblem, fromResult, type Problem } from "./problems.ts"
import { injectVault } from "./vaultInjector.ts"
import { isConfig, resolveConfig, type WebhookConfig } from "./webhookConfig.ts"

/** The secrets as `Secret`s (plain objects decoded), or the first that is not a valid declaration. */
export const toSecrets = (secrets: ReadonlyArray<Secret | SecretInput>): Array<Secret> | Problem => {
  if (!Array.isArray(secrets)) return { reason: "InvalidSecret", detail: "secrets must be an array" }
  const decoded: Array<Secret> = []
  for (const [index, secret] of secrets.entries()) {
    if (secret instanceof Secret) {
      decoded.push(secret)
      continue
    }
    try {
      // A plain object is a core.Secret as propeller reads it: an envVar of "" is proto3's absent.
      decoded.push(new Secret(secret.envVar === "" ? { ...secret, envVar: undefined } : secret))
    } catch (error) {
      return { reason: "InvalidSecret", index, detail: declarationProblem(error) }
    }
  }
  return decoded
}

const backendOf = (config: WebhookConfig) => (secret: Secret, draft: PodDraft): Problem | undefined => {
  switch (config.backend) {
    case "K8s":
      return injectK8s(secret, draft)
    case "AWS":
      return injectAws(secret, draft, config.aws)
    case "GCP":
      return injectGcp(secret, draft, config.gcp)
    case "Vault":
      return injectVault(secret, draft, config)
  }
}

/** The mutated pod, or the problem that stopped the webhook: synchronous, the input untouched. */
export const injectPod = (
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  options: InjectOptions
): Result.Result<Pod, Problem> => {
  const config = resolveConfig(options)
  if (!isConfig(config)) return Result.fail(config)
  const declared = toSecrets(secrets)
  if (!Array.isArray(declared)) return Result.fail(declared)
  const draft = draftOf(pod)
  if (!isDraft(draft)) return Result.fail(draft)
  const backend = backendOf(config)
  for (const [index, secret] of declared.entries()) {
    if (config.globalSecrets !== undefined) {
      const refused = injectGlobal(secret, draft, config.globalSecrets)
      if (refused === undefined) continue
      if (refused.reason === "InvalidOptions") return Result.fail({ ...refused, index })
    }
    const problem = backend(secret, draft)
    if (problem !== undefined) return Result.fail({ ...problem, index })
  }
  return Result.succeed(finish(draft))
}

export const injectSecrets = (
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  options: InjectOptions | Flyte2InjectOptions
): Effect.Effect<Pod, SecretInjectionError> =>
  fromResult(() => isFlyte2Options(options) ? injectFlyte2Pod(pod, secrets, options) : injectPod(pod, secrets, options))

/** Options that ask for the Flyte 2 webhook. */
export const isFlyte2Options = (options: InjectOptions | Flyte2InjectOptions): options is Flyte2InjectOptions =>
  typeof options === "object" && options !== null && (options as { readonly flyte?: unknown }).flyte === 2
