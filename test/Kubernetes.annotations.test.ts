import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import { execFileSync } from "node:child_process"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Kubernetes, Secret } from "../src/index.ts"
import { decodeBase32, encodeBase32, encodeBase32Text } from "../src/internal/kubernetes/base32.ts"
import { parseSecretText, type SecretFields, toSecretText } from "../src/internal/kubernetes/secretText.ts"
import type { Pod } from "../src/Kubernetes.ts"
import { failureOf } from "./support.ts"

const pod: Pod = {
  metadata: {
    name: "task",
    labels: { app: "demo" },
    annotations: { "team": "a", "flyte.secrets/s7": "stale" }
  },
  spec: { containers: [{ name: "task" }] }
}

const podWith = (annotations: Record<string, unknown>): Pod =>
  ({ metadata: { annotations }, spec: { containers: [] } }) as unknown as Pod

describe("base32 as propeller writes it (alphabet a-z1-6, no padding)", () => {
  it("encodes propeller's volume name example", () => {
    assert.strictEqual(encodeBase32Text("grOUP_"), "m4ze5vkql3")
  })

  it("round-trips propeller's encoder test input", () => {
    const input = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz01234567890._-/"
    const decoded = decodeBase32(encodeBase32Text(input))
    assert.instanceOf(decoded, Uint8Array)
    assert.strictEqual(new TextDecoder().decode(decoded as Uint8Array), input)
  })

  it("round-trips any bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      assert.deepStrictEqual(decodeBase32(encodeBase32(bytes)), bytes)
    }))
  })

  it("refuses padding, upper case, foreign characters and impossible lengths", () => {
    for (const text of ["nnsxsoraejwxsx2lmv3secq=", "NNSXSORA", "nnsx0ora", "a", "abc", "abcdef"]) {
      assert.isString(decodeBase32(text), text)
    }
  })
})

describe("the protobuf text format of core.Secret", () => {
  it("writes one 'name: value' line per field set, in field-number order, with Go's escapes", () => {
    assert.strictEqual(
      toSecretText({ envVar: "E", mountRequirement: "FILE", key: "k", groupVersion: "v", group: "g\"\\\n\té" }),
      "group: \"g\\\"\\\\\\n\\t\\303\\251\"\ngroup_version: \"v\"\nkey: \"k\"\nmount_requirement: FILE\nenv_var: \"E\"\n"
    )
    assert.strictEqual(toSecretText({ group: "", mountRequirement: "ANY" }), "")
  })

  const part = fc.option(fc.string({ unit: "grapheme", maxLength: 12 }), { nil: undefined })
  const fields = fc.record({
    group: part,
    groupVersion: part,
    key: part,
    mountRequirement: fc.option(fc.constantFrom("ANY" as const, "ENV_VAR" as const, "FILE" as const), {
      nil: undefined
    }),
    envVar: part
  })
  /** What survives proto3: empty strings and ANY are defaults, not set. */
  const set = (input: SecretFields) =>
    Object.fromEntries(
      Object.entries(input).filter(([name, value]) =>
        value !== undefined && value !== "" && !(name === "mountRequirement" && value === "ANY")
      )
    )

  it("reads back what it writes, whatever the strings hold", () => {
    fc.assert(fc.property(fields, (input) => {
      assert.deepStrictEqual(set(parseSecretText(toSecretText(input)) as SecretFields), set(input))
    }))
  })

  it("reads any valid spelling: spacing, comments, separators, quotes, adjacent strings, escapes, enum numbers", () => {
    const spellings: ReadonlyArray<readonly [string, SecretFields]> = [
      ["key:\"my_key\"", { key: "my_key" }],
      ["  group :\t'g' \n\n key: \"a\" 'b' \"c\"  # a comment\n", { group: "g", key: "abc" }],
      ["group: \"g\", key: \"k\"; mount_requirement: 2", { group: "g", key: "k", mountRequirement: "FILE" }],
      ["mount_requirement: 0x1 key: \"\\x41\\102\\u00e9\\U0001F600\\'\\\"\\?\"", {
        mountRequirement: "ENV_VAR",
        key: "AB\u00e9\u{1F600}'\"?"
      }],
      ["mount_requirement: ENV_VAR", { mountRequirement: "ENV_VAR" }],
      ["mount_requirement: 0", { mountRequirement: "ANY" }],
      ["mount_requirement: 02 env_var: \"TOKEN\"", { mountRequirement: "FILE", envVar: "TOKEN" }],
      ["", {}]
    ]
    for (const [text, expected] of spellings) assert.deepStrictEqual(parseSecretText(text), expected, text)
  })

  it("refuses what is not the text format of a core.Secret, saying where", () => {
    const garbage: ReadonlyArray<readonly [string, string]> = [
      ["name: \"x\"", "unknown field name"],
      ["key: \"a\" key: \"b\"", "set twice"],
      ["key \"a\"", "expected \":\""],
      ["key: \"a", "unterminated string"],
      ["key: a", "expected a quoted string"],
      ["mount_requirement: SECRET", "unknown mount_requirement SECRET"],
      ["mount_requirement: 3", "is not 0, 1 or 2"],
      ["key: \"\\377\"", "not valid UTF-8"],
      ["key: \"\\q\"", "unknown escape"],
      ["key: {}", "unexpected character"],
      ["key:", "missing value"]
    ]
    for (const [text, reason] of garbage) {
      const parsed = parseSecretText(text)
      assert.isString(parsed, text)
      assert.include(parsed as string, reason)
    }
  })
})

describe("Kubernetes.annotatePod", () => {
  it.effect("adds the webhook's label and one annotation per secret; keeps the rest, replaces stale secrets", () =>
    Effect.gen(function*() {
      const annotated = yield* Kubernetes.annotatePod(pod, [
        new Secret({ key: "my_key" }),
        { group: "my-certs", key: "tls_cert", mountRequirement: "FILE", envVar: "TLS_CERT_PATH" }
      ])
      assert.deepStrictEqual(annotated.metadata, {
        name: "task",
        labels: { app: "demo", "inject-flyte-secrets": "true" },
        annotations: {
          team: "a",
          "flyte.secrets/s0": "nnsxsoraejwxsx2lmv3secq",
          "flyte.secrets/s1": encodeBase32Text(
            "group: \"my-certs\"\nkey: \"tls_cert\"\nmount_requirement: FILE\nenv_var: \"TLS_CERT_PATH\"\n"
          )
        }
      })
      assert.deepStrictEqual(annotated.spec, pod.spec)
      assert.deepStrictEqual(pod.metadata!.annotations, { "team": "a", "flyte.secrets/s7": "stale" })
    }))

  it.effect("propeller's marshaler tests: forbidden characters are encoded as they are; no secrets, no label", () =>
    Effect.gen(function*() {
      const forbidden = yield* Kubernetes.annotatePod({ spec: { containers: [] } }, [{ group: ";':/\\" }])
      assert.deepStrictEqual(forbidden.metadata!.annotations, { "flyte.secrets/s0": "m4zg54lqhiqceozhhixvyxbcbi" })
      const none = yield* Kubernetes.annotatePod({ spec: { containers: [] } }, [])
      assert.deepStrictEqual(none.metadata, { annotations: {} })
    }))

  it.effect("refuses a field that is not a string and a mount requirement that is not one", () =>
    Effect.gen(function*() {
      const notString = yield* failureOf(Kubernetes.annotatePod(pod, [{ group: 5 as any }]))
      assert.strictEqual(notString.reason, "InvalidSecret")
      assert.include(notString.message, "group must be a string")
      const mount = yield* failureOf(
        Kubernetes.annotatePod(pod, [{ group: "g", mountRequirement: "SOMETIMES" as any }])
      )
      assert.include(mount.message, "invalid mount requirement [\"SOMETIMES\"]")
    }))

  it.effect("refuses a descriptor over Kubernetes' 256 KiB annotation limit, as propeller does", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(Kubernetes.annotatePod(pod, [{ key: "k".repeat(200 * 1024) }]))
      assert.strictEqual(error.reason, "InvalidAnnotation")
      assert.include(error.message, "secret descriptor cannot exceed [262144]")
    }))
})

describe("Kubernetes.secretsFromAnnotations", () => {
  it.effect("reads back every secret annotatePod wrote, in order", () =>
    Effect.gen(function*() {
      const secrets = [
        new Secret({ key: "my_key" }),
        new Secret({ group: "Grüße", groupVersion: "v2", key: "k\"'", mountRequirement: "ENV_VAR", envVar: "X_1" }),
        new Secret({ group: "my-certs", key: "tls_cert", mountRequirement: "FILE" })
      ]
      const read = yield* Kubernetes.secretsFromAnnotations(yield* Kubernetes.annotatePod(pod, secrets))
      assert.deepStrictEqual(read.map(Secret.toIdl), secrets.map(Secret.toIdl))
      assert.isTrue(read.every((secret) => secret instanceof Secret))
    }))

  it.effect("reads propeller's own annotation and odd spellings; index order, then other suffixes", () =>
    Effect.gen(function*() {
      const read = yield* Kubernetes.secretsFromAnnotations(podWith({
        "other": "ignored",
        "flyte.secrets/sx": encodeBase32Text("group:'last'"),
        "flyte.secrets/s10": encodeBase32Text("key: \"ten\"  # tenth\n mount_requirement: 1"),
        "flyte.secrets/s2": encodeBase32Text("  group :\"g\" ;key\t: 'two'"),
        "flyte.secrets/s0": "nnsxsoraejwxsx2lmv3secq"
      }))
      assert.deepStrictEqual(read.map(Secret.toIdl), [
        { key: "my_key" },
        { group: "g", key: "two" },
        { key: "ten", mountRequirement: "ENV_VAR" },
        { group: "last" }
      ])
    }))

  it.effect("a pod without annotations has no secrets", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Kubernetes.secretsFromAnnotations({ spec: { containers: [] } }), [])
    }))

  it.effect("garbage fails with a typed error naming the annotation", () =>
    Effect.gen(function*() {
      const garbage: ReadonlyArray<readonly [unknown, string]> = [
        ["NOT-BASE32", "not base32"],
        ["a", "cannot end a base32 quantum"],
        [encodeBase32Text("secret: \"x\""), "unknown field secret"],
        [encodeBase32(Uint8Array.of(0x6b, 0x65, 0x79, 0x3a, 0x22, 0xff, 0x22)), "not valid UTF-8"],
        [42, "not a string"]
      ]
      for (const [value, reason] of garbage) {
        const error = yield* failureOf(Kubernetes.secretsFromAnnotations(podWith({ "flyte.secrets/s0": value })))
        assert.strictEqual(error.reason, "InvalidAnnotation")
        assert.include(error.message, "failed to unmarshal secrets from pod annotations")
        assert.include(error.message, "error unmarshaling secret [\"flyte.secrets/s0\"]")
        assert.include(error.message, reason)
      }
    }))

  it.effect("propeller's mutator test annotation is not valid UTF-8: propeller reads it, this library refuses it", () =>
    Effect.gen(function*() {
      // flytepropeller secrets_test.go annotates "nnsxsorcnv4v623fperca": key:"m{_\xef\x85y" (not UTF-8), which
      // its text parser accepts. A name that is not text cannot name a Kubernetes object: refused here.
      const error = yield* failureOf(
        Kubernetes.secretsFromAnnotations(podWith({ "flyte.secrets/s0": "nnsxsorcnv4v623fperca" }))
      )
      assert.include(error.message, "not valid UTF-8")
    }))

  it.effect("names are checked when read: propeller's forbidden-characters group is an unsafe name", () =>
    Effect.gen(function*() {
      const annotated = yield* Kubernetes.annotatePod({ spec: { containers: [] } }, [{ group: ";':/\\" }])
      const error = yield* failureOf(Kubernetes.secretsFromAnnotations(annotated))
      assert.strictEqual(error.reason, "InvalidSecret")
      assert.include(error.message, "annotation \"flyte.secrets/s0\"")
      assert.include(error.message, "unsafe name")
    }))
})

describe("Kubernetes.toYaml", () => {
  it("renders a pod as YAML", () => {
    assert.strictEqual(
      Kubernetes.toYaml({ spec: { containers: [{ name: "task", env: [{ name: "A", value: "" }] }] } }),
      "spec:\n  containers:\n    - name: task\n      env:\n        - name: A\n          value: \"\"\n"
    )
  })

  it("importing the library does not load yaml; the first toYaml call does", () => {
    const root = pathToFileURL(fileURLToPath(new URL("../src/index.ts", import.meta.url))).href
    const script = [
      "import { registerHooks } from 'node:module'",
      "const loaded = []",
      "registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); " +
      "if (r.url.includes('/node_modules/yaml/')) loaded.push(r.url); return r } })",
      `const { Kubernetes } = await import(${JSON.stringify(root)})`,
      "const before = loaded.length",
      "Kubernetes.toYaml({ a: 1 })",
      "console.log(JSON.stringify({ before, after: loaded.length }))"
    ].join("\n")
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })
    const counts = JSON.parse(output)
    assert.strictEqual(counts.before, 0)
    assert.isAbove(counts.after, 0)
  })
})
