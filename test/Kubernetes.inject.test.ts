import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { Pod as PodModel } from "kubernetes-models/v1/Pod"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { Kubernetes, Secret } from "../src/index.ts"
import { encodeBase32Text } from "../src/internal/kubernetes/base32.ts"
import { injectGlobal } from "../src/internal/kubernetes/globalInjector.ts"
import {
  appendEnvVars,
  appendVolume,
  appendVolumeMounts,
  draftOf,
  finish,
  isDraft,
  type PodDraft
} from "../src/internal/kubernetes/podDraft.ts"
import type { InjectOptions, Pod } from "../src/Kubernetes.ts"
import { failureOf } from "./support.ts"

interface Vector {
  readonly name: string
  readonly backend: "k8s" | "global" | "aws" | "gcp" | "vault"
  readonly config: Record<string, unknown>
  readonly secret?: Record<string, string>
  readonly secrets?: ReadonlyArray<Record<string, string>>
  readonly provider?: { readonly value?: string; readonly error?: string }
  readonly uuids?: ReadonlyArray<string>
  readonly podBefore: Pod
  readonly expectError: boolean
  readonly errorPrefix?: string
  readonly errorMessage?: string
  readonly reason?: string
  readonly podAfter?: Pod | null
}

const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), "utf8"))

const pinned: { readonly vectors: ReadonlyArray<Vector> } = fixture("propeller-vectors.json")
const added: {
  readonly vectors: ReadonlyArray<Vector>
  readonly helpers: ReadonlyArray<Record<string, any>>
} = fixture("propeller-vectors-added.json")

const kvVersions: Record<string, "1" | "2"> = { KVVersion1: "1", KVVersion2: "2" }

/** The webhook configuration of a vector as options; Vault ids come from the vector's placeholders, in order. */
const optionsOf = (vector: Vector): InjectOptions => {
  const config = vector.config as Record<string, any>
  const sidecar = { sidecarImage: config["sidecarImage"], resources: config["resources"] }
  const uuids = [...(vector.uuids ?? [])]
  switch (config["secretManagerType"]) {
    case "AWS":
      return { secretManagerType: "AWS", ...(config["sidecarImage"] === undefined ? {} : { aws: sidecar }) }
    case "GCP":
      return { secretManagerType: "GCP", ...(config["sidecarImage"] === undefined ? {} : { gcp: sidecar }) }
    case "Vault":
      return {
        secretManagerType: "Vault",
        vault: {
          role: config["role"],
          kvVersion: kvVersions[config["kvVersion"]] ?? config["kvVersion"],
          ...(config["annotations"] === undefined ? {} : { annotations: config["annotations"] })
        },
        uuid: () => uuids.shift() ?? "<uuid>"
      }
    default:
      return {}
  }
}

const secretsOf = (vector: Vector) => vector.secrets ?? [vector.secret!]

/** Go wrote `initContainers: []` where it had an empty slice; as JSON, Kubernetes omits it (`omitempty`). */
const expectedPod = (vector: Vector): Pod => {
  const expected = structuredClone(vector.podAfter!) as any
  if (expected.spec.initContainers?.length === 0 && (vector.podBefore.spec as any)?.initContainers === undefined) {
    delete expected.spec.initContainers
  }
  return expected
}

const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/** A vector's outcome through the public mutator (the global injector is tested alone, as propeller tests it). */
const run = (vector: Vector) =>
  Kubernetes.injectSecrets(deepFreeze(structuredClone(vector.podBefore)), secretsOf(vector) as any, optionsOf(vector))

const globalAlone = (vector: Vector): { readonly pod?: Pod; readonly message?: string; readonly reason?: string } => {
  const draft = draftOf(vector.podBefore) as PodDraft
  // A vector holds a core.Secret as propeller reads it (proto3: an empty envVar is absent).
  const secret = Secret.fromIdl(secretsOf(vector)[0])
  const problem = injectGlobal(secret, draft, () => vector.provider?.value)
  if (problem === undefined) return { pod: finish(draft) }
  return { reason: problem.reason, message: new Kubernetes.SecretInjectionError(problem).message }
}

const validate = (pod: Pod) => new PodModel({ apiVersion: "v1", kind: "Pod", ...pod } as any).validate()

describe("Kubernetes.injectSecrets: flytepropeller's webhook tests", () => {
  for (const [source, vectors] of [["pinned", pinned.vectors], ["added", added.vectors]] as const) {
    for (const vector of vectors) {
      const title = `${source} ${vector.backend}: ${vector.name}`
      if (vector.backend === "global") {
        it(title, () => {
          const outcome = globalAlone(vector)
          if (vector.expectError) {
            assert.isUndefined(outcome.pod)
            const expected = vector.errorMessage ?? vector.errorPrefix!
            assert.isTrue(outcome.message!.startsWith(expected), `${outcome.message} starts with ${expected}`)
          } else {
            assert.deepStrictEqual(outcome.pod, expectedPod(vector))
            validate(outcome.pod!)
          }
        })
        continue
      }
      it.effect(title, () =>
        Effect.gen(function*() {
          const result = yield* Effect.result(run(vector))
          if (vector.expectError) {
            assert.isTrue(Result.isFailure(result), "expected an error")
            const error = (result as Result.Failure<Pod, Kubernetes.SecretInjectionError>).failure
            const expected = vector.errorMessage ?? vector.errorPrefix!
            assert.isTrue(error.message.startsWith(expected), `${error.message} starts with ${expected}`)
            if (vector.reason !== undefined) assert.strictEqual(error.reason, vector.reason)
          } else {
            assert.isTrue(Result.isSuccess(result), Result.isFailure(result) ? result.failure.message : "")
            const pod = (result as Result.Success<Pod, never>).success
            assert.deepStrictEqual(pod, expectedPod(vector))
            validate(pod)
          }
        }))
    }
  }
})

describe("flytepropeller's utils_test.go: the merge helpers", () => {
  const draftWith = (spec: Record<string, unknown>): PodDraft => {
    const draft = draftOf({ spec: { containers: [], ...spec } } as Pod)
    assert.isTrue(isDraft(draft))
    return draft as PodDraft
  }
  for (const helper of added.helpers) {
    it(`${helper["test"]}: ${helper["name"]}`, () => {
      switch (helper["helper"]) {
        case "hasEnvVar": {
          // hasEnvVar is what AppendEnvVars asks: a probe variable of that name is added only when none is there.
          const draft = draftWith({ containers: [{ name: "c", env: helper["envVars"] }] })
          appendEnvVars(draft, "containers", { name: helper["envVarKey"], value: "probe" })
          const added = finish(draft).spec.containers[0]!.env!.length > helper["envVars"].length
          assert.strictEqual(!added, helper["want"])
          break
        }
        case "AppendVolumeMounts": {
          const draft = draftWith({ containers: helper["containers"] })
          appendVolumeMounts(draft, "containers", helper["volumeMount"])
          assert.deepStrictEqual(finish(draft).spec.containers, helper["want"])
          break
        }
        case "AppendEnvVars": {
          const draft = draftWith({ containers: helper["containers"] })
          appendEnvVars(draft, "containers", helper["envVar"])
          assert.deepStrictEqual(finish(draft).spec.containers, helper["want"])
          break
        }
        case "AppendVolume": {
          const draft = draftWith({ volumes: helper["volumes"] })
          appendVolume(draft, helper["volume"])
          assert.deepStrictEqual(finish(draft).spec.volumes, helper["want"])
          break
        }
        default:
          assert.fail(`unknown helper ${helper["helper"]}`)
      }
    })
  }
})

const taskPod: Pod = { metadata: { name: "task" }, spec: { containers: [{ name: "task", image: "task" }] } }

const inject = (pod: Pod, secrets: ReadonlyArray<any>, options?: InjectOptions) =>
  Kubernetes.injectSecrets(pod, secrets, options)

describe("Kubernetes.injectSecrets: the mutator", () => {
  it.effect("no secrets: the pod comes back as it was (propeller: 'No injectors')", () =>
    Effect.gen(function*() {
      const pod = yield* inject(taskPod, [])
      assert.deepStrictEqual(pod, taskPod)
      assert.notStrictEqual(pod, taskPod)
    }))

  it.effect("secret by secret, in order, each backend variable after the ones before", () =>
    Effect.gen(function*() {
      const pod = yield* inject(taskPod, [
        { group: "b", key: "two", mountRequirement: "ENV_VAR" },
        { group: "a", key: "one", mountRequirement: "ENV_VAR" }
      ])
      assert.deepStrictEqual(pod.spec.containers[0]!.env!.map((variable) => variable.name), [
        "_FSEC_B_TWO",
        "FLYTE_SECRETS_ENV_PREFIX",
        "_FSEC_A_ONE"
      ])
    }))

  it.effect("secrets of one group share one volume; every container and init container mounts it", () =>
    Effect.gen(function*() {
      const pod = yield* inject({
        spec: { initContainers: [{ name: "init" }], containers: [{ name: "a" }, { name: "b" }] }
      }, [{ group: "certs", key: "tls.crt" }, { group: "certs", key: "tls.key", mountRequirement: "FILE" }])
      assert.deepStrictEqual(pod.spec.volumes, [{
        name: encodeBase32Text("certs_"),
        secret: {
          secretName: "certs",
          items: [{ key: "tls.crt", path: "tls.crt" }, { key: "tls.key", path: "tls.key" }],
          optional: true
        }
      }])
      for (const container of [...pod.spec.containers, ...pod.spec.initContainers!]) {
        assert.deepStrictEqual(container.volumeMounts, [
          { name: encodeBase32Text("certs_"), readOnly: true, mountPath: "/etc/flyte/secrets/certs" }
        ])
      }
    }))

  it.effect("the global secrets come first: a value is a literal variable and the backend is not asked", () =>
    Effect.gen(function*() {
      const pod = yield* inject(taskPod, [{ group: "g", key: "k", mountRequirement: "ENV_VAR" }], {
        globalSecrets: (secret) => secret.group === "g" ? "global-value" : undefined
      })
      assert.deepStrictEqual(pod.spec.containers[0]!.env, [
        { name: "FLYTE_SECRETS_ENV_PREFIX", value: "_FSEC_" },
        { name: "_FSEC_G_K", value: "global-value" }
      ])
      assert.isUndefined(pod.spec.volumes)
    }))

  it.effect("no global value, or a global FILE refusal: the backend injects the secret", () =>
    Effect.gen(function*() {
      const pod = yield* inject(
        taskPod,
        [{ group: "g", key: "k", mountRequirement: "FILE" }, { group: "h", key: "k" }],
        {
          secretManagerType: "K8s",
          globalSecrets: (secret) => secret.group === "g" ? "global-value" : undefined
        }
      )
      assert.deepStrictEqual(pod.spec.volumes!.map((volume) => volume.secret?.secretName), ["g", "h"])
      assert.isFalse(JSON.stringify(pod).includes("global-value"))
    }))

  it.effect("when the global injector and the backend both refuse, the backend's error is returned", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(inject(taskPod, [{ group: "ok", key: "k" }, { key: "only-a-key" }], {
        globalSecrets: () => "a-global-value"
      }))
      assert.strictEqual(error.reason, "MissingGroup")
      assert.strictEqual(error.backend, "K8s")
      assert.strictEqual(error.index, 1)
      assert.deepStrictEqual(error.secret, { key: "only-a-key", mountRequirement: "ANY" })
      assert.isFalse(error.message.includes("a-global-value"))
    }))

  it.effect("a key-only secret is a valid declaration, refused by the K8s injector with propeller's error", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(inject(taskPod, [new Secret({ key: "token", mountRequirement: "ENV_VAR" })]))
      assert.strictEqual(
        error.message,
        "k8s Secrets Webhook require both key and group to be set. Secret: [key:\"token\" mount_requirement:ENV_VAR]. " +
          "The Kubernetes backend mounts one key of one Kubernetes Secret: give the secret a group (the Secret's " +
          "name) and a key."
      )
    }))

  it.effect("existing variables, mounts and volumes are kept; the input pod is not changed", () =>
    Effect.gen(function*() {
      const before: Pod = deepFreeze({
        metadata: { name: "p", labels: { app: "x" } },
        spec: {
          volumes: [{ name: "data", emptyDir: {} }],
          containers: [{
            name: "task",
            env: [{ name: "FLYTE_SECRETS_DEFAULT_DIR", value: "/mine" }],
            volumeMounts: [{ name: "data", mountPath: "/data" }]
          }]
        }
      })
      const snapshot = JSON.stringify(before)
      const pod = yield* inject(before, [{ group: "g", key: "k", mountRequirement: "FILE" }])
      assert.strictEqual(JSON.stringify(before), snapshot)
      assert.deepStrictEqual(pod.spec.containers[0]!.env, [
        { name: "FLYTE_SECRETS_DEFAULT_DIR", value: "/mine" },
        { name: "FLYTE_SECRETS_FILE_PREFIX", value: "" }
      ])
      assert.deepStrictEqual(pod.spec.volumes!.map((volume) => volume.name), ["data", encodeBase32Text("g_")])
      assert.deepStrictEqual(pod.metadata, { name: "p", labels: { app: "x" } })
    }))

  it.effect("Vault: annotations the pod has win over the options, which win over the defaults", () =>
    Effect.gen(function*() {
      const pod = yield* inject(
        {
          metadata: { annotations: { "vault.hashicorp.com/role": "pod-role", "team": "a" } },
          spec: { containers: [{ name: "task" }] }
        },
        [{ group: "secret", key: "password" }],
        {
          secretManagerType: "Vault",
          vault: {
            role: "options-role",
            annotations: { "vault.hashicorp.com/agent-pre-populate-only": "false", "vault.hashicorp.com/role": "x" }
          },
          uuid: () => "id"
        }
      )
      const annotations = pod.metadata!.annotations!
      assert.strictEqual(annotations["vault.hashicorp.com/role"], "pod-role")
      assert.strictEqual(annotations["vault.hashicorp.com/agent-pre-populate-only"], "false")
      assert.strictEqual(annotations["team"], "a")
      assert.strictEqual(annotations["vault.hashicorp.com/agent-inject-file-id"], "secret/password")
      assert.deepStrictEqual(Object.keys(annotations), Object.keys(annotations).sort())
    }))

  it.effect("a thousand secrets of one group: one volume, each name once", () =>
    Effect.gen(function*() {
      const secrets = Array.from({ length: 1000 }, (_, i) => ({ group: "many", key: `key${i}` }))
      const pod = yield* inject(taskPod, secrets)
      assert.strictEqual(pod.spec.volumes!.length, 1)
      assert.strictEqual(pod.spec.volumes![0]!.secret!.items!.length, 1000)
      assert.strictEqual(pod.spec.containers[0]!.volumeMounts!.length, 1)
      assert.strictEqual(pod.spec.containers[0]!.env!.length, 2)
    }))
})

describe("Kubernetes.injectSecrets: bad input", () => {
  const cases: ReadonlyArray<readonly [string, Pod, ReadonlyArray<any>, InjectOptions, string, string]> = [
    ["an unsafe name", taskPod, [{ group: "../etc", key: "k" }], {}, "InvalidSecret", "Invalid secret #0:"],
    ["an invalid envVar", taskPod, [{ group: "g", key: "k", envVar: "lower" }], {}, "InvalidSecret", "lower"],
    ["neither group nor key", taskPod, [{ groupVersion: "v1" }], {}, "InvalidSecret", "a group or a key"],
    ["an unknown backend", taskPod, [], { secretManagerType: "Azure" as any }, "InvalidOptions", "secretManagerType"],
    ["a Vault KV version", taskPod, [], { vault: { kvVersion: "3" as any } }, "InvalidOptions", "kvVersion"],
    ["containers not a list", { spec: { containers: "task" } } as any, [], {}, "InvalidPod", "spec.containers"],
    ["env not a list", { spec: { containers: [{ name: "a", env: {} }] } } as any, [], {}, "InvalidPod", ".env"]
  ]
  for (const [name, pod, secrets, options, reason, text] of cases) {
    it.effect(`${name}: ${reason}`, () =>
      Effect.gen(function*() {
        const error = yield* failureOf(inject(pod, secrets, options))
        assert.strictEqual(error.reason, reason)
        assert.include(error.message, text)
      }))
  }

  it.effect("a global value that is not a string is refused at once", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(inject(taskPod, [{ group: "g", key: "k" }], { globalSecrets: () => 42 as any }))
      assert.strictEqual(error.reason, "InvalidOptions")
    }))
})

describe("rendered pods are valid Kubernetes objects", () => {
  const secrets = [
    { group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" as const, envVar: "GITHUB_TOKEN" },
    { group: "my-certs", key: "tls_cert", mountRequirement: "FILE" as const, envVar: "TLS_CERT_PATH" },
    { group: "my-certs", key: "tls_key", groupVersion: "2" },
    { group: "db", key: "password" }
  ]
  const fileSecrets = secrets.filter((secret) => secret.mountRequirement !== "ENV_VAR")
  const renders: ReadonlyArray<readonly [string, ReadonlyArray<any>, InjectOptions]> = [
    ["K8s", secrets, {}],
    ["K8s with global secrets", secrets, { globalSecrets: (secret) => secret.key === "password" ? "pw" : undefined }],
    ["AWS", fileSecrets, { secretManagerType: "AWS" }],
    ["GCP", fileSecrets.map((secret) => ({ ...secret, groupVersion: "latest" })), { secretManagerType: "GCP" }],
    ["Vault", fileSecrets, { secretManagerType: "Vault" }]
  ]
  for (const [name, declared, options] of renders) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const pod = yield* inject(
          { spec: { initContainers: [{ name: "setup", image: "busybox" }], ...taskPod.spec } },
          declared,
          options
        )
        validate(pod)
        assert.isString(Kubernetes.toYaml(pod))
      }))
  }
})

describe("SecretInjectionError: reasons in groups", () => {
  it("kind tells a backend's refusal from bad input, a rejected pod and the local layout", () => {
    const kindOf = (reason: Kubernetes.SecretInjectionReason) => new Kubernetes.SecretInjectionError({ reason }).kind
    assert.strictEqual(kindOf("MissingGroup"), "BackendRefusal")
    assert.strictEqual(kindOf("NotInjected"), "BackendRefusal")
    assert.strictEqual(kindOf("InvalidSecret"), "BadInput")
    assert.strictEqual(kindOf("RejectedPod"), "RejectedPod")
    assert.strictEqual(kindOf("FileSystemError"), "LayoutFailure")
  })
  it.effect("the error users import from Kubernetes is the one every call fails with", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(Kubernetes.injectSecrets({ spec: { containers: [] } }, [{ key: "k" }]))
      assert.instanceOf(error, Kubernetes.SecretInjectionError)
    }))
})
