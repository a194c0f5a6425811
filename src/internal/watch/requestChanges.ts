/**
 * The change signals for one request's `watch`: the files its lookup may read, handed to the file system's watcher
 * when it has one (the live layer's), and nothing but the poll otherwise.
 */
import * as Effect from "effect/Effect"
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

/**
 * Signals for `request`'s files, worked out when the watch starts (a declared variable is read then). A request
 * that cannot be looked up gets none: its first read fails the stream.
 */
export const requestChanges = (request: unknown, context: LookupContext): ChangeSignals => {
  const changes = context.files.changes
  if (changes === undefined) return pollOnly
  return Effect.suspend(() => {
    const target = readRequest(request)
    return typeof target === "string" ? pollOnly : changes(filesOf(target, context))
  })
}
