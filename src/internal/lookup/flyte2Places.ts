/**
 * How a Flyte 2 secret is read. flyte-sdk has no reader: task code reads the variable or opens the file the webhook
 * made, and gets the value exactly as written. So a Flyte 2 secret is looked for only where the Flyte 2 webhook's
 * backends put it (`flyte2Names.ts`), under the webhook's prefix and mount point, and its value is never stripped.
 * Every read goes through the same sources and file reader as a Flyte 1 secret's, under the same safety rules.
 */
import { defaults, type SecretsConfigShape } from "../../SecretsConfig.ts"
import { type FileMiss, isDirectoryMiss } from "../files/fileMiss.ts"
import type { FileReader } from "../files/fileReader.ts"
import * as Now from "../now.ts"
import { flyte2DefaultDir, flyte2DefaultPrefix, flyte2EnvNames, flyte2FilePaths } from "./flyte2Names.ts"
import type { Target } from "./request.ts"
import {
  declaredEnvVar,
  type LookupContext,
  type Mode,
  type Place,
  secretFile,
  type Source,
  sources,
  variable
} from "./sources.ts"
import { exactText } from "./text.ts"

/**
 * `P`: the configured prefix (`FLYTE_SECRETS_ENV_PREFIX`, which the webhook sets beside every variable it injects),
 * or the webhook's default while the library's own default is in force.
 */
export const flyte2Prefix = (config: SecretsConfigShape): string =>
  config.envPrefix === defaults.envPrefix ? flyte2DefaultPrefix : config.envPrefix

/** `D`: the configured secrets directory, or the webhook's mount point while the library's own default is in force. */
export const flyte2Dir = (config: SecretsConfigShape): string =>
  config.defaultDir === defaults.defaultDir ? flyte2DefaultDir : config.defaultDir

const groupDirectory: FileMiss = { outcome: "missing", reason: "is a directory (a group's, not this key's file)" }

/**
 * Directly under `D`, a directory is a group's (Kubernetes and AWS mount `D/<group>/<key>`), never a secret file: for
 * a Flyte 2 lookup it is as if nothing were there, and the next place is tried.
 */
const groupDirectoriesAbsent = (reader: FileReader, dir: string): FileReader => {
  const inDir = dir.endsWith("/") ? dir : dir + "/"
  const isDirectChild = (path: string) => path.startsWith(inDir) && !path.includes("/", inDir.length)
  const orAbsent = (miss: FileMiss) => Now.fail(isDirectoryMiss(miss) ? groupDirectory : miss)
  return {
    ...reader,
    read: (path, request) =>
      isDirectChild(path) ? Now.recover(reader.read(path, request), orAbsent) : reader.read(path, request)
  }
}

const contexts = new WeakMap<LookupContext, LookupContext>()

/**
 * The context a Flyte 2 secret is read in, made once per manager: Flyte 2's prefix and directory (contained in that
 * directory), no file prefix, values exact.
 */
export const flyte2Context = (context: LookupContext): LookupContext => {
  let flyte2 = contexts.get(context)
  if (flyte2 === undefined) {
    const dir = flyte2Dir(context.config)
    // Without a reader for `D`, reads outside the configured directory are refused as outside it: never read.
    const reader = dir === context.config.defaultDir ? context.files : context.filesIn?.(dir) ?? context.files
    flyte2 = {
      config: {
        ...context.config,
        envPrefix: flyte2Prefix(context.config),
        defaultDir: dir,
        filePrefix: "",
        local: false
      },
      environment: context.environment,
      files: groupDirectoriesAbsent(reader, dir),
      text: exactText
    }
    contexts.set(context, flyte2)
  }
  return flyte2
}

/** An `ENV_VAR` secret has no file: `getPath` says so instead of listing nothing. */
const noFile = (dir: string): Place => {
  const failure = Now.fail([Object.freeze({
    source: "file",
    location: dir,
    outcome: "missing" as const,
    reason: "not tried: a Flyte 2 ENV_VAR secret is injected as a variable only, never as a file"
  })])
  return () => failure
}

/**
 * The places, in order: the declared variable (not for `FILE`: flyte-sdk never declares one there, and Embedded's
 * announces `D/lower(K)`, which may be another secret's file); `UPPER(P + G + "_" + K)`; the files (not for
 * `ENV_VAR`); `P + UPPER(K)` last of all, because it can spell another secret's grouped name.
 */
const flyte2Places: Source = (target: Target, mode: Mode, context: LookupContext) => {
  const flyte2 = flyte2Context(context)
  const { defaultDir, envPrefix } = flyte2.config
  const { mountRequirement } = target
  const env = (name: string | undefined) =>
    name === undefined || mode === "path" || mountRequirement === "FILE" ? [] : [variable("env", name, mode, flyte2)]
  const names = flyte2EnvNames(envPrefix, target.name, target.envVar)
  const declared = mountRequirement === "FILE" ? [] : declaredEnvVar(target, mode, flyte2)
  const fileSource = mountRequirement === "ENV_VAR"
    ? (mode === "path" ? [noFile(defaultDir)] : [])
    : flyte2FilePaths(defaultDir, target.name).map((path, index) => secretFile("file", path, index === 0, mode, flyte2))
  return [...declared, ...env(names.grouped), ...fileSource, ...env(names.embedded)]
}

const flyte2Sources: ReadonlyArray<Source> = [flyte2Places]

/** The sources a request's lookup runs, by its origin: a secret is never looked for at the other Flyte's places. */
export const sourcesFor = (target: Target): ReadonlyArray<Source> =>
  target.origin === "flyte2" ? flyte2Sources : sources
