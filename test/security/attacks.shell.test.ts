/**
 * Names that upstream copies into the `sh` command of a pod's init container (GCP's group and version, Azure's Key
 * Vault URI and version, the Embedded file key): each describe starts with the number of the promise in
 * docs/security.md that it attacks.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Flyte2, Kubernetes, Secret } from "../../src/index.ts"
import type { SecretInput } from "../../src/Secret.ts"
import { failureOf } from "../support.ts"

const pod = () => ({
  metadata: { labels: { organization: "flyte", project: "p", domain: "d" } },
  spec: { containers: [{ name: "t" }] }
})

const shellCharacters = ["$", "`", ";", "|", "&", "<", ">", "(", ")", "\"", "'", "\\", " ", "\n", "*", "?", "{", "!"]

/** The refusal of one secret: InvalidSecret naming the backend, the character and the shell, and no pod. */
const assertRefused = (
  error: Kubernetes.SecretInjectionError,
  backend: string,
  character: string,
  label: string
) => {
  assert.strictEqual(error.reason, "InvalidSecret", label)
  assert.strictEqual(error.backend, backend, label)
  assert.include(error.message, `the ${backend} backend`, label)
  assert.include(error.message, JSON.stringify(character), label)
  assert.include(error.message, "shell", label)
}

describe("S1 a GCP group or version is never copied into the init container's shell command as code", () => {
  const secret = new Secret({ group: "$(id)", key: "k", groupVersion: "v;id", mountRequirement: "FILE" })

  it.effect("Flyte 1: a group holding \"$(\" is refused, naming the character", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(Kubernetes.injectSecrets(pod(), [secret], { secretManagerType: "GCP" }))
      assertRefused(error, "GCP", "$", "group")
    }))

  it.effect("Flyte 2: the same secret is refused, never left to the next secret manager", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(
        Kubernetes.injectSecrets(pod(), [secret], { flyte: 2, secretManagerTypes: ["GCP", "K8s"] })
      )
      assertRefused(error, "GCP", "$", "group")
    }))

  it.effect("every shell character in a group or a version is refused, Flyte 1 and Flyte 2", () =>
    Effect.gen(function*() {
      for (const character of shellCharacters) {
        for (
          const [group, groupVersion] of [[`a${character}b`, "latest"], ["db", `1${character}`]] as const
        ) {
          const declared = { group, key: "k", groupVersion, mountRequirement: "FILE" } as const
          const label = JSON.stringify(declared)
          // Flyte 1's Secret already refuses "\\" and line breaks as names; every other character reaches GCP.
          if (character !== "\\" && character !== "\n") {
            const flyte1 = yield* failureOf(
              Kubernetes.injectSecrets(pod(), [new Secret(declared)], { secretManagerType: "GCP" })
            )
            assertRefused(flyte1, "GCP", character, label)
          }
          const flyte2 = yield* failureOf(
            Kubernetes.injectSecrets(pod(), [declared], { flyte: 2, secretManagerTypes: ["GCP"] })
          )
          assertRefused(flyte2, "GCP", character, label)
        }
      }
    }))

  it.effect("a GCP secret id and a version spelt as GCP spells them still inject", () =>
    Effect.gen(function*() {
      const declared = { group: "my_Secret-1.v2", key: "k", groupVersion: "latest", mountRequirement: "FILE" } as const
      const flyte1 = yield* Kubernetes.injectSecrets(pod(), [new Secret(declared)], { secretManagerType: "GCP" })
      const flyte2 = yield* Kubernetes.injectSecrets(pod(), [declared], { flyte: 2, secretManagerTypes: ["GCP"] })
      for (const injected of [flyte1, flyte2]) {
        assert.include(injected.spec?.initContainers?.[0]?.command?.[2], "my_Secret-1.v2/versions/latest")
      }
    }))
})

describe("S1 an Azure Key Vault URI or version is never copied into the init container's shell command as code", () => {
  const azure = (secret: SecretInput) =>
    Kubernetes.injectSecrets(pod(), [secret], { flyte: 2, secretManagerTypes: ["Azure"] })

  it.effect("a plain declaration's URI holding \"$(\" is refused", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(azure({ group: "https://h/secrets/$(id)", key: "k", mountRequirement: "FILE" }))
      assert.strictEqual(error.reason, "InvalidSecret")
      assert.strictEqual(error.backend, "Azure")
      assert.include(error.message, "the Azure backend")
      assert.include(error.message, "shell code")
    }))

  it.effect("a group without a URI, or a version, holding a shell character is refused", () =>
    Effect.gen(function*() {
      for (const character of shellCharacters) {
        for (
          const secret of [
            { group: `db${character}x`, mountRequirement: "FILE" },
            { group: "https://v.vault.azure.net/secrets/db", groupVersion: `v${character}`, mountRequirement: "FILE" }
          ] as const
        ) {
          assertRefused(yield* failureOf(azure(secret)), "Azure", character, JSON.stringify(secret))
        }
      }
    }))

  it.effect("a Key Vault URI with a version still injects", () =>
    Effect.gen(function*() {
      const injected = yield* azure({
        group: "https://v.vault.azure.net/secrets/db-password",
        groupVersion: "0123abcd",
        mountRequirement: "FILE"
      })
      assert.include(injected.spec?.initContainers?.[0]?.command?.[2], "secrets/db-password/0123abcd")
    }))
})

describe("S1 an Embedded file key is never written into the init container's script as shell code", () => {
  const embedded = (secret: SecretInput, key: string) =>
    Kubernetes.injectSecrets(pod(), [secret], {
      flyte: 2,
      secretManagerTypes: ["Embedded"],
      embedded: { store: Flyte2.store({ [key]: "v" }) }
    })

  it.effect("a key holding \"$(\" mounted as a file is refused, though the store holds it", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(embedded(Secret.flyte2({ key: "$(id)", mount: "/etc/flyte/secrets" }), "$(id)"))
      assertRefused(error, "Embedded", "$", "$(id)")
    }))

  it.effect("every shell character in a file key is refused", () =>
    Effect.gen(function*() {
      for (const character of shellCharacters.filter((character) => character !== "\n")) {
        const key = `a${character}b`
        const error = yield* failureOf(embedded({ key, mountRequirement: "FILE" }, key))
        assertRefused(error, "Embedded", character, key)
      }
    }))

  it.effect("a plain file key still injects, and such a key is still read as an environment variable", () =>
    Effect.gen(function*() {
      const file = yield* embedded({ key: "my.key-1_x", mountRequirement: "FILE" }, "my.key-1_x")
      const secrets = file.spec?.initContainers?.[0]?.env?.find((envVar) => envVar.name === "SECRETS")
      assert.match(secrets?.value ?? "", /^my\.key-1_x=/)
      const env = yield* embedded({ key: "a b", mountRequirement: "ENV_VAR" }, "a b")
      assert.isDefined(env.spec?.containers[0]?.env)
    }))
})
