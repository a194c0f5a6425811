/**
 * `effect-secrets render MODULE --task NAME`: the pod a task runs in, as flytepropeller's secrets webhook makes it
 * (or, with `--annotate`, as propeller hands it to the webhook), in YAML or JSON, like `kubectl --dry-run -o yaml`.
 */
import * as Effect from "effect/Effect"
import * as Kubernetes from "../../Kubernetes.ts"
import { rejection } from "../kubernetes/podValidation.ts"
import { type CommandFailed, fail } from "./failure.ts"
import { loadTasks, selectTask } from "./modules.ts"
import { print } from "./printing.ts"

export interface RenderInput {
  readonly module: string
  readonly task: string | undefined
  readonly backend: Kubernetes.SecretManagerType | undefined
  readonly annotate: boolean
  readonly format: "yaml" | "json"
}

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

/** Prints the task's pod after the webhook (or annotated for it), unless Kubernetes would refuse that pod. */
export const render = (input: RenderInput): Effect.Effect<void, CommandFailed> =>
  Effect.gen(function*() {
    if (input.annotate && input.backend !== undefined) {
      return yield* Effect.fail(fail(
        "--annotate renders the pod as propeller hands it to the webhook, before any backend: leave out --backend."
      ))
    }
    const task = yield* selectTask(yield* loadTasks(input.module), input.task, input.module)
    const pod = taskPod(task.name)
    const inTask = (error: Kubernetes.SecretInjectionError) =>
      fail(`Task ${JSON.stringify(task.name)}: ${error.message}`)
    const injected = yield* Kubernetes.injectSecrets(pod, task.secretRequests, {
      secretManagerType: input.backend ?? "K8s"
    }).pipe(Effect.flatMap(refusedByKubernetes), Effect.mapError(inTask))
    const rendered = input.annotate
      ? yield* Effect.mapError(Kubernetes.annotatePod(pod, task.secretRequests), inTask)
      : injected
    yield* print(input.format === "json" ? JSON.stringify(rendered, null, 2) : Kubernetes.toYaml(rendered).trimEnd())
  })
