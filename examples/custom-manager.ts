import { SecretNotFound } from "effect-secrets"
import * as Effect from "effect/Effect"

// A lookup in a store of your own that found nothing: the error every caller already handles.
export const notInVault = (group: string, key: string) =>
  Effect.fail(
    new SecretNotFound({
      group,
      key,
      attempts: [{ source: "vault", location: `secret/data/${group}`, reason: `no key "${key}"` }]
    })
  )
