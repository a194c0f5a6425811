/**
 * The Flyte 2 webhook's configuration, resolved from the options with its defaults (`secret/config/config.go`):
 * Global always first, then `secretManagerTypes` (Embedded when empty), the `_UNION_` prefix, Embedded's init
 * container, the sidecars' images and resources.
 */
import type {
  Flyte2InjectOptions,
  Flyte2SecretFields,
  Flyte2SecretManagerType,
  ResourceRequirements
} from "../../../Kubernetes.ts"
import type { Problem } from "../problems.ts"
import { isConfig, resolveConfig, resources, type Sidecar, type WebhookConfig } from "../webhookConfig.ts"
import { Store } from "./store.ts"

export const flyte2EnvPrefix = "_UNION_"

export interface InitContainerConfig {
  readonly name: string
  readonly image: string
  readonly resources: ResourceRequirements
}

/** Flyte 1's sidecars, Vault and ids, and what Flyte 2 adds. */
export interface Flyte2Config extends Omit<WebhookConfig, "backend" | "globalSecrets"> {
  readonly managers: ReadonlyArray<Flyte2SecretManagerType>
  readonly prefix: string
  readonly globalSecrets: ((secret: Flyte2SecretFields) => string | undefined) | undefined
  readonly embedded: {
    readonly store: Store
    readonly initContainer: InitContainerConfig
    readonly imagePullSecrets: ReadonlyArray<string> | undefined
  }
  readonly azure: Sidecar
}

const managerTypes: ReadonlyArray<Flyte2SecretManagerType> = ["Embedded", "K8s", "AWS", "GCP", "Azure", "Vault"]

const invalid = (detail: string): Problem => ({ reason: "InvalidOptions", detail })

const emptyStore = new Store(new Map())

const managersProblem = (managers: unknown): string | undefined => {
  if (!Array.isArray(managers)) return "secretManagerTypes must be an array"
  const unknown = managers.find((manager) => !managerTypes.includes(manager))
  return unknown === undefined
    ? undefined
    : `secretManagerTypes holds ${JSON.stringify(unknown)}: each is one of ${managerTypes.join(", ")}`
}

/** The configuration, or what is wrong with the options. */
export const resolveFlyte2Config = (options: Flyte2InjectOptions): Flyte2Config | Problem => {
  const { azure, embedded, globalSecrets, secretEnvVarPrefix = flyte2EnvPrefix, secretManagerTypes = [] } = options
  const problem = managersProblem(secretManagerTypes)
  if (problem !== undefined) return invalid(problem)
  if (typeof secretEnvVarPrefix !== "string") return invalid("secretEnvVarPrefix must be a string")
  if (embedded?.store !== undefined && !(embedded.store instanceof Store)) {
    return invalid("embedded.store must be made by Flyte2.store(...)")
  }
  // The sidecars, Vault, the ids and the global secrets' shape are checked as for Flyte 1.
  const shared = resolveConfig({ ...options, globalSecrets: globalSecrets as never, secretManagerType: "K8s" })
  if (!isConfig(shared)) return shared
  return {
    managers: secretManagerTypes.length === 0 ? ["Embedded"] : secretManagerTypes,
    prefix: secretEnvVarPrefix,
    globalSecrets,
    embedded: {
      store: embedded?.store ?? emptyStore,
      initContainer: {
        name: embedded?.initContainer?.name ?? "init-embedded-secret",
        image: embedded?.initContainer?.image ?? "public.ecr.aws/docker/library/busybox:latest",
        resources: embedded?.initContainer?.resources ?? {
          requests: { memory: "100Mi", cpu: "100m" },
          limits: { memory: "100Mi", cpu: "100m" }
        }
      },
      imagePullSecrets: embedded?.imagePullSecrets
    },
    aws: shared.aws,
    gcp: shared.gcp,
    azure: {
      sidecarImage: azure?.sidecarImage ?? "mcr.microsoft.com/azure-cli:cbl-mariner2.0",
      resources: azure?.resources ?? resources()
    },
    vault: shared.vault,
    uuid: shared.uuid
  }
}

export const isFlyte2Config = (value: Flyte2Config | Problem): value is Flyte2Config => "managers" in value
