import { SecretsManager } from "effect-secrets"
import * as Effect from "effect/Effect"

// In tests: no process.env, no disk.
const testLayer = SecretsManager.layerTest({
  env: { FLYTE_SECRETS_MY_API_KEYS_GITHUB_TOKEN: "test-token", FLYTE_SECRETS_DB_PASSWORD: "test-password" },
  files: { "/etc/secrets/my-certs/tls_cert": new Uint8Array([0x30, 0x82]) }
})

const program = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  const token = yield* secrets.get({ group: "my-api-keys", key: "github_token" })
  const cert = yield* secrets.get({ group: "my-certs", key: "tls_cert", encodeMode: "rb" })
  return `${token}, ${cert.length} bytes of certificate`
})

console.log(Effect.runSync(program.pipe(Effect.provide(testLayer)))) // test-token, 2 bytes of certificate
