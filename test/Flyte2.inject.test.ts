import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { Kubernetes } from "../src/index.ts"
import type { Flyte2Config } from "../src/internal/kubernetes/flyte2/config.ts"
import { resolveFlyte2Config } from "../src/internal/kubernetes/flyte2/config.ts"
import { injectEmbedded } from "../src/internal/kubernetes/flyte2/embeddedInjector.ts"
import {
  type GlobalAnswer,
  globalProvider,
  injectGlobal,
  injectK8s,
  injectVault
} from "../src/internal/kubernetes/flyte2/keyedInjectors.ts"
import { walk } from "../src/internal/kubernetes/flyte2/mutator.ts"
import { injectAws, injectAzure, injectGcp } from "../src/internal/kubernetes/flyte2/sidecarInjectors.ts"
import { Store, type StoredValue } from "../src/internal/kubernetes/flyte2/store.ts"
import {
  appendEnvVars,
  appendVolumeMounts,
  type ContainerList,
  draftOf,
  finish,
  type PodDraft,
  prependEnvVars,
  putEnvVar
} from "../src/internal/kubernetes/podDraft.ts"
import type { EnvVar, Flyte2SecretFields, Pod, VolumeMount } from "../src/Kubernetes.ts"
import type { Refusal } from "../src/KubernetesError.ts"

export interface Flyte2Vector {
  readonly name: string
  readonly backend: string
  readonly derived: boolean
  readonly config: Record<string, any>
  readonly secret: Record<string, string | number> | null
  readonly provider?: Record<string, any>
  readonly storedSecrets?: Record<string, Record<string, string>>
  readonly cache?: Record<string, Record<string, string>>
  readonly k8sObjects?: ReadonlyArray<{ readonly namespace: string; readonly name: string }>
  readonly podBefore: Pod
  readonly expectError: boolean
  readonly errorMessage?: string
  readonly errorPrefix?: string
  readonly podAfter: Pod | null
  readonly asserted?: string
}

const fixture: { readonly vectors: ReadonlyArray<Flyte2Vector>; readonly storage: ReadonlyArray<any> } = JSON.parse(
  fs.readFileSync(fileURLToPath(new URL("./fixtures/flyte2-vectors.json", import.meta.url)), "utf8")
)
export const flyte2Vectors = fixture.vectors

/** The secret of a vector as the injectors read it: `""` fields absent, the mount by name or number. */
const secretOf = (vector: Flyte2Vector): Flyte2SecretFields => {
  const fields: Record<string, string | number> = {}
  for (const [name, value] of Object.entries(vector.secret ?? {})) if (value !== "") fields[name] = value
  return fields as unknown as Flyte2SecretFields
}

const storedValueOf = (stored: Record<string, string>): StoredValue =>
  stored["error"] !== undefined
    ? { error: stored["error"] }
    : stored["stringValue"]
    ? { stringValue: stored["stringValue"] }
    : { binaryValue: Buffer.from(stored["binaryValueBase64"] ?? "", "base64") }

/** What the fetcher (and the webhook's cache, looked at first) answers, by id. */
export const storeOf = (vector: Flyte2Vector): Store =>
  new Store(
    new Map(
      Object.entries({ ...vector.storedSecrets, ...vector.cache }).map(([id, stored]) => [id, storedValueOf(stored)])
    )
  )

const kvVersionOf = (value: unknown): "1" | "2" | undefined =>
  typeof value === "string" ? (value.endsWith("1") ? "1" : "2") : undefined

/** The webhook configuration of a vector, through the same resolution the options go through. */
const configOf = (vector: Flyte2Vector): Flyte2Config => {
  const config = vector.config
  const embedded = config["embeddedSecretManagerConfig"] ?? {}
  const initContainer = embedded["fileMountInitContainer"]
  const sidecar = config["sidecarImage"] === undefined
    ? undefined
    : { sidecarImage: config["sidecarImage"], resources: config["resources"] }
  const referenceNamespace = config["referenceNamespace"]
  const resolved = resolveFlyte2Config({
    flyte: 2,
    ...(config["secretEnvVarPrefix"] === undefined ? {} : { secretEnvVarPrefix: config["secretEnvVarPrefix"] }),
    embedded: {
      store: storeOf(vector),
      ...(initContainer === undefined ? {} : {
        initContainer: {
          name: initContainer["containerName"],
          image: initContainer["image"],
          resources: initContainer["resources"]
        }
      }),
      ...(embedded["imagePullSecrets"]?.["enabled"] === true
        ? {
          imagePullSecrets: (vector.k8sObjects ?? []).filter((object) => object.namespace === referenceNamespace)
            .map((object) => object.name)
        }
        : {})
    },
    ...(sidecar === undefined ? {} : { aws: sidecar, gcp: sidecar, azure: sidecar }),
    vault: {
      ...(config["role"] === undefined ? {} : { role: config["role"] }),
      ...(kvVersionOf(config["kvVersion"]) === undefined ? {} : { kvVersion: kvVersionOf(config["kvVersion"])! }),
      ...(config["annotations"] === undefined ? {} : { annotations: config["annotations"] })
    },
    uuid: () => "<uuid>"
  })
  if (!("managers" in resolved)) throw new Error(`bad vector config: ${JSON.stringify(resolved)}`)
  return resolved
}

const providerOf = (vector: Flyte2Vector, config: Flyte2Config) => (secret: Flyte2SecretFields): GlobalAnswer => {
  const provider = vector.provider ?? {}
  if (typeof provider["value"] === "string") return { value: provider["value"] }
  if (typeof provider["error"] === "string") return { error: provider["error"] }
  return globalProvider(config)(secret)
}

/** One injector called directly, as the Go test calls it. */
const injectorOf = (vector: Flyte2Vector) => {
  const config = configOf(vector)
  const name = String(vector.config["injector"]).toLowerCase()
  return (secret: Flyte2SecretFields, draft: PodDraft): Refusal | undefined => {
    switch (name) {
      case "global":
        return injectGlobal(secret, draft, config.prefix, providerOf(vector, config))
      case "k8s":
        return injectK8s(secret, draft, config.prefix)
      case "embedded":
        return injectEmbedded(secret, draft, config)
      case "aws":
        return injectAws(secret, draft, config.aws)
      case "gcp":
        return injectGcp(secret, draft, config.gcp)
      case "azure":
        return injectAzure(secret, draft, config.azure)
      case "vault":
        return injectVault(secret, draft, config)
      default:
        throw new Error(`unknown injector ${name}`)
    }
  }
}

const isEmpty = (value: unknown): boolean =>
  Array.isArray(value)
    ? value.length === 0
    : typeof value === "object" && value !== null && Object.keys(value).length === 0

/**
 * `[]` and an absent list are the same pod (a Go nil slice and an empty one; an admission patch drops both), and so
 * are `{}` and an absent struct (the vectors leave out fields at their Go zero value). Containers keep their `{}`.
 */
export const withoutEmptyLists = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map((item) => isEmpty(item) ? item : withoutEmptyLists(item))
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .map(([name, inner]) => [name, withoutEmptyLists(inner)] as const)
      .filter(([, inner]) => !isEmpty(inner))
  )
}

const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

const checkRefusal = (vector: Flyte2Vector, message: string) => {
  if (vector.errorMessage !== undefined) assert.strictEqual(message, vector.errorMessage)
  else assert.isTrue(message.startsWith(vector.errorPrefix!), `${message} starts with ${vector.errorPrefix}`)
}

const runInjector = (vector: Flyte2Vector) => {
  const podBefore = deepFreeze(structuredClone(vector.podBefore))
  const draft = draftOf(podBefore) as PodDraft
  const refused = injectorOf(vector)(secretOf(vector), draft)
  if (vector.expectError) {
    assert.isDefined(refused, "expected a refusal")
    checkRefusal(vector, refused!.message)
    // A refusal leaves the pod as it was.
    assert.deepStrictEqual(withoutEmptyLists(finish(draft)), withoutEmptyLists(vector.podBefore))
  } else {
    assert.isUndefined(refused, refused?.message)
    assert.deepStrictEqual(withoutEmptyLists(finish(draft)), withoutEmptyLists(vector.podAfter))
  }
}

/** The mock secret managers of the mutator's Go test. */
const mockWalk = (vector: Flyte2Vector) => {
  const draft = draftOf(vector.podBefore) as PodDraft
  const mocks: Record<string, { error?: string; injected?: boolean; returns?: unknown }> =
    vector.config["injectorMocks"]
  const injectors = (vector.config["secretManagerTypes"] as ReadonlyArray<string>).map((backend) => ({
    backend: backend as "Global",
    inject: (_: Flyte2SecretFields, target: PodDraft): Refusal | undefined => {
      const mock = mocks[backend]!
      if (mock.error !== undefined) return { backend: "Global", reason: "GlobalSecretNotFound", message: mock.error } // The mock answers with the pod it returns, which becomes the pod.
      ;(target as { pod: unknown }).pod = structuredClone(mock.returns)
      return undefined
    }
  }))
  // The annotation's secret is not valid UTF-8 text; the mocks never look at it.
  const problem = walk(draft, [{ key: "any", mountRequirement: "ANY" }], injectors)
  return { problem, pod: finish(draft) }
}

const runMutator = (vector: Flyte2Vector) =>
  Effect.gen(function*() {
    if (vector.config["injectorMocks"] !== undefined && vector.secret === null && vector.podBefore.metadata) {
      const { pod, problem } = mockWalk(vector)
      if (vector.expectError) {
        assert.isDefined(problem)
        checkRefusal(vector, new Kubernetes.SecretInjectionError(problem!).message)
      } else {
        assert.isUndefined(problem)
        assert.deepStrictEqual(withoutEmptyLists(pod), withoutEmptyLists(vector.podAfter))
      }
      return
    }
    const podBefore = deepFreeze(structuredClone(vector.podBefore))
    const secrets = yield* Kubernetes.secretsFromAnnotations(podBefore, { origin: "flyte2" })
    const result = yield* Effect.result(Kubernetes.injectSecrets(podBefore, secrets, {
      flyte: 2,
      secretManagerTypes: vector.config["secretManagerTypes"],
      embedded: { store: storeOf(vector) }
    }))
    if (vector.expectError) {
      assert.isTrue(Result.isFailure(result), "expected a SecretInjectionError")
      const error = (result as Result.Failure<Pod, Kubernetes.SecretInjectionError>).failure
      checkRefusal(vector, error.message)
      assert.strictEqual(error.reason, "NotInjected")
    } else {
      assert.isTrue(Result.isSuccess(result), Result.isFailure(result) ? result.failure.message : "")
      const pod = (result as Result.Success<Pod, never>).success
      assert.deepStrictEqual(withoutEmptyLists(pod), withoutEmptyLists(vector.podAfter))
    }
  })

describe("Kubernetes.injectSecrets({ flyte: 2 }): the Flyte 2 webhook's vectors", () => {
  it("holds 72 pod mutations", () => assert.strictEqual(flyte2Vectors.length, 72))
  for (const [index, vector] of flyte2Vectors.entries()) {
    const title = `#${index} ${vector.derived ? "derived" : "Go test"} ${vector.backend}: ${vector.name}`
    if (vector.config["injector"] !== undefined) it(title, () => runInjector(vector))
    else it.effect(title, () => runMutator(vector))
  }
})

/**
 * Go's slice operations, step by step: the model the draft's indexed variables must match. `head` deletes the first
 * variable of each name and puts the new one first (the list given, in order); `tail` appends unless the name is
 * there; `put` replaces the first of its name where it stands, or appends; `mount` appends a volume mount unless one
 * of its name is there (a pod prints its fields in the order they were first written).
 */
type EnvStep =
  | { readonly op: "head"; readonly list: ContainerList; readonly envVars: ReadonlyArray<EnvVar> }
  | { readonly op: "tail"; readonly list: ContainerList; readonly envVar: EnvVar }
  | { readonly op: "put"; readonly index: number; readonly envVar: EnvVar }
  | { readonly op: "mount"; readonly list: ContainerList; readonly mount: VolumeMount }

type ModelContainer = { env?: Array<EnvVar>; volumeMounts?: Array<VolumeMount> }

const modelStep = (pod: { spec: Record<ContainerList, Array<ModelContainer>> }, step: EnvStep): void => {
  if (step.op === "mount") {
    for (const container of pod.spec[step.list]) {
      const mounts = container.volumeMounts ??= []
      if (!mounts.some((candidate) => candidate.name === step.mount.name)) mounts.push({ ...step.mount })
    }
    return
  }
  if (step.op === "put") {
    const container = pod.spec.initContainers[step.index % pod.spec.initContainers.length]!
    const env = container.env ??= []
    const index = env.findIndex((candidate) => candidate.name === step.envVar.name)
    if (index < 0) env.push({ ...step.envVar })
    else env[index] = { ...step.envVar }
    return
  }
  for (const container of pod.spec[step.list]) {
    const env = container.env ??= []
    if (step.op === "tail") {
      if (!env.some((candidate) => candidate.name === step.envVar.name)) env.push({ ...step.envVar })
      continue
    }
    for (const envVar of [...step.envVars].reverse()) {
      const index = env.findIndex((candidate) => candidate.name === envVar.name)
      if (index >= 0) env.splice(index, 1)
      env.unshift({ ...envVar })
    }
  }
}

const draftStep = (draft: PodDraft, step: EnvStep): void => {
  if (step.op === "head") return prependEnvVars(draft, step.list, step.envVars)
  if (step.op === "tail") return appendEnvVars(draft, step.list, step.envVar)
  if (step.op === "mount") return appendVolumeMounts(draft, step.list, step.mount)
  const containers = draft.pod.spec.initContainers!
  putEnvVar(draft, containers[step.index % containers.length]!, { ...step.envVar })
}

describe("the Flyte 2 head-of-list merge gives what Go's slice operations give", () => {
  // Few names, so that steps replace and skip variables often; the pod may already hold a name twice.
  const name = fc.constantFrom("A", "B", "C", "D", "E")
  const envVar = fc.record({ name, value: fc.string({ maxLength: 3 }) })
  const env = fc.option(fc.array(envVar, { maxLength: 6 }), { nil: undefined })
  const container = fc.record({ name: fc.constant("c"), env }, { requiredKeys: ["name"] })
  const list = fc.constantFrom<ContainerList>("initContainers", "containers")
  const step: fc.Arbitrary<EnvStep> = fc.oneof(
    fc.record({ op: fc.constant("head" as const), list, envVars: fc.array(envVar, { maxLength: 4 }) }),
    fc.record({ op: fc.constant("tail" as const), list, envVar }),
    fc.record({ op: fc.constant("put" as const), index: fc.nat(), envVar }),
    fc.record({ op: fc.constant("mount" as const), list, mount: fc.record({ name, mountPath: fc.constant("/m") }) })
  )
  const pod = fc.record({
    spec: fc.record({
      initContainers: fc.array(container, { minLength: 1, maxLength: 2 }),
      containers: fc.array(container, { maxLength: 2 })
    })
  })

  it("for any pod and any sequence of head, tail and in-place writes and mounts, field order included", () => {
    fc.assert(
      fc.property(pod, fc.array(step, { maxLength: 30 }), (before, steps) => {
        const draft = draftOf(before as Pod) as PodDraft
        const expected = structuredClone(before)
        for (const one of steps) {
          draftStep(draft, one)
          modelStep(expected as never, one)
        }
        const after = finish(draft)
        assert.deepStrictEqual(after, expected as Pod)
        // Byte for byte as printed: each field where its first write put it.
        assert.strictEqual(JSON.stringify(after), JSON.stringify(expected))
      }),
      { numRuns: 2000 }
    )
  })
})
