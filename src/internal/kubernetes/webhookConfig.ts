/**
 * The webhook's configuration, resolved from the options with flytepropeller's defaults (`webhook/config`), and
 * the names every injector shares (`webhook/secrets.go`, `k8s_secrets.go`).
 */
import type { EnvVar, InjectOptions, ResourceRequirements, SecretManagerType } from "../../Kubernetes.ts"
import type { Secret } from "../../Secret.ts"
import { goJoin, goToLower } from "./goStrings.ts"
import type { Problem } from "./problems.ts"

/** Where every backend mounts secrets in a container. */
export const secretsRoot = "/etc/flyte/secrets"

export const envPrefix = "_FSEC_"
export const defaultDirVariable = "FLYTE_SECRETS_DEFAULT_DIR"
export const filePrefixVariable = "FLYTE_SECRETS_FILE_PREFIX"
export const envPrefixVariable = "FLYTE_SECRETS_ENV_PREFIX"

/** `FLYTE_SECRETS_DEFAULT_DIR=/etc/flyte/secrets`: where the container finds the files. */
export const defaultDirEnvVar: EnvVar = { name: defaultDirVariable, value: secretsRoot }

/** `FLYTE_SECRETS_FILE_PREFIX=`: the file names are the keys as they are. */
export const filePrefixEnvVar: EnvVar = { name: filePrefixVariable, value: "" }

/** `FLYTE_SECRETS_ENV_PREFIX=_FSEC_`: the prefix of the variables that hold secrets. */
export const envPrefixEnvVar: EnvVar = { name: envPrefixVariable, value: envPrefix }

/** `CreateVolumeMountEnvVarForSecretWithEnvName`: the declared `envVar` holds the path of the secret's file. */
/** The variables a file secret brings: where the files are, and its own file's path when it declares an `envVar`. */
export const fileEnvVars = (secret: Secret): ReadonlyArray<EnvVar> =>
  secret.envVar === undefined
    ? [defaultDirEnvVar, filePrefixEnvVar]
    : [defaultDirEnvVar, filePrefixEnvVar, filePathEnvVar({ ...secret, envVar: secret.envVar })]

export const filePathEnvVar = (secret: Secret & { readonly envVar: string }): EnvVar => ({
  name: secret.envVar,
  value: goJoin(secretsRoot, goToLower(secret.group ?? ""), goToLower(secret.key ?? ""))
})

/** The default requests and limits of a sidecar init container. */
export const resources = (): ResourceRequirements => ({
  requests: { memory: "500Mi", cpu: "200m" },
  limits: { memory: "500Mi", cpu: "200m" }
})

export interface Sidecar {
  readonly sidecarImage: string
  readonly resources: ResourceRequirements
}

export interface WebhookConfig {
  readonly backend: SecretManagerType
  readonly globalSecrets: ((secret: Secret) => string | undefined) | undefined
  readonly aws: Sidecar
  readonly gcp: Sidecar
  readonly vault: {
    readonly role: string
    readonly kvVersion: "1" | "2"
    readonly annotations: Readonly<Record<string, string>>
  }
  /** The caller's id maker for Vault annotations; without one, ids are derived from the pod and the secret. */
  readonly uuid: (() => string) | undefined
}

const backends: ReadonlyArray<SecretManagerType> = ["K8s", "AWS", "GCP", "Vault"]

const invalid = (detail: string): Problem => ({ reason: "InvalidOptions", detail })

/** The configuration, or what is wrong with the options. */
export const resolveConfig = (options: InjectOptions): WebhookConfig | Problem => {
  if (typeof options !== "object" || options === null) return invalid("options must be an object")
  const { aws, gcp, globalSecrets, secretManagerType = "K8s", uuid, vault } = options
  if (!backends.includes(secretManagerType)) {
    return invalid(`secretManagerType must be one of ${backends.join(", ")}, not ${JSON.stringify(secretManagerType)}`)
  }
  if (globalSecrets !== undefined && typeof globalSecrets !== "function") {
    return invalid("globalSecrets must be a function (secret) => string | undefined")
  }
  if (uuid !== undefined && typeof uuid !== "function") return invalid("uuid must be a function () => string")
  const kvVersion = vault?.kvVersion ?? "2"
  if (kvVersion !== "1" && kvVersion !== "2") {
    return invalid(`vault.kvVersion must be "1" or "2", not ${JSON.stringify(kvVersion)}`)
  }
  return {
    backend: secretManagerType,
    globalSecrets,
    aws: {
      sidecarImage: aws?.sidecarImage ?? "docker.io/amazon/aws-secrets-manager-secret-sidecar:v0.1.4",
      resources: aws?.resources ?? resources()
    },
    gcp: {
      sidecarImage: gcp?.sidecarImage ?? "gcr.io/google.com/cloudsdktool/cloud-sdk:alpine",
      resources: gcp?.resources ?? resources()
    },
    vault: { role: vault?.role ?? "flyte", kvVersion, annotations: vault?.annotations ?? {} },
    uuid
  }
}

export const isConfig = (value: WebhookConfig | Problem): value is WebhookConfig => "backend" in value
