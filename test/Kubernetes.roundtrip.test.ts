/**
 * The round trip: every secret `injectSecrets` accepts is found by `SecretsManager.get` over `layerMaterialized`,
 * with its exact value, for every backend and mount requirement.
 *
 * Where propeller writes a name flytekit's reader does not look for (a K8s, AWS or global secret's version dropped,
 * Vault's case kept and its version dropped, GCP's file at <group>/<version>, a global group-only secret as
 * `_FSEC_<GROUP>_`), the lookup needs step 3 of the lookup chain; those cases are in `needsWriterNames` below.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import { Kubernetes, type Secret, type SecretInput, SecretsManager } from "../src/index.ts"
import { envVarNames } from "../src/internal/lookup/naming.ts"
import type { InjectOptions, MaterializeValues } from "../src/Kubernetes.ts"

type Backend = "K8s" | "AWS" | "GCP" | "Vault" | "Global"

interface Case {
  readonly secret: SecretInput
  /** The value the task should read: text, or bytes read with encodeMode "rb". */
  readonly value: string | Uint8Array
}

const optionsFor = (backend: Backend, globals: ReadonlyMap<string, string>): InjectOptions =>
  backend === "Global"
    ? { globalSecrets: (secret: Secret) => globals.get(`${secret.group}\u0000${secret.key}`) }
    : { secretManagerType: backend }

/** The values materialize takes: `values[group][key]`, or `values[group][groupVersion]` for GCP. */
const valuesFor = (backend: Backend, cases: ReadonlyArray<Case>): MaterializeValues => {
  // Records without a prototype: a drawn key may be `__proto__`, which must be a key like any other.
  const values: Record<string, Record<string, string | Uint8Array>> = Object.create(null)
  for (const { secret, value } of cases) {
    const slot = backend === "GCP" ? secret.groupVersion! : secret.key!
    ;(values[secret.group!] ??= Object.create(null))[slot] = value
  }
  return values
}

/** Looks every secret up in the materialised pod; the names of those not found, or found with another value. */
const unreadable = (backend: Backend, cases: ReadonlyArray<Case>, globals: ReadonlyMap<string, string> = new Map()) =>
  Effect.gen(function*() {
    const manager = yield* SecretsManager
    const wrong: Array<string> = []
    for (const { secret, value } of cases) {
      const request = { ...secret, ...(typeof value === "string" ? {} : { encodeMode: "rb" as const }) }
      const read = yield* Effect.result(manager.get(request))
      const found = read._tag === "Success" ? read.success : undefined
      const same = typeof value === "string" ? found === value : found instanceof Uint8Array &&
        Buffer.from(found).equals(Buffer.from(value))
      if (!same) wrong.push(JSON.stringify(secret) + (read._tag === "Failure" ? ` -> ${read.failure.message}` : ""))
    }
    return wrong
  }).pipe(
    Effect.provide(
      Kubernetes.layerMaterialized(cases.map((c) => c.secret), valuesFor(backend, cases), optionsFor(backend, globals))
    )
  )

const bytes = Uint8Array.of(0, 1, 254, 255, 10, 13, 32)

const examples: ReadonlyArray<readonly [Backend, string, ReadonlyArray<Case>]> = [
  ["K8s", "ENV_VAR, FILE and ANY, with and without envVar, text and bytes", [
    { secret: { group: "api", key: "token", mountRequirement: "ENV_VAR" }, value: "t0k3n" },
    { secret: { group: "api", key: "alias", mountRequirement: "ENV_VAR", envVar: "ALIAS" }, value: "a1" },
    { secret: { group: "certs", key: "tls.crt", mountRequirement: "FILE" }, value: "CERT" },
    { secret: { group: "certs", key: "TLS_Key", mountRequirement: "FILE", envVar: "KEY_PATH" }, value: bytes },
    { secret: { group: "db", key: "password" }, value: bytes },
    { secret: { group: "db", key: "user", envVar: "DB_USER_PATH" }, value: "admin" }
  ]],
  ["AWS", "FILE and ANY, with and without envVar", [
    { secret: { group: "prod-db", key: "Password", mountRequirement: "FILE" }, value: "p" },
    { secret: { group: "prod-db", key: "user", envVar: "USER_PATH" }, value: bytes }
  ]],
  ["GCP", "a secret version, no key", [
    { secret: { group: "api-key", groupVersion: "3" }, value: bytes },
    { secret: { group: "other", groupVersion: "latest", mountRequirement: "FILE" }, value: "o" }
  ]],
  ["Vault", "lower-case names, the configured KV engine", [
    { secret: { group: "secret", key: "password" }, value: "v" },
    { secret: { group: "app", key: "token", mountRequirement: "FILE" }, value: bytes }
  ]],
  ["Global", "global values, and a FILE secret left to the K8s backend", [
    { secret: { group: "api", key: "token" }, value: "from-global" },
    { secret: { group: "api", key: "other", mountRequirement: "ENV_VAR" }, value: "also-global" },
    { secret: { group: "certs", key: "tls", mountRequirement: "FILE" }, value: "from-k8s" }
  ]]
]

/** Cases whose writer's names the lookup finds only with step 3 of the lookup chain. */
const needsWriterNames: ReadonlyArray<readonly [Backend, string, ReadonlyArray<Case>]> = [
  ["K8s", "a versioned ENV_VAR secret is _FSEC_<GROUP>_<KEY>, its version dropped", [
    { secret: { group: "api", groupVersion: "v2", key: "token", mountRequirement: "ENV_VAR" }, value: "t" }
  ]],
  ["K8s", "a versioned FILE secret is <dir>/<group>/<key>, its version dropped", [
    { secret: { group: "certs", groupVersion: "v2", key: "tls", mountRequirement: "FILE" }, value: "c" }
  ]],
  ["AWS", "a versioned secret is <dir>/<group>/<key>, its version dropped", [
    { secret: { group: "db", groupVersion: "7", key: "password" }, value: "p" }
  ]],
  ["GCP", "a secret with a key is still <dir>/<group>/<version>", [
    { secret: { group: "api-key", groupVersion: "3", key: "token" }, value: "g" }
  ]],
  ["Vault", "names keep their case", [{ secret: { group: "Secret", key: "Password" }, value: "v" }]],
  ["Vault", "a KV or db engine version is not a directory", [
    { secret: { group: "secret", groupVersion: "kv2", key: "password" }, value: "v" },
    { secret: { group: "db", groupVersion: "db", key: "creds" }, value: "d" }
  ]],
  ["Global", "a versioned secret is _FSEC_<GROUP>_<KEY>, its version dropped", [
    { secret: { group: "api", groupVersion: "v1", key: "token" }, value: "g" }
  ]],
  ["Global", "a group-only secret is _FSEC_<GROUP>_ (propeller joins group and an empty key)", [
    { secret: { group: "api" }, value: "g" }
  ]]
]

const globalsOf = (cases: ReadonlyArray<Case>) =>
  new Map(
    cases
      .filter((c) => c.secret.mountRequirement !== "FILE" && typeof c.value === "string")
      .map((c) => [`${c.secret.group}\u0000${c.secret.key}`, c.value as string])
  )

describe("round trip: what the reader finds in a materialised pod", () => {
  for (const [backend, name, cases] of [...examples, ...needsWriterNames]) {
    it.effect(`${backend}: ${name}`, () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* unreadable(backend, cases, globalsOf(cases)), [])
      }))
  }
})

// --- the property: random Kubernetes-valid names, every mount requirement, every backend ---

const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?$/)
const groupName = fc.array(dnsLabel, { minLength: 1, maxLength: 2 }).map((labels) => labels.join("."))
const secretKey = fc.stringMatching(/^[-._a-zA-Z0-9]{1,12}$/).filter((key) => key !== "." && !key.startsWith(".."))
const version = fc.stringMatching(/^[a-z0-9]{1,8}$/)
// Printable ASCII without surrounding spaces: what every reader gives back unchanged.
const text = fc.string({ unit: "grapheme-ascii", maxLength: 24 }).map((value) => value.trim())
const mount = fc.constantFrom("ANY" as const, "ENV_VAR" as const, "FILE" as const)

interface Drawn {
  readonly group: string
  readonly version: string | undefined
  readonly keys: ReadonlyArray<{
    readonly key: string
    readonly mount: "ANY" | "ENV_VAR" | "FILE"
    readonly envVar: boolean
    readonly text: string
    readonly binary: Uint8Array | undefined
  }>
}

const drawnGroup = (versioned: fc.Arbitrary<string | undefined>, lowerKeys: boolean): fc.Arbitrary<Drawn> =>
  fc.record({
    group: groupName,
    version: versioned,
    keys: fc.uniqueArray(
      fc.record({
        key: lowerKeys ? secretKey.map((key) => key.toLowerCase()) : secretKey,
        mount,
        envVar: fc.boolean(),
        text,
        binary: fc.option(fc.uint8Array({ maxLength: 16 }), { nil: undefined })
      }),
      // Propeller names a key's variable and file by its case-folded name: keys differing only in case collide.
      { minLength: 1, maxLength: 3, selector: (entry) => entry.key.toLowerCase() }
    )
  })

const drawnPod = (versioned: fc.Arbitrary<string | undefined>, lowerKeys: boolean) =>
  fc.uniqueArray(drawnGroup(versioned, lowerKeys), { minLength: 1, maxLength: 3, selector: (drawn) => drawn.group })

/** The secrets each backend accepts, from what was drawn, and the value each should read back. */
const casesFor = (backend: Backend, pod: ReadonlyArray<Drawn>, withKey: boolean): Array<Case> => {
  let envVars = 0
  return pod.flatMap((drawn) =>
    drawn.keys.flatMap((entry): Array<Case> => {
      const filesOnly = backend === "AWS" || backend === "GCP" || backend === "Vault"
      const mountRequirement = filesOnly && entry.mount === "ENV_VAR" ? "FILE" : entry.mount
      // A variable holds text; bytes travel in files, and GCP versions hold one value per group.
      const binary = mountRequirement !== "ENV_VAR" && backend !== "Global" && backend !== "GCP"
        ? entry.binary
        : undefined
      const secret: SecretInput = {
        group: drawn.group,
        ...(backend !== "GCP" || withKey ? { key: entry.key } : {}),
        ...(drawn.version === undefined ? {} : { groupVersion: drawn.version }),
        mountRequirement,
        ...(entry.envVar && backend !== "GCP" ? { envVar: `TASK_VAR_${envVars++}` } : {})
      }
      return [{ secret, value: binary ?? entry.text }]
    })
  ).filter((c, index, all) =>
    // GCP fetches one value per group and version: one secret per group.
    backend !== "GCP" || all.findIndex((other) => other.secret.group === c.secret.group) === index
  ).filter((c, index, all) =>
    // Where secrets travel as variables, two whose variable names coincide (`a-b` and `a_b` by the shell-safe
    // spelling, `a`+`b_c` and `a_b`+`c`) are one variable: the lookup of either finds the one set first.
    !variablesCarry(backend) ||
    !all.slice(0, index).some((other) => variablesOf(other).some((name) => variablesOf(c).includes(name)))
  )
}

const variablesCarry = (backend: Backend): boolean => backend === "K8s" || backend === "Global"

/** The variables a secret's lookup tries by its name: its exact spelling and its shell-safe one. */
const variablesOf = (c: Case): ReadonlyArray<string> =>
  envVarNames("", { group: c.secret.group, key: c.secret.key, groupVersion: c.secret.groupVersion })

const backends: ReadonlyArray<Backend> = ["K8s", "AWS", "GCP", "Vault", "Global"]

const roundTrip = (backend: Backend, cases: ReadonlyArray<Case>) =>
  Effect.runPromise(unreadable(backend, cases, globalsOf(cases)))

describe("round trip property", () => {
  for (const backend of backends) {
    it(`${backend}: names the lookup finds today (no group versions, lower-case Vault keys, GCP without key)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          drawnPod(backend === "GCP" ? version : fc.constant(undefined), backend === "Vault"),
          async (pod) => {
            assert.deepStrictEqual(await roundTrip(backend, casesFor(backend, pod, false)), [])
          }
        ),
        { numRuns: 25 }
      )
    })

    it(`${backend}: every accepted secret, versions and case included (needs the writers' names)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          drawnPod(fc.option(version, { nil: undefined }), false),
          fc.boolean(),
          async (pod, withKey) => {
            const cases = casesFor(backend, pod, withKey)
            const grouped = backend === "GCP" ? cases.filter((c) => c.secret.groupVersion !== undefined) : cases
            const wrong = await roundTrip(backend, grouped)
            assert.deepStrictEqual(wrong, [], wrong.join("\n"))
          }
        ),
        { numRuns: 25 }
      )
    })
  }
})
