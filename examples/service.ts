import { Masking, SecretsCache, SecretsManager } from "effect-secrets"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

// Reads cached for 5 minutes (misses 1 s), the last good value served for up to an hour when a re-read fails,
// every value read masked in every log line.
export const ServiceLayer = Layer.mergeAll(
  SecretsCache.layer().pipe(Layer.provide(SecretsManager.layer)),
  Masking.layer
)

export const service = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  const cache = yield* SecretsCache
  // watch is never cached: each new value (a ..data swap) refreshes the cached entry at once.
  yield* secrets.watch({ group: "db", key: "password" }).pipe(
    Stream.runForEach(() => cache.refresh({ group: "db", key: "password" })),
    Effect.forkScoped
  )
  const password = yield* secrets.getRedacted({ group: "db", key: "password" })
  yield* Effect.log(`connected with ${password}`) // <redacted>, and a raw value would be masked too
})

export const main = () => Effect.runPromise(service.pipe(Effect.scoped, Effect.provide(ServiceLayer)))
