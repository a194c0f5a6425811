/**
 * Kubernetes figures: injecting secrets into a pod must cost the same per secret whatever their number. Propeller
 * scans a container's variables and the pod's volumes at every append, and the Flyte 2 webhook rebuilds the list at
 * every variable it puts at the head; the library keeps sets and maps instead, so one pod of 1,000 secrets should
 * cost what 10 pods of 100 cost, Flyte 1 and Flyte 2 alike.
 */
import * as Effect from "effect/Effect"
import { type Figure, sideBySide, timeSync } from "./harness.ts"

/** What `bench/run.ts` hands every figure module: the built library, the rounds, and the count scaler. */
export interface Context {
  readonly lib: typeof import("../src/index.ts")
  readonly rounds: number
  readonly n: (count: number) => number
}

/** `count` secrets in groups of ten keys; every other group is an environment variable unless files only. */
const secretsOf = (count: number, filesOnly: boolean) =>
  Array.from({ length: count }, (_, i) => ({
    group: `group-${Math.floor(i / 10)}`,
    key: `key_${i % 10}`,
    mountRequirement: !filesOnly && Math.floor(i / 10) % 2 === 0 ? "ENV_VAR" as const : "FILE" as const
  }))

const pod = {
  metadata: { name: "task" },
  spec: { initContainers: [{ name: "setup" }], containers: [{ name: "task" }, { name: "sidecar" }] }
}

export const figures = ({ lib, n, rounds }: Context): ReadonlyArray<Figure> => {
  const { Kubernetes } = lib
  type Inject = (secrets: ReturnType<typeof secretsOf>) => Effect.Effect<unknown, unknown>
  const scaling = (name: string, filesOnly: boolean, inject: Inject): Figure => {
    const timeInject = (count: number, iterations: number) => {
      const secrets = secretsOf(count, filesOnly)
      return timeSync(iterations, () => Effect.runSync(inject(secrets)))
    }
    return {
      name,
      unit: "ns/op",
      baseline: "10 x inject of 100",
      target: 1.2,
      measure: () => sideBySide(rounds, () => timeInject(1000, n(20)), () => 10 * timeInject(100, n(200)))
    }
  }
  const counter = () => {
    let id = 0
    return () => String(id++)
  }
  const vaultIds = counter()
  const flyte2VaultIds = counter()
  return [
    scaling(
      "scaling: inject 1,000 secrets (K8s) vs 10 x 100",
      false,
      (secrets) => Kubernetes.injectSecrets(pod, secrets, {})
    ),
    scaling(
      "scaling: inject 1,000 secrets (Vault) vs 10 x 100",
      true,
      (secrets) => Kubernetes.injectSecrets(pod, secrets, { secretManagerType: "Vault", uuid: vaultIds })
    ),
    // Flyte 2 puts each variable at the head of every container, replacing the first of its name.
    scaling(
      "scaling: Flyte 2 inject 1,000 secrets (K8s) vs 10 x 100",
      false,
      (secrets) => Kubernetes.injectSecrets(pod, secrets, { flyte: 2, secretManagerTypes: ["K8s"] })
    ),
    scaling(
      "scaling: Flyte 2 inject 1,000 secrets (Global) vs 10 x 100",
      false,
      (secrets) =>
        Kubernetes.injectSecrets(pod, secrets, { flyte: 2, secretManagerTypes: ["K8s"], globalSecrets: () => "value" })
    ),
    scaling(
      "scaling: Flyte 2 inject 1,000 secrets (Vault) vs 10 x 100",
      true,
      (secrets) =>
        Kubernetes.injectSecrets(pod, secrets, { flyte: 2, secretManagerTypes: ["Vault"], uuid: flyte2VaultIds })
    )
  ]
}
