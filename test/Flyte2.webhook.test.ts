import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { createHash } from "node:crypto"
import { Flyte2, Kubernetes, Secret } from "../src/index.ts"
import type { Flyte2InjectOptions, Pod } from "../src/Kubernetes.ts"
import { failureOf } from "./support.ts"

const labels = { organization: "flyte", project: "flytesnacks", domain: "development" }
const taskPod: Pod = { metadata: { name: "task", labels }, spec: { containers: [{ name: "primary" }] } }

const envOf = (pod: Pod, container = 0) => pod.spec.containers[container]!.env ?? []

const inject = (secrets: ReadonlyArray<any>, options: Omit<Flyte2InjectOptions, "flyte"> = {}, pod = taskPod) =>
  Kubernetes.injectSecrets(pod, secrets, { flyte: 2, ...options })

describe("Kubernetes.injectSecrets({ flyte: 2 }): the webhook", () => {
  it.effect("by default Global then Embedded: a flyte-sdk secret stored for the project becomes a literal variable", () =>
    Effect.gen(function*() {
      const store = Flyte2.store([{ name: "openai-key", value: "sk-1", project: "flytesnacks", domain: "development" }])
      const pod = yield* inject([Secret.flyte2("openai-key")], { embedded: { store } })
      assert.deepStrictEqual(envOf(pod), [
        { name: "OPENAI_KEY", value: "sk-1" },
        { name: "FLYTE_SECRETS_ENV_PREFIX", value: "_UNION_" }
      ])
    }))

  it.effect("project beats domain beats organisation", () =>
    Effect.gen(function*() {
      const store = Flyte2.store([
        { name: "k", value: "org" },
        { name: "k", value: "domain", domain: "development" },
        { name: "k", value: "project", project: "flytesnacks", domain: "development" },
        { name: "k", value: "other project", project: "other", domain: "development" }
      ])
      const pod = yield* inject([Secret.flyte2("k")], { embedded: { store } })
      assert.strictEqual(envOf(pod)[0]!.value, "project")
      const domainOnly = yield* inject([Secret.flyte2("k")], {
        embedded: {
          store: Flyte2.store([{ name: "k", value: "org" }, { name: "k", value: "domain", domain: "development" }])
        }
      })
      assert.strictEqual(envOf(domainOnly)[0]!.value, "domain")
    }))

  it.effect("none injects: NotInjected, the webhook's words first, every refusal kept", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(inject([Secret.flyte2("missing")], { embedded: { store: Flyte2.store({}) } }))
      assert.strictEqual(error.reason, "NotInjected")
      assert.strictEqual(error.kind, "BackendRefusal")
      assert.isTrue(error.message.startsWith("none of the secret managers injected secret ["), error.message)
      assert.include(error.message, "using any of the enabled secret managers: [Global Embedded]")
      assert.deepStrictEqual(error.refusals?.map((refusal) => refusal.backend), ["Global", "Embedded"])
      assert.include(error.refusals![0]!.message, "both key and group are required parameters")
      assert.strictEqual(
        error.refusals![1]!.message,
        "[SecretNotFoundAcrossAllScopes] secret not found across all scopes"
      )
      assert.include(error.message, "secret not found across all scopes")
      assert.strictEqual(error.index, 0)
    }))

  it.effect("secretManagerTypes are tried in order: the first that injects wins, a refusal moves on", () =>
    Effect.gen(function*() {
      const store = Flyte2.store({ "my-secret": "s3cr3t" })
      // AWS injects files only: the variable comes from Embedded.
      const pod = yield* inject([Secret.flyte2({ key: "k", group: "arn:aws:x", asEnvVar: "K" })], {
        secretManagerTypes: ["AWS", "Embedded"],
        embedded: { store: Flyte2.store({ k: "v" }) }
      })
      assert.deepStrictEqual(envOf(pod)[0], { name: "K", value: "v" })
      // K8s injects any secret with a key, so Embedded is never asked.
      const k8s = yield* inject([Secret.flyte2("my-secret")], {
        secretManagerTypes: ["K8s", "Embedded"],
        embedded: { store }
      })
      assert.deepStrictEqual(envOf(k8s)[1], {
        name: "MY_SECRET",
        valueFrom: { secretKeyRef: { name: "935571b8f79add9eacb3b622f95ad3a6", key: "my-secret", optional: true } }
      })
      // An empty list is the default.
      const empty = yield* inject([Secret.flyte2("my-secret")], { secretManagerTypes: [], embedded: { store } })
      assert.strictEqual(envOf(empty)[0]!.value, "s3cr3t")
    }))

  it.effect("the global secrets come first and need a group", () =>
    Effect.gen(function*() {
      const pod = yield* inject([Secret.flyte2({ key: "api-key", group: "openai" })], {
        globalSecrets: (secret) => secret.group === "openai" ? "from-global" : undefined
      })
      assert.deepStrictEqual(envOf(pod), [
        { name: "_UNION_OPENAI_API-KEY", value: "from-global" },
        { name: "FLYTE_SECRETS_ENV_PREFIX", value: "_UNION_" }
      ])
    }))

  it.effect("secretEnvVarPrefix renames the variables", () =>
    Effect.gen(function*() {
      const pod = yield* inject([{ key: "tok", mountRequirement: "ANY" }], {
        secretEnvVarPrefix: "_P_",
        embedded: { store: Flyte2.store({ tok: "v" }) }
      })
      assert.deepStrictEqual(envOf(pod), [{ name: "_P_TOK", value: "v" }, {
        name: "FLYTE_SECRETS_ENV_PREFIX",
        value: "_P_"
      }])
    }))

  it.effect("the pod given is never changed, even when a later secret is refused", () =>
    Effect.gen(function*() {
      const pod: Pod = structuredClone(taskPod)
      const before = structuredClone(pod)
      const store = Flyte2.store({ a: "1" })
      yield* inject([Secret.flyte2("a")], { embedded: { store } }, pod)
      yield* failureOf(inject([Secret.flyte2("a"), Secret.flyte2("b")], { embedded: { store } }, pod))
      assert.deepStrictEqual(pod, before)
    }))

  it.effect("values keep spaces, quotes, newlines and unicode exactly", () =>
    Effect.gen(function*() {
      const value = " a \"b\" 'c'\n$HOME `x` ü \\ "
      const pod = yield* inject([Secret.flyte2("k")], { embedded: { store: Flyte2.store({ k: value }) } })
      assert.strictEqual(envOf(pod)[0]!.value, value)
    }))

  it.effect("a key requested twice as a file is written twice into SECRETS, as upstream does", () =>
    Effect.gen(function*() {
      const file = Secret.flyte2({ key: "tls", mount: "/etc/flyte/secrets" })
      const pod = yield* inject([file, file], { embedded: { store: Flyte2.store({ tls: "CERT" }) } })
      const secrets = pod.spec.initContainers![0]!.env!.find((envVar) => envVar.name === "SECRETS")
      assert.strictEqual(secrets!.value, "tls=Q0VSVA==\ntls=Q0VSVA==\n")
    }))

  it.effect("only the first Embedded file secret gets its envVar (a path in lower case)", () =>
    Effect.gen(function*() {
      const store = Flyte2.store({ MyKey: "1", second: "2" })
      const pod = yield* inject([
        { key: "MyKey", mountRequirement: "FILE", envVar: "FIRST_PATH" },
        { key: "second", mountRequirement: "FILE", envVar: "SECOND_PATH" }
      ], { embedded: { store } })
      const names = envOf(pod).map((envVar) => envVar.name)
      assert.include(names, "FIRST_PATH")
      assert.notInclude(names, "SECOND_PATH")
      assert.strictEqual(envOf(pod)[0]!.value, "/etc/flyte/secrets/mykey")
    }))

  it.effect("the init container's name, image and resources can be set", () =>
    Effect.gen(function*() {
      const pod = yield* inject([Secret.flyte2({ key: "k", mount: "/etc/flyte/secrets" })], {
        embedded: {
          store: Flyte2.store({ k: "v" }),
          initContainer: { name: "init-secrets", image: "busybox:1.36", resources: { limits: { cpu: "50m" } } }
        }
      })
      const init = pod.spec.initContainers![0]!
      assert.strictEqual(init.name, "init-secrets")
      assert.strictEqual(init.image, "busybox:1.36")
      assert.deepStrictEqual(init.resources, { limits: { cpu: "50m" } })
    }))

  it.effect("Vault: the directory variables go to the head, replacing old ones; the agent's annotations as Flyte 1", () =>
    Effect.gen(function*() {
      const pod = yield* inject([{ group: "kv/app", key: "db", mountRequirement: "FILE" }], {
        secretManagerTypes: ["Vault"],
        uuid: () => "id"
      }, {
        spec: {
          containers: [{
            name: "c",
            env: [{ name: "A", value: "1" }, { name: "FLYTE_SECRETS_DEFAULT_DIR", value: "/old" }]
          }]
        }
      })
      assert.deepStrictEqual(envOf(pod), [
        { name: "FLYTE_SECRETS_FILE_PREFIX", value: "" },
        { name: "FLYTE_SECRETS_DEFAULT_DIR", value: "/etc/flyte/secrets" },
        { name: "A", value: "1" }
      ])
      assert.strictEqual(pod.metadata?.annotations?.["vault.hashicorp.com/agent-inject-file-id"], "kv/app/db")
    }))

  it.effect("an Azure Key Vault URI is a group like any other (names are not checked at injection)", () =>
    Effect.gen(function*() {
      const pod = yield* inject(
        [{ group: "https://v.vault.azure.net/secrets/db-password", mountRequirement: "FILE" }],
        { secretManagerTypes: ["Azure"] }
      )
      assert.strictEqual(pod.spec.initContainers![0]!.name, "azure-pull-secret-0")
    }))

  it.effect("bad options and secrets are typed errors naming what is wrong", () =>
    Effect.gen(function*() {
      const types = yield* failureOf(inject([], { secretManagerTypes: ["Foo" as never] }))
      assert.strictEqual(types.reason, "InvalidOptions")
      assert.include(types.message, "Embedded, K8s, AWS, GCP, Azure, Vault")
      const store = yield* failureOf(inject([], { embedded: { store: {} as never } }))
      assert.include(store.message, "Flyte2.store")
      const secret = yield* failureOf(inject([{ key: "k", mountRequirement: "BOTH" }]))
      assert.strictEqual(secret.reason, "InvalidSecret")
      const global = yield* failureOf(
        inject([Secret.flyte2({ key: "k", group: "g" })], { globalSecrets: () => 1 as never })
      )
      assert.strictEqual(global.reason, "InvalidOptions")
      assert.include(global.message, "globalSecrets must return a string or undefined")
      const notArray = yield* failureOf(inject("k" as never))
      assert.strictEqual(notArray.reason, "InvalidSecret")
    }))

  it.effect("no stored value ever appears in an error", () =>
    Effect.gen(function*() {
      const store = Flyte2.store([{ name: "bin", value: new Uint8Array([0xff, 0xfe, 0x73, 0x33]) }])
      const error = yield* failureOf(inject([{ key: "bin", mountRequirement: "ENV_VAR", envVar: "BIN" }], {
        embedded: { store }
      }))
      assert.include(error.message, "not a valid UTF-8 string; mount as a file instead")
      assert.notInclude(JSON.stringify(error), "s3")
      assert.notInclude(error.message, "s3")
    }))

  it.effect("imagePullSecrets: the pull Secret of the scope the value was found in is added, once, sorted", () =>
    Effect.gen(function*() {
      // Found at the organisation scope: sha256("flyte:::registry").
      const pull = "img-pull-" + createHash("sha256").update("flyte:::registry").digest("hex").slice(0, 16)
      const store = Flyte2.store({ registry: "creds", other: "x" })
      const pod = yield* inject([Secret.flyte2("registry"), Secret.flyte2("registry")], {
        embedded: { store, imagePullSecrets: ["img-pull-0000000000000000", pull, "img-pull-zzz"] }
      })
      assert.deepStrictEqual((pod.spec as { imagePullSecrets?: unknown }).imagePullSecrets, [{ name: pull }])
      const none = yield* inject([Secret.flyte2("other")], { embedded: { store, imagePullSecrets: [pull] } })
      assert.isUndefined((none.spec as { imagePullSecrets?: unknown }).imagePullSecrets)
    }))
})

describe("Kubernetes.annotatePod({ flyte: 2 }) and secretsFromAnnotations", () => {
  it.effect("adds the executor's labels, and the round trip gives the Flyte 2 secrets back", () =>
    Effect.gen(function*() {
      const pod = yield* Kubernetes.annotatePod({ spec: { containers: [{ name: "primary" }] } }, [
        Secret.flyte2("openai-key")
      ], { flyte: 2, project: "flytesnacks", domain: "development" })
      assert.deepStrictEqual(pod.metadata?.labels, {
        "inject-flyte-secrets": "true",
        organization: "flyte",
        project: "flytesnacks",
        domain: "development"
      })
      const secrets = yield* Kubernetes.secretsFromAnnotations(pod, { origin: "flyte2" })
      const store = Flyte2.store([{ name: "openai-key", value: "sk", project: "flytesnacks", domain: "development" }])
      const injected = yield* Kubernetes.injectSecrets(pod, secrets, { flyte: 2, embedded: { store } })
      assert.deepStrictEqual(envOf(injected)[0], { name: "OPENAI_KEY", value: "sk" })
    }))
  it.effect("project and domain must be strings", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(
        Kubernetes.annotatePod(taskPod, [], { flyte: 2, project: 1 as never, domain: "d" })
      )
      assert.strictEqual(error.reason, "InvalidOptions")
      const missing = yield* failureOf(
        Kubernetes.annotatePod(taskPod, [], { flyte: 2, project: undefined as never, domain: "d" })
      )
      assert.strictEqual(missing.reason, "InvalidOptions")
    }))
  it.effect("an empty or missing project or domain is refused (the Embedded secret manager refuses an empty label)", () =>
    Effect.gen(function*() {
      for (const scope of [{ project: "", domain: "d" }, { project: "p", domain: "" }, { project: "", domain: "" }]) {
        const error = yield* failureOf(Kubernetes.annotatePod(taskPod, [], { flyte: 2, ...scope }))
        assert.strictEqual(error.reason, "InvalidOptions", JSON.stringify(scope))
        assert.include(error.message, "needs a project and a domain, each a non-empty string", JSON.stringify(scope))
      }
      const missing = yield* failureOf(
        Kubernetes.annotatePod(taskPod, [], { flyte: 2, domain: "d" } as never)
      )
      assert.include(missing.message, "needs a project and a domain, each a non-empty string")
    }))
  it.effect("the scope is read once: a getter cannot pass the checks with one project and label the pod with another", () =>
    Effect.gen(function*() {
      for (const field of ["project", "domain"] as const) {
        for (let bad = 0; bad < 4; bad++) {
          let reads = 0
          const options = { flyte: 2 as const, project: "p", domain: "d" }
          Object.defineProperty(options, field, { get: () => reads++ === bad ? "forged\nlabel" : "ok" })
          const result = yield* Effect.result(Kubernetes.annotatePod(taskPod, [], options))
          if (Result.isSuccess(result)) {
            assert.strictEqual(result.success.metadata?.labels?.[field], "ok", `${field} read ${bad}`)
          }
          assert.isAtMost(reads, 1, `${field}: read once`)
        }
      }
    }))

  it.effect("a project or domain no pod label can hold is refused, saying what a label value is", () =>
    Effect.gen(function*() {
      for (const [project, domain] of [["Flyte Snacks", "dev"], ["p", "dev/1"], ["p", "d".repeat(64)], ["-p", "d"]]) {
        const error = yield* failureOf(Kubernetes.annotatePod(taskPod, [], { flyte: 2, project, domain }))
        assert.strictEqual(error.reason, "InvalidOptions", `${project} ${domain}`)
        assert.include(error.message, "a Kubernetes label value is at most 63")
      }
      const pod = yield* Kubernetes.annotatePod(taskPod, [], { flyte: 2, project: "Flyte_Snacks.1", domain: "Dev" })
      assert.strictEqual(pod.metadata?.labels?.["project"], "Flyte_Snacks.1")
    }))
})
