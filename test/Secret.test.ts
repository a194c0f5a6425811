import { assert, describe, it } from "@effect/vitest"
import { Secret } from "../src/index.ts"
import { thrownBy } from "./support.ts"

const thrown = (f: () => unknown): string => (thrownBy(f) as Error).message

describe("Secret", () => {
  it("defaults the mount requirement to ANY", () => {
    const secret = new Secret({ group: "my-group", key: "my_key" })
    assert.strictEqual(secret.mountRequirement, "ANY")
    assert.strictEqual(secret.group, "my-group")
    assert.strictEqual(secret.key, "my_key")
  })
  it("names the mount types as flytekit does", () => {
    assert.deepStrictEqual(Secret.MountType, { ANY: "ANY", ENV_VAR: "ENV_VAR", FILE: "FILE" })
    const secret = new Secret({
      group: "certs",
      key: "tls",
      mountRequirement: Secret.MountType.FILE,
      envVar: "TLS_PATH"
    })
    assert.strictEqual(secret.mountRequirement, "FILE")
    assert.strictEqual(secret.envVar, "TLS_PATH")
  })
  it("needs a group or a key, and reads \"\" as absent (flytekit accepts key-only secrets)", () => {
    assert.include(thrown(() => new Secret({})), "a secret needs a group or a key")
    assert.include(thrown(() => new Secret({ group: "", key: "" })), "a secret needs a group or a key")
    const keyOnly = new Secret({ group: "", key: "token" })
    assert.isFalse("group" in keyOnly)
    assert.strictEqual(keyOnly.key, "token")
    assert.deepStrictEqual(Secret.toIdl(keyOnly), { key: "token" })
    assert.deepStrictEqual(Secret.fromIdl({ group: "", key: "token", groupVersion: "" }), keyOnly)
    assert.strictEqual(new Secret({ group: "g" }).group, "g")
  })
  it("reads its fields as own properties: a polluted prototype adds nothing", () => {
    const prototype = Object.prototype as Record<string, unknown>
    prototype["envVar"] = "POLLUTED"
    prototype["group"] = "polluted"
    try {
      const secret = new Secret({ key: "k" })
      assert.isFalse(Object.hasOwn(secret, "envVar"))
      assert.isFalse(Object.hasOwn(secret, "group"))
    } finally {
      delete prototype["envVar"]
      delete prototype["group"]
    }
  })
  it("refuses an invalid env var name, naming it", () => {
    for (const bad of ["lower", "1ABC", "A-B", "A B", "ABC\n"]) {
      // Shown escaped: a name cannot forge a line of its own in an error.
      const shown = JSON.stringify(bad).slice(1, -1)
      assert.include(
        thrown(() => new Secret({ group: "g", envVar: bad })),
        `Invalid environment variable name: ${shown}`
      )
    }
    assert.strictEqual(new Secret({ group: "g", envVar: "_OK_1" }).envVar, "_OK_1")
  })
  it("refuses an unknown mount requirement with a readable message", () => {
    const message = thrown(() => new Secret({ group: "g", mountRequirement: "DISK" as never }))
    assert.include(message, "mountRequirement")
    assert.notInclude(message, "Schema validation failed")
  })
  it("refuses names that could leave the secrets directory", () => {
    assert.include(thrown(() => new Secret({ group: "../etc" })), "unsafe name")
    assert.include(thrown(() => new Secret({ group: "g", key: "a/b" })), "unsafe name")
    assert.include(thrown(() => new Secret({ group: "g", groupVersion: ".." })), "unsafe name")
  })
  it("refuses control, bidi, zero-width and separator characters, overlong and non-string parts", () => {
    for (
      const bad of ["a\u0085b", "a\u202eb", "a\u200bb", "a\u2028b", "a\u2029b", "a\ufeffb", "\ud800", "x".repeat(254)]
    ) {
      const message = thrown(() => new Secret({ group: bad, key: "k" }))
      assert.include(message, "unsafe name")
      assert.notMatch(message, /[\u0085\u202e\u200b\u2028\u2029\ufeff]/)
    }
    assert.strictEqual(new Secret({ group: "x".repeat(253) }).group?.length, 253)
    assert.match(thrown(() => new Secret({ group: 5 as never })), /Expected string[^]*group/)
  })
})

describe("S2 Secret fields", () => {
  it("refuses an unknown field, naming the one meant", () => {
    assert.include(
      thrown(() => new Secret({ grup: "a", key: "k" } as never)),
      "unknown field \"grup\" (did you mean \"group\"?)"
    )
    assert.include(thrown(() => new Secret({ key: "k", colour: "red" } as never)), "unknown field \"colour\"")
  })
})

describe("S2 Secret envVar rules", () => {
  it("refuses envVar \"\" at construction, as flytekit does; fromIdl still reads \"\" as absent (proto3)", () => {
    assert.include(thrown(() => new Secret({ group: "g", key: "k", envVar: "" })), "Invalid environment variable name")
    const fromIdl = Secret.fromIdl({ group: "g", key: "k", envVar: "", env_var: "" })
    assert.isFalse(Object.hasOwn(fromIdl, "envVar"))
    assert.isFalse(Object.hasOwn(Secret.fromIdl({ group: "g", env_var: "" }), "envVar"))
  })

  it("refuses an envVar that is one of the library's own configuration variables", () => {
    for (
      const name of [
        "FLYTE_SECRETS_MAX_FILE_BYTES",
        "FLYTE_SECRETS_DEFAULT_DIR",
        "FLYTE_SECRETS_ENV_PREFIX",
        "FLYTE_SECRETS_FILE_PREFIX",
        "FLYTE_SECRETS_ANYTHING",
        "FLYTE_INTERNAL_EXECUTION_ID"
      ]
    ) {
      const message = thrown(() => new Secret({ group: "g", key: "k", envVar: name }))
      assert.include(message, `"${name}" is a configuration variable of this library`)
    }
    // Near names are ordinary variables.
    assert.strictEqual(new Secret({ group: "g", envVar: "FLYTE_SECRET_TOKEN" }).envVar, "FLYTE_SECRET_TOKEN")
    assert.strictEqual(new Secret({ group: "g", envVar: "FLYTE_INTERNAL_X" }).envVar, "FLYTE_INTERNAL_X")
  })
})

describe("Secret IDL codec", () => {
  it("Secret(\"grp\", \"key\") keeps the key and no version", () => {
    const idl = Secret.toIdl(new Secret({ group: "grp", key: "key" }))
    assert.deepStrictEqual(idl, { group: "grp", key: "key" })
    const back = Secret.fromIdl(idl)
    assert.strictEqual(back.key, "key")
    assert.isUndefined(back.groupVersion)
  })
  it("Secret(\"grp\", group_version=\"v1\") keeps the version and no key", () => {
    const back = Secret.fromIdl(Secret.toIdl(new Secret({ group: "grp", groupVersion: "v1" })))
    assert.strictEqual(back.groupVersion, "v1")
    assert.isUndefined(back.key)
  })
  it("a key-only secret is written without a group, and a group \"\" is read as absent", () => {
    const secret = new Secret({ key: "api_token" })
    assert.deepStrictEqual(Secret.toIdl(secret), { key: "api_token" })
    assert.deepStrictEqual(Secret.fromIdl({ group: "", key: "api_token" }), secret)
  })
  it("round-trips every field", () => {
    const secret = new Secret({ group: "g", key: "k", groupVersion: "v", mountRequirement: "FILE", envVar: "E" })
    assert.deepStrictEqual(Secret.fromIdl(Secret.toIdl(secret)), secret)
  })
  it("reads snake_case, enum numbers, and empty strings as absent", () => {
    const secret = Secret.fromIdl({ group: "g", key: "", group_version: "", mount_requirement: 1, env_var: "" })
    assert.isUndefined(secret.key)
    assert.isUndefined(secret.groupVersion)
    assert.isUndefined(secret.envVar)
    assert.strictEqual(secret.mountRequirement, "ENV_VAR")
    assert.strictEqual(Secret.fromIdl({ group: "g", mountRequirement: 2 }).mountRequirement, "FILE")
    assert.strictEqual(Secret.fromIdl({ group: "g", mountRequirement: 0 }).mountRequirement, "ANY")
    assert.strictEqual(Secret.fromIdl({ group: "g", mountRequirement: "ENV_VAR" }).mountRequirement, "ENV_VAR")
  })
  it("omits proto3 defaults when writing", () => {
    assert.deepStrictEqual(Secret.toIdl(new Secret({ group: "g", key: "", mountRequirement: "ANY" })), { group: "g" })
  })
  it("throws a readable error for invalid IDL", () => {
    assert.include(
      (thrownBy(() => Secret.fromIdl({ group: "g", mountRequirement: 7 })) as Error).message,
      "mountRequirement"
    )
    assert.include((thrownBy(() => Secret.fromIdl({})) as Error).message, "a secret needs a group or a key")
    assert.include((thrownBy(() => Secret.fromIdl(null)) as Error).message, "Invalid flyteidl Secret")
  })
  it("writes a Flyte 2 secret as flyte-sdk does: group absent when not given, never ANY, never a group version", () => {
    assert.deepStrictEqual(Secret.toIdl(Secret.flyte2("openai-key")), {
      key: "openai-key",
      mountRequirement: "ENV_VAR",
      envVar: "OPENAI_KEY"
    })
    assert.deepStrictEqual(Secret.toIdl(Secret.flyte2({ key: "api-key", group: "openai" })), {
      group: "openai",
      key: "api-key",
      mountRequirement: "ENV_VAR",
      envVar: "OPENAI_API_KEY"
    })
    assert.notProperty(Secret.toIdl(Secret.flyte2("k")), "origin")
  })
  it("Secret.fromIdl(json, { origin: \"flyte2\" }) tags what it reads", () => {
    const secret = Secret.fromIdl({ key: "k", mountRequirement: "ENV_VAR", envVar: "K" }, { origin: "flyte2" })
    assert.strictEqual(secret.origin, "flyte2")
    assert.deepStrictEqual(Secret.toIdl(secret), { key: "k", mountRequirement: "ENV_VAR", envVar: "K" })
  })
})
