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
  it("requires a group", () => {
    assert.include(thrown(() => new Secret({} as never)), "Group is a required parameter")
    assert.include(thrown(() => new Secret({ group: "" })), "Group is a required parameter")
  })
  it("refuses an invalid env var name, naming it", () => {
    for (const bad of ["lower", "1ABC", "A-B", "A B", "ABC\n"]) {
      assert.include(thrown(() => new Secret({ group: "g", envVar: bad })), `Invalid environment variable name: ${bad}`)
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
})
