import { Kubernetes, SecretsManager } from "effect-secrets"
import * as Effect from "effect/Effect"

const secretRequests = [
  { group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" },
  { group: "my-certs", key: "tls_cert", mountRequirement: "FILE", envVar: "TLS_CERT_PATH" }
] as const

const values = {
  "my-api-keys": { github_token: "ghp_test" },
  "my-certs": { tls_cert: "-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----" }
}

const readSecrets = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  const token = yield* secrets.get({ group: "my-api-keys", key: "github_token" }) // from _FSEC_MY-API-KEYS_GITHUB_TOKEN
  const certPath = yield* secrets.getPath(secretRequests[1]) // from TLS_CERT_PATH, a link into ..data
  return { token, certPath }
})

// A local test of the task, its secrets laid out as the pod would have them (removed afterwards).
const localRun = readSecrets.pipe(Effect.provide(Kubernetes.layerMaterialized(secretRequests, values)))

// The same layout by hand: its environment, its directory, and a rotation as the kubelet does it.
const rotation = Effect.scoped(Effect.gen(function*() {
  const materialized = yield* Kubernetes.materialize(secretRequests, values) // { env, dir, update }
  yield* materialized.update("my-certs", "tls_cert", "-----BEGIN CERTIFICATE-----\nrenewed\n-----END CERTIFICATE-----")
  return Object.keys(materialized.env)
}))

const { token } = await Effect.runPromise(localRun)
console.log(token, await Effect.runPromise(rotation)) // ghp_test [ '_FSEC_MY-API-KEYS_GITHUB_TOKEN', ... ]
