import { Secret, SecretsManager } from "effect-secrets"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const DbPassword = new Secret({ group: "db", key: "password" })

// Opens a pool with the current password, and again with each new one.
const connectPool = (password: string) => Effect.logInfo(`pool opened (password of ${password.length} characters)`)

export const keepPoolConnected = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  yield* secrets.watch(DbPassword, { pollInterval: "10 seconds" }).pipe(Stream.runForEach(connectPool))
})

export const runPool = () => Effect.runPromise(keepPoolConnected.pipe(Effect.provide(SecretsManager.layer)))
