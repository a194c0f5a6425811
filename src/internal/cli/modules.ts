/**
 * A user's module of tasks: loaded with `import()` (a TypeScript module too, through Node's type stripping), its
 * exported tasks found with `isTask`, one chosen by the name in its options.
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { isTask, type TaskDefinition } from "../../Task.ts"
import { quoteName } from "../lookup/naming.ts"
import { type CommandFailed, fail } from "./failure.ts"
import { escapeHidden, quoted, shown } from "./printing.ts"

/** A task a module exports, and the names it is exported under. */
export interface ExportedTask {
  readonly task: TaskDefinition
  readonly exports: ReadonlyArray<string>
}

/** What Node says when a TypeScript module cannot be loaded, and what to do about it. */
const typeScriptAdvice = (code: unknown): string =>
  code === "ERR_UNKNOWN_FILE_EXTENSION"
    ? " TypeScript modules load on Node's type stripping (Node 22.18 or later); on an older Node, build the module " +
      "to JavaScript first."
    : code === "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX"
    ? " Node strips types but does not compile: the module may use erasable TypeScript only (no enum, namespace, " +
      "parameter properties); build it to JavaScript otherwise."
    : ""

/** The files Node loads as modules of code. */
const moduleExtensions: ReadonlyArray<string> = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]

/** What `file` leads to, or `undefined` when nothing can be found there (missing, a path too long, no access). */
const statusOf = (file: string): fs.Stats | undefined => {
  try {
    return fs.statSync(file)
  } catch {
    return undefined
  }
}

/** The module at `modulePath` (relative to the working directory), loaded. */
const importModule = (modulePath: string): Effect.Effect<Record<string, unknown>, CommandFailed> => {
  const resolved = path.resolve(modulePath)
  const found = statusOf(resolved)
  if (found === undefined) {
    return Effect.fail(fail(`Module ${shown(modulePath)} not found (looked at ${shown(resolved)}).`))
  }
  // Loading a FIFO or a device would wait for a writer that may never come, with nothing to end the wait.
  if (!found.isFile()) {
    return Effect.fail(fail(`Module ${shown(modulePath)} is not a file (looked at ${shown(resolved)}); name a module.`))
  }
  // Node would run any other file as JavaScript, and its error quotes the text (`sk_live_... is not defined`).
  if (!moduleExtensions.includes(path.extname(resolved))) {
    return Effect.fail(fail(
      `Module ${shown(modulePath)} is not a JavaScript or TypeScript module (${moduleExtensions.join(", ")}); ` +
        "name a module of tasks (a .env file goes to run --dotenv)."
    ))
  }
  return Effect.tryPromise({
    try: () => import(pathToFileURL(resolved).href) as Promise<Record<string, unknown>>,
    catch: (error) => {
      const { code, message } = error as { code?: unknown; message?: unknown }
      // On one line, escaped: Node's message quotes paths, which may hold a line break or a bidi control.
      const why = escapeHidden(String(message ?? error))
      return fail(`Cannot load module ${shown(modulePath)}: ${why}${typeScriptAdvice(code)}`)
    }
  })
}

/** Every task the module exports (its default export included), once each, in export order. */
export const loadTasks = (modulePath: string): Effect.Effect<ReadonlyArray<ExportedTask>, CommandFailed> =>
  Effect.flatMap(importModule(modulePath), (exports) => {
    const found = new Map<TaskDefinition, Array<string>>()
    for (const [name, value] of Object.entries(exports)) {
      if (isTask(value)) found.set(value, [...(found.get(value) ?? []), name])
    }
    if (found.size === 0) {
      return Effect.fail(fail(
        `Module ${shown(modulePath)} exports no task. Export what task() or task.sync() returns: ` +
          "export const myTask = task({ name: \"my_task\", secretRequests: [...] }, body)"
      ))
    }
    return Effect.succeed([...found].map(([task, names]) => ({ task, exports: names })))
  })

const names = (tasks: ReadonlyArray<ExportedTask>) => tasks.map(({ task }) => quoteName(task.name)).join(", ")

/**
 * The task named `name` (the `name` in its options, not its export's); without a name, the module's only task.
 * Otherwise the failure lists the names there are.
 */
export const selectTask = (
  tasks: ReadonlyArray<ExportedTask>,
  name: string | undefined,
  modulePath: string
): Effect.Effect<TaskDefinition, CommandFailed> => {
  if (name === undefined) {
    return tasks.length === 1
      ? Effect.succeed(tasks[0]!.task)
      : Effect.fail(
        fail(`Module ${shown(modulePath)} exports ${tasks.length} tasks; choose one with --task: ${names(tasks)}.`)
      )
  }
  const named = tasks.filter(({ task }) => task.name === name)
  if (named.length === 1) return Effect.succeed(named[0]!.task)
  return Effect.fail(fail(
    named.length === 0
      ? `Module ${shown(modulePath)} has no task named ${quoted(name)} (--task matches the name in a task's ` +
        `options, not its export's). Its tasks: ${names(tasks)}.`
      : `Module ${shown(modulePath)} has ${named.length} tasks named ${quoted(name)} (exported as ` +
        `${named.map(({ exports }) => exports.join(" and ")).join(", ")}): give them different names.`
  ))
}
