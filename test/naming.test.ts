import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as path from "node:path"
import {
  envVarName,
  nameProblem,
  secretFilePath,
  shellSafeSpelling,
  toSecretName
} from "../src/internal/lookup/naming.ts"
import { arbitraryNamePart } from "./support.ts"

const name = (group?: string, key?: string, groupVersion?: string) => toSecretName({ group, key, groupVersion })

describe("env variable names (flytekit rules)", () => {
  it("joins group and key upper-cased after the prefix", () => {
    assert.strictEqual(envVarName("_FSEC_", name("group", "test")), "_FSEC_GROUP_TEST")
  })
  it("puts the version between group and key", () => {
    assert.strictEqual(envVarName("_FSEC_", name("my-group", "ABC", "v1")), "_FSEC_MY-GROUP_V1_ABC")
  })
  it("drops an absent key and an absent version", () => {
    assert.strictEqual(envVarName("_FSEC_", name("group")), "_FSEC_GROUP")
    assert.strictEqual(envVarName("_FSEC_", name("group", undefined, "v1")), "_FSEC_GROUP_V1")
  })
  it("reads a key-only request as flytekit does", () => {
    assert.strictEqual(envVarName("FLYTE_SECRETS_", name(undefined, "key")), "FLYTE_SECRETS_KEY")
  })
  it("treats empty parts as absent", () => {
    assert.strictEqual(envVarName("P_", name("g", "", "")), "P_G")
  })
  it("keeps hyphens; the shell-safe spelling replaces them", () => {
    assert.strictEqual(envVarName("FLYTE_SECRETS_", name("my-api-keys", "token")), "FLYTE_SECRETS_MY-API-KEYS_TOKEN")
    assert.strictEqual(shellSafeSpelling("FLYTE_SECRETS_MY-API-KEYS_TOKEN"), "FLYTE_SECRETS_MY_API_KEYS_TOKEN")
    assert.strictEqual(shellSafeSpelling("FLYTE_SECRETS_PLAIN_TOKEN"), undefined)
  })
})

describe("file paths (flytekit rules)", () => {
  it("lower-cases every part under the directory", () => {
    assert.strictEqual(
      secretFilePath("/etc/secrets", "", name("My-Group", "TLS_Cert")),
      "/etc/secrets/my-group/tls_cert"
    )
  })
  it("puts the version folder between group and key", () => {
    assert.strictEqual(secretFilePath("/etc/secrets/", "", name("g", "k", "V1")), "/etc/secrets/g/v1/k")
  })
  it("puts the file prefix on the last part only", () => {
    assert.strictEqual(secretFilePath("/s", "pre_", name("g", "k")), "/s/g/pre_k")
    assert.strictEqual(secretFilePath("/s", "pre_", name("g")), "/s/pre_g")
  })
})

describe("unsafe names", () => {
  for (const unsafe of ["..", ".", "../x", "a/b", "/abs", "a\\b", "nul\u0000", "tab\t", "del\u007f"]) {
    it(`refuses ${JSON.stringify(unsafe)} in every part`, () => {
      assert.include(nameProblem(name(unsafe, "k")) ?? "", "unsafe name")
      assert.include(nameProblem(name("g", unsafe)) ?? "", "unsafe name")
      assert.include(nameProblem(name("g", "k", unsafe)) ?? "", "unsafe name")
    })
  }
  it("keeps %2f literal: it is not a separator", () => {
    assert.isUndefined(nameProblem(name("a%2fb", "k")))
    assert.strictEqual(secretFilePath("/s", "", name("a%2fb", "k")), "/s/a%2fb/k")
  })
  it("needs a group or a key", () => {
    assert.include(nameProblem(name("", "")) ?? "", "needs a group or a key")
  })
})

describe("properties", () => {
  const part = arbitraryNamePart
  it("the env name is the prefix and the upper-cased present parts joined by _", () => {
    fc.assert(fc.property(part, part, part, (group, key, groupVersion) => {
      const parsed = name(group, key, groupVersion)
      const parts = [group, groupVersion, key].filter((p) => p !== undefined && p !== "").map((p) => p!.toUpperCase())
      assert.strictEqual(envVarName("FLYTE_SECRETS_", parsed), "FLYTE_SECRETS_" + parts.join("_"))
    }))
  })
  it("a name is refused or its file path stays under the directory", () => {
    const dir = "/etc/secrets"
    fc.assert(
      fc.property(part, part, part, (group, key, groupVersion) => {
        const parsed = name(group, key, groupVersion)
        if (nameProblem(parsed) !== undefined) return
        const file = secretFilePath(dir, "", parsed)
        assert.isTrue(path.posix.normalize(file).startsWith(dir + "/"), file)
        assert.strictEqual(path.posix.normalize(file), file)
      }),
      { numRuns: 2000 }
    )
  })
})
