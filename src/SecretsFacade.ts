/**
 * The synchronous facade for plain code: `secrets.my_group.my_key`, `secrets.get(request)`,
 * `secrets.getPath(request)`. Lookups run the `SecretsManager` synchronously; a miss throws the
 * `SecretNotFound` itself.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import type { ConfigError } from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { inspect } from "node:util"
import { MissingSecrets, SecretNotFound } from "./SecretsError.ts"
import { type SecretRequest, SecretsManager, type SecretsManagerShape, startLookup } from "./SecretsManager.ts"

/**
 * A group of the facade: every property read looks up `<group>.<key>` and returns the trimmed text.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretGroup {
  readonly [key: string]: string
}

/**
 * The facade's methods, beside attribute access.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretsMethods {
  /** The secret as trimmed text, or with `encodeMode: "rb"` as its exact bytes. Throws `SecretNotFound`. */
  readonly get: {
    (request: SecretRequest & { readonly encodeMode: "rb" }): Uint8Array
    (request: SecretRequest & { readonly encodeMode?: "r" | undefined }): string
    (request: SecretRequest): string | Uint8Array
  }
  /** The path of the file holding the secret. Throws `SecretNotFound`. */
  readonly getPath: (request: SecretRequest) => string
}

/**
 * The facade: `secrets.<group>.<key>` and the methods. Names that tools probe (`then`, `toJSON`,
 * `constructor`, `toString`, `valueOf`, `inspect`, `asymmetricMatch`, `nodeType`, `tagName`, `$$typeof`, names
 * starting with `__` or `@@`, symbols, and `get`/`getPath` at the top level) are never groups or keys: read such
 * secrets with `get()`.
 *
 * @since 0.1.0
 * @category models
 */
export type Secrets = SecretsMethods & { readonly [group: string]: SecretGroup }

const probedNames = new Set([
  "then",
  "catch",
  "finally",
  "toJSON",
  "toString",
  "toLocaleString",
  "valueOf",
  "constructor",
  "inspect",
  "asymmetricMatch",
  "nodeType",
  "tagName",
  "$$typeof"
])

/** Names that printers, test runners, promise machinery and module loaders read from any object. */
const isProbe = (name: string | symbol): boolean =>
  typeof name === "symbol" || probedNames.has(name) || name.startsWith("__") || name.startsWith("@@")

/** What the facade shows when printed, inspected or serialised: never a lookup. Nothing is enumerable. */
const printable = (label: string): object => {
  const show = () => label
  return Object.defineProperties({}, {
    toString: { value: show },
    toJSON: { value: show },
    [Symbol.toPrimitive]: { value: show },
    [Symbol.toStringTag]: { value: label },
    [inspect.custom]: { value: show }
  })
}

const readOnly = {
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false
}

/**
 * Runs an effect to completion now, returning its value or throwing its error (a `SecretNotFound`) itself.
 *
 * @internal
 */
export const runNow = <A, E>(effect: Effect.Effect<A, E>): A => {
  // A lookup started in place needs no fiber when its sources answer at once.
  const exit = Effect.runSyncExit(startLookup(effect))
  if (Exit.isSuccess(exit)) return exit.value
  const error = Cause.squash(exit.cause)
  if (Cause.isAsyncFiberError(error)) {
    throw new TypeError(
      "The sync facade runs lookups synchronously, but this layer's FileSystem completes asynchronously. " +
        "Use SecretsManager.layer (its FileSystem is synchronous), or read through SecretsManager in an Effect."
    )
  }
  // A lookup's own errors carry no useful frames (a miss is built without them); the caller's frames help.
  if (error instanceof SecretNotFound || error instanceof MissingSecrets) Error.captureStackTrace(error, runNow)
  throw error
}

/**
 * The facade over a manager obtained on first use. `attributeRequest` maps `secrets.<group>.<key>` to a request.
 *
 * @internal
 */
export const makeFacade = (
  manager: () => SecretsManagerShape,
  attributeRequest: (group: string, key: string) => SecretRequest = (group, key) => ({ group, key })
): Secrets => {
  const methods: SecretsMethods = {
    get: ((request: SecretRequest) => runNow(manager().get(request))) as SecretsMethods["get"],
    getPath: (request) => runNow(manager().getPath(request))
  }
  const group = (name: string): SecretGroup => {
    // The lookup of each key, kept: a lookup is lazy, so running it again reads again.
    const lookups = new Map<string, Effect.Effect<unknown, unknown>>()
    return new Proxy(printable(`SecretGroup ${name} <lazy>`), {
      ...readOnly,
      get: (target, key) => {
        if (isProbe(key)) return Reflect.get(target, key)
        let lookup = lookups.get(key as string)
        if (lookup === undefined) {
          lookup = manager().get(attributeRequest(name, key as string))
          lookups.set(key as string, lookup)
        }
        return runNow(lookup)
      }
    }) as unknown as SecretGroup
  }
  const groups = new Map<string, SecretGroup>()
  return new Proxy(printable("Secrets <lazy>"), {
    ...readOnly,
    get: (target, name) => {
      if (isProbe(name)) return Reflect.get(target, name)
      if (name === "get" || name === "getPath") return methods[name]
      const key = name as string
      let found = groups.get(key)
      if (found === undefined) groups.set(key, found = group(key))
      return found
    }
  }) as unknown as Secrets
}

/**
 * Builds a layer once, synchronously, on first use, and keeps its `SecretsManager`. The layer's scope lives as
 * long as the process: a facade is a process-wide handle.
 *
 * @internal
 */
export const managerOf = (layer: Layer.Layer<SecretsManager, ConfigError>): () => SecretsManagerShape => {
  let built: SecretsManagerShape | undefined
  return () => {
    if (built === undefined) {
      const context = runNow(Layer.buildWithScope(layer, Scope.makeUnsafe()))
      built = Context.get(context, SecretsManager)
    }
    return built
  }
}

/**
 * A synchronous facade over a `SecretsManager` layer (default `SecretsManager.layer`). The layer is built on the
 * first lookup; its `FileSystem` must complete synchronously (the default one does).
 *
 * **Example**
 *
 * ```ts
 * import { makeSecrets, SecretsManager } from "effect-secrets"
 *
 * const secrets = makeSecrets(SecretsManager.layerTest({ env: { FLYTE_SECRETS_MY_GROUP_MY_KEY: "s3cr3t" } }))
 * secrets.my_group.my_key // "s3cr3t"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSecrets = (layer: Layer.Layer<SecretsManager, ConfigError> = SecretsManager.layer): Secrets =>
  makeFacade(managerOf(layer))

/**
 * The manager over `SecretsManager.layer` that the default facade and every `task.sync` without a layer share.
 *
 * @internal
 */
export const defaultManager: () => SecretsManagerShape = managerOf(SecretsManager.layer)

/**
 * The default facade, over `SecretsManager.layer`, built on first use.
 *
 * @since 0.1.0
 * @category facade
 */
export const secrets: Secrets = makeFacade(defaultManager)
