/**
 * flytepropeller's AWS Secrets Manager injector (`webhook/aws_secret_manager.go`): one init container per secret
 * runs AWS's sidecar, which fetches `<group>:<key>` into a memory `emptyDir` (mounted at `/tmp` in the sidecar) as
 * `/<lower(group)>/<lower(key)>`; every container mounts that volume read-only at `/etc/flyte/secrets`. Files only.
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
import { fileEnvVars, secretsRoot, type Sidecar } from "./webhookConfig.ts"

export const awsVolumeName = "aws-secret-vol"

/** Where AWS's sidecar expects its volume. */
export const awsSidecarMountPath = "/tmp"

export const awsArnVariable = "SECRET_ARN"
export const awsFilenameVariable = "SECRET_FILENAME"

/** `formatAWSSecretArn`: the group without trailing `:`, a `:`, the key without leading `:`. */
export const awsSecretArn = (group: string, key: string): string =>
  group.replace(/:+$/, "") + ":" + key.replace(/^:+/, "")

export const injectAws = (secret: Secret, draft: PodDraft, sidecar: Sidecar): Problem | undefined => {
  const { group, key } = secret
  if (!group || !key) return { reason: group ? "MissingKey" : "MissingGroup", backend: "AWS", secret: namesOf(secret) }
  if (secret.mountRequirement === "ENV_VAR") {
    return { reason: "UnsupportedMount", backend: "AWS", secret: namesOf(secret) }
  }
  appendVolumeIfNotExists(draft, { name: awsVolumeName, emptyDir: { medium: "Memory" } })
  appendInitContainer(draft, {
    name: `aws-pull-secret-${initContainerCount(draft)}`,
    image: sidecar.sidecarImage,
    env: [
      { name: awsArnVariable, value: awsSecretArn(group, key) },
      { name: awsFilenameVariable, value: goJoin("/", goToLower(group), goToLower(key)) }
    ],
    resources: sidecar.resources,
    volumeMounts: [{ name: awsVolumeName, mountPath: awsSidecarMountPath }]
  })
  appendToEveryContainer(draft, fileEnvVars(secret), { name: awsVolumeName, readOnly: true, mountPath: secretsRoot })
  return undefined
}
