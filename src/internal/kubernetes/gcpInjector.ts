/**
 * flytepropeller's GCP Secret Manager injector (`webhook/gcp_secret_manager.go`): one init container per secret
 * runs `gcloud secrets versions access` for version `groupVersion` of the secret `group` into a memory `emptyDir`
 * at `/etc/flyte/secrets/<lower(group)>/<lower(groupVersion)>`. The key and `envVar` are not used. Files only.
 */
import type { Secret } from "../../Secret.ts"
import { goJoin, goToLower } from "./goStrings.ts"
import {
  appendInitContainer,
  appendToEveryContainer,
  appendVolumeIfNotExists,
  initContainerCount,
  type PodDraft
} from "./podDraft.ts"
import { namesOf, type Problem } from "./problems.ts"
import { gcpNamesReason } from "./shellNames.ts"
import { defaultDirEnvVar, filePrefixEnvVar, secretsRoot, type Sidecar } from "./webhookConfig.ts"

export const gcpVolumeName = "gcp-secret-vol"

/**
 * `formatGCPSecretAccessCommand`: fetch the version by its resource name, or else by `--secret`, then make the file
 * readable (gcloud writes it 0600). Propeller quotes nothing.
 */
export const gcpAccessCommand = (group: string, version: string): Array<string> => {
  const secretDir = goToLower(goJoin(secretsRoot, group))
  const secretPath = goToLower(goJoin(secretDir, version))
  return [
    "sh",
    "-ec",
    `gcloud secrets versions access ${group}/versions/${version} --out-file=${secretPath} || ` +
    `gcloud secrets versions access ${version} --secret=${group} --out-file=${secretPath}; ` +
    `chmod +rX ${secretDir} ${secretPath}`
  ]
}

/** The secret and version a command of `gcpAccessCommand`'s form fetches, and the file it writes. */
export const parseGcpAccessCommand = (
  command: ReadonlyArray<string> | undefined
): { readonly group: string; readonly version: string; readonly outFile: string } | undefined => {
  if (command === undefined || command.length !== 3 || command[0] !== "sh" || command[1] !== "-ec") return undefined
  const match = /^gcloud secrets versions access (.+)\/versions\/(.+?) --out-file=(\S+) \|\| /s.exec(command[2]!)
  return match === null ? undefined : { group: match[1]!, version: match[2]!, outFile: match[3]! }
}

export const injectGcp = (secret: Secret, draft: PodDraft, sidecar: Sidecar): Problem | undefined => {
  const { group, groupVersion } = secret
  if (!group || !groupVersion) {
    return { reason: group ? "MissingVersion" : "MissingGroup", backend: "GCP", secret: namesOf(secret) }
  }
  if (secret.mountRequirement === "ENV_VAR") {
    return { reason: "UnsupportedMount", backend: "GCP", secret: namesOf(secret) }
  }
  const unsafe = gcpNamesReason(group, groupVersion)
  if (unsafe !== undefined) return { reason: "InvalidSecret", backend: "GCP", secret: namesOf(secret), detail: unsafe }
  appendVolumeIfNotExists(draft, { name: gcpVolumeName, emptyDir: { medium: "Memory" } })
  appendInitContainer(draft, {
    name: `gcp-pull-secret-${initContainerCount(draft)}`,
    image: sidecar.sidecarImage,
    command: gcpAccessCommand(group, groupVersion),
    resources: sidecar.resources,
    volumeMounts: [{ name: gcpVolumeName, mountPath: secretsRoot }]
  })
  appendToEveryContainer(draft, [defaultDirEnvVar, filePrefixEnvVar], {
    name: gcpVolumeName,
    readOnly: true,
    mountPath: secretsRoot
  })
  return undefined
}
