// A CommonJS user: Node >= 22.12 loads the ES module package with require().
const assert = require("node:assert/strict")
const { makeSecrets, SecretsManager } = require("effect-secrets")

const secrets = makeSecrets(SecretsManager.layerTest({ env: { FLYTE_SECRETS_DB_PASSWORD: "pw" } }))
assert.equal(secrets.db.password, "pw")
// A miss thrown through the root is the class a subpath exports, required or imported.
const { SecretNotFound } = require("effect-secrets/SecretsError")
assert.throws(() => secrets.get({ group: "db", key: "user" }), SecretNotFound)
import("effect-secrets/SecretsError").then((imported) => {
  assert.equal(imported.SecretNotFound, SecretNotFound)
  console.log("CommonJS consumer: ok")
})
