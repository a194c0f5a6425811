/**
 * `SecretsCache`: a cached `SecretsManager` for long-running services that read secrets on request paths. A value
 * read is served for a while without reading again, concurrent reads of one secret make one read, and when reading
 * again fails the last good value is served for a while longer, with a warning.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { makeCachedManager } from "./internal/cache/cachedManager.ts"
import { settingsOf } from "./internal/cache/settings.ts"
import type { SecretNotFound } from "./SecretsError.ts"
import { type SecretRequest, SecretsManager } from "./SecretsManager.ts"

/**
 * What `SecretsCache.layer` takes. Durations are `Duration.Input`s (`"5 minutes"`, a number of milliseconds, a
 * `Duration`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretsCacheOptions {
  /** How long a value read is served without reading it again. Default 5 minutes. */
  readonly timeToLive?: Duration.Input | undefined
  /** How long a miss is remembered before the secret is looked up again. Default 1 second. */
  readonly missTimeToLive?: Duration.Input | undefined
  /**
   * How long after it was read a value is still served when reading it again fails, with a warning logged.
   * Default 1 hour; 0 turns it off.
   */
  readonly staleIfError?: Duration.Input | undefined
  /** The most entries kept (each request and operation is one entry), and the most last good values. Default 1,000. */
  readonly capacity?: number | undefined
}

/**
 * The controls of the cache.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretsCacheShape {
  /**
   * Reads the request again now and updates its entries (every operation and encoding cached for it; the text
   * `get` when none is). Fails with the read's `SecretNotFound`, even when the last good value is still served (then
   * with one warning logged), and with the manager's `InvalidRequest` for a request the manager refuses.
   */
  readonly refresh: (request: SecretRequest) => Effect.Effect<void, SecretNotFound>
  /**
   * Drops the request's entries (every operation and encoding) and their last good values. Once it returns, no value
   * read before it is served: a read or refresh still in flight answers its own callers and stores nothing.
   */
  readonly invalidate: (request: SecretRequest) => Effect.Effect<void>
  /** Drops every entry and every last good value; reads and refreshes in flight store nothing. */
  readonly invalidateAll: Effect.Effect<void>
}

/**
 * The cache of a cached `SecretsManager`: refresh or drop what it holds.
 *
 * **Example** (Reading a rotated secret again now)
 *
 * ```ts
 * import { SecretsCache } from "effect-secrets"
 * import * as Effect from "effect/Effect"
 *
 * // After the secret was rotated: read it again now, and stop serving what was read before.
 * const onRotated = Effect.gen(function*() {
 *   const cache = yield* SecretsCache
 *   yield* cache.refresh({ group: "db", key: "password" })
 *   yield* cache.invalidate({ group: "db", key: "stale" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class SecretsCache extends Context.Service<SecretsCache, SecretsCacheShape>()("effect-secrets/SecretsCache") {
  /**
   * A cached `SecretsManager` over the one provided to this layer, and its `SecretsCache`. Each request and
   * operation (`get` as text, `get` as bytes, `getRedacted`, `getPath`, `locate`) is one entry, the request read as
   * the manager reads it with its defaults applied (`{ group, key }` and `{ group, key, encodeMode: "r" }` are one
   * entry); a request the manager refuses fails with the manager's own `InvalidRequest` error before anything is
   * looked up or cached. `watch` is not cached. Throws when an option is out of range.
   *
   * **Example** (A cached manager for a long-running service)
   *
   * ```ts
   * import { SecretsCache, SecretsManager } from "effect-secrets"
   * import * as Effect from "effect/Effect"
   * import * as Layer from "effect/Layer"
   *
   * const ServiceSecrets = SecretsCache.layer({ timeToLive: "1 minute" }).pipe(Layer.provide(SecretsManager.layer))
   * const password = SecretsManager.use((secrets) => secrets.getRedacted({ group: "db", key: "password" }))
   * Effect.runPromise(password.pipe(Effect.provide(ServiceSecrets))) // read once a minute at most
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer = (
    options: SecretsCacheOptions = {}
  ): Layer.Layer<SecretsManager | SecretsCache, never, SecretsManager> => {
    const settings = settingsOf(options)
    return Layer.effectContext(Effect.gen(function*() {
      const { control, manager } = yield* makeCachedManager(yield* SecretsManager, settings)
      return Context.make(SecretsManager, manager).pipe(Context.add(SecretsCache, control))
    }))
  }
}
