/**
 * Tasks for the command line's examples: `effect-secrets doctor examples/tasks.ts`, `render examples/tasks.ts
 * --task report`, `run --module examples/tasks.ts --task report -- ...`. Importing the module only defines them;
 * `examples/report.ts` runs the same declarations.
 */
import * as Effect from "effect/Effect"
import { Secret, SecretsManager, task } from "../src/index.ts"

/** The four secrets `examples/report.ts` reads: a token from a variable, a key, a password and a certificate. */
export const report = task({
  name: "report",
  secretRequests: [
    new Secret({ group: "my-api-keys", key: "github_token", mountRequirement: Secret.MountType.ENV_VAR }),
    new Secret({ group: "my-api-keys", key: "stripe_key" }),
    new Secret({ group: "db", key: "password", mountRequirement: Secret.MountType.FILE }),
    new Secret({ group: "certs", key: "tls_cert", mountRequirement: Secret.MountType.FILE })
  ]
}, () =>
  Effect.gen(function*() {
    const secrets = yield* SecretsManager
    return yield* secrets.locate({ group: "db", key: "password" })
  }))

/** Plain code: a token read through the facade, whose path a declared variable gives in the pod. */
export const syncRepos = task.sync({
  name: "sync_repos",
  secretRequests: [{ group: "my-api-keys", key: "github_token", mountRequirement: "FILE", envVar: "GITHUB_TOKEN_PATH" }]
}, (org: string, secrets) => `${org}: a token of ${secrets.my_api_keys.github_token.length} characters`)
