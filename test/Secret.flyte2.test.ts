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

describe("Secret.flyte2: a Key Vault URI as the group (the Azure secret manager)", () => {
  const mount = "/etc/flyte/secrets"
  const vaultUri = "https://myvault.vault.azure.net/secrets/db-password"

  it("a URI group is accepted with a mount (a FILE secret) or with asEnvVar, and kept as given", () => {
    const file = Secret.flyte2({ key: "db-password", group: vaultUri, mount })
    assert.strictEqual(file.group, vaultUri)
    assert.strictEqual(file.mountRequirement, "FILE")
    assert.strictEqual(file.origin, "flyte2")
    const variable = Secret.flyte2({ key: "db-password", group: vaultUri, asEnvVar: "DB_PASSWORD" })
    assert.strictEqual(variable.group, vaultUri)
    assert.strictEqual(variable.envVar, "DB_PASSWORD")
    const versioned = "http://vault.example:8080/secrets/Db-Password/0123abcd"
    assert.strictEqual(Secret.flyte2({ key: "k", group: versioned, mount }).group, versioned)
  })
  it("Secret.toIdl gives the URI group as it is", () => {
    assert.deepStrictEqual(Secret.toIdl(Secret.flyte2({ key: "db-password", group: vaultUri, mount })), {
      group: vaultUri,
      key: "db-password",
      mountRequirement: "FILE"
    })
  })
  it("without mount or asEnvVar the derived variable name is refused with flyte-sdk's message", () => {
    const message = thrown(() => Secret.flyte2({ key: "db-password", group: vaultUri }))
    assert.include(
      message,
      "Invalid environment variable name: HTTPS://MYVAULT.VAULT.AZURE.NET/SECRETS/DB_PASSWORD_DB_PASSWORD"
    )
    assert.include(message, envPattern)
    assert.include(message, "asEnvVar")
  })
  it("a hostile URI is refused with what was wrong: '.' and '..' segments, backslashes, control and format characters", () => {
    const refused = (group: string) => thrown(() => Secret.flyte2({ key: "k", group, mount }))
    for (
      const group of [
        "https://v.vault.azure.net/secrets/..",
        "https://v.vault.azure.net/../../etc/passwd",
        "https://v.vault.azure.net/secrets/./x",
        "https://v.vault.azure.net/secrets/a\\..\\..\\x",
        "https://v.vault.azure.net/secrets/a\nb",
        "https://v.vault.azure.net/secrets/a\u202eb",
        "https://v.vault.azure.net/secrets/a\u0000"
      ]
    ) {
      const message = refused(group)
      assert.include(message, "Invalid Secret", group)
      assert.include(message, "group", group)
      assert.notMatch(message, /[\n\u202e\u0000]b?"/, group)
    }
  })
  it("a URI that is not https:// or http:// with a host and a path is refused", () => {
    const refused = (group: string) => thrown(() => Secret.flyte2({ key: "k", group, mount }))
    assert.include(refused("file:///etc/passwd"), "https:// or http://")
    assert.include(refused("ftp://v.example/secrets/x"), "https:// or http://")
    assert.include(refused("https:///secrets/x"), "host")
    assert.include(refused("https://v.vault.azure.net"), "path")
    assert.include(refused("https://v.vault.azure.net/"), "path")
    assert.include(refused("secrets/db-password"), "https:// or http://")
    assert.include(refused("https://v.vault.azure.net/secrets//x"), "empty")
  })
  it("a URI is refused where the Azure secret manager's shell command would read it as code or split it", () => {
    const refused = (group: string) => thrown(() => Secret.flyte2({ key: "k", group, mount }))
    for (
      const group of [
        "https://v.vault.azure.net/secrets/x\"; rm -rf /; \"",
        "https://v.vault.azure.net/secrets/$(id)",
        "https://v.vault.azure.net/secrets/`id`",
        "https://v.vault.azure.net/secrets/a b",
        "https://v.vault.azure.net/secrets/x;id",
        "https://v.vault.azure.net/secrets/x?api-version=7.4",
        "https://v.vault.azure.net/secrets/x#frag",
        "https://user@v.vault.azure.net/secrets/x",
        "https://v.vault.azure.net/secrets/%2e%2e"
      ]
    ) assert.include(refused(group), "Invalid Secret", group)
  })
  it("a URI segment over 253 characters, or a group over 253 characters, is refused", () => {
    const refused = (group: string) => thrown(() => Secret.flyte2({ key: "k", group, mount }))
    assert.include(refused(`https://v.vault.azure.net/secrets/${"a".repeat(254)}`), "253")
    assert.include(refused(`https://v.vault.azure.net/${"a/".repeat(120)}x`), "253")
  })
  it("a Flyte 1 Secret refuses '/' in a group exactly as before, a URI included", () => {
    for (
      const secret of [{ group: vaultUri, key: "k" }, { group: "a/b", key: "k" }, {
        group: "a/b",
        key: "k",
        origin: "flyte1" as const
      }]
    ) {
      const message = thrown(() => new Secret(secret))
      assert.include(message, `unsafe name: group ${JSON.stringify(secret.group)} could leave the secrets directory`)
    }
    assert.include(thrown(() => Secret.fromIdl({ group: vaultUri, key: "k" })), "unsafe name: group")
    assert.strictEqual(
      thrown(() => new Secret({ group: "a/b", key: "k" })),
      "Invalid Secret: unsafe name: group \"a/b\" could leave the secrets directory or forge text where it is shown " +
        "(names may not be \".\" or \"..\" nor hold \"/\", \"\\\", control, format, surrogate, separator or invisible " +
        "characters)" +
        "\n  at [\"group\"]"
    )
  })
  it("a Flyte 2 Secret made directly or read from IDL with origin flyte2 takes a URI group", () => {
    assert.strictEqual(
      new Secret({ group: vaultUri, key: "k", mountRequirement: "FILE", origin: "flyte2" }).group,
      vaultUri
    )
    assert.strictEqual(
      Secret.fromIdl({ group: vaultUri, key: "k", mountRequirement: 2 }, { origin: "flyte2" }).group,
      vaultUri
    )
  })
})
