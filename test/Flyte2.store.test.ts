import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { inspect } from "node:util"
import { Flyte2 } from "../src/index.ts"
import {
  isDnsLabel,
  isDnsSubdomain,
  isLabelKey,
  isLabelValue,
  isSecretKey
} from "../src/internal/kubernetes/podValidation.ts"
import type { SecretInjectionError } from "../src/KubernetesError.ts"
import { thrownBy } from "./support.ts"

interface StorageCase {
  readonly name: string
  readonly request: {
    readonly id: Flyte2.SecretId
    readonly secretSpec: { readonly stringValue?: string; readonly binaryValueBase64?: string }
  }
  readonly expectError: boolean
  readonly errorMessage?: string
  readonly encodedName?: string
  readonly kubernetesSecret?: unknown
  readonly webhookLookupOrder?: ReadonlyArray<string>
}

const storage: ReadonlyArray<StorageCase> = JSON.parse(
  fs.readFileSync(fileURLToPath(new URL("./fixtures/flyte2-vectors.json", import.meta.url)), "utf8")
).storage

const valueOf = (spec: StorageCase["request"]["secretSpec"]) =>
  spec.stringValue !== undefined ? spec.stringValue : new Uint8Array(Buffer.from(spec.binaryValueBase64!, "base64"))

/** The typed error `kubernetesSecret` fails with (a test failure when it succeeds). */
/** An id with `value` as its project (and a plain domain), and one with `value` as its domain, each by its field. */
const scopeFields = (value: string) =>
  [["project", { name: "k", project: value, domain: "d" }], ["domain", { name: "k", domain: value }]] as const

const refusal = (id: Flyte2.SecretId, namespace?: string) =>
  Effect.gen(function*() {
    const result = yield* Effect.result(
      Flyte2.kubernetesSecret(id, "v", namespace === undefined ? undefined : { namespace })
    )
    assert.isTrue(Result.isFailure(result), JSON.stringify({ id, namespace }))
    return (result as Result.Failure<unknown, SecretInjectionError>).failure
  })

// A line break, a carriage return, a terminal escape, a C1 control, a bidi override, a zero-width character, a
// line separator, a quote and a backslash: none can be in a label's value or a name, each would print as more.
const unprintable = ["\n", "\r", "\u001b[2J", "\u009b", "\u202e", "\u200b", "\u2028", "\"", "\\"]

// Printable text Kubernetes refuses as a label value, and so as the Secret SecretService labels with it.
const notLabelValues = ["Flyte Snacks", "dev/1", "a".repeat(64), "-dev", "dev-", "_dev", ".dev", "dév", "dev:1"]

describe("Flyte2.kubernetesSecret: what SecretService writes (storage vectors)", () => {
  it("holds 5 storage cases", () => assert.strictEqual(storage.length, 5))
  for (const vector of storage) {
    it.effect(vector.name, () =>
      Effect.gen(function*() {
        const result = yield* Effect.result(
          Flyte2.kubernetesSecret(vector.request.id, valueOf(vector.request.secretSpec))
        )
        if (vector.expectError) {
          assert.isTrue(Result.isFailure(result))
          const error = (result as Result.Failure<unknown, { message: string; reason: string }>).failure
          assert.include(error.message, vector.errorMessage!)
          return
        }
        assert.isTrue(Result.isSuccess(result))
        assert.deepStrictEqual((result as Result.Success<unknown, never>).success, vector.kubernetesSecret)
        assert.strictEqual(Flyte2.encodeSecretName(vector.request.id), vector.encodedName)
      }))
  }
  it.effect("the namespace can be set (the Helm chart uses the release namespace)", () =>
    Effect.gen(function*() {
      const secret = yield* Flyte2.kubernetesSecret({ name: "k" }, "v", { namespace: "flyte-system" })
      assert.strictEqual(secret.metadata.namespace, "flyte-system")
    }))
  it.effect("refuses a project or domain that does not print as it is, naming the field, as InvalidSecret", () =>
    Effect.gen(function*() {
      for (const character of unprintable) {
        const hostile = `dev${character}FORGED`
        for (const [field, id] of scopeFields(hostile)) {
          const error = yield* refusal(id)
          assert.strictEqual(error._tag, "SecretInjectionError")
          assert.strictEqual(error.reason, "InvalidSecret", field)
          assert.include(error.message, `${field} "dev`, JSON.stringify(character))
          assert.include(error.message, "cannot be in a Kubernetes label", field)
          assert.notInclude(error.message, hostile, "the text is shown escaped")
        }
      }
    }))

  it.effect("refuses a namespace Kubernetes would refuse (a DNS label), naming the field, as InvalidOptions", () =>
    Effect.gen(function*() {
      const refused = [
        ...unprintable.map((character) => `flyte${character}x`),
        "Flyte",
        "flyte_system",
        "flyte.system",
        "-flyte",
        "flyte-",
        "a".repeat(64),
        "flyte system"
      ]
      for (const namespace of refused) {
        const error = yield* refusal({ name: "k" }, namespace)
        assert.strictEqual(error._tag, "SecretInjectionError")
        assert.strictEqual(error.reason, "InvalidOptions", JSON.stringify(namespace))
        assert.include(error.message, "namespace", JSON.stringify(namespace))
        assert.include(error.message, "DNS label", JSON.stringify(namespace))
        if (namespace.includes("x")) assert.notInclude(error.message, namespace, "the text is shown escaped")
      }
      for (const namespace of ["a".repeat(63), "flyte-system", "0", "union-2"]) {
        const secret = yield* Flyte2.kubernetesSecret({ name: "k" }, "v", { namespace })
        assert.strictEqual(secret.metadata.namespace, namespace)
      }
    }))

  it.effect("an id is read once: a getter cannot answer a printable project to the checks and another to the Secret", () =>
    Effect.gen(function*() {
      for (const field of ["name", "project", "domain"] as const) {
        let reads = 0
        // Plain text for the first reads (the checks), a bidi override and a quote afterwards.
        const id = { name: "k", project: "p", domain: "d" }
        Object.defineProperty(id, field, { enumerable: true, get: () => reads++ < 2 ? "plain" : "evil\u202e\"x" })
        const result = yield* Effect.result(Flyte2.kubernetesSecret(id, "v"))
        if (Result.isFailure(result)) continue
        const secret = result.success
        const printed = JSON.stringify(secret)
        assert.notInclude(printed, "evil", field)
        assert.deepStrictEqual(Object.keys(secret.stringData!), [Flyte2.encodeSecretName({ ...id, [field]: "plain" })])
      }
    }))

  it.effect("a project and domain Kubernetes takes as label values build the Secret, even ones that are not DNS names", () =>
    Effect.gen(function*() {
      for (const [project, domain] of [["Flyte_Snacks", "Dev.1"], ["P", "a".repeat(63)], ["a-_.Z", "0"]]) {
        const secret = yield* Flyte2.kubernetesSecret({ name: "openai-key", project, domain }, "v")
        assert.strictEqual(secret.metadata.labels["app.flyte.org/project"], project)
        assert.strictEqual(secret.metadata.labels["app.flyte.org/domain"], domain)
      }
    }))

  it.effect("refuses a printable project or domain Kubernetes refuses as a label value, saying what a label value is, as InvalidSecret", () =>
    Effect.gen(function*() {
      for (const value of notLabelValues) {
        for (const [field, id] of scopeFields(value)) {
          const error = yield* refusal(id)
          assert.strictEqual(error.reason, "InvalidSecret", `${field} ${value}`)
          assert.include(error.message, `${field} ${JSON.stringify(value)}`)
          assert.include(error.message, "Kubernetes label value")
          assert.include(error.message, "at most 63")
        }
      }
    }))

  it.effect("refuses a name a Secret's data key or a task's file cannot be (letters, digits, \"-\", \"_\", \".\"), naming the field, as InvalidSecret", () =>
    Effect.gen(function*() {
      for (
        const name of [...unprintable.map((character) => `a${character}b`), "a b", "a/b", "../etc", ".", "..", "é"]
      ) {
        const error = yield* refusal({ name, project: "p", domain: "d" })
        assert.strictEqual(error._tag, "SecretInjectionError")
        assert.strictEqual(error.reason, "InvalidSecret", JSON.stringify(name))
        assert.include(error.message, "letters, digits, \"-\", \"_\" and \".\"", JSON.stringify(name))
        if (unprintable.some((character) => name.includes(character))) {
          assert.include(error.message, "name \"a", JSON.stringify(name))
          assert.notInclude(error.message, name, "the text is shown escaped")
        } else {
          assert.include(error.message, `name ${JSON.stringify(name)}`)
        }
      }
      // SecretService's API declares letters, digits, "-" and "_", but the service stores a name with "." too.
      for (const name of ["openai-key", "A_1", "-", "_", "0", "tls.crt", "...", ".hidden"]) {
        const secret = yield* Flyte2.kubernetesSecret({ name }, "v")
        assert.deepStrictEqual(Object.keys(secret.stringData!), [Flyte2.encodeSecretName({ name })])
      }
    }))

  it.effect("refuses an id longer than a Secret's data key may be (253 characters), as InvalidSecret", () =>
    Effect.gen(function*() {
      const scope = { project: "p".repeat(63), domain: "d".repeat(63) }
      // u__org__flyte__domain__<63>__project__<63>__key__<name>: 167 characters and the name.
      const longest = "k".repeat(253 - 167)
      const secret = yield* Flyte2.kubernetesSecret({ name: longest, ...scope }, "v")
      assert.strictEqual(Object.keys(secret.stringData!)[0]!.length, 253)
      const error = yield* refusal({ name: `${longest}k`, ...scope })
      assert.strictEqual(error.reason, "InvalidSecret")
      assert.include(error.message, "254 characters")
      assert.include(error.message, "at most 253")
    }))

  it("any id it accepts builds a Secret whose every field Kubernetes validates is valid; any it refuses is one SecretService's names or Kubernetes refuse", () => {
    // Mostly text Kubernetes could take, of every length up to past its limits (63 for a label value, 253 for a data
    // key), and some with a space, "/", a control, format or non-ASCII character, a quote or a backslash.
    const plain = fc.constantFrom(..."aZ09-_")
    const odd = fc.constantFrom(" ", "/", "\n", "\u202e", "\"", "\\", "é", ":", ".")
    const oddText = fc.string({ unit: fc.oneof({ weight: 6, arbitrary: plain }, odd), maxLength: 12 })
    const alphanumeric = fc.constantFrom(..."aZ09")
    const middle = fc.string({ unit: fc.constantFrom(..."aZ09-_."), maxLength: 66, size: "max" })
    const labelLike = fc.tuple(alphanumeric, middle, alphanumeric).map(([first, inner, last]) => first + inner + last)
    const scopePart = fc.option(fc.oneof({ weight: 4, arbitrary: labelLike }, oddText), { nil: undefined, freq: 4 })
    const name = fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: plain, minLength: 1, maxLength: 220, size: "max" }) },
      oddText
    )
    fc.assert(
      fc.property(name, scopePart, scopePart, (name, project, domain) => {
        const id = { name, project, domain }
        const built = Effect.runSync(Effect.result(Flyte2.kubernetesSecret(id, "v")))
        const dataKey = Flyte2.encodeSecretName(id)
        if (Result.isSuccess(built)) {
          const { metadata, stringData } = built.success
          assert.isTrue(isDnsSubdomain(metadata.name), metadata.name)
          assert.isTrue(isDnsLabel(metadata.namespace))
          for (const [key, value] of Object.entries(metadata.labels)) {
            assert.isTrue(isLabelKey(key), key)
            assert.isTrue(isLabelValue(value), JSON.stringify(value))
          }
          assert.deepStrictEqual(Object.keys(stringData!), [dataKey])
          assert.isTrue(isSecretKey(dataKey), JSON.stringify(dataKey))
        } else {
          const serviceRefuses = !/^[-._a-zA-Z0-9]+$/.test(name) || name === "." || name === ".." ||
            (project && !domain)
          const labels = [project, domain].filter((value) => value !== undefined && value !== "")
          const kubernetesRefuses = !isSecretKey(dataKey) || !labels.every((value) => isLabelValue(value!))
          assert.isTrue(Boolean(serviceRefuses || kubernetesRefuses), JSON.stringify(id))
        }
      }),
      { numRuns: 400 }
    )
  })

  it.effect("refuses a value over the 1 MiB Kubernetes takes in a Secret, text by its UTF-8 bytes, without the value", () =>
    Effect.gen(function*() {
      const limit = 1024 * 1024
      const atLimit = yield* Flyte2.kubernetesSecret({ name: "k" }, new Uint8Array(limit))
      assert.strictEqual(Buffer.from(Object.values(atLimit.data!)[0]!, "base64").length, limit)
      yield* Flyte2.kubernetesSecret({ name: "k" }, "s".repeat(limit))
      for (const value of [new Uint8Array(limit + 1), "é".repeat(limit / 2 + 1)]) {
        const error = yield* Effect.flip(Flyte2.kubernetesSecret({ name: "k" }, value))
        assert.strictEqual(error.reason, "InvalidValue")
        assert.include(error.message, "at most 1048576 (1 MiB)")
        assert.isBelow(error.message.length, 400)
      }
    }))

  it.effect("the 1 MiB is exact for text of 2, 3 and 4-byte characters and for bytes: at the limit taken, one byte over refused", () =>
    Effect.gen(function*() {
      const limit = 1024 * 1024
      const atLimit = ["é".repeat(limit / 2), "€".repeat((limit - 1) / 3) + "a", "😀".repeat(limit / 4)]
      for (const value of atLimit) {
        assert.strictEqual(Buffer.byteLength(value), limit)
        const secret = yield* Flyte2.kubernetesSecret({ name: "k" }, value)
        assert.strictEqual(Object.values(secret.stringData!)[0], value)
        const error = yield* Effect.flip(Flyte2.kubernetesSecret({ name: "k" }, value + "a"))
        assert.include(error.message, "the value is 1048577 bytes")
      }
      const view = new Uint8Array(new ArrayBuffer(limit + 10), 5, limit)
      yield* Flyte2.kubernetesSecret({ name: "k" }, view)
      const over = yield* Effect.flip(Flyte2.kubernetesSecret({ name: "k" }, new Uint8Array(limit + 1)))
      assert.include(over.message, "the value is 1048577 bytes")
    }))

  it.effect("refuses text holding a lone surrogate, which Kubernetes cannot store as given, saying to pass bytes", () =>
    Effect.gen(function*() {
      for (const value of ["a\ud800b", "\udfff", "x\ud83d"]) {
        const error = yield* Effect.flip(Flyte2.kubernetesSecret({ name: "k" }, value))
        assert.strictEqual(error.reason, "InvalidValue", JSON.stringify(value))
        assert.include(error.message, "Uint8Array")
        assert.notInclude(error.message, value)
      }
      // A surrogate pair is one character, taken as it is.
      const pair = yield* Flyte2.kubernetesSecret({ name: "k" }, "\ud83d\ude00")
      assert.strictEqual(Object.values(pair.stringData!)[0], "😀")
    }))

  it.effect("bad ids and values are typed errors", () =>
    Effect.gen(function*() {
      for (const [id, value] of [[{ name: "" }, "v"], [{ name: "k" }, 42], [{} as never, "v"]] as const) {
        const result = yield* Effect.result(Flyte2.kubernetesSecret(id as never, value as never))
        assert.isTrue(Result.isFailure(result), JSON.stringify(id))
      }
    }))
})

describe("Flyte2.encodeSecretName", () => {
  it("u__org__flyte__domain__<domain>__project__<project>__key__<name>", () => {
    assert.strictEqual(
      Flyte2.encodeSecretName({ name: "k", project: "p", domain: "d" }),
      "u__org__flyte__domain__d__project__p__key__k"
    )
    assert.strictEqual(Flyte2.encodeSecretName({ name: "k" }), "u__org__flyte__domain____project____key__k")
    assert.strictEqual(
      Flyte2.encodeSecretName({ name: "k", organization: "acme" }),
      Flyte2.encodeSecretName({ name: "k" })
    )
  })
})

describe("Flyte2.store", () => {
  it("prints ids only, never a value: toString, toJSON, inspect", () => {
    const store = Flyte2.store([
      { name: "openai-key", value: "sk-VERY-SECRET", project: "p", domain: "d" },
      { name: "bin", value: new Uint8Array([1, 2, 3]) }
    ])
    for (const printed of [String(store), JSON.stringify(store), inspect(store, { depth: 10, showHidden: true })]) {
      assert.notInclude(printed, "VERY-SECRET")
      assert.include(printed, "u__org__flyte__domain__d__project__p__key__openai-key")
    }
  })
  it("a record is the organisation scope", () => {
    assert.deepStrictEqual(Flyte2.store({ k: "v" }).ids, ["u__org__flyte__domain____project____key__k"])
  })
  it("refuses a project without a domain with the service's words, and bad entries", () => {
    const message = (thrownBy(() => Flyte2.store([{ name: "k", value: "v", project: "p" }])) as Error).message
    assert.include(message, "project-scoped secrets must also specify a domain, got project=\"p\" domain=\"\"")
    assert.include((thrownBy(() => Flyte2.store([{ name: "", value: "v" }])) as Error).message, "name")
    assert.include((thrownBy(() => Flyte2.store([{ name: "k", value: 1 as never }])) as Error).message, "Uint8Array")
    assert.include((thrownBy(() => Flyte2.store(null as never)) as Error).message, "Flyte2.store")
  })
  it("reads each entry's fields once: a getter cannot pass the checks with one scope and store under another", () => {
    for (const field of ["name", "project", "domain"] as const) {
      let reads = 0
      const entry = { name: "k", value: "v", project: "p", domain: "d" }
      Object.defineProperty(entry, field, { enumerable: true, get: () => reads++ < 1 ? "plain" : "Not a label\u202e" })
      const store = Flyte2.store([entry])
      assert.deepStrictEqual(store.ids, [
        Flyte2.encodeSecretName({ name: "k", project: "p", domain: "d", [field]: "plain" })
      ], field)
    }
  })

  it.effect("refuses a project or domain no pod can carry as a label, with the words of kubernetesSecret's refusal", () =>
    Effect.gen(function*() {
      const refused = [...unprintable.map((character) => `dev${character}FORGED`), ...notLabelValues]
      for (const value of refused) {
        for (const scope of [{ project: value, domain: "d" }, { domain: value }]) {
          const thrown = thrownBy(() => Flyte2.store([{ name: "ok", value: "v" }, { name: "k", value: "v", ...scope }]))
          assert.instanceOf(thrown, TypeError, JSON.stringify(scope))
          const { detail } = yield* refusal({ name: "k", ...scope })
          assert.include((thrown as TypeError).message, `entry 1: ${detail}`, JSON.stringify(scope))
          if (value.includes("FORGED")) assert.notInclude((thrown as TypeError).message, value, "shown escaped")
        }
      }
      const store = Flyte2.store([{ name: "k", value: "v", project: "Flyte_Snacks", domain: "Dev.1" }])
      assert.deepStrictEqual(store.ids, ["u__org__flyte__domain__Dev.1__project__Flyte_Snacks__key__k"])
    }))
  it("still holds a name SecretService's names leave out: the Embedded secret manager reads any key it is given", () => {
    const store = Flyte2.store({ "tls.crt": "C", "a b": "v" })
    assert.deepStrictEqual(store.ids, [
      "u__org__flyte__domain____project____key__a b",
      "u__org__flyte__domain____project____key__tls.crt"
    ])
  })
  it("keeps its own copy of bytes: changing the array given changes nothing", () => {
    const bytes = new Uint8Array([1, 2, 3])
    const store = Flyte2.store([{ name: "b", value: bytes }])
    bytes[0] = 9
    assert.deepStrictEqual(
      store.lookup("u__org__flyte__domain____project____key__b")?.binaryValue,
      new Uint8Array([1, 2, 3])
    )
  })
})
