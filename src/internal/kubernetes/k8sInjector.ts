/**
 * flytepropeller's Kubernetes Secrets injector (`webhook/k8s_secrets.go`): the group names a Kubernetes Secret, the
 * key one of its keys; `groupVersion` is ignored. `ENV_VAR` becomes `_FSEC_<GROUP>_<KEY>` from a `secretKeyRef`;
 * `FILE` and `ANY` a secret volume mounted at `/etc/flyte/secrets/<group>` (lower case) in every container.
 */
import type { EnvVar, Volume, VolumeMount } from "../../Kubernetes.ts"
import type { Secret } from "../../Secret.ts"
import { encodeBase32Text } from "./base32.ts"
import { goJoin, goToLower, goToUpper } from "./goStrings.ts"
import { appendToEveryContainer, appendVolume, type PodDraft } from "./podDraft.ts"
import { namesOf, type Problem } from "./problems.ts"
import { envPrefix, envPrefixEnvVar, fileEnvVars, secretsRoot } from "./webhookConfig.ts"

/** `CreateEnvVarForSecret`: `_FSEC_<GROUP>_<KEY>` from the Secret's key, optional. */
export const envVarForSecret = (group: string, key: string): EnvVar => ({
  name: goToUpper(envPrefix + group + "_" + key),
  valueFrom: { secretKeyRef: { name: group, key, optional: true } }
})

/** `CreateVolumeForSecret`: one volume per group and version, named `base32(group + "_" + groupVersion)`. */
export const volumeForSecret = (group: string, key: string, groupVersion: string): Volume => ({
  name: encodeBase32Text(group + "_" + groupVersion),
  secret: { secretName: group, items: [{ key, path: goToLower(key) }], optional: true }
})

/** `CreateVolumeMountForSecret`: read-only at `/etc/flyte/secrets/<lower(group)>`. */
export const volumeMountForSecret = (volumeName: string, group: string): VolumeMount => ({
  name: volumeName,
  readOnly: true,
  mountPath: goJoin(secretsRoot, goToLower(group))
})

export const injectK8s = (secret: Secret, draft: PodDraft): Problem | undefined => {
  const { envVar, group, key } = secret
  if (!group || !key) return { reason: group ? "MissingKey" : "MissingGroup", backend: "K8s", secret: namesOf(secret) }
  if (secret.mountRequirement === "ENV_VAR") {
    const variable = envVarForSecret(group, key)
    const named = envVar === undefined ? [] : [{ ...variable, name: envVar }]
    appendToEveryContainer(draft, [variable, ...named, envPrefixEnvVar])
    return undefined
  }
  const volume = volumeForSecret(group, key, secret.groupVersion ?? "")
  appendVolume(draft, volume)
  appendToEveryContainer(draft, fileEnvVars(secret), volumeMountForSecret(volume.name, group))
  return undefined
}
