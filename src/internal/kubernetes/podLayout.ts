/**
 * What a container of a rendered pod sees, read from the pod alone: its environment (literal values and
 * `secretKeyRef`s), the Kubernetes Secret volumes it mounts (projected by the kubelet), the `emptyDir` volumes the
 * AWS and GCP init containers fill, and the files the Vault agent writes from the pod's annotations. Paths inside
 * `/etc/flyte/secrets` are kept relative to it, so the layout can be placed in any directory.
 */
import * as Result from "effect/Result"
import type { Container, EnvVar, Pod, Volume } from "../../Kubernetes.ts"
import { quoteName } from "../lookup/naming.ts"
import { awsArnVariable, awsFilenameVariable, awsSidecarMountPath } from "./awsInjector.ts"
import { embeddedFiles } from "./flyte2/embeddedScript.ts"
import { parseAzureCommand } from "./flyte2/sidecarInjectors.ts"
import { parseGcpAccessCommand } from "./gcpInjector.ts"
import { goJoin } from "./goStrings.ts"
import type { Problem } from "./problems.ts"
import { vaultPrefix } from "./vaultInjector.ts"
import { secretsRoot } from "./webhookConfig.ts"

/** Where a value comes from: a Kubernetes Secret's key (or what an agent fetches, named the same way). */
export interface ValueRef {
  readonly group: string
  readonly key: string
}

/** An environment variable's value: literal text, or a path inside the secrets directory. */
export type EnvValue =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "path"; readonly relative: string }
  | { readonly kind: "secret"; readonly ref: ValueRef }

/** A Kubernetes Secret volume as the kubelet projects it: item paths and the keys they hold. */
export interface SecretVolumeLayout {
  readonly relative: string
  readonly secretName: string
  /** Undefined when the whole Secret is projected, one file per key. */
  readonly items: ReadonlyArray<{ readonly key: string; readonly path: string }> | undefined
}

/** A file an agent writes once, before the task starts. */
export interface AgentFile {
  readonly relative: string
  readonly ref: ValueRef
  /** The Azure CLI's `-o tsv` ends the value with a newline. */
  readonly newline?: boolean
}

/** A file whose content the pod itself carries (Flyte 2's Embedded init container). */
export interface CarriedFile {
  readonly relative: string
  readonly bytes: Uint8Array
}

export interface ContainerLayout {
  readonly env: ReadonlyArray<readonly [string, EnvValue]>
  readonly volumes: ReadonlyArray<SecretVolumeLayout>
  readonly files: ReadonlyArray<AgentFile>
  readonly carried: ReadonlyArray<CarriedFile>
}

/** The value an AWS sidecar fetches by ARN: resolved by the caller, who knows which secrets were declared. */
export type ArnResolver = (arn: string) => ValueRef | undefined

const unsupported = (detail: string): Problem => ({ reason: "UnsupportedLayout", detail })

/** The path relative to `/etc/flyte/secrets` (`""` for the directory itself), or `undefined` when outside. */
export const insideSecretsRoot = (containerPath: string): string | undefined => {
  const cleaned = goJoin(containerPath)
  return cleaned === secretsRoot
    ? ""
    : cleaned.startsWith(secretsRoot + "/")
    ? cleaned.slice(secretsRoot.length + 1)
    : undefined
}

const joinRelative = (base: string, relative: string) => base === "" ? relative : `${base}/${relative}`

const envValueOf = (envVar: EnvVar): EnvValue | Problem => {
  if (envVar.valueFrom !== undefined) {
    const ref = envVar.valueFrom.secretKeyRef
    if (ref === undefined) {
      return unsupported(`the variable ${quoteName(envVar.name)} is set from a source other than a Secret`)
    }
    return { kind: "secret", ref: { group: ref.name, key: ref.key } }
  }
  const text = envVar.value ?? ""
  // A path into the mounted secrets is one into the laid-out directory: the mount moved, the path moves with it.
  const relative = text.startsWith("/") ? insideSecretsRoot(text) : undefined
  return relative === undefined ? { kind: "text", text } : { kind: "path", relative }
}

const isProblem = (value: object): value is Problem => "reason" in value

/** The file an init container writes into `volume`, relative to the volume, and what it fetches. */
const agentFileOf = (
  initContainer: Container,
  volume: Volume,
  resolveArn: ArnResolver
): { readonly inVolume: string; readonly ref: ValueRef; readonly newline?: boolean } | Problem | undefined => {
  const mount = (initContainer.volumeMounts ?? []).find((candidate) => candidate.name === volume.name)
  if (mount === undefined) return undefined
  const env = new Map((initContainer.env ?? []).map((envVar) => [envVar.name, envVar.value ?? ""]))
  const arn = env.get(awsArnVariable)
  const filename = env.get(awsFilenameVariable)
  let written: string
  let ref: ValueRef
  let newline = false
  const gcp = parseGcpAccessCommand(initContainer.command)
  const azure = parseAzureCommand(initContainer.command)
  if (arn !== undefined && filename !== undefined) {
    const resolved = resolveArn(arn)
    if (resolved === undefined) return unsupported(`no declared secret is the AWS secret ${quoteName(arn)}`)
    // AWS's sidecar writes SECRET_FILENAME under /tmp, where its volume is mounted.
    written = goJoin(awsSidecarMountPath, filename)
    ref = resolved
  } else if (gcp !== undefined) {
    written = gcp.outFile
    ref = { group: gcp.group, key: gcp.version }
  } else if (azure !== undefined) {
    written = azure.outFile
    ref = { group: azure.uri, key: azure.version }
    newline = true
  } else {
    return undefined
  }
  const mountPath = goJoin(mount.mountPath)
  if (!written.startsWith(mountPath + "/")) {
    return unsupported(`the init container ${quoteName(initContainer.name)} writes outside its volume`)
  }
  return { inVolume: written.slice(mountPath.length + 1), ref, ...(newline ? { newline } : {}) }
}

const keyOfTemplate = /^\{\{- with secret "(?:[^"]*)" -\}\}\{\{ \.Data(?:\.data)?\.(.+) \}\}\{\{- end -\}\}$/s

/** The files the Vault agent writes, from the pod's `vault.hashicorp.com/*` annotations. */
const vaultFiles = (annotations: Readonly<Record<string, string>>): Array<AgentFile> | Problem => {
  if (annotations[`${vaultPrefix}agent-inject`] !== "true") return []
  const files: Array<AgentFile> = []
  const secretPrefix = `${vaultPrefix}agent-inject-secret-`
  for (const [name, group] of Object.entries(annotations)) {
    if (!name.startsWith(secretPrefix)) continue
    const id = name.slice(secretPrefix.length)
    const file = annotations[`${vaultPrefix}agent-inject-file-${id}`] ?? id
    const volumePath = annotations[`${vaultPrefix}secret-volume-path-${id}`] ??
      annotations[`${vaultPrefix}secret-volume-path`] ?? "/vault/secrets"
    const relative = insideSecretsRoot(goJoin(volumePath, file))
    if (relative === undefined || relative === "") {
      return unsupported(`the Vault agent writes ${quoteName(goJoin(volumePath, file))}, outside ${secretsRoot}`)
    }
    // Propeller names the file <group>/<key>; a template names the key too.
    const template = annotations[`${vaultPrefix}agent-inject-template-${id}`]
    const key = file.startsWith(group + "/")
      ? file.slice(group.length + 1)
      : template === undefined
      ? undefined
      : keyOfTemplate.exec(template)?.[1]
    if (key === undefined) return unsupported(`cannot tell which key the Vault agent writes to ${quoteName(file)}`)
    files.push({ relative, ref: { group, key } })
  }
  return files
}

/** The files the Embedded init container writes into the volume, as the container mounting it at `relative` sees them. */
const embeddedFilesIn = (
  initContainer: Container,
  volumeName: string,
  relative: string
): ReadonlyArray<CarriedFile> | Problem | undefined => {
  const files = embeddedFiles(initContainer)
  if (files === undefined || isProblem(files)) return files
  const mount = (initContainer.volumeMounts ?? []).find((candidate) => candidate.name === volumeName)
  if (mount === undefined) return undefined
  if (goJoin(mount.mountPath) !== secretsRoot) {
    return unsupported(`the init container ${quoteName(initContainer.name)} writes outside its volume`)
  }
  return [...files].map(([name, bytes]) => ({ relative: joinRelative(relative, name), bytes }))
}

/** What `container` of the pod sees; the pod is one the API server accepts (see `podValidation.ts`). */
export const containerLayout = (
  pod: Pod,
  container: Container,
  resolveArn: ArnResolver
): Result.Result<ContainerLayout, Problem> => {
  const env: Array<readonly [string, EnvValue]> = []
  for (const envVar of container.env ?? []) {
    const value = envValueOf(envVar)
    if (isProblem(value)) return Result.fail(value)
    env.push([envVar.name, value])
  }
  const volumesByName = new Map((pod.spec.volumes ?? []).map((volume) => [volume.name, volume]))
  const volumes: Array<SecretVolumeLayout> = []
  const files: Array<AgentFile> = []
  const carried: Array<CarriedFile> = []
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumesByName.get(mount.name)!
    const relative = insideSecretsRoot(mount.mountPath)
    if (relative === undefined) {
      return Result.fail(unsupported(`the volume ${quoteName(mount.name)} is mounted outside ${secretsRoot}`))
    }
    if (volume.secret !== undefined) {
      volumes.push({ relative, secretName: volume.secret.secretName ?? "", items: volume.secret.items })
    } else if (volume.emptyDir !== undefined) {
      for (const initContainer of pod.spec.initContainers ?? []) {
        const embedded = embeddedFilesIn(initContainer, volume.name, relative)
        if (embedded !== undefined) {
          if (isProblem(embedded)) return Result.fail(embedded)
          carried.push(...embedded)
          continue
        }
        const written = agentFileOf(initContainer, volume, resolveArn)
        if (written === undefined) continue
        if (isProblem(written)) return Result.fail(written)
        files.push({
          relative: joinRelative(relative, written.inVolume),
          ref: written.ref,
          ...(written.newline ? { newline: true } : {})
        })
      }
    } else {
      return Result.fail(unsupported(`the volume ${quoteName(mount.name)} is neither a Secret nor an emptyDir`))
    }
  }
  const vault = vaultFiles(pod.metadata?.annotations ?? {})
  if (isProblem(vault)) return Result.fail(vault)
  return Result.succeed({ env, volumes, files: [...files, ...vault], carried })
}
