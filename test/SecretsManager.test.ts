import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Exit from "effect/Exit"
import * as Hash from "effect/Hash"
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { inspect, types } from "node:util"
import { Environment, makeSecrets, Secret, SecretNotFound, SecretsConfig, SecretsManager, task } from "../src/index.ts"
import { MissingSecrets } from "../src/SecretsError.ts"
import { expectMiss, failureOf, live, setEnv, thrownBy, useSecretsDir, writeFiles } from "./support.ts"

const get = SecretsManager.use((manager) => manager.get({ group: "my-group", key: "my_key" }))
const bytes = new Uint8Array([0, 255, 10, 32, 13, 9, 0x80])

describe("SecretsManager.layerTest: the lookup rules, no I/O", () => {
  it.effect("reads the prefixed env var, trimmed", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "s3cr3t")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { "FLYTE_SECRETS_MY-GROUP_MY_KEY": "  s3cr3t\n" } }))))

  it.effect("builds env names with and without version and key", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "g", key: "k", groupVersion: "v1" }), "with-version")
      assert.strictEqual(yield* manager.get({ group: "g" }), "group-only")
      assert.strictEqual(yield* manager.get({ group: "g", groupVersion: "v1" }), "group-version")
      assert.strictEqual(yield* manager.get({ key: "k" }), "key-only")
      assert.strictEqual(yield* manager.get({ group: "g", key: "", groupVersion: "" }), "group-only")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: {
        FLYTE_SECRETS_G_V1_K: "with-version",
        FLYTE_SECRETS_G: "group-only",
        FLYTE_SECRETS_G_V1: "group-version",
        FLYTE_SECRETS_K: "key-only"
      }
    }))))

  it.effect("tries the exact hyphenated name first, then the shell-safe spelling", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "my-api-keys", key: "token" }), "safe-spelling")
      assert.strictEqual(yield* manager.get({ group: "both-set", key: "token" }), "exact")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: {
        FLYTE_SECRETS_MY_API_KEYS_TOKEN: "safe-spelling",
        "FLYTE_SECRETS_BOTH-SET_TOKEN": "exact",
        FLYTE_SECRETS_BOTH_SET_TOKEN: "safe"
      }
    }))))

  it.effect("finds an empty env var as the empty string", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { "FLYTE_SECRETS_MY-GROUP_MY_KEY": "" },
      files: { "/etc/secrets/my-group/my_key": "from-file" }
    }))))

  it.effect("reads the file with every part lower-cased, trimmed", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "My-Group", key: "My_Key", groupVersion: "V2" }), "from-file")
    }).pipe(
      Effect.provide(SecretsManager.layerTest({ files: { "/etc/secrets/my-group/v2/my_key": "\tfrom-file \n" } }))
    ))

  it.effect("puts the file prefix on the file name", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "prefixed")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { FLYTE_SECRETS_FILE_PREFIX: "pre_" },
      files: { "/etc/secrets/my-group/pre_my_key": "prefixed", "/etc/secrets/my-group/my_key": "unprefixed" }
    }))))

  it.effect("gives the exact file bytes in rb mode, not trimmed", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.deepStrictEqual(yield* manager.get({ group: "my-group", key: "my_key", encodeMode: "rb" }), bytes)
    }).pipe(Effect.provide(SecretsManager.layerTest({ files: { "/etc/secrets/my-group/my_key": bytes } }))))

  it.effect("gives the UTF-8 bytes of the trimmed env value in rb mode", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const value = yield* manager.get({ group: "my-group", key: "my_key", encodeMode: "rb" })
      assert.deepStrictEqual(value, new TextEncoder().encode("héllo"))
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { "FLYTE_SECRETS_MY-GROUP_MY_KEY": " héllo " } }))))

  it.effect("env beats file", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "from-env")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { FLYTE_SECRETS_MY_GROUP_MY_KEY: "from-env", MY_GROUP_MY_KEY: "local" },
      files: { "/etc/secrets/my-group/my_key": "from-file" }
    }))))

  it.effect("file beats local-env", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "from-file")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { MY_GROUP_MY_KEY: "local" },
      files: { "/etc/secrets/my-group/my_key": "from-file" }
    }))))

  it.effect("a local run falls back to the unprefixed name", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "local")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { MY_GROUP_MY_KEY: "local" } }))))

  it.effect("a platform run does not read the unprefixed name", () =>
    Effect.gen(function*() {
      const error = yield* expectMiss(get)
      assert.deepStrictEqual(error.attempts.map((a) => a.source), ["env", "env", "file"])
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { MY_GROUP_MY_KEY: "local", FLYTE_INTERNAL_EXECUTION_ID: "exec-1" }
    }))))

  it.effect("an empty prefix override keeps FLYTE_SECRETS_", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* get, "default-prefix")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { FLYTE_SECRETS_ENV_PREFIX: "", FLYTE_SECRETS_MY_GROUP_MY_KEY: "default-prefix" },
      config: { local: false }
    }))))

  it.effect("uses the platform's prefix and directory when told", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "g", key: "env" }), "platform-env")
      assert.strictEqual(yield* manager.get({ group: "g", key: "file" }), "platform-file")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: {
        FLYTE_SECRETS_ENV_PREFIX: "_FSEC_",
        FLYTE_SECRETS_DEFAULT_DIR: "/etc/flyte/secrets",
        _FSEC_G_ENV: "platform-env"
      },
      files: { "/etc/flyte/secrets/g/file": "platform-file" }
    }))))

  describe("a declared envVar", () => {
    it.effect("ENV_VAR: the variable holds the value", () =>
      Effect.gen(function*() {
        const manager = yield* SecretsManager
        const value = yield* manager.get({ group: "g", key: "k", mountRequirement: "ENV_VAR", envVar: "MY_TOKEN" })
        assert.strictEqual(value, "declared")
      }).pipe(
        Effect.provide(SecretsManager.layerTest({ env: { MY_TOKEN: " declared ", FLYTE_SECRETS_G_K: "default" } }))
      ))

    it.effect("FILE: the variable holds the path of the file", () =>
      Effect.gen(function*() {
        const manager = yield* SecretsManager
        const request = { group: "certs", key: "tls", mountRequirement: "FILE", envVar: "TLS_PATH" } as const
        assert.strictEqual(yield* manager.get(request), "CERT")
        assert.strictEqual(yield* manager.getPath(request), "/var/run/tls.pem")
      }).pipe(Effect.provide(SecretsManager.layerTest({
        env: { TLS_PATH: "/var/run/tls.pem" },
        files: { "/var/run/tls.pem": "CERT\n" }
      }))))

    it.effect("ANY: a path inside the secrets directory is read as the file; any other value is the value", () =>
      Effect.gen(function*() {
        const manager = yield* SecretsManager
        assert.strictEqual(yield* manager.get({ group: "g", key: "k", envVar: "THE_SECRET" }), "in-file")
        assert.strictEqual(yield* manager.getPath({ group: "g", key: "k", envVar: "THE_SECRET" }), "/etc/secrets/g/k")
        // A value outside the secrets directory is a secret that happens to start with "/": never opened.
        assert.strictEqual(yield* manager.get({ group: "g", key: "k", envVar: "SLASHED" }), "/mnt/secret")
      }).pipe(Effect.provide(SecretsManager.layerTest({
        env: { THE_SECRET: "/etc/secrets/g/k", SLASHED: "/mnt/secret" },
        files: { "/etc/secrets/g/k": "in-file", "/mnt/secret": "never-read" }
      }))))

    it.effect("ANY: any other value is the secret itself", () =>
      Effect.gen(function*() {
        const manager = yield* SecretsManager
        assert.strictEqual(yield* manager.get({ group: "g", key: "k", envVar: "A" }), "plain-value")
        assert.strictEqual(yield* manager.get({ group: "g", key: "k", envVar: "B" }), "/not/a/file")
      }).pipe(Effect.provide(SecretsManager.layerTest({ env: { A: "plain-value", B: "/not/a/file" } }))))

    it.effect("falls through to the usual chain when the variable is unset", () =>
      Effect.gen(function*() {
        const manager = yield* SecretsManager
        assert.strictEqual(
          yield* manager.get({ group: "g", key: "k", mountRequirement: "ENV_VAR", envVar: "UNSET" }),
          "from-file"
        )
      }).pipe(Effect.provide(SecretsManager.layerTest({ files: { "/etc/secrets/g/k": "from-file" } }))))
  })

  it.effect("lists every attempt, in order, with its reason", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const dir = yield* expectMiss(manager.get({ group: "my-group", key: "dir" }))
      assert.deepStrictEqual(dir.attempts, [
        { source: "env", location: "FLYTE_SECRETS_MY-GROUP_DIR", outcome: "missing", reason: "not set" },
        { source: "env", location: "FLYTE_SECRETS_MY_GROUP_DIR", outcome: "missing", reason: "not set" },
        // A refusal is recorded and the lookup goes on: a later place may hold the secret.
        { source: "file", location: "/etc/secrets/my-group/dir", outcome: "refused", reason: "is a directory" },
        { source: "local-env", location: "MY-GROUP_DIR", outcome: "missing", reason: "not set" },
        { source: "local-env", location: "MY_GROUP_DIR", outcome: "missing", reason: "not set" }
      ])
      const missing = yield* expectMiss(manager.get({ group: "nope", key: "k" }))
      assert.strictEqual(missing.attempts[1]?.reason, "no such file")
      const binary = yield* expectMiss(manager.get({ group: "my-group", key: "bin" }))
      assert.strictEqual(binary.attempts[2]?.reason, "not valid UTF-8 (read it with encodeMode: \"rb\")")
      assert.include(binary.message, "/etc/secrets/my-group/bin")
      assert.include(binary.message, "FLYTE_SECRETS_MY_GROUP_BIN")
      assert.strictEqual(binary.reason, "Refused")
      assert.match(binary.message, /^Secret found but not readable: group "my-group" key "bin"/)
      assert.include(binary.message, "The place named first holds something that may not be read")
      // Outside a task, no advice about a task's declarations.
      assert.notInclude(binary.message, "secretRequests")
      assert.strictEqual(missing.reason, "NotFound")
      assert.strictEqual(binary.group, "my-group")
      assert.strictEqual(binary.key, "bin")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      files: { "/etc/secrets/my-group/dir/inner": "x", "/etc/secrets/my-group/bin": bytes }
    }))))

  it.effect("compiled lookups are kept per request: requests that differ never share one", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const request = { group: "g", key: "k" }
      assert.strictEqual(yield* manager.get(request), "default")
      assert.strictEqual(yield* manager.get({ ...request, envVar: "OTHER" }), "other")
      assert.strictEqual(yield* manager.get({ ...request, mountRequirement: "ENV_VAR", envVar: "OTHER" }), "other")
      assert.strictEqual(yield* manager.get({ ...request, groupVersion: "v2" }), "versioned")
      // A plain object is read by its fields at every call, so changing it changes the lookup.
      const mutable: { group: string; key: string } = { group: "g", key: "k" }
      assert.strictEqual(yield* manager.get(mutable), "default")
      mutable.key = "k2"
      assert.strictEqual(yield* manager.get(mutable), "second")
      // A Secret and a frozen request are kept by identity, and give what their fields say.
      assert.strictEqual(yield* manager.get(new Secret({ group: "g", key: "k2" })), "second")
      assert.strictEqual(yield* manager.get(Object.freeze({ group: "g", key: "k", envVar: "OTHER" })), "other")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: {
        FLYTE_SECRETS_G_K: "default",
        OTHER: "other",
        FLYTE_SECRETS_G_V2_K: "versioned",
        FLYTE_SECRETS_G_K2: "second"
      }
    }))))

  it.effect("refuses a request with neither group nor key, reading nothing", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const error = yield* expectMiss(manager.get({ group: "", key: "" }))
      assert.deepStrictEqual(error.attempts.map((a) => a.source), ["request"])
      assert.include(error.message, "needs a group or a key")
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("locate names the source and place of a hit, without the value", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.deepStrictEqual(yield* manager.locate({ group: "my-group", key: "my_key" }), {
        source: "env",
        location: "FLYTE_SECRETS_MY_GROUP_MY_KEY",
        tried: [{ source: "env", location: "FLYTE_SECRETS_MY-GROUP_MY_KEY", outcome: "missing", reason: "not set" }]
      })
      const der = yield* manager.locate({ group: "certs", key: "der" })
      assert.deepStrictEqual([der.source, der.location], ["file", "/etc/secrets/certs/der"])
      assert.deepStrictEqual(der.tried.map((attempt) => attempt.location), ["FLYTE_SECRETS_CERTS_DER"])
      assert.deepStrictEqual(yield* manager.locate({ group: "g", key: "k", envVar: "LOCAL_K" }), {
        source: "declared-env",
        location: "LOCAL_K",
        tried: []
      })
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { FLYTE_SECRETS_MY_GROUP_MY_KEY: "v", LOCAL_K: "x" },
      files: { "/etc/secrets/certs/der": new Uint8Array([0xff]) }
    }))))

  it.effect("getRedacted prints as <redacted>", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const secret = yield* manager.getRedacted({ group: "my-group", key: "my_key" })
      assert.strictEqual(Redacted.value(secret), "s3cr3t")
      assert.strictEqual(String(secret), "<redacted>")
      assert.notInclude(JSON.stringify(secret), "s3cr3t")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_MY_GROUP_MY_KEY: "s3cr3t" } }))))

  it.effect("getPath gives the file path, and lists only file places on a miss", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.getPath({ group: "My-Group", key: "K" }), "/etc/secrets/my-group/k")
      const error = yield* expectMiss(manager.getPath({ group: "env-only", key: "k" }))
      assert.deepStrictEqual(error.attempts.map((a) => a.source), ["file"])
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { "FLYTE_SECRETS_ENV-ONLY_K": "value" },
      files: { "/etc/secrets/my-group/k": "x" }
    }))))
})

describe("SecretsManager.layer: live, on a temp dirs.secrets and real env vars", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: undefined })

  it.effect("reads a file from the configured directory, and exact bytes in rb mode", () =>
    live(Effect.gen(function*() {
      writeFiles(dirs.secrets, { "my-group/my_key": " from-disk \n", "my-group/bin": bytes })
      const manager = yield* SecretsManager
      assert.strictEqual(yield* get, "from-disk")
      assert.deepStrictEqual(yield* manager.get({ group: "my-group", key: "bin", encodeMode: "rb" }), bytes)
    })))

  it.effect("reads env vars at lookup time, and running the same effect again reads again", () =>
    live(Effect.gen(function*() {
      setEnv({ "FLYTE_SECRETS_MY-GROUP_MY_KEY": "first" })
      assert.strictEqual(yield* get, "first")
      setEnv({ "FLYTE_SECRETS_MY-GROUP_MY_KEY": "second" })
      assert.strictEqual(yield* get, "second")
      setEnv({ "FLYTE_SECRETS_MY-GROUP_MY_KEY": undefined })
      writeFiles(dirs.secrets, { "my-group/my_key": "third" })
      assert.strictEqual(yield* get, "third")
    })))

  it.effect("a file that was missing is found as soon as it appears, and missed again when it goes", () =>
    live(Effect.gen(function*() {
      const manager = yield* SecretsManager
      const lookup = manager.get({ group: "late", key: "k" })
      for (let i = 0; i < 3; i++) {
        const error = yield* expectMiss(lookup)
        assert.strictEqual(error.attempts.find((a) => a.source === "file")?.reason, "no such file")
      }
      writeFiles(dirs.secrets, { "late/k": "arrived" })
      assert.strictEqual(yield* lookup, "arrived")
      fs.rmSync(path.join(dirs.secrets, "late/k"))
      const gone = yield* expectMiss(lookup)
      assert.strictEqual(gone.attempts.find((a) => a.source === "file")?.reason, "no such file")
      // A path through a file keeps its own reason on every lookup.
      writeFiles(dirs.secrets, { "plain": "not a directory" })
      for (let i = 0; i < 2; i++) {
        const error = yield* expectMiss(manager.get({ group: "plain", key: "k" }))
        assert.strictEqual(
          error.attempts.find((a) => a.source === "file")?.reason,
          "a part of the path is not a directory"
        )
      }
    })))

  it.effect("a missing file's reason is the one that holds at each lookup, not the one found before", () =>
    live(Effect.gen(function*() {
      const manager = yield* SecretsManager
      const lookup = manager.get({ group: "g", key: "absent" })
      const fileReason = (miss: SecretNotFound) => miss.attempts.find((a) => a.source === "file")?.reason
      writeFiles(dirs.secrets, { "g": "a file where the group's directory would be" })
      assert.strictEqual(fileReason(yield* expectMiss(lookup)), "a part of the path is not a directory")
      fs.rmSync(path.join(dirs.secrets, "g"))
      assert.strictEqual(fileReason(yield* expectMiss(lookup)), "no such file")
      writeFiles(dirs.secrets, { "g": "a file again" })
      assert.strictEqual(fileReason(yield* expectMiss(lookup)), "a part of the path is not a directory")
    })))

  it.effect("getPath gives the logical path, not the symlink's target", () =>
    live(Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/..2026_01/k": "v1" })
      fs.symlinkSync("..2026_01", path.join(dirs.secrets, "g", "..data"))
      fs.symlinkSync("..data/k", path.join(dirs.secrets, "g", "k"))
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.getPath({ group: "g", key: "k" }), path.join(dirs.secrets, "g", "k"))
      assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "v1")
    })))

  it.effect("a declared FILE envVar reads the file the variable points to", () =>
    live(Effect.gen(function*() {
      writeFiles(dirs.secrets, { "elsewhere/cert.pem": "CERT" })
      setEnv({ TLS_CERT_PATH: path.join(dirs.secrets, "elsewhere/cert.pem") })
      const manager = yield* SecretsManager
      const value = yield* manager.get({
        group: "certs",
        key: "tls",
        mountRequirement: "FILE",
        envVar: "TLS_CERT_PATH"
      })
      assert.strictEqual(value, "CERT")
    })))

  it.effect("layerNoDeps reads through any FileSystem, such as @effect/platform-node's asynchronous one", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/k": "via-node-fs\n", "g/dir/x": "x" })
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "via-node-fs")
      const error = yield* expectMiss(manager.get({ group: "g", key: "dir" }))
      assert.strictEqual(error.attempts.find((a) => a.source === "file")?.reason, "is a directory")
    }).pipe(Effect.provide(SecretsManager.layerNoDeps.pipe(
      Layer.provide([SecretsConfig.layer, Environment.layer, NodeFileSystem.layer])
    ))))

  it.effect("over a file system that answers later, each lookup tries the same places in the same order as over fs", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/filed": "F", "g/dir/x": "x" })
      setEnv({ G_UNPREFIXED: "U", FLYTE_SECRETS_G_ENV: "E" })
      // Found before the files, at a file, after a file (the unprefixed variable), nowhere, refused at a directory.
      const requests = [
        ...["env", "filed", "unprefixed", "absent", "dir"].map((key) => ({ group: "g", key })),
        { group: "g", key: "absent", groupVersion: "v1" }
      ]
      const outcomes = Effect.gen(function*() {
        const manager = yield* SecretsManager
        return yield* Effect.forEach(requests, (request) =>
          Effect.match(manager.locate(request), {
            onSuccess: ({ location, source, tried }) => ({ found: [source, location], tried }),
            onFailure: (miss) => ({ miss: miss.reason, tried: miss.attempts })
          }))
      })
      const now = yield* Effect.provide(outcomes, SecretsManager.layer)
      const later = yield* Effect.provide(
        outcomes,
        SecretsManager.layerNoDeps.pipe(Layer.provide([SecretsConfig.layer, Environment.layer, NodeFileSystem.layer]))
      )
      assert.deepStrictEqual(later, now)
      assert.deepStrictEqual(now.map((outcome) => "found" in outcome ? outcome.found[0] : outcome.miss), [
        "env",
        "file",
        "local-env",
        "NotFound",
        "Refused",
        "NotFound"
      ])
      assert.deepStrictEqual(now[2]!.tried.map((attempt) => attempt.source), ["env", "file"])
    }))

  it.effect("1,000 concurrent gets over env and files return the right values", () =>
    live(Effect.gen(function*() {
      const files: Record<string, string> = {}
      const variables: Record<string, string> = {}
      for (let i = 0; i < 500; i++) {
        files[`file-group/key${i}`] = `file-value-${i}`
        variables[`FLYTE_SECRETS_ENV_GROUP_KEY${i}`] = `env-value-${i}`
      }
      writeFiles(dirs.secrets, files)
      setEnv(variables)
      const manager = yield* SecretsManager
      const lookups = Array.from({ length: 1000 }, (_, i) =>
        i % 2 === 0
          ? manager.get({ group: "file-group", key: `key${i / 2}` })
          : manager.get({ group: "env_group", key: `key${(i - 1) / 2}` }))
      const values = yield* Effect.all(lookups, { concurrency: "unbounded" })
      values.forEach((value, i) =>
        assert.strictEqual(value, i % 2 === 0 ? `file-value-${i / 2}` : `env-value-${(i - 1) / 2}`)
      )
    })))
})

describe("getRedacted and watch (test layer)", () => {
  it.effect("getRedacted with rb gives Redacted bytes, exact", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const bytes = yield* manager.getRedacted({ group: "g", key: "bin", encodeMode: "rb" })
      assert.deepStrictEqual(Redacted.value(bytes), new Uint8Array([0xff, 0x00, 0x0a]))
      assert.strictEqual(String(bytes), "<redacted>")
    }).pipe(
      Effect.provide(SecretsManager.layerTest({ files: { "/etc/secrets/g/bin": new Uint8Array([0xff, 0, 10]) } }))
    ))
})

describe("a request's envVar", () => {
  it.effect("may not be one of the library's configuration variables: refused before anything is read", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      for (const envVar of ["FLYTE_SECRETS_MAX_FILE_BYTES", "FLYTE_SECRETS_X", "FLYTE_INTERNAL_EXECUTION_ID"]) {
        const miss = yield* expectMiss(manager.get({ group: "g", key: "k", envVar }))
        assert.strictEqual(miss.reason, "InvalidRequest")
        assert.include(miss.message, `"${envVar}" is a configuration variable of this library`)
      }
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_MAX_FILE_BYTES: "4096" } }))))
})

describe("a full miss builds its message only when it is read", () => {
  it.effect("each miss of a lookup, sharing its attempts, looks for its \"did you mean\" at its own first read", () =>
    Effect.gen(function*() {
      const variables: Record<string, string> = {}
      const layer = SecretsManager.layerNodeFiles.pipe(
        Layer.provide(SecretsConfig.layerWith({})),
        Layer.provide(
          Layer.succeed(Environment, { get: (name) => variables[name], names: () => Object.keys(variables) })
        )
      )
      const manager = yield* SecretsManager.pipe(Effect.provide(layer))
      const lookup = manager.get({ group: "g", key: "key" })
      const first = yield* expectMiss(lookup)
      assert.notInclude(first.message, "did you mean")
      variables["FLYTE_SECRETS_G_KEI"] = "typo"
      const second = yield* expectMiss(lookup)
      assert.strictEqual(second.attempts, first.attempts)
      assert.include(second.message, "the variable \"FLYTE_SECRETS_G_KEI\" is set (did you mean it?)")
      assert.notInclude(first.message, "did you mean")
      // A miss made unchangeable still says it, computed at each read.
      const frozen = Object.freeze(yield* expectMiss(lookup))
      assert.include(frozen.message, "FLYTE_SECRETS_G_KEI")
      delete variables["FLYTE_SECRETS_G_KEI"]
      assert.notInclude(frozen.message, "did you mean")
      assert.include(second.message, "FLYTE_SECRETS_G_KEI")
    }))

  it.effect("no message and no \"did you mean\" scan at the miss, through the manager and the facade", () =>
    Effect.gen(function*() {
      const getter = Object.getOwnPropertyDescriptor(SecretNotFound.prototype, "message")!
      let built = 0
      let listed = 0
      Object.defineProperty(SecretNotFound.prototype, "message", {
        get(this: SecretNotFound) {
          built++
          return getter.get!.call(this)
        },
        configurable: true
      })
      try {
        const variables = { FLYTE_SECRETS_G_KEI: "typo" }
        const environment = Layer.succeed(Environment, {
          get: (name: string) => (variables as Record<string, string>)[name],
          names: () => (listed++, Object.keys(variables))
        })
        const layer = SecretsManager.layerNodeFiles.pipe(
          Layer.provide(SecretsConfig.layerWith({})),
          Layer.provide(environment)
        )
        const miss = yield* expectMiss(SecretsManager.use((manager) => manager.get({ group: "g", key: "key" }))).pipe(
          Effect.provide(layer)
        )
        const thrown = thrownBy(() => makeSecrets(layer).g!["key"])
        assert.instanceOf(thrown, SecretNotFound)
        assert.deepStrictEqual([built, listed], [0, 0])
        assert.include(miss.message, "FLYTE_SECRETS_G_KEI")
        assert.deepStrictEqual([built, listed], [1, 1]) // Built once: a name set since, closer to the one tried, changes nothing already read.
        ;(variables as Record<string, string>)["FLYTE_SECRETS_G_KEY2"] = "closer"
        const again = miss.message
        assert.strictEqual(again, getter.get!.call(miss))
        assert.notInclude(again, "FLYTE_SECRETS_G_KEY2")
        assert.deepStrictEqual([built, listed], [2, 1])
      } finally {
        Object.defineProperty(SecretNotFound.prototype, "message", getter)
      }
    }))
})

/** The same error made by the schema's constructor from the same fields, with no stack frames either. */
const madeBySchema = (miss: SecretNotFound): SecretNotFound => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return new SecretNotFound({ ...miss, attempts: miss.attempts })
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** Where `Data.Error`'s constructor keeps a hidden copy of the object it was given; a lookup's miss keeps none. */
const constructorCopy = Symbol.for("effect/Data/Error/plainArgs")

const keysBesideTheCopy = (error: SecretNotFound) => Reflect.ownKeys(error).filter((key) => key !== constructorCopy)

/** Everything a caller can see of an error, as the schema's constructor would have made it. */
const assertMadeAsBySchema = (miss: SecretNotFound) => {
  const parsed = madeBySchema(miss)
  assert.strictEqual(Object.getPrototypeOf(miss), SecretNotFound.prototype)
  assert.instanceOf(miss, Error)
  assert.isTrue(types.isNativeError(miss))
  assert.isTrue(Schema.is(SecretNotFound)(miss))
  assert.deepStrictEqual(keysBesideTheCopy(miss), keysBesideTheCopy(parsed))
  for (const key of keysBesideTheCopy(miss)) {
    const [mine, theirs] = [miss, parsed].map((error) => Object.getOwnPropertyDescriptor(error, key)!)
    assert.deepStrictEqual({ ...mine, value: undefined }, { ...theirs, value: undefined }, String(key))
  }
  assert.deepStrictEqual({ ...miss }, { ...parsed })
  assert.deepStrictEqual(miss.toJSON(), parsed.toJSON())
  assert.strictEqual(JSON.stringify(miss), JSON.stringify(parsed))
  assert.strictEqual(String(miss), String(parsed))
  assert.strictEqual(inspect(miss, { depth: 10 }), inspect(parsed, { depth: 10 }))
  assert.isTrue(Equal.equals(miss, parsed))
  assert.isTrue(Equal.equals(parsed, miss))
  assert.strictEqual(Hash.hash(miss), Hash.hash(parsed))
  const encoded = Schema.encodeSync(SecretNotFound)(miss)
  assert.deepStrictEqual(encoded, Schema.encodeSync(SecretNotFound)(parsed))
  assert.strictEqual(JSON.stringify(Schema.decodeSync(SecretNotFound)(encoded)), JSON.stringify(parsed))
}

describe("a full miss made from the lookup's own fields", () => {
  it.effect("is what the schema's constructor makes of them: class, keys, JSON, text, printing, encoding", () =>
    Effect.gen(function*() {
      // With this Effect a schema error is a Data.Error built from its fields, so the lookup builds it that way.
      assert.strictEqual(Object.getPrototypeOf(Object.getPrototypeOf(SecretNotFound)), Data.Error)
      const manager = yield* SecretsManager
      const missed = yield* expectMiss(manager.get({ group: "g", key: "absent", groupVersion: "v1" }))
      assert.strictEqual(missed.reason, "NotFound")
      assert.strictEqual(missed.groupVersion, "v1")
      assertMadeAsBySchema(missed)
      const refused = yield* expectMiss(manager.get({ group: "g", key: "bin" }))
      assert.strictEqual(refused.reason, "Refused")
      assertMadeAsBySchema(refused)
      assertMadeAsBySchema(yield* expectMiss(manager.get({ key: "only-a-key" })))
    }).pipe(Effect.provide(SecretsManager.layerTest({ files: { "/etc/secrets/g/bin": new Uint8Array([0xff]) } }))))

  it.effect("equals, by Effect's Equal and Hash, the miss the schema's constructor makes of the same fields", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const lookup = manager.get({ group: "g", key: "absent" })
      const first = yield* expectMiss(lookup)
      const again = yield* expectMiss(lookup)
      const made = madeBySchema(first)
      assert.isTrue(Equal.equals(first, made))
      assert.isTrue(Equal.equals(made, again))
      assert.strictEqual(Hash.hash(first), Hash.hash(made))
      assert.isTrue(HashSet.has(HashSet.make(made), again))
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("equals the schema's miss of the same fields after its \"did you mean\" is read, and no miss of other fields", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const miss = yield* expectMiss(manager.get({ group: "g", key: "key", groupVersion: "v1" }))
      assert.include(miss.message, "did you mean it?")
      const made = madeBySchema(miss)
      assert.notInclude(made.message, "did you mean it?")
      assert.isTrue(Equal.equals(miss, made))
      assert.strictEqual(Hash.hash(miss), Hash.hash(made))
      assert.strictEqual(
        HashSet.size(
          HashSet.make(miss, made, yield* expectMiss(manager.get({ group: "g", key: "key", groupVersion: "v1" })))
        ),
        1
      )
      const { attempts } = miss
      const otherFields = {
        group: { group: "h" },
        key: { key: "other" },
        groupVersion: { groupVersion: "v2" },
        reason: { reason: "Refused" },
        attempts: { attempts: [{ ...attempts[0]!, reason: "another reason" }, ...attempts.slice(1)] },
        "one attempt fewer": { attempts: attempts.slice(1) },
        task: { task: "t" },
        declared: { declared: true }
      } as const
      for (const [field, changed] of Object.entries(otherFields)) {
        const other = new SecretNotFound({ ...miss, attempts, ...changed })
        assert.isFalse(Equal.equals(miss, other), field)
        assert.isFalse(Equal.equals(other, miss), field)
      }
      // Another class holding the same fields is not the same miss.
      class Lookalike
        extends Data.Error<Pick<SecretNotFound, "group" | "key" | "groupVersion" | "reason" | "attempts">>
      {}
      const lookalikes = [{ ...miss, attempts }, Object.assign(new Lookalike({ ...miss, attempts }), { attempts })]
      for (const lookalike of lookalikes) {
        assert.isFalse(Equal.equals(miss, lookalike))
        assert.isFalse(Equal.equals(lookalike, miss))
      }
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_KEI: "typo" } }))))

  it.effect("makes a task's preflight failure equal to the one the schema makes of the same misses, read or not", () =>
    Effect.gen(function*() {
      const preflight = task(
        { name: "t", secretRequests: [{ group: "g", key: "absent" }, { group: "g", key: "key" }] },
        () => Effect.void
      )(undefined)
      const failure = yield* failureOf(preflight)
      assert.strictEqual(failure._tag, "MissingSecrets")
      if (failure._tag !== "MissingSecrets") return
      assert.include(failure.message, "did you mean it?")
      const made = new MissingSecrets({ task: failure.task, missing: failure.missing.map(madeBySchema) })
      assert.notInclude(made.message, "did you mean it?")
      assert.isTrue(Equal.equals(failure, made))
      assert.isTrue(Equal.equals(made, failure))
      assert.strictEqual(Hash.hash(failure), Hash.hash(made))
      assert.isTrue(Equal.equals(failure, yield* failureOf(preflight)))
      const others = [
        new MissingSecrets({ task: "other", missing: failure.missing }),
        new MissingSecrets({ task: failure.task, missing: failure.missing.slice(1) })
      ]
      for (const other of others) assert.isFalse(Equal.equals(failure, other))
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_KEI: "typo" } }))))

  it.effect("is made as the schema makes it even when the global Error is replaced after loading (as zone.js does)", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const original = globalThis.Error
      class PatchedError extends original {
        constructor(...args: ConstructorParameters<ErrorConstructor>) {
          super(...args)
          Object.assign(this, { zone: "patched" })
        }
      }
      globalThis.Error = PatchedError as ErrorConstructor
      const miss = yield* expectMiss(manager.get({ group: "g", key: "absent" })).pipe(
        Effect.ensuring(Effect.sync(() => {
          globalThis.Error = original
        }))
      )
      assert.notProperty(miss, "zone")
      assertMadeAsBySchema(miss)
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("of a lookup missing again gives no miss a way to change another's JSON", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const lookup = manager.get({ group: "g", key: "absent" })
      const first = yield* expectMiss(lookup)
      const json = JSON.stringify(first)
      const again = yield* expectMiss(lookup)
      for (const key of Reflect.ownKeys(again)) {
        const held: unknown = Reflect.get(again, key)
        if (typeof key === "symbol" && typeof held === "object" && held !== null) {
          try {
            Object.assign(held, { message: "forged", group: "forged" })
          } catch {
            // Frozen: nothing to forge.
          }
        }
      }
      Reflect.set(again, "group", "mine")
      assert.strictEqual(JSON.stringify(first), json)
      assert.strictEqual(JSON.stringify(yield* expectMiss(lookup)), json)
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("keeps its \"did you mean\" hint where no listing, JSON or printing shows it", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const miss = yield* expectMiss(manager.get({ group: "g", key: "key" }))
      const before = { keys: Reflect.ownKeys(miss), json: JSON.stringify(miss) }
      assert.include(miss.message, "the variable \"FLYTE_SECRETS_G_KEI\" is set (did you mean it?)")
      assert.deepStrictEqual({ keys: Reflect.ownKeys(miss), json: JSON.stringify(miss) }, before)
      assert.deepStrictEqual(Object.getOwnPropertyNames(miss), Object.getOwnPropertyNames(madeBySchema(miss)))
      assert.notInclude(inspect(miss, { showHidden: true, depth: 10 }), "suggestions")
      assert.notInclude(JSON.stringify(miss), "did you mean")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_KEI: "typo" } }))))

  it.effect("equals the schema's miss in an Exit, a Cause, a HashMap and vitest's toStrictEqual, thrown by the facade too", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const miss = yield* expectMiss(manager.get({ group: "g", key: "absent" }))
      const made = madeBySchema(miss)
      assert.isTrue(Equal.equals(Exit.fail(miss), Exit.fail(made)))
      assert.isTrue(Equal.equals(Cause.fail(made), Cause.fail(miss)))
      assert.isTrue(HashMap.has(HashMap.make([made, "seen"]), miss))
      expect(miss).toStrictEqual(made)
      assert.strictEqual(Cause.pretty(Cause.fail(miss)), Cause.pretty(Cause.fail(made)))
      // The facade gives a thrown miss the caller's frames: they are not a field.
      const thrown = thrownBy(() => makeSecrets(SecretsManager.layerTest()).get({ group: "g", key: "absent" }))
      assert.include((thrown as SecretNotFound).stack, "\n    at ")
      assert.isTrue(Equal.equals(thrown, made))
      assert.strictEqual(Hash.hash(thrown), Hash.hash(made))
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it("is Equal to another miss of its class only when all their fields are, a subclass's own fields too", () => {
    const attempts = [{ source: "vault", location: "secret/data/db", reason: "no key" }]
    class VaultMiss extends SecretNotFound.extend<VaultMiss>("VaultMiss")({ path: Schema.String }) {}
    const [a, b] = ["secret/a", "secret/b"].map((path) => new VaultMiss({ key: "k", attempts, path }))
    assert.isFalse(Equal.equals(a, b))
    assert.isFalse(Equal.equals(b, a))
    assert.isTrue(Equal.equals(a, new VaultMiss({ key: "k", attempts, path: "secret/a" })))
    class Counted extends SecretNotFound {
      readonly count: number
      constructor(count: number) {
        super({ key: "k", attempts })
        this.count = count
      }
    }
    assert.isFalse(Equal.equals(new Counted(1), new Counted(2)))
    assert.isTrue(Equal.equals(new Counted(1), new Counted(1)))
    assert.strictEqual(Hash.hash(new Counted(1)), Hash.hash(new Counted(1)))
    // A key set on a miss since it was made is one of its fields, as for any structure Effect compares.
    const marked = Object.assign(new SecretNotFound({ key: "k", attempts }), { retried: true })
    assert.isFalse(Equal.equals(marked, new SecretNotFound({ key: "k", attempts })))
    assert.isFalse(Equal.equals(new SecretNotFound({ key: "k", attempts }), marked))
  })

  it("tells a field set to undefined from one left out, as Effect's Equal and toStrictEqual do", () => {
    const absent = new SecretNotFound({ key: "k", attempts: [] })
    const undefinedGroup = new SecretNotFound({ group: undefined, key: "k", attempts: [] })
    assert.isTrue(Object.hasOwn(undefinedGroup, "group"))
    assert.isFalse(Equal.equals(absent, undefinedGroup))
    assert.isFalse(Equal.equals(undefinedGroup, absent))
    assert.isFalse(Equal.equals({ group: undefined, key: "k" }, { key: "k" }))
    expect(undefinedGroup).not.toStrictEqual(absent)
    assert.isTrue(Equal.equals(undefinedGroup, new SecretNotFound({ group: undefined, key: "k", attempts: [] })))
  })
})

describe("a miss re-made for a task", () => {
  it.effect("carries no stack frames, like the lookup's own miss", () =>
    Effect.gen(function*() {
      const read = SecretsManager.use((manager) => manager.get({ group: "g", key: "absent" }))
      const plain = yield* expectMiss(read)
      const inTask = yield* failureOf(task({ name: "t", secretRequests: [], preflight: false }, () => read)(undefined))
      assert.instanceOf(inTask, SecretNotFound)
      assert.strictEqual(inTask.task, "t")
      assert.notInclude(plain.stack, "\n    at ")
      assert.notInclude(inTask.stack, "\n    at ")
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("is what the schema's constructor makes of the lookup's fields and the task's, attempts kept", () =>
    Effect.gen(function*() {
      const read = SecretsManager.use((manager) => manager.get({ group: "g", key: "key", groupVersion: "v1" }))
      const plain = yield* expectMiss(read)
      const inTask = yield* failureOf(
        task(
          { name: "t", secretRequests: [{ group: "g", key: "key", groupVersion: "v1" }], preflight: false },
          () => read
        )(
          undefined
        )
      )
      assert.instanceOf(inTask, SecretNotFound)
      assert.strictEqual(inTask.task, "t")
      assert.strictEqual(inTask.declared, true)
      assert.strictEqual(inTask.groupVersion, "v1")
      assert.deepStrictEqual(inTask.attempts, plain.attempts)
      assert.isTrue(Object.isFrozen(inTask.attempts))
      assertMadeAsBySchema(inTask)
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("keeps the lookup's \"did you mean\" hint", () =>
    Effect.gen(function*() {
      const read = SecretsManager.use((manager) => manager.get({ group: "g", key: "key" }))
      const inTask = yield* failureOf(task({ name: "t", secretRequests: [], preflight: false }, () => read)(undefined))
      assert.include(inTask.message, "the variable \"FLYTE_SECRETS_G_KEI\" is set (did you mean it?)")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_KEI: "typo" } }))))

  it.effect("from a manager the library did not make, is made by the schema from that miss's fields", () =>
    Effect.gen(function*() {
      const custom = SecretsManager.of({
        ...(yield* SecretsManager),
        get: () =>
          Effect.fail(
            new SecretNotFound({
              group: "g",
              key: "k",
              attempts: [{ source: "custom", location: "vault", outcome: "missing", reason: "not there" }]
            })
          )
      })
      const inTask = yield* failureOf(
        task(
          { name: "t", secretRequests: [], preflight: false },
          (_, manager) => manager.get({ group: "g", key: "k" })
        )(
          undefined
        ).pipe(Effect.provideService(SecretsManager, custom))
      )
      assert.instanceOf(inTask, SecretNotFound)
      assert.strictEqual(inTask.task, "t")
      assert.strictEqual(inTask.declared, false)
      assert.deepStrictEqual(inTask.attempts.map((attempt) => attempt.location), ["vault"])
      assertMadeAsBySchema(inTask)
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("from a manager the library did not make, is checked by the schema even when its attempts are frozen", () =>
    Effect.gen(function*() {
      const base = yield* SecretsManager
      const libraryMiss = yield* expectMiss(base.get({ group: "g", key: "k" }))
      const invalidAttempts = Object.freeze([Object.freeze({ source: 42, location: "vault", outcome: "lost" })])
      const frozenValid = Object.freeze([
        Object.freeze({ source: "vault", location: "v", outcome: "missing", reason: "r" })
      ])
      const misses = {
        // The schema's own miss, its attempts swapped for a frozen array of invalid ones.
        "invalid attempts": Object.assign(new SecretNotFound({ group: "g", key: "k", attempts: [] }), {
          attempts: invalidAttempts
        }),
        // A miss the library made, its name changed to a number afterwards.
        "a library miss altered": Object.assign(Object.create(libraryMiss), { group: 42 }),
        "a forged object": Object.assign(Object.create(SecretNotFound.prototype), {
          _tag: "SecretNotFound",
          key: "k",
          reason: "NotFound",
          attempts: invalidAttempts
        }),
        // Valid, its attempts frozen by the manager: re-made with the task's fields, as the schema makes it.
        "valid and frozen": Object.assign(new SecretNotFound({ group: "g", key: "k", attempts: [] }), {
          attempts: frozenValid
        })
      }
      for (const [what, miss] of Object.entries(misses)) {
        const custom = SecretsManager.of({ ...base, get: () => Effect.fail(miss as SecretNotFound) })
        const exit = yield* Effect.exit(
          task({ name: "t", secretRequests: [], preflight: false }, (_, manager) => manager.get({ key: "k" }))(
            undefined
          ).pipe(Effect.provideService(SecretsManager, custom))
        )
        if (what === "valid and frozen") {
          assert.isTrue(Exit.isFailure(exit), what)
          const inTask = Cause.squash((exit as Exit.Failure<unknown, SecretNotFound>).cause) as SecretNotFound
          assert.strictEqual(inTask.task, "t", what)
          assertMadeAsBySchema(inTask)
          continue
        }
        // Never a task's miss built from fields the schema refuses: the schema's own refusal, as before.
        assert.isTrue(Exit.hasDies(exit), what)
        assert.isFalse(Exit.hasFails(exit), what)
      }
    }).pipe(Effect.provide(SecretsManager.layerTest())))
})

describe("a full miss's attempts", () => {
  it.effect("are frozen, and what the schema would have made of them", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const first = yield* expectMiss(manager.get({ group: "g", key: "absent" }))
      assert.isTrue(Object.isFrozen(first.attempts))
      assert.isTrue(first.attempts.every((attempt) => Object.isFrozen(attempt)))
      assert.throws(() => (first.attempts as Array<unknown>).push({}))
      assert.throws(() => {
        ;(first.attempts[0] as { reason: string }).reason = "forged"
      })
      // The same error, built by the schema from the same fields.
      const parsed = new SecretNotFound({ group: "g", key: "absent", reason: first.reason, attempts: first.attempts })
      assert.deepStrictEqual({ ...first }, { ...parsed })
      assert.strictEqual(first.message, parsed.message)
      assert.strictEqual(JSON.stringify(first), JSON.stringify(parsed))
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_OTHER: "x" } }))))

  describe("of a lookup missing again", () => {
    const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: undefined })

    it.effect("shared, leave each miss its own \"did you mean\" hint, made at the first read of its message", () =>
      live(Effect.gen(function*() {
        const manager = yield* SecretsManager
        const lookup = manager.get({ group: "g", key: "key" })
        const first = yield* expectMiss(lookup)
        assert.notInclude(first.message, "did you mean")
        const second = yield* expectMiss(lookup)
        setEnv({ FLYTE_SECRETS_G_KEI: "typo" })
        const third = yield* expectMiss(lookup)
        assert.strictEqual(third.attempts, first.attempts)
        assert.include(second.message, "the variable \"FLYTE_SECRETS_G_KEI\" is set (did you mean it?)")
        assert.include(third.message, "the variable \"FLYTE_SECRETS_G_KEI\" is set (did you mean it?)")
        setEnv({ FLYTE_SECRETS_G_KEI: undefined })
        assert.notInclude(first.message, "did you mean")
        assert.include(third.message, "did you mean")
        assert.notInclude((yield* expectMiss(lookup)).message, "did you mean")
      })))

    it.effect("are shared while every place answers as before, and new once one answers otherwise", () =>
      live(Effect.gen(function*() {
        const manager = yield* SecretsManager
        const lookup = manager.get({ group: "g", key: "absent" })
        const first = yield* expectMiss(lookup)
        const second = yield* expectMiss(lookup)
        // Each miss is its own error; the frozen attempts of a miss repeated are the same.
        assert.notStrictEqual(second, first)
        assert.strictEqual(second.attempts, first.attempts)
        // The file's place now refuses (a directory where the file would be): new attempts, saying so.
        fs.mkdirSync(path.join(dirs.secrets, "g", "absent"), { recursive: true })
        const refused = yield* expectMiss(lookup)
        assert.strictEqual(refused.reason, "Refused")
        assert.notStrictEqual(refused.attempts, first.attempts)
        assert.include(refused.attempts.map((attempt) => attempt.reason), "is a directory")
        // A variable that is too large is refused at its own place.
        fs.rmdirSync(path.join(dirs.secrets, "g", "absent"))
        setEnv({ FLYTE_SECRETS_G_ABSENT: "x".repeat(2 * 1024 * 1024) })
        const oversized = yield* expectMiss(lookup)
        assert.strictEqual(oversized.reason, "Refused")
        assert.include(oversized.attempts[0]!.reason, "over the limit")
        setEnv({ FLYTE_SECRETS_G_ABSENT: undefined })
        const again = yield* expectMiss(lookup)
        assert.strictEqual(again.reason, "NotFound")
        assert.deepStrictEqual(again.attempts, first.attempts)
        assert.isTrue(Object.isFrozen(again.attempts))
      })))
  })
})
