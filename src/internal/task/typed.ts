/**
 * The types a task's literal declarations give its body: the facade's groups and keys, and the requests a strict
 * task's `get` accepts. Types only: the runtime is `declarations.ts`, which these types mirror (a name the types
 * allow is one the runtime resolves to the declaration).
 */
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import type { MountRequirement, Secret, SecretInput } from "../../Secret.ts"
import type { SecretNotFound } from "../../SecretsError.ts"
import type { Secrets, SecretsMethods } from "../../SecretsFacade.ts"
import type { SecretLocation, SecretRequest, SecretsManagerShape, WatchOptions } from "../../SecretsManager.ts"
import type { ProbedName } from "../facade/proxy.ts"

/** What a task's `secretRequests` may hold. */
export type Declaration = Secret | SecretInput

/** A declaration whose group or key is not one literal type: the task's body falls back to the loose types. */
interface NotLiteral {
  readonly _tag: "NotLiteral"
}

/** A declaration as literal types: `undefined` for an absent part (`""` counts as absent, as at runtime). */
interface Declared {
  readonly group: string | undefined
  readonly key: string | undefined
  readonly groupVersion: string | undefined
  readonly mountRequirement: MountRequirement
  readonly envVar: string | undefined
}

/** A field's type, `never` when the declaration has no such field (an indexed access: cheap to check). */
type FieldOf<D, F extends string> = D[F & keyof D]

/** `true` when `T` is a union (`boolean` then), `false` for one type. */
type IsUnion<T, Whole = T> = T extends unknown ? [Whole] extends [T] ? false : true : never

/** An absent part as `undefined`, one literal as itself, anything wider (`string`, a union) as `NotLiteral`. */
type LiteralPart<V> = [V] extends [undefined | ""] ? undefined
  : [V] extends [string] ? string extends V ? NotLiteral : IsUnion<V> extends false ? V : NotLiteral
  : NotLiteral

/** An optional field's literal type, `undefined` when absent; a wider type stays wide (the types are looser). */
type OptionalPart<V> = [V] extends [undefined | ""] ? undefined : Exclude<V, undefined | "">

type Normalize<D, G, K> = [G | K] extends [string | undefined] ? [G, K] extends [undefined, undefined] ? NotLiteral
  : {
    readonly group: G
    readonly key: K
    readonly groupVersion: OptionalPart<FieldOf<D, "groupVersion">>
    readonly mountRequirement: [FieldOf<D, "mountRequirement">] extends [never] ? "ANY"
      : FieldOf<D, "mountRequirement">
    readonly envVar: OptionalPart<FieldOf<D, "envVar">>
  }
  : NotLiteral

/** Each declaration of a tuple as `Declared`, or `NotLiteral` when the tuple's names are not all literal. */
type DeclaredOf<Requests extends ReadonlyArray<Declaration>> = number extends Requests["length"] ? NotLiteral
  : Requests[number] extends infer D ?
    D extends unknown ? Normalize<D, LiteralPart<FieldOf<D, "group">>, LiteralPart<FieldOf<D, "key">>> : never
  : never

/**
 * `[N]`, the declarations as `Declared` (`never` for none), or `NotLiteral` when any of them is not literal. The
 * tuple keeps an empty task (`secretRequests: []`) typed: it declares nothing, so its body can ask for nothing.
 */
type LiteralDeclarations<Requests extends ReadonlyArray<Declaration>> = DeclaredOf<Requests> extends infer N
  ? [Extract<N, NotLiteral>] extends [never] ? [N] : NotLiteral
  : never

/** The attribute spelling of a name: `-` and `.` as `_` (`my-api-keys` -> `my_api_keys`). */
export type AttributeSpelling<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? AttributeSpelling<`${Head}_${Tail}`>
  : S extends `${infer Head}.${infer Tail}` ? AttributeSpelling<`${Head}_${Tail}`>
  : S

/** The names attribute access reaches a part by: as declared and in its attribute spelling, probes excepted. */
type AttributeNames<S extends string> = Exclude<S | AttributeSpelling<S>, ProbedName>

type WithGroupAndKey = Declared & { readonly group: string; readonly key: string }
type KeyOnly = Declared & { readonly group: undefined; readonly key: string }

/** `secrets.<group>.<key>`: every declaration with a group and a key; groups sharing a spelling share a level. */
type GroupsOf<N> = {
  readonly [D in Extract<N, WithGroupAndKey> as Exclude<AttributeNames<D["group"]>, keyof SecretsMethods>]: {
    readonly [K in AttributeNames<D["key"]>]: string
  }
}

/** `secrets.<key>`: key-only declarations whose spelling is not a group's (the group wins at the top level). */
type KeyOnlyOf<N> = {
  readonly [
    D in Extract<N, KeyOnly> as AttributeSpelling<D["key"]> extends
      AttributeSpelling<Extract<N, WithGroupAndKey>["group"]> ? never
      : Exclude<AttributeNames<D["key"]>, keyof SecretsMethods>
  ]: string
}

/** One object type, so editors and compiler errors show the names rather than an intersection of aliases. */
type Flatten<T> = { readonly [K in keyof T]: T[K] }

type NamePart<F extends string, V> = V extends string ? { readonly [P in F]: V } : { readonly [P in F]?: undefined }

/** The request for one declaration: its group and key, and only the declared version, `envVar` and mount. */
type RequestOf<D> = D extends Declared ? Flatten<
    & NamePart<"group", D["group"]>
    & NamePart<"key", D["key"]>
    & {
      readonly groupVersion?: D["groupVersion"] | undefined
      readonly mountRequirement?: D["mountRequirement"] | undefined
      readonly envVar?: D["envVar"] | undefined
      readonly encodeMode?: "r" | "rb" | undefined
    }
  >
  : never

/** A request a strict task's body may make: one naming a declared secret, as declared. */
export type DeclaredRequestOf<N> = RequestOf<N>

/** What a lookup of `R` reads: bytes with `encodeMode: "rb"`, text without, either when `R` does not say. */
export type ValueOf<R> = ModeValue<"encodeMode" extends keyof R ? R["encodeMode" & keyof R] : undefined>

type ModeValue<Mode> = [Mode] extends ["rb"] ? Uint8Array : [Mode] extends ["r" | undefined] ? string
: string | Uint8Array

/**
 * The facade's methods in a strict task: `get` and `getPath` accept only requests for declared secrets.
 */
export interface DeclaredSecretsMethods<Request> extends Omit<SecretsMethods, "get" | "getPath"> {
  /** The secret as stripped text, or with `encodeMode: "rb"` as its exact bytes. Throws `SecretNotFound`. */
  readonly get: <const R extends Request>(request: R) => ValueOf<R>
  /** The path of the file holding the secret. Throws `SecretNotFound`. */
  readonly getPath: (request: Request) => string
}

/** The facade of a task with literal declarations: exactly the declared groups and keys. */
export type DeclaredSecrets<N, Strict extends boolean> =
  // The declared names as one object type, and no alias on the whole, so compiler messages list the names.
  GroupsOf<N> & KeyOnlyOf<N> extends infer Names ?
      & { readonly [K in keyof Names]: Names[K] }
      & ([Strict] extends [true] ? DeclaredSecretsMethods<DeclaredRequestOf<N>> : SecretsMethods)
    : never

/** The manager of a strict task with literal declarations: every operation accepts only declared requests. */
export interface DeclaredSecretsManager<Request> {
  readonly get: <const R extends Request>(request: R) => Effect.Effect<ValueOf<R>, SecretNotFound>
  readonly getRedacted: <const R extends Request>(
    request: R
  ) => Effect.Effect<Redacted.Redacted<ValueOf<R>>, SecretNotFound>
  readonly getPath: (request: Request) => Effect.Effect<string, SecretNotFound>
  readonly locate: (request: Request) => Effect.Effect<SecretLocation, SecretNotFound>
  readonly watch: <const R extends Request>(
    request: R,
    options?: WatchOptions
  ) => Stream.Stream<ValueOf<R>, SecretNotFound>
}

/** The facade a `task.sync` body gets: typed by literal declarations, `Secrets` otherwise. */
export type SecretsOf<Requests extends ReadonlyArray<Declaration>, Strict extends boolean> =
  LiteralDeclarations<Requests> extends [infer N] ? DeclaredSecrets<N, Strict> : Secrets

/** The manager a `task` body gets: typed in a strict task with literal declarations. */
export type ManagerOf<Requests extends ReadonlyArray<Declaration>, Strict extends boolean> = [Strict] extends [true]
  ? LiteralDeclarations<Requests> extends [infer N] ? DeclaredSecretsManager<DeclaredRequestOf<N>>
  : SecretsManagerShape
  : SecretsManagerShape

/** The requests naming one of a tuple's literal declarations; `SecretRequest` when they are not literal. */
export type RequestsOf<Requests extends ReadonlyArray<Declaration>> = LiteralDeclarations<Requests> extends [infer N] ?
  DeclaredRequestOf<N>
  : SecretRequest

/** The fields of the written declarations that `Secret` does not take. */
type UnknownFields<Requests extends ReadonlyArray<Declaration>> = Requests[number] extends infer D
  ? D extends unknown ? Exclude<keyof D, keyof Secret | keyof SecretInput> : never
  : never

/**
 * Every field of a written declaration is one `Secret` takes: an inferred tuple is not checked for excess
 * properties, so a misspelled field (`grup`) is typed `never` here. Only a tuple with such a field is mapped
 * (checking stays cheap for the usual one).
 */
export type CheckedDeclarations<Requests extends ReadonlyArray<Declaration>> = [UnknownFields<Requests>] extends
  [never] ? unknown
  : {
    readonly [I in keyof Requests]: {
      readonly [F in keyof Requests[I]]: F extends keyof Secret | keyof SecretInput ? Requests[I][F] : never
    }
  }
