/**
 * How a command ends when it does not succeed: with a message for the user (the command line prints it as `ERROR`
 * on stderr) and an exit code, or with only an exit code once the command has printed its answer.
 */
import * as CliError from "effect/cli/CliError"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import { mask } from "../../Masking.ts"

/** A command failed: `detail` says why and what to do, `exitCode` is the process's. */
export class CommandFailed extends Schema.TaggedError<CommandFailed>()("CommandFailed", {
  detail: Schema.String,
  exitCode: Schema.Number
}) {
  // Masked: the detail may quote a user's module or an error thrown while loading it.
  override get message(): string {
    return mask(this.detail)
  }
  override get [Runtime.errorExitCode](): number {
    return this.exitCode
  }
  // The command line prints it (`ERROR` and the message, on stderr).
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/** A command has printed its answer and ends with `exitCode` (a secret not found, `run`'s command's own code). */
export class CommandExited extends Schema.TaggedError<CommandExited>()("CommandExited", {
  exitCode: Schema.Number
}) {
  override get [Runtime.errorExitCode](): number {
    return this.exitCode
  }
  override readonly [Runtime.errorReported] = false
}

/** A failure the user reads: why, and what to do. */
export const fail = (detail: string, exitCode = 1): CommandFailed => new CommandFailed({ detail, exitCode })

/** The end of a command that has printed what it had to say. */
export const exitWith = (exitCode: number): CommandExited => new CommandExited({ exitCode })
