// A strict TypeScript user (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess), as the README shows.
import { makeSecrets, SecretsManager, task } from "effect-secrets"
import * as Effect from "effect/Effect"

const secrets = makeSecrets(SecretsManager.layerTest({ env: { FLYTE_SECRETS_MY_GROUP_MY_KEY: "s3cr3t" } }))
export const viaGet: string = secrets.get({ group: "my_group", key: "my_key" })
export const viaAttribute: string | undefined = secrets.my_group?.my_key
export const bytes: Uint8Array = secrets.get({ group: "my_group", key: "my_key", encodeMode: "rb" })

export const program = Effect.gen(function*() {
  const manager = yield* SecretsManager
  return yield* manager.getRedacted({ group: "my_group", key: "my_key" })
})

export const noInput = task({ name: "no_input", secretRequests: [{ key: "token" }] }, () => Effect.succeed(1))
export const run = noInput()
