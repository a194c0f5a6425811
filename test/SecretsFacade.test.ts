import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { inspect } from "node:util"
import { Environment, makeSecrets, SecretNotFound, SecretsConfig, SecretsManager } from "../src/index.ts"
import { setEnv, thrownBy, useSecretsDir, writeFiles } from "./support.ts"

/** A facade whose every environment read and file open is counted. */
const countingFacade = () => {
  const counts = { env: 0, files: 0 }
  const environment = Layer.succeed(Environment, Environment.of({ get: () => (counts.env++, undefined) }))
  const fileSystem = Layer.succeed(
    FileSystem.FileSystem,
    FileSystem.makeNoop({ open: (path) => (counts.files++, FileSystem.makeNoop({}).open(path)) })
  )
  const layer = SecretsManager.layerNoDeps.pipe(
    Layer.provide([SecretsConfig.layerWith({}), environment, fileSystem])
  )
  return { secrets: makeSecrets(layer), counts }
}

describe("makeSecrets over the live layer", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: "exec" })

  it("reads a secret file by attribute (the file fallback, synchronously)", () => {
    writeFiles(dirs.secrets, { "my_group/my_key": "from-file\n", "certs/tls": new Uint8Array([1, 2, 3]) })
    const secrets = makeSecrets()
    assert.strictEqual(secrets.my_group.my_key, "from-file")
    assert.deepStrictEqual(secrets.get({ group: "certs", key: "tls", encodeMode: "rb" }), new Uint8Array([1, 2, 3]))
    assert.strictEqual(secrets.getPath({ group: "certs", key: "tls" }), `${dirs.secrets}/certs/tls`)
  })

  it("reads an env var by attribute, live at each read", () => {
    const secrets = makeSecrets()
    setEnv({ FLYTE_SECRETS_MY_GROUP_MY_KEY: "one" })
    assert.strictEqual(secrets.my_group.my_key, "one")
    setEnv({ FLYTE_SECRETS_MY_GROUP_MY_KEY: "two" })
    assert.strictEqual(secrets.my_group.my_key, "two")
  })

  it("throws the SecretNotFound itself on a miss, with the caller's frames", () => {
    const error = thrownBy(() => makeSecrets().missing_group.missing_key)
    assert.instanceOf(error, SecretNotFound)
    assert.include((error as Error).stack, "SecretsFacade.test.ts")
    // An attribute group with "_" also stands for its Kubernetes spelling with "-": both are tried at each place
    // before the next place, each place once.
    assert.deepStrictEqual((error as SecretNotFound).attempts.map((a) => `${a.source} ${a.location}`), [
      "env FLYTE_SECRETS_MISSING_GROUP_MISSING_KEY",
      "env FLYTE_SECRETS_MISSING-GROUP_MISSING_KEY",
      `file ${dirs.secrets}/missing_group/missing_key`,
      `file ${dirs.secrets}/missing-group/missing_key`
    ])
    assert.strictEqual((error as SecretNotFound).group, "missing_group")
  })
})

describe("makeSecrets over a test layer", () => {
  const secrets = makeSecrets(SecretsManager.layerTest({
    env: { FLYTE_SECRETS_MY_GROUP_MY_KEY: "from-env" },
    files: { "/etc/secrets/certs/tls": "cert" }
  }))

  it("reads by attribute and by get()", () => {
    assert.strictEqual(secrets.my_group.my_key, "from-env")
    assert.strictEqual(secrets.get({ group: "certs", key: "tls" }), "cert")
    assert.strictEqual(secrets.getPath({ group: "certs", key: "tls" }), "/etc/secrets/certs/tls")
  })

  it("reads names the facade reserves through get()", () => {
    const reserved = makeSecrets(SecretsManager.layerTest({ env: { FLYTE_SECRETS_THEN_GET: "ok" } }))
    assert.isUndefined((reserved as unknown as Record<string, unknown>)["then"])
    assert.strictEqual(reserved.get({ group: "then", key: "get" }), "ok")
  })
})

describe("S15 the facade is inert to inspection", () => {
  it("is not thenable at either level", () => {
    const { secrets, counts } = countingFacade()
    assert.isUndefined((secrets as unknown as { then?: unknown }).then)
    assert.isUndefined((secrets.some_group as unknown as { then?: unknown }).then)
    assert.deepStrictEqual(counts, { env: 0, files: 0 })
  })

  it("a group whose name could hide or forge text prints it escaped, still without a lookup", () => {
    const { secrets, counts } = countingFacade()
    for (const name of ["a\u202eb", "filler\u3164", "esc\u001b[2J", "line\nforged"]) {
      const group = (secrets as unknown as Record<string, object>)[name]!
      for (const shown of [String(group), inspect(group), JSON.parse(JSON.stringify(group)) as string]) {
        assert.notMatch(shown, /[\u202e\u3164\u001b\n]/u, JSON.stringify(name))
        assert.include(shown, "SecretGroup \"", JSON.stringify(name))
      }
    }
    assert.deepStrictEqual(counts, { env: 0, files: 0 })
  })

  it("prints, serialises and lists without a lookup or a throw", async () => {
    const { secrets, counts } = countingFacade()
    const group = secrets.some_group
    assert.strictEqual(JSON.stringify(secrets), "\"Secrets <lazy>\"")
    assert.strictEqual(JSON.stringify({ group }), "{\"group\":\"SecretGroup some_group <lazy>\"}")
    assert.strictEqual(String(secrets), "Secrets <lazy>")
    assert.strictEqual(`${group}`, "SecretGroup some_group <lazy>")
    assert.strictEqual(inspect(secrets), "Secrets <lazy>")
    assert.strictEqual(inspect(group), "SecretGroup some_group <lazy>")
    assert.deepStrictEqual(Object.keys(secrets), [])
    assert.deepStrictEqual(Object.keys(group), [])
    assert.isUndefined((secrets as unknown as Record<symbol, unknown>)[Symbol.iterator])
    assert.isUndefined((secrets as unknown as Record<string, unknown>)["__esModule"])
    assert.strictEqual(await Promise.resolve(secrets), secrets)
    assert.deepStrictEqual(counts, { env: 0, files: 0 })
  })
})

describe("makeSecrets over a layer with an asynchronous FileSystem", () => {
  it("throws a clear error instead of an async-fiber failure", () => {
    const layer = SecretsManager.layerNoDeps.pipe(
      Layer.provide([
        SecretsConfig.layerWith({ defaultDir: "/nonexistent-secrets" }),
        Environment.layerTest({}),
        NodeFileSystem.layer
      ])
    )
    const error = thrownBy(() => makeSecrets(layer).some_group.some_key)
    assert.instanceOf(error, TypeError)
    assert.include((error as Error).message, "completes asynchronously")
  })
})

describe("the facade answers as get() does", () => {
  const dirs = useSecretsDir()

  it("a leftover unprefixed variable and the Kubernetes-spelt file: both give the file", () => {
    setEnv({ MY_API_KEYS_GITHUB_TOKEN: "leftover-in-shell" })
    writeFiles(dirs.secrets, { "my-api-keys/github_token": "from-file" })
    const secrets = makeSecrets()
    assert.strictEqual(secrets.get({ group: "my-api-keys", key: "github_token" }), "from-file")
    assert.strictEqual(secrets.my_api_keys.github_token, "from-file")
  })

  it("the attribute spelling wins at the same place, and a later place answers only when no earlier one does", () => {
    writeFiles(dirs.secrets, { "my_api_keys/token": "underscore", "my-api-keys/token": "hyphen" })
    setEnv({ MY_API_KEYS_ONLY_LOCAL: "local" })
    const secrets = makeSecrets()
    assert.strictEqual(secrets.my_api_keys.token, "underscore")
    assert.strictEqual(secrets.my_api_keys.only_local, "local")
  })

  it("a refused place under one spelling, the other spelling's file answers", () => {
    writeFiles(dirs.secrets, { "my-api-keys/cert": "from-hyphen" })
    writeFiles(dirs.secrets, { "my_api_keys/cert": new Uint8Array([0xff, 0xfe]) })
    assert.strictEqual(makeSecrets().my_api_keys.cert, "from-hyphen")
  })
})

describe("a facade over a custom manager (a test double)", () => {
  it("tries each attribute spelling in turn; a full miss names the first spelling and every place once", () => {
    const calls: Array<string> = []
    const manager = SecretsManager.of({
      get: ((request: { group?: string; key?: string }) => {
        calls.push(`${request.group}/${request.key}`)
        return request.group === "my-api-keys" && request.key === "token"
          ? Effect.succeed("from-double")
          : Effect.fail(
            new SecretNotFound({
              ...request,
              attempts: [{ source: "double", location: `${request.group}/${request.key}`, reason: "not held" }]
            })
          )
      }) as never,
      getRedacted: (() => Effect.die("unused")) as never,
      getPath: () => Effect.die("unused"),
      locate: () => Effect.die("unused"),
      watch: (() => Stream.die("unused")) as never
    })
    const secrets = makeSecrets(Layer.succeed(SecretsManager, manager))
    assert.strictEqual(secrets.my_api_keys.token, "from-double")
    assert.deepStrictEqual(calls, ["my_api_keys/token", "my-api-keys/token"])
    const miss = thrownBy(() => secrets.my_api_keys.other) as SecretNotFound
    assert.instanceOf(miss, SecretNotFound)
    assert.strictEqual(miss.group, "my_api_keys")
    assert.strictEqual(miss.reason, "NotFound")
    assert.deepStrictEqual(miss.attempts.map((attempt) => attempt.location), ["my_api_keys/other", "my-api-keys/other"])
  })

  it("throws a miss the manager froze (one shared by every lookup) as it is, not a TypeError", () => {
    const shared = Object.freeze(
      new SecretNotFound({
        group: "g",
        key: "k",
        attempts: [{ source: "double", location: "g/k", reason: "not held" }]
      })
    )
    const manager = SecretsManager.of({
      get: (() => Effect.fail(shared)) as never,
      getRedacted: (() => Effect.fail(shared)) as never,
      getPath: () => Effect.fail(shared),
      locate: () => Effect.die("unused"),
      watch: (() => Stream.die("unused")) as never
    })
    const secrets = makeSecrets(Layer.succeed(SecretsManager, manager))
    assert.strictEqual(thrownBy(() => secrets.get({ group: "g", key: "k" })), shared)
    assert.strictEqual(thrownBy(() => secrets.getPath({ group: "g", key: "k" })), shared)
    assert.strictEqual(thrownBy(() => secrets.g.k), shared)
  })
})
