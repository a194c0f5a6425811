/**
 * What the Kubernetes API server would refuse in a pod the webhook renders, as far as secrets go
 * (`pkg/apis/core/validation`): Secret names are DNS subdomains, Secret keys `[-._a-zA-Z0-9]+`, volume names DNS
 * labels (at most 63 characters, which a long group makes propeller's base32 name exceed), volume names unique,
 * every mount naming a volume, mount paths unique in a container, item paths relative without `..`. A pod the API
 * server refuses never runs, so there is nothing to materialise.
 */
import type { Container, Pod } from "../../Kubernetes.ts"
import { quoteName } from "../lookup/naming.ts"
import type { Problem } from "./problems.ts"
import { secretsRoot } from "./webhookConfig.ts"

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const secretKey = /^[-._a-zA-Z0-9]+$/
const labelValue = /^(?:[a-zA-Z0-9](?:[-._a-zA-Z0-9]*[a-zA-Z0-9])?)?$/
// Any printable ASCII character but "=" (RelaxedEnvironmentVariableValidation, on by default since 1.32).
const envVarName = /^[\x20-\x3c\x3e-\x7e]+$/

/** Whether a name is a DNS label (RFC 1123), as a namespace or a volume name must be. */
export const isDnsLabel = (name: string): boolean => name.length <= 63 && dnsLabel.test(name)

/** Whether a name is a DNS subdomain (RFC 1123), as a Secret's name must be. */
export const isDnsSubdomain = (name: string): boolean => name.length <= 253 && name.split(".").every(isDnsLabel)

/** Whether text is a label value: empty, or at most 63 letters, digits, "-", "_" and ".", alphanumeric at both ends. */
export const isLabelValue = (value: string): boolean => value.length <= 63 && labelValue.test(value)

/** Whether text is a label key: a label value's name, non-empty, after an optional DNS subdomain and "/". */
export const isLabelKey = (key: string): boolean => {
  const slash = key.lastIndexOf("/")
  const name = key.slice(slash + 1)
  return name !== "" && isLabelValue(name) && (slash === -1 || isDnsSubdomain(key.slice(0, slash)))
}

/** Whether text is a Secret's data key: at most 253 letters, digits, "-", "_" and ".", not "." nor from "..". */
export const isSecretKey = (key: string): boolean =>
  key.length <= 253 && secretKey.test(key) && key !== "." && !key.startsWith("..")

const subdomainProblem = (what: string, name: string | undefined): string | undefined =>
  name === undefined || !isDnsSubdomain(name)
    ? `${what} ${quoteName(name ?? "")} is not a Kubernetes Secret name (a DNS subdomain: at most 253 lower-case ` +
      `letters, digits, "-" and ".", starting and ending with a letter or digit); name the secret's group like one`
    : undefined

const keyProblem = (what: string, key: string): string | undefined =>
  isSecretKey(key)
    ? undefined
    : `${what} ${quoteName(key)} is not a Kubernetes Secret key (at most 253 letters, digits, "-", "_" and ".", ` +
      `not "." and not starting with "..")`

const itemPathProblem = (path: string): string | undefined => {
  const segments = path.split("/")
  return path === "" || path.startsWith("/") || segments.includes("..") || segments[0]!.startsWith("..")
    ? `the volume item path ${quoteName(path)} must be relative, without ".." and not start with ".."`
    : undefined
}

/**
 * Why two volumes share a mount path: at the secrets directory itself, two Flyte 2 secret managers each mounted
 * their volume (Embedded's and a sidecar's); below it, propeller mounted two groups at one lower-cased name.
 */
const sharedMountReason = (mountPath: string): string =>
  mountPath === secretsRoot
    ? "two secret managers each mount a volume at the secrets directory, so the file secrets of one pod may come " +
      "from only one of them"
    : "groups whose names differ only in case share a mount path"

const containerProblem = (container: Container, where: string, volumeNames: ReadonlySet<string>) => {
  for (const envVar of container.env ?? []) {
    if (!envVarName.test(envVar.name)) {
      return `${where}: the variable name ${quoteName(envVar.name)} must be printable ASCII without "="`
    }
    const ref = envVar.valueFrom?.secretKeyRef
    if (ref !== undefined) {
      const problem = subdomainProblem("the secretKeyRef name", ref.name) ?? keyProblem("the secretKeyRef key", ref.key)
      if (problem !== undefined) return `${where}: ${problem}`
    }
  }
  const mountPaths = new Map<string, string>()
  for (const mount of container.volumeMounts ?? []) {
    if (!volumeNames.has(mount.name)) {
      return `${where}: the volume mount ${quoteName(mount.name)} names no volume of the pod (propeller names a ` +
        "group's volume after its first groupVersion: one group is mounted with one version only)"
    }
    const mounted = mountPaths.get(mount.mountPath)
    if (mounted !== undefined) {
      return `${where}: two volumes are mounted at ${quoteName(mount.mountPath)} (${quoteName(mounted)} and ` +
        `${quoteName(mount.name)}): ${sharedMountReason(mount.mountPath)}`
    }
    mountPaths.set(mount.mountPath, mount.name)
  }
  return undefined
}

/** Why the API server would refuse the pod, or `undefined`. */
export const rejection = (pod: Pod): Problem | undefined => {
  const volumeNames = new Set<string>()
  for (const volume of pod.spec.volumes ?? []) {
    const problem = !isDnsLabel(volume.name)
      ? `the volume name ${quoteName(volume.name)} is not a DNS label of at most 63 characters (propeller names a ` +
        "secret volume base32(group + \"_\" + groupVersion): together they may have at most 39 characters)"
      : volumeNames.has(volume.name)
      ? `two volumes are named ${quoteName(volume.name)}`
      : volume.secret === undefined
      ? undefined
      : subdomainProblem("the secret volume's secretName", volume.secret.secretName) ??
        (volume.secret.items ?? []).map((item) =>
          keyProblem("the volume item key", item.key) ?? itemPathProblem(item.path)
        )
          .find((found) => found !== undefined)
    if (problem !== undefined) return { reason: "RejectedPod", detail: problem }
    volumeNames.add(volume.name)
  }
  const lists = [["containers", pod.spec.containers], ["initContainers", pod.spec.initContainers ?? []]] as const
  for (const [list, containers] of lists) {
    for (const [index, container] of containers.entries()) {
      const problem = containerProblem(container, `spec.${list}[${index}]`, volumeNames)
      if (problem !== undefined) return { reason: "RejectedPod", detail: problem }
    }
  }
  return undefined
}
