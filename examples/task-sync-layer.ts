import { SecretsManager, task } from "effect-secrets"

// task.sync reads through SecretsManager.layer unless given another layer: here, the test layer.
const greet = task.sync({
  name: "greet",
  secretRequests: [{ group: "my-api-keys", key: "github_token" }],
  layer: SecretsManager.layerTest({ env: { FLYTE_SECRETS_MY_API_KEYS_GITHUB_TOKEN: "test-token" } })
}, (name: string, secrets) => `hello ${name}, a token of ${secrets.my_api_keys.github_token.length} characters`)

console.log(greet("octocat"))
