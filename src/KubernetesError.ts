/**
 * `SecretInjectionError`: why a secret could not be injected, annotated, read back from a pod, stored or laid out
 * locally. Its reasons fall in four groups, each a union of tags (as a platform error tells a rejected argument
 * from a system failure): a backend's refusal, bad input, a pod Kubernetes would refuse, and the local layout.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { describeProblem } from "./internal/kubernetes/problems.ts"

const backendRefusals = [
  "MissingGroup",
  "MissingKey",
  "MissingVersion",
  "UnsupportedMount",
  "GlobalSecretNotFound",
  "MissingPodLabel",
  "NotStored",
  "StoreFailure",
  "NotInjected"
] as const

const badInputs = [
  "InvalidSecret",
  "InvalidOptions",
  "InvalidPod",
  "InvalidAnnotation",
  "MissingValue",
  "InvalidValue"
] as const

const layoutFailures = ["UnsupportedLayout", "NotUpdatable", "InvalidConfiguration", "FileSystemError"] as const

/**
 * A secret manager did not inject a secret: a requirement not met (`MissingGroup`, `MissingKey`, `MissingVersion`,
 * `UnsupportedMount`), nothing to inject (`GlobalSecretNotFound`, `NotStored`), a Flyte 2 pod without its
 * `organization`/`project`/`domain` labels (`MissingPodLabel`), a store that answered with an error
 * (`StoreFailure`), or, with Flyte 2, no secret manager at all (`NotInjected`, each refusal kept in `refusals`).
 *
 * @since 0.1.0
 * @category errors
 */
export type BackendRefusal = typeof backendRefusals[number]

/**
 * What was given cannot be used: a declaration, the options, the pod, an annotation, or a value.
 *
 * @since 0.1.0
 * @category errors
 */
export type BadInput = typeof badInputs[number]

/**
 * What the pod would see cannot be laid out locally, or updated.
 *
 * @since 0.1.0
 * @category errors
 */
export type LayoutFailure = typeof layoutFailures[number]

/**
 * Why a secret could not be injected, annotated, read back, stored or materialised: a `BackendRefusal`, a
 * `BadInput`, a pod the Kubernetes API would refuse (`RejectedPod`) or a `LayoutFailure`.
 *
 * @since 0.1.0
 * @category errors
 */
export type SecretInjectionReason = BackendRefusal | BadInput | "RejectedPod" | LayoutFailure

/**
 * The group a reason belongs to.
 *
 * @since 0.1.0
 * @category errors
 */
export type SecretInjectionKind = "BackendRefusal" | "BadInput" | "RejectedPod" | "LayoutFailure"

const reasons: ReadonlyArray<SecretInjectionReason> = [
  ...backendRefusals,
  ...badInputs,
  "RejectedPod",
  ...layoutFailures
]

const injectionBackends = ["Global", "K8s", "AWS", "GCP", "Azure", "Vault", "Embedded"] as const

/**
 * The injector that refused a secret: a backend, or `Global`, the global secrets tried first.
 *
 * @since 0.1.0
 * @category errors
 */
export type InjectionBackend = typeof injectionBackends[number]

const SecretNames = Schema.Struct({
  group: Schema.optionalKey(Schema.String),
  key: Schema.optionalKey(Schema.String),
  groupVersion: Schema.optionalKey(Schema.String),
  mountRequirement: Schema.optionalKey(Schema.Literals(["ANY", "ENV_VAR", "FILE"])),
  envVar: Schema.optionalKey(Schema.String)
})

/**
 * The names of a secret, what an error may show of it (never a value).
 *
 * @since 0.1.0
 * @category errors
 */
export type SecretNames = typeof SecretNames.Type

const Refusal = Schema.Struct({
  backend: Schema.Literals(injectionBackends),
  reason: Schema.Literals(reasons),
  message: Schema.String
})

/**
 * One secret manager's refusal of a secret, kept by a Flyte 2 `NotInjected` error.
 *
 * @since 0.1.0
 * @category errors
 */
export type Refusal = typeof Refusal.Type

/**
 * A secret could not be injected, annotated, read back from annotations, stored or materialised. `reason` says
 * why (`kind` its group), `backend` which secret manager refused it, `secret` which one (names only, never a
 * value), `index` its position in the list given, `detail` what else helps, and `refusals` each secret manager's
 * own refusal when none injected it (Flyte 2). The message gives the webhook's own words, then what to do.
 *
 * **Example** (Which secret a backend refused, and why)
 *
 * ```ts
 * import { Kubernetes } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * declare const pod: Kubernetes.Pod
 * const rendered = Kubernetes.injectSecrets(pod, [{ group: "db", key: "password" }], { secretManagerType: "GCP" })
 * const why = Effect.flip(rendered).pipe(
 *   Effect.map((error) => `${error.backend} refused secret ${error.index}: ${error.reason}`) // GCP ... MissingVersion
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class SecretInjectionError extends Schema.TaggedError<SecretInjectionError>()("SecretInjectionError", {
  reason: Schema.Literals(reasons),
  backend: Schema.optionalKey(Schema.Literals(injectionBackends)),
  secret: Schema.optionalKey(SecretNames),
  index: Schema.optionalKey(Schema.Number),
  detail: Schema.optionalKey(Schema.String),
  refusals: Schema.optionalKey(Schema.Array(Refusal))
}) {
  /** The group of `reason`. */
  get kind(): SecretInjectionKind {
    return kindOf(this.reason)
  }

  override get message(): string {
    return describeProblem(this)
  }
}

const kindOf = (reason: SecretInjectionReason): SecretInjectionKind =>
  (backendRefusals as ReadonlyArray<string>).includes(reason)
    ? "BackendRefusal"
    : (badInputs as ReadonlyArray<string>).includes(reason)
    ? "BadInput"
    : reason === "RejectedPod"
    ? "RejectedPod"
    : "LayoutFailure"
