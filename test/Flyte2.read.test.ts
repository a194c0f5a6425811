/**
 * Reading Flyte 2 secrets: a request whose `origin` is `"flyte2"` is looked for exactly where the Flyte 2 webhook's
 * backends put it (the declared variable, `UPPER(P + G + "_" + K)`, the files `D/K`, `D/lower(G)/lower(K)`, `D/G/K`,
 * `D/lower(N)`, `D/md5hex(K)/lower(K)`, then `P + UPPER(K)`), with its value exactly as written.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as path from "node:path"
import { makeSecrets, type SecretNotFound, SecretsCache, SecretsManager } from "../src/index.ts"
import type { SecretRequest, TestOptions } from "../src/SecretsManager.ts"
import { makeKubeletVolume } from "./fixtures/kubeletVolume.ts"
import { expectMiss, setEnv, thrownBy, useSecretsDir, visibleTexts } from "./support.ts"

const D = "/etc/flyte/secrets"
const encoder = new TextEncoder()

/** A manager over records of variables and files (absolute paths), touching neither `process.env` nor the disk. */
const managerOf = (options: TestOptions) =>
  Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layerTest(options))

/** Something in the secrets directory, so that it exists. */
const unrelated = { [`${D}/unrelated`]: "unrelated" }

const flyte2 = (request: Omit<SecretRequest, "origin">): SecretRequest => ({ ...request, origin: "flyte2" })

const locations = (error: { readonly attempts: ReadonlyArray<{ readonly location: string }> }) =>
  error.attempts.map((attempt) => attempt.location)

// md5 of the UTF-8 bytes, computed apart from the library (Python's hashlib).
const md5 = {
  "db_password": "d4982f060b2fa15dc12996ce9cd5f310",
  "DB_Password": "bf54b9396604da9de8ccbb44830cff32",
  "tok": "60ae136e5d49fbdf037fab5f1d805634",
  "clé": "a28cca724a993e4d2632421255a6f085",
  "日本": "4dbed2e657457884e67137d3514119b3",
  "api-key": "3dc5f12d6f3462bb960a152bf73f2e81"
} as const

describe("Flyte 2 places, in order", () => {
  it.effect("a grouped request tries the declared variable, the grouped variable, the files, the embedded name", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({ files: unrelated })
      const error = yield* expectMiss(manager.get(flyte2({ group: "OpenAI", key: "Api-Key", envVar: "OPENAI_KEY" })))
      assert.deepStrictEqual(locations(error), [
        "OPENAI_KEY",
        "_UNION_OPENAI_API-KEY",
        `${D}/Api-Key`,
        `${D}/openai/api-key`,
        `${D}/OpenAI/Api-Key`
      ])
      const undeclared = yield* expectMiss(manager.get(flyte2({ group: "OpenAI", key: "Api-Key" })))
      assert.deepStrictEqual(locations(undeclared), [
        "_UNION_OPENAI_API-KEY",
        `${D}/Api-Key`,
        `${D}/openai/api-key`,
        `${D}/OpenAI/Api-Key`,
        "_UNION_API-KEY"
      ])
      assert.strictEqual(undeclared.reason, "NotFound")
    }))

  it.effect("a key-only request uses md5hex(key) as the group, and never D/lower(key)", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({ files: unrelated })
      const error = yield* expectMiss(manager.get(flyte2({ key: "DB_Password" })))
      const hash = md5["DB_Password"]
      assert.deepStrictEqual(locations(error), [
        `_UNION_${hash.toUpperCase()}_DB_PASSWORD`,
        `${D}/DB_Password`,
        `${D}/${hash}/db_password`,
        "_UNION_DB_PASSWORD"
      ])
      assert.notInclude(locations(error), `${D}/db_password`)
    }))

  it.effect("an ENV_VAR secret is looked for in variables only, a FILE secret in files only", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({ env: { TOKEN_PATH: `${D}/tok` }, files: { [`${D}/tok`]: "file" } })
      const env = yield* expectMiss(manager.get(flyte2({ key: "tok", mountRequirement: "ENV_VAR", envVar: "TOK" })))
      assert.deepStrictEqual(locations(env), ["TOK", `_UNION_${md5["tok"].toUpperCase()}_TOK`])
      const file = yield* expectMiss(
        manager.get(flyte2({ key: "absent", mountRequirement: "FILE", envVar: "TOKEN_PATH" }))
      )
      assert.deepStrictEqual(new Set(file.attempts.map((attempt) => attempt.source)), new Set(["file"]))
      const noPath = yield* expectMiss(
        manager.getPath(flyte2({ key: "tok", mountRequirement: "ENV_VAR", envVar: "T" }))
      )
      assert.include(noPath.attempts[0]!.reason, "injected as a variable only")
    }))

  it.effect("each place is found on its own", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({
        env: {
          DECLARED: "declared",
          _UNION_G_GROUPED: "grouped",
          [`_UNION_${md5["db_password"].toUpperCase()}_DB_PASSWORD`]: "key-only grouped",
          _UNION_EMBEDDED_KEY: "embedded"
        },
        files: {
          [`${D}/CaseKept`]: "embedded file",
          [`${D}/kube/lowered`]: "kubernetes file",
          [`${D}/Vault/Kept`]: "vault file",
          [`${D}/mysecret`]: "azure file",
          [`${D}/${md5["api-key"]}/api-key`]: "key-only kubernetes file"
        }
      })
      const cases: ReadonlyArray<readonly [SecretRequest, string, string]> = [
        [{ key: "x", envVar: "DECLARED", mountRequirement: "ENV_VAR" }, "declared", "DECLARED"],
        [{ group: "g", key: "grouped" }, "grouped", "_UNION_G_GROUPED"],
        [{ key: "db_password" }, "key-only grouped", `_UNION_${md5["db_password"].toUpperCase()}_DB_PASSWORD`],
        [{ key: "embedded_key" }, "embedded", "_UNION_EMBEDDED_KEY"],
        [{ key: "CaseKept", mountRequirement: "FILE" }, "embedded file", `${D}/CaseKept`],
        [{ group: "Kube", key: "Lowered", mountRequirement: "FILE" }, "kubernetes file", `${D}/kube/lowered`],
        [{ group: "Vault", key: "Kept", mountRequirement: "FILE" }, "vault file", `${D}/Vault/Kept`],
        [
          { group: "https://v.vault.azure.net/secrets/MySecret/", key: "k", mountRequirement: "FILE" },
          "azure file",
          `${D}/mysecret`
        ],
        [{ key: "api-key", mountRequirement: "FILE" }, "key-only kubernetes file", `${D}/${md5["api-key"]}/api-key`]
      ]
      for (const [request, value, location] of cases) {
        assert.strictEqual(yield* manager.get(flyte2(request)), value, JSON.stringify(request))
        assert.strictEqual((yield* manager.locate(flyte2(request))).location, location, JSON.stringify(request))
      }
    }))
})

describe("Flyte 2 precedence", () => {
  it.effect("the declared variable, then the grouped variable, then the files, then the embedded name", () =>
    Effect.gen(function*() {
      const all = {
        env: { DECLARED: "declared", _UNION_G_K: "grouped", _UNION_K: "embedded" },
        files: { [`${D}/k`]: "embedded file", [`${D}/g/k`]: "group file" }
      }
      const request = flyte2({ group: "g", key: "k", envVar: "DECLARED" })
      assert.strictEqual(yield* (yield* managerOf(all)).get(request), "declared")
      const { DECLARED: _declared, ...withoutDeclared } = all.env
      assert.strictEqual(yield* (yield* managerOf({ ...all, env: withoutDeclared })).get(request), "grouped")
      assert.strictEqual(
        yield* (yield* managerOf({ ...all, env: { _UNION_K: "embedded" } })).get(request),
        "embedded file"
      )
      const groupFileOnly = { env: { _UNION_K: "embedded" }, files: { [`${D}/g/k`]: "group file" } }
      assert.strictEqual(yield* (yield* managerOf(groupFileOnly)).get(request), "group file")
      // `P + UPPER(K)` only without a declared variable, and after every file.
      assert.strictEqual(
        yield* (yield* managerOf(groupFileOnly)).get(flyte2({ group: "g", key: "k" })),
        "group file"
      )
      assert.strictEqual(
        yield* (yield* managerOf({ env: { _UNION_K: "embedded" } })).get(flyte2({ group: "g", key: "k" })),
        "embedded"
      )
      yield* expectMiss((yield* managerOf({ env: { _UNION_K: "embedded" } })).get(request))
    }))

  it.effect("a key-only secret never takes another secret's grouped variable before its own file", () =>
    Effect.gen(function*() {
      // `openai`/`api_key` injected by the Global backend spells `_UNION_OPENAI_API_KEY`, which is also what Embedded
      // would write for a key-only `openai_api_key`: that key's own file comes first.
      const manager = yield* managerOf({
        env: { _UNION_OPENAI_API_KEY: "the grouped secret" },
        files: { [`${D}/openai_api_key`]: "the key-only secret" }
      })
      assert.strictEqual(yield* manager.get(flyte2({ key: "openai_api_key" })), "the key-only secret")
      assert.strictEqual(yield* manager.get(flyte2({ group: "openai", key: "api_key" })), "the grouped secret")
    }))

  it.effect("D/K that is a directory (a group's) is passed over, not refused", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({ files: { [`${D}/db/db`]: "in the group", [`${D}/db/other`]: "x" } })
      assert.strictEqual(yield* manager.get(flyte2({ group: "db", key: "db" })), "in the group")
      const error = yield* expectMiss(manager.get(flyte2({ key: "db" })))
      assert.strictEqual(error.reason, "NotFound")
      assert.include(error.attempts.find((attempt) => attempt.location === `${D}/db`)!.reason, "a group's")
    }))

  it.effect("a FILE secret's declared variable is not read: Embedded announces D/lower(K), another key's file", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({
        env: { ANNOUNCED: `${D}/mykey` },
        files: { [`${D}/mykey`]: "the other secret", [`${D}/MyKey`]: "this secret" }
      })
      const request = flyte2({ key: "MyKey", mountRequirement: "FILE", envVar: "ANNOUNCED" })
      assert.strictEqual(yield* manager.get(request), "this secret")
      const other = yield* managerOf({ env: { ANNOUNCED: `${D}/mykey` }, files: { [`${D}/mykey`]: "other" } })
      assert.notInclude(locations(yield* expectMiss(other.get(request))), `${D}/mykey`)
    }))
})

describe("Flyte 2 prefix and directory", () => {
  it.effect("P is FLYTE_SECRETS_ENV_PREFIX when set, else _UNION_", () =>
    Effect.gen(function*() {
      const env = { _UNION_G_K: "union", _CUSTOM_G_K: "custom", _UNION_ONLY: "union key" }
      assert.strictEqual(yield* (yield* managerOf({ env })).get(flyte2({ group: "g", key: "k" })), "union")
      const custom = yield* managerOf({ env: { ...env, FLYTE_SECRETS_ENV_PREFIX: "_CUSTOM_" } })
      assert.strictEqual(yield* custom.get(flyte2({ group: "g", key: "k" })), "custom")
      assert.include(locations(yield* expectMiss(custom.get(flyte2({ key: "only" })))), "_CUSTOM_ONLY")
    }))

  it.effect("the prefix keeps its case in P + UPPER(K) and is upper-cased in UPPER(P + G + _ + K)", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({
        env: { FLYTE_SECRETS_ENV_PREFIX: "pre_", PRE_G_K: "grouped", pre_KEY: "embedded" }
      })
      assert.strictEqual(yield* manager.get(flyte2({ group: "g", key: "k" })), "grouped")
      assert.strictEqual(yield* manager.get(flyte2({ key: "key" })), "embedded")
    }))

  it.effect("D is FLYTE_SECRETS_DEFAULT_DIR when set, else /etc/flyte/secrets (files outside it never read)", () =>
    Effect.gen(function*() {
      const files = { "/srv/secrets/g/k": "configured", [`${D}/g/k`]: "default", "/etc/secrets/g/k": "flyte 1" }
      assert.strictEqual(yield* (yield* managerOf({ files })).get(flyte2({ group: "g", key: "k" })), "default")
      const configured = yield* managerOf({ files, env: { FLYTE_SECRETS_DEFAULT_DIR: "/srv/secrets" } })
      assert.strictEqual(yield* configured.get(flyte2({ group: "g", key: "k" })), "configured")
      assert.strictEqual(yield* configured.getPath(flyte2({ group: "g", key: "k" })), "/srv/secrets/g/k")
    }))
})

describe("Flyte 2 values are exact", () => {
  it.effect("variables and files are never stripped, file newlines are kept, a BOM is kept", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({
        env: { _UNION_G_ENV: "  spaced value\n", EMPTY: "" },
        files: { [`${D}/g/file`]: "\r\n line one\r\nline two\r \t\n", [`${D}/g/bom`]: "\ufeffwith bom\n" }
      })
      assert.strictEqual(yield* manager.get(flyte2({ group: "g", key: "env" })), "  spaced value\n")
      assert.strictEqual(yield* manager.get(flyte2({ group: "g", key: "file" })), "\r\n line one\r\nline two\r \t\n")
      assert.strictEqual(yield* manager.get(flyte2({ group: "g", key: "bom" })), "\ufeffwith bom\n")
      assert.strictEqual(yield* manager.get(flyte2({ key: "x", envVar: "EMPTY", mountRequirement: "ENV_VAR" })), "")
      const redacted = yield* manager.getRedacted(flyte2({ group: "g", key: "env" }))
      assert.strictEqual(Redacted.value(redacted), "  spaced value\n")
    }))

  it.effect("rb gives a file's exact bytes and a variable's exact UTF-8 bytes; text that is not UTF-8 is refused", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array([0, 0xff, 0xfe, 10, 13, 32])
      const manager = yield* managerOf({
        env: { _UNION_G_ENV: " é\n" },
        files: { [`${D}/g/bin`]: bytes }
      })
      assert.deepStrictEqual(yield* manager.get(flyte2({ group: "g", key: "bin", encodeMode: "rb" })), bytes)
      assert.deepStrictEqual(
        yield* manager.get(flyte2({ group: "g", key: "env", encodeMode: "rb" })),
        encoder.encode(" é\n")
      )
      const error = yield* expectMiss(manager.get(flyte2({ group: "g", key: "bin" })))
      assert.strictEqual(error.reason, "Refused")
      assert.include(error.attempts.find((attempt) => attempt.outcome === "refused")!.reason, "encodeMode: \"rb\"")
    }))

  it.effect("a request spread from a Flyte 2 declaration keeps its origin", () =>
    Effect.gen(function*() {
      const declared = Object.freeze(flyte2({ key: "Token", mountRequirement: "FILE" }))
      const manager = yield* managerOf({ files: { [`${D}/Token`]: "exact\n" } })
      assert.deepStrictEqual(yield* manager.get({ ...declared, encodeMode: "rb" }), encoder.encode("exact\n"))
      assert.strictEqual(yield* manager.get({ ...declared }), "exact\n")
    }))
})

describe("origins never share places", () => {
  it.effect("a Flyte 2 request reads no Flyte 1 place", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({
        env: {
          FLYTE_INTERNAL_EXECUTION_ID: "",
          FLYTE_SECRETS_DB_PASSWORD: "flyte 1 prefixed",
          DB_PASSWORD: "flyte 1 local",
          _UNION_MY_GROUP_K: "not the shell-safe spelling"
        },
        files: { "/etc/secrets/db/password": "flyte 1 file", [`${D}/my_group/k`]: "spelt otherwise" }
      })
      const error = yield* expectMiss(manager.get(flyte2({ group: "db", key: "password" })))
      assert.deepStrictEqual(new Set(error.attempts.map((attempt) => attempt.source)), new Set(["env", "file"]))
      for (const location of locations(error)) {
        assert.isTrue(location.startsWith("_UNION_") || location.startsWith(D), location)
      }
      yield* expectMiss(manager.get(flyte2({ group: "my-group", key: "k" })))
    }))

  it.effect("a Flyte 1 request reads no Flyte 2 place", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({
        env: { [`_UNION_${md5["db_password"].toUpperCase()}_DB_PASSWORD`]: "flyte 2", _UNION_DB_PASSWORD: "flyte 2" },
        files: { [`${D}/Token`]: "flyte 2 file", [`${D}/${md5["db_password"]}/db_password`]: "flyte 2 file" }
      })
      for (const request of [{ key: "db_password" }, { group: "db", key: "password" }, { key: "Token" }]) {
        const error = yield* expectMiss(manager.get(request))
        for (const location of locations(error)) assert.notInclude(location, "UNION", location)
        for (const location of locations(error)) assert.isFalse(location.startsWith(D), location)
      }
    }))

  it.effect("a Flyte 1 miss on a _UNION_ pod says the pod looks like Flyte 2's and how to declare it", () =>
    Effect.gen(function*() {
      const pod = yield* managerOf({ env: { FLYTE_SECRETS_ENV_PREFIX: "_UNION_" } })
      const grouped = yield* expectMiss(pod.get({ group: "openai", key: "api-key" }))
      assert.include(grouped.message, "looks like a Flyte 2 pod")
      assert.include(grouped.message, `Secret.flyte2({ key: "api-key", group: "openai" })`)
      assert.include((yield* expectMiss(pod.get({ key: "token" }))).message, `Secret.flyte2("token")`)
      const flyte1Pod = yield* managerOf({ env: { FLYTE_SECRETS_ENV_PREFIX: "_FSEC_" } })
      assert.notInclude((yield* expectMiss(flyte1Pod.get({ key: "token" }))).message, "Flyte 2")
      assert.notInclude((yield* expectMiss(pod.get(flyte2({ key: "token" })))).message, "looks like a Flyte 2 pod")
    }))
})

describe("Flyte 2 names", () => {
  it.effect("names that could leave the directory or forge text are refused before anything is read", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({ files: { "/etc/flyte/x": "PLANTED", [`${D}/a/x`]: "PLANTED" } })
      const refused: ReadonlyArray<SecretRequest> = [
        { key: ".." },
        { key: "." },
        { key: "a/x" },
        { key: "a\\x" },
        { key: "k\u202e" },
        { key: "k\n" },
        { key: "k".repeat(254) },
        { group: "..", key: "x" },
        { group: ".", key: "x" },
        { group: "a\u0000", key: "x" },
        { group: "https://v.vault.azure.net/secrets/n\u200b", key: "x" },
        { group: "g", key: "x", groupVersion: "v1" },
        { group: "g" }
      ]
      for (const request of [...refused.map(flyte2), { key: "x", origin: "flyte3" as "flyte2" }]) {
        const error = yield* expectMiss(manager.get(request))
        assert.strictEqual(error.reason, "InvalidRequest", JSON.stringify(request))
        assert.notInclude(visibleTexts(error), "PLANTED")
      }
    }))

  it.effect("origin is read as an own property: a polluted prototype cannot move a request to Flyte 2", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({ env: { FLYTE_SECRETS_G_K: "flyte 1", _UNION_G_K: "flyte 2" } })
      const prototype = Object.prototype as { origin?: string }
      prototype.origin = "flyte2"
      const read = yield* Effect.ensuring(
        manager.get({ group: "g", key: "k" }),
        Effect.sync(() => delete prototype.origin)
      )
      assert.strictEqual(read, "flyte 1")
      assert.strictEqual(yield* manager.get({ group: "g", key: "k", origin: undefined }), "flyte 1")
    }))

  it.effect("a group holding '/' builds only paths whose every segment is a safe name", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({ files: { [`${D}/secret/data/app/k`]: "vault path", [`${D}/x`]: "x" } })
      assert.strictEqual(yield* manager.get(flyte2({ group: "secret/data/app", key: "k" })), "vault path")
      const error = yield* expectMiss(manager.get(flyte2({ group: "a/../../etc", key: "k", mountRequirement: "FILE" })))
      // Not a Key Vault URI: no Azure place `D/etc` (Embedded's file for key "etc").
      assert.deepStrictEqual(locations(error), [`${D}/k`])
      const uri = yield* expectMiss(manager.get(flyte2({ group: "https://v/secrets/..", key: "k" })))
      const paths = locations(uri).filter((location) => location.startsWith("/"))
      assert.deepStrictEqual(paths, [`${D}/k`], "a path built from a '..' segment")
    }))

  it.effect("md5hex is of the key's UTF-8 bytes, and case follows Go's one-code-point mapping", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({
        env: { [`_UNION_${md5["clé"].toUpperCase()}_CLÉ`]: "accented" },
        files: { [`${D}/${md5["日本"]}/日本`]: "cjk", [`${D}/straße/straße`]: "go lower" }
      })
      assert.strictEqual(yield* manager.get(flyte2({ key: "clé" })), "accented")
      assert.strictEqual(yield* manager.get(flyte2({ key: "日本" })), "cjk")
      // Go keeps "ß" (no one-code-point upper case), where JavaScript's toUpperCase gives "SS".
      const go = yield* managerOf({ env: { "_UNION_STRAßE_K": "go upper" } })
      assert.strictEqual(yield* go.get(flyte2({ group: "straße", key: "k" })), "go upper")
      assert.strictEqual(yield* manager.get(flyte2({ group: "STRAßE", key: "Straße" })), "go lower")
    }))

  it.effect("Azure: N is the last segment of the vault URI, trailing slashes dropped, lower-cased", () =>
    Effect.gen(function*() {
      const manager = yield* managerOf({ files: { [`${D}/dbpassword`]: "from key vault" } })
      for (
        const group of [
          "https://my.vault.azure.net/secrets/DbPassword",
          "https://my.vault.azure.net/secrets/DbPassword//"
        ]
      ) {
        assert.strictEqual(
          yield* manager.get(flyte2({ group, key: "any", mountRequirement: "FILE" })),
          "from key vault"
        )
      }
      const noSlash = yield* expectMiss(manager.get(flyte2({ group: "DbPassword", key: "any" })))
      assert.notInclude(locations(noSlash), `${D}/dbpassword`)
    }))
})

describe("Flyte 2 through every operation", () => {
  it.effect("getPath, locate, getRedacted, watch and the facade's get", () =>
    Effect.gen(function*() {
      const options = { env: { _UNION_G_ENV: " env " }, files: { [`${D}/g/file`]: " file " } }
      const manager = yield* managerOf(options)
      assert.strictEqual(yield* manager.getPath(flyte2({ group: "g", key: "file" })), `${D}/g/file`)
      assert.deepStrictEqual(
        { ...(yield* manager.locate(flyte2({ group: "g", key: "env" }))), tried: [] },
        { source: "env", location: "_UNION_G_ENV", tried: [] }
      )
      assert.strictEqual(Redacted.value(yield* manager.getRedacted(flyte2({ group: "g", key: "file" }))), " file ")
      const first = yield* Stream.runHead(manager.watch(flyte2({ group: "g", key: "file" })))
      assert.deepStrictEqual(first._tag === "Some" ? first.value : undefined, " file ")
      const facade = makeSecrets(SecretsManager.layerTest(options))
      assert.strictEqual(facade.get(flyte2({ group: "g", key: "env" })), " env ")
      assert.strictEqual(facade.getPath(flyte2({ group: "g", key: "file" })), `${D}/g/file`)
      assert.include(String(thrownBy(() => facade.get(flyte2({ key: "absent" })))), "_UNION_ABSENT")
    }))
})

describe("Flyte 2 under the cache", () => {
  it.effect("a Flyte 1 and a Flyte 2 request for the same names are cached apart", () =>
    Effect.gen(function*() {
      const options = { env: { FLYTE_SECRETS_G_K: "flyte 1", _UNION_G_K: "flyte 2" } }
      const layer = SecretsCache.layer().pipe(Layer.provide(SecretsManager.layerTest(options)))
      const manager = yield* Effect.provide(SecretsManager.use(Effect.succeed), layer)
      assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "flyte 1")
      assert.strictEqual(yield* manager.get(flyte2({ group: "g", key: "k" })), "flyte 2")
      assert.strictEqual(yield* manager.get({ group: "g", key: "k", origin: "flyte1" }), "flyte 1")
      assert.strictEqual((yield* manager.locate(flyte2({ group: "g", key: "k" }))).location, "_UNION_G_K")
    }))
})

describe("each Flyte 2 backend's layout, written by hand as the webhook lays it out, is found with its exact value", () => {
  const dirs = useSecretsDir({ FLYTE_SECRETS_ENV_PREFIX: undefined, FLYTE_INTERNAL_EXECUTION_ID: "exec-1" })
  const value = "  exact: value\nwith a second line\n"

  /** The live layer over `process.env` with `env` set (what the webhook prepended) and D the temp secrets folder. */
  const pod = (env: Readonly<Record<string, string>>) => {
    setEnv(env)
    return Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer)
  }
  const fileAt = (relative: string, content: string | Uint8Array = value) => {
    fs.mkdirSync(path.dirname(path.join(dirs.secrets, relative)), { recursive: true })
    fs.writeFileSync(path.join(dirs.secrets, relative), content)
  }
  // What the webhook adds beside a file secret, and beside an env secret.
  const fileEnv = () => ({ FLYTE_SECRETS_FILE_PREFIX: "", FLYTE_SECRETS_DEFAULT_DIR: dirs.secrets })
  const envEnv = (prefix = "_UNION_") => ({ FLYTE_SECRETS_ENV_PREFIX: prefix })

  it.effect("Embedded ENV_VAR: the declared variable, or P + UPPER(K) without one", () =>
    Effect.gen(function*() {
      const manager = yield* pod({ MY_API_KEY: value, "_UNION_OTHER-KEY": value, ...envEnv() })
      const sdk = flyte2({ key: "my-api-key", mountRequirement: "ENV_VAR", envVar: "MY_API_KEY" })
      assert.strictEqual(yield* manager.get(sdk), value)
      assert.strictEqual(yield* manager.get(flyte2({ key: "other-key", mountRequirement: "ENV_VAR" })), value)
    }))

  it.effect("Embedded FILE: D/K with the key's case, exact bytes (the init container's base64 decoded)", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array([0x7b, 0x0d, 0x0a, 0xff, 0x00])
      fileAt("Service-Account.json", bytes)
      fileAt("notes", value)
      const manager = yield* pod(fileEnv())
      const request = flyte2({ key: "Service-Account.json", mountRequirement: "FILE" })
      assert.deepStrictEqual(yield* manager.get({ ...request, encodeMode: "rb" }), bytes)
      assert.strictEqual(yield* manager.getPath(request), path.join(dirs.secrets, "Service-Account.json"))
      assert.strictEqual(yield* manager.get(flyte2({ key: "notes", mountRequirement: "FILE" })), value)
    }))

  it.effect("K8s ENV_VAR: the declared variable and UPPER(P + G' + _ + K), G' = md5hex(K) for a key-only secret", () =>
    Effect.gen(function*() {
      const keyOnly = `_UNION_${md5["db_password"].toUpperCase()}_DB_PASSWORD`
      const manager = yield* pod({ "_UNION_OPENAI_API-KEY": value, [keyOnly]: value, ...envEnv() })
      assert.strictEqual(
        yield* manager.get(flyte2({ group: "openai", key: "api-key", mountRequirement: "ENV_VAR" })),
        value
      )
      assert.strictEqual(
        yield* manager.get(flyte2({ group: "openai", key: "api-key", mountRequirement: "ENV_VAR", envVar: "ABSENT" })),
        value
      )
      assert.strictEqual(yield* manager.get(flyte2({ key: "db_password", mountRequirement: "ENV_VAR" })), value)
    }))

  it.effect("K8s FILE: the kubelet's volume at D/lower(G')/lower(K), rotation included", () =>
    Effect.gen(function*() {
      const volume = makeKubeletVolume(path.join(dirs.secrets, "my-creds"), { "token.json": value })
      makeKubeletVolume(path.join(dirs.secrets, md5["api-key"]), { "api-key": value })
      const manager = yield* pod(fileEnv())
      const request = flyte2({ group: "My-Creds", key: "Token.JSON", mountRequirement: "FILE" })
      assert.strictEqual(yield* manager.get(request), value)
      volume.publish({ "token.json": "rotated" })
      assert.strictEqual(yield* manager.get(request), "rotated")
      assert.strictEqual(yield* manager.get(flyte2({ key: "api-key", mountRequirement: "FILE" })), value)
    }))

  it.effect("Global ENV_VAR: UPPER(P + G + _ + K), also under a custom secretEnvVarPrefix", () =>
    Effect.gen(function*() {
      const manager = yield* pod({ _ACME_SHARED_TOKEN: value, ...envEnv("_ACME_") })
      assert.strictEqual(
        yield* manager.get(flyte2({ group: "shared", key: "token", mountRequirement: "ENV_VAR" })),
        value
      )
    }))

  it.effect("AWS FILE: D/lower(G)/lower(K), an ARN as the group", () =>
    Effect.gen(function*() {
      const group = "arn:aws:secretsmanager:us-east-1:123456789012:secret"
      fileAt(`${group}/prod-db-abcdef`)
      const manager = yield* pod(fileEnv())
      assert.strictEqual(yield* manager.get(flyte2({ group, key: "Prod-DB-AbCdEf", mountRequirement: "FILE" })), value)
    }))

  it.effect("Azure FILE: D/lower(N), N the vault URI's last segment", () =>
    Effect.gen(function*() {
      fileAt("dbpassword")
      const manager = yield* pod(fileEnv())
      const group = "https://my-vault.vault.azure.net/secrets/DbPassword"
      assert.strictEqual(yield* manager.get(flyte2({ group, key: "value", mountRequirement: "FILE" })), value)
    }))

  it.live("watch follows a Flyte 2 file through the kubelet's swaps by its directory watch, not the poll", () =>
    Effect.gen(function*() {
      // A key-only secret's volume, `D/md5hex(K)`: no Flyte 1 path leads there.
      const volume = makeKubeletVolume(path.join(dirs.secrets, md5["api-key"]), { "api-key": "v1" })
      const manager = yield* pod(fileEnv())
      const values = yield* Queue.unbounded<string | Uint8Array, SecretNotFound | Cause.Done>()
      const request = flyte2({ key: "api-key", mountRequirement: "FILE" })
      yield* Effect.forkScoped(Stream.runIntoQueue(manager.watch(request, { pollInterval: "1 hour" }), values))
      const next = Effect.timeout(Queue.take(values), "5 seconds")
      assert.strictEqual(yield* next, "v1")
      for (const value of ["v2", " v3\n"]) {
        volume.publish({ "api-key": value })
        assert.strictEqual(yield* next, value)
      }
    }).pipe(Effect.scoped))

  it.effect("Vault FILE: D/G/K with the case kept", () =>
    Effect.gen(function*() {
      fileAt("MyVault/Api_Token")
      const manager = yield* pod(fileEnv())
      assert.strictEqual(
        yield* manager.get(flyte2({ group: "MyVault", key: "Api_Token", mountRequirement: "FILE" })),
        value
      )
    }))
})
