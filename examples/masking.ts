import { Masking, SecretsManager } from "effect-secrets"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

const program = Effect.gen(function*() {
  const secrets = yield* SecretsManager
  const token = yield* secrets.get({ group: "my-api-keys", key: "github_token" }) // registered when read
  yield* Effect.log(`calling the API with ${token}`) // ... INFO (#1): calling the API with <redacted>
  const session = "session-from-an-oauth-exchange"
  Masking.register(session) // a value the library never read
  yield* Effect.logWarning("retrying").pipe(Effect.annotateLogs({ session })) // ... session: <redacted>
  return yield* Effect.fail(new Error(`the API refused ${token}`)) // logged below: masked too
})

// Failures are logged inside the masked layer: run it with `NodeRuntime.runMain(main, { disableErrorReporting:
// true })`, whose own report would bypass the masked loggers.
export const main = <E>(secrets: Layer.Layer<SecretsManager, E>) =>
  program.pipe(
    Effect.tapCause((cause) => Effect.logError(cause)),
    Effect.provide(Layer.mergeAll(Masking.layer, secrets))
  )

// JSON (or logfmt) lines instead: wrap any string logger.
export const jsonLogs = Logger.layer([Logger.withConsoleLog(Masking.logger(Logger.formatJson))])

const testLayer = SecretsManager.layerTest({ env: { FLYTE_SECRETS_MY_API_KEYS_GITHUB_TOKEN: "ghp_example0token" } })
await Effect.runPromise(Effect.ignore(main(testLayer)))
