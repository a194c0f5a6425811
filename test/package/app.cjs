// A CommonJS user: Node >= 22.12 loads the ES module package with require().
const assert = require("node:assert/strict")
const { makeSecrets, SecretsManager } = require("effect-secrets")

const secrets = makeSecrets(SecretsManager.layerTest({ env: { FLYTE_SECRETS_DB_PASSWORD: "pw" } }))
assert.equal(secrets.db.password, "pw")
console.log("CommonJS consumer: ok")
