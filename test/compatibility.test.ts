/**
 * What flytekit reads and how a new user is answered: Python's whitespace and newlines, key-only secrets, the
 * shell-safe spelling, the group my-api-keys on a Flyte pod, error hints, configuration errors, plain JavaScript
 * callers, tasks without input.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import * as fs from "node:fs"
import * as path from "node:path"
import { Environment, makeSecrets, Secret, SecretNotFound, SecretsConfig, SecretsManager, task } from "../src/index.ts"
import { strictUtf8Text } from "../src/internal/lookup/text.ts"
import { captureLogs, expectMiss, live, setEnv, thrownBy, useSecretsDir, writeFiles } from "./support.ts"

const get = (request: Parameters<SecretsManager["Service"]["get"]>[0]) =>
  SecretsManager.use((manager) => manager.get(request))

describe("values as flytekit reads them", () => {
  it.effect("strips Python's whitespace set: \\x1c-\\x1f and \\x85 go, U+FEFF stays", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get({ group: "g", key: "a" }), "value")
      assert.strictEqual(yield* get({ group: "g", key: "bom" }), "\ufeffvalue")
      assert.strictEqual(yield* get({ group: "g", key: "file" }), "in-file")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { FLYTE_SECRETS_G_A: "\x1c\x1d value\x85\x1f", FLYTE_SECRETS_G_BOM: "\ufeffvalue " },
      files: { "/etc/secrets/g/file": "\x1e in-file \x85" }
    }))))

  it.effect("reads text files with universal newlines and keeps a BOM; rb stays exact bytes", () =>
    Effect.gen(function*() {
      const pem = "\ufeff-----BEGIN CERT-----\r\nAAAA\rBBBB\r\n-----END CERT-----\r\n"
      const layer = SecretsManager.layerTest({ files: { "/etc/secrets/certs/pem": pem } })
      const text = yield* get({ group: "certs", key: "pem" }).pipe(Effect.provide(layer))
      assert.strictEqual(text, "\ufeff-----BEGIN CERT-----\nAAAA\nBBBB\n-----END CERT-----")
      const bytes = yield* get({ group: "certs", key: "pem", encodeMode: "rb" }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(bytes, new TextEncoder().encode(pem))
    }))

  it.effect("rb on an environment value gives the UTF-8 bytes of the stripped value", () =>
    Effect.gen(function*() {
      const bytes = yield* get({ group: "g", key: "k", encodeMode: "rb" })
      assert.deepStrictEqual(bytes, new TextEncoder().encode("é"))
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_K: " é\n" } }))))
})

describe("strict UTF-8, as Python's utf-8 codec reads a file", () => {
  const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
  const decoded = (bytes: Uint8Array) => {
    try {
      return fatal.decode(bytes)
    } catch {
      return undefined
    }
  }
  // Bytes near the edges of UTF-8: overlong forms, surrogates, past U+10FFFF, cut sequences, a byte order mark.
  const edgy = fc.uint8Array({ maxLength: 24 }).chain((bytes) =>
    fc.constantFrom(
      bytes,
      Uint8Array.of(0xef, 0xbb, 0xbf, ...bytes),
      Uint8Array.of(0xc0, 0x80),
      Uint8Array.of(0xed, 0xa0, 0x80),
      Uint8Array.of(0xf4, 0x90, 0x80, 0x80),
      Uint8Array.of(0xe2, 0x82),
      new TextEncoder().encode("caf\u00e9 \u{1f511} " + bytes.join(","))
    )
  )

  it("gives the text a fatal TextDecoder gives, byte order mark kept, and refuses exactly what it refuses", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), edgy), (bytes) => {
        assert.strictEqual(strictUtf8Text(bytes), decoded(bytes))
      }),
      { numRuns: 5000 }
    )
  })

  it("reads a view into a larger buffer by its own bytes only", () => {
    const buffer = new TextEncoder().encode("xxsecretyy")
    assert.strictEqual(strictUtf8Text(buffer.subarray(2, 8)), "secret")
  })
})

describe("key-only secrets", () => {
  it.effect("are declared, injected into tasks and read (their IDL in test/Secret.test.ts)", () =>
    Effect.gen(function*() {
      const secret = new Secret({ key: "api_token" })
      assert.strictEqual(yield* get(secret), "from-env")
      const t = task({ name: "key_only", secretRequests: [{ key: "api_token" }] }, () => get({ key: "api_token" }))
      assert.strictEqual(yield* t(), "from-env")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_API_TOKEN: "from-env" } }))))
})

describe("the shell-safe spelling", () => {
  it.effect("replaces only - and ., so different names never share a variable", () =>
    Effect.gen(function*() {
      const miss = yield* expectMiss(get({ group: "g", key: "αβγδε" }))
      assert.deepStrictEqual(miss.attempts.map((a) => a.location).filter((l) => l.startsWith("FLYTE")), [
        "FLYTE_SECRETS_G_ΑΒΓΔΕ"
      ])
      assert.strictEqual(yield* get({ group: "my-group.v2", key: "k" }), "shell-safe")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { "FLYTE_SECRETS_G_ΣΟΦΙΑ": "other-secret", FLYTE_SECRETS_MY_GROUP_V2_K: "shell-safe" }
    }))))
})

describe("the group my-api-keys on a Flyte pod", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: "exec-1" })

  it("secrets.my_api_keys.github_token finds what Flyte 1 injects for the group my-api-keys", () => {
    setEnv({ FLYTE_SECRETS_ENV_PREFIX: "_FSEC_", "_FSEC_MY-API-KEYS_GITHUB_TOKEN": "from-webhook-env" })
    assert.strictEqual(makeSecrets().my_api_keys.github_token, "from-webhook-env")
  })

  it("and the file the webhook mounts in my-api-keys/", () => {
    writeFiles(dirs.secrets, { "my-api-keys/github_token": "from-webhook-file\n" })
    assert.strictEqual(makeSecrets().my_api_keys.github_token, "from-webhook-file")
  })
})

describe("error hints", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: "exec-1" })

  it.effect("outside a task, no advice about a task's declarations", () =>
    live(Effect.gen(function*() {
      const miss = yield* expectMiss(get({ group: "g", key: "k" }))
      assert.notInclude(miss.message, "secretRequests")
      assert.include(miss.message, "Set one of the variables tried, or create the file.")
    })))

  it.effect("a key-only miss suggests a declaration that works", () =>
    Effect.gen(function*() {
      const t = task({ name: "t", secretRequests: [] }, () => get({ key: "token" }))
      const miss = yield* expectMiss(t().pipe(Effect.catchTag("MissingSecrets", Effect.die)))
      assert.include(miss.message, "new Secret({ key: \"token\" })")
      assert.doesNotThrow(() => new Secret({ key: "token" }))
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("a file found but refused is headed as such", () =>
    live(Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "g", "k"), { recursive: true })
      const miss = yield* expectMiss(get({ group: "g", key: "k" }))
      assert.strictEqual(miss.reason, "Refused")
      assert.match(miss.message, /^Secret found but not readable/)
    })))

  it.effect("a typo gets a \"did you mean\" naming what exists", () =>
    live(Effect.gen(function*() {
      setEnv({ FLYTE_SECRETS_MY_API_KEYS_GITHUB_TOKEN: "x" })
      writeFiles(dirs.secrets, { "database/password": "p", "certs/tls_cert": "c" })
      const variable = yield* expectMiss(get({ group: "my_api_keys", key: "github_tokn" }))
      assert.include(
        variable.message,
        "the variable \"FLYTE_SECRETS_MY_API_KEYS_GITHUB_TOKEN\" is set (did you mean it?)"
      )
      const group = yield* expectMiss(get({ group: "databse", key: "password" }))
      assert.include(group.message, "has a group \"database\" (did you mean it?)")
      const key = yield* expectMiss(get({ group: "certs", key: "tls_crt" }))
      assert.include(key.message, "has a key \"tls_cert\" (did you mean it?)")
      // Names only: never a value.
      assert.notInclude(variable.message + group.message + key.message, "\"x\"")
    })))

  it.effect("a missing secrets directory is said once, at the directory", () =>
    Effect.gen(function*() {
      setEnv({ FLYTE_SECRETS_DEFAULT_DIR: path.join(dirs.root, "absent") })
      const miss = yield* live(expectMiss(get({ group: "g", groupVersion: "v1", key: "k" })))
      const files = miss.attempts.filter((a) => a.source === "file")
      assert.deepStrictEqual(files, [{
        source: "file",
        location: path.join(dirs.root, "absent"),
        outcome: "missing",
        reason: "the secrets directory does not exist"
      }])
    }))
})

describe("configuration errors", () => {
  const configFrom = (env: Record<string, string>) =>
    SecretsConfig.use(Effect.succeed).pipe(
      Effect.provide(SecretsConfig.layerNoDeps.pipe(Layer.provide(Environment.layerTest(env))))
    )

  it.effect("a bad max size says what was wrong, with the value, in a few lines", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(configFrom({ FLYTE_SECRETS_MAX_FILE_BYTES: "10MB" }))
      assert.isTrue(Exit.isFailure(exit))
      const message = Exit.isFailure(exit) ? String(Cause.squash(exit.cause)) : ""
      assert.include(message, "FLYTE_SECRETS_MAX_FILE_BYTES must be a positive whole number of bytes, got \"10MB\"")
      assert.isBelow(message.split("\n").length, 4)
    }))

  it.effect("a file prefix that could leave the secrets directory fails, naming the variable", () =>
    Effect.gen(function*() {
      for (
        const [env, variable] of [
          [{ FLYTE_SECRETS_FILE_PREFIX: "../x" }, "FLYTE_SECRETS_FILE_PREFIX"],
          [{ FLYTE_SECRETS_FILE_PREFIX: "a/b" }, "FLYTE_SECRETS_FILE_PREFIX"]
        ] as const
      ) {
        const exit = yield* Effect.exit(configFrom(env))
        assert.isTrue(Exit.isFailure(exit))
        assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), variable)
      }
    }))

  it.effect("a blank FLYTE_INTERNAL_EXECUTION_ID counts as unset: a local run", () =>
    Effect.gen(function*() {
      assert.isTrue((yield* configFrom({ FLYTE_INTERNAL_EXECUTION_ID: "  " })).local)
      assert.isFalse((yield* configFrom({ FLYTE_INTERNAL_EXECUTION_ID: "exec" })).local)
    }))

  it.effect("a misspelt configuration variable is warned about, with the right name", () =>
    Effect.gen(function*() {
      const logs = captureLogs()
      yield* configFrom({ FLYTE_SECRET_DEFAULT_DIR: "/x", FLYTE_SECRETS_DEFAULT_DIRS: "a-secret" }).pipe(
        Effect.provide(logs.layer)
      )
      assert.deepStrictEqual(logs.lines.map((line) => line.message), [
        "FLYTE_SECRET_DEFAULT_DIR is set but not read: did you mean FLYTE_SECRETS_DEFAULT_DIR?"
      ])
    }))
})

describe("plain JavaScript callers get a clear, typed error", () => {
  const cases: ReadonlyArray<readonly [unknown, string]> = [
    ["x", "a secret request must be an object such as { group: \"my-group\", key: \"my_key\" }, not a string"],
    [{ group: "g", key: "k", encodeMode: "binary" }, "encodeMode must be \"r\" (text) or \"rb\" (exact bytes)"],
    [{ group: "g", keys: "k" }, "unknown field \"keys\" in a secret request (did you mean \"key\"?)"],
    [{ group: "g", key: 5 }, "key must be a string, not a number"],
    [{ group: "g", key: "k", envVar: "lower" }, "envVar must be an environment variable name"],
    [{ group: "g", key: "k", mountRequirement: "DISK" }, "mountRequirement must be \"ANY\", \"ENV_VAR\" or \"FILE\""]
  ]
  for (const [request, reason] of cases) {
    it.effect(`refuses ${JSON.stringify(request)}`, () =>
      Effect.gen(function*() {
        const miss = yield* expectMiss(get(request as never))
        assert.strictEqual(miss.reason, "InvalidRequest")
        assert.include(miss.attempts[0]?.reason, reason)
        assert.include(miss.message, reason)
        const thrown = thrownBy(() => makeSecrets(SecretsManager.layerTest()).get(request as never))
        assert.instanceOf(thrown, SecretNotFound)
      }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G: "group-only" } }))))
  }
})

describe("tasks without input", () => {
  it.effect("are called as t()", () =>
    Effect.gen(function*() {
      const effectTask = task({ name: "no_input", secretRequests: [{ group: "g", key: "k" }] }, () =>
        get({ group: "g", key: "k" }))
      assert.strictEqual(yield* effectTask(), "v")
      const layer = SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_K: "v" } })
      const syncTask = task.sync({ name: "no_input_sync", secretRequests: [{ group: "g", key: "k" }], layer }, (
        _,
        secrets
      ) =>
        secrets.g!.k)
      assert.strictEqual(syncTask(), "v")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_K: "v" } }))))
})

describe("what errors show of a declared variable", () => {
  it.effect("a path inside the secrets directory is shown escaped when it holds a character that could forge text", () =>
    Effect.gen(function*() {
      const miss = yield* expectMiss(get({ group: "g", key: "k", envVar: "FORGED_PATH" }))
      const location = miss.attempts[0]?.location ?? ""
      assert.include(location, "FORGED_PATH -> \"/etc/secrets/g/k\\n")
      assert.notMatch(miss.message, /\/etc\/secrets\/g\/k\n/)
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FORGED_PATH: "/etc/secrets/g/k\nforged line" } }))))
})

describe("a custom manager builds a SecretNotFound from names and places alone", () => {
  it("reason defaults to NotFound and each attempt's outcome to missing (types and runtime)", () => {
    const miss = new SecretNotFound({
      group: "vault",
      key: "token",
      attempts: [{ source: "vault", location: "secret/data/vault/token", reason: "no such secret" }]
    })
    assert.strictEqual(miss.reason, "NotFound")
    assert.deepStrictEqual(miss.attempts, [
      { source: "vault", location: "secret/data/vault/token", outcome: "missing", reason: "no such secret" }
    ])
    assert.include(miss.message, "vault secret/data/vault/token: no such secret")
    const refused = new SecretNotFound({
      key: "token",
      reason: "Refused",
      attempts: [{ source: "vault", location: "v", outcome: "refused", reason: "sealed" }]
    })
    assert.strictEqual(refused.attempts[0]?.outcome, "refused")
  })
})
