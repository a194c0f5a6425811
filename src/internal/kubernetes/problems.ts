/**
 * Why an injection, an annotation or a materialisation failed, as plain data, and the message each reason gives:
 * flytepropeller's own words where propeller has them, then what to do. The public `SecretInjectionError` carries
 * these fields. Only names and places appear here, never a secret value.
 */
import * as Effect from "effect/Effect"
import type * as Result from "effect/Result"
import { type InjectionBackend, SecretInjectionError, type SecretNames } from "../../KubernetesError.ts"
import type { MountRequirement } from "../../Secret.ts"
import { quoteName } from "../lookup/naming.ts"
import { toCompactText } from "./secretText.ts"

/** One failure as plain data: the fields of a `SecretInjectionError`. */
export type Problem = ConstructorParameters<typeof SecretInjectionError>[0]

/** The public error for a problem. */
export const toError = (problem: Problem): SecretInjectionError => new SecretInjectionError(problem)

/** An Effect that fails with the problem of a result, or succeeds with its value; run when it is run. */
export const fromResult = <A>(result: () => Result.Result<A, Problem>): Effect.Effect<A, SecretInjectionError> =>
  Effect.suspend(() => Effect.mapError(Effect.fromResult(result()), toError))

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

const bothNeeded: Readonly<Record<InjectionBackend, string>> = {
  Global: "",
  Embedded: "EmbeddedSecretManager requires key to be set.",
  Azure: "azure Secrets Webhook require both group and group version to be set.",
  K8s: "k8s Secrets Webhook require both key and group to be set.",
  AWS: "AWS Secrets Webhook require both key and group to be set.",
  GCP: "GCP Secrets Webhook require both group and group version to be set.",
  Vault: "Vault Secrets Webhook requires both key and group to be set."
}

const whatBackendNeeds: Readonly<Record<InjectionBackend, string>> = {
  Embedded: "The Embedded backend reads the stored secret named by the key: give the secret a key.",
  Azure: "The Azure backend fetches the Key Vault secret whose URI is the group: give the secret a group.",
  Global: "A global secret becomes the variable _FSEC_<GROUP>_<KEY>: give the secret a group and a key.",
  K8s: "The Kubernetes backend mounts one key of one Kubernetes Secret: give the secret a group (the Secret's " +
    "name) and a key.",
  AWS: "The AWS backend fetches the AWS Secrets Manager secret <group>:<key>: give the secret a group and a key.",
  GCP: "The GCP backend fetches version <groupVersion> of the Secret Manager secret <group> (the key is not " +
    "used): give the secret a group and a groupVersion.",
  Vault: "The Vault backend reads the key <key> of the Vault secret at path <group>: give the secret a group and a " +
    "key."
}

const filesOnly: Readonly<Record<InjectionBackend, string>> = {
  Embedded: "",
  Azure: "The Azure backend writes secrets to files only: declare it with mountRequirement FILE (a mount).",
  Global: "Declare it with mountRequirement ENV_VAR or ANY; a FILE secret is left to the configured backend.",
  K8s: "",
  AWS: "The AWS backend writes secrets to files only: declare it with mountRequirement FILE or ANY (an envVar then " +
    "holds the file's path).",
  GCP: "The GCP backend writes secrets to files only: declare it with mountRequirement FILE or ANY.",
  Vault: "The Vault agent writes secrets to files only: declare it with mountRequirement FILE or ANY."
}

const position = (problem: Problem) => problem.index === undefined ? "" : ` #${problem.index}`

/**
 * The Flyte 2 webhook's answer when no secret manager injects a secret (`detail` names the managers tried), then
 * each manager's own refusal, which the webhook drops.
 */
const notInjected = (problem: Problem): string => {
  const text = goValue(problem.secret)
  const refusals = (problem.refusals ?? []).map(({ backend, message }) => `${backend}: ${message}`)
  return `none of the secret managers injected secret [${text}]: failed to inject secret [${text}] using any of ` +
    `the enabled secret managers: ${problem.detail ?? "[]"}. Possible reasons: the secret cannot be found or an ` +
    `internal error occurred.` + (refusals.length === 0 ? "" : ` Each secret manager's refusal: ${refusals.join("; ")}`)
}

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
    case "MissingPodLabel":
    case "NotStored":
    case "StoreFailure":
      return `${detail ?? "the Embedded secret manager did not inject the secret"}`
    case "NotInjected":
      return notInjected(problem)
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
