import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as fs from "node:fs"
import * as path from "node:path"
import { inspect } from "node:util"
import { Worker } from "node:worker_threads"
import { Kubernetes, SecretsManager } from "../src/index.ts"
import { layOut, managerLayer } from "../src/internal/kubernetes/materialize.ts"
import type { InjectOptions, Materialized, MaterializeValues } from "../src/Kubernetes.ts"
import { failureOf, setEnv, useTmpdir } from "./support.ts"

// Every test gets its own temporary directory root, so what is left behind can be counted.
const root = useTmpdir()
const leftOver = () => fs.readdirSync(root.dir)

const timestampDir = /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/

/** The kubelet's layout of one key: `key -> ..data/key`, `..data -> ..<timestamp>`, the file mode 0400. */
const assertKubeletFile = (volumeDir: string, file: string, content: string | Uint8Array) => {
  assert.strictEqual(fs.readlinkSync(path.join(volumeDir, file)), `..data/${file}`)
  const version = fs.readlinkSync(path.join(volumeDir, "..data"))
  assert.match(version, timestampDir)
  assert.strictEqual(fs.statSync(path.join(volumeDir, version)).mode & 0o777, 0o755)
  const stats = fs.statSync(path.join(volumeDir, version, file))
  assert.strictEqual(stats.mode & 0o777, 0o400)
  assert.deepStrictEqual(
    fs.readFileSync(path.join(volumeDir, file)),
    Buffer.from(typeof content === "string" ? Buffer.from(content) : content)
  )
}

const materialize = (secrets: ReadonlyArray<any>, values: MaterializeValues, options?: InjectOptions) =>
  Kubernetes.materialize(secrets, values, options)

const example = [
  { group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" },
  { group: "my-certs", key: "tls_cert", mountRequirement: "FILE", envVar: "TLS_CERT_PATH" }
] as const
const exampleValues = { "my-api-keys": { github_token: "ghp_example" }, "my-certs": { tls_cert: "-----CERT-----" } }

describe("Kubernetes.materialize: what the task container sees", () => {
  it.effect("K8s: variables from the Secret, files in the kubelet's atomic layout", () =>
    Effect.scoped(Effect.gen(function*() {
      const bytes = Uint8Array.of(0, 255, 10, 13)
      const m = yield* materialize([...example, { group: "my-certs", key: "tls.key" }], {
        ...exampleValues,
        "my-certs": { tls_cert: "-----CERT-----", "tls.key": bytes }
      })
      assert.deepStrictEqual(m.env, {
        "_FSEC_MY-API-KEYS_GITHUB_TOKEN": "ghp_example",
        FLYTE_SECRETS_ENV_PREFIX: "_FSEC_",
        FLYTE_SECRETS_DEFAULT_DIR: m.dir,
        FLYTE_SECRETS_FILE_PREFIX: "",
        TLS_CERT_PATH: path.join(m.dir, "my-certs", "tls_cert")
      })
      assert.deepStrictEqual(fs.readdirSync(m.dir), ["my-certs"])
      const volume = path.join(m.dir, "my-certs")
      assertKubeletFile(volume, "tls_cert", "-----CERT-----")
      assertKubeletFile(volume, "tls.key", bytes)
      assert.strictEqual(fs.readdirSync(volume).filter((name) => timestampDir.test(name)).length, 1)
      assert.strictEqual(fs.statSync(m.dir).mode & 0o777, 0o700)
    })))

  it.effect("global secrets: the literal value the webhook read", () =>
    Effect.scoped(Effect.gen(function*() {
      const m = yield* materialize([{ group: "g", key: "k" }], {}, { globalSecrets: () => "from-the-webhook" })
      assert.deepStrictEqual(m.env, { FLYTE_SECRETS_ENV_PREFIX: "_FSEC_", _FSEC_G_K: "from-the-webhook" })
    })))

  it.effect("AWS: the sidecar's files, /<lower(group)>/<lower(key)> in the shared volume", () =>
    Effect.scoped(Effect.gen(function*() {
      const m = yield* materialize([{ group: "Prod-DB", key: "Password", envVar: "DB_PASSWORD" }], {
        "Prod-DB": { Password: "hunter2" }
      }, { secretManagerType: "AWS" })
      const file = path.join(m.dir, "prod-db", "password")
      assert.strictEqual(fs.readFileSync(file, "utf8"), "hunter2")
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o400)
      assert.strictEqual(m.env["DB_PASSWORD"], file)
      assert.strictEqual(m.env["FLYTE_SECRETS_DEFAULT_DIR"], m.dir)
    })))

  it.effect("GCP: version <groupVersion> of the secret <group>, at /<lower(group)>/<lower(version)>", () =>
    Effect.scoped(Effect.gen(function*() {
      const m = yield* materialize([{ group: "TestSecret", groupVersion: "2" }], { TestSecret: { "2": "payload" } }, {
        secretManagerType: "GCP"
      })
      assert.strictEqual(fs.readFileSync(path.join(m.dir, "testsecret", "2"), "utf8"), "payload")
    })))

  it.effect("Vault: the agent's file <group>/<key>, case kept, whatever the engine", () =>
    Effect.scoped(Effect.gen(function*() {
      const m = yield* materialize(
        [
          { group: "Foo", key: "Bar" },
          { group: "db", key: "creds", groupVersion: "db" },
          { group: "kv", key: "token", groupVersion: "kv1" }
        ],
        { Foo: { Bar: "v1" }, db: { creds: "v2" }, kv: { token: "v3" } },
        { secretManagerType: "Vault" }
      )
      assert.strictEqual(fs.readFileSync(path.join(m.dir, "Foo", "Bar"), "utf8"), "v1")
      assert.strictEqual(fs.readFileSync(path.join(m.dir, "db", "creds"), "utf8"), "v2")
      assert.strictEqual(fs.readFileSync(path.join(m.dir, "kv", "token"), "utf8"), "v3")
    })))

  it.effect("printing it shows the directory and the variable names, never a value", () =>
    Effect.scoped(Effect.gen(function*() {
      const m = yield* materialize(example, exampleValues)
      for (const printed of [inspect(m, { depth: 5 }), JSON.stringify(m), String(m), `${m}`]) {
        assert.notInclude(printed, "ghp_example")
        assert.notInclude(printed, "-----CERT-----")
      }
      assert.include(inspect(m), "_FSEC_MY-API-KEYS_GITHUB_TOKEN")
      assert.deepStrictEqual(Object.keys(m), ["env", "dir", "update"])
    })))

  it.effect("layerMaterialized: a SecretsManager over exactly that environment and directory, not a local run", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "my-api-keys", key: "github_token" }), "ghp_example")
      assert.strictEqual(yield* manager.get(example[1]!), "-----CERT-----")
      assert.include((yield* manager.locate(example[1]!)).location, path.join("my-certs", "tls_cert"))
      const miss = yield* Effect.flip(manager.get({ group: "my-api-keys", key: "absent" }))
      assert.isFalse(miss.attempts.some((attempt) => attempt.source === "local-env"))
    }).pipe(Effect.provide(Kubernetes.layerMaterialized(example, exampleValues))))
})

describe("Kubernetes.materialize: the temporary directory", () => {
  it.effect("is removed when the scope closes", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.scoped(Effect.map(materialize(example, exampleValues), (m) => m.dir))
      assert.isFalse(fs.existsSync(dir))
      assert.deepStrictEqual(leftOver(), [])
    }))

  it.effect("is removed when the scope fails", () =>
    Effect.gen(function*() {
      let dir = ""
      const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
        dir = (yield* materialize(example, exampleValues)).dir
        return yield* Effect.fail("the task failed")
      })))
      assert.isTrue(Exit.isFailure(exit))
      assert.isTrue(dir !== "" && !fs.existsSync(dir))
      assert.deepStrictEqual(leftOver(), [])
    }))

  it.effect("is removed when the fiber is interrupted", () =>
    Effect.gen(function*() {
      let dir = ""
      const fiber = yield* Effect.forkChild(Effect.scoped(Effect.gen(function*() {
        dir = (yield* materialize(example, exampleValues)).dir
        return yield* Effect.never
      })))
      while (dir === "") yield* Effect.yieldNow
      assert.isTrue(fs.existsSync(dir))
      yield* Fiber.interrupt(fiber)
      assert.isFalse(fs.existsSync(dir))
      assert.deepStrictEqual(leftOver(), [])
    }))

  it("a write that fails half way removes what was written", () => {
    const plan = {
      env: [],
      volumes: [],
      files: [{ relative: "a", bytes: Uint8Array.of(1) }, { relative: "a/b", bytes: Uint8Array.of(2) }]
    }
    assert.throws(() => layOut(plan))
    assert.deepStrictEqual(leftOver(), [])
  })

  it.effect("a directory that cannot be created is a FileSystemError; nothing is written elsewhere", () =>
    Effect.gen(function*() {
      setEnv({ TMPDIR: path.join(root.dir, "missing") })
      const error = yield* failureOf(Effect.scoped(materialize(example, exampleValues)))
      assert.strictEqual(error.reason, "FileSystemError")
      assert.include(error.message, "ENOENT")
      assert.deepStrictEqual(leftOver(), [])
    }))
})

describe("Kubernetes.materialize: refused before anything is written", () => {
  const refusals: ReadonlyArray<
    readonly [string, ReadonlyArray<any>, MaterializeValues, InjectOptions, string, ReadonlyArray<string>]
  > = [
    ["a missing value", example, { "my-certs": { tls_cert: "-----CERT-----" } }, {}, "MissingValue", [
      "values[\"my-api-keys\"][\"github_token\"]"
    ]],
    [
      "a value that is neither text nor bytes",
      [{ group: "g", key: "k" }],
      { g: { k: 42 as any } },
      {},
      "InvalidValue",
      [
        "must be a string or a Uint8Array"
      ]
    ],
    [
      "bytes that are not UTF-8 in a variable",
      [{ group: "g", key: "k", mountRequirement: "ENV_VAR" }],
      {
        g: { k: Uint8Array.of(0xff) }
      },
      {},
      "InvalidValue",
      ["mount the secret as a FILE"]
    ],
    [
      "a NUL in a variable",
      [{ group: "g", key: "k", mountRequirement: "ENV_VAR" }],
      { g: { k: "a\u0000b" } },
      {},
      "InvalidValue",
      [
        "NUL"
      ]
    ],
    ["a value inherited from Object.prototype", [{ group: "g", key: "toString" }], { g: {} }, {}, "MissingValue", [
      "values[\"g\"][\"toString\"]"
    ]],
    [
      "a group that is not a Kubernetes Secret name",
      [{ group: "my_api_keys", key: "token" }],
      {
        my_api_keys: { token: "t" }
      },
      {},
      "RejectedPod",
      ["\"my_api_keys\" is not a Kubernetes Secret name"]
    ],
    [
      "a key that is not a Kubernetes Secret key",
      [{ group: "g", key: "a b", mountRequirement: "ENV_VAR" }],
      {
        g: { "a b": "t" }
      },
      {},
      "RejectedPod",
      ["\"a b\" is not a Kubernetes Secret key"]
    ],
    [
      "two versions of one group as files",
      [{ group: "g", key: "a", groupVersion: "1" }, {
        group: "g",
        key: "b",
        groupVersion: "2"
      }],
      { g: { a: "1", b: "2" } },
      {},
      "RejectedPod",
      ["names no volume of the pod"]
    ],
    [
      "a group too long for propeller's volume name",
      [{ group: "g".repeat(40), key: "k" }],
      {
        ["g".repeat(40)]: { k: "v" }
      },
      {},
      "RejectedPod",
      ["at most 39 characters"]
    ],
    ["a key-only secret", [{ key: "token" }], {}, {}, "MissingGroup", [
      "k8s Secrets Webhook require both key and group"
    ]]
  ]
  for (const [name, secrets, values, options, reason, texts] of refusals) {
    it.effect(`${name}: ${reason}`, () =>
      Effect.gen(function*() {
        const error = yield* failureOf(Effect.scoped(materialize(secrets, values, options)))
        assert.strictEqual(error.reason, reason)
        for (const text of texts) assert.include(error.message, text)
        assert.notInclude(error.message, "-----CERT-----")
        assert.deepStrictEqual(leftOver(), [])
      }))
  }
})

describe("Materialized.update: the kubelet's rotation", () => {
  const withVolume = <A, E>(use: (m: Materialized) => Effect.Effect<A, E>) =>
    Effect.scoped(Effect.flatMap(materialize(example, exampleValues), use))

  it.effect("a new timestamped directory, ..data swapped, the old directory removed, the env kept", () =>
    withVolume((m) =>
      Effect.gen(function*() {
        const volume = path.join(m.dir, "my-certs")
        const before = fs.readlinkSync(path.join(volume, "..data"))
        yield* m.update("my-certs", "tls_cert", "-----NEW-----")
        const after = fs.readlinkSync(path.join(volume, "..data"))
        assert.notStrictEqual(after, before)
        assert.isFalse(fs.existsSync(path.join(volume, before)))
        assert.isFalse(fs.existsSync(path.join(volume, "..data_tmp")))
        assertKubeletFile(volume, "tls_cert", "-----NEW-----")
        assert.strictEqual(m.env["_FSEC_MY-API-KEYS_GITHUB_TOKEN"], "ghp_example")
      })
    ))

  it.effect("only a Kubernetes Secret volume updates; a bad value is refused", () =>
    withVolume((m) =>
      Effect.gen(function*() {
        const env = yield* failureOf(m.update("my-api-keys", "github_token", "x"))
        assert.strictEqual(env.reason, "NotUpdatable")
        assert.include(env.message, "environment variables keep their value")
        const unknown = yield* failureOf(m.update("my-certs", "other", "x"))
        assert.strictEqual(unknown.reason, "NotUpdatable")
        const bad = yield* failureOf(m.update("my-certs", "tls_cert", 5 as any))
        assert.strictEqual(bad.reason, "InvalidValue")
      })
    ))

  it.effect("AWS, GCP and Vault agents write once: their files do not update", () =>
    Effect.scoped(Effect.gen(function*() {
      const m = yield* materialize([{ group: "g", key: "k" }], { g: { k: "v" } }, { secretManagerType: "AWS" })
      assert.strictEqual((yield* failureOf(m.update("g", "k", "w"))).reason, "NotUpdatable")
    })))

  it.effect("a reader in this process sees the old value or the new one, never an error, while updates run", () =>
    withVolume((m) =>
      Effect.gen(function*() {
        // The manager layerMaterialized builds, over this very directory.
        const manager = yield* Effect.provide(
          SecretsManager.useSync((service) => service),
          managerLayer(m)
        )
        const seen = new Set<string>()
        let running = true
        const reader = yield* Effect.forkChild(Effect.gen(function*() {
          while (running) {
            seen.add(yield* manager.get(example[1]!))
            yield* Effect.yieldNow
          }
        }))
        for (let round = 0; round < 100; round++) yield* m.update("my-certs", "tls_cert", `value-${round}`)
        running = false
        const exit = yield* Fiber.await(reader)
        assert.isTrue(Exit.isSuccess(exit), String(exit))
        assert.isAbove(seen.size, 10)
        for (const value of seen) assert.match(value, /^(-----CERT-----|value-\d+)$/)
      })
    ))

  it.effect("a reader in another thread sees whole values only, while updates run", () =>
    withVolume((m) =>
      Effect.gen(function*() {
        const file = path.join(m.dir, "my-certs", "tls_cert")
        const stop = new Int32Array(new SharedArrayBuffer(4))
        // A path that vanishes for an instant (the old directory removed under a reader) is retried, as the
        // library's reader does; any other error, or a value that is neither old nor new, is counted.
        const worker = new Worker(
          `const { workerData, parentPort } = require("node:worker_threads")
           const fs = require("node:fs")
           const stop = new Int32Array(workerData.stop)
           let reads = 0, bad = 0, retries = 0
           while (Atomics.load(stop, 0) === 0) {
             let value
             for (let attempt = 0; attempt < 5 && value === undefined; attempt++) {
               try { value = fs.readFileSync(workerData.file, "utf8") }
               catch (error) { if (error.code !== "ENOENT") { bad++; break } retries++ }
             }
             if (value === undefined || !/^(-----CERT-----|value-\\d+)$/.test(value)) bad++
             reads++
           }
           parentPort.postMessage({ reads, bad, retries })`,
          { eval: true, workerData: { file, stop: stop.buffer } }
        )
        const result = new Promise<{ reads: number; bad: number }>((resolve, reject) => {
          worker.once("message", resolve)
          worker.once("error", reject)
        })
        for (let round = 0; round < 200; round++) yield* m.update("my-certs", "tls_cert", `value-${round}`)
        Atomics.store(stop, 0, 1)
        const counts = yield* Effect.promise(() => result)
        yield* Effect.promise(() => worker.terminate())
        assert.isAbove(counts.reads, 0)
        assert.strictEqual(counts.bad, 0)
      })
    ))
})
