/**
 * `effect-secrets render MODULE --task NAME`: the pod a task runs in, as flytepropeller's secrets webhook makes it
 * (or, with `--annotate`, as propeller hands it to the webhook), in YAML or JSON, like `kubectl --dry-run -o yaml`.
 * With `--flyte 2` it is the Flyte 2 webhook's pod, its secret managers the `--backend`s in order; the values its
 * Embedded secret manager inlines are shown as `<redacted>`.
 */
import * as Effect from "effect/Effect"
import * as Kubernetes from "../../Kubernetes.ts"
import type { Secret } from "../../Secret.ts"
import { noScope } from "../kubernetes/annotations.ts"
import { rejection } from "../kubernetes/podValidation.ts"
import { quoteName } from "../lookup/naming.ts"
import { type CommandFailed, fail } from "./failure.ts"
import { type Flyte2Scope, flyte2Scope, redacted, redactEmbeddedFiles, storeAt } from "./flyte2Scope.ts"
import { loadTasks, selectTask } from "./modules.ts"
import { print } from "./printing.ts"

export interface RenderInput {
  readonly module: string
  readonly task: string | undefined
  readonly flyte?: 1 | 2
  /** Flyte 1: at most one, the webhook's backend. Flyte 2: the secret managers, in order. */
  readonly backends: ReadonlyArray<Kubernetes.Flyte2SecretManagerType>
  readonly project?: string | undefined
  readonly domain?: string | undefined
  readonly annotate: boolean
  readonly format: "yaml" | "json"
}

const flyte1Backends: ReadonlyArray<string> = ["K8s", "AWS", "GCP", "Vault"]

/**
 * A task's name as a Kubernetes name (a DNS label: lower-case letters, digits and "-", at most 63 characters), for
 * the pod and its container.
 */
export const kubernetesName = (name: string): string =>
  name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").slice(0, 63).replace(/^-+|-+$/g, "") || "task"

/** A pod with one container named after the task, as propeller starts from. */
export const taskPod = (taskName: string): Kubernetes.Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: kubernetesName(taskName) },
  spec: { containers: [{ name: kubernetesName(taskName) }] }
})

/**
 * The pod, unless the API server would refuse it (as `run` does: there is no pod to lay out then). Annotated, the
 * pod is refused once the webhook has rendered it, so the rendered pod is checked either way.
 */
const refusedByKubernetes = (pod: Kubernetes.Pod): Effect.Effect<Kubernetes.Pod, Kubernetes.SecretInjectionError> => {
  const problem = rejection(pod)
  return problem === undefined ? Effect.succeed(pod) : Effect.fail(new Kubernetes.SecretInjectionError(problem))
}

/** Flyte 1's one backend, or why the flags do not name one. */
const flyte1Backend = (input: RenderInput): Effect.Effect<Kubernetes.SecretManagerType, CommandFailed> => {
  const [backend, ...more] = input.backends
  if (more.length > 0) {
    return Effect.fail(fail(
      "flytepropeller's webhook has one secret manager: give --backend once (an ordered list of secret managers " +
        "is Flyte 2's: add --flyte 2)."
    ))
  }
  if (backend !== undefined && !flyte1Backends.includes(backend)) {
    return Effect.fail(fail(`--backend ${backend} is a secret manager of Flyte 2's webhook: add --flyte 2.`))
  }
  if (input.project !== undefined || input.domain !== undefined) {
    return Effect.fail(fail("--project and --domain are a Flyte 2 task pod's scope: add --flyte 2."))
  }
  return Effect.succeed((backend ?? "K8s") as Kubernetes.SecretManagerType)
}

/** Flyte 1: the pod after flytepropeller's webhook, or annotated for it. */
const flyte1Pod = (input: RenderInput, pod: Kubernetes.Pod, secrets: ReadonlyArray<Secret>) =>
  Effect.gen(function*() {
    const secretManagerType = yield* flyte1Backend(input)
    const injected = yield* Effect.flatMap(
      Kubernetes.injectSecrets(pod, secrets, { secretManagerType }),
      refusedByKubernetes
    )
    return input.annotate ? yield* Kubernetes.annotatePod(pod, secrets) : injected
  })

/** The labels Flyte 2's executor gives the pod; a scope left out is none a stored secret can have. */
const scopeLabels = (scope: Flyte2Scope) => ({
  organization: "flyte",
  project: scope.project ?? noScope,
  domain: scope.domain ?? noScope
})

/** The pod's labels without those standing for a scope left out (no label value can be `noScope`). */
const withoutUnknownScope = (pod: Kubernetes.Pod): Kubernetes.Pod => ({
  ...pod,
  metadata: {
    ...pod.metadata,
    labels: Object.fromEntries(Object.entries(pod.metadata?.labels ?? {}).filter(([, value]) => value !== noScope))
  }
})

/**
 * Flyte 2: the pod after the Flyte 2 webhook, or annotated for it. Its Embedded secret manager reads a store that
 * holds `<redacted>` for every key at the pod's scope: the render shows where each value goes, never a value.
 */
const flyte2Pod = (input: RenderInput, pod: Kubernetes.Pod, secrets: ReadonlyArray<Secret>) =>
  Effect.gen(function*() {
    const scope = yield* flyte2Scope(input.project, input.domain)
    const labelled = { ...pod, metadata: { ...pod.metadata, labels: scopeLabels(scope) } }
    const keys = secrets.flatMap((secret) => secret.key === undefined ? [] : [[secret.key, redacted] as const])
    const injected = yield* Kubernetes.injectSecrets(labelled, secrets, {
      flyte: 2,
      secretManagerTypes: input.backends,
      embedded: { store: storeAt(keys, scope) }
    }).pipe(Effect.flatMap(refusedByKubernetes))
    const rendered = input.annotate
      ? yield* Kubernetes.annotatePod(labelled, secrets)
      : redactEmbeddedFiles(injected)
    return withoutUnknownScope(rendered)
  })

/** Prints the task's pod after the webhook (or annotated for it), unless Kubernetes would refuse that pod. */
export const render = (input: RenderInput): Effect.Effect<void, CommandFailed> =>
  Effect.gen(function*() {
    if (input.annotate && input.backends.length > 0) {
      return yield* Effect.fail(fail(
        "--annotate renders the pod as propeller hands it to the webhook, before any backend: leave out --backend."
      ))
    }
    const task = yield* selectTask(yield* loadTasks(input.module), input.task, input.module)
    const pod = taskPod(task.name)
    const inTask = (error: Kubernetes.SecretInjectionError) => fail(`Task ${quoteName(task.name)}: ${error.message}`)
    const rendered = yield* (input.flyte === 2 ? flyte2Pod : flyte1Pod)(input, pod, task.secretRequests).pipe(
      Effect.catchTag("SecretInjectionError", (error) => Effect.fail(inTask(error)))
    )
    yield* print(input.format === "json" ? JSON.stringify(rendered, null, 2) : Kubernetes.toYaml(rendered).trimEnd())
  })
