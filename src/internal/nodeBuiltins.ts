/**
 * Node's built-in modules as Node itself holds them. Importing one as an ES module builds its whole namespace,
 * reading every lazy export on the way (`node:fs` loads its promises, streams and watchers; `node:util` its
 * argument parser and diffing), which every program importing the library would pay at start-up whether it used
 * them or not. These are the same objects, taken synchronously and in full.
 */
import type * as NodeCrypto from "node:crypto"
import type * as NodeFs from "node:fs"
import type * as NodePath from "node:path"
import type * as NodeUtil from "node:util"

/** `node:fs`. */
export const fs: typeof NodeFs = process.getBuiltinModule("node:fs")

/** The types of `node:fs` the library names, under the same name as its value. */
export declare namespace fs {
  export type BigIntStats = NodeFs.BigIntStats
  export type FSWatcher = NodeFs.FSWatcher
  export type Stats = NodeFs.Stats
}

/** `node:path`. */
export const path: typeof NodePath = process.getBuiltinModule("node:path")

/** `node:util`. */
export const util: typeof NodeUtil = process.getBuiltinModule("node:util")

/** The types of `node:util` the library names, under the same name as its value. */
export declare namespace util {
  export type InspectOptions = NodeUtil.InspectOptions
}

/**
 * The functions of `node:crypto`, `node:os` and `node:module` the library calls, each taking its module when first
 * called: a lookup needs none of them (only Flyte 2 names, injection, temporary directories and YAML do), and
 * `node:crypto` costs more to load than every other built-in here together.
 */
export const crypto = {
  createHash: (algorithm: string): NodeCrypto.Hash => process.getBuiltinModule("node:crypto").createHash(algorithm),
  randomInt: (max: number): number => process.getBuiltinModule("node:crypto").randomInt(max)
}

/** See `crypto`. */
export const os = {
  hostname: (): string => process.getBuiltinModule("node:os").hostname(),
  tmpdir: (): string => process.getBuiltinModule("node:os").tmpdir()
}

/** See `crypto`. */
export const createRequire = (url: string): NodeJS.Require => process.getBuiltinModule("node:module").createRequire(url)
