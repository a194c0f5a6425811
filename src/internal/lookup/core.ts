/**
 * The one lookup every manager's operations are derived from, as `FileSystem.make` derives a file system from a
 * minimal implementation: a core prepares a lookup for an operation and the spellings of one secret; `get`,
 * `getRedacted`, `getPath`, `locate` and `watch` are that lookup, typed once here. The library's own callers at the
 * moment of reading (the sync facade, a task's preflight) call a prepared lookup directly: its places are read at
 * once, and a lookup whose places all answered at once answers with its value or its miss (a `Now`), with no effect
 * to run.
 */
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { SecretNotFound } from "../../SecretsError.ts"
import type { SecretLocation, SecretRequest, SecretsManagerShape } from "../../SecretsManager.ts"
import * as Now from "../now.ts"
import { observeRead } from "../telemetry/lookupSpan.ts"
import type { LookupRecord } from "../telemetry/switch.ts"
import { type ChangeSignals, type WatchOptions, watchValues } from "../watch/watchValues.ts"
import { hasEnded, mergeMisses } from "./misses.ts"

/** The operations a lookup serves; `get` and `getRedacted` read text or, with `encodeMode: "rb"`, bytes. */
export type Operation = "get" | "getRedacted" | "getPath" | "locate"

/**
 * A prepared lookup: calling it reads now, and answers at once unless a place must wait (`Later`). Given the record of
 * a lookup being traced, it tells it where the secret was found.
 */
export type ReadNow = (record?: LookupRecord) => Now.Now<unknown, SecretNotFound>

/** What a manager is made from. */
export interface LookupCore {
  /**
   * The lookup of `operation` for `spellings`, several spellings of one secret (the facade's `my_api_keys` and
   * `my-api-keys`; usually one), ready to read: each place is tried for every spelling before the next place.
   */
  readonly prepare: (operation: Operation, spellings: ReadonlyArray<SecretRequest>) => ReadNow
  /** The change signals `watch` listens to besides its poll. */
  readonly changes: (request: SecretRequest) => ChangeSignals
}

/** The core each manager the library made was derived from. */
const cores = new WeakMap<SecretsManagerShape, LookupCore>()

/** A manager whose operations are the core's one lookup, read when the effect runs (running it again reads again). */
export const managerFromCore = (core: LookupCore): SecretsManagerShape => {
  // The one place where an operation's result type is named: the core reads what the operation asks for.
  const lazily = <A>(operation: Operation, request: SecretRequest) =>
    observeRead(operation, request, core.prepare(operation, [request])) as Effect.Effect<A, SecretNotFound>
  function get(request: SecretRequest & { readonly encodeMode: "rb" }): Effect.Effect<Uint8Array, SecretNotFound>
  function get(
    request: SecretRequest & { readonly encodeMode?: "r" | undefined }
  ): Effect.Effect<string, SecretNotFound>
  function get(request: SecretRequest): Effect.Effect<string | Uint8Array, SecretNotFound>
  function get(request: SecretRequest): Effect.Effect<unknown, SecretNotFound> {
    return lazily("get", request)
  }
  function getRedacted(
    request: SecretRequest & { readonly encodeMode: "rb" }
  ): Effect.Effect<Redacted.Redacted<Uint8Array>, SecretNotFound>
  function getRedacted(
    request: SecretRequest & { readonly encodeMode?: "r" | undefined }
  ): Effect.Effect<Redacted.Redacted<string>, SecretNotFound>
  function getRedacted(request: SecretRequest): Effect.Effect<Redacted.Redacted<string | Uint8Array>, SecretNotFound>
  function getRedacted(request: SecretRequest): Effect.Effect<unknown, SecretNotFound> {
    return lazily("getRedacted", request)
  }
  function watch(
    request: SecretRequest & { readonly encodeMode: "rb" },
    options?: WatchOptions
  ): Stream.Stream<Uint8Array, SecretNotFound>
  function watch(
    request: SecretRequest & { readonly encodeMode?: "r" | undefined },
    options?: WatchOptions
  ): Stream.Stream<string, SecretNotFound>
  function watch(request: SecretRequest, options?: WatchOptions): Stream.Stream<string | Uint8Array, SecretNotFound>
  function watch(request: SecretRequest, options?: WatchOptions): Stream.Stream<unknown, SecretNotFound> {
    return watchValues(get(request), options, core.changes(request))
  }
  const manager: SecretsManagerShape = {
    get,
    getRedacted,
    getPath: (request) => lazily<string>("getPath", request),
    locate: (request) => lazily<SecretLocation>("locate", request),
    watch
  }
  cores.set(manager, core)
  return manager
}

/**
 * The core of a manager: the one the library derived it from, else one over its public operations (a custom
 * manager, a test double), whose spellings are tried one whole lookup after another.
 */
export const coreOf = (manager: SecretsManagerShape): LookupCore => cores.get(manager) ?? coreOver(manager)

/**
 * Reads a secret now, for callers already at the moment of reading (the sync facade): the places are tried at once,
 * and a lookup whose places all answered at once answers with its value or its miss, with no effect to run.
 */
export const readNow = (
  manager: SecretsManagerShape,
  operation: Operation,
  spellings: ReadonlyArray<SecretRequest>
): Now.Now<unknown, SecretNotFound> => coreOf(manager).prepare(operation, spellings)()

const coreOver = (manager: SecretsManagerShape): LookupCore => {
  const read = (operation: Operation, request: SecretRequest): Effect.Effect<unknown, SecretNotFound> =>
    manager[operation](request)
  return {
    prepare: (operation, spellings) => () =>
      Now.later(
        spellings.slice(1).reduce(
          (tried, spelling) =>
            Effect.catchEager(
              tried,
              // A lookup that ended says nothing of the secret: no other spelling's places may answer after it.
              (miss) =>
                hasEnded(miss)
                  ? Effect.fail(miss)
                  : Effect.mapErrorEager(read(operation, spelling), (later) => mergeMisses(miss, later))
            ),
          read(operation, spellings[0]!)
        )
      ),
    changes: () => Effect.succeed(Stream.empty)
  }
}
