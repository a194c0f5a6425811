import { SecretsManager } from "effect-secrets"
import * as Effect from "effect/Effect"

const program = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  const token = yield* secrets.get({ group: "my-api-keys", key: "github_token" }) // string, trimmed
  const cert = yield* secrets.get({ group: "my-certs", key: "tls_cert", encodeMode: "rb" }) // Uint8Array, exact
  const password = yield* secrets.getRedacted({ group: "db", key: "password" }) // prints as <redacted>
  const certPath = yield* secrets.getPath({ group: "my-certs", key: "tls_cert" }) // the file's path
  const where = yield* secrets.locate({ group: "db", key: "password" }) // { source, location }, no value
  return { token, cert, password, certPath, where }
})

export const runLive = () => Effect.runPromise(program.pipe(Effect.provide(SecretsManager.layer)))
