/**
 * A task-like program that reads its secrets both ways, the Effect way and through the sync facade, and reports
 * where each one was found. It prints a redacted form of each value, never the value itself.
 *
 * Run it with `npm start`, which points FLYTE_SECRETS_DEFAULT_DIR at examples/secrets and sets one secret as an
 * environment variable.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { Secret, SecretsManager, task } from "../src/index.ts"

const secretRequests = [
  new Secret({ group: "my-api-keys", key: "github_token", mountRequirement: Secret.MountType.ENV_VAR }),
  new Secret({ group: "my-api-keys", key: "stripe_key" }),
  new Secret({ group: "db", key: "password", mountRequirement: Secret.MountType.FILE }),
  new Secret({ group: "certs", key: "tls_cert", mountRequirement: Secret.MountType.FILE })
]

const row = (...cells: ReadonlyArray<string>) => cells.map((cell, i) => cell.padEnd([26, 9, 48, 0][i] ?? 0)).join(" ")

/** The Effect way: each declared secret located and read as a Redacted value. */
const report = task({ name: "report", secretRequests }, () =>
  Effect.gen(function*() {
    const secrets = yield* SecretsManager
    yield* Console.log(row("secret", "source", "location", "value"))
    for (const secret of secretRequests) {
      const { location, source } = yield* secrets.locate(secret)
      const value = yield* secrets.getRedacted(secret)
      yield* Console.log(
        row(`${secret.group}.${secret.key}`, source, location, `${value} (${Redacted.value(value).length} chars)`)
      )
    }
  }))

/** Plain code: the same secrets through the sync facade, which a task.sync body receives. */
const facadeReport = task.sync({ name: "facade_report", secretRequests }, (_: void, secrets) => {
  const token = secrets.get({ group: "my-api-keys", key: "github_token" })
  const cert = secrets.get({ group: "certs", key: "tls_cert", encodeMode: "rb" })
  return `facade: my_api_keys.github_token <redacted> (${token.length} chars), ` +
    `certs.tls_cert at ${secrets.getPath({ group: "certs", key: "tls_cert" })} <redacted> (${cert.byteLength} bytes)`
})

report(undefined).pipe(
  Effect.andThen(Effect.sync(() => facadeReport(undefined))),
  Effect.flatMap(Console.log),
  Effect.provide(SecretsManager.layer),
  NodeRuntime.runMain
)
