/**
 * `SecretsManager`: the one service task code reads secrets through. A lookup tries the declared `envVar`, the
 * prefixed environment variable, the secrets directory and, in a local run, the unprefixed variable, in that
 * order, and fails with one `SecretNotFound` that lists every place tried.
 *
 * @since 0.1.0
 */
import type { ConfigError } from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import { Environment } from "./Environment.ts"
import { DirectFileOps, fileOpsOver } from "./internal/fileOps.ts"
import { makeMemoryFileSystem } from "./internal/MemoryFileSystem.ts"
import { nameProblem, toSecretName } from "./internal/naming.ts"
import * as NodeSyncFileSystem from "./internal/NodeSyncFileSystem.ts"
import { makeSecretFileReader } from "./internal/secretFile.ts"
import { type Found, type LookupContext, type Mode, type Place, sources } from "./internal/sources.ts"
import { withoutStackTrace } from "./internal/stackTrace.ts"
import { type WatchOptions, watchValues } from "./internal/watch.ts"

export type { WatchOptions } from "./internal/watch.ts"
import { type MountRequirement, Secret } from "./Secret.ts"
import { fromEnvironment, SecretsConfig, type SecretsConfigShape } from "./SecretsConfig.ts"
import { type Attempt, SecretNotFound } from "./SecretsError.ts"

/**
 * What to look up. A `Secret` is one. At least one of `group` and `key`; `""` parts count as absent.
 * `encodeMode: "rb"` asks for the exact bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretRequest {
  readonly group?: string | undefined
  readonly key?: string | undefined
  readonly groupVersion?: string | undefined
  readonly mountRequirement?: MountRequirement | undefined
  readonly envVar?: string | undefined
  readonly encodeMode?: "r" | "rb" | undefined
}

/**
 * The service's operations. Every effect is lazy: running it again reads again.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretsManagerShape {
  /** The secret as trimmed text, or with `encodeMode: "rb"` as its exact bytes. */
  readonly get: {
    (request: SecretRequest & { readonly encodeMode: "rb" }): Effect.Effect<Uint8Array, SecretNotFound>
    (request: SecretRequest & { readonly encodeMode?: "r" | undefined }): Effect.Effect<string, SecretNotFound>
    (request: SecretRequest): Effect.Effect<string | Uint8Array, SecretNotFound>
  }
  /** The secret as text, or with `encodeMode: "rb"` as its exact bytes, wrapped so it prints as `<redacted>`. */
  readonly getRedacted: {
    (request: SecretRequest & { readonly encodeMode: "rb" }): Effect.Effect<
      Redacted.Redacted<Uint8Array>,
      SecretNotFound
    >
    (request: SecretRequest & { readonly encodeMode?: "r" | undefined }): Effect.Effect<
      Redacted.Redacted<string>,
      SecretNotFound
    >
    (request: SecretRequest): Effect.Effect<Redacted.Redacted<string | Uint8Array>, SecretNotFound>
  }
  /** The path of the file that holds the secret, as given (symbolic links are not resolved, so rotation works). */
  readonly getPath: (request: SecretRequest) => Effect.Effect<string, SecretNotFound>
  /** Where the secret is found (the source and the variable name or path), without handing out the value. */
  readonly locate: (request: SecretRequest) => Effect.Effect<SecretLocation, SecretNotFound>
  /**
   * The current value, then each new distinct value (a Kubernetes `..data` swap, a file replaced, a variable
   * changed) within `pollInterval` (1 second by default) at the latest; never the same value twice in a row. Typed
   * by `encodeMode` like `get`. A lookup that misses ends the stream with its `SecretNotFound`.
   */
  readonly watch: {
    (request: SecretRequest & { readonly encodeMode: "rb" }, options?: WatchOptions): Stream.Stream<
      Uint8Array,
      SecretNotFound
    >
    (request: SecretRequest & { readonly encodeMode?: "r" | undefined }, options?: WatchOptions): Stream.Stream<
      string,
      SecretNotFound
    >
    (request: SecretRequest, options?: WatchOptions): Stream.Stream<string | Uint8Array, SecretNotFound>
  }
}

/**
 * The place a lookup found a secret: `source` is `"declared-env"`, `"declared-file"`, `"env"`, `"file"` or
 * `"local-env"`; `location` is the variable name or the file path.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretLocation {
  readonly source: string
  readonly location: string
}

/**
 * Tries each place in order: the first success wins; a failure moves on and is kept, in order. `catchEager`
 * continues at once past a place that answered at once, and schedules only for a place that must wait.
 */
const firstFound = (
  places: ReadonlyArray<Place>,
  index = 0,
  attempts: ReadonlyArray<Attempt> = []
): Effect.Effect<Found, ReadonlyArray<Attempt>> =>
  index === places.length
    ? Effect.fail(attempts)
    : Effect.catchEager(places[index]!(), (attempt) => firstFound(places, index + 1, [...attempts, attempt]))

/** Each compiled lookup's work, to run in place: see `startLookup`. */
const lookupWork = new WeakMap<Effect.Effect<unknown, unknown>, () => Effect.Effect<unknown, unknown>>()

/** A lazy lookup that can also be started in place by the library's own callers. */
const lookupOf = <A, E>(work: () => Effect.Effect<A, E>): Effect.Effect<A, E> => {
  const lookup = Effect.suspend(work)
  lookupWork.set(lookup, work)
  return lookup
}

/**
 * Starts a lookup now, when it is one of this module's: the sources are read at once, and a lookup whose sources
 * all answered at once comes back as an `Exit`, which `Effect.runSyncExit` and `Effect.forEach` take without
 * starting a fiber. Any other effect is returned as it is. For callers already at the moment of reading (the
 * facade, the preflight); the effects users get stay lazy.
 *
 * @internal
 */
export const startLookup = <A, E>(lookup: Effect.Effect<A, E>): Effect.Effect<A, E> => {
  const work = lookupWork.get(lookup)
  return work === undefined ? lookup : (work() as Effect.Effect<A, E>)
}

/**
 * The lookup for one request: the places of every source, in order, and one `SecretNotFound` if all miss. Built
 * once per request and operation; running it reads again.
 */
const compile = <A>(
  request: SecretRequest,
  mode: Mode,
  context: LookupContext,
  onSuccess: (found: Found) => A
): Effect.Effect<A, SecretNotFound> => {
  const name = toSecretName(request)
  const notFound = (attempts: ReadonlyArray<Attempt>) =>
    withoutStackTrace(() =>
      new SecretNotFound({ group: name.group, key: name.key, groupVersion: name.groupVersion, attempts })
    )
  const problem = nameProblem(name)
  if (problem !== undefined) {
    return lookupOf(() => Effect.fail(notFound([{ source: "request", location: "name", reason: problem }])))
  }
  const target = {
    name,
    mountRequirement: request.mountRequirement ?? "ANY",
    envVar: request.envVar === "" ? undefined : request.envVar
  }
  const places = sources.flatMap((source) => source(target, mode, context))
  return lookupOf(() => Effect.mapBothEager(firstFound(places), { onFailure: notFound, onSuccess }))
}

// Compiled lookups kept per request; bounded so requests built from unbounded input cannot grow it for ever.
const maxCompiled = 10_000

const value = (found: Found) => found.value
const redacted = (found: Found) => Redacted.make(found.value)

/** The manager over a context: each operation is a compiled lookup, kept per distinct request. */
const makeWith = (context: LookupContext): SecretsManagerShape => {
  const compiled = new Map<string, Effect.Effect<unknown, SecretNotFound>>()
  // Requests that cannot change (a `Secret`, a frozen object) are also found by identity: no key to build.
  const byIdentity = new WeakMap<
    SecretRequest,
    Partial<Record<Mode | "redacted" | "redactedBytes", Effect.Effect<unknown, SecretNotFound>>>
  >()
  const cached = <A>(
    operation: Mode | "redacted" | "redactedBytes",
    request: SecretRequest,
    mode: Mode,
    onSuccess: (found: Found) => A
  ): Effect.Effect<A, SecretNotFound> => {
    const byFields = (): Effect.Effect<A, SecretNotFound> => {
      const fields = [request.group, request.groupVersion, request.key, request.mountRequirement, request.envVar]
      // NUL separates the fields of the key: a request holding one is compiled afresh (its name is refused anyway).
      if (fields.some((field) => field?.includes("\u0000"))) return compile(request, mode, context, onSuccess)
      const cacheKey = `${operation}\u0000${fields.join("\u0000")}`
      let effect = compiled.get(cacheKey) as Effect.Effect<A, SecretNotFound> | undefined
      if (effect === undefined) {
        effect = compile(request, mode, context, onSuccess)
        if (compiled.size >= maxCompiled) compiled.clear()
        compiled.set(cacheKey, effect)
      }
      return effect
    }
    if (!(request instanceof Secret) && !Object.isFrozen(request)) return byFields()
    let operations = byIdentity.get(request)
    if (operations === undefined) byIdentity.set(request, operations = {})
    return (operations[operation] ??= byFields()) as Effect.Effect<A, SecretNotFound>
  }
  const get = ((request: SecretRequest) =>
    request.encodeMode === "rb"
      ? cached("bytes", request, "bytes", value)
      : cached("text", request, "text", value)) as SecretsManagerShape["get"]
  return SecretsManager.of({
    get,
    getRedacted: ((request: SecretRequest) =>
      request.encodeMode === "rb"
        ? cached("redactedBytes", request, "bytes", redacted)
        : cached("redacted", request, "text", redacted)) as SecretsManagerShape["getRedacted"],
    getPath: (request) => cached("path", request, "path", (found) => found.value as string),
    locate: (request) =>
      cached("locate", request, "locate", ({ location, source }): SecretLocation => ({ source, location })),
    watch: ((request: SecretRequest, options?: WatchOptions) =>
      watchValues(get(request), options)) as SecretsManagerShape["watch"]
  })
}

/**
 * Builds a manager from its dependencies, yielded once. The file operations are the layer's direct ones when it
 * has them (`SecretsManager.layer` does), else those of the `FileSystem` service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<SecretsManagerShape, never, SecretsConfig | Environment | FileSystem.FileSystem> =
  Effect.gen(function*() {
    const config = yield* SecretsConfig
    const environment = yield* Environment
    const fileOps = (yield* DirectFileOps) ?? fileOpsOver(yield* FileSystem.FileSystem)
    return makeWith({ config, environment, files: makeSecretFileReader(fileOps, config) })
  })

/**
 * What `SecretsManager.layerTest` takes: variables, files (absolute paths to text or bytes), config overrides.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestOptions {
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly files?: Readonly<Record<string, string | Uint8Array>> | undefined
  readonly config?: Partial<SecretsConfigShape> | undefined
}

/**
 * The secrets service.
 *
 * @since 0.1.0
 * @category services
 */
export class SecretsManager extends Context.Service<SecretsManager, SecretsManagerShape>()(
  "effect-secrets/SecretsManager"
) {
  /**
   * The manager over the `SecretsConfig`, `Environment` and `FileSystem` the caller provides.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerNoDeps: Layer.Layer<
    SecretsManager,
    never,
    SecretsConfig | Environment | FileSystem.FileSystem
  > = Layer.effect(SecretsManager, make)

  /**
   * Everything live for Node: configuration from `process.env` when the layer is built, `process.env` at every
   * lookup, and files read synchronously from disk.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer: Layer.Layer<SecretsManager, ConfigError> = SecretsManager.layerNoDeps.pipe(
    Layer.provide(SecretsConfig.layerNoDeps),
    Layer.provide([Environment.layer, NodeSyncFileSystem.layer])
  )

  /**
   * A manager over a record of variables and a record of files, touching neither `process.env` nor the disk.
   * The configuration is read from `env` (so `FLYTE_SECRETS_*` entries apply), then `config` overrides it.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerTest = (options: TestOptions = {}): Layer.Layer<SecretsManager, ConfigError> => {
    const environment = Environment.layerTest(options.env ?? {})
    const config = Layer.effect(
      SecretsConfig,
      Effect.map(fromEnvironment, (fromEnv) => ({ ...fromEnv, ...options.config }))
    )
    return SecretsManager.layerNoDeps.pipe(
      Layer.provide(config),
      Layer.provide([environment, Layer.succeed(FileSystem.FileSystem, makeMemoryFileSystem(options.files ?? {}))])
    )
  }
}
