/**
 * The Flyte 2 webhook's injectors that fetch a secret in an init container (`secret/aws_secret_manager.go`,
 * `gcp_secret_manager.go`, `azure_secret_manager.go`): a memory `emptyDir` that every container mounts read-only
 * at `/etc/flyte/secrets`, one init container per secret appended last, files only. AWS and GCP write Flyte 1's
 * layouts; Azure is new: the group is a Key Vault secret URI.
 */
import type { Container, Flyte2SecretFields, VolumeMount } from "../../../Kubernetes.ts"
import type { InjectionBackend, Refusal } from "../../../KubernetesError.ts"
import {
  awsArnVariable,
  awsFilenameVariable,
  awsSecretArn,
  awsSidecarMountPath,
  awsVolumeName
} from "../awsInjector.ts"
import { gcpAccessCommand, gcpVolumeName } from "../gcpInjector.ts"
import { goJoin, goToLower } from "../goStrings.ts"
import {
  appendInitContainer,
  appendVolumeIfNotExists,
  initContainerCount,
  type PodDraft,
  prependToEveryContainer
} from "../podDraft.ts"
import { azureNamesReason, gcpNamesReason } from "../shellNames.ts"
import { defaultDirEnvVar, filePrefixEnvVar, secretsRoot, type Sidecar } from "../webhookConfig.ts"
import { refusal, unmet } from "./refusal.ts"
import { mountName } from "./secrets.ts"

export const azureVolumeName = "azure-secret-vol"

/** Files only: ENV_VAR, or an enum number without a name, is refused. */
const mountRefusal = (backend: InjectionBackend, secret: Flyte2SecretFields): Refusal | undefined =>
  secret.mountRequirement === "ANY" || secret.mountRequirement === "FILE"
    ? undefined
    : refusal(
      backend,
      "UnsupportedMount",
      `unrecognized mount requirement [${mountName(secret)}] for secret [${secret.key ?? ""}]`
    )

/** The volume, the init container (named by the count of init containers), and every container's mount and dirs. */
const addSidecar = (
  draft: PodDraft,
  volumeName: string,
  prefix: string,
  sidecar: Sidecar,
  container: Omit<Container, "name" | "image" | "resources">
): void => {
  appendVolumeIfNotExists(draft, { name: volumeName, emptyDir: { medium: "Memory" } })
  appendInitContainer(draft, {
    name: `${prefix}-${initContainerCount(draft)}`,
    image: sidecar.sidecarImage,
    resources: sidecar.resources,
    ...container
  })
  const mount: VolumeMount = { name: volumeName, readOnly: true, mountPath: secretsRoot }
  prependToEveryContainer(draft, [filePrefixEnvVar, defaultDirEnvVar], mount)
}

export const injectAws = (secret: Flyte2SecretFields, draft: PodDraft, sidecar: Sidecar): Refusal | undefined => {
  const { group, key } = secret
  if (!group || !key) {
    return unmet(
      "AWS",
      group ? "MissingKey" : "MissingGroup",
      "AWS Secrets Webhook require both key and group to be set.",
      secret
    )
  }
  const refused = mountRefusal("AWS", secret)
  if (refused !== undefined) return refused
  addSidecar(draft, awsVolumeName, "aws-pull-secret", sidecar, {
    env: [
      { name: awsArnVariable, value: awsSecretArn(group, key) },
      { name: awsFilenameVariable, value: goJoin("/", goToLower(group), goToLower(key)) }
    ],
    volumeMounts: [{ name: awsVolumeName, mountPath: awsSidecarMountPath }]
  })
  return undefined
}

export const injectGcp = (secret: Flyte2SecretFields, draft: PodDraft, sidecar: Sidecar): Refusal | undefined => {
  const { group, groupVersion } = secret
  if (!group || !groupVersion) {
    return unmet(
      "GCP",
      group ? "MissingVersion" : "MissingGroup",
      "GCP Secrets Webhook require both group and group version to be set.",
      secret
    )
  }
  const refused = mountRefusal("GCP", secret)
  if (refused !== undefined) return refused
  const unsafe = gcpNamesReason(group, groupVersion)
  if (unsafe !== undefined) return refusal("GCP", "InvalidSecret", unsafe)
  addSidecar(draft, gcpVolumeName, "gcp-pull-secret", sidecar, {
    command: gcpAccessCommand(group, groupVersion),
    volumeMounts: [{ name: gcpVolumeName, mountPath: secretsRoot }]
  })
  return undefined
}

/** `az login` with the pod's federated token, then the secret's value written to its file. Nothing is quoted. */
export const azureCommand = (group: string, version: string | undefined): Array<string> => {
  const uri = group.replace(/\/+$/, "")
  const name = uri.slice(uri.lastIndexOf("/") + 1)
  const login = "az login --service-principal -u $AZURE_CLIENT_ID -t $AZURE_TENANT_ID --federated-token " +
    "\"$(cat $AZURE_FEDERATED_TOKEN_FILE)\"; "
  if (!version) {
    const file = goToLower(goJoin(secretsRoot, name))
    return ["sh", "-ec", `${login}az keyvault secret show --id "${uri}/" --query "value" -o tsv > ${file}`]
  }
  const dir = goToLower(goJoin(secretsRoot, name))
  const file = goToLower(goJoin(dir, version))
  return [
    "sh",
    "-ec",
    `${login}mkdir -p ${dir}; az keyvault secret show --id "${uri}/${version}" --query "value" -o tsv > ${file}`
  ]
}

/** The Key Vault secret (URI and version, `""` for the latest) a command of `azureCommand`'s form fetches, and its file. */
export const parseAzureCommand = (
  command: ReadonlyArray<string> | undefined
): { readonly uri: string; readonly version: string; readonly outFile: string } | undefined => {
  if (command === undefined || command.length !== 3 || command[0] !== "sh" || command[1] !== "-ec") return undefined
  const match = /; (?:mkdir -p \S+; )?az keyvault secret show --id "(.*)\/([^"/]*)" --query "value" -o tsv > (\S+)$/s
    .exec(command[2]!)
  return match === null ? undefined : { uri: match[1]!, version: match[2]!, outFile: match[3]! }
}

export const injectAzure = (secret: Flyte2SecretFields, draft: PodDraft, sidecar: Sidecar): Refusal | undefined => {
  const { group } = secret
  if (!group) {
    return unmet(
      "Azure",
      "MissingGroup",
      "azure Secrets Webhook require both group and group version to be set.",
      secret
    )
  }
  const refused = mountRefusal("Azure", secret)
  if (refused !== undefined) return refused
  const unsafe = azureNamesReason(group, secret.groupVersion)
  if (unsafe !== undefined) return refusal("Azure", "InvalidSecret", unsafe)
  addSidecar(draft, azureVolumeName, "azure-pull-secret", sidecar, {
    command: azureCommand(group, secret.groupVersion),
    volumeMounts: [{ name: azureVolumeName, mountPath: secretsRoot }]
  })
  return undefined
}
