/**
 * `Kubernetes`: what the platform injects. flytepropeller's (Flyte 1) secrets webhook and, with `{ flyte: 2 }`,
 * Flyte 2's, as pure pod mutations; the annotations added before the webhook runs; and a local materialisation of
 * what a container sees afterwards (its environment, and its files in the kubelet's or the init containers' layout),
 * over which a `SecretsManager` can run.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Annotations from "./internal/kubernetes/annotations.ts"
import type { Store } from "./internal/kubernetes/flyte2/store.ts"
import * as Materialize from "./internal/kubernetes/materialize.ts"
import * as Mutator from "./internal/kubernetes/secretsMutator.ts"
import * as Yaml from "./internal/kubernetes/yaml.ts"
import type { SecretInjectionError } from "./KubernetesError.ts"
import type { MountRequirement, Secret, SecretInput, SecretOrigin } from "./Secret.ts"
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
  /** Vault's per-secret annotation ids (default: a name-based UUID of the pod's name and the secret, the same on every call). */
  readonly uuid?: () => string
}

/**
 * The secret managers of the Flyte 2 webhook (`secretManagerTypes`), tried in order after the global secrets.
 *
 * @since 0.1.0
 * @category models
 */
export type Flyte2SecretManagerType = "Embedded" | "K8s" | "AWS" | "GCP" | "Azure" | "Vault"

/**
 * The Embedded secret manager's init container, which writes file secrets (defaults: `init-embedded-secret`,
 * `public.ecr.aws/docker/library/busybox:latest`, 100Mi and 100m as requests and limits).
 *
 * @since 0.1.0
 * @category models
 */
export interface EmbeddedInitContainerOptions {
  readonly name?: string
  readonly image?: string
  readonly resources?: ResourceRequirements
}

/**
 * What the Embedded secret manager reads: `store`, the secrets SecretService holds (`Flyte2.store(...)`), its init
 * container, and `imagePullSecrets`, the names of the image pull Secrets the webhook's namespace holds (when given,
 * a secret found at a scope whose `img-pull-<hash>` is among them adds it to the pod's `imagePullSecrets`).
 *
 * @since 0.1.0
 * @category models
 */
export interface EmbeddedOptions {
  readonly store: Store
  readonly initContainer?: EmbeddedInitContainerOptions
  readonly imagePullSecrets?: ReadonlyArray<string>
}

/**
 * How the Flyte 2 webhook is configured (`flyte: 2`): `secretManagerTypes` (default `["Embedded"]`; an empty list is
 * the default), `secretEnvVarPrefix` (default `_UNION_`), the global secrets tried first (`undefined` leaves a
 * secret to the managers), Embedded's store, and each sidecar's image and resources.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flyte2InjectOptions {
  readonly flyte: 2
  readonly secretManagerTypes?: ReadonlyArray<Flyte2SecretManagerType>
  readonly secretEnvVarPrefix?: string
  readonly globalSecrets?: (secret: Flyte2SecretFields) => string | undefined
  readonly embedded?: EmbeddedOptions
  readonly aws?: SidecarOptions
  readonly gcp?: SidecarOptions
  readonly azure?: SidecarOptions
  readonly vault?: VaultOptions
  /** Vault's per-secret annotation ids (default: as for Flyte 1's `InjectOptions.uuid`). */
  readonly uuid?: () => string
}

/**
 * What `materialize` and `layerMaterialized` take for Flyte 2: the webhook's options and the task pod's scope
 * (`project` and `domain`; a domain alone reads its scope and the organisation's, neither only the organisation's,
 * and a project without its domain is refused).
 *
 * @since 0.1.0
 * @category models
 */
export interface Flyte2MaterializeOptions extends Flyte2InjectOptions {
  readonly project?: string
  readonly domain?: string
}

/**
 * A secret as the Flyte 2 webhook's injectors read it: `core.Secret`'s fields, names as they are.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flyte2SecretFields {
  readonly group?: string | undefined
  readonly key?: string | undefined
  readonly groupVersion?: string | undefined
  /** An enum number without a name (from a newer client) is kept as the number. */
  readonly mountRequirement: MountRequirement | number
  readonly envVar?: string | undefined
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

export {
  /**
   * @since 0.1.0
   * @category errors
   */
  type BackendRefusal,
  /**
   * @since 0.1.0
   * @category errors
   */
  type BadInput,
  /**
   * @since 0.1.0
   * @category errors
   */
  type InjectionBackend,
  /**
   * @since 0.1.0
   * @category errors
   */
  type LayoutFailure,
  /**
   * @since 0.1.0
   * @category errors
   */
  type Refusal,
  /**
   * **Example** (Telling bad input from a backend's refusal)
   *
   * ```ts
   * import { Kubernetes } from "effect-secrets"
   * import * as Effect from "effect/Effect"
   *
   * declare const pod: Kubernetes.Pod
   * const rendered = Kubernetes.injectSecrets(pod, [{ key: "token" }]).pipe( // K8s needs a group: MissingGroup
   *   Effect.catchTag("SecretInjectionError", (error) =>
   *     Effect.fail(error.kind === "BadInput" ? `fix the input: ${error.message}` : error.message))
   * )
   * ```
   *
   * @since 0.1.0
   * @category errors
   */
  SecretInjectionError,
  /**
   * @since 0.1.0
   * @category errors
   */
  type SecretInjectionKind,
  /**
   * @since 0.1.0
   * @category errors
   */
  type SecretInjectionReason
} from "./KubernetesError.ts"

/**
 * flytepropeller's secrets webhook (Flyte 1) applied to a pod, secret by secret in order: the global secrets first
 * when `options.globalSecrets` is given, then the configured backend (`"K8s"` by default). The names, paths,
 * volumes, init containers, annotations, order of variables, merge rules and errors are propeller's; existing
 * variables, mounts and annotations are kept. The pod given is not changed.
 *
 * With `{ flyte: 2 }` it is the Flyte 2 webhook instead: the global secrets, then each of `secretManagerTypes`
 * (default `["Embedded"]`) in order, secret by secret; a refusal moves on to the next, the first injection wins, and
 * variables go to the head of each container, replacing one of the same name. When none injects a secret the error
 * (`NotInjected`) gives the webhook's words and keeps every refusal in `refusals`.
 *
 * **Example** (A pod given a variable from a Kubernetes Secret)
 *
 * ```ts
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
export function injectSecrets(
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  options: Flyte2InjectOptions
): Effect.Effect<Pod, SecretInjectionError>
export function injectSecrets(
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  options?: InjectOptions
): Effect.Effect<Pod, SecretInjectionError>
export function injectSecrets(
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  options: InjectOptions | Flyte2InjectOptions = {}
): Effect.Effect<Pod, SecretInjectionError> {
  return Mutator.injectSecrets(pod, secrets, options)
}

/**
 * The label `inject-flyte-secrets: "true"` and one annotation `flyte.secrets/s<i>` per secret (its protobuf text
 * format in base32), as propeller adds them before its webhook runs. Names are encoded as they are and checked when
 * the secrets are read back; earlier `flyte.secrets/s<i>` annotations are replaced, every other one is kept.
 * With `{ flyte: 2, project, domain }` the pod also gets the labels Flyte 2's executor adds, which its Embedded
 * secret manager reads the scope from: `organization: flyte`, `project` and `domain`.
 *
 * **Example** (The annotations propeller adds before its webhook)
 *
 * ```ts
 * import { Kubernetes } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const pod: Kubernetes.Pod = { metadata: { name: "sync-repos" }, spec: { containers: [{ name: "task" }] } }
 * const annotated = Effect.runSync(Kubernetes.annotatePod(pod, [{ group: "my-api-keys", key: "github_token" }]))
 * annotated.metadata?.annotations // { "flyte.secrets/s0": "..." }
 * ```
 *
 * @since 0.1.0
 * @category annotations
 */
export const annotatePod = (
  pod: Pod,
  secrets: ReadonlyArray<Secret | SecretInput>,
  options?: Flyte2AnnotateOptions
): Effect.Effect<Pod, SecretInjectionError> => Annotations.annotatePod(pod, secrets, options)

/**
 * The scope of a Flyte 2 task pod: its project and domain.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flyte2AnnotateOptions {
  readonly flyte: 2
  readonly project: string
  readonly domain: string
}

/**
 * The secrets of a pod's `flyte.secrets/s<i>` annotations, in index order. Any valid text format is read (spacing,
 * comments, quoting, escapes, the mount requirement by name or number); anything else, or an unsafe name, fails
 * with a `SecretInjectionError`. `options.origin` tags the secrets read (`"flyte2"` for a Flyte 2 pod's).
 *
 * **Example** (Reading back the secrets a pod asks for)
 *
 * ```ts
 * import { Kubernetes } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * declare const pod: Kubernetes.Pod
 * const secrets = Effect.runSync(Kubernetes.secretsFromAnnotations(pod)) // ReadonlyArray<Secret>
 * console.log(secrets.map((secret) => `${secret.group}/${secret.key}`))
 * ```
 *
 * @since 0.1.0
 * @category annotations
 */
export const secretsFromAnnotations = (
  pod: Pod,
  options?: { readonly origin?: SecretOrigin }
): Effect.Effect<ReadonlyArray<Secret>, SecretInjectionError> =>
  Annotations.secretsFromAnnotations(pod, options?.origin ?? "flyte1")

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
 * With `{ flyte: 2 }` the pod is the Flyte 2 webhook's, labelled with `options.project` and `options.domain`:
 * Embedded values come from `options.embedded.store` (variables as literals, files as its init container's script
 * writes them: `dir/<key>` with the key's case, exact bytes), a key-only K8s secret's from `values[""][key]`.
 *
 * **Example** (What a container sees, laid out locally)
 *
 * ```ts
 * import { Kubernetes } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const secretRequests = [{ group: "db", key: "password", mountRequirement: "FILE" }] as const
 * const seen = Effect.scoped(Effect.gen(function*() {
 *   const container = yield* Kubernetes.materialize(secretRequests, { db: { password: "test-password" } })
 *   yield* container.update("db", "password", "rotated-password") // a ..data swap, as the kubelet does
 *   return container.dir // removed when the scope closes
 * }))
 * ```
 *
 * @since 0.1.0
 * @category materialisation
 */
export function materialize(
  secrets: ReadonlyArray<Secret | SecretInput>,
  values: MaterializeValues,
  options: Flyte2MaterializeOptions
): Effect.Effect<Materialized, SecretInjectionError, Scope.Scope>
export function materialize(
  secrets: ReadonlyArray<Secret | SecretInput>,
  values: MaterializeValues,
  options?: InjectOptions
): Effect.Effect<Materialized, SecretInjectionError, Scope.Scope>
export function materialize(
  secrets: ReadonlyArray<Secret | SecretInput>,
  values: MaterializeValues,
  options: InjectOptions | Flyte2MaterializeOptions = {}
): Effect.Effect<Materialized, SecretInjectionError, Scope.Scope> {
  return Materialize.materialize(secrets, values, options)
}

/**
 * A `SecretsManager` over exactly what `materialize` lays out: its environment and its directory, not a local run
 * (`local: false`). The directory is removed when the layer's scope closes.
 *
 * **Example** (A local test over what the pod would see)
 *
 * ```ts
 * import { Kubernetes, SecretsManager } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const secretRequests = [{ group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" }] as const
 * const pod = Kubernetes.layerMaterialized(secretRequests, { "my-api-keys": { github_token: "ghp_test" } })
 * const token = SecretsManager.use((secrets) => secrets.get(secretRequests[0]))
 * Effect.runPromise(token.pipe(Effect.provide(pod))) // "ghp_test", from _FSEC_MY-API-KEYS_GITHUB_TOKEN
 * ```
 *
 * @since 0.1.0
 * @category materialisation
 */
export function layerMaterialized(
  secrets: ReadonlyArray<Secret | SecretInput>,
  values: MaterializeValues,
  options: Flyte2MaterializeOptions
): Layer.Layer<SecretsManager, SecretInjectionError>
export function layerMaterialized(
  secrets: ReadonlyArray<Secret | SecretInput>,
  values: MaterializeValues,
  options?: InjectOptions
): Layer.Layer<SecretsManager, SecretInjectionError>
export function layerMaterialized(
  secrets: ReadonlyArray<Secret | SecretInput>,
  values: MaterializeValues,
  options: InjectOptions | Flyte2MaterializeOptions = {}
): Layer.Layer<SecretsManager, SecretInjectionError> {
  return Layer.unwrap(Effect.map(Materialize.materialize(secrets, values, options), Materialize.managerLayer))
}

/**
 * A value (a pod) as YAML that kubectl, a YAML 1.1 reader, reads back as the same value: a string such as `yes`,
 * `0b101` or `12:30:00` is quoted. The `yaml` package is loaded on the first call, so importing the library never
 * loads it.
 *
 * **Example** (A rendered pod as kubectl reads it)
 *
 * ```ts
 * import { Kubernetes } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const pod: Kubernetes.Pod = { metadata: { name: "sync-repos" }, spec: { containers: [{ name: "task" }] } }
 * const rendered = Kubernetes.injectSecrets(pod, [{ group: "my-api-keys", key: "github_token" }])
 * console.log(Kubernetes.toYaml(Effect.runSync(rendered)))
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const toYaml: (value: unknown) => string = Yaml.toYaml
