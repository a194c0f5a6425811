/**
 * An answer that is either here now or still to come: the plain value, a failure (`Failed`), or an effect that must
 * run (`Later`). The file reader and the lookup chain are written once over it: a synchronous file system (Node's
 * `fs`, the test layer's files) answers with plain values, so a lookup over it runs as straight JavaScript and
 * allocates one `Exit` at its end; an Effect `FileSystem` answers `Later`, and the same steps compose into an
 * effect. Which one an operation gives is part of its implementation's contract, never read off an effect.
 *
 * The value type of a `Now` is never itself a `Failed` or a `Later` (the library's own records and strings).
 */
import * as Effect from "effect/Effect"

/** A failure known now. */
export class Failed<E> {
  readonly failure: E
  constructor(failure: E) {
    this.failure = failure
  }
}

/** An answer that needs its effect run. */
export class Later<A, E> {
  readonly effect: Effect.Effect<A, E>
  constructor(effect: Effect.Effect<A, E>) {
    this.effect = effect
  }
}

/** The value, a failure known now, or an effect to run. */
export type Now<A, E> = A | Failed<E> | Later<A, E>

/** A failure, known now. */
export const fail = <E>(failure: E): Now<never, E> => new Failed(failure)

/** An answer that comes from running `effect`. */
export const later = <A, E>(effect: Effect.Effect<A, E>): Later<A, E> => new Later(effect)

/** The answer as an effect: an `Exit` when it is known now. */
export const toEffect = <A, E>(now: Now<A, E>): Effect.Effect<A, E> =>
  now instanceof Later ? now.effect : now instanceof Failed ? Effect.fail(now.failure) : Effect.succeed(now)

/** `f` of the value, at once when the value is known now. */
export const flatMap = <A, E, B, E2>(now: Now<A, E>, f: (value: A) => Now<B, E2>): Now<B, E | E2> =>
  now instanceof Later
    ? new Later(Effect.flatMap(now.effect, (value) => toEffect(f(value))))
    : now instanceof Failed
    ? now
    : f(now)

/**
 * `f` of the value and `context`, at once when the value is known now: a top-level `f` given what it needs as
 * `context` makes no closure per call, where `flatMap` would make one at each call site.
 */
export const flatMapWith = <A, E, C, B, E2>(
  now: Now<A, E>,
  f: (value: A, context: C) => Now<B, E2>,
  context: C
): Now<B, E | E2> =>
  now instanceof Later
    ? new Later(Effect.flatMap(now.effect, (value) => toEffect(f(value, context))))
    : now instanceof Failed
    ? now
    : f(now, context)

/** `recover` with a top-level `f` and its `context` (see `flatMapWith`). */
export const recoverWith = <A, E, C, B, E2>(
  now: Now<A, E>,
  f: (failure: E, context: C) => Now<B, E2>,
  context: C
): Now<A | B, E2> =>
  now instanceof Later
    ? new Later(Effect.catch(now.effect, (failure) => toEffect(f(failure, context))))
    : now instanceof Failed
    ? f(now.failure, context)
    : now

/** The value mapped by `f`, at once when known now. */
export const map = <A, E, B>(now: Now<A, E>, f: (value: A) => B): Now<B, E> =>
  now instanceof Later ? new Later(Effect.map(now.effect, f)) : now instanceof Failed ? now : f(now)

/** The failure handled by `f`, at once when known now; a value passes through. */
export const recover = <A, E, B, E2>(now: Now<A, E>, f: (failure: E) => Now<B, E2>): Now<A | B, E2> =>
  now instanceof Later
    ? new Later(Effect.catch(now.effect, (failure) => toEffect(f(failure))))
    : now instanceof Failed
    ? f(now.failure)
    : now

/**
 * `onValue` of the value or `onFailure` of the failure, at once when known now: one step where `recover` after
 * `flatMap` would be two (a failure of `onValue` is its answer, not handed to `onFailure`).
 */
export const match = <A, E, B, E2, C, E3>(
  now: Now<A, E>,
  onValue: (value: A) => Now<B, E2>,
  onFailure: (failure: E) => Now<C, E3>
): Now<B | C, E2 | E3> =>
  now instanceof Later
    ? new Later(Effect.matchEffect(now.effect, {
      onSuccess: (value) => toEffect(onValue(value)),
      onFailure: (failure) => toEffect(onFailure(failure))
    }))
    : now instanceof Failed
    ? onFailure(now.failure)
    : onValue(now)

/** The failure mapped by `f`, at once when known now. */
export const mapFailure = <A, E, E2>(now: Now<A, E>, f: (failure: E) => E2): Now<A, E2> =>
  now instanceof Later
    ? new Later(Effect.mapError(now.effect, f))
    : now instanceof Failed
    ? new Failed(f(now.failure))
    : now

/**
 * Both answers; when either must run, both run concurrently (a file system answering through a thread pool pays one
 * round trip for the two). Known now, the first failure wins.
 */
export const both = <A, E, B, E2>(first: Now<A, E>, second: Now<B, E2>): Now<readonly [A, B], E | E2> => {
  if (first instanceof Later || second instanceof Later) {
    return new Later(Effect.zip(toEffect(first), toEffect(second), { concurrent: true }))
  }
  if (first instanceof Failed) return first
  if (second instanceof Failed) return second
  return [first, second]
}
