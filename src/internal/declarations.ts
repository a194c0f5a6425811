/**
 * A task's declarations as a lookup table: the manager a task body sees resolves requests against them, and the
 * facade maps attribute spellings (`my_api_keys`) to declared names (`my-api-keys`).
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Secret } from "../Secret.ts"
import { declarationHint, SecretNotFound } from "../SecretsError.ts"
import type { SecretRequest, SecretsManagerShape } from "../SecretsManager.ts"
import { shellSafeSpelling, toSecretName } from "./naming.ts"
import type { WatchOptions } from "./watch.ts"

const slot = (group: string | undefined, key: string | undefined) => `${group ?? ""}\u0000${key ?? ""}`
const attributeSpelling = (part: string | undefined) => part === undefined ? "" : shellSafeSpelling(part) ?? part

/** Looks up declarations by group and key, and by the spelling attribute access can write. */
export const makeDeclarations = (declared: ReadonlyArray<Secret>) => {
  const byName = new Map<string, Array<Secret>>()
  const byAttribute = new Map<string, Secret>()
  const isDeclared = new Set(declared)
  // The request a declaration makes in bytes mode, kept so a lookup compiled for it is found again by identity.
  const asBytes = new Map(declared.map((secret) => [secret, Object.freeze({ ...secret, encodeMode: "rb" as const })]))
  for (const secret of declared) {
    const name = toSecretName(secret)
    const key = slot(name.group, name.key)
    byName.set(key, [...(byName.get(key) ?? []), secret])
    const attribute = slot(attributeSpelling(name.group), attributeSpelling(name.key))
    if (!byAttribute.has(attribute)) byAttribute.set(attribute, secret)
  }

  /** The declaration a request names (its version decides between several), or `undefined`. */
  const find = (request: SecretRequest): Secret | undefined => {
    if (isDeclared.has(request as Secret)) return request as Secret
    const name = toSecretName(request)
    const candidates = byName.get(slot(name.group, name.key))
    if (candidates === undefined) return undefined
    return name.groupVersion === undefined
      ? candidates[0]
      : candidates.find((secret) => toSecretName(secret).groupVersion === name.groupVersion)
  }

  /** The request `secrets.<group>.<key>` makes: a declared secret when the spelling names one. */
  const attributeRequest = (group: string, key: string): SecretRequest =>
    byAttribute.get(slot(group, key)) ?? { group, key }

  /** The request for a declared secret that a request naming it makes, the declaration's own where it can be. */
  const requestFor = (declared: Secret, request: SecretRequest): SecretRequest => {
    const mountRequirement = request.mountRequirement ?? declared.mountRequirement
    const envVar = request.envVar ?? declared.envVar
    if (mountRequirement === declared.mountRequirement && envVar === declared.envVar) {
      return request.encodeMode === "rb" ? asBytes.get(declared)! : declared
    }
    const { group, key, groupVersion } = declared
    return { group, key, groupVersion, mountRequirement, envVar, encodeMode: request.encodeMode }
  }

  return { find, attributeRequest, requestFor }
}

/** A task's declarations as built by `makeDeclarations`. */
export type Declarations = ReturnType<typeof makeDeclarations>

/**
 * The manager a task body sees: a request for a declared secret uses the declaration (its `envVar` and mount
 * requirement, unless the request gives its own); in strict mode an undeclared request fails before any read.
 */
export const declaredManager = (
  manager: SecretsManagerShape,
  declarations: Declarations,
  options: { readonly task: string; readonly strict: boolean }
): SecretsManagerShape => {
  const refuse = (request: SecretRequest) => {
    const name = toSecretName(request)
    return Effect.fail(
      new SecretNotFound({
        group: name.group,
        key: name.key,
        groupVersion: name.groupVersion,
        attempts: [{
          source: "declaration",
          location: `task ${JSON.stringify(options.task)}`,
          reason: `not declared (strict mode): add ${declarationHint(name)} to its secretRequests`
        }]
      })
    )
  }
  const resolve =
    <A>(lookup: (request: SecretRequest) => Effect.Effect<A, SecretNotFound>) =>
    (request: SecretRequest): Effect.Effect<A, SecretNotFound> => {
      const declared = declarations.find(request)
      if (declared === undefined) return options.strict ? refuse(request) : lookup(request)
      return lookup(declarations.requestFor(declared, request))
    }
  return {
    get: resolve(manager.get) as SecretsManagerShape["get"],
    getRedacted: resolve(manager.getRedacted) as SecretsManagerShape["getRedacted"],
    getPath: resolve(manager.getPath),
    locate: resolve(manager.locate),
    watch: ((request: SecretRequest, watchOptions?: WatchOptions) => {
      const declared = declarations.find(request)
      if (declared === undefined) {
        return options.strict ? Stream.fromEffect(refuse(request)) : manager.watch(request, watchOptions)
      }
      return manager.watch(declarations.requestFor(declared, request), watchOptions)
    }) as SecretsManagerShape["watch"]
  }
}
