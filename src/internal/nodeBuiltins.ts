/**
 * Node's built-in modules as Node itself holds them. Importing one as an ES module builds its whole namespace,
 * reading every lazy export on the way (`node:fs` loads its promises, streams and watchers; `node:util` its
 * argument parser and diffing), which every program importing the library would pay at start-up whether it used
 * them or not. These are the same objects, taken synchronously and in full.
 */
import type * as NodeCrypto from "node:crypto"
import type * as NodeFs from "node:fs"
import type * as NodeOs from "node:os"
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

/** `node:os`. */
export const os: typeof NodeOs = process.getBuiltinModule("node:os")

/** `node:module`'s `createRequire`. */
export const createRequire = process.getBuiltinModule("node:module").createRequire

/**
 * The functions of `node:crypto` the library calls, each taking the module when first called: loading it costs more
 * than the others together, and a lookup never hashes (only Flyte 2 names, injection and temporary directories do).
 */
export const crypto = {
  createHash: (algorithm: string): NodeCrypto.Hash => process.getBuiltinModule("node:crypto").createHash(algorithm),
  randomInt: (max: number): number => process.getBuiltinModule("node:crypto").randomInt(max)
}
