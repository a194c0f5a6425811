import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  Environment,
  isTask,
  MissingSecrets,
  Secret,
  type SecretInput,
  SecretNotFound,
  type SecretRequest,
  SecretsCache,
  SecretsConfig,
  SecretsManager,
  task
} from "../src/index.ts"
import { setEnv, thrownBy, useSecretsDir, writeFiles } from "./support.ts"

const failureOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    assert.isTrue(Exit.isFailure(exit), "expected a failure")
    return Exit.isFailure(exit)
      ? exit.cause.reasons.map((reason) => reason._tag === "Fail" ? reason.error : reason)[0]
      : undefined
  })

describe("task definition", () => {
  it("decodes plain objects into Secret and keeps Secret values", () => {
    const declared = new Secret({ group: "a", key: "k" })
    const t = task(
      { name: "t", secretRequests: [declared, { group: "b", key: "k", mountRequirement: "FILE" }] },
      () => Effect.void
    )
    assert.strictEqual(t.name, "t")
    assert.strictEqual(t.secretRequests[0], declared)
    assert.instanceOf(t.secretRequests[1], Secret)
    assert.strictEqual(t.secretRequests[1]?.mountRequirement, "FILE")
  })

  it("throws at definition for a declaration that is not an object, a bad envVar or an unsafe name", () => {
    const define = (request: unknown) => () =>
      task({ name: "t", secretRequests: [request as Secret] }, () => Effect.void)
    assert.include(
      (thrownBy(define("nope")) as Error).message,
      "secretRequests[0] is invalid: a declaration must be an object"
    )
    assert.include(
      (thrownBy(define({ group: "g", envVar: "bad-name" })) as Error).message,
      "Invalid environment variable name: bad-name"
    )
    assert.include((thrownBy(define({ group: "../etc", key: "k" })) as Error).message, "unsafe name")
    assert.include(
      (thrownBy(() => task({ name: "", secretRequests: [] }, () => Effect.void)) as Error).message,
      "needs a name"
    )
    // A task's name is printed in errors, logs and span attributes: nothing in it may forge or hide text.
    for (const name of ["a\nb", "a\u202eb", "a\u3164b", "a\u2028b"]) {
      const definitions = [
        () => task({ name, secretRequests: [] }, () => Effect.void),
        () => task.sync({ name, secretRequests: [] }, () => 1)
      ]
      for (const define of definitions) {
        const error = thrownBy(define) as Error
        assert.instanceOf(error, TypeError, JSON.stringify(name))
        assert.include(error.message, "may not hold a control, format, separator or invisible character")
        assert.notInclude(error.message, name, "the name is shown escaped")
      }
    }
  })

  it("throws at definition for two secrets injected as one variable: reading one would give the other's value", () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<Secret | SecretInput>, string]> = [
      [[Secret.flyte2("A"), Secret.flyte2("a")], "secretRequests[0] (key \"A\") and secretRequests[1] (key \"a\")"],
      [[Secret.flyte2("a-b"), Secret.flyte2("a_b")], "the variable A_B"],
      [[{ group: "g", key: "a", envVar: "TOKEN" }, { group: "h", key: "b", envVar: "TOKEN" }], "the variable TOKEN"]
    ]
    for (const [secretRequests, message] of cases) {
      const error = thrownBy(() => task({ name: "t", secretRequests }, () => Effect.void)) as Error
      assert.instanceOf(error, TypeError)
      assert.include(error.message, message)
      assert.include(error.message, "holds one value")
    }
    // One secret declared twice, or once per version, is one value: accepted.
    task({
      name: "t",
      secretRequests: [
        { group: "g", key: "k", envVar: "TOKEN" },
        { group: "g", key: "k", groupVersion: "v1", envVar: "TOKEN" },
        Secret.flyte2({ key: "x", asEnvVar: "X" }),
        Secret.flyte2({ key: "x", asEnvVar: "X" })
      ]
    }, () => Effect.void)
  })

  it("securityContext() is the flyteidl SecurityContext of every declaration", () => {
    const t = task({
      name: "t",
      secretRequests: [
        { group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" },
        { group: "my-certs", key: "tls_cert", mountRequirement: "FILE", envVar: "TLS_CERT_PATH" },
        { group: "db", groupVersion: "v2" }
      ]
    }, () => Effect.void)
    assert.deepStrictEqual(t.securityContext(), {
      secrets: [
        { group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" },
        { group: "my-certs", key: "tls_cert", mountRequirement: "FILE", envVar: "TLS_CERT_PATH" },
        { group: "db", groupVersion: "v2" }
      ]
    })
  })
})

describe("task() with a test layer", () => {
  it.effect("preflight lists every missing secret in one MissingSecrets and the body never runs", () =>
    Effect.gen(function*() {
      let ran = false
      const t = task({
        name: "needs_three",
        secretRequests: [{ group: "present", key: "k" }, { group: "absent-one", key: "k" }, {
          group: "absent-two",
          key: "k"
        }]
      }, () => Effect.sync(() => (ran = true)))
      const error = yield* failureOf(t(undefined))
      assert.instanceOf(error, MissingSecrets)
      const missing = (error as MissingSecrets).missing
      assert.deepStrictEqual(missing.map((m) => m.group), ["absent-one", "absent-two"])
      assert.isFalse(ran)
      const message = (error as MissingSecrets).message
      assert.include(message, "needs_three")
      assert.include(message, "FLYTE_SECRETS_ABSENT-ONE_K")
      // The test layer has no /etc/secrets: that is said once, at the directory.
      assert.include(message, "file /etc/secrets: the secrets directory does not exist")
      assert.notInclude(message, "present-value")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_PRESENT_K: "present-value" } }))))

  it.effect("preflight passes binary file secrets and the body runs", () =>
    Effect.gen(function*() {
      const t = task(
        { name: "binary", secretRequests: [{ group: "certs", key: "der", mountRequirement: "FILE" }] },
        () => SecretsManager.use((m) => m.get({ group: "certs", key: "der", encodeMode: "rb" }))
      )
      assert.deepStrictEqual(yield* t(undefined), new Uint8Array([0xff, 0x00, 0xfe]))
    }).pipe(
      Effect.provide(
        SecretsManager.layerTest({ files: { "/etc/secrets/certs/der": new Uint8Array([0xff, 0x00, 0xfe]) } })
      )
    ))

  it.effect("preflight: false runs the body with secrets missing", () =>
    Effect.gen(function*() {
      const t = task({ name: "t", secretRequests: [{ group: "absent", key: "k" }], preflight: false }, (n: number) =>
        Effect.succeed(n + 1))
      assert.strictEqual(yield* t(1), 2)
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("one task run against two managers reads each run through the manager it runs against", () =>
    Effect.gen(function*() {
      const t = task(
        { name: "t", secretRequests: [{ group: "db", key: "password" }] },
        () => SecretsManager.use((manager) => manager.get({ group: "db", key: "password" }))
      )
      const withValue = SecretsManager.layerTest({ env: { FLYTE_SECRETS_DB_PASSWORD: "first" } })
      const other = SecretsManager.layerTest({ env: { FLYTE_SECRETS_DB_PASSWORD: "second" } })
      const without = SecretsManager.layerTest()
      assert.strictEqual(yield* Effect.provide(t(), withValue), "first")
      assert.instanceOf(yield* failureOf(Effect.provide(t(), without)), MissingSecrets)
      assert.strictEqual(yield* Effect.provide(t(), other), "second")
      assert.strictEqual(yield* Effect.provide(t(), withValue), "first")
    }))

  it.effect("misses answered at once and misses answered later are listed in declared order", () =>
    Effect.gen(function*() {
      const base = yield* SecretsManager
      // Groups named "later" answer after a yield; the others at once (their lookup is done when it is made).
      const mixed = Layer.succeed(SecretsManager, {
        ...base,
        locate: (request) =>
          request.group === "later"
            ? Effect.flatMap(Effect.yieldNow, () => base.locate(request))
            : Effect.runSyncExit(base.locate(request))
      })
      const t = task({
        name: "mixed",
        secretRequests: [
          { group: "later", key: "one" },
          { group: "now", key: "two" },
          { group: "found", key: "k" },
          { group: "later", key: "three" },
          { group: "now", key: "four" }
        ]
      }, () => Effect.void)
      const error = yield* failureOf(Effect.provide(t(), mixed))
      assert.instanceOf(error, MissingSecrets)
      assert.deepStrictEqual((error as MissingSecrets).missing.map((miss) => miss.key), ["one", "two", "three", "four"])
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_FOUND_K: "v" } }))))

  it.effect("a lookup that dies fails the preflight with its defect, not as a missing secret", () =>
    Effect.gen(function*() {
      const base = yield* SecretsManager
      const dying = Layer.succeed(SecretsManager, { ...base, locate: () => Effect.die("locate broke") })
      const t = task(
        { name: "t", secretRequests: [{ group: "a", key: "k" }, { group: "b", key: "k" }] },
        () => Effect.void
      )
      const exit = yield* Effect.exit(Effect.provide(t(), dying))
      assert.isTrue(Exit.hasDies(exit))
      assert.isFalse(Exit.hasFails(exit))
    }).pipe(Effect.provide(SecretsManager.layerTest())))

  it.effect("a request naming only group and key uses the declared envVar: ENV_VAR holds the value", () =>
    Effect.gen(function*() {
      const t = task({
        name: "t",
        secretRequests: [{
          group: "my-api-keys",
          key: "github_token",
          mountRequirement: "ENV_VAR",
          envVar: "GITHUB_TOKEN"
        }]
      }, () => SecretsManager.use((m) => m.get({ group: "my-api-keys", key: "github_token" })))
      assert.strictEqual(yield* t(undefined), "declared-token")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { GITHUB_TOKEN: "declared-token" } }))))

  it.effect("a request naming only group and key uses the declared envVar: FILE holds the path", () =>
    Effect.gen(function*() {
      const t = task(
        {
          name: "t",
          secretRequests: [{ group: "my-certs", key: "tls_cert", mountRequirement: "FILE", envVar: "TLS_CERT_PATH" }]
        },
        () =>
          SecretsManager.use((m) =>
            Effect.all([
              m.get({ group: "my-certs", key: "tls_cert" }),
              m.getPath({ group: "my-certs", key: "tls_cert" })
            ])
          )
      )
      assert.deepStrictEqual(yield* t(undefined), ["CERT", "/run/certs/tls.pem"])
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { TLS_CERT_PATH: "/run/certs/tls.pem" },
      files: { "/run/certs/tls.pem": "CERT\n" }
    }))))

  it.effect("strict mode refuses an undeclared secret with the declaration to add", () =>
    Effect.gen(function*() {
      const t = task({ name: "strict_task", secretRequests: [{ group: "declared", key: "k" }], strict: true }, () =>
        SecretsManager.use((m) => m.get({ group: "other", key: "k" })))
      const error = yield* failureOf(t(undefined))
      assert.instanceOf(error, SecretNotFound)
      const attempt = (error as SecretNotFound).attempts[0]
      assert.strictEqual(attempt?.source, "declaration")
      assert.include(attempt?.reason ?? "", "not declared")
      assert.strictEqual((error as SecretNotFound).reason, "Undeclared")
      const message = (error as SecretNotFound).message
      assert.include(message, "new Secret({ group: \"other\", key: \"k\" })")
      // The advice is given once.
      assert.strictEqual(message.split("secretRequests").length, 2)
    }).pipe(
      Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_DECLARED_K: "d", FLYTE_SECRETS_OTHER_K: "o" } }))
    ))

  it.effect("lenient by default: an undeclared secret is read normally", () =>
    Effect.gen(function*() {
      const t = task({ name: "t", secretRequests: [] }, () =>
        SecretsManager.use((m) => m.get({ group: "other", key: "k" })))
      assert.strictEqual(yield* t(undefined), "o")
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { FLYTE_SECRETS_OTHER_K: "o" } }))))
})

describe("tasks on the live layer", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: "exec-1" })

  it.effect("preflight lists missing secrets on disk and in the environment; the body never runs", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "db/password": "pw" })
      let ran = false
      const t = task({
        name: "etl",
        secretRequests: [{ group: "db", key: "password" }, { group: "aws", key: "access_key" }, {
          group: "aws",
          key: "secret_key"
        }]
      }, () => Effect.sync(() => (ran = true)))
      const error = yield* failureOf(Effect.provide(t(undefined), SecretsManager.layer))
      assert.instanceOf(error, MissingSecrets)
      assert.deepStrictEqual((error as MissingSecrets).missing.map((m) => m.key), ["access_key", "secret_key"])
      assert.include((error as MissingSecrets).message, path.join(dirs.secrets, "aws/secret_key"))
      assert.isFalse(ran)
    }))

  it.effect("a preflight over a file system that answers later lists its misses in declared order", () => {
    writeFiles(dirs.secrets, { "found/file": "f" })
    setEnv({ FLYTE_SECRETS_FOUND_VAR: "v", UNSET_TOKEN: undefined })
    // Its files answer later; a variable answers at once: misses of both kinds, between secrets found.
    const asynchronous = SecretsManager.layerNoDeps.pipe(
      Layer.provide([SecretsConfig.layer, Environment.layer, NodeFileSystem.layer])
    )
    const t = task({
      name: "mixed",
      secretRequests: [
        { group: "absent", key: "first" },
        { group: "found", key: "var" },
        { group: "env", key: "only", mountRequirement: "ENV_VAR", envVar: "UNSET_TOKEN" },
        { group: "found", key: "file" },
        { group: "absent", key: "last" }
      ]
    }, () => Effect.void)
    return Effect.gen(function*() {
      const error = yield* failureOf(t())
      assert.instanceOf(error, MissingSecrets)
      assert.deepStrictEqual(
        (error as MissingSecrets).missing.map((miss) => [miss.group, miss.key, miss.task]),
        [["absent", "first", "mixed"], ["env", "only", "mixed"], ["absent", "last", "mixed"]]
      )
      writeFiles(dirs.secrets, { "absent/first": "1", "absent/last": "2" })
      setEnv({ UNSET_TOKEN: "t" })
      yield* t()
    }).pipe(Effect.provide(asynchronous))
  })

  it.effect("each preflight resolves the secrets directory again: a re-pointed directory link is followed", () => {
    writeFiles(dirs.root, { "v1/db/password": "one", "v2/other/k": "x" })
    const link = path.join(dirs.root, "current")
    fs.symlinkSync(path.join(dirs.root, "v1"), link)
    setEnv({ FLYTE_SECRETS_DEFAULT_DIR: link })
    const t = task({ name: "t", secretRequests: [{ group: "db", key: "password" }] }, () => Effect.void)
    // One manager (one file reader) for every run.
    return Effect.gen(function*() {
      yield* t(undefined)
      // The link now leads to a directory without the secret, and the old one still holds it.
      fs.rmSync(link)
      fs.symlinkSync(path.join(dirs.root, "v2"), link)
      assert.instanceOf(yield* failureOf(t(undefined)), MissingSecrets)
      // A file linked into the old directory is outside the directory the link leads to now.
      fs.symlinkSync(path.join(dirs.root, "v1/db"), path.join(dirs.root, "v2/db"))
      const refused = yield* failureOf(t(undefined))
      assert.instanceOf(refused, MissingSecrets)
      assert.strictEqual((refused as MissingSecrets).missing[0]!.reason, "Refused")
    }).pipe(Effect.provide(SecretsManager.layer))
  })

  it.effect("a preflight checks each file on its own: one linked outside is refused beside good ones", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "a/k": "a", "c/k": "c" })
      writeFiles(dirs.root, { "outside/k": "stolen" })
      fs.mkdirSync(path.join(dirs.secrets, "b"))
      fs.symlinkSync(path.join(dirs.root, "outside/k"), path.join(dirs.secrets, "b/k"))
      const t = task({
        name: "t",
        secretRequests: ["a", "b", "c"].map((group) => ({ group, key: "k" }))
      }, () => Effect.void)
      const error = yield* failureOf(Effect.provide(t(undefined), SecretsManager.layer))
      assert.instanceOf(error, MissingSecrets)
      assert.deepStrictEqual((error as MissingSecrets).missing.map((miss) => [miss.group, miss.reason]), [[
        "b",
        "Refused"
      ]])
    }))

  it.effect("a preflight built once reads when it runs, and again at each run", () =>
    Effect.gen(function*() {
      const t = task({ name: "t", secretRequests: [{ group: "db", key: "password" }] }, () => Effect.void)
      const run = Effect.provide(t(undefined), SecretsManager.layer)
      writeFiles(dirs.secrets, { "db/password": "pw" })
      yield* run
      fs.rmSync(path.join(dirs.secrets, "db/password"))
      assert.instanceOf(yield* failureOf(run), MissingSecrets)
      writeFiles(dirs.secrets, { "db/password": "pw" })
      yield* run
    }))

  it.effect("the body reads again after the preflight: nothing is cached", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "db/password": "before" })
      const t = task({ name: "t", secretRequests: [{ group: "db", key: "password" }] }, () =>
        SecretsManager.use((m) => {
          fs.writeFileSync(path.join(dirs.secrets, "db/password"), "after")
          return m.get({ group: "db", key: "password" })
        }))
      assert.strictEqual(yield* Effect.provide(t(undefined), SecretsManager.layer), "after")
    }))

  it("task.sync reads a hyphenated group by attribute, from a file and from an env var", () => {
    writeFiles(dirs.secrets, { "my-certs/tls_cert": "CERT\n" })
    setEnv({ "FLYTE_SECRETS_MY-API-KEYS_GITHUB_TOKEN": "gh-token" })
    const t = task.sync({
      name: "sync_task",
      secretRequests: [{ group: "my-api-keys", key: "github_token" }, { group: "my-certs", key: "tls_cert" }],
      layer: SecretsManager.layer
    }, (prefix: string, secrets) => `${prefix}:${secrets.my_api_keys.github_token}:${secrets.my_certs.tls_cert}`)
    assert.strictEqual(t("x"), "x:gh-token:CERT")
    assert.strictEqual(t.name, "sync_task")
    assert.strictEqual(t.secretRequests.length, 2)
  })

  it("task.sync throws MissingSecrets before the body runs", () => {
    let ran = false
    const t = task.sync({
      name: "sync_missing",
      secretRequests: [{ group: "absent", key: "one" }, { group: "absent", key: "two" }],
      layer: SecretsManager.layer
    }, () => (ran = true))
    const error = thrownBy(() => t(undefined))
    assert.instanceOf(error, MissingSecrets)
    assert.strictEqual((error as MissingSecrets).missing.length, 2)
    assert.include((error as Error).stack, "Task.test.ts")
    assert.isFalse(ran)
  })

  it("task.sync uses the declared envVar for a FILE secret", () => {
    writeFiles(dirs.secrets, { "mounted/cert.pem": "FROM-PATH" })
    setEnv({ CERT_PATH: path.join(dirs.secrets, "mounted/cert.pem") })
    const t = task.sync({
      name: "t",
      secretRequests: [{ group: "certs", key: "tls", mountRequirement: "FILE", envVar: "CERT_PATH" }],
      layer: SecretsManager.layer
    }, (_: void, secrets) => [secrets.certs.tls, secrets.getPath({ group: "certs", key: "tls" })])
    assert.deepStrictEqual(t(undefined), ["FROM-PATH", path.join(dirs.secrets, "mounted/cert.pem")])
  })
})

describe("a secret declared twice, with two envVars (Flyte injects both variables)", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: "exec-1", TOKEN_A: "a-value", TOKEN_B: "b-value" })
  const twice = [
    { group: "api", key: "token", mountRequirement: "ENV_VAR", envVar: "TOKEN_A" },
    { group: "api", key: "token", mountRequirement: "ENV_VAR", envVar: "TOKEN_B" }
  ] as const
  const read = (request: SecretRequest) =>
    task(
      { name: "twice", secretRequests: twice, strict: true },
      () => SecretsManager.use((m) => m.get(request))
    )

  it.effect("strict: a request naming the second declaration's envVar reads that declaration's variable", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* read({ group: "api", key: "token", envVar: "TOKEN_B" })(), "b-value")
      assert.strictEqual(yield* read({ group: "api", key: "token", envVar: "TOKEN_A" })(), "a-value")
      const both = { group: "api", key: "token", envVar: "TOKEN_B", mountRequirement: "ENV_VAR" } as const
      assert.strictEqual(yield* read(both)(), "b-value")
      assert.strictEqual(yield* read({ group: "api", key: "token" })(), "a-value", "neither named: the first")
    }).pipe(Effect.provide(SecretsManager.layer)))

  it.effect("strict: an envVar neither declaration names is refused as undeclared", () =>
    Effect.gen(function*() {
      setEnv({ TOKEN_C: "c-value" })
      const error = yield* failureOf(read({ group: "api", key: "token", envVar: "TOKEN_C" })())
      assert.instanceOf(error, SecretNotFound)
      assert.strictEqual((error as SecretNotFound).reason, "Undeclared")
      const fileB = { group: "api", key: "token", envVar: "TOKEN_B", mountRequirement: "FILE" } as const
      const other = yield* failureOf(read(fileB)())
      assert.strictEqual((other as SecretNotFound).reason, "Undeclared", "a mount requirement neither declares")
    }).pipe(Effect.provide(SecretsManager.layer)))

  it.effect("not strict: the request is read with the settings of the declaration it names, not the first's", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "mounted/cert.pem": "FROM-FILE" })
      setEnv({ CERT_PATH: path.join(dirs.secrets, "mounted/cert.pem"), CERT_TEXT: "FROM-VARIABLE" })
      const t = task(
        {
          name: "cert_twice",
          secretRequests: [
            { group: "certs", key: "tls", mountRequirement: "FILE", envVar: "CERT_PATH" },
            { group: "certs", key: "tls", mountRequirement: "ENV_VAR", envVar: "CERT_TEXT" }
          ]
        },
        () =>
          SecretsManager.use((m) =>
            Effect.all([
              m.get({ group: "certs", key: "tls", envVar: "CERT_TEXT" }),
              m.get({ group: "certs", key: "tls" })
            ])
          )
      )
      assert.deepStrictEqual(yield* t(), ["FROM-VARIABLE", "FROM-FILE"])
    }).pipe(Effect.provide(SecretsManager.layer)))

  it.effect("under the cache, each declaration's variable is read and held on its own", () =>
    Effect.gen(function*() {
      const cached = SecretsCache.layer().pipe(
        Layer.provide(SecretsManager.layerTest({ env: { TOKEN_A: "cached-a", TOKEN_B: "cached-b" } }))
      )
      const t = task(
        { name: "twice_cached", secretRequests: twice, strict: true },
        () =>
          SecretsManager.use((m) =>
            Effect.all([
              m.get({ group: "api", key: "token", envVar: "TOKEN_B" }),
              m.get({ group: "api", key: "token" }),
              m.get({ group: "api", key: "token", envVar: "TOKEN_B" })
            ])
          )
      )
      assert.deepStrictEqual(yield* Effect.provide(t(), cached), ["cached-b", "cached-a", "cached-b"])
    }))

  it("the facade of a task.sync reads the first declaration", () => {
    const t = task.sync(
      { name: "twice_sync", secretRequests: twice, strict: true, layer: SecretsManager.layer },
      (_: void, secrets) => [secrets.api.token, secrets.get({ group: "api", key: "token", envVar: "TOKEN_B" })]
    )
    assert.deepStrictEqual(t(undefined), ["a-value", "b-value"])
  })

  it("the preflight locates each declaration as declared, strict or not: only a missing second variable is reported", () => {
    for (const strict of [true, false]) {
      const t = task.sync(
        { name: "twice_preflight", secretRequests: twice, strict, layer: SecretsManager.layer },
        () => 1
      )
      assert.strictEqual(t(undefined), 1, "both variables set")
      setEnv({ TOKEN_B: undefined })
      const error = thrownBy(() => t(undefined))
      setEnv({ TOKEN_B: "b-value" })
      assert.instanceOf(error, MissingSecrets)
      const missing = (error as MissingSecrets).missing
      assert.deepStrictEqual(missing.map((miss) => miss.reason), ["NotFound"], `strict: ${strict}`)
      assert.include((error as MissingSecrets).message, "TOKEN_B")
      assert.notInclude((error as MissingSecrets).message, "TOKEN_A")
    }
  })
})

describe("a secret declared with a version and without one", () => {
  useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: "exec-1" })
  // The versioned one first: a request without a version still names the one without.
  const versions = [{ group: "g", key: "k", groupVersion: "v2" }, { group: "g", key: "k" }] as const

  it.effect("a request without a version reads the declaration without one, not the first of the name", () =>
    Effect.gen(function*() {
      setEnv({ FLYTE_SECRETS_G_V2_K: "versioned", FLYTE_SECRETS_G_K: "unversioned" })
      for (const strict of [true, false]) {
        const t = task(
          { name: "versions", secretRequests: versions, strict, preflight: false },
          () =>
            SecretsManager.use((m) =>
              Effect.all([m.get({ group: "g", key: "k" }), m.get(versions[1]), m.get(versions[0])])
            )
        )
        assert.deepStrictEqual(yield* t(), ["unversioned", "unversioned", "versioned"], `strict: ${strict}`)
      }
    }).pipe(Effect.provide(SecretsManager.layer)))

  it("the facade of a task.sync reads the declaration without a version, as get does", () => {
    setEnv({ FLYTE_SECRETS_G_V2_K: "versioned", FLYTE_SECRETS_G_K: "unversioned" })
    for (const strict of [true, false]) {
      const t = task.sync(
        { name: "versions_facade", secretRequests: versions, strict, preflight: false, layer: SecretsManager.layer },
        (_: void, secrets) => secrets.g.k
      )
      assert.strictEqual(t(undefined), "unversioned", `strict: ${strict}`)
    }
    const keyOnly = task.sync({
      name: "versions_key_only",
      secretRequests: [{ key: "k", groupVersion: "v2" }, { key: "k" }],
      preflight: false,
      layer: SecretsManager.layer
    }, (_: void, secrets) => secrets.k)
    setEnv({ FLYTE_SECRETS_V2_K: "versioned", FLYTE_SECRETS_K: "unversioned" })
    assert.strictEqual(keyOnly(undefined), "unversioned")
  })

  it("the facade reads the first declared of two names sharing a spelling; a version orders one name's only", () => {
    // Two groups, one attribute spelling: the versioned one is declared first, so the facade reads it.
    setEnv({ "FLYTE_SECRETS_MY-API-KEYS_V1_K": "dash-versioned", "FLYTE_SECRETS_MY.API.KEYS_K": "dot" })
    const groups = [{ group: "my-api-keys", key: "k", groupVersion: "v1" }, { group: "my.api.keys", key: "k" }] as const
    for (const strict of [true, false]) {
      const t = task.sync(
        { name: "spellings_facade", secretRequests: groups, strict, preflight: false, layer: SecretsManager.layer },
        (_: void, secrets) => secrets.my_api_keys.k
      )
      assert.strictEqual(t(undefined), "dash-versioned", `strict: ${strict}`)
    }
    setEnv({ "FLYTE_SECRETS_V1_API-KEY": "dash-versioned", "FLYTE_SECRETS_API.KEY": "dot" })
    const keyOnly = task.sync({
      name: "spellings_key_only",
      secretRequests: [{ key: "api-key", groupVersion: "v1" }, { key: "api.key" }],
      preflight: false,
      layer: SecretsManager.layer
    }, (_: void, secrets) => secrets.api_key)
    assert.strictEqual(keyOnly(undefined), "dash-versioned")
  })

  it.effect("a Flyte 1 and a Flyte 2 declaration of one name: a request naming its origin reads that one's places", () =>
    Effect.gen(function*() {
      setEnv({ G_K: undefined, FLYTE_SECRETS_G_K: "flyte1-place", _UNION_G_K: "flyte2-place" })
      const flyte1 = new Secret({ group: "g", key: "k", mountRequirement: "ENV_VAR", envVar: "G_K" })
      const flyte2 = Secret.flyte2({ group: "g", key: "k" })
      for (const secretRequests of [[flyte1, flyte2], [flyte2, flyte1]]) {
        for (const strict of [true, false]) {
          const t = task(
            { name: "origins", secretRequests, strict, preflight: false },
            () =>
              SecretsManager.use((m) =>
                Effect.all([
                  m.get(Secret.flyte2({ group: "g", key: "k" })),
                  m.get(new Secret({ group: "g", key: "k", mountRequirement: "ENV_VAR", envVar: "G_K" }))
                ])
              )
          )
          const order = secretRequests[0] === flyte1 ? "Flyte 1 first" : "Flyte 2 first"
          assert.deepStrictEqual(yield* t(), ["flyte2-place", "flyte1-place"], `${order}, strict: ${strict}`)
        }
      }
    }).pipe(Effect.provide(SecretsManager.layer)))

  it("the preflight locates the declaration without a version at its own places", () => {
    setEnv({ FLYTE_SECRETS_G_V2_K: "versioned", FLYTE_SECRETS_G_K: undefined })
    const t = task.sync(
      { name: "versions_preflight", secretRequests: versions, strict: true, layer: SecretsManager.layer },
      () => 1
    )
    const error = thrownBy(() => t(undefined))
    assert.instanceOf(error, MissingSecrets)
    assert.deepStrictEqual((error as MissingSecrets).missing.map((miss) => miss.groupVersion), [undefined])
  })
})

describe("isTask", () => {
  it("tells a task from anything else", () => {
    const effectTask = task({ name: "t", secretRequests: [] }, () => Effect.void)
    const syncTask = task.sync({ name: "s", secretRequests: [] }, () => 1)
    assert.isTrue(isTask(effectTask))
    assert.isTrue(isTask(syncTask))
    for (
      const other of [
        () => 1,
        { name: "t", secretRequests: [] },
        null,
        undefined,
        "task",
        Object.assign(() => 1, { secretRequests: [], securityContext: () => ({ secrets: [] }) })
      ]
    ) {
      assert.isFalse(isTask(other))
    }
  })
})

describe("S2 a task reads each request field once", () => {
  it.effect("a getter cannot show a declared name to the strict check and read another secret", () =>
    Effect.gen(function*() {
      let reads = 0
      const request = {
        key: "k",
        get group() {
          return reads++ === 0 ? "declared" : "other"
        }
      }
      const t = task(
        { name: "t", strict: true, secretRequests: [{ group: "declared", key: "k" }] },
        () => SecretsManager.use((manager) => manager.get(request))
      )
      assert.strictEqual(yield* t(), "declared-value")
      assert.strictEqual(reads, 1)
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { FLYTE_SECRETS_DECLARED_K: "declared-value", FLYTE_SECRETS_OTHER_K: "other-value" }
    }))))

  it.effect("nor in a task that is not strict", () =>
    Effect.gen(function*() {
      let reads = 0
      const request = {
        key: "k",
        get group() {
          return reads++ === 0 ? "first" : "second"
        }
      }
      const t = task({ name: "t", secretRequests: [] }, () => SecretsManager.use((manager) => manager.get(request)))
      assert.strictEqual(yield* t(), "first-value")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { FLYTE_SECRETS_FIRST_K: "first-value", FLYTE_SECRETS_SECOND_K: "second-value" }
    }))))
})
