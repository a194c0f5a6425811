import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { inspect } from "node:util"
import { Flyte2 } from "../src/index.ts"
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
