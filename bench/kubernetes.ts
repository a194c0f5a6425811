/**
 * Kubernetes figures: injecting secrets into a pod must cost the same per secret whatever their number. Propeller
 * scans a container's variables and the pod's volumes at every append; the library keeps sets and maps instead, so
 * one pod of 1,000 secrets should cost what 10 pods of 100 cost.
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
  const timeInject = (count: number, iterations: number, options: Parameters<typeof Kubernetes.injectSecrets>[2]) => {
    const secrets = secretsOf(count, options?.secretManagerType === "Vault")
    return timeSync(iterations, () => Effect.runSync(Kubernetes.injectSecrets(pod, secrets, options)))
  }
  const scaling = (name: string, options: Parameters<typeof Kubernetes.injectSecrets>[2]): Figure => ({
    name,
    unit: "ns/op",
    baseline: "10 x inject of 100",
    target: 1.2,
    measure: () =>
      sideBySide(rounds, () => timeInject(1000, n(20), options), () => 10 * timeInject(100, n(200), options))
  })
  return [
    scaling("scaling: inject 1,000 secrets (K8s) vs 10 x 100", {}),
    scaling("scaling: inject 1,000 secrets (Vault) vs 10 x 100", {
      secretManagerType: "Vault",
      uuid: (() => {
        let id = 0
        return () => String(id++)
      })()
    })
  ]
}
