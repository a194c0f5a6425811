/**
 * The pod metadata flytepropeller adds before its webhook runs (flyteplugins `utils/secrets/marshaler.go`): the
 * label `inject-flyte-secrets: "true"`, which selects the pod for the webhook, and one annotation
 * `flyte.secrets/s<i>` per secret, the secret's protobuf text format in base32.
 */
import type * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { ObjectMeta, Pod } from "../../Kubernetes.ts"
import type { SecretInjectionError } from "../../KubernetesError.ts"
import { type MountRequirement, Secret, type SecretInput, type SecretOrigin } from "../../Secret.ts"
import { quoteName } from "../lookup/naming.ts"
import { strictUtf8Text } from "../lookup/text.ts"
import { decodeBase32, encodeBase32Text } from "./base32.ts"
import { scopeProblem } from "./flyte2/store.ts"
import { declarationProblem, fromResult, type Problem } from "./problems.ts"
import { parseSecretText, type SecretFields, toSecretText } from "./secretText.ts"

export const podLabel = "inject-flyte-secrets"
export const podLabelValue = "true"
export const annotationPrefix = "flyte.secrets/s"

/** The largest annotation propeller writes (Kubernetes' limit on all annotations together). */
const maxAnnotationBytes = 256 * 1024

const mounts: ReadonlyArray<MountRequirement> = ["ANY", "ENV_VAR", "FILE"]

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Sets an own property: defined, not assigned, so a key such as `__proto__` is a key like any other. */
const defineOwn = <A>(record: Record<string, A>, key: string, value: A): void => {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
}

/** The fields of a secret as given: strings are taken as they are, anything else is refused. */
export const fieldsOf = (secret: Secret | SecretInput, index: number): SecretFields | Problem => {
  if (secret instanceof Secret) return secret
  if (!isRecord(secret)) return { reason: "InvalidSecret", index, detail: "a secret must be an object" }
  const fields: Record<string, unknown> = {}
  for (const name of ["group", "key", "groupVersion", "envVar"] as const) {
    // Own properties only: a polluted Object.prototype adds nothing to an annotation.
    const value = Object.hasOwn(secret, name) ? secret[name] : undefined
    if (value !== undefined && typeof value !== "string") {
      return { reason: "InvalidSecret", index, detail: `${name} must be a string` }
    }
    fields[name] = value
  }
  const mount: unknown = Object.hasOwn(secret, "mountRequirement") ? secret.mountRequirement : undefined
  if (mount !== undefined && !mounts.includes(mount as MountRequirement)) {
    return { reason: "InvalidSecret", index, detail: `invalid mount requirement [${quoteName(String(mount))}]` }
  }
  return { ...fields, mountRequirement: mount } as SecretFields
}

export const isProblem = (value: SecretFields | Problem): value is Problem => "reason" in value

/** The pod with the label and one annotation per secret; earlier secret annotations replaced, all else kept. */
export const annotate = (
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  scopeLabels: Readonly<Record<string, string>> = {}
): Result.Result<Pod, Problem> => {
  if (!isRecord(pod)) return Result.fail({ reason: "InvalidPod", detail: "a pod must be an object" })
  const metadata: ObjectMeta = pod.metadata ?? {}
  if (!isRecord(metadata as unknown)) return Result.fail({ reason: "InvalidPod", detail: "metadata must be an object" })
  for (const field of ["labels", "annotations"] as const) {
    if (metadata[field] !== undefined && !isRecord(metadata[field] as unknown)) {
      return Result.fail({ reason: "InvalidPod", detail: `metadata.${field} must be an object` })
    }
  }
  if (!Array.isArray(secrets)) return Result.fail({ reason: "InvalidSecret", detail: "secrets must be an array" })
  const annotations: Record<string, string> = {}
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
    if (!key.startsWith(annotationPrefix)) defineOwn(annotations, key, value)
  }
  for (const [index, secret] of secrets.entries()) {
    const fields = fieldsOf(secret, index)
    if (isProblem(fields)) return Result.fail(fields)
    const encoded = encodeBase32Text(toSecretText(fields))
    if (encoded.length > maxAnnotationBytes) {
      return Result.fail({
        reason: "InvalidAnnotation",
        index,
        detail: `secret descriptor cannot exceed [${maxAnnotationBytes}]`
      })
    }
    annotations[annotationPrefix + index] = encoded
  }
  const selected = secrets.length > 0 ? { [podLabel]: podLabelValue } : {}
  const labels = secrets.length > 0 || Object.keys(scopeLabels).length > 0
    ? { ...(metadata.labels ?? {}), ...selected, ...scopeLabels }
    : metadata.labels
  let copy: Pod
  try {
    copy = structuredClone(pod)
  } catch {
    return Result.fail({ reason: "InvalidPod", detail: "a pod must be plain JSON data" })
  }
  const copiedMetadata: ObjectMeta = copy.metadata ?? {}
  return Result.succeed({
    ...copy,
    metadata: { ...copiedMetadata, ...(labels === undefined ? {} : { labels }), annotations }
  })
}

/** The annotation's index when it is a plain number (`s0`, `s12`): those come first, in numeric order. */
const indexOf = (key: string): number | undefined => {
  const suffix = key.slice(annotationPrefix.length)
  return /^(0|[1-9][0-9]{0,8})$/.test(suffix) ? Number(suffix) : undefined
}

const byIndex = (a: string, b: string): number => {
  const [ia, ib] = [indexOf(a), indexOf(b)]
  if (ia !== undefined && ib !== undefined) return ia - ib
  if (ia !== undefined || ib !== undefined) return ia !== undefined ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** The secret of one annotation, or why it cannot be read (the words propeller's webhook answers with). */
const secretOf = (key: string, value: unknown, origin: SecretOrigin): Secret | Problem => {
  const unreadable = (reason: string): Problem => ({
    reason: "InvalidAnnotation",
    detail: `error unmarshaling secret [${quoteName(key)}]. Error: ${reason}`
  })
  if (typeof value !== "string") return unreadable("the annotation is not a string")
  const bytes = decodeBase32(value)
  if (typeof bytes === "string") return unreadable(`not base32: ${bytes}`)
  const text = strictUtf8Text(bytes)
  if (text === undefined) return unreadable("the decoded text is not valid UTF-8")
  const fields = parseSecretText(text)
  if (typeof fields === "string") return unreadable(`not the text format of a core.Secret: ${fields}`)
  try {
    // An empty envVar is proto3's absent, as propeller reads it.
    const input = fields as SecretInput
    return new Secret({ ...input, ...(input.envVar === "" ? { envVar: undefined } : {}), origin })
  } catch (error) {
    return {
      reason: "InvalidSecret",
      detail: `annotation ${quoteName(key)}: ${declarationProblem(error)}`
    }
  }
}

/** The secrets of the pod's annotations, in index order, or the first that cannot be read. */
export const readAnnotations = (
  pod: Pod,
  origin: SecretOrigin = "flyte1"
): Result.Result<ReadonlyArray<Secret>, Problem> => {
  const annotations = isRecord(pod) && isRecord(pod.metadata) ? pod.metadata.annotations : undefined
  if (annotations !== undefined && !isRecord(annotations)) {
    return Result.fail({ reason: "InvalidPod", detail: "metadata.annotations must be an object" })
  }
  const keys = Object.keys(annotations ?? {}).filter((key) => key.startsWith(annotationPrefix)).sort(byIndex)
  const secrets: Array<Secret> = []
  for (const key of keys) {
    const secret = secretOf(key, annotations![key], origin)
    if (!(secret instanceof Secret)) return Result.fail(secret)
    secrets.push(secret)
  }
  return Result.succeed(secrets)
}

/**
 * A task pod without a project or domain still reads the organisation scope: its labels name a project and a
 * domain no stored secret can have (not a Kubernetes label value), since the webhook refuses empty ones.
 */
export const noScope = "(none)"

/**
 * The labels Flyte 2's executor gives a task pod, which its Embedded secret manager reads the scope from: the
 * organisation (always `flyte`), the project and the domain, or what is wrong with them. Each given must be a
 * Kubernetes label value (as a stored secret's scope must be); one left out is `noScope`.
 */
export const flyte2ScopeLabels = (scope: { readonly project?: unknown; readonly domain?: unknown }) => {
  // Each read once: a getter cannot pass the checks with one project and label the pod with another.
  const { domain, project } = scope
  if (![project, domain].every((part) => part === undefined || typeof part === "string")) {
    return "project and domain must be strings"
  }
  const given = { project: project as string | undefined, domain: domain as string | undefined }
  if (given.project !== undefined && given.domain === undefined) {
    return `a project needs its domain: Flyte 2's executor labels a task pod with both, and a project is stored ` +
      `under a domain (project=${quoteName(given.project)}): give the domain, or leave out the project for the ` +
      "organisation scope."
  }
  return scopeProblem(given) ??
    { organization: "flyte", project: given.project ?? noScope, domain: given.domain ?? noScope }
}

export const annotatePod = (
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  options?: { readonly flyte: 2; readonly project: string; readonly domain: string }
): Effect.Effect<Pod, SecretInjectionError> =>
  fromResult(() => {
    if (options === undefined) return annotate(pod, secrets)
    // A pod for a cluster names its scope: Flyte 2's executor labels every task pod with both, never empty.
    const scope = { project: options.project, domain: options.domain }
    const labels = [scope.project, scope.domain].some((part) => part === undefined || part === "")
      ? "a Flyte 2 task pod needs a project and a domain, each a non-empty string: its executor labels every task " +
        "pod with both, and the Embedded secret manager refuses a pod whose project or domain label is empty."
      : flyte2ScopeLabels(scope)
    return typeof labels === "string"
      ? Result.fail({ reason: "InvalidOptions", detail: labels })
      : annotate(pod, secrets, labels)
  })

export const secretsFromAnnotations = (
  pod: Pod,
  origin: SecretOrigin
): Effect.Effect<ReadonlyArray<Secret>, SecretInjectionError> => fromResult(() => readAnnotations(pod, origin))
