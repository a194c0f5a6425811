/**
 * Why an injection, an annotation or a materialisation failed, as plain data, and the message each reason gives:
 * flytepropeller's own words where propeller has them, then what to do. The public `SecretInjectionError` carries
 * these fields. Only names and places appear here, never a secret value.
 */
import type { InjectionBackend, SecretInjectionReason } from "../../Kubernetes.ts"
import type { MountRequirement } from "../../Secret.ts"
import { quoteName } from "../lookup/naming.ts"
import { toCompactText } from "./secretText.ts"

/** The secret managers of flytepropeller's webhook; `Global` is the one always tried first. */
export type Backend = InjectionBackend

/** Why a secret could not be injected, annotated, read back or laid out. */
export type Reason = SecretInjectionReason

/** The names of a secret: what a problem may show of it. */
export interface SecretNames {
  readonly group?: string
  readonly key?: string
  readonly groupVersion?: string
  readonly mountRequirement?: MountRequirement
  readonly envVar?: string
}

/** One failure: the reason, the backend that gave it, the secret (names only) and its position, and details. */
export interface Problem {
  readonly reason: Reason
  readonly backend?: Backend
  readonly secret?: SecretNames
  readonly index?: number
  readonly detail?: string
}

/** The names of a secret-like value: string fields only, `""` dropped, so nothing else is ever carried along. */
export const namesOf = (secret: {
  readonly group?: string | undefined
  readonly key?: string | undefined
  readonly groupVersion?: string | undefined
  readonly mountRequirement?: MountRequirement | undefined
  readonly envVar?: string | undefined
}): SecretNames => {
  const names: { -readonly [K in keyof SecretNames]: SecretNames[K] } = {}
  if (secret.group) names.group = secret.group
  if (secret.key) names.key = secret.key
  if (secret.groupVersion) names.groupVersion = secret.groupVersion
  if (secret.mountRequirement !== undefined) names.mountRequirement = secret.mountRequirement
  if (secret.envVar) names.envVar = secret.envVar
  return names
}

/** What `new Secret(...)` objected to, without its own "Invalid Secret:" heading. */
export const declarationProblem = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/^Invalid Secret: /, "")

const field = (value: string | undefined) => value === undefined ? "(none)" : quoteName(value)

/** `group "g" key "k"` (and the version when there is one), every name safely quoted. */
export const describeSecret = (secret: SecretNames | undefined): string => {
  if (secret === undefined) return "the secret"
  const version = secret.groupVersion === undefined ? "" : ` version ${field(secret.groupVersion)}`
  return `group ${field(secret.group)}${version} key ${field(secret.key)}`
}

/** What Go's `%v` prints for the secret: the one-line text format, inside propeller's brackets. */
const goValue = (secret: SecretNames | undefined) => toCompactText(secret ?? {})

const bothNeeded: Readonly<Record<Backend, string>> = {
  Global: "",
  K8s: "k8s Secrets Webhook require both key and group to be set.",
  AWS: "AWS Secrets Webhook require both key and group to be set.",
  GCP: "GCP Secrets Webhook require both group and group version to be set.",
  Vault: "Vault Secrets Webhook requires both key and group to be set."
}

const whatBackendNeeds: Readonly<Record<Backend, string>> = {
  Global: "A global secret becomes the variable _FSEC_<GROUP>_<KEY>: give the secret a group and a key.",
  K8s: "The Kubernetes backend mounts one key of one Kubernetes Secret: give the secret a group (the Secret's " +
    "name) and a key.",
  AWS: "The AWS backend fetches the AWS Secrets Manager secret <group>:<key>: give the secret a group and a key.",
  GCP: "The GCP backend fetches version <groupVersion> of the Secret Manager secret <group> (the key is not " +
    "used): give the secret a group and a groupVersion.",
  Vault: "The Vault backend reads the key <key> of the Vault secret at path <group>: give the secret a group and a " +
    "key."
}

const filesOnly: Readonly<Record<Backend, string>> = {
  Global: "Declare it with mountRequirement ENV_VAR or ANY; a FILE secret is left to the configured backend.",
  K8s: "",
  AWS: "The AWS backend writes secrets to files only: declare it with mountRequirement FILE or ANY (an envVar then " +
    "holds the file's path).",
  GCP: "The GCP backend writes secrets to files only: declare it with mountRequirement FILE or ANY.",
  Vault: "The Vault agent writes secrets to files only: declare it with mountRequirement FILE or ANY."
}

const position = (problem: Problem) => problem.index === undefined ? "" : ` #${problem.index}`

/** The message of a problem: propeller's words where it has them, then what to do. */
export const describeProblem = (problem: Problem): string => {
  const { backend = "K8s", detail, secret } = problem
  const more = detail === undefined ? "" : ` ${detail}`
  switch (problem.reason) {
    case "MissingGroup":
    case "MissingKey":
    case "MissingVersion":
      return backend === "Global"
        ? `mounting a secret to env var requires selecting the secret and a single key within. Key ` +
          `[${secret?.key ?? ""}]. ${whatBackendNeeds.Global}`
        : `${bothNeeded[backend]} Secret: [${goValue(secret)}]. ${whatBackendNeeds[backend]}`
    case "UnsupportedMount":
      return backend === "Global"
        ? `global secrets can only be injected as environment variables [${secret?.group ?? ""}/${
          secret?.key ?? ""
        }]. ${filesOnly.Global}`
        : backend === "Vault"
        ? `Env_Var is not a supported mount requirement for Vault Secret Manager. ${filesOnly.Vault}`
        : `unrecognized mount requirement [${secret?.mountRequirement ?? "ANY"}] for secret [${secret?.key ?? ""}]. ${
          filesOnly[backend]
        }`
    case "GlobalSecretNotFound":
      return `secret not found: options.globalSecrets gave no value for ${describeSecret(secret)}; the configured ` +
        "backend injects it instead."
    case "InvalidSecret":
      return `Invalid secret${position(problem)}:${more}`
    case "InvalidOptions":
      return `Invalid injection options:${more}`
    case "InvalidPod":
      return `Invalid pod:${more}`
    case "InvalidAnnotation":
      return `failed to unmarshal secrets from pod annotations:${more}. Annotate pods with ` +
        "Kubernetes.annotatePod(pod, secrets)."
    case "MissingValue":
      return `No value for ${describeSecret(secret)}:${more}`
    case "InvalidValue":
      return `Invalid value for ${describeSecret(secret)}:${more}`
    case "RejectedPod":
      return `Kubernetes would refuse the pod the webhook renders:${more}`
    case "UnsupportedLayout":
      return `Cannot lay out what the pod would see:${more}`
    case "NotUpdatable":
      return `Cannot update ${describeSecret(secret)}:${more}`
    case "InvalidConfiguration":
      return `The materialised environment does not configure a secrets manager:${more}`
    case "FileSystemError":
      return `Could not lay out the secrets:${more}`
  }
}
