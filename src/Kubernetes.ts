/**
 * `Kubernetes`: what the platform injects. flytepropeller's (Flyte 1) secrets webhook as a pure pod mutation,
 * the annotations propeller adds before that webhook runs, and a local materialisation of what a container sees
 * afterwards (its environment, and its files in the kubelet's layout), over which a `SecretsManager` can run.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { createRequire } from "node:module"
import { describeProblem, type Problem } from "./internal/kubernetes/problems.ts"
import type { Secret, SecretInput } from "./Secret.ts"
import type { SecretsManager } from "./SecretsManager.ts"

/**
 * Pod metadata, as far as injection goes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ObjectMeta {
  readonly name?: string
  readonly namespace?: string
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
}

/**
 * A `core/v1` Pod in its JSON shape, as far as injection goes. Other fields are kept as they are.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pod {
  readonly apiVersion?: string
  readonly kind?: string
  readonly metadata?: ObjectMeta
  readonly spec: PodSpec
}

/**
 * The containers of a pod and its volumes.
 *
 * @since 0.1.0
 * @category models
 */
export interface PodSpec {
  readonly containers: ReadonlyArray<Container>
  readonly initContainers?: ReadonlyArray<Container>
  readonly volumes?: ReadonlyArray<Volume>
}

/**
 * A container: injection adds variables and volume mounts to every one, init containers included.
 *
 * @since 0.1.0
 * @category models
 */
export interface Container {
  readonly name: string
  readonly image?: string
  readonly command?: ReadonlyArray<string>
  readonly args?: ReadonlyArray<string>
  readonly env?: ReadonlyArray<EnvVar>
  readonly resources?: ResourceRequirements
  readonly volumeMounts?: ReadonlyArray<VolumeMount>
}

/**
 * An environment variable: a literal `value` (absent means `""`), or `valueFrom` a Kubernetes Secret's key.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnvVar {
  readonly name: string
  readonly value?: string
  readonly valueFrom?: EnvVarSource
}

/**
 * Where a variable's value comes from: here, a key of a Kubernetes Secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnvVarSource {
  readonly secretKeyRef?: SecretKeySelector
}

/**
 * One key of a Kubernetes Secret; `optional: true` leaves the variable unset when the key is missing.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretKeySelector {
  readonly name: string
  readonly key: string
  readonly optional?: boolean
}

/**
 * A pod volume: a Kubernetes Secret projected as files, or an `emptyDir` shared with init containers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Volume {
  readonly name: string
  readonly secret?: SecretVolumeSource
  readonly emptyDir?: EmptyDirVolumeSource
}

/**
 * A Kubernetes Secret projected as files: the listed `items`, or every key when there are none.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretVolumeSource {
  readonly secretName?: string
  readonly items?: ReadonlyArray<KeyToPath>
  readonly optional?: boolean
  readonly defaultMode?: number
}

/**
 * One key of a Secret volume and the file name it gets.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyToPath {
  readonly key: string
  readonly path: string
  readonly mode?: number
}

/**
 * A scratch volume shared by a pod's containers (`medium: "Memory"` keeps it off disk).
 *
 * @since 0.1.0
 * @category models
 */
export interface EmptyDirVolumeSource {
  readonly medium?: string
  readonly sizeLimit?: string
}

/**
 * Where a container sees a volume.
 *
 * @since 0.1.0
 * @category models
 */
export interface VolumeMount {
  readonly name: string
  readonly mountPath: string
  readonly readOnly?: boolean
  readonly subPath?: string
}

/**
 * Resource requests and limits, quantities as strings (`"500Mi"`, `"200m"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceRequirements {
  readonly limits?: Readonly<Record<string, string>>
  readonly requests?: Readonly<Record<string, string>>
}

/**
 * The secret managers the webhook can be configured with (`secretManagerType`).
 *
 * @since 0.1.0
 * @category models
 */
export type SecretManagerType = "K8s" | "AWS" | "GCP" | "Vault"

/**
 * The sidecar an AWS or GCP init container runs, and its resources. Propeller's defaults apply to what is left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface SidecarOptions {
  readonly sidecarImage?: string
  readonly resources?: ResourceRequirements
}

/**
 * The Vault agent's configuration: `role` (default `"flyte"`), the KV engine version used when a secret names none
 * in its `groupVersion` (default `"2"`), and annotations added to every pod (an annotation the pod already has wins
 * over them, and they win over the defaults).
 *
 * @since 0.1.0
 * @category models
 */
export interface VaultOptions {
  readonly role?: string
  readonly kvVersion?: "1" | "2"
  readonly annotations?: Readonly<Record<string, string>>
}

/**
 * How the webhook is configured.
 *
 * @since 0.1.0
 * @category models
 */
export interface InjectOptions {
  /** The backend tried after the global secrets (default `"K8s"`). */
  readonly secretManagerType?: SecretManagerType
  /**
   * The global secrets, tried first for every secret: a value is injected as a literal environment variable,
   * `undefined` leaves the secret to the backend.
   */
  readonly globalSecrets?: (secret: Secret) => string | undefined
  readonly aws?: SidecarOptions
  readonly gcp?: SidecarOptions
  readonly vault?: VaultOptions
  /** Vault's per-secret annotation ids (default: a random UUID each). */
  readonly uuid?: () => string
}

/**
 * The values to materialise: `values[group][key]`, text or bytes. A GCP secret is fetched by group and version, so
 * its value is `values[group][groupVersion]`.
 *
 * @since 0.1.0
 * @category models
 */
export type MaterializeValues = Readonly<Record<string, Readonly<Record<string, string | Uint8Array>>>>

/**
 * What a container sees after injection, laid out locally: its environment (`/etc/flyte/secrets` replaced by
 * `dir`), and `dir` holding the files. `update` rotates a Kubernetes Secret volume's file as the kubelet does (a
 * new timestamped directory, `..data` swapped by a rename). Printing it shows names, never values.
 *
 * @since 0.1.0
 * @category models
 */
export interface Materialized {
  readonly env: Readonly<Record<string, string>>
  readonly dir: string
  readonly update: (group: string, key: string, value: string | Uint8Array) => Effect.Effect<void, SecretInjectionError>
}

const reasons = [
  "MissingGroup",
  "MissingKey",
  "MissingVersion",
  "UnsupportedMount",
  "GlobalSecretNotFound",
  "InvalidSecret",
  "InvalidOptions",
  "InvalidPod",
  "InvalidAnnotation",
  "MissingValue",
  "InvalidValue",
  "RejectedPod",
  "UnsupportedLayout",
  "NotUpdatable",
  "InvalidConfiguration",
  "FileSystemError"
] as const

/**
 * Why a secret could not be injected, annotated, read back or materialised: a backend's requirement not met
 * (`MissingGroup`, `MissingKey`, `MissingVersion`, `UnsupportedMount`, `GlobalSecretNotFound`), bad input
 * (`InvalidSecret`, `InvalidOptions`, `InvalidPod`, `InvalidAnnotation`, `MissingValue`, `InvalidValue`), a pod the
 * Kubernetes API would refuse (`RejectedPod`), or the local layout (`UnsupportedLayout`, `NotUpdatable`,
 * `InvalidConfiguration`, `FileSystemError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type SecretInjectionReason = typeof reasons[number]

const injectionBackends = ["Global", "K8s", "AWS", "GCP", "Vault"] as const

/**
 * The injector that refused a secret: a backend, or `Global`, the global secrets tried first.
 *
 * @since 0.1.0
 * @category errors
 */
export type InjectionBackend = typeof injectionBackends[number]

const SecretNamesSchema = Schema.Struct({
  group: Schema.optionalKey(Schema.String),
  key: Schema.optionalKey(Schema.String),
  groupVersion: Schema.optionalKey(Schema.String),
  mountRequirement: Schema.optionalKey(Schema.Literals(["ANY", "ENV_VAR", "FILE"])),
  envVar: Schema.optionalKey(Schema.String)
})

/**
 * A secret could not be injected, annotated, read back from annotations or materialised. `reason` says why,
 * `backend` which secret manager refused it, `secret` which one (names only, never a value), `index` its position
 * in the list given, `detail` what else helps. The message gives flytepropeller's own words, then what to do.
 *
 * @since 0.1.0
 * @category errors
 */
export class SecretInjectionError extends Schema.TaggedError<SecretInjectionError>()("SecretInjectionError", {
  reason: Schema.Literals(reasons),
  backend: Schema.optionalKey(Schema.Literals(injectionBackends)),
  secret: Schema.optionalKey(SecretNamesSchema),
  index: Schema.optionalKey(Schema.Number),
  detail: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    return describeProblem(this)
  }
}

const toError = (problem: Problem): SecretInjectionError => new SecretInjectionError(problem)

// The engine is loaded when an effect below first runs, not when the library is imported: a task that only reads
// its secrets never loads it. A dynamic import, so a bundler keeps it as a chunk of its own.
const Annotations = Effect.promise(() => import("./internal/kubernetes/annotations.ts"))
const Materialize = Effect.promise(() => import("./internal/kubernetes/materialize.ts"))
const Mutator = Effect.promise(() => import("./internal/kubernetes/secretsMutator.ts"))

/**
 * flytepropeller's secrets webhook (Flyte 1) applied to a pod, secret by secret in order: the global secrets first
 * when `options.globalSecrets` is given, then the configured backend (`"K8s"` by default). The names, paths,
 * volumes, init containers, annotations, order of variables, merge rules and errors are propeller's; existing
 * variables, mounts and annotations are kept. The pod given is not changed.
 *
 * **Example**
 *
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Kubernetes } from "effect-secrets"
 *
 * const pod = Kubernetes.injectSecrets(
 *   { spec: { containers: [{ name: "task" }] } },
 *   [{ group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" }]
 * )
 * ```
 *
 * @since 0.1.0
 * @category injection
 */
export const injectSecrets = (
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  options: InjectOptions = {}
): Effect.Effect<Pod, SecretInjectionError> =>
  Effect.flatMap(Mutator, (engine) => engine.injectSecrets(pod, secrets, options, toError))

/**
 * The label `inject-flyte-secrets: "true"` and one annotation `flyte.secrets/s<i>` per secret (its protobuf text
 * format in base32), as propeller adds them before its webhook runs. Names are encoded as they are and checked when
 * the secrets are read back; earlier `flyte.secrets/s<i>` annotations are replaced, every other one is kept.
 *
 * @since 0.1.0
 * @category annotations
 */
export const annotatePod = (
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>
): Effect.Effect<Pod, SecretInjectionError> =>
  Effect.flatMap(Annotations, (engine) => engine.annotatePod(pod, secrets, toError))

/**
 * The secrets of a pod's `flyte.secrets/s<i>` annotations, in index order. Any valid text format is read (spacing,
 * comments, quoting, escapes, the mount requirement by name or number); anything else, or an unsafe name, fails
 * with a `SecretInjectionError`.
 *
 * @since 0.1.0
 * @category annotations
 */
export const secretsFromAnnotations = (pod: Pod): Effect.Effect<ReadonlyArray<Secret>, SecretInjectionError> =>
  Effect.flatMap(Annotations, (engine) => engine.secretsFromAnnotations(pod, toError))

/**
 * What a task container would see after injection with the given backend, laid out in a temporary directory that
 * is removed when the scope closes: the environment (`/etc/flyte/secrets` replaced by the directory), Kubernetes
 * Secret volumes in the kubelet's atomic layout (`..<timestamp>/`, `..data`, `key -> ..data/key`, files mode 0400),
 * and the files the AWS, GCP and Vault agents write. It is read from the pod `injectSecrets` renders, so the two
 * always agree. Every value is checked before anything is written.
 *
 * **Details**
 *
 * A value is `values[group][key]`; a GCP secret's is `values[group][groupVersion]` (what its agent fetches);
 * global secrets take theirs from `options.globalSecrets`. A key-only secret is refused by every Flyte 1 backend.
 *
 * @since 0.1.0
 * @category materialisation
 */
export const materialize = (
  secrets: ReadonlyArray<Secret | SecretInput>,
  values: MaterializeValues,
  options: InjectOptions = {}
): Effect.Effect<Materialized, SecretInjectionError, Scope.Scope> =>
  Effect.flatMap(Materialize, (engine) => engine.materialize(secrets, values, options, toError))

/**
 * A `SecretsManager` over exactly what `materialize` lays out: its environment and its directory, not a local run
 * (`local: false`). The directory is removed when the layer's scope closes.
 *
 * @since 0.1.0
 * @category materialisation
 */
export const layerMaterialized = (
  secrets: ReadonlyArray<Secret | SecretInput>,
  values: MaterializeValues,
  options: InjectOptions = {}
): Layer.Layer<SecretsManager, SecretInjectionError> =>
  Layer.unwrap(
    Effect.flatMap(Materialize, (engine) =>
      Effect.map(materialize(secrets, values, options), engine.managerLayer(toError)))
  )

let yamlModule: { readonly stringify: (value: unknown, options: object) => string } | undefined

/**
 * A value (a pod) as YAML. The `yaml` package is loaded on the first call, so importing the library never loads it.
 *
 * @since 0.1.0
 * @category rendering
 */
export const toYaml = (value: unknown): string => {
  yamlModule ??= createRequire(import.meta.url)("yaml")
  return yamlModule!.stringify(value, { lineWidth: 0 })
}
