/**
 * `run`'s command: started with the environment given (values reach it only there and in files, never in its
 * arguments), sharing the terminal, and waited for to the end. SIGTERM and SIGHUP are forwarded to it; SIGINT and
 * SIGQUIT too, unless standard input is a terminal: there Ctrl-C and Ctrl-\ reach the command itself (it is in the
 * terminal's foreground process group), and a second SIGINT would turn a graceful shutdown into a forced one. Its
 * stdout and stderr are masked on their way out where asked (`../masking/childOutput.ts`), and its end is reported
 * once they are flushed.
 */
import * as Effect from "effect/Effect"
import { spawn, type SpawnOptions } from "node:child_process"
import * as os from "node:os"
import { childStdio, type OutputMasking, pipeMaskedOutput } from "../masking/childOutput.ts"
import { CommandFailed, fail } from "./failure.ts"
import { shown } from "./printing.ts"
import { endingSignals } from "./signals.ts"

/** How the command ended: its exit code as a shell gives it. */
export interface CommandEnd {
  readonly exitCode: number
}

/** The signals a terminal sends its whole foreground process group, the command included. */
const terminalSignals: ReadonlyArray<NodeJS.Signals> = ["SIGINT", "SIGQUIT"]

/** The exit code a shell gives: the command's own, or 128 plus the number of the signal that ended it. */
const exitCodeOf = (code: number | null, signal: NodeJS.Signals | null): number =>
  code ?? 128 + (signal === null ? 0 : os.constants.signals[signal] ?? 0)

/**
 * Why the command could not start, with a shell's exit code: 127 not found, 126 not executable. The code only: Node's
 * message may quote the environment, secrets included.
 */
const notStarted = (command: string, error: NodeJS.ErrnoException): CommandFailed =>
  error.code === "ENOENT"
    ? fail(`Command not found: ${shown(command)}`, 127)
    : error.code === "E2BIG"
    ? fail(
      `Cannot run ${shown(command)}: its arguments and environment are more than the system takes (E2BIG; Linux ` +
        "takes at most 128 KiB in one variable or argument, 2 MiB in all); mount a large secret as a FILE.",
      126
    )
    : fail(`Cannot run ${shown(command)} (${error.code ?? "it could not be started"}).`, 126)

/** The command started, or why it could not be (some failures are thrown at once, not reported). */
const started = (command: string, args: ReadonlyArray<string>, options: SpawnOptions) => {
  try {
    return spawn(command, args, options)
  } catch (error) {
    return notStarted(command, error as NodeJS.ErrnoException)
  }
}

/**
 * Runs `command` to its end. Meant to run uninterruptibly: a signal to this process is passed on and the command's
 * end waited for, so what comes after (removing the secrets' files) runs once it has stopped reading them.
 */
export const runCommand = (
  command: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
  masking?: OutputMasking
): Effect.Effect<CommandEnd, CommandFailed> =>
  Effect.callback<CommandEnd, CommandFailed>((resume) => {
    const child = started(command, args, { stdio: childStdio(masking), env })
    if (child instanceof CommandFailed) return resume(Effect.fail(child))
    const whenOutputFlushed = pipeMaskedOutput(child, masking)
    const onSignal = (signal: NodeJS.Signals) => {
      const reachesCommand = terminalSignals.includes(signal) && process.stdin.isTTY === true
      if (!reachesCommand && child.exitCode === null && child.signalCode === null) child.kill(signal)
    }
    for (const signal of endingSignals) process.on(signal, onSignal)
    let ended = false
    const end = (outcome: Effect.Effect<CommandEnd, CommandFailed>) => {
      if (ended) return
      ended = true
      for (const signal of endingSignals) process.off(signal, onSignal)
      resume(outcome)
    }
    // An error once the command runs (a signal that could not be delivered) does not end it: its exit does.
    child.on("error", (error) => {
      if (child.pid === undefined) end(Effect.fail(notStarted(command, error)))
    })
    child.once("exit", (code, signal) =>
      whenOutputFlushed(() => end(Effect.succeed({ exitCode: exitCodeOf(code, signal) }))))
  })
