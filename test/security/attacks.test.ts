/**
 * Hostile requests, values and names through every entry point (the manager, the facade, `Secret`, a task, the
 * configuration): values of declared variables in every text a user or a log can see, strict-mode bypasses,
 * unsafe characters, facade probes, and memory under hostile names. Each describe starts with the number of the
 * promise in docs/security.md that it attacks; each test plants a recognisable value and scans what comes back.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as path from "node:path"
import { inspect } from "node:util"
import * as v8 from "node:v8"
import { runInNewContext } from "node:vm"
import {
  Environment,
  makeSecrets,
  MissingSecrets,
  Secret,
  SecretNotFound,
  SecretsConfig,
  SecretsManager,
  task
} from "../../src/index.ts"
import { defaults } from "../../src/SecretsConfig.ts"
import type { SecretRequest } from "../../src/SecretsManager.ts"
import { type FileCall, recordingFileSystem } from "../fixtures/fileCalls.ts"
import { nodeSyncFileSystem } from "../fixtures/nodeSyncFileSystem.ts"
import { expectMiss, PLANTED, setEnv, thrownBy, useSecretsDir, visibleTexts } from "../support.ts"

/** A manager over a recording synchronous Node `FileSystem` and the given variables. */
const recorded = (env: Record<string, string>, config: Partial<SecretsConfig["Service"]> = {}) => {
  const calls: Array<FileCall> = []
  const envReads: Array<string> = []
  const layer = SecretsManager.layerNoDeps.pipe(
    Layer.provide([
      SecretsConfig.layerWith({ defaultDir: "/nonexistent-secrets", local: true, ...config }),
      Layer.succeed(
        Environment,
        Environment.of({
          get: (name) => {
            envReads.push(name)
            return Object.hasOwn(env, name) ? env[name] : undefined
          }
        })
      ),
      Layer.succeed(FileSystem.FileSystem, recordingFileSystem(nodeSyncFileSystem, calls))
    ])
  )
  return { layer, calls, envReads, secrets: makeSecrets(layer) }
}

describe("S8 the value of a declared variable never shows (unless it is a path in the secrets directory)", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: undefined })

  // Values a user may set by mistake, or a platform may inject: each holds the planted value.
  const values = () => ({
    SHORT: PLANTED,
    ROOTED: `/${PLANTED}`,
    LONG: `/${PLANTED}/${"a".repeat(5000)}`,
    RELATIVE: `${PLANTED}/file`,
    DIRECTORY: path.join(dirs.root, PLANTED),
    PRIVATE: path.join(dirs.root, PLANTED, "private"),
    LOOP: path.join(dirs.root, PLANTED, "loop")
  })
  const plant = () => {
    fs.mkdirSync(path.join(dirs.root, PLANTED))
    fs.writeFileSync(path.join(dirs.root, PLANTED, "private"), "x", { mode: 0o000 })
    fs.symlinkSync("loop", path.join(dirs.root, PLANTED, "loop"))
    setEnv(values())
  }
  const requests = () =>
    Object.keys(values()).flatMap((envVar) =>
      (["ANY", "FILE", "ENV_VAR"] as const).map((mountRequirement) => ({
        group: "absent",
        key: envVar.toLowerCase(),
        envVar,
        mountRequirement
      }))
    )

  it.effect("in SecretNotFound, its cause and exit, for get, getPath and locate (live layer)", () =>
    Effect.gen(function*() {
      plant()
      const manager = yield* SecretsManager
      for (const request of requests()) {
        // A FILE variable is read wherever it points, and getPath hands out the path it holds (that is its
        // answer, not something printed); an ANY or ENV_VAR variable is the value itself.
        const lookups: Array<Effect.Effect<unknown, SecretNotFound>> = [
          manager.locate(request),
          request.mountRequirement === "FILE" ? manager.get(request) : manager.getPath(request)
        ]
        for (const lookup of lookups) {
          const exit = yield* Effect.exit(lookup)
          if (Exit.isSuccess(exit)) {
            assert.notInclude(inspect(exit.value, { depth: 10 }), PLANTED, JSON.stringify(request))
            continue
          }
          assert.notInclude(visibleTexts(Cause.squash(exit.cause)), PLANTED, JSON.stringify(request))
          assert.notInclude(inspect(exit, { depth: 20 }), PLANTED, JSON.stringify(request))
          assert.notInclude(String(exit.cause), PLANTED, JSON.stringify(request))
        }
      }
    }).pipe(Effect.provide(SecretsManager.layer)))

  it("in the facade's throws and a task's MissingSecrets", () => {
    plant()
    const secrets = makeSecrets()
    for (const request of requests()) {
      const thrown = thrownOrValue(() =>
        request.mountRequirement === "FILE" ? secrets.get(request) : secrets.getPath(request)
      )
      // Running as root, the unreadable file is read: a value, not an error.
      if (typeof thrown === "string") continue
      assert.instanceOf(thrown, SecretNotFound)
      assert.notInclude(visibleTexts(thrown), PLANTED, JSON.stringify(request))
    }
    const declared = requests().filter((request) => request.mountRequirement === "FILE")
    const t = task.sync(
      { name: "planted", secretRequests: declared.map((request) => new Secret(request)) },
      () => "ran"
    )
    const missing = thrownBy(() => t())
    assert.instanceOf(missing, MissingSecrets)
    // Every one but the unreadable file, which root reads.
    assert.isAtLeast((missing as MissingSecrets).missing.length, declared.length - 1)
    assert.notInclude(visibleTexts(missing), PLANTED)
  })

  it.effect("through an effectful FileSystem, whatever it fails with (a NUL byte in a FILE variable's path)", () =>
    Effect.gen(function*() {
      const env = { NUL_PATH: `/tmp/\u0000${PLANTED}`, LONG_PATH: `/${PLANTED}/${"a".repeat(5000)}` }
      const layer = SecretsManager.layerNoDeps.pipe(
        Layer.provide([
          SecretsConfig.layerWith({ defaultDir: dirs.secrets, local: false }),
          Environment.layerTest(env),
          NodeFileSystem.layer
        ])
      )
      const manager = yield* Effect.provide(SecretsManager.use(Effect.succeed), layer)
      for (const envVar of Object.keys(env)) {
        const exit = yield* Effect.exit(manager.get({ group: "g", key: "k", mountRequirement: "FILE", envVar }))
        assert.isTrue(Exit.isFailure(exit))
        assert.notInclude(inspect(exit, { depth: 20 }), PLANTED, envVar)
        assert.notInclude(visibleTexts(Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined), PLANTED, envVar)
      }
    }))
})

describe("S5 environment values over the size cap are refused, from every source, without being shown", () => {
  it.effect("declared ENV_VAR and ANY, prefixed, and unprefixed in a local run", () =>
    Effect.gen(function*() {
      const big = PLANTED + "x".repeat(64)
      const { layer } = recorded({ DECLARED: big, FLYTE_SECRETS_G_K: big, G_L: big }, { maxFileBytes: 32 })
      const manager = yield* Effect.provide(SecretsManager.use(Effect.succeed), layer)
      const cases: ReadonlyArray<[SecretRequest, string]> = [
        [{ group: "x", key: "y", envVar: "DECLARED", mountRequirement: "ENV_VAR" }, "declared-env"],
        [{ group: "x", key: "y", envVar: "DECLARED" }, "declared-env"],
        [{ group: "x", key: "y", envVar: "DECLARED", mountRequirement: "FILE" }, "declared-env"],
        [{ group: "g", key: "k" }, "env"],
        [{ group: "g", key: "l" }, "local-env"]
      ]
      for (const [request, source] of cases) {
        const error = yield* expectMiss(manager.get(request))
        const attempt = error.attempts.find((a) => a.source === source)
        assert.strictEqual(attempt?.outcome, "refused", JSON.stringify(request))
        assert.include(attempt?.reason, "over the limit")
        assert.notInclude(visibleTexts(error), PLANTED)
      }
    }))
})

describe("S13 strict mode cannot be bypassed", () => {
  const layer = SecretsManager.layerTest({
    env: { FLYTE_SECRETS_G_K: "declared-value", OTHER: PLANTED, FLYTE_SECRETS_G_V9_K: PLANTED },
    files: { "/etc/secrets/g/k": PLANTED }
  })
  const strictTask = (request: SecretRequest) =>
    task(
      { name: "strict_task", secretRequests: [new Secret({ group: "g", key: "k" })], strict: true },
      () => SecretsManager.use((manager) => manager.get(request))
    )

  it.effect("a declared group/key with its own envVar or mount requirement is refused as undeclared", () =>
    Effect.gen(function*() {
      for (
        const request of [
          { group: "g", key: "k", envVar: "OTHER" },
          { group: "g", key: "k", envVar: "OTHER", mountRequirement: "ENV_VAR" as const },
          { group: "g", key: "k", mountRequirement: "FILE" as const },
          { group: "g", key: "k", mountRequirement: "ENV_VAR" as const },
          { group: "g", key: "k", groupVersion: "v9" },
          { group: "G", key: "K", envVar: "OTHER" }
        ]
      ) {
        const error = yield* Effect.flip(strictTask(request)())
        assert.instanceOf(error, SecretNotFound)
        assert.strictEqual((error as SecretNotFound).reason, "Undeclared", JSON.stringify(request))
        assert.notInclude(visibleTexts(error), PLANTED)
      }
      // As declared, and with the declaration's own fields spelled out, it is read.
      assert.strictEqual(yield* strictTask({ group: "g", key: "k" })(), "declared-value")
      assert.strictEqual(
        yield* strictTask({ group: "g", key: "k", mountRequirement: "ANY", envVar: "" })(),
        "declared-value"
      )
    }).pipe(Effect.provide(layer)))

  it("the sync facade of a strict task refuses them too", () => {
    const t = task.sync({
      name: "strict_sync",
      secretRequests: [{ group: "g", key: "k" }],
      strict: true,
      layer
    }, (_: undefined, secrets) => [
      // A strict task's facade types only declared requests; a plain JavaScript caller gets the runtime refusal.
      // @ts-expect-error another envVar than declared
      thrownBy(() => secrets.get({ group: "g", key: "k", envVar: "OTHER" })),
      // @ts-expect-error another mount requirement than declared
      thrownBy(() => secrets.get({ group: "g", key: "k", mountRequirement: "FILE" })),
      secrets.g!["k"]
    ])
    const [byEnvVar, byMount, declared] = t()
    assert.strictEqual((byEnvVar as SecretNotFound).reason, "Undeclared")
    assert.strictEqual((byMount as SecretNotFound).reason, "Undeclared")
    assert.strictEqual(declared, "declared-value")
  })
})

describe("S2 hostile requests are refused at the boundary", () => {
  it("an envVar that is not ^[A-Z_][A-Z0-9_]*$ is refused before anything is read", () => {
    const { calls, envReads, secrets } = recorded({ PATH: PLANTED, path: PLANTED })
    for (const envVar of ["path", "A-B", "1ABC", "A B", "A\u0000B", "HOME/..", "A\u202eB", "É"]) {
      const error = thrownBy(() => secrets.get({ group: "g", key: "k", envVar }))
      assert.instanceOf(error, SecretNotFound)
      assert.strictEqual((error as SecretNotFound).reason, "InvalidRequest", envVar)
      assert.include((error as SecretNotFound).message, "^[A-Z_][A-Z0-9_]*$")
      assert.notMatch((error as SecretNotFound).message, /[\u0000\u202e]/)
    }
    assert.deepStrictEqual([calls, envReads], [[], []])
  })

  it("fields inherited from a polluted Object.prototype are ignored", () => {
    const { envReads, secrets } = recorded({ FLYTE_SECRETS_G_K: "own-value", POLLUTED: PLANTED })
    const prototype = Object.prototype as unknown as Record<string, unknown>
    const pollution = { envVar: "POLLUTED", mountRequirement: "FILE", encodeMode: "rb", group: "evil", key: "evil" }
    const values: Array<unknown> = []
    try {
      Object.assign(prototype, pollution)
      values.push(secrets.get({ group: "g", key: "k" }))
      values.push(secrets.g!["k"])
      values.push(
        makeSecrets(SecretsManager.layerTest({ env: { FLYTE_SECRETS_G_K: "own-value", POLLUTED: PLANTED } })).get({
          group: "g",
          key: "k"
        })
      )
    } finally {
      for (const name of Object.keys(pollution)) delete prototype[name]
    }
    assert.deepStrictEqual(values, ["own-value", "own-value", "own-value"])
    assert.notInclude(envReads, "POLLUTED")
  })

  it("name parts that are not strings give a typed SecretNotFound, never a TypeError", () => {
    const { calls, envReads, secrets } = recorded({})
    const manager = Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), recorded({}).layer))
    const hostile: ReadonlyArray<unknown> = [
      { group: 1, key: "k" },
      { group: "g", key: null },
      { group: "g", key: { toString: () => "k" } },
      { group: ["g"], key: "k" },
      { group: "g", key: "k", groupVersion: 2 },
      { group: Symbol("g"), key: "k" },
      { group: "g", key: "k", encodeMode: "binary" },
      { group: "g", key: "k", mountRequirement: 1 },
      { group: "g", key: "k", envVar: 7 },
      null,
      "g/k",
      42,
      []
    ]
    for (const request of hostile) {
      const thrown = thrownBy(() => secrets.get(request as SecretRequest))
      assert.instanceOf(thrown, SecretNotFound, inspect(request))
      assert.strictEqual((thrown as SecretNotFound).reason, "InvalidRequest")
      const exit = Effect.runSyncExit(manager.get(request as SecretRequest))
      assert.isTrue(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof SecretNotFound, inspect(request))
    }
    assert.deepStrictEqual([calls, envReads], [[], []])
  })

  it("a request whose fields change between reads cannot poison the lookup another request gets", () => {
    const secrets = makeSecrets(
      SecretsManager.layerTest({ env: { FLYTE_SECRETS_A_K: "value-of-a", FLYTE_SECRETS_B_K: "value-of-b" } })
    )
    let reads = 0
    const shifting = {
      get group() {
        return reads++ === 0 ? "a" : "b"
      },
      key: "k"
    }
    secrets.get(shifting)
    assert.strictEqual(secrets.get({ group: "a", key: "k" }), "value-of-a")
  })
})

describe("S15 the facade's probes look nothing up", () => {
  const counting = () => {
    const { calls, envReads, secrets } = recorded({})
    return { secrets, lookups: () => calls.length + envReads.length }
  }
  const probes = [
    "length",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "valueOf",
    "toString",
    "toLocaleString",
    "constructor",
    "__proto__",
    "pipe",
    "_isBuffer",
    "toBSON",
    "_bsontype",
    "nodeName",
    "nodeType",
    "tagName",
    "message",
    "stack",
    "then",
    "catch",
    "finally",
    "toJSON",
    "inspect",
    "asymmetricMatch",
    "$$typeof",
    "@@__IMMUTABLE_ITERABLE__@@",
    "__esModule"
  ]

  it("reading a probe on the facade or a group never looks anything up nor throws", () => {
    const { lookups, secrets } = counting()
    const group = secrets.some_group as unknown as Record<string | symbol, unknown>
    for (const target of [secrets as unknown as Record<string | symbol, unknown>, group]) {
      for (const probe of probes) void target[probe]
      for (const symbol of [Symbol.iterator, Symbol.asyncIterator, Symbol.toPrimitive, Symbol.toStringTag]) {
        void target[symbol]
      }
      assert.isFalse(Object.prototype.hasOwnProperty.call(target, "k"))
      assert.isFalse(typeof target["pipe"] === "function", "looks like a stream")
    }
    assert.strictEqual(lookups(), 0)
  })

  it("Array.from, Buffer checks and Buffer.from of a group look nothing up and do not throw", () => {
    const { lookups, secrets } = counting()
    const group = secrets.some_group as unknown as ArrayLike<unknown>
    assert.deepStrictEqual(Array.from(group), [])
    assert.isFalse(Buffer.isBuffer(group))
    const isBufferLike = (value: unknown) => value != null && (value as { _isBuffer?: unknown })._isBuffer === true
    assert.isFalse(isBufferLike(group))
    assert.strictEqual(lookups(), 0)
    // Node's Buffer.from reads `valueOf`, `length`, `buffer`, `type` and `data` of an object before its
    // Symbol.toPrimitive: none of them may be taken as a key.
    const fromGroup = thrownOrValue(() => Buffer.from(group as unknown as string))
    assert.notInstanceOf(fromGroup, SecretNotFound, "Buffer.from(group) looked up a key")
    assert.strictEqual(lookups(), 0)
  })

  it("changing the facade's or a group's prototype or extensibility is refused", async () => {
    const { lookups, secrets } = counting()
    const then = (resolve: (value: unknown) => void) => resolve(PLANTED)
    for (const target of [secrets, secrets.some_group as object]) {
      assert.throws(() => Object.setPrototypeOf(target, { then }), TypeError)
      assert.isFalse(Reflect.setPrototypeOf(target, { then }))
      assert.throws(() => Object.preventExtensions(target), TypeError)
      assert.isTrue(Object.isExtensible(target))
      assert.throws(() => Object.freeze(target), TypeError)
      assert.strictEqual(await Promise.resolve(target), target)
    }
    assert.strictEqual(lookups(), 0)
  })
})

const thrownOrValue = (f: () => unknown): unknown => {
  try {
    return f()
  } catch (error) {
    return error
  }
}

describe("S1 names that could forge text are refused, and never printed raw", () => {
  // C0 and C1 controls, bidi overrides and isolates, zero-width characters, line and paragraph separators, and
  // characters shown as nothing (Hangul fillers, a combining grapheme joiner, a variation selector).
  const forging = [
    "a\u3164b",
    "a\u115fb",
    "a\uffa0b",
    "a\u034fb",
    "a\ufe0fb",
    "a\u0085b",
    "a\u009bb",
    "a\u202eb",
    "a\u2066b",
    "a\u200bb",
    "a\u200db",
    "\ufeffab",
    "a\u2060b",
    "a\u2028b",
    "a\u2029b",
    "a\rb",
    "a\u001b[31mb"
  ]
  // Every character above but the line feed, which messages hold between their lines.
  const raw =
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\u3164\u115f\uffa0\u034f\ufe0f]/

  it("in every name part, through the manager, the facade, a Secret and a task declaration", () => {
    const { calls, envReads, secrets } = recorded({})
    for (const name of forging) {
      const errors = [
        thrownBy(() => secrets.get({ group: name, key: "k" })),
        thrownBy(() => secrets.get({ group: "g", key: name })),
        thrownBy(() => secrets.get({ group: "g", key: "k", groupVersion: name })),
        thrownBy(() => secrets[name]!["k"]),
        thrownBy(() => secrets.g![name]),
        thrownBy(() => new Secret({ group: name, key: "k" })),
        thrownBy(() => task({ name: "t", secretRequests: [{ group: "g", key: name }] }, () => Effect.void))
      ]
      for (const error of errors) {
        assert.include((error as Error).message, "unsafe name", JSON.stringify(name))
        assert.notMatch(visibleTexts(error), raw, JSON.stringify(name))
      }
    }
    assert.deepStrictEqual([calls, envReads], [[], []])
  })

  it("in an unknown request field's name", () => {
    const { secrets } = recorded({})
    for (const name of forging) {
      const error = thrownBy(() => secrets.get({ group: "g", key: "k", [name]: "x" } as SecretRequest))
      assert.strictEqual((error as SecretNotFound).reason, "InvalidRequest")
      assert.notMatch((error as Error).message, raw, JSON.stringify(name))
    }
  })

  it("in a Secret's envVar", () => {
    for (const name of forging) {
      const error = thrownBy(() => new Secret({ group: "g", key: "k", envVar: name }))
      assert.notMatch((error as Error).message, raw, JSON.stringify(name))
    }
  })
})

describe("S1 configuration: a file prefix cannot lead out, a relative secrets directory is resolved once", () => {
  const buildWith = (env: Record<string, string>) =>
    Effect.flip(Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layerTest({ env })))

  it.effect("FLYTE_SECRETS_FILE_PREFIX that could leave a directory fails the layer, naming the variable", () =>
    Effect.gen(function*() {
      for (const prefix of ["../x", "..", "a/b", "/abs", "a\\b", "x..y", "a\u0000b"]) {
        const error = yield* buildWith({ FLYTE_SECRETS_FILE_PREFIX: prefix })
        assert.strictEqual(error._tag, "ConfigError", prefix)
        assert.include(String(error), "FLYTE_SECRETS_FILE_PREFIX")
      }
    }))

  it.effect("a prefix or secrets directory holding a character that hides or forges text fails the layer, shown escaped", () =>
    Effect.gen(function*() {
      // Each is part of every place a miss prints: a name cannot hold these characters, nor can what is added to it.
      const variables = ["FLYTE_SECRETS_ENV_PREFIX", "FLYTE_SECRETS_FILE_PREFIX", "FLYTE_SECRETS_DEFAULT_DIR"]
      for (const variable of variables) {
        for (const hidden of ["\u202e", "\u3164", "\u200b", "\u001b[2J", "\u2028"]) {
          const value = variable === "FLYTE_SECRETS_DEFAULT_DIR" ? `/tmp/s${hidden}x` : `P${hidden}_`
          const error = yield* buildWith({ [variable]: value })
          assert.strictEqual(error._tag, "ConfigError", `${variable} ${JSON.stringify(value)}`)
          assert.include(String(error), variable)
          assert.notMatch(String(error), /[\u001b\u202e\u3164\u200b\u2028]/u, `${variable} ${JSON.stringify(value)}`)
        }
      }
    }))

  it.effect("a relative FLYTE_SECRETS_DEFAULT_DIR is resolved against the working directory, as flytekit reads it", () =>
    Effect.gen(function*() {
      for (const dir of ["etc/secrets", "./secrets", "../secrets", "~/secrets"]) {
        const config = yield* SecretsConfig.use(Effect.succeed).pipe(
          Effect.provide(SecretsConfig.layerNoDeps.pipe(Layer.provide(Environment.layerTest({
            FLYTE_SECRETS_DEFAULT_DIR: dir
          }))))
        )
        assert.strictEqual(config.defaultDir, path.resolve(process.cwd(), dir), dir)
      }
    }))
})

describe("S8 a secrets directory of / is refused: an absolute ANY value is never opened as a path", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: undefined })
  /** A file outside any secrets directory, and an ANY variable holding its absolute path. */
  const plantOutside = () => {
    const file = path.join(dirs.root, "outside")
    fs.writeFileSync(file, PLANTED)
    return { file, request: { group: "g", key: "k", envVar: "INJECTED", mountRequirement: "ANY" } as const }
  }
  const isConfigError = (error: unknown) => (error as { _tag?: string } | undefined)?._tag === "ConfigError"

  it.effect("no layer is built over / (process.env, layerTest, layerWith), so the file is never read", () =>
    Effect.gen(function*() {
      const { file, request } = plantOutside()
      for (const root of ["/", "//", "/..", `${dirs.root}/${"../".repeat(30)}`]) {
        setEnv({ FLYTE_SECRETS_DEFAULT_DIR: root, INJECTED: file })
        const { calls, layer } = recorded({ INJECTED: file }, { defaultDir: root })
        const layers = [
          SecretsManager.layer,
          SecretsManager.layerTest({ env: { FLYTE_SECRETS_DEFAULT_DIR: root, INJECTED: file } }),
          layer
        ]
        for (const built of layers) {
          const exit = yield* Effect.exit(
            SecretsManager.use((manager) => manager.get(request)).pipe(
              Effect.provide(built)
            )
          )
          assert.isTrue(Exit.isFailure(exit), root)
          const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
          assert.isTrue(isConfigError(error), root)
          assert.include(String(error), "FLYTE_SECRETS_DEFAULT_DIR", root)
          assert.notInclude(inspect(exit, { depth: 20 }), PLANTED, root)
        }
        assert.deepStrictEqual(calls, [], root)
      }
    }))

  it.effect("a configuration given as a value with a secrets directory of / never opens an ANY value as a path", () =>
    Effect.gen(function*() {
      const { file, request } = plantOutside()
      const calls: Array<FileCall> = []
      const layer = SecretsManager.layerNoDeps.pipe(
        Layer.provide([
          Layer.succeed(SecretsConfig, SecretsConfig.of({ ...defaults, defaultDir: "/" })),
          Layer.succeed(Environment, Environment.of({ get: (name) => name === "INJECTED" ? file : undefined })),
          Layer.succeed(FileSystem.FileSystem, recordingFileSystem(nodeSyncFileSystem, calls))
        ])
      )
      // The variable's content is the secret itself, as for any value not inside a secrets directory.
      assert.strictEqual(yield* SecretsManager.use((manager) => manager.get(request)).pipe(Effect.provide(layer)), file)
      assert.deepStrictEqual(calls.filter((call) => call.path === file), [])
    }))

  it("a secrets directory that is a link to / reads no file through it, and says why", () => {
    const { file, request } = plantOutside()
    const link = path.join(dirs.root, "to-root")
    fs.symlinkSync("/", link)
    // By its spelling the variable's path lies inside the secrets directory; through the link it is any file.
    setEnv({ FLYTE_SECRETS_DEFAULT_DIR: link, INJECTED: link + file })
    const thrown = thrownBy(() => makeSecrets(SecretsManager.layer).get(request))
    assert.instanceOf(thrown, SecretNotFound)
    const attempt = (thrown as SecretNotFound).attempts.find((tried) => tried.source === "declared-file")
    assert.strictEqual(attempt?.outcome, "refused")
    assert.include(attempt?.reason, "resolves to /")
    assert.notInclude(visibleTexts(thrown), PLANTED)
  })

  it("\".\" with the working directory at / fails the facade and a task with the ConfigError, reading nothing", () => {
    const { file, request } = plantOutside()
    setEnv({ FLYTE_SECRETS_DEFAULT_DIR: ".", INJECTED: file })
    const previous = process.cwd()
    process.chdir("/")
    try {
      const thrown = thrownBy(() => makeSecrets(SecretsManager.layer).get(request))
      assert.isTrue(isConfigError(thrown))
      assert.include(String(thrown), "working directory")
      const t = task.sync(
        { name: "rooted", secretRequests: [new Secret(request)], layer: SecretsManager.layer },
        () => 1
      )
      assert.isTrue(isConfigError(thrownBy(() => t())))
      assert.notInclude(visibleTexts(thrown), PLANTED)
    } finally {
      process.chdir(previous)
    }
  })
})

describe("S14 memory stays bounded under hostile names", () => {
  v8.setFlagsFromString("--expose-gc")
  const gc = runInNewContext("gc") as () => void
  const heapUsed = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  const MiB = 1024 * 1024

  it("10,000 requests with 64 KiB names are refused with a typed error, and nothing keeps them", () => {
    const { calls, envReads, layer, secrets } = recorded({})
    const manager = Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), layer))
    const before = heapUsed()
    for (let i = 0; i < 10_000; i++) {
      const name = String(i).padStart(8, "0") + "n".repeat(64 * 1024 - 8)
      // An attribute name is internalised by the engine before the facade sees it (about 0.5 ms for 64 KiB): one
      // in twenty goes that way.
      const error = i % 20 === 0
        ? thrownBy(() => secrets[name]!["k"])
        : i % 2 === 0
        ? thrownBy(() => secrets.get({ group: name, key: "k" }))
        : Effect.runSync(Effect.flip(manager.get({ group: "g", key: name })))
      assert.strictEqual((error as SecretNotFound).reason, "InvalidRequest")
      assert.include((error as Error).message, "over the 253-character limit")
      assert.isBelow((error as Error).message.length, 1000)
    }
    assert.deepStrictEqual([calls, envReads], [[], []])
    const growth = heapUsed() - before
    // Used after the measure, so the managers and what they keep are alive when the heap is measured.
    assert.strictEqual(Exit.isFailure(Effect.runSyncExit(manager.get({ group: "g", key: "k" }))), true)
    assert.strictEqual((thrownBy(() => secrets.g!["k"]) as SecretNotFound).reason, "NotFound")
    assert.isBelow(growth, 16 * MiB, `heap grew by ${(growth / MiB).toFixed(1)} MiB`)
  }, 30_000)

  // A million names take about ten seconds here (a group costs about 9 us); 100,000 is 100 times every bound.
  it("100,000 distinct group names and 10,000 distinct keys read through the facade keep the heap bounded", () => {
    const env = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`FLYTE_SECRETS_G_K${i}`, `v${i}`]))
    const secrets = makeSecrets(SecretsManager.layerTest({ env }))
    const group = secrets.g!
    for (let i = 0; i < 5_000; i++) assert.strictEqual(group[`k${i}`], `v${i}`)
    for (let i = 0; i < 20_000; i++) void secrets[`group_${i}`]
    const warm = heapUsed()
    for (let i = 5_000; i < 10_000; i++) assert.strictEqual(group[`k${i}`], `v${i}`)
    for (let i = 20_000; i < 100_000; i++) void secrets[`group_${i}`]
    const growth = heapUsed() - warm
    // Used after the measure, so the facade and what it keeps are alive when the heap is measured.
    assert.strictEqual(group["k0"], "v0")
    assert.isBelow(growth, 8 * MiB, `heap grew by ${(growth / MiB).toFixed(1)} MiB`)
  }, 30_000)
  describe("with a declared variable naming a long path", () => {
    const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: undefined })

    it("300 lookups that miss, each cached, keep none of the long text their misses showed", () => {
      // Each miss shows the path; a lookup kept its last miss's attempts (a copy of the variable each) beyond it.
      setEnv({ LONG_SECRET_PATH: path.join(dirs.secrets, "a/".repeat(100_000)) })
      const manager = Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer))
      const lookups = Array.from(
        { length: 300 },
        (_, i) => manager.get({ group: "g", key: `k${i}`, envVar: "LONG_SECRET_PATH", mountRequirement: "ANY" })
      )
      const before = heapUsed()
      for (const lookup of lookups) {
        const miss = Effect.runSync(Effect.flip(lookup))
        assert.isAbove(miss.attempts[0]!.location.length, 200_000)
      }
      const growth = heapUsed() - before
      // Used after the measure, so the lookups and what they keep are alive when the heap is measured.
      assert.strictEqual(Effect.runSync(Effect.flip(lookups[0]!)).reason, "Refused")
      assert.isBelow(growth, 16 * MiB, `heap grew by ${(growth / MiB).toFixed(1)} MiB`)
    }, 30_000)
  })
})
