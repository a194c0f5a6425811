/**
 * Flyte 2 secrets, end to end: a task declares them as flyte-sdk does, SecretService stores them, the Flyte 2
 * webhook injects them into the task pod, and a local test reads them from what the container would see.
 */
import { Flyte2, Kubernetes, Secret, task } from "effect-secrets"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"

// flyte-sdk: Secret("openai-key"), Secret(key="api-key", group="anthropic"), Secret(key="tls-cert", mount=...).
const openai = Secret.flyte2("openai-key") // ENV_VAR, envVar OPENAI_KEY
const anthropic = Secret.flyte2({ key: "api-key", group: "anthropic" }) // ENV_VAR, envVar ANTHROPIC_API_KEY
const tlsCert = Secret.flyte2({ key: "tls-cert", mount: "/etc/flyte/secrets" }) // FILE

export const summarize = task(
  { name: "summarize", secretRequests: [openai, anthropic, tlsCert] },
  () => Effect.succeed("done")
)

// What `flyte create secret openai-key --project flytesnacks --domain development` stores, and where.
const scope = { project: "flytesnacks", domain: "development" }
export const store = Flyte2.store([
  { name: "openai-key", value: "sk-project", ...scope },
  { name: "api-key", value: "sk-ant-org" },
  { name: "tls-cert", value: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n", ...scope }
])
export const storedManifest = Flyte2.kubernetesSecret({ name: "openai-key", ...scope }, "sk-project")

// The task pod as Flyte 2's executor hands it to the webhook, then the webhook's pod (Global, then Embedded).
const pod: Kubernetes.Pod = { metadata: { name: "summarize" }, spec: { containers: [{ name: "task" }] } }
export const rendered = Kubernetes.annotatePod(pod, summarize.secretRequests, { flyte: 2, ...scope }).pipe(
  Effect.flatMap((annotated) =>
    Kubernetes.injectSecrets(annotated, summarize.secretRequests, { flyte: 2, embedded: { store } })
  )
)

// What the container sees: the variables (values inlined by Embedded) and the file its init container writes.
export const seen = Effect.scoped(
  Effect.map(
    Kubernetes.materialize(summarize.secretRequests, {}, { flyte: 2, ...scope, embedded: { store } }),
    (container) => ({
      openaiKey: container.env["OPENAI_KEY"], // "sk-project": the project scope wins
      anthropicKey: container.env["ANTHROPIC_API_KEY"], // "sk-ant-org": found at the organisation scope
      tlsCert: readFileSync(join(container.dir, "tls-cert"), "utf8") // /etc/flyte/secrets/tls-cert in the pod
    })
  )
)
