/** A Flyte 2 injector's refusal of a secret: which backend, why, and the webhook's own words. */
import type { InjectionBackend, Refusal, SecretInjectionReason } from "../../../KubernetesError.ts"

export const refusal = (backend: InjectionBackend, reason: SecretInjectionReason, message: string): Refusal => ({
  backend,
  reason,
  message
})
