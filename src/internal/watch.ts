/**
 * `watch`: a secret's current value, then each new distinct value. A value is read through the manager's normal
 * lookup whenever a signal says it may have changed; the poll is always a signal, so nothing is missed when a file
 * system reports no events, and repeats are dropped by comparing values (never inode numbers, which are reused).
 */
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/**
 * How often `watch` looks again at the latest, when nothing signals a change sooner.
 *
 * @since 0.1.0
 * @category models
 */
export interface WatchOptions {
  /** Default 1 second. */
  readonly pollInterval?: Duration.Input | undefined
}

export const defaultPollInterval = Duration.seconds(1)

/** Whether two values of a secret are the same: text by equality, bytes by content. */
export const sameValue = <A>(a: A, b: A): boolean => {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((byte, index) => byte === b[index])
  }
  return a === b
}

/**
 * The values `read` gives at the start, at every poll tick and at every signal from `changes`, without repeats.
 * A failed read ends the stream with its error.
 */
export const watchValues = <A, E>(
  read: Effect.Effect<A, E>,
  options: WatchOptions | undefined,
  changes: Stream.Stream<unknown> = Stream.empty
): Stream.Stream<A, E> =>
  Stream.tick(options?.pollInterval ?? defaultPollInterval).pipe(
    Stream.merge(changes),
    Stream.mapEffect(() => read),
    Stream.changesWith(sameValue)
  )
