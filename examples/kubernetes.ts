/**
 * The README's Kubernetes section, kept here so the type-check covers it. `node examples/kubernetes.ts` prints the
 * pod flytepropeller's webhook renders for the example task, the pod as propeller annotates it for the webhook,
 * and what a local test of the task reads from its materialised secrets.
 */
import * as Effect from "effect/Effect"
import { Kubernetes, SecretsManager } from "../src/index.ts"

const secretRequests = [
  { group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" },
  { group: "my-certs", key: "tls_cert", mountRequirement: "FILE", envVar: "TLS_CERT_PATH" }
] as const

const pod: Kubernetes.Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "sync-repos" },
  spec: { containers: [{ name: "task", image: "ghcr.io/acme/sync-repos:1.0" }] }
}

// The pod after flytepropeller's secrets webhook (the K8s backend, the default).
export const rendered = Kubernetes.injectSecrets(pod, secretRequests)

// The pod as propeller hands it to the webhook: the label that selects it and one annotation per secret.
export const annotated = Kubernetes.annotatePod(pod, secretRequests)

// A local test of the task, its secrets laid out as the pod would have them (removed afterwards).
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

export const localRun = readSecrets.pipe(Effect.provide(Kubernetes.layerMaterialized(secretRequests, values)))

// The same layout by hand: its environment, its directory, and a rotation as the kubelet does it.
export const rotation = Effect.scoped(Effect.gen(function*() {
  const materialized = yield* Kubernetes.materialize(secretRequests, values)
  yield* materialized.update("my-certs", "tls_cert", "-----BEGIN CERTIFICATE-----\nrenewed\n-----END CERTIFICATE-----")
  return Object.keys(materialized.env)
}))

if (import.meta.main) {
  console.log(Kubernetes.toYaml(await Effect.runPromise(rendered)))
  console.log(Kubernetes.toYaml(await Effect.runPromise(annotated)))
  console.log(await Effect.runPromise(localRun))
  console.log(await Effect.runPromise(rotation))
}
