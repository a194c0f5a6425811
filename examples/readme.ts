/**
 * The README's code, kept here so the type-check covers it. `node examples/readme.ts` runs the tour against a
 * test layer and prints the preflight error the README shows.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import {
  makeSecrets,
  Masking,
  MissingSecrets,
  Secret,
  secrets,
  SecretsCache,
  SecretsManager,
  task
} from "../src/index.ts"

// --- The Effect API ---
const program = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  const token = yield* secrets.get({ group: "my-api-keys", key: "github_token" }) // string, trimmed
  const cert = yield* secrets.get({ group: "my-certs", key: "tls_cert", encodeMode: "rb" }) // Uint8Array, exact
  const password = yield* secrets.getRedacted({ group: "db", key: "password" }) // prints as <redacted>
  const certPath = yield* secrets.getPath({ group: "my-certs", key: "tls_cert" }) // the file's path
  return { token, cert, password, certPath }
})

export const runLive = () => Effect.runPromise(program.pipe(Effect.provide(SecretsManager.layer)))

// In tests: no process.env, no disk.
export const testLayer = SecretsManager.layerTest({
  env: { FLYTE_SECRETS_MY_API_KEYS_GITHUB_TOKEN: "test-token", FLYTE_SECRETS_DB_PASSWORD: "test-password" },
  files: { "/etc/secrets/my-certs/tls_cert": new Uint8Array([0x30, 0x82]) }
})

// --- The sync facade ---
export const readLive = () => secrets.my_api_keys.github_token // the live default, built on first use
const fromTests = makeSecrets(testLayer) // a facade over any SecretsManager layer
const cert: Uint8Array = fromTests.get({ group: "my-certs", key: "tls_cert", encodeMode: "rb" })
const certPath: string = fromTests.getPath({ group: "my-certs", key: "tls_cert" })

// --- A task that declares its secrets ---
const GithubToken = Secret.make({ group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" })

const syncRepos = task({
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

const syncReposPlain = task.sync({
  name: "sync_repos_plain",
  secretRequests: [{ group: "my-api-keys", key: "github_token" }, { key: "webhook_secret" }]
}, (org: string, secrets) =>
  `${org}: token has ${secrets.my_api_keys.github_token.length} characters, ` +
  `webhook secret ${secrets.webhook_secret.length}`)

// What the platform is asked to inject (flyteidl SecurityContext, proto3 JSON):
const securityContext = syncRepos.securityContext()

// --- Cached manager ---
const DbPassword = new Secret({ group: "db", key: "password" })

const handleRequest = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  const password = yield* secrets.getRedacted(DbPassword) // a cache hit, except every 5 minutes
  return `connecting with ${password}` // prints as <redacted>
})

const ServiceSecrets = SecretsCache.layer().pipe(Layer.provide(SecretsManager.layer))
export const serve = () => Effect.runPromise(handleRequest.pipe(Effect.provide(ServiceSecrets)))

// The secret was rotated and the service was told: read it again now.
export const onRotated = Effect.gen(function*() {
  const cache = yield* SecretsCache
  yield* cache.refresh(DbPassword)
})

// --- Rotation ---
// Opens a pool with the current password, and again with each new one.
const connectPool = (password: string) => Effect.logInfo(`pool opened (password of ${password.length} characters)`)

export const keepPoolConnected = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  yield* secrets.watch(DbPassword).pipe(Stream.runForEach(connectPool))
})

export const runPool = () => Effect.runPromise(keepPoolConnected.pipe(Effect.provide(SecretsManager.layer)))

// --- Services: a cached manager, masked logs and rotation in one layer ---
export const ServiceLayer = Layer.mergeAll(
  SecretsCache.layer().pipe(Layer.provide(SecretsManager.layer)),
  Masking.layer
)

export const service = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  const cache = yield* SecretsCache
  // watch is never cached: each new value (a ..data swap) refreshes the cached entry at once.
  yield* secrets.watch({ group: "db", key: "password" }).pipe(
    Stream.runForEach(() => cache.refresh({ group: "db", key: "password" })),
    Effect.forkScoped
  )
  const password = yield* secrets.getRedacted({ group: "db", key: "password" })
  yield* Effect.log(`connected with ${password}`) // <redacted>, and a raw value would be masked too
})

if (import.meta.main) {
  const tour = Effect.runSync(program.pipe(Effect.provide(testLayer)))
  console.log(tour.token, tour.cert, String(tour.password), Redacted.value(tour.password), tour.certPath)
  console.log(fromTests.my_api_keys.github_token, cert, certPath, JSON.stringify(securityContext))
  void syncReposPlain
  // The preflight error a user sees when a declared secret is missing:
  const exit = Effect.runSyncExit(syncRepos("acme").pipe(Effect.provide(SecretsManager.layerTest())))
  if (exit._tag === "Failure") {
    const error = exit.cause.reasons[0]
    if (error?._tag === "Fail" && error.error instanceof MissingSecrets) console.log(error.error.message)
  }
}
