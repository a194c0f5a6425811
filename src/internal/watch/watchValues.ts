/**
 * `watch`: a secret's current value, then each new distinct value. A value is read through the manager's normal
 * lookup whenever a signal says it may have changed; the poll is always a signal, so nothing is missed when a file
 * system reports no events, and repeats are dropped by comparing values (never inode numbers, which are reused).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { countRotations, withoutLookupSpan } from "../telemetry/rotations.ts"

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

/**
 * Signals that a value may have changed, set up in the scope of the stream that reads them (watches are closed when
 * it ends). Set up before the first read, so no change after that read goes unsignalled.
 */
export type ChangeSignals = Effect.Effect<Stream.Stream<void>, never, Scope.Scope>

/** No signals but the poll: for file systems that cannot watch. */
export const pollOnly: ChangeSignals = Effect.succeed(Stream.empty)

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
  changes: ChangeSignals = pollOnly
): Stream.Stream<A, E> =>
  Stream.unwrap(Effect.map(changes, (signals) =>
    Stream.tick(options?.pollInterval ?? defaultPollInterval).pipe(
      Stream.merge(signals),
      Stream.mapEffect(() => withoutLookupSpan(read)),
      Stream.changesWith(sameValue),
      countRotations
    )))
