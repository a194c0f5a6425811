import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { expectTypeOf } from "vitest"
import { Kubernetes, Secret, task } from "../src/index.ts"
import { thrownBy } from "./support.ts"

const thrown = (f: () => unknown): string => (thrownBy(f) as Error).message
const envPattern = "must match ^[A-Z_][A-Z0-9_]*$"

describe("Secret.flyte2: flyte-sdk's Secret(key, group, mount, as_env_var)", () => {
  it("a bare key is Secret(key=...): ENV_VAR with the key upper-cased, '-' replaced by '_'", () => {
    const secret = Secret.flyte2("my-api-key")
    assert.strictEqual(secret.key, "my-api-key")
    assert.isUndefined(secret.group)
    assert.strictEqual(secret.mountRequirement, "ENV_VAR")
    assert.strictEqual(secret.envVar, "MY_API_KEY")
    assert.strictEqual(secret.origin, "flyte2")
  })
  it("with a group the derived name is GROUP_KEY", () => {
    assert.strictEqual(Secret.flyte2({ key: "api-key", group: "openai" }).envVar, "OPENAI_API_KEY")
  })
  it("only '-' is replaced: '.', ':' and spaces stay, and refuse the derived name", () => {
    assert.include(thrown(() => Secret.flyte2("a.b")), `Invalid environment variable name: A.B, ${envPattern}`)
    assert.include(thrown(() => Secret.flyte2("a:b")), "Invalid environment variable name: A:B")
    assert.include(thrown(() => Secret.flyte2({ key: "k", group: "my group" })), "name: MY GROUP_K,")
    assert.include(
      thrown(() => Secret.flyte2({ key: "k", group: "arn:aws:secretsmanager:us-east-1:1:secret:x" })),
      "Invalid environment variable name: ARN:AWS:SECRETSMANAGER"
    )
  })
  it("a name that starts with a digit is refused, with a hint to give asEnvVar or mount", () => {
    const message = thrown(() => Secret.flyte2("1abc"))
    assert.include(message, `Invalid environment variable name: 1ABC, ${envPattern}`)
    assert.include(message, "asEnvVar")
  })
  it("upper-cases with Unicode's full case mapping, as Python's upper() does", () => {
    assert.strictEqual(Secret.flyte2("straße").envVar, "STRASSE")
    assert.strictEqual(Secret.flyte2("ſecret").envVar, "SECRET")
    assert.strictEqual(Secret.flyte2("ﬁle").envVar, "FILE")
  })
  it("asEnvVar is taken as given and must match the pattern", () => {
    const secret = Secret.flyte2({ key: "k", asEnvVar: "MY_VAR" })
    assert.strictEqual(secret.envVar, "MY_VAR")
    assert.strictEqual(secret.mountRequirement, "ENV_VAR")
    assert.include(thrown(() => Secret.flyte2({ key: "k", asEnvVar: "my_var" })), "Invalid environment variable name")
  })
  it("asEnvVar must match as a whole: a trailing newline is refused (Python's $ would let it through)", () => {
    assert.include(thrown(() => Secret.flyte2({ key: "k", asEnvVar: "FOO\n" })), "Invalid environment variable name")
  })
  it("mount alone makes a FILE secret without envVar", () => {
    const secret = Secret.flyte2({ key: "tls-cert", mount: "/etc/flyte/secrets" })
    assert.strictEqual(secret.mountRequirement, "FILE")
    assert.isUndefined(secret.envVar)
    assert.deepStrictEqual(Secret.toIdl(secret), { key: "tls-cert", mountRequirement: "FILE" })
  })
  it("mount lets a key through that derives no valid variable name", () => {
    assert.strictEqual(Secret.flyte2({ key: "a.b", mount: "/etc/flyte/secrets" }).key, "a.b")
    const arn = "arn:aws:secretsmanager:us-east-1:123:secret:x"
    assert.strictEqual(Secret.flyte2({ key: "V2_SECRET_TEST", group: arn, mount: "/etc/flyte/secrets" }).group, arn)
  })
  it("only /etc/flyte/secrets is a mount, compared as a string", () => {
    const message = "Only /etc/flyte/secrets is supported as secret mount path today."
    assert.include(thrown(() => Secret.flyte2({ key: "k", mount: "/etc/flyte/secrets/" })), message)
    assert.include(thrown(() => Secret.flyte2({ key: "k", mount: "/tmp" })), message)
    assert.include(thrown(() => Secret.flyte2({ key: "k", mount: "/etc/flyte/./secrets" })), message)
  })
  it("the mount rule comes before the name rule, as in flyte-sdk", () => {
    assert.include(thrown(() => Secret.flyte2({ key: "k", mount: "/x", asEnvVar: "bad" })), "Only /etc/flyte/secrets")
  })
  it("mount \"\" is no mount: the name is derived", () => {
    assert.strictEqual(Secret.flyte2({ key: "k", mount: "" }).envVar, "K")
  })
  it("mount with asEnvVar is sent as ENV_VAR (the mount is dropped); asEnvVar \"\" with a mount is refused", () => {
    const secret = Secret.flyte2({ key: "k", mount: "/etc/flyte/secrets", asEnvVar: "X" })
    assert.deepStrictEqual(Secret.toIdl(secret), { key: "k", mountRequirement: "ENV_VAR", envVar: "X" })
    assert.include(
      thrown(() => Secret.flyte2({ key: "k", mount: "/etc/flyte/secrets", asEnvVar: "" })),
      "Invalid environment variable name: , must match"
    )
  })
  it("asEnvVar \"\" without a mount is no name: the name is derived", () => {
    assert.strictEqual(Secret.flyte2({ key: "k", asEnvVar: "" }).envVar, "K")
  })
  it("an empty key is refused: flyte-sdk's message without a mount, a readable one with it", () => {
    assert.include(thrown(() => Secret.flyte2("")), "Invalid environment variable name: , must match")
    assert.include(thrown(() => Secret.flyte2({ key: "", mount: "/etc/flyte/secrets" })), "a secret needs a key")
  })
  it("a name that could leave the secrets directory is refused even where flyte-sdk accepts it", () => {
    assert.include(thrown(() => Secret.flyte2({ key: "../x", mount: "/etc/flyte/secrets" })), "unsafe name")
    assert.include(thrown(() => Secret.flyte2({ key: "k", group: "a/b", asEnvVar: "X" })), "unsafe name")
  })
  it("bad shapes: a readable error naming what it takes", () => {
    assert.include(thrown(() => Secret.flyte2(42 as never)), "Secret.flyte2 takes a key")
    assert.include(thrown(() => Secret.flyte2({} as never)), "needs a key, a string")
    assert.include(thrown(() => Secret.flyte2({ key: "k", group: 1 } as never)), "group must be a string")
    assert.include(thrown(() => Secret.flyte2({ key: "k", as_env_var: "X" } as never)), "did you mean \"asEnvVar\"")
  })
  it("errors never echo control characters raw", () => {
    const message = thrown(() => Secret.flyte2({ key: "k", asEnvVar: "A\u001b[2J" }))
    assert.notInclude(message, "\u001b")
  })
  it("every other Secret has origin flyte1, and an origin is flyte1 or flyte2", () => {
    assert.strictEqual(new Secret({ group: "g", key: "k" }).origin, "flyte1")
    assert.strictEqual(Secret.fromIdl({ key: "k" }).origin, "flyte1")
    assert.strictEqual(new Secret({ key: "k", origin: "flyte2" }).origin, "flyte2")
    assert.include(thrown(() => new Secret({ key: "k", origin: "flyte3" as never })), "Invalid Secret")
  })
  it("a task accepts them in secretRequests and sends flyte-sdk's security context", () => {
    const t = task({ name: "t", secretRequests: [Secret.flyte2("openai-key")] }, () => Effect.void)
    assert.strictEqual(t.secretRequests[0]!.origin, "flyte2")
    assert.deepStrictEqual(t.securityContext(), {
      secrets: [{ key: "openai-key", mountRequirement: "ENV_VAR", envVar: "OPENAI_KEY" }]
    })
  })
  it.effect("Kubernetes.secretsFromAnnotations(pod, { origin: \"flyte2\" }) tags what it reads", () =>
    Effect.gen(function*() {
      const pod = yield* Kubernetes.annotatePod({ spec: { containers: [] } }, [Secret.flyte2("openai-key")])
      const [flyte2] = yield* Kubernetes.secretsFromAnnotations(pod, { origin: "flyte2" })
      assert.strictEqual(flyte2!.origin, "flyte2")
      assert.strictEqual(flyte2!.envVar, "OPENAI_KEY")
      const [flyte1] = yield* Kubernetes.secretsFromAnnotations(pod)
      assert.strictEqual(flyte1!.origin, "flyte1")
    }))
  it("is typed with its literal fields, the derived name included", () => {
    const bare = Secret.flyte2("my-api-key")
    expectTypeOf(bare.key).toEqualTypeOf<"my-api-key">()
    expectTypeOf(bare.envVar).toEqualTypeOf<"MY_API_KEY">()
    expectTypeOf(bare.mountRequirement).toEqualTypeOf<"ENV_VAR">()
    const grouped = Secret.flyte2({ key: "api-key", group: "openai" })
    expectTypeOf(grouped.group).toEqualTypeOf<"openai">()
    expectTypeOf(grouped.envVar).toEqualTypeOf<"OPENAI_API_KEY">()
    const file = Secret.flyte2({ key: "tls", mount: "/etc/flyte/secrets" })
    expectTypeOf(file.mountRequirement).toEqualTypeOf<"FILE">()
    const named = Secret.flyte2({ key: "k", mount: "/etc/flyte/secrets", asEnvVar: "X" })
    expectTypeOf(named.envVar).toEqualTypeOf<"X">()
    expectTypeOf(named.mountRequirement).toEqualTypeOf<"ENV_VAR">()
    // The types say what the runtime makes.
    assert.strictEqual(bare.envVar, "MY_API_KEY")
    assert.strictEqual(grouped.envVar, "OPENAI_API_KEY")
    assert.strictEqual(file.mountRequirement, "FILE")
  })
})
