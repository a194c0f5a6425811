/**
 * `SecretsManager`: the one service task code reads secrets through. A lookup tries the declared `envVar`, the
 * prefixed environment variable, the secrets directory (and where Flyte's backends write) and, in a local run, the
 * unprefixed variable, in that order, and fails with one `SecretNotFound` that lists every place tried.
 *
 * @since 0.1.0
 */
import type { ConfigError } from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import { Environment } from "./Environment.ts"
import { readConfig } from "./internal/config/readConfig.ts"
import type { FileAccess } from "./internal/files/fileAccess.ts"
import { makeFileReader } from "./internal/files/fileReader.ts"
import { fileSystemAccess } from "./internal/files/fileSystemAccess.ts"
import { memoryFileAccess } from "./internal/files/memoryFileAccess.ts"
import { nodeFileAccess } from "./internal/files/nodeFileAccess.ts"
import { makeManager } from "./internal/lookup/manager.ts"
import type { WatchOptions } from "./internal/watch/watchValues.ts"
import type { MountRequirement } from "./Secret.ts"
import { SecretsConfig, type SecretsConfigShape } from "./SecretsConfig.ts"
import type { Attempt, SecretNotFound } from "./SecretsError.ts"

export type { WatchOptions } from "./internal/watch/watchValues.ts"

/**
 * What to look up. A `Secret` is one. At least one of `group` and `key`; `""` parts count as absent.
 * `encodeMode: "rb"` asks for the exact bytes. Fields are read as own properties; an unknown field is refused.
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
  /** Which Flyte's platform injects it (`"flyte1"` by default): it decides where the secret is looked for. */
  readonly origin?: "flyte1" | "flyte2" | undefined
}

/**
 * The service's operations. Every effect is lazy: running it again reads again.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretsManagerShape {
  /** The secret as stripped text, or with `encodeMode: "rb"` as its exact bytes. */
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
 * `"local-env"`; `location` is the variable name or the file path; `tried` lists the places tried before it, in
 * order.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretLocation {
  readonly source: string
  readonly location: string
  readonly tried: ReadonlyArray<Attempt>
}

/** A manager reading files through `access`, with the configuration and environment the layer provides. */
const makeOver = <Handle>(access: FileAccess<Handle>) =>
  Effect.gen(function*() {
    const config = yield* SecretsConfig
    const environment = yield* Environment
    const filesIn = (secretsDir: string) => makeFileReader(access, { secretsDir, maxBytes: config.maxFileBytes })
    const files = filesIn(config.defaultDir)
    return makeManager({ config, environment, files, filesIn })
  })

/**
 * Builds a manager from its dependencies, yielded once: files are read through the `FileSystem` service.
 *
 * **Example** (A manager built over a FileSystem of your choice)
 *
 * ```ts
 * import { Environment, SecretsConfig } from "effect-secrets"
 * import { make, SecretsManager } from "effect-secrets/SecretsManager"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as Layer from "effect/Layer"
 *
 * const manager = Layer.effect(SecretsManager, make).pipe(
 *   Layer.provide(Layer.mergeAll(SecretsConfig.layer, Environment.layer, NodeFileSystem.layer))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<SecretsManagerShape, never, SecretsConfig | Environment | FileSystem.FileSystem> =
  Effect.gen(function*() {
    const fileSystem = yield* FileSystem.FileSystem
    return yield* makeOver(fileSystemAccess(fileSystem))
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
 * **Example** (Reading a secret in an Effect)
 *
 * ```ts
 * import { SecretsManager } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const secrets = yield* SecretsManager
 *   const token = yield* secrets.getRedacted({ group: "my-api-keys", key: "github_token" })
 *   const certPath = yield* secrets.getPath({ group: "my-certs", key: "tls_cert" })
 *   return { token, certPath } // the token prints as <redacted>
 * })
 * Effect.runPromise(program.pipe(Effect.provide(SecretsManager.layer)))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class SecretsManager extends Context.Service<SecretsManager, SecretsManagerShape>()(
  "effect-secrets/SecretsManager"
) {
  /**
   * The manager over the `SecretsConfig`, `Environment` and `FileSystem` the caller provides. Any `FileSystem`
   * works, under the same read rules (see the README's "Security").
   *
   * **Example** (A manager over Effect's FileSystem)
   *
   * ```ts
   * import { Environment, SecretsConfig, SecretsManager } from "effect-secrets"
   * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
   * import * as Layer from "effect/Layer"
   *
   * const manager = SecretsManager.layerNoDeps.pipe(
   *   Layer.provide(Layer.mergeAll(SecretsConfig.layer, Environment.layer, NodeFileSystem.layer))
   * )
   * ```
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
   * The manager over the `SecretsConfig` and `Environment` the caller provides, reading files from disk with
   * Node's synchronous `fs` (what `layer` uses).
   *
   * **Example** (A manager over a test environment and the disk)
   *
   * ```ts
   * import { Environment, SecretsConfig, SecretsManager } from "effect-secrets"
   * import * as Layer from "effect/Layer"
   *
   * const environment = Environment.layerTest({ FLYTE_SECRETS_DB_PASSWORD: "test-password" })
   * const manager = SecretsManager.layerNodeFiles.pipe(
   *   Layer.provide(SecretsConfig.layerNoDeps),
   *   Layer.provide(environment)
   * )
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerNodeFiles: Layer.Layer<SecretsManager, never, SecretsConfig | Environment> = Layer.effect(
    SecretsManager,
    makeOver(nodeFileAccess)
  )

  /**
   * Everything live for Node: configuration from `process.env` when the layer is built, `process.env` at every
   * lookup, and files read synchronously from disk.
   *
   * **Example** (Running a program with the live manager)
   *
   * ```ts
   * import { SecretsManager } from "effect-secrets"
   * import * as Effect from "effect/Effect"
   *
   * const token = SecretsManager.use((secrets) => secrets.get({ group: "my-api-keys", key: "github_token" }))
   * Effect.runPromise(token.pipe(Effect.provide(SecretsManager.layer)))
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer: Layer.Layer<SecretsManager, ConfigError> = SecretsManager.layerNodeFiles.pipe(
    Layer.provide(SecretsConfig.layerNoDeps),
    Layer.provide(Environment.layer)
  )

  /**
   * A manager over a record of variables and a record of files, touching neither `process.env` nor the disk.
   * The configuration is read from `env` (so `FLYTE_SECRETS_*` entries apply), then `config` overrides it.
   *
   * **Example** (A manager for tests: no process.env, no disk)
   *
   * ```ts
   * import { SecretsManager } from "effect-secrets"
   * import * as Effect from "effect/Effect"
   *
   * const testLayer = SecretsManager.layerTest({
   *   env: { FLYTE_SECRETS_MY_API_KEYS_GITHUB_TOKEN: "test-token" },
   *   files: { "/etc/secrets/my-certs/tls_cert": new Uint8Array([0x30, 0x82]) }
   * })
   * const cert = SecretsManager.use((secrets) => secrets.get({ group: "my-certs", key: "tls_cert", encodeMode: "rb" }))
   * Effect.runSync(cert.pipe(Effect.provide(testLayer))) // Uint8Array [0x30, 0x82]
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerTest = (options: TestOptions = {}): Layer.Layer<SecretsManager, ConfigError> =>
    Layer.effect(SecretsManager, makeOver(memoryFileAccess(options.files ?? {}))).pipe(
      Layer.provide(Layer.effect(SecretsConfig, readConfig(options.config ?? {}))),
      Layer.provide(Environment.layerTest(options.env ?? {}))
    )
}
