/**
 * The Flyte 2 webhook's configuration, resolved from the options with its defaults (`secret/config/config.go`):
 * Global always first, then `secretManagerTypes` (Embedded when empty), the `_UNION_` prefix, Embedded's init
 * container, the sidecars' images and resources.
 */
import { randomUUID } from "node:crypto"
import type { Flyte2InjectOptions, Flyte2SecretManagerType, ResourceRequirements } from "../../../Kubernetes.ts"
import type { Problem } from "../problems.ts"
import type { Sidecar } from "../webhookConfig.ts"
import { type Flyte2Secret } from "./secrets.ts"
import { Store } from "./store.ts"

export const flyte2EnvPrefix = "_UNION_"

export interface InitContainerConfig {
  readonly name: string
  readonly image: string
  readonly resources: ResourceRequirements
}

export interface Flyte2Config {
  readonly managers: ReadonlyArray<Flyte2SecretManagerType>
  readonly prefix: string
  readonly globalSecrets: ((secret: Flyte2Secret) => string | undefined) | undefined
  readonly embedded: {
    readonly store: Store
    readonly initContainer: InitContainerConfig
    readonly imagePullSecrets: ReadonlyArray<string> | undefined
  }
  readonly aws: Sidecar
  readonly gcp: Sidecar
  readonly azure: Sidecar
  readonly vault: {
    readonly role: string
    readonly kvVersion: "1" | "2"
    readonly annotations: Readonly<Record<string, string>>
  }
  readonly uuid: () => string
}

const managerTypes: ReadonlyArray<Flyte2SecretManagerType> = ["Embedded", "K8s", "AWS", "GCP", "Azure", "Vault"]

const sidecarResources = (): ResourceRequirements => ({
  requests: { memory: "500Mi", cpu: "200m" },
  limits: { memory: "500Mi", cpu: "200m" }
})

const sidecar = (options: Flyte2InjectOptions["aws"], image: string): Sidecar => ({
  sidecarImage: options?.sidecarImage ?? image,
  resources: options?.resources ?? sidecarResources()
})

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
  const { embedded, globalSecrets, secretEnvVarPrefix = flyte2EnvPrefix, secretManagerTypes = [], uuid, vault } =
    options
  const problem = managersProblem(secretManagerTypes)
  if (problem !== undefined) return invalid(problem)
  if (typeof secretEnvVarPrefix !== "string") return invalid("secretEnvVarPrefix must be a string")
  if (globalSecrets !== undefined && typeof globalSecrets !== "function") {
    return invalid("globalSecrets must be a function (secret) => string | undefined")
  }
  if (embedded?.store !== undefined && !(embedded.store instanceof Store)) {
    return invalid("embedded.store must be made by Flyte2.store(...)")
  }
  if (uuid !== undefined && typeof uuid !== "function") return invalid("uuid must be a function () => string")
  const kvVersion = vault?.kvVersion ?? "2"
  if (kvVersion !== "1" && kvVersion !== "2") {
    return invalid(`vault.kvVersion must be "1" or "2", not ${JSON.stringify(kvVersion)}`)
  }
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
    aws: sidecar(options.aws, "docker.io/amazon/aws-secrets-manager-secret-sidecar:v0.1.4"),
    gcp: sidecar(options.gcp, "gcr.io/google.com/cloudsdktool/cloud-sdk:alpine"),
    azure: sidecar(options.azure, "mcr.microsoft.com/azure-cli:cbl-mariner2.0"),
    vault: { role: vault?.role ?? "flyte", kvVersion, annotations: vault?.annotations ?? {} },
    uuid: uuid ?? randomUUID
  }
}

export const isFlyte2Config = (value: Flyte2Config | Problem): value is Flyte2Config => "managers" in value
