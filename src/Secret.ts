/**
 * `Secret`: what a task declares it needs, the TypeScript twin of flytekit's `Secret` and flyteidl's
 * `core.Secret`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { flyte2Declaration, type Flyte2SecretInput } from "./internal/kubernetes/flyte2/declaration.ts"
import { quoteName, unsafePartReason } from "./internal/lookup/naming.ts"
import { closest, envVarProblem } from "./internal/lookup/request.ts"
import { uriGroupReason } from "./internal/lookup/uriGroup.ts"

/**
 * How the platform should mount a secret: a hint to the platform, never a narrowing of the lookup.
 *
 * @since 0.1.0
 * @category models
 */
export type MountRequirement = "ANY" | "ENV_VAR" | "FILE"

const MountRequirementSchema = Schema.Literals(["ANY", "ENV_VAR", "FILE"])

/**
 * Which Flyte a declaration is written for: `"flyte1"` (flytekit, flytepropeller) or `"flyte2"` (flyte-sdk and the
 * Flyte 2 webhook). It decides the names and paths a reader tries; it is not part of flyteidl's `core.Secret`.
 *
 * @since 0.1.0
 * @category models
 */
export type SecretOrigin = "flyte1" | "flyte2"

const SecretOriginSchema = Schema.Literals(["flyte1", "flyte2"])

const EnvVarName = Schema.String.check(Schema.makeFilter((name: string) => envVarProblem(name) ?? true))

const namePart = (field: string) =>
  Schema.String.check(Schema.makeFilter((part: string) => unsafePartReason(field, part) ?? true))

// A group holding "/" is checked with the whole declaration: whether it may be a URI depends on the origin.
const groupPart = Schema.String.check(
  Schema.makeFilter((group: string) => group.includes("/") || (unsafePartReason("group", group) ?? true))
)

/** Only a Flyte 2 group may hold "/", and only as a URI (the Azure secret manager's Key Vault secret). */
const groupWithSlash = Schema.makeFilter((fields: { readonly group?: string; readonly origin?: SecretOrigin }) => {
  if (fields.group?.includes("/") !== true) return true
  const reason = fields.origin === "flyte2" ? uriGroupReason(fields.group) : unsafePartReason("group", fields.group)
  return reason === undefined || { path: ["group"], issue: reason }
})

/**
 * The fields a declaration accepts: `new Secret(input)` and the `secretRequests` of a task take this shape.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretInput {
  readonly group?: string | undefined
  readonly key?: string | undefined
  readonly groupVersion?: string | undefined
  readonly mountRequirement?: MountRequirement
  readonly envVar?: string | undefined
  /** Which Flyte the declaration is written for (default `"flyte1"`). */
  readonly origin?: SecretOrigin | undefined
}

/**
 * What `Secret.flyte2` takes besides a bare key: flyte-sdk's `Secret(key, group, mount, as_env_var)` fields.
 *
 * @since 0.1.0
 * @category models
 */
export type Flyte2Input = Flyte2SecretInput

const formatIssue = SchemaIssue.makeFormatterDefault()

/**
 * A task's declaration of one secret: `group`, `key` (at least one of the two; `""` counts as absent, as in
 * flytekit), `groupVersion`, `mountRequirement` (`"ANY"` by default) and `envVar`.
 *
 * **Details**
 *
 * Invalid input throws at construction with a readable message: neither group nor key, an `envVar` that is not
 * `^[A-Z_][A-Z0-9_]*$` (`""` included, as flytekit refuses it) or that is one of this library's configuration
 * variables (`FLYTE_SECRETS_*`, `FLYTE_INTERNAL_EXECUTION_ID`), a name part that could leave the secrets directory
 * (only a Flyte 2 group may hold `/`, as a Key Vault URI). A key-only secret (`{ key: "token" }`)
 * is what flytekit accepts inside tasks and what Flyte 2 declares.
 *
 * **Example** (Declaring a secret read from a variable)
 *
 * ```ts
 * import { Secret } from "effect-secrets"
 *
 * const token = new Secret({ group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Secret extends Schema.Class<Secret>("effect-secrets/Secret")(
  Schema.Struct({
    group: Schema.optionalKey(groupPart),
    key: Schema.optionalKey(namePart("key")),
    groupVersion: Schema.optionalKey(namePart("groupVersion")),
    mountRequirement: MountRequirementSchema.pipe(Schema.withConstructorDefault(Effect.succeed("ANY" as const))),
    envVar: Schema.optionalKey(EnvVarName),
    origin: SecretOriginSchema.pipe(Schema.withConstructorDefault(Effect.succeed("flyte1" as const)))
  }).check(groupWithSlash)
) {
  constructor(input: SecretInput) {
    const fields = withoutAbsentFields(input)
    if (fields.group === undefined && fields.key === undefined) {
      throw new TypeError(
        "Invalid Secret: a secret needs a group or a key (for example new Secret({ group: \"my-api-keys\", key: " +
          "\"github_token\" }))"
      )
    }
    try {
      super(fields)
    } catch (error) {
      throw readableError(error)
    }
    // A declaration never changes: lookups compiled for it are kept by identity.
    Object.freeze(this)
  }

  /**
   * A `Secret` typed with its literal fields, so a task declaring it gets typed access
   * (`secrets.my_api_keys.github_token`); no `as const` needed. An existing `Secret` is returned as it is.
   *
   * **Example** (A declaration that types a task's access)
   *
   * ```ts
   * import { Secret } from "effect-secrets"
   *
   * const githubToken = Secret.make({ group: "my-api-keys", key: "github_token" })
   * // TypedSecret<{ readonly group: "my-api-keys"; readonly key: "github_token" }>
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static override make<const Input extends SecretInput>(input: Input): TypedSecret<Input>
  // Schema's own signature (`options` are ignored: a declaration is always checked).
  static override make(input: SecretInput | void, options?: Schema.MakeOptions): Secret
  static override make(input: SecretInput | void): Secret {
    return input instanceof Secret ? input : new Secret(input ?? {})
  }

  /**
   * flyte-sdk's `Secret`: a bare key (`Secret.flyte2("openai-key")`) or `{ key, group?, mount?, asEnvVar? }`. Without
   * `mount` or `asEnvVar` the variable name is derived as flyte-sdk derives it (`GROUP_KEY` or `KEY`, upper case,
   * only `-` replaced by `_`); `mount` may only be `"/etc/flyte/secrets"`. The result is an `ENV_VAR` secret with that
   * `envVar`, or a `FILE` secret when only `mount` is given, with `origin: "flyte2"`; never `ANY`, never a
   * `groupVersion`. Invalid input throws flyte-sdk's message; names that could leave the secrets directory and an
   * empty key are refused too. The group may be a Key Vault secret's URI (the Azure secret manager's group:
   * `https://` or `http://`, a host, path segments that are safe names); its derived variable name is invalid, so
   * give `mount` or `asEnvVar` with it.
   *
   * **Example** (flyte-sdk's declaration of a secret in a group)
   *
   * ```ts
   * import { Secret } from "effect-secrets"
   *
   * const openai = Secret.flyte2({ key: "api-key", group: "openai" }) // envVar OPENAI_API_KEY
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static flyte2<const Key extends string>(key: Key): TypedSecret<Flyte2Typed<{ readonly key: Key }>>
  static flyte2<const Input extends Flyte2Input>(input: Input): TypedSecret<Flyte2Typed<Input>>
  static flyte2(input: string | Flyte2Input): Secret {
    return new Secret(flyte2Declaration(input))
  }

  /**
   * The mount requirements by name, as flytekit spells them (`Secret.MountType.FILE`).
   *
   * **Example** (Naming a mount requirement as flytekit does)
   *
   * ```ts
   * import { Secret } from "effect-secrets"
   *
   * const cert = new Secret({ group: "my-certs", key: "tls_cert", mountRequirement: Secret.MountType.FILE })
   * ```
   *
   * @since 0.1.0
   * @category constants
   */
  static readonly MountType = { ANY: "ANY", ENV_VAR: "ENV_VAR", FILE: "FILE" } as const

  /**
   * The flyteidl `core.Secret` in proto3 JSON: lowerCamelCase names, the enum by name, and fields at their
   * proto3 default (empty strings, `ANY`) omitted.
   *
   * **Example** (Writing a declaration as flyteidl's core.Secret)
   *
   * ```ts
   * import { Secret } from "effect-secrets"
   *
   * const token = new Secret({ group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" })
   * const idl = Secret.toIdl(token) // { group: "my-api-keys", key: "github_token", mountRequirement: "ENV_VAR" }
   * console.log(JSON.stringify(idl))
   * ```
   *
   * @since 0.1.0
   * @category conversions
   */
  static readonly toIdl = (secret: Secret): SecretIdl => {
    const idl: { -readonly [K in keyof SecretIdl]: SecretIdl[K] } = {}
    if (secret.group) idl.group = secret.group
    if (secret.key) idl.key = secret.key
    if (secret.groupVersion) idl.groupVersion = secret.groupVersion
    if (secret.mountRequirement !== "ANY") idl.mountRequirement = secret.mountRequirement
    if (secret.envVar) idl.envVar = secret.envVar
    return idl
  }

  /**
   * A `Secret` from a flyteidl `core.Secret` in proto3 JSON. Accepts lowerCamelCase and snake_case names, the
   * mount requirement by name or number (0, 1, 2), and reads `""` as absent. Invalid input throws a readable
   * error. `options.origin` tags what is read (`"flyte2"` for a Flyte 2 task's secrets; default `"flyte1"`).
   *
   * **Example** (Reading a declaration from flyteidl's core.Secret)
   *
   * ```ts
   * import { Secret } from "effect-secrets"
   *
   * const cert = Secret.fromIdl({ group: "my-certs", key: "tls_cert", mount_requirement: 2 }) // FILE
   * const openai = Secret.fromIdl({ key: "openai-key", mountRequirement: "ENV_VAR" }, { origin: "flyte2" })
   * ```
   *
   * @since 0.1.0
   * @category conversions
   */
  static readonly fromIdl = (json: unknown, options?: { readonly origin?: SecretOrigin }): Secret => {
    const decoded = decodeIdl(json)
    if (Result.isFailure(decoded)) throw new TypeError(`Invalid flyteidl Secret: ${decoded.failure.message}`)
    const idl = decoded.success
    const mount = idl.mountRequirement ?? idl.mount_requirement
    return new Secret({
      group: idl.group,
      key: idl.key,
      groupVersion: idl.groupVersion ?? idl.group_version,
      // proto3 writes an absent envVar as "": absent here, where a declared "" is refused.
      envVar: (idl.envVar ?? idl.env_var) || undefined,
      origin: options?.origin,
      ...(mount === undefined ? {} : { mountRequirement: typeof mount === "number" ? mountByNumber[mount] : mount })
    })
  }
}

type AbsentPart = "" | undefined
type TypedPart<Input, F extends "group" | "key" | "groupVersion" | "envVar"> = F extends keyof Input
  ? [Input[F]] extends [AbsentPart] ? { readonly [P in F]?: undefined } : { readonly [P in F]: Input[F] }
  : { readonly [P in F]?: undefined }

/**
 * A `Secret` whose fields have the types of the input it was made from (`Secret.make`): a field given as `""` or
 * left out is absent, `mountRequirement` defaults to `"ANY"`.
 *
 * @since 0.1.0
 * @category models
 */
export type TypedSecret<Input extends SecretInput> =
  & Secret
  & TypedPart<Input, "group">
  & TypedPart<Input, "key">
  & TypedPart<Input, "groupVersion">
  & TypedPart<Input, "envVar">
  & {
    readonly mountRequirement: "mountRequirement" extends keyof Input
      ? [Input["mountRequirement"]] extends [MountRequirement] ? Input["mountRequirement"] : MountRequirement
      : "ANY"
  }

/** `-` replaced by `_`, as flyte-sdk derives a variable name. */
type DashesToUnderscores<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}_${DashesToUnderscores<Tail>}`
  : S

type Flyte2Part<Input, F extends "group" | "mount" | "asEnvVar"> = F extends keyof Input
  ? Exclude<Input[F], undefined> extends infer V ? V extends string ? V : "" : ""
  : ""

/** The variable name flyte-sdk derives: `GROUP_KEY` or `KEY`, upper-cased, `-` replaced. */
type DerivedEnvVar<Key extends string, Group extends string> = Uppercase<
  DashesToUnderscores<Group extends "" ? Key : `${Group}_${Key}`>
>

/** The `Secret` fields `Secret.flyte2` makes of flyte-sdk's: `ENV_VAR` with a name, or `FILE` with only a mount. */
type Flyte2Typed<Input extends { readonly key: string }> = Flyte2Part<Input, "asEnvVar"> extends "" ?
  Flyte2Part<Input, "mount"> extends "" ? {
      readonly key: Input["key"]
      readonly group: Flyte2Part<Input, "group">
      readonly mountRequirement: "ENV_VAR"
      readonly envVar: DerivedEnvVar<Input["key"], Flyte2Part<Input, "group">>
    }
  : { readonly key: Input["key"]; readonly group: Flyte2Part<Input, "group">; readonly mountRequirement: "FILE" }
  : {
    readonly key: Input["key"]
    readonly group: Flyte2Part<Input, "group">
    readonly mountRequirement: "ENV_VAR"
    readonly envVar: Flyte2Part<Input, "asEnvVar">
  }

/**
 * A flyteidl `core.Secret` in proto3 JSON, as `Secret.toIdl` writes it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretIdl {
  readonly group?: string
  readonly key?: string
  readonly groupVersion?: string
  readonly mountRequirement?: "ENV_VAR" | "FILE"
  readonly envVar?: string
}

const mountByNumber = ["ANY", "ENV_VAR", "FILE"] as const
const IdlMount = Schema.Union([MountRequirementSchema, Schema.Literals([0, 1, 2])])
const IdlString = Schema.optional(Schema.String)

const decodeIdl = Schema.decodeUnknownResult(Schema.Struct({
  group: IdlString,
  key: IdlString,
  groupVersion: IdlString,
  group_version: IdlString,
  mountRequirement: Schema.optional(IdlMount),
  mount_requirement: Schema.optional(IdlMount),
  envVar: IdlString,
  env_var: IdlString
}))

/** The input with `""` and `undefined` fields left out, as flytekit and proto3 read them. */
const declarationFields = ["group", "key", "groupVersion", "mountRequirement", "envVar", "origin"] as const

const withoutAbsentFields = (
  input: SecretInput
): { readonly [K in keyof SecretInput]?: Exclude<SecretInput[K], undefined> } => {
  if (typeof input !== "object" || input === null) return {}
  for (const field of Object.keys(input)) {
    if (declarationFields.includes(field as never)) continue
    const meant = closest(field, declarationFields)
    throw new TypeError(
      `Invalid Secret: unknown field ${quoteName(field)}` +
        (meant === undefined
          ? ` (it takes ${declarationFields.join(", ")})`
          : ` (did you mean ${JSON.stringify(meant)}?)`)
    )
  }
  const fields: Record<string, unknown> = Object.create(null)
  for (const field of declarationFields) {
    // Own properties only: a polluted Object.prototype adds nothing to a declaration.
    const value = Object.hasOwn(input, field) ? input[field] : undefined
    // An envVar "" is kept, to be refused: flytekit raises "Invalid environment variable name" for it.
    if (value !== undefined && (value !== "" || field === "envVar")) fields[field] = value
  }
  return fields
}

const readableError = (error: unknown): unknown =>
  error instanceof Error && SchemaIssue.isIssue(error.cause)
    ? new TypeError(`Invalid Secret: ${formatIssue(error.cause)}`)
    : error
