import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { inspect } from "node:util"
import { Flyte2 } from "../src/index.ts"
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
  /** The typed error `kubernetesSecret` fails with (a test failure when it succeeds). */
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

  it.effect("refuses a project or domain that does not print as it is, naming the field, as InvalidSecret", () =>
    Effect.gen(function*() {
      for (const character of unprintable) {
        const hostile = `dev${character}FORGED`
        for (
          const [field, id] of [["project", { name: "k", project: hostile, domain: "d" }], ["domain", {
            name: "k",
            domain: hostile
          }]] as const
        ) {
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

  it.effect("a printable project and domain, even ones that are not DNS names, still build the Secret", () =>
    Effect.gen(function*() {
      const id = { name: "openai-key", project: "Flyte Snacks", domain: "dev/1" }
      const secret = yield* Flyte2.kubernetesSecret(id, "v")
      assert.strictEqual(secret.metadata.labels["app.flyte.org/project"], "Flyte Snacks")
      assert.strictEqual(secret.metadata.labels["app.flyte.org/domain"], "dev/1")
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
