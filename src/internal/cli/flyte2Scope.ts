/**
 * What the commands share for Flyte 2: the scope a task pod runs in (`--project`, `--domain`, checked as a stored
 * secret's scope is: label values, a project with a domain), the store its Embedded secret manager reads, and
 * `<redacted>` for the values Embedded inlines into a pod that is printed.
 */
import * as Effect from "effect/Effect"
import * as Flyte2 from "../../Flyte2.ts"
import type * as Kubernetes from "../../Kubernetes.ts"
import { secretsVariable } from "../kubernetes/flyte2/embeddedInjector.ts"
import { idProblem, scopeProblem } from "../kubernetes/flyte2/store.ts"
import { type CommandFailed, fail } from "./failure.ts"

/** What a printed pod shows where Embedded inlines a value. */
export const redacted = "<redacted>"

/** A task pod's scope: both, a domain alone, or neither (the organisation scope). */
export interface Flyte2Scope {
  readonly project?: string
  readonly domain?: string
}

/** `--project` and `--domain` as a scope; a project without a domain is refused with SecretService's message. */
export const flyte2Scope = (
  project: string | undefined,
  domain: string | undefined
): Effect.Effect<Flyte2Scope, CommandFailed> => {
  const scope = { ...(project === undefined ? {} : { project }), ...(domain === undefined ? {} : { domain }) }
  const problem = scopeProblem(scope, (name) => `--${name}`)
  if (problem !== undefined) return Effect.fail(fail(problem))
  const serviceProblem = idProblem({ name: "scope", ...scope })
  return serviceProblem === undefined
    ? Effect.succeed(scope)
    : Effect.fail(fail(`--project and --domain: ${serviceProblem}`))
}

/** A store holding `values` (by key) at `scope`: what `flyte create secret --project P --domain D` would hold. */
export const storeAt = (
  values: ReadonlyArray<readonly [string, string | Uint8Array]>,
  scope: Flyte2Scope
): Flyte2.Store => Flyte2.store(values.map(([name, value]) => ({ name, value, ...scope })))

/** The Embedded init container's `SECRETS` lines (`key=<base64 value>`) with each value redacted. */
const redactedLines = (lines: string): string =>
  lines.split("\n").map((line) => {
    const equals = line.indexOf("=")
    return equals === -1 ? line : `${line.slice(0, equals + 1)}${redacted}`
  }).join("\n")

/** The pod with the values Embedded's init container carries redacted (its variables already hold `redacted`). */
export const redactEmbeddedFiles = (pod: Kubernetes.Pod): Kubernetes.Pod => ({
  ...pod,
  spec: {
    ...pod.spec,
    ...(pod.spec.initContainers === undefined ? {} : {
      initContainers: pod.spec.initContainers.map((container) => ({
        ...container,
        ...(container.env === undefined ? {} : {
          env: container.env.map((variable) =>
            variable.name === secretsVariable && variable.value !== undefined
              ? { ...variable, value: redactedLines(variable.value) }
              : variable
          )
        })
      }))
    })
  }
})
