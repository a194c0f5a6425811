/**
 * The signals that end `run`: SIGINT (Ctrl-C), SIGTERM (a supervisor), SIGHUP (a closed terminal or SSH session)
 * and SIGQUIT (Ctrl-\). The runtime interrupts the program on the first two only; Node's default for the other two
 * ends the process at once, with the secrets' files left on disk. While `run` is under way, each of them interrupts
 * it instead, so that its finalizers remove the files, and the first one received decides the exit code.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as os from "node:os"

export const endingSignals: ReadonlyArray<NodeJS.Signals> = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]

/** The exit code a shell gives a process that a signal ended: 128 plus the signal's number. */
export const signalExitCode = (signal: NodeJS.Signals): number => 128 + (os.constants.signals[signal] ?? 0)

/** What the watch has seen: the first ending signal, if any. */
export interface SignalWatch {
  readonly received: () => NodeJS.Signals | undefined
}

/** Until the scope closes, an ending signal interrupts the current fiber and is remembered. */
export const watchEndingSignals: Effect.Effect<SignalWatch, never, Scope.Scope> = Effect.withFiber((fiber) => {
  let first: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    first ??= signal
    fiber.interruptUnsafe(fiber.id)
  }
  return Effect.acquireRelease(
    Effect.sync(() => {
      // First among the listeners: the runtime's own may run the finalizers at once, which read what came.
      for (const signal of endingSignals) process.prependListener(signal, onSignal)
      return { received: () => first }
    }),
    () => Effect.sync(() => endingSignals.forEach((signal) => process.off(signal, onSignal)))
  )
})
