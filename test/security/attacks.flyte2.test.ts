/**
 * Hostile Flyte 2 requests, declarations, stores and command lines: names that case mapping or a URI could turn into
 * a way out of the secrets directory, an origin smuggled in from outside a request's own fields, stores and
 * manifests printed every way, and `stored-secret`'s files. Each describe starts with the number of the promise in
 * docs/security.md that it attacks.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { inspect } from "node:util"
import * as util from "node:util"
import { Flyte2, Kubernetes, Secret, SecretsManager } from "../../src/index.ts"
import { flyte2FilePaths } from "../../src/internal/lookup/flyte2Names.ts"
import { quoteName } from "../../src/internal/lookup/naming.ts"
import { readRequest } from "../../src/internal/lookup/request.ts"
import type { SecretInput } from "../../src/Secret.ts"
import type { SecretRequest } from "../../src/SecretsManager.ts"
import { runCli } from "../fixtures/runCli.ts"
import {
  failureOf,
  live,
  makeTempDir,
  PLANTED,
  restoreEnv,
  setEnv,
  thrownBy,
  useSecretsDir,
  visibleTexts
} from "../support.ts"

const flyte2 = (request: Omit<SecretRequest, "origin">): SecretRequest => ({ ...request, origin: "flyte2" })

/** What a lookup answers: the value, or every text its failure shows. */
const answer = (request: unknown) =>
  live(SecretsManager.use((manager) => manager.get(request as SecretRequest))).pipe(
    Effect.result,
    Effect.map((result) => Result.isSuccess(result) ? result.success : visibleTexts(result.failure))
  )

describe("S1 Flyte 2 names never leave the secrets directory, whatever case mapping or a URI makes of them", () => {
  const dirs = useSecretsDir()

  // Names that are, or could become after Go's case mapping or a URI's last segment, a way out of D.
  const hostile: ReadonlyArray<Omit<SecretRequest, "origin">> = [
    { key: ".." },
    { key: "passwd", group: ".." },
    { key: "passwd", group: "../.." },
    { key: "passwd", group: "a/../.." },
    { key: "passwd", group: "/.." },
    { key: "passwd", group: "x/.." },
    { key: "passwd", group: "x/../" },
    { key: "passwd", group: "https://h/secrets/.." },
    { key: "passwd", group: "https://h/secrets/../" },
    { key: "x", group: "https://h/secrets/..%2F..%2Fpasswd" },
    { key: "passwd", group: "..%2F" },
    { key: "\u212A", group: ".." },
    { key: "passwd", group: "\u0130/.." },
    { key: "\u017F", group: "\u212A/../.." }
  ]

  it.effect("no hostile group or key reads a file outside D, and none is shown raw", () =>
    Effect.gen(function*() {
      // The planted value sits beside D and above it, where `..` would lead.
      for (const file of ["passwd", "x", "k", "s"]) fs.writeFileSync(path.join(dirs.root, file), PLANTED)
      fs.mkdirSync(path.join(dirs.secrets, "a"))
      for (const request of hostile) {
        const answered = yield* answer(flyte2(request))
        assert.notInclude(answered, PLANTED, JSON.stringify(request))
        assert.notInclude(answered, path.join(dirs.root, "passwd"), JSON.stringify(request))
      }
    }))

  it("every file place of an accepted Flyte 2 name is inside D, for names whose case mapping changes them", () => {
    const D = "/d"
    const keys = ["\u212A", "\u017F", "\u0130", "\u1E9E", "\u03A3", "\u2126", "\u00DF", "\uFB00", "K\u0307"]
    const groups = [undefined, "\u212A", "\u0130", "https://h/secrets/\u212A", "a/b", "https://h/secrets/x/"]
    for (const key of keys) {
      for (const group of groups) {
        const target = readRequest({ key, group, origin: "flyte2" })
        if (typeof target === "string") continue
        for (const file of flyte2FilePaths(D, target.name)) {
          assert.strictEqual(path.posix.normalize(file), file, file)
          assert.isTrue(file.startsWith(D + "/"), file)
          assert.notInclude(file.slice(D.length), "/../", file)
        }
      }
    }
  })

  it.effect("a link in D to a directory outside is not followed for a Flyte 2 group", () =>
    Effect.gen(function*() {
      fs.writeFileSync(path.join(dirs.root, "passwd"), PLANTED)
      fs.symlinkSync(dirs.root, path.join(dirs.secrets, "grp"))
      fs.symlinkSync(path.join(dirs.root, "passwd"), path.join(dirs.secrets, "key"))
      for (const request of [{ group: "grp", key: "passwd" }, { key: "key" }, { group: "GRP", key: "PASSWD" }]) {
        assert.notInclude(yield* answer(flyte2(request)), PLANTED, JSON.stringify(request))
      }
    }))
})

describe("S1 the Flyte 2 webhook never builds a path outside D from a plain declaration", () => {
  const pod = { metadata: { labels: { organization: "flyte", project: "p", domain: "d" } }, spec: { containers: [] } }
  const cases: ReadonlyArray<readonly [SecretInput, Kubernetes.Flyte2SecretManagerType]> = [
    [{ group: "../../../etc", key: "passwd", mountRequirement: "FILE" }, "K8s"],
    [{ group: "g", key: "..", mountRequirement: "FILE" }, "K8s"],
    [{ key: "../../x", mountRequirement: "FILE" }, "Embedded"],
    [{ group: "https://v.vault.azure.net/secrets/..", mountRequirement: "FILE" }, "Azure"],
    [{ group: "https://v/secrets/db", groupVersion: "../../x", mountRequirement: "FILE" }, "Azure"],
    [{ group: "kv/../../../etc", key: "k", mountRequirement: "FILE" }, "Vault"],
    [{ group: "g", key: "../../x", mountRequirement: "FILE" }, "AWS"]
  ]

  it.effect("a \"..\" segment in any part is refused as bad input, before any secret manager", () =>
    Effect.gen(function*() {
      for (const [secret, manager] of cases) {
        const error = yield* failureOf(Kubernetes.injectSecrets({ ...pod, spec: { containers: [{ name: "t" }] } }, [
          secret
        ], {
          flyte: 2,
          secretManagerTypes: [manager],
          embedded: { store: Flyte2.store({ [secret.key ?? "k"]: "v" }) }
        }))
        assert.strictEqual(error.reason, "InvalidSecret", JSON.stringify(secret))
        assert.include(error.message, "outside the secrets directory", JSON.stringify(secret))
      }
    }))

  it.effect("a Vault path and a Key Vault URI still inject", () =>
    Effect.gen(function*() {
      for (
        const [secret, manager] of [
          [{ group: "kv/app", key: "db", mountRequirement: "FILE" }, "Vault"],
          [{ group: "https://v.vault.azure.net/secrets/db/", mountRequirement: "FILE" }, "Azure"]
        ] as const
      ) {
        const injected = yield* Kubernetes.injectSecrets({ ...pod, spec: { containers: [{ name: "t" }] } }, [secret], {
          flyte: 2,
          secretManagerTypes: [manager]
        })
        assert.isDefined(injected.spec)
      }
    }))
})

describe("S2 a request's origin is its own field only: never a prototype's, a getter's second answer", () => {
  const dirs = useSecretsDir()

  it.effect("an origin inherited, non-enumerable or on a class's prototype leaves the request a Flyte 1 one", () =>
    Effect.gen(function*() {
      // Only Flyte 2's place `D/tok` (Embedded's file, no group) holds a value: a Flyte 1 lookup of group "g" never
      // looks there.
      fs.writeFileSync(path.join(dirs.secrets, "tok"), "flyte2-value")
      const inherited = Object.create({ origin: "flyte2" }) as Record<string, unknown>
      Object.assign(inherited, { group: "g", key: "tok" })
      const hidden = { group: "g", key: "tok" }
      Object.defineProperty(hidden, "origin", { value: "flyte2", enumerable: false })
      class Request {
        readonly group = "g"
        readonly key = "tok"
        get origin() {
          return "flyte2"
        }
      }
      for (const request of [inherited, hidden, new Request()]) {
        assert.notStrictEqual(yield* answer(request), "flyte2-value")
      }
      assert.strictEqual(yield* answer({ group: "g", key: "tok", origin: "flyte2" }), "flyte2-value")
    }))

  it.effect("an own getter is read once: it cannot pass as Flyte 1 when checked and read as Flyte 2", () =>
    Effect.gen(function*() {
      fs.writeFileSync(path.join(dirs.secrets, "tok"), "flyte2-value")
      let reads = 0
      const request = {
        group: "g",
        key: "tok",
        get origin() {
          reads++
          return reads === 1 ? "flyte1" : "flyte2"
        }
      }
      const answered = yield* answer(request)
      assert.strictEqual(reads, 1)
      assert.notStrictEqual(answered, "flyte2-value")
    }))

  it("a Secret spread keeps its origin; a Flyte 1 Secret cannot hold a Flyte 2 URI group", () => {
    const declared = Secret.flyte2({ key: "tok", mount: "/etc/flyte/secrets" })
    assert.strictEqual(({ ...declared } as { origin?: string }).origin, "flyte2")
    const uri = "https://v.vault.azure.net/secrets/db"
    assert.include(String(thrownBy(() => new Secret({ group: uri, key: "k" }))), "unsafe name")
    for (const group of ["HTTPS://v/secrets/db", "https://u@v/secrets/db", "https://v/secrets/..%2Fx"]) {
      assert.include(String(thrownBy(() => new Secret({ group, key: "k", origin: "flyte2" }))), "unsafe name", group)
    }
  })
})

describe("S9 a Flyte 2 store never prints a value", () => {
  it("a store shows ids only: inspect, JSON, String, a template literal", () => {
    const bytes = new TextEncoder().encode(PLANTED)
    const store = Flyte2.store([{ name: "a", value: PLANTED }, { name: "b", value: bytes, domain: "d" }])
    const base64 = Buffer.from(PLANTED).toString("base64")
    for (
      const shown of [
        inspect(store, { depth: 20, showHidden: true }),
        JSON.stringify(store),
        String(store),
        `${store}`,
        util.format("%o %O %j", store, store, store),
        inspect({ store }, { depth: 20, showHidden: true })
      ]
    ) {
      assert.notInclude(shown, PLANTED)
      assert.notInclude(shown, base64)
    }
  })
})

describe("S1 a Flyte 2 store's names and stored-secret's arguments are printed escaped: no line or escape is forged", () => {
  // A line break, a carriage return, a terminal escape, C1 controls, bidi overrides, zero-width and separators.
  const forging = ["\n", "\r", "\u001b[31m", "\u0085", "\u009b", "\u202e", "\u2066", "\u200b", "\ufeff", "\u2028"]
  // Every character above; the line feed too, except in inspect's output, which breaks its own lines.
  const raw = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/
  const rawButLines = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/

  it("Flyte2.store: String, a template literal, JSON and inspect escape each id; a project or domain holding one is refused, escaped", () => {
    for (const character of forging) {
      const hostile = `x${character}FORGED: line`
      const label = JSON.stringify(character)
      for (const scope of [{ domain: hostile }, { project: hostile, domain: "d" }]) {
        const refused = thrownBy(() => Flyte2.store([{ name: "k", value: PLANTED, ...scope }])) as Error
        assert.include(refused.message, "cannot be in a Kubernetes label", label)
        assert.notMatch(refused.message, raw, label)
        assert.notInclude(refused.message, PLANTED)
      }
      const store = Flyte2.store([{ name: hostile, value: PLANTED }, { name: "k", value: PLANTED, domain: "d" }])
      for (const shown of [String(store), `${store}`, JSON.stringify(store), util.format("%j", store)]) {
        assert.notMatch(shown, raw, label)
      }
      for (const shown of [inspect(store, { depth: 20, showHidden: true }), util.format("%o %O", store, store)]) {
        assert.notMatch(shown, rawButLines, label)
        assert.notMatch(shown, /\nFORGED/, label)
      }
      assert.strictEqual(String(store), `Flyte2.Store(${store.ids.map((id) => quoteName(id)).join(", ")})`)
    }
  })

  it.effect("stored-secret: a --project, --domain, --namespace or --out holding one is refused or printed escaped", () =>
    Effect.gen(function*() {
      const temp = makeTempDir()
      try {
        setEnv({ STORED_VALUE: PLANTED })
        for (const character of forging) {
          const hostile = `x${character}FORGED: line`
          const label = JSON.stringify(character)
          const runs = [
            ["--project", hostile, "--domain", "d"],
            ["--domain", hostile],
            ["--namespace", hostile],
            ["--namespace", hostile, "--out", path.join(temp.dir, `out-${forging.indexOf(character)}.yaml`)],
            ["--out", path.join(temp.dir, `out${character}FORGED.yaml`)]
          ]
          for (const args of runs) {
            const ran = yield* runCli(["stored-secret", "k", "--from-env", "STORED_VALUE", ...args])
            for (const shown of [ran.stdout, ran.stderr]) {
              assert.notMatch(shown, rawButLines, `${label} ${args[0]}`)
              assert.notMatch(shown, /^\s*FORGED/m, `${label} ${args[0]}`)
              assert.notInclude(shown, PLANTED)
            }
          }
        }
      } finally {
        temp.remove()
        restoreEnv()
      }
    }))
})

describe("S14 stored-secret --from-file reads at most a Secret's 1 MiB, whatever the file's size says", () => {
  it.effect("a regular file whose reported size is 0 but whose content is over 1 MiB is refused, nothing written", () =>
    Effect.gen(function*() {
      const temp = makeTempDir()
      try {
        // A kernel file reports size 0 and holds megabytes: what the size check alone lets through.
        const file = "/proc/kallsyms"
        const big = fs.existsSync(file) && fs.statSync(file).size === 0
        const source = big ? file : path.join(temp.dir, "grown")
        if (!big) fs.writeFileSync(source, Buffer.alloc(1024 * 1024 + 1))
        const out = path.join(temp.dir, "secret.yaml")
        const ran = yield* runCli(["stored-secret", "k", "--from-file", source, "--out", out])
        assert.isTrue(Exit.isFailure(ran.exit), ran.stdout)
        assert.include(ran.stderr, "larger than a Secret's 1 MiB")
        assert.isFalse(fs.existsSync(out))
      } finally {
        temp.remove()
        restoreEnv()
      }
    }))

  it.effect("a FIFO, a device and a link to either are refused at once, without blocking", () =>
    Effect.gen(function*() {
      const temp = makeTempDir()
      try {
        const fifo = path.join(temp.dir, "fifo")
        execFileSync("mkfifo", [fifo])
        const link = path.join(temp.dir, "link")
        fs.symlinkSync(fifo, link)
        for (const source of [fifo, link, "/dev/zero", "/dev/null"]) {
          const ran = yield* runCli(["stored-secret", "k", "--from-file", source])
          assert.isTrue(Exit.isFailure(ran.exit), source)
          assert.include(ran.stderr, "not a regular file", source)
        }
      } finally {
        temp.remove()
      }
    }))
})

describe("S14 a Flyte 2 id of megabytes is refused in a message of bounded size", () => {
  it.effect("kubernetesSecret and store: a huge name, project or domain is shown by its length, never copied whole", () =>
    Effect.gen(function*() {
      const huge = "a".repeat(4 * 1024 * 1024)
      const ids = [
        { name: `${huge} b` },
        { name: huge },
        { name: "k", project: `${huge}\nFORGED`, domain: "d" },
        { name: "k", domain: huge },
        { name: "k", project: huge }
      ]
      for (const id of ids) {
        const error = yield* Effect.flip(Flyte2.kubernetesSecret(id, PLANTED))
        assert.isBelow(error.message.length, 1000, JSON.stringify(Object.keys(id)))
        assert.include(error.message, " characters")
        assert.notInclude(error.message, PLANTED)
      }
      const namespace = yield* Effect.flip(Flyte2.kubernetesSecret({ name: "k" }, PLANTED, { namespace: huge }))
      assert.isBelow(namespace.message.length, 1000)
      const entries = [{ name: "k", value: PLANTED, domain: huge }, { name: huge, value: 1 as never }]
      for (const entry of entries) {
        const stored = thrownBy(() => Flyte2.store([entry])) as Error
        assert.isBelow(stored.message.length, 1000)
        assert.include(stored.message, " characters")
      }
    }))
})

describe("S8 a Flyte 2 declared variable is the value itself: a path in it is never opened", () => {
  const dirs = useSecretsDir()

  it.effect("Secret.flyte2's variable holding a path in D, or any path, answers that text", () =>
    Effect.gen(function*() {
      const other = path.join(dirs.secrets, "other")
      fs.writeFileSync(other, PLANTED)
      for (const value of [other, "/etc/passwd", path.join(dirs.root, "..", "x")]) {
        setEnv({ MY_API_KEY: value })
        const declared = Secret.flyte2("my-api-key")
        assert.strictEqual(yield* answer({ ...declared }), value)
      }
    }))
})

describe("S1 Flyte 2 keys that have no single UTF-8 spelling are refused before md5 or any read", () => {
  it("a lone surrogate, a control or a format character in a key is refused at the boundary", () => {
    for (const key of ["\uD800", "a\uDC00", "a\u0000", "a\u202Eb", "a\u200Bb"]) {
      const target = readRequest({ key, origin: "flyte2" })
      assert.isString(target, JSON.stringify(key))
      assert.include(target as string, "unsafe name", JSON.stringify(key))
      assert.notInclude(target as string, key, JSON.stringify(key))
    }
  })
})

describe("S14 the Flyte 2 webhook merges the variables of thousands of secrets, each once", () => {
  it.effect("thousands of Embedded secrets inject, each variable once", () =>
    Effect.gen(function*() {
      const count = 5000
      const keys = Array.from({ length: count }, (_, index) => `key-${index}`)
      const injected = yield* Kubernetes.injectSecrets(
        {
          metadata: { labels: { organization: "flyte", project: "p", domain: "d" } },
          spec: { containers: [{ name: "t" }] }
        },
        keys.map((key) => Secret.flyte2(key)),
        { flyte: 2, embedded: { store: Flyte2.store(Object.fromEntries(keys.map((key) => [key, "v"]))) } }
      )
      const names = injected.spec.containers[0]!.env!.map((variable) => variable.name)
      assert.strictEqual(new Set(names).size, names.length)
      assert.strictEqual(names.length, count + 1)
    }))
})

describe("S1 a Flyte 2 group that is not a Key Vault URI never reads Azure's place D/lower(N), another secret's file", () => {
  const dirs = useSecretsDir()

  it.effect("a Vault path or a group resolving through \"..\" does not answer Embedded's file D/<last segment>", () =>
    Effect.gen(function*() {
      // Embedded's file for key "app": the Azure place of any group ending in "/app".
      fs.writeFileSync(path.join(dirs.secrets, "app"), PLANTED)
      for (const group of ["kv/app", "x/../app", "secret/data/app/"]) {
        const request = { group, key: "db", mountRequirement: "FILE", origin: "flyte2" }
        assert.notInclude(yield* answer(request), PLANTED, group)
      }
      const azure = { group: "https://v.vault.azure.net/secrets/app", key: "db", mountRequirement: "FILE" }
      assert.strictEqual(yield* answer(flyte2(azure as Omit<SecretRequest, "origin">)), PLANTED)
    }))
})

describe("S16 a Flyte 2 plain declaration cannot name the reader's configuration as its variable", () => {
  it.effect("an envVar that is a configuration variable or not a variable name is refused, as for Flyte 1", () =>
    Effect.gen(function*() {
      const store = Flyte2.store({ k: "/" })
      for (
        const envVar of ["FLYTE_SECRETS_DEFAULT_DIR", "FLYTE_SECRETS_ENV_PREFIX", "FLYTE_INTERNAL_EXECUTION_ID", "a b"]
      ) {
        const secret = { key: "k", envVar, mountRequirement: "ENV_VAR" } as const
        const injected = yield* failureOf(Kubernetes.injectSecrets(
          {
            metadata: { labels: { organization: "flyte", project: "p", domain: "d" } },
            spec: { containers: [{ name: "t" }] }
          },
          [secret],
          { flyte: 2, embedded: { store } }
        ))
        assert.strictEqual(injected.reason, "InvalidSecret", envVar)
        const laidOut = yield* failureOf(Kubernetes.materialize([secret], {}, { flyte: 2, embedded: { store } }))
        assert.strictEqual(laidOut.reason, "InvalidSecret", envVar)
      }
    }).pipe(Effect.scoped))
})
