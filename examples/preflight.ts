import { MissingSecrets, SecretsManager, task } from "effect-secrets"
import * as Effect from "effect/Effect"

const syncRepos = task({
  name: "sync_repos",
  secretRequests: [
    { group: "my-api-keys", key: "github_token" },
    { group: "my-certs", key: "tls_cert", mountRequirement: "FILE", envVar: "TLS_CERT_PATH" }
  ]
}, (org: string) => Effect.succeed(`synced ${org}`))

// No secrets at all: the preflight fails before the body runs, naming every missing secret.
const exit = Effect.runSyncExit(syncRepos("acme").pipe(Effect.provide(SecretsManager.layerTest())))
if (exit._tag === "Failure") {
  const reason = exit.cause.reasons[0]
  if (reason?._tag === "Fail" && reason.error instanceof MissingSecrets) console.log(reason.error.message)
}
