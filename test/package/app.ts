// A strict TypeScript user (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess), as the README shows.
import { makeSecrets, SecretsManager, task } from "effect-secrets"
import type { SecretNotFound } from "effect-secrets"
import * as Environment from "effect-secrets/Environment"
import * as Flyte2 from "effect-secrets/Flyte2"
import * as Kubernetes from "effect-secrets/Kubernetes"
import * as KubernetesError from "effect-secrets/KubernetesError"
import * as Masking from "effect-secrets/Masking"
import * as SecretModule from "effect-secrets/Secret"
import * as SecretsCache from "effect-secrets/SecretsCache"
import * as SecretsConfig from "effect-secrets/SecretsConfig"
import * as SecretsError from "effect-secrets/SecretsError"
import * as SecretsFacade from "effect-secrets/SecretsFacade"
import * as SecretsManagerModule from "effect-secrets/SecretsManager"
import * as SecretsTelemetry from "effect-secrets/SecretsTelemetry"
import * as Task from "effect-secrets/Task"
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

// Each public subpath resolves to its declarations, and a class reached two ways is one type.
export const subpaths = [
  Environment,
  Flyte2,
  Kubernetes,
  KubernetesError,
  Masking,
  SecretModule,
  SecretsCache,
  SecretsConfig,
  SecretsError,
  SecretsFacade,
  SecretsManagerModule,
  SecretsTelemetry,
  Task
] as const
export const oneError: typeof SecretNotFound = SecretsError.SecretNotFound
export const oneService: typeof SecretsManager = SecretsManagerModule.SecretsManager
