/**
 * The change signals for one request's `watch`: the files its lookup may read, handed to the file system's watcher
 * when it has one (the live layer's), and nothing but the poll otherwise.
 */
import * as Effect from "effect/Effect"
import { flyte2FilePaths } from "../lookup/flyte2Names.ts"
import { flyte2Context } from "../lookup/flyte2Places.ts"
import { secretFilePaths } from "../lookup/naming.ts"
import { readRequest, type Target } from "../lookup/request.ts"
import { type LookupContext, readDeclared } from "../lookup/sources.ts"
import { type ChangeSignals, pollOnly } from "./watchValues.ts"

/** The file a declared variable leads the lookup to, by the declared source's own rule. */
const declaredFile = (target: Target, context: LookupContext): string | undefined => {
  if (target.envVar === undefined || target.mountRequirement === "ENV_VAR") return undefined
  const declared = readDeclared(target.envVar, target, context)
  return declared._tag === "File" ? declared.path : undefined
}

/** Every file the lookup of `target` may read, in lookup order. */
const filesOf = (target: Target, context: LookupContext): ReadonlyArray<string> => {
  const { defaultDir, filePrefix } = context.config
  const declared = declaredFile(target, context)
  const paths = secretFilePaths(defaultDir, filePrefix, target.name)
  return declared === undefined ? paths : [declared, ...paths]
}

/** The same for a Flyte 2 secret, by its places' rule (in its own context): no declared file for `FILE`. */
const flyte2FilesOf = (target: Target, flyte2: LookupContext): ReadonlyArray<string> => {
  if (target.mountRequirement === "ENV_VAR") return []
  const declared = target.mountRequirement === "FILE" ? undefined : declaredFile(target, flyte2)
  const paths = flyte2FilePaths(flyte2.config.defaultDir, target.name)
  return declared === undefined ? paths : [declared, ...paths]
}

/**
 * Signals for `request`'s files, worked out when the watch starts (a declared variable is read then). A request
 * that cannot be looked up gets none: its first read fails the stream.
 */
export const requestChanges = (request: unknown, context: LookupContext): ChangeSignals => {
  const changes = context.files.changes
  if (changes === undefined) return pollOnly
  return Effect.suspend(() => {
    const target = readRequest(request)
    if (typeof target === "string") return pollOnly
    if (target.origin !== "flyte2") return changes(filesOf(target, context))
    const flyte2 = flyte2Context(context)
    return flyte2.files.changes?.(flyte2FilesOf(target, flyte2)) ?? pollOnly
  })
}
