/** A Flyte 2 injector's refusal of a secret: which backend, why, and the webhook's own words. */
import type { Flyte2SecretFields } from "../../../Kubernetes.ts"
import type { InjectionBackend, Refusal, SecretInjectionReason } from "../../../KubernetesError.ts"
import { goText } from "./secrets.ts"

export const refusal = (backend: InjectionBackend, reason: SecretInjectionReason, message: string): Refusal => ({
  backend,
  reason,
  message
})

/** A requirement the secret does not meet: the backend's words, then the secret as Go prints it. */
export const unmet = (
  backend: InjectionBackend,
  reason: SecretInjectionReason,
  words: string,
  secret: Flyte2SecretFields
): Refusal => refusal(backend, reason, `${words} Secret: [${goText(secret)}]`)
