/**
 * "Did you mean": on a miss, when its message is read, the names that exist and are close to the ones tried (a
 * variable set with a typo'd name, a group or key directory spelt differently). Names only, never values.
 */
import { flyte2DefaultPrefix } from "./flyte2Names.ts"
import { flyte2Context } from "./flyte2Places.ts"
import { envVarNames, quoteName } from "./naming.ts"
import { closest, type Target } from "./request.ts"
import type { LookupContext } from "./sources.ts"

/** A line of suggestions for a missed target, or `undefined` when nothing close exists. */
export const suggestionsFor = (target: Target, context: LookupContext): string | undefined => {
  const { config, environment, files } = target.origin === "flyte2" ? flyte2Context(context) : context
  const hints: Array<string> = []
  const variables = environment.names?.()
  if (variables !== undefined) {
    const tried = new Set([...envVarNames(config.envPrefix, target.name), ...envVarNames("", target.name)])
    const candidates = [...variables].filter((name) => !tried.has(name))
    for (const name of tried) {
      const near = closest(name, candidates)
      if (near !== undefined) {
        hints.push(`the variable ${quoteName(near)} is set (did you mean it?)`)
        break
      }
    }
  }
  const { group, key } = target.name
  const groups = files.listNow(config.defaultDir)
  if (groups !== undefined && group !== undefined) {
    const lowered = group.toLowerCase()
    if (!groups.includes(lowered) && !groups.includes(group)) {
      const near = closest(lowered, groups)
      if (near !== undefined) hints.push(`the secrets directory has a group ${quoteName(near)} (did you mean it?)`)
    } else if (key !== undefined) {
      const keys = files.listNow(`${config.defaultDir}/${groups.includes(lowered) ? lowered : group}`) ?? []
      const near = closest(key.toLowerCase(), keys.filter((name) => !name.startsWith("..")))
      if (near !== undefined && near.toLowerCase() !== key.toLowerCase()) {
        hints.push(`group ${quoteName(group)} has a key ${quoteName(near)} (did you mean it?)`)
      }
    }
  }
  const close = hints.length === 0 ? undefined : `Close to what was tried: ${hints.join("; ")}.`
  const flyte2 = looksLikeFlyte2(target, context)
  return close === undefined ? flyte2 : flyte2 === undefined ? close : `${close}\n${flyte2}`
}

/**
 * On a pod whose prefix is the Flyte 2 webhook's, a secret missed by Flyte 1's rules was probably meant as a Flyte 2
 * one: Flyte 2 also writes places Flyte 1's rules never look at (`D/K` with the key's case, `md5hex(K)` groups).
 */
const looksLikeFlyte2 = (target: Target, context: LookupContext): string | undefined => {
  if (target.origin !== "flyte1" || context.config.envPrefix !== flyte2DefaultPrefix) return undefined
  const { group, key } = target.name
  const declaration = key === undefined
    ? `Secret.flyte2({ key: "<key>", group: ${quoteName(group!)} })`
    : group === undefined
    ? `Secret.flyte2(${quoteName(key)})`
    : `Secret.flyte2({ key: ${quoteName(key)}, group: ${quoteName(group)} })`
  return `FLYTE_SECRETS_ENV_PREFIX is "${flyte2DefaultPrefix}": this looks like a Flyte 2 pod, where a secret is ` +
    `read at Flyte 2's places. Declare it with ${declaration} (or add origin: "flyte2" to the request).`
}
