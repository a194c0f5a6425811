#!/usr/bin/env node
/**
 * The `effect-secrets` command. `@effect/platform-node` is an optional peer dependency of the library: only this
 * entry point loads it, and says how to install it when it is missing.
 *
 * @since 0.1.0
 */
import * as nodeModule from "node:module"

// Before anything heavy loads: compiled code is cached across runs, which shortens every later start.
nodeModule.enableCompileCache?.()

const missingPackage = (error: unknown): string | undefined => {
  const { code, message } = error as { code?: unknown; message?: unknown }
  return code === "ERR_MODULE_NOT_FOUND" && typeof message === "string"
    ? /Cannot find package '([^']+)'/.exec(message)?.[1]
    : undefined
}

const load = async () => {
  try {
    return await Promise.all([
      import("@effect/platform-node/NodeRuntime"),
      import("@effect/platform-node/NodeServices"),
      import("effect/Runtime"),
      import("../internal/cli/commands.ts")
    ])
  } catch (error) {
    const name = missingPackage(error)
    if (name !== "@effect/platform-node" && name !== "effect") throw error
    process.stderr.write(
      `effect-secrets: the command line needs the package ${name}, which is not installed.\n` +
        `Install it beside effect-secrets: npm install ${name}\n`
    )
    process.exit(1)
  }
}

/**
 * Exits once stdout and stderr are flushed: the runtime exits at once on a failure, and a pipe (`doctor --json | jq`
 * with a secret missing) would lose what is still queued for it. Writes are flushed in order, so an empty one's
 * callback runs once all before it are out.
 */
const exitWhenFlushed = (onExit: (code: number) => void) => (code: number) =>
  process.stdout.write("", () => process.stderr.write("", () => onExit(code)))

const [NodeRuntime, NodeServices, Runtime, { program }] = await load()
// A failure was reported inside the program, masked; the runtime only sets the exit code.
NodeRuntime.runMain(program(process.argv.slice(2), NodeServices.layer), {
  disableErrorReporting: true,
  teardown: (exit, onExit) => Runtime.defaultTeardown(exit, exitWhenFlushed(onExit))
})
