import { Secret, SecretsCache, SecretsManager } from "effect-secrets"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const DbPassword = new Secret({ group: "db", key: "password" })

const handleRequest = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  const password = yield* secrets.getRedacted(DbPassword) // a cache hit, except every 5 minutes
  return `connecting with ${password}` // prints as <redacted>
})

const ServiceSecrets = SecretsCache.layer().pipe(Layer.provide(SecretsManager.layer))
export const serve = () => Effect.runPromise(handleRequest.pipe(Effect.provide(ServiceSecrets)))

// The secret was rotated and the service was told: read it again now.
export const onRotated = Effect.gen(function*() {
  const cache = yield* SecretsCache
  yield* cache.refresh(DbPassword)
})
