/**
 * A task's declarations as a lookup table: the manager a task body sees resolves requests against them, and the
 * facade maps attribute spellings (`my_api_keys`) to declared names (`my-api-keys`).
 */
import type { Secret } from "../../Secret.ts"
import { SecretNotFound } from "../../SecretsError.ts"
import type { SecretRequest, SecretsManagerShape } from "../../SecretsManager.ts"
import { coreOf, managerFromCore } from "../lookup/core.ts"
import { inTask } from "../lookup/misses.ts"
import { describeName, quoteName, shellSafeSpelling, toSecretName } from "../lookup/naming.ts"
import { readRequest, requestFields } from "../lookup/request.ts"
import * as Now from "../now.ts"
import { withoutStackTrace } from "../stackTrace.ts"
import { inLayerContext } from "../telemetry/facadeContext.ts"
import { refusedLookup } from "../telemetry/lookupSpan.ts"
import { pollOnly } from "../watch/watchValues.ts"

const slot = (group: string | undefined, key: string | undefined) => `${group ?? ""}\u0000${key ?? ""}`
const attributeSpelling = (part: string | undefined) => part === undefined ? "" : shellSafeSpelling(part) ?? part

/**
 * Whether a name's request that names no version nor settings (the facade's `secrets.<group>.<key>`) reads `secret`
 * before `kept`, declared earlier: a declaration without a version before a versioned one, else the first.
 */
const readsBefore = (secret: Secret, kept: Secret | undefined): boolean =>
  kept === undefined ||
  (toSecretName(kept).groupVersion !== undefined && toSecretName(secret).groupVersion === undefined)

/** Of the declarations of one name, the one such a request reads. */
const readFirst = (candidates: ReadonlyArray<Secret> | undefined): Secret | undefined =>
  candidates?.reduce<Secret | undefined>((kept, secret) => readsBefore(secret, kept) ? secret : kept, undefined)

/**
 * Looks up declarations by group and key, and by the spelling attribute access can write: `-` and `.` as `_`, so
 * `secrets.my_api_keys.github_token` finds the group `my-api-keys`, and `secrets.token` a key-only `token`. A
 * spelling stands for the first name declared with it; a version orders only that name's declarations.
 */
export const makeDeclarations = (declared: ReadonlyArray<Secret>) => {
  const byName = new Map<string, Array<Secret>>()
  // Each spelling's first declared name, as its slot in `byName`.
  const byAttribute = new Map<string, string>()
  // The spellings of the groups attribute access reaches (declarations with a group and a key), and the key-only
  // names by the spelling of their key: a group wins at the top level.
  const groupSpellings = new Set<string>()
  const keyOnlyByAttribute = new Map<string, string>()
  const isDeclared = new Set(declared)
  // The request a declaration makes in bytes mode, kept so a lookup compiled for it is found again by identity.
  const asBytes = new Map(declared.map((secret) => [secret, Object.freeze({ ...secret, encodeMode: "rb" as const })]))
  for (const secret of declared) {
    const name = toSecretName(secret)
    const key = slot(name.group, name.key)
    byName.set(key, [...(byName.get(key) ?? []), secret])
    const attribute = slot(attributeSpelling(name.group), attributeSpelling(name.key))
    if (!byAttribute.has(attribute)) byAttribute.set(attribute, key)
    if (name.key === undefined) continue
    if (name.group !== undefined) groupSpellings.add(attributeSpelling(name.group))
    else if (!keyOnlyByAttribute.has(attributeSpelling(name.key))) {
      keyOnlyByAttribute.set(attributeSpelling(name.key), key)
    }
  }
  const readFirstOf = (nameSlot: string | undefined) =>
    nameSlot === undefined ? undefined : readFirst(byName.get(nameSlot))

  /**
   * The declaration a request names, or `undefined`. Its version decides between several declarations of a name,
   * then its `envVar`, mount requirement and origin (a secret may be declared once per variable it is injected as); a
   * request naming neither gets the first. A request without a version names a declaration without one before a
   * versioned one. `request` is a declaration, or a request's fields as `requestFields` read them.
   */
  const find = (request: SecretRequest): Secret | undefined => {
    if (isDeclared.has(request as Secret)) return request as Secret
    const target = readRequest(request)
    if (typeof target === "string") return undefined
    const version = target.name.groupVersion
    let first: Secret | undefined
    let namedWithVersion: Secret | undefined
    for (const secret of byName.get(slot(target.name.group, target.name.key)) ?? []) {
      const declaredVersion = toSecretName(secret).groupVersion
      if (version !== undefined && declaredVersion !== version) continue
      first ??= secret
      if (!namesSettingsOf(request, secret)) continue
      if (declaredVersion === version) return secret
      namedWithVersion ??= secret
    }
    return namedWithVersion ?? first
  }

  /**
   * The request `secrets.<group>.<key>` makes in a task body: the declaration named exactly, else the one its
   * attribute spelling names, else the names as written (an undeclared secret).
   */
  const attributeRequests = (group: string, key: string): ReadonlyArray<SecretRequest> => [
    readFirstOf(slot(group, key)) ??
      readFirstOf(byAttribute.get(slot(attributeSpelling(group), attributeSpelling(key)))) ??
      { group, key }
  ]

  /**
   * The request `secrets.<name>` makes when the name is a key-only declaration's (exactly, else by spelling) and no
   * group's; `undefined` when the name is a group.
   */
  const topLevelRequests = (name: string): ReadonlyArray<SecretRequest> | undefined => {
    if (keyOnlyByAttribute.size === 0) return undefined
    const spelling = attributeSpelling(name)
    if (groupSpellings.has(spelling)) return undefined
    const declaredKeyOnly = readFirstOf(slot(undefined, name)) ?? readFirstOf(keyOnlyByAttribute.get(spelling))
    return declaredKeyOnly === undefined ? undefined : [declaredKeyOnly]
  }

  /**
   * The request to make for a declared secret: the declaration itself, in the request's encode mode, unless the
   * request brings its own `envVar` or mount requirement (`undefined` then in strict mode).
   */
  const requestFor = (declared: Secret, request: SecretRequest, strict: boolean): SecretRequest | undefined => {
    const mountRequirement = request.mountRequirement ?? declared.mountRequirement
    const envVar = request.envVar || declared.envVar
    const origin = request.origin ?? declared.origin
    if (mountRequirement === declared.mountRequirement && envVar === declared.envVar && origin === declared.origin) {
      return request.encodeMode === "rb" ? asBytes.get(declared)! : declared
    }
    if (strict) return undefined
    const { group, groupVersion, key } = declared
    return { group, key, groupVersion, mountRequirement, envVar, encodeMode: request.encodeMode, origin }
  }

  return { find, attributeRequests, topLevelRequests, requestFor }
}

const sameSecret = (one: Secret, other: Secret): boolean => {
  const [a, b] = [toSecretName(one), toSecretName(other)]
  return a.group === b.group && a.key === b.key
}

/**
 * Why a task cannot declare these, or `undefined`: two different secrets injected as one variable, which holds one
 * value (the platform writes both, the last wins), so reading one would give the other's value. A secret declared
 * twice, or once per version, is one value.
 */
export const sharedVariableProblem = (declared: ReadonlyArray<Secret>): string | undefined => {
  const firstByVariable = new Map<string, number>()
  for (const [index, secret] of declared.entries()) {
    if (!secret.envVar) continue
    const first = firstByVariable.get(secret.envVar)
    if (first === undefined) firstByVariable.set(secret.envVar, index)
    else if (!sameSecret(declared[first]!, secret)) {
      return `secretRequests[${first}] (${describeName(toSecretName(declared[first]!))}) and ` +
        `secretRequests[${index}] (${describeName(toSecretName(secret))}) are both injected as the variable ` +
        `${secret.envVar}, which holds one value: reading one would give the other's. Give one of them another ` +
        "envVar (asEnvVar for Secret.flyte2)."
    }
  }
  return undefined
}

/** Whether the request's `envVar`, mount requirement and origin, where it gives them, are the declaration's. */
const namesSettingsOf = (request: SecretRequest, secret: Secret): boolean =>
  (!request.envVar || request.envVar === secret.envVar) &&
  (request.mountRequirement === undefined || request.mountRequirement === secret.mountRequirement) &&
  (request.origin === undefined || request.origin === secret.origin)

/** A task's declarations as built by `makeDeclarations`. */
export type Declarations = ReturnType<typeof makeDeclarations>

/**
 * The manager a task body sees: a request for a declared secret is read as declared (its `envVar` and mount
 * requirement); in strict mode a request for anything else, or for a declared secret with another `envVar` or mount
 * requirement, fails as undeclared before any read. A miss says which task asked and whether it declares it.
 */
export const declaredManager = (
  manager: SecretsManagerShape,
  declarations: Declarations,
  options: { readonly task: string; readonly strict: boolean }
): SecretsManagerShape => {
  const undeclared = (request: SecretRequest): SecretNotFound => {
    const target = readRequest(request)
    const name = typeof target === "string" ? toSecretName({}) : target.name
    return withoutStackTrace(() =>
      new SecretNotFound({
        ...(name.group === undefined ? {} : { group: name.group }),
        ...(name.key === undefined ? {} : { key: name.key }),
        ...(name.groupVersion === undefined ? {} : { groupVersion: name.groupVersion }),
        reason: "Undeclared",
        task: options.task,
        attempts: [{
          source: "declaration",
          location: `task ${quoteName(options.task)}`,
          outcome: "refused",
          reason: "not declared in the task's secretRequests, or requested with another envVar or mountRequirement"
        }]
      })
    )
  }
  /**
   * The request to make, and whether it is declared; `undefined` when strict mode refuses it. A request's fields are
   * read once, by the one request reader; a request that cannot be read goes on as it is, to be refused.
   */
  const resolve = (request: SecretRequest): { request: SecretRequest; declared: boolean } | undefined => {
    const fields = requestFields(request)
    const read = typeof fields === "string" ? request : fields as SecretRequest
    const declared = declarations.find(read)
    // What was checked is what is read: a getter cannot answer one name to the check and another to the lookup.
    if (declared === undefined) return options.strict ? undefined : { request: read, declared: false }
    const resolved = declarations.requestFor(declared, read, options.strict)
    return resolved === undefined ? undefined : { request: resolved, declared: true }
  }
  const base = coreOf(manager)
  return managerFromCore({
    prepare: (operation, spellings) => {
      const resolved = spellings.map(resolve)
      const first = resolved[0]
      if (first === undefined) {
        const error = undeclared(spellings[0]!)
        const failure = Now.fail(error)
        // Read directly (the sync facade of a task.sync), the refusal is recorded as the base's lookups are.
        const recordedFailure = Now.later(inLayerContext(manager, refusedLookup(operation, spellings[0], error)))
        return (record) => record === undefined ? recordedFailure : failure
      }
      const lookup = base.prepare(operation, resolved.flatMap((each) => each === undefined ? [] : [each.request]))
      const inThisTask = (miss: SecretNotFound) => inTask(miss, options.task, first.declared)
      return (record) => Now.mapFailure(lookup(record), inThisTask)
    },
    changes: (request) => {
      const resolved = resolve(request)
      return resolved === undefined ? pollOnly : base.changes(resolved.request)
    }
  })
}
