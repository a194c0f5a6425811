import { Secret, task } from "effect-secrets"
import * as Effect from "effect/Effect"

const GithubToken = Secret.make({ group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" })

export const syncRepos = task({
  name: "sync_repos",
  strict: true,
  secretRequests: [
    GithubToken,
    { group: "my-certs", key: "tls_cert", mountRequirement: "FILE", envVar: "TLS_CERT_PATH" }
  ]
}, (org: string, secrets) =>
  Effect.gen(function*() {
    const token = yield* secrets.getRedacted(GithubToken) // Redacted<string>
    const certPath = yield* secrets.getPath({ group: "my-certs", key: "tls_cert" }) // via TLS_CERT_PATH
    return `${org}: token ${token}, cert at ${certPath}`
  }))

export const syncReposPlain = task.sync({
  name: "sync_repos_plain",
  secretRequests: [{ group: "my-api-keys", key: "github_token" }, { key: "webhook_secret" }]
}, (org: string, secrets) =>
  `${org}: token has ${secrets.my_api_keys.github_token.length} characters, ` +
  `webhook secret ${secrets.webhook_secret.length}`)

// What the platform is asked to inject (flyteidl SecurityContext, proto3 JSON)
console.log(JSON.stringify(syncRepos.securityContext()))
