/**
 * The Flyte 2 round trip: every Flyte 2 declaration the webhook injects (`injectSecrets({ flyte: 2 })`, with any
 * ordered list of secret managers) is found by `SecretsManager.get` in the materialised pod with its exact value,
 * as text and as bytes (`encodeMode: "rb"`).
 *
 * The test models which secret manager injects each secret (the first in the list that accepts it, as the webhook
 * does) only to choose values that manager can carry: a variable carries text, a file any bytes.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import { Flyte2, Kubernetes, Secret, SecretsManager, task } from "../src/index.ts"
import type { Flyte2SecretManagerType, MaterializeValues } from "../src/Kubernetes.ts"

const mountDir = "/etc/flyte/secrets"
const scope = { project: "flytesnacks", domain: "development" }
type Scope = "project" | "domain" | "organization"

interface Case {
  readonly secret: Secret
  /** Text is read back as text and as its UTF-8 bytes; bytes are read with `encodeMode: "rb"` only. */
  readonly value: string | Uint8Array
  /** The narrowest scope the Embedded store holds the value at; broader scopes hold decoys. */
  readonly scope: Scope
}

/** Which secret manager injects a Flyte 2 declaration: the first in the list that accepts it. */
const winner = (
  secret: Secret,
  managers: ReadonlyArray<Flyte2SecretManagerType>
): Flyte2SecretManagerType | undefined =>
  managers.find((manager) => {
    const file = secret.mountRequirement === "FILE"
    switch (manager) {
      case "Embedded":
      case "K8s":
        return true
      case "AWS":
      case "Azure":
      case "Vault":
        return file && secret.group !== undefined
      case "GCP":
        // Needs a group version, which a Flyte 2 declaration never has.
        return false
    }
  })

const encoder = new TextEncoder()
const bytesOf = (value: string | Uint8Array) => typeof value === "string" ? encoder.encode(value) : value

/** What SecretService holds: each value at its scope, decoys at the broader scopes and in another project. */
const storeOf = (cases: ReadonlyArray<Case>) =>
  Flyte2.store(cases.flatMap(({ scope: at, secret, value }) => {
    const name = secret.key!
    const decoy = `decoy-${name}`
    const scopes: ReadonlyArray<Scope> = ["project", "domain", "organization"]
    const narrowest = scopes.indexOf(at)
    return [
      { name, value: decoy, project: "other", domain: scope.domain },
      ...scopes.slice(narrowest).map((each, index) => ({
        name,
        value: index === 0 ? value : decoy,
        ...(each === "project" ? scope : each === "domain" ? { domain: scope.domain } : {})
      }))
    ]
  }))

/** The values the other secret managers fetch: `values[group][key]`, `values[""][key]` for a key-only secret. */
const valuesOf = (cases: ReadonlyArray<Case>): MaterializeValues => {
  const values: Record<string, Record<string, string | Uint8Array>> = Object.create(null)
  for (const { secret, value } of cases) (values[secret.group ?? ""] ??= Object.create(null))[secret.key!] = value
  return values
}

/** Reads every secret back, as text (when it is text) and as bytes; what was missed or read wrong. */
const unreadable = (cases: ReadonlyArray<Case>, managers: ReadonlyArray<Flyte2SecretManagerType>) =>
  Effect.gen(function*() {
    const manager = yield* SecretsManager
    const wrong: Array<string> = []
    for (const { secret, value } of cases) {
      const name = `${JSON.stringify({ ...secret })} via ${winner(secret, managers)}`
      const bytes = yield* Effect.result(manager.get({ ...secret, encodeMode: "rb" }))
      if (bytes._tag === "Failure") wrong.push(`${name} (bytes) -> ${bytes.failure.message}`)
      else if (!Buffer.from(bytes.success).equals(Buffer.from(bytesOf(value)))) wrong.push(`${name}: other bytes`)
      if (typeof value !== "string") continue
      const text = yield* Effect.result(manager.get(secret))
      if (text._tag === "Failure") wrong.push(`${name} (text) -> ${text.failure.message}`)
      else if (text.success !== value) wrong.push(`${name}: other text`)
    }
    return wrong
  }).pipe(
    Effect.provide(Kubernetes.layerMaterialized(cases.map((c) => c.secret), valuesOf(cases), {
      flyte: 2,
      ...scope,
      secretManagerTypes: managers,
      embedded: { store: storeOf(cases) }
    }))
  )

// --- what is drawn ---

// Keys and groups from different first letters, so that no key's file (`D/key`) is another secret's group directory.
const key = fc.stringMatching(/^k[-._a-zA-Z0-9]{0,10}$/).filter((drawn) => !drawn.endsWith("."))
// A group names a Kubernetes Secret (K8s): a DNS subdomain.
const group = fc.stringMatching(/^g([-a-z0-9]{0,6}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,4}[a-z0-9])?)?$/)
const envVar = fc.stringMatching(/^E[A-Z0-9_]{0,8}$/)
// Text a variable can hold as it is: no NUL (a process environment cannot), any other Unicode.
const text = fc.string({ unit: "binary", maxLength: 24 }).map((drawn) => drawn.replace(/\0/g, ""))
const bytes = fc.uint8Array({ maxLength: 24 })

interface Drawn {
  readonly key: string
  readonly group: string | undefined
  readonly form: "derived" | "asEnvVar" | "mount"
  readonly envVar: string
  readonly text: string
  readonly bytes: Uint8Array | undefined
  readonly scope: Scope
}

const drawn: fc.Arbitrary<Drawn> = fc.record({
  key,
  group: fc.option(group, { nil: undefined }),
  form: fc.constantFrom("derived" as const, "asEnvVar" as const, "mount" as const),
  envVar,
  text,
  bytes: fc.option(bytes, { nil: undefined, freq: 2 }),
  scope: fc.constantFrom("project" as const, "domain" as const, "organization" as const)
})

/** The declaration flyte-sdk would make of what was drawn; undefined when it refuses it (a derived name like `K.A`). */
const declare = (entry: Drawn): Secret | undefined => {
  const group = entry.group === undefined ? {} : { group: entry.group }
  try {
    return entry.form === "mount"
      ? Secret.flyte2({ key: entry.key, ...group, mount: mountDir })
      : entry.form === "asEnvVar"
      ? Secret.flyte2({ key: entry.key, ...group, asEnvVar: entry.envVar })
      : Secret.flyte2({ key: entry.key, ...group })
  } catch {
    return undefined
  }
}

const allManagers: ReadonlyArray<Flyte2SecretManagerType> = ["Embedded", "K8s", "AWS", "GCP", "Azure", "Vault"]
const managerLists = fc.shuffledSubarray([...allManagers], { minLength: 1 })

/** The cases of what was drawn: declarations the webhook injects, with values their secret manager carries. */
const casesOf = (entries: ReadonlyArray<Drawn>, managers: ReadonlyArray<Flyte2SecretManagerType>): Array<Case> =>
  entries.flatMap((entry) => {
    const secret = declare(entry)
    if (secret === undefined || winner(secret, managers) === undefined) return []
    const value = secret.mountRequirement === "FILE" && entry.bytes !== undefined ? entry.bytes : entry.text
    return [{ secret, value, scope: entry.scope }]
  })

/** Distinct variables: two declarations of one variable name would read one value. */
const distinctVariables = (cases: ReadonlyArray<Case>) => {
  const names = cases.flatMap((c) => c.secret.envVar === undefined ? [] : [c.secret.envVar])
  return new Set(names).size === names.length
}

/**
 * A pod the API server accepts: two secret managers that each mount a volume at the secrets directory (Embedded's
 * and a sidecar's `emptyDir`) cannot both have a file secret in one pod; and Azure names a file after the last
 * segment of a Key Vault URI, which a reader looks for only when the group is a URI: the groups drawn here are plain
 * names, and Azure's URI groups have their own tests below.
 */
const layable = (cases: ReadonlyArray<Case>, managers: ReadonlyArray<Flyte2SecretManagerType>) => {
  const fileManagers = new Set(
    cases.filter((c) => c.secret.mountRequirement === "FILE").map((c) => winner(c.secret, managers))
  )
  const atDir = ["Embedded", "AWS", "Azure"].filter((manager) => fileManagers.has(manager as never))
  return atDir.length <= 1 && !fileManagers.has("Azure")
}

describe("Flyte 2 round trip: what the reader finds in the materialised pod", () => {
  it("every injected declaration is read back exactly, as text and bytes, for any list of secret managers", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Distinct keys, by case too: K8s and AWS name a file by the lower-cased key.
        fc.uniqueArray(drawn, { minLength: 1, maxLength: 5, selector: (entry) => entry.key.toLowerCase() }),
        managerLists,
        async (entries, managers) => {
          const cases = casesOf(entries, managers)
          fc.pre(cases.length > 0 && distinctVariables(cases) && layable(cases, managers))
          const wrong = await Effect.runPromise(unreadable(cases, managers))
          assert.deepStrictEqual(wrong, [], wrong.join("\n"))
        }
      ),
      { numRuns: 150 }
    )
  })
})

describe("Flyte 2 round trip: Azure", () => {
  // A request, not a declaration: the reader finds what Azure wrote whoever names it.
  const vaultUri = "https://payments.vault.azure.net/secrets/DB-Password"
  const secret = { group: vaultUri, key: "db-password", mountRequirement: "FILE", origin: "flyte2" } as const

  it.effect("a Key Vault secret is read back with the newline the Azure CLI's tsv output adds", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get(secret), "p@ss w0rd\n")
    }).pipe(Effect.provide(Kubernetes.layerMaterialized(
      [secret],
      { [vaultUri]: { "": "p@ss w0rd" } },
      { flyte: 2, secretManagerTypes: ["Azure"] }
    ))))
})

describe("Flyte 2 round trip: an Azure declaration made with Secret.flyte2", () => {
  const vaultUri = "https://payments.vault.azure.net/secrets/DB-Password"
  const declare = () => Secret.flyte2({ key: "db-password", group: vaultUri, mount: "/etc/flyte/secrets" })
  const value = "p@ss w0rd \"$(id)\" \u00e9"

  it.effect("is injected by the Azure secret manager with the URI as its Key Vault id", () =>
    Effect.gen(function*() {
      const pod = yield* Kubernetes.injectSecrets(
        { metadata: { name: "task" }, spec: { containers: [{ name: "primary" }] } },
        [declare()],
        { flyte: 2, secretManagerTypes: ["Azure"] }
      )
      const command = pod.spec.initContainers![0]!.command!.join(" ")
      assert.include(command, `--id "${vaultUri}/"`)
      assert.include(command, `> ${mountDir}/db-password`)
    }))

  it.effect("is materialised and read back by SecretsManager.get exactly as the Azure CLI writes it", () =>
    Effect.gen(function*() {
      const secret = declare()
      const read = Effect.gen(function*() {
        const manager = yield* SecretsManager
        return [yield* manager.get(secret), yield* manager.get({ ...secret, encodeMode: "rb" })] as const
      })
      const [text, bytes] = yield* read.pipe(Effect.provide(Kubernetes.layerMaterialized(
        [secret],
        { [vaultUri]: { "": value } },
        { flyte: 2, secretManagerTypes: ["Azure"] }
      )))
      assert.strictEqual(text, `${value}\n`)
      assert.deepStrictEqual(bytes, encoder.encode(`${value}\n`))
    }))

  it.effect("is found by the preflight of a task that declares it, and read by its body", () =>
    Effect.gen(function*() {
      const secret = declare()
      const t = task(
        { name: "azure_task", secretRequests: [secret] },
        (_: void, secrets) => Effect.all([secrets.get(secret), secrets.getPath(secret)])
      )
      const [read, file] = yield* t(undefined).pipe(Effect.provide(Kubernetes.layerMaterialized(
        [secret],
        { [vaultUri]: { "": value } },
        { flyte: 2, secretManagerTypes: ["Azure"] }
      )))
      assert.strictEqual(read, `${value}\n`)
      assert.match(file, /\/db-password$/)
    }))
})
