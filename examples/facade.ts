import { makeSecrets, secrets, SecretsManager } from "effect-secrets"

export const readLive = () => secrets.my_api_keys?.github_token // the live default, built on first use

const fromTests = makeSecrets(SecretsManager.layerTest({ // a facade over any SecretsManager layer
  env: { FLYTE_SECRETS_MY_API_KEYS_GITHUB_TOKEN: "test-token" },
  files: { "/etc/secrets/my-certs/tls_cert": new Uint8Array([0x30, 0x82]) }
}))
const token: string = fromTests.get({ group: "my-api-keys", key: "github_token" })
const cert: Uint8Array = fromTests.get({ group: "my-certs", key: "tls_cert", encodeMode: "rb" })
const certPath: string = fromTests.getPath({ group: "my-certs", key: "tls_cert" })

console.log(token, cert.length, certPath) // test-token 2 /etc/secrets/my-certs/tls_cert
