import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeEach } from "vitest"
import { Flyte2, Kubernetes, Secret, SecretsManager } from "../src/index.ts"
import type { Flyte2MaterializeOptions, Pod } from "../src/Kubernetes.ts"
import { failureOf, makeTempDir } from "./support.ts"

let scratch = { dir: "", remove: () => {} }
beforeEach(() => {
  scratch = makeTempDir()
})
afterEach(() => scratch.remove())

const scope = { project: "flytesnacks", domain: "development" }
const inScope = (name: string, value: string | Uint8Array) => ({ name, value, ...scope })

const fileSecrets = [
  { key: "MyKey", mountRequirement: "FILE", envVar: "MY_KEY_PATH" },
  Secret.flyte2({ key: "binary", mount: "/etc/flyte/secrets" }),
  Secret.flyte2({ key: "empty", mount: "/etc/flyte/secrets" }),
  Secret.flyte2({ key: "multi-line", mount: "/etc/flyte/secrets" }),
  Secret.flyte2({ key: "clé", mount: "/etc/flyte/secrets" }),
  Secret.flyte2({ key: "twice", mount: "/etc/flyte/secrets" }),
  Secret.flyte2({ key: "twice", mount: "/etc/flyte/secrets" })
] as const

const binary = new Uint8Array([0, 255, 254, 10, 13, 61, 0])
const store = Flyte2.store([
  inScope("MyKey", "hello"),
  inScope("binary", binary),
  inScope("empty", ""),
  inScope("multi-line", "line1\nline2\n"),
  inScope("clé", "ü=€ \"quoted\" $HOME"),
  { name: "twice", value: "2x" }
])
const options: Flyte2MaterializeOptions = { flyte: 2, ...scope, embedded: { store } }

/** Every regular file under a directory, by relative path, with its bytes. */
const filesUnder = (dir: string): Record<string, Buffer> => {
  const found: Record<string, Buffer> = {}
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name)
      found[path.relative(dir, file)] = fs.readFileSync(file)
    }
  }
  return found
}

/** Runs the pod's init container: its command under the machine's sh, its secrets directory moved to `dir`. */
const runInitContainer = (pod: Pod, dir: string) => {
  const init = pod.spec.initContainers!.find((container) => container.name === "init-embedded-secret")!
  const [shell, flag, script] = init.command!
  assert.include(script, "\"/etc/flyte/secrets/\"")
  const moved = script!.replace("\"/etc/flyte/secrets/\"", JSON.stringify(dir + "/"))
  const env = Object.fromEntries((init.env ?? []).map((envVar) => [envVar.name, envVar.value ?? ""]))
  execFileSync(shell!, [flag!, moved], { env: { PATH: process.env["PATH"], ...env }, stdio: "pipe" })
}

describe("Kubernetes.materialize({ flyte: 2 }): Embedded", () => {
  it.effect("a project or domain no pod label can hold is refused before anything is written", () =>
    Effect.gen(function*() {
      for (const scope of [{ project: "Flyte Snacks", domain: "dev" }, { domain: "dev\n" }]) {
        const error = yield* Effect.flip(Kubernetes.materialize(fileSecrets, {}, { ...options, ...scope }))
        assert.strictEqual(error.reason, "InvalidOptions", JSON.stringify(scope))
        assert.include(error.message, "a Kubernetes label value is at most 63")
      }
    }).pipe(Effect.scoped))

  it.effect("a project without a domain is refused, not read as the organisation scope with the project ignored", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Kubernetes.materialize([Secret.flyte2("k")], {}, {
          flyte: 2,
          project: "flytesnacks",
          embedded: { store: Flyte2.store([inScope("k", "project"), { name: "k", value: "org" }]) }
        })
      )
      assert.strictEqual(error.reason, "InvalidOptions")
      assert.include(error.message, "a project needs its domain")
    }).pipe(Effect.scoped))

  it("the machine's awk keeps the whole name as busybox's does (machine.test.ts checks it has sh, awk and base64)", () => {
    const name = execFileSync("sh", [
      "-c",
      "printf 'abc=1\\n' | awk '{ i = index($0, \"=\"); print substr($0, 0, i - 1) }'"
    ], {
      encoding: "utf8"
    })
    assert.strictEqual(name, "abc\n")
  })

  it.effect("files: the pod's own init container script, run here, writes exactly what materialize lays out", () =>
    Effect.gen(function*() {
      const materialized = yield* Kubernetes.materialize(fileSecrets, {}, options)
      const pod = yield* Kubernetes.injectSecrets(
        yield* Kubernetes.annotatePod({ spec: { containers: [{ name: "task" }] } }, [], { flyte: 2, ...scope }),
        fileSecrets,
        options
      )
      runInitContainer(pod, scratch.dir)
      const byScript = filesUnder(scratch.dir)
      assert.deepStrictEqual(Object.keys(byScript).sort(), ["MyKey", "binary", "clé", "empty", "multi-line", "twice"])
      assert.deepStrictEqual(filesUnder(materialized.dir), byScript)
    }).pipe(Effect.scoped))

  it.effect("files keep the key's case and the exact bytes; a key requested twice is written twice", () =>
    Effect.gen(function*() {
      const m = yield* Kubernetes.materialize(fileSecrets, {}, options)
      assert.deepStrictEqual(new Uint8Array(fs.readFileSync(path.join(m.dir, "binary"))), binary)
      assert.strictEqual(fs.readFileSync(path.join(m.dir, "MyKey"), "utf8"), "hello")
      assert.strictEqual(fs.readFileSync(path.join(m.dir, "empty"), "utf8"), "")
      assert.strictEqual(fs.readFileSync(path.join(m.dir, "twice"), "utf8"), "2x2x")
      // The webhook's envVar names the lower-case path, which does not exist for a key with capitals.
      assert.strictEqual(m.env["MY_KEY_PATH"], path.join(m.dir, "mykey"))
      assert.isFalse(fs.existsSync(m.env["MY_KEY_PATH"]!))
      assert.strictEqual(m.env["FLYTE_SECRETS_DEFAULT_DIR"], m.dir)
    }).pipe(Effect.scoped))

  it.effect("environment variables hold the stored values as literals", () =>
    Effect.gen(function*() {
      const m = yield* Kubernetes.materialize(
        [Secret.flyte2("openai-key"), { key: "binary-text", mountRequirement: "ENV_VAR", envVar: "TEXT" }],
        {},
        {
          flyte: 2,
          embedded: {
            store: Flyte2.store([{ name: "openai-key", value: "sk 1\n" }, {
              name: "binary-text",
              value: new TextEncoder().encode("ü")
            }])
          }
        }
      )
      assert.strictEqual(m.env["OPENAI_KEY"], "sk 1\n")
      assert.strictEqual(m.env["TEXT"], "ü")
      assert.strictEqual(m.env["FLYTE_SECRETS_ENV_PREFIX"], "_UNION_")
    }).pipe(Effect.scoped))

  it.effect("without project and domain only the organisation scope is read", () =>
    Effect.gen(function*() {
      const scoped = Flyte2.store([inScope("k", "project"), { name: "k", value: "org" }])
      const m = yield* Kubernetes.materialize([Secret.flyte2("k")], {}, { flyte: 2, embedded: { store: scoped } })
      assert.strictEqual(m.env["K"], "org")
      const error = yield* failureOf(
        Kubernetes.materialize([Secret.flyte2("k")], {}, {
          flyte: 2,
          embedded: { store: Flyte2.store([inScope("k", "p")]) }
        })
      )
      assert.strictEqual(error.reason, "NotInjected")
    }).pipe(Effect.scoped))

  it.effect("a key the init container's shell would split or expand is refused", () =>
    Effect.gen(function*() {
      for (const key of ["a b", "$(id)", "a;b", "x>y", "x\nother", "a=b"]) {
        const error = yield* failureOf(
          Kubernetes.materialize([{ key, mountRequirement: "FILE" }], {}, {
            flyte: 2,
            embedded: { store: Flyte2.store([{ name: key, value: "v" }]) }
          })
        )
        // A line break or "=" is refused before injection; injection refuses any other key the script would run.
        assert.strictEqual(error.reason, /[\n=]/.test(key) ? "UnsupportedLayout" : "InvalidSecret", key)
      }
    }).pipe(Effect.scoped))
})

describe("Kubernetes.materialize({ flyte: 2 }): other backends as for Flyte 1", () => {
  it.effect("K8s: a key-only secret's value is values[\"\"][key], its file under md5hex(key)", () =>
    Effect.gen(function*() {
      const m = yield* Kubernetes.materialize(
        [Secret.flyte2({ key: "my-secret", mount: "/etc/flyte/secrets" })],
        { "": { "my-secret": "v" } },
        { flyte: 2, secretManagerTypes: ["K8s"] }
      )
      assert.strictEqual(
        fs.readFileSync(path.join(m.dir, "935571b8f79add9eacb3b622f95ad3a6", "my-secret"), "utf8"),
        "v"
      )
    }).pipe(Effect.scoped))

  it.effect("Azure: values[uri][version] (\"\" for the latest) in the file the CLI writes, with tsv's newline", () =>
    Effect.gen(function*() {
      const uri = "https://vault.vault.azure.net/secrets/Db-Password"
      const other = "https://vault.vault.azure.net/secrets/api"
      const m = yield* Kubernetes.materialize(
        [{ group: uri + "/", mountRequirement: "FILE" }, {
          group: other,
          groupVersion: "V1",
          mountRequirement: "FILE"
        }],
        { [uri]: { "": "latest" }, [other]: { V1: "first" } },
        { flyte: 2, secretManagerTypes: ["Azure"] }
      )
      assert.strictEqual(fs.readFileSync(path.join(m.dir, "db-password"), "utf8"), "latest\n")
      assert.strictEqual(fs.readFileSync(path.join(m.dir, "api", "v1"), "utf8"), "first\n")
    }).pipe(Effect.scoped))

  it.effect("a file that would also be a directory is a clear refusal, nothing written", () =>
    Effect.gen(function*() {
      const uri = "https://vault.vault.azure.net/secrets/db"
      const error = yield* failureOf(Kubernetes.materialize(
        [{ group: uri, mountRequirement: "FILE" }, { group: uri, groupVersion: "v1", mountRequirement: "FILE" }],
        { [uri]: { "": "latest", v1: "first" } },
        { flyte: 2, secretManagerTypes: ["Azure"] }
      ))
      assert.strictEqual(error.reason, "UnsupportedLayout")
      assert.include(error.message, "\"db\" would be a file and a directory (for \"db/v1\")")
      // An Embedded file where the K8s backend mounts a group's directory.
      const mixed = yield* failureOf(Kubernetes.materialize(
        [{ key: "certs", mountRequirement: "FILE" }, { group: "certs", key: "tls", mountRequirement: "FILE" }],
        { certs: { tls: "T" } },
        { flyte: 2, secretManagerTypes: ["Embedded", "K8s"], embedded: { store: Flyte2.store({ certs: "C" }) } }
      ))
      assert.strictEqual(mixed.reason, "UnsupportedLayout")
    }).pipe(Effect.scoped))

  it.effect("layerMaterialized: a SecretsManager over the Flyte 2 pod (K8s file and Global variable)", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "certs", key: "tls" }), "CERT")
      assert.strictEqual(yield* manager.get({ group: "openai", key: "api" }), "sk-global")
    }).pipe(Effect.provide(Kubernetes.layerMaterialized(
      [
        Secret.flyte2({ key: "tls", group: "certs", mount: "/etc/flyte/secrets" }),
        Secret.flyte2({ key: "api", group: "openai" })
      ],
      { certs: { tls: "CERT" } },
      {
        flyte: 2,
        secretManagerTypes: ["K8s"],
        globalSecrets: (secret) => secret.group === "openai" ? "sk-global" : undefined
      }
    ))))

  it.effect("two Key Vault secrets whose URIs end in one name (case aside) are refused: one would overwrite the other", () =>
    Effect.gen(function*() {
      const one = "https://one.vault.azure.net/secrets/db"
      const two = "https://two.vault.azure.net/secrets/DB"
      const error = yield* failureOf(Kubernetes.materialize(
        [{ group: one, key: "a", mountRequirement: "FILE" }, { group: two, key: "b", mountRequirement: "FILE" }],
        { [one]: { "": "A" }, [two]: { "": "B" } },
        { flyte: 2, secretManagerTypes: ["Azure"] }
      ))
      assert.strictEqual(error.reason, "UnsupportedLayout")
      assert.include(error.message, "\"db\" is written for two secrets")
      assert.notInclude(error.message, "\"A\"")
      // The same Key Vault secret declared twice writes one file with one value: no clash.
      const twice = yield* Kubernetes.materialize(
        [{ group: one, key: "a", mountRequirement: "FILE" }, { group: one, key: "b", mountRequirement: "FILE" }],
        { [one]: { "": "A" } },
        { flyte: 2, secretManagerTypes: ["Azure"] }
      )
      assert.strictEqual(fs.readFileSync(path.join(twice.dir, "db"), "utf8"), "A\n")
    }).pipe(Effect.scoped))

  it.effect("two secret managers that each mount a volume at the secrets directory: the pod is refused, saying so", () =>
    Effect.gen(function*() {
      const uri = "https://vault.vault.azure.net/secrets/db"
      const error = yield* failureOf(Kubernetes.materialize(
        [{ key: "api", mountRequirement: "FILE" }, { group: uri, key: "db", mountRequirement: "FILE" }],
        { [uri]: { "": "D" } },
        { flyte: 2, secretManagerTypes: ["Embedded", "Azure"], embedded: { store: Flyte2.store({ api: "A" }) } }
      ))
      assert.strictEqual(error.reason, "RejectedPod")
      assert.include(error.message, "two volumes are mounted at \"/etc/flyte/secrets\"")
      assert.include(error.message, "two secret managers each mount a volume at the secrets directory")
      assert.include(error.message, "(\"embedded-secret-vol\" and \"azure-secret-vol\")")
      assert.notInclude(error.message, "differ only in case")
    }).pipe(Effect.scoped))
})

describe("examples/flyte2.ts, the Flyte 2 page's example", () => {
  it.effect("declares, stores, renders and materialises as its comments say", () =>
    Effect.gen(function*() {
      const example = yield* Effect.promise(() => import("../examples/flyte2.ts"))
      assert.deepStrictEqual(example.summarize.securityContext(), {
        secrets: [
          { key: "openai-key", mountRequirement: "ENV_VAR", envVar: "OPENAI_KEY" },
          { group: "anthropic", key: "api-key", mountRequirement: "ENV_VAR", envVar: "ANTHROPIC_API_KEY" },
          { key: "tls-cert", mountRequirement: "FILE" }
        ]
      })
      const pod = yield* example.rendered
      const env = pod.spec.containers[0]!.env!
      assert.deepStrictEqual(env.find((envVar) => envVar.name === "ANTHROPIC_API_KEY"), {
        name: "ANTHROPIC_API_KEY",
        value: "sk-ant-org"
      })
      assert.strictEqual(pod.spec.initContainers![0]!.name, "init-embedded-secret")
      assert.deepStrictEqual(yield* example.seen, {
        openaiKey: "sk-project",
        anthropicKey: "sk-ant-org",
        tlsCert: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"
      })
      const manifest = yield* example.storedManifest
      const id = "u__org__flyte__domain__development__project__flytesnacks__key__openai-key"
      assert.strictEqual(manifest.metadata.name, createHash("md5").update(id).digest("hex"))
      assert.deepStrictEqual(manifest.stringData, { [id]: "sk-project" })
    }))
})
