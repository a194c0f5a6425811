/**
 * Each public module exports its public API and nothing else: engine helpers live under `internal/`, which the
 * package's `exports` map closes, and the barrel is reached as the package root only.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Environment from "../src/Environment.ts"
import * as SecretsConfig from "../src/SecretsConfig.ts"
import * as SecretsError from "../src/SecretsError.ts"
import * as SecretsFacade from "../src/SecretsFacade.ts"
import * as SecretsManager from "../src/SecretsManager.ts"

const root = path.join(import.meta.dirname, "..")
const names = (module: object) => Object.keys(module).sort()

describe("public modules export their public API only", () => {
  it("SecretsError, SecretsFacade, SecretsConfig, Environment and SecretsManager export no engine helpers", () => {
    assert.deepStrictEqual(names(SecretsError), ["Attempt", "MissingSecrets", "SecretNotFound", "SecretNotFoundReason"])
    assert.deepStrictEqual(names(SecretsFacade), ["makeSecrets", "secrets"])
    assert.deepStrictEqual(names(SecretsConfig), ["SecretsConfig", "defaults"])
    assert.deepStrictEqual(names(Environment), ["Environment"])
    assert.deepStrictEqual(names(SecretsManager), ["SecretsManager", "make"])
  })

  it("the package closes ./index, ./internal/* and the bundle's ./chunks/*, and the build strips what is marked internal", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf-8"))
    assert.isNull(manifest.exports["./index"])
    assert.isNull(manifest.exports["./internal/*"])
    assert.isNull(manifest.exports["./chunks/*"])
    const build = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.build.json"), "utf-8"))
    assert.isTrue(build.compilerOptions.stripInternal)
  })
})
