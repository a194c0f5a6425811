/**
 * The Flyte 2 webhook's mutator (`secret/secrets_pod_mutator.go`): for each secret, Global, then each configured
 * secret manager in order; a refusal is dropped and the next one tried on the same pod, the first that injects
 * wins. When none does, the pod is refused with the webhook's words, and here each refusal is kept.
 */
import * as Result from "effect/Result"
import type { Flyte2InjectOptions, Flyte2SecretFields, Pod } from "../../../Kubernetes.ts"
import type { InjectionBackend, Refusal } from "../../../KubernetesError.ts"
import type { Secret, SecretInput } from "../../../Secret.ts"
import { draftOf, finish, isDraft, type PodDraft } from "../podDraft.ts"
import type { Problem } from "../problems.ts"
import { type Flyte2Config, isFlyte2Config, resolveFlyte2Config } from "./config.ts"
import { injectEmbedded } from "./embeddedInjector.ts"
import { globalProvider, injectGlobal, injectK8s, injectVault } from "./keyedInjectors.ts"
import { decodeFlyte2Secrets, namesOfFlyte2 } from "./secrets.ts"
import { injectAws, injectAzure, injectGcp } from "./sidecarInjectors.ts"

/** One secret manager: its name and what it does with a secret. */
export interface Injector {
  readonly backend: InjectionBackend
  readonly inject: (secret: Flyte2SecretFields, draft: PodDraft) => Refusal | undefined
}

/** Global, then the configured managers, in order. */
export const injectorsOf = (config: Flyte2Config): ReadonlyArray<Injector> => {
  const provider = globalProvider(config)
  const byName = {
    Embedded: (secret: Flyte2SecretFields, draft: PodDraft) => injectEmbedded(secret, draft, config),
    K8s: (secret: Flyte2SecretFields, draft: PodDraft) => injectK8s(secret, draft, config.prefix),
    AWS: (secret: Flyte2SecretFields, draft: PodDraft) => injectAws(secret, draft, config.aws),
    GCP: (secret: Flyte2SecretFields, draft: PodDraft) => injectGcp(secret, draft, config.gcp),
    Azure: (secret: Flyte2SecretFields, draft: PodDraft) => injectAzure(secret, draft, config.azure),
    Vault: (secret: Flyte2SecretFields, draft: PodDraft) => injectVault(secret, draft, config)
  } as const
  return [
    { backend: "Global", inject: (secret, draft) => injectGlobal(secret, draft, config.prefix, provider) },
    ...config.managers.map((backend) => ({ backend, inject: byName[backend] }))
  ]
}

/** Walks the secrets over a draft: `undefined` when every secret was injected, else the problem. */
export const walk = (
  draft: PodDraft,
  secrets: ReadonlyArray<Flyte2SecretFields>,
  injectors: ReadonlyArray<Injector>
): Problem | undefined => {
  for (const [index, secret] of secrets.entries()) {
    const refusals: Array<Refusal> = []
    for (const injector of injectors) {
      const refused = injector.inject(secret, draft)
      if (refused === undefined) break
      // Options that are wrong are not a refusal: nothing else is tried.
      if (refused.reason === "InvalidOptions") return { reason: "InvalidOptions", index, detail: refused.message }
      // A name a backend would run as shell code is refused outright, never left to the next manager.
      if (refused.reason === "InvalidSecret") {
        return {
          reason: "InvalidSecret",
          index,
          backend: injector.backend,
          secret: namesOfFlyte2(secret),
          detail: refused.message
        }
      }
      refusals.push(refused)
    }
    if (refusals.length === injectors.length) {
      return {
        reason: "NotInjected",
        index,
        secret: namesOfFlyte2(secret),
        detail: `[${injectors.map((injector) => injector.backend).join(" ")}]`,
        refusals
      }
    }
  }
  return undefined
}

/** The mutated pod, or the problem that stopped the webhook: synchronous, the input untouched. */
export const injectFlyte2Pod = (
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  options: Flyte2InjectOptions
): Result.Result<Pod, Problem> => {
  const config = resolveFlyte2Config(options)
  if (!isFlyte2Config(config)) return Result.fail(config)
  const declared = decodeFlyte2Secrets(secrets)
  if ("reason" in declared) return Result.fail(declared)
  const draft = draftOf(pod)
  if (!isDraft(draft)) return Result.fail(draft)
  const problem = walk(draft, declared, injectorsOf(config))
  return problem === undefined ? Result.succeed(finish(draft)) : Result.fail(problem)
}
