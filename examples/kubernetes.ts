import { Kubernetes } from "effect-secrets"
import * as Effect from "effect/Effect"

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

const rendered = Kubernetes.injectSecrets(pod, secretRequests) // Effect<Pod, SecretInjectionError>
console.log(Kubernetes.toYaml(Effect.runSync(rendered)))
