/**
 * `watch`: a secret's current value, then each new distinct value. A value is read through the manager's normal
 * lookup whenever a signal says it may have changed; the poll is always a signal, so nothing is missed when a file
 * system reports no events, and repeats are dropped by comparing values (never inode numbers, which are reused).
 */
import * as Cause from "effect/Cause"
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
  /**
   * A positive, finite duration; default 1 second. Anything else (0, a negative number, `NaN`, `Infinity`) ends the
   * stream before anything is read, with an `IllegalArgumentError` defect saying what to give instead.
   */
  readonly pollInterval?: Duration.Input | undefined
}

export const defaultPollInterval = Duration.seconds(1)

/** A poll interval as a message shows it: short, and whatever it is. */
const shown = (input: unknown): string => {
  if (typeof input === "string") return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input)
  if (typeof input === "number" || typeof input === "bigint") return String(input)
  if (Duration.isDuration(input)) return Duration.format(input)
  return input === null ? "null" : Array.isArray(input) ? `[${input.map(String).join(", ")}]` : `a ${typeof input}`
}

/**
 * The poll interval of `options`, or the error saying why it cannot be used: only a positive, finite duration can
 * be, since 0, a negative number or `NaN` would poll in a busy loop and `Infinity` would never poll.
 */
const pollIntervalOf = (options: WatchOptions | undefined): Duration.Duration | Cause.IllegalArgumentError => {
  const input = options?.pollInterval
  if (input === undefined) return defaultPollInterval
  const duration = typeof input === "number" && Number.isNaN(input) ? undefined : Duration.fromInput(input)
  if (duration !== undefined && duration._tag === "Some" && Duration.isPositive(duration.value)) {
    if (Duration.isFinite(duration.value)) return duration.value
  }
  return new Cause.IllegalArgumentError(
    `watch: pollInterval must be a positive, finite duration, such as "1 second", "500 millis" or 1000 ` +
      `(milliseconds), not ${shown(input)}`
  )
}

/**
 * `watch` with its options checked first: a poll interval that cannot be used ends the stream at once with an
 * `IllegalArgumentError` defect (a mistake in the calling code, not a secret that is missing).
 */
export const checkedWatch = <W extends (request: never, options?: WatchOptions) => Stream.Stream<unknown, unknown>>(
  watch: W
): W =>
  ((request: never, options?: WatchOptions) => {
    const pollInterval = pollIntervalOf(options)
    return Duration.isDuration(pollInterval) ? watch(request, options) : Stream.die(pollInterval)
  }) as W

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
 * A failed read ends the stream with its error; a poll interval that cannot be used ends it before anything is read,
 * with an `IllegalArgumentError` defect.
 */
export const watchValues = <A, E>(
  read: Effect.Effect<A, E>,
  options: WatchOptions | undefined,
  changes: ChangeSignals = pollOnly
): Stream.Stream<A, E> => {
  const pollInterval = pollIntervalOf(options)
  if (!Duration.isDuration(pollInterval)) return Stream.die(pollInterval)
  return Stream.unwrap(Effect.map(changes, (signals) =>
    Stream.tick(pollInterval).pipe(
      Stream.merge(signals),
      Stream.mapEffect(() => withoutLookupSpan(read)),
      Stream.changesWith(sameValue),
      countRotations
    )))
}
