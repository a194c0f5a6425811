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
import { Environment } from "./Environment.ts"
import { type Attempt, SecretNotFound } from "./errors.ts"
import { makeMemoryFileSystem } from "./internal/MemoryFileSystem.ts"
import { nameProblem, toSecretName } from "./internal/naming.ts"
import * as NodeSyncFileSystem from "./internal/NodeSyncFileSystem.ts"
import { makeSecretFileReader } from "./internal/secretFile.ts"
import { type Found, type LookupContext, type Mode, type Place, sources } from "./internal/sources.ts"
import type { MountRequirement } from "./Secret.ts"
import { fromEnvironment, SecretsConfig, type SecretsConfigShape } from "./SecretsConfig.ts"

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
  /** The secret as text that prints as `<redacted>`. */
  readonly getRedacted: (request: SecretRequest) => Effect.Effect<Redacted.Redacted<string>, SecretNotFound>
  /** The path of the file that holds the secret, as given (symbolic links are not resolved, so rotation works). */
  readonly getPath: (request: SecretRequest) => Effect.Effect<string, SecretNotFound>
  /** Where the secret is found (the source and the variable name or path), without handing out the value. */
  readonly locate: (request: SecretRequest) => Effect.Effect<SecretLocation, SecretNotFound>
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

/** Tries each place in order; the first success wins, and every failure is kept. */
const firstFound = (places: ReadonlyArray<Place>): Effect.Effect<Found, ReadonlyArray<Attempt>> =>
  places.reduce<Effect.Effect<Found, ReadonlyArray<Attempt>>>(
    (chain, place) => Effect.catch(chain, (attempts) => Effect.mapError(place, (attempt) => [...attempts, attempt])),
    Effect.fail([])
  )

/** The manager over a context: one lookup function, three ways to ask. */
const makeWith = (context: LookupContext): SecretsManagerShape => {
  const lookup = (request: SecretRequest, mode: Mode): Effect.Effect<Found, SecretNotFound> => {
    const name = toSecretName(request)
    const notFound = (attempts: ReadonlyArray<Attempt>) =>
      new SecretNotFound({ group: name.group, key: name.key, groupVersion: name.groupVersion, attempts })
    const problem = nameProblem(name)
    if (problem !== undefined) return Effect.fail(notFound([{ source: "request", location: "name", reason: problem }]))
    const target = {
      name,
      mountRequirement: request.mountRequirement ?? "ANY",
      envVar: request.envVar === "" ? undefined : request.envVar
    }
    return Effect.mapError(firstFound(sources.flatMap((source) => source(target, mode, context))), notFound)
  }
  const valueOf = (request: SecretRequest, mode: Mode) => Effect.map(lookup(request, mode), (found) => found.value)
  return SecretsManager.of({
    get: ((request: SecretRequest) => valueOf(request, request.encodeMode === "rb" ? "bytes" : "text")) as SecretsManagerShape["get"],
    getRedacted: (request) => Effect.map(valueOf(request, "text"), (value) => Redacted.make(value as string)),
    getPath: (request) => valueOf(request, "path") as Effect.Effect<string, SecretNotFound>,
    locate: (request) => Effect.map(lookup(request, "bytes"), ({ location, source }) => ({ source, location }))
  })
}

/**
 * Builds a manager from its three dependencies, yielded once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<SecretsManagerShape, never, SecretsConfig | Environment | FileSystem.FileSystem> =
  Effect.gen(function*() {
    const config = yield* SecretsConfig
    const environment = yield* Environment
    const fileSystem = yield* FileSystem.FileSystem
    return makeWith({ config, environment, files: makeSecretFileReader(fileSystem, config) })
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
