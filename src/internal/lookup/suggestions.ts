/**
 * "Did you mean": on a miss, when its message is read, the names that exist and are close to the ones tried (a
 * variable set with a typo'd name, a group or key directory spelt differently). Names only, never values.
 */
import { envVarNames, quoteName } from "./naming.ts"
import { closest, type Target } from "./request.ts"
import type { LookupContext } from "./sources.ts"

/** A line of suggestions for a missed target, or `undefined` when nothing close exists. */
export const suggestionsFor = (target: Target, context: LookupContext): string | undefined => {
  const { config, environment, files } = context
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
  return hints.length === 0 ? undefined : `Close to what was tried: ${hints.join("; ")}.`
}
