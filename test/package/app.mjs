// A plain JavaScript (ES module) user of the installed package.
import assert from "node:assert/strict"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { makeSecrets, Secret, SecretNotFound, SecretsManager } from "effect-secrets"
import { makeSecrets as facadeEntry } from "effect-secrets/SecretsFacade"

// The test layer, through the facade.
const secrets = makeSecrets(SecretsManager.layerTest({ env: { FLYTE_SECRETS_MY_GROUP_MY_KEY: "s3cr3t" } }))
assert.equal(secrets.my_group.my_key, "s3cr3t")
assert.throws(() => secrets.get("x"), SecretNotFound)

// The live layer, over a Kubernetes-style secret volume.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-secrets-"))
fs.mkdirSync(path.join(dir, "my-api-keys", "..2026_01_01_00_00_00.1"), { recursive: true })
fs.writeFileSync(path.join(dir, "my-api-keys", "..2026_01_01_00_00_00.1", "github_token"), "from-volume\n")
fs.symlinkSync("..2026_01_01_00_00_00.1", path.join(dir, "my-api-keys", "..data"))
fs.symlinkSync("..data/github_token", path.join(dir, "my-api-keys", "github_token"))
process.env.FLYTE_SECRETS_DEFAULT_DIR = dir
assert.equal(facadeEntry().my_api_keys.github_token, "from-volume")
fs.rmSync(dir, { recursive: true })

assert.deepEqual(Secret.toIdl(new Secret({ key: "token" })), { key: "token" })
// The engine is not part of the package's surface.
await assert.rejects(import("effect-secrets/internal/lookup/naming"), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" })
console.log("ESM consumer: ok")
