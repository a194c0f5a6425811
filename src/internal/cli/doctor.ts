/**
 * `effect-secrets doctor MODULE`: each secret each task of a module declares, and where the lookup finds it here,
 * now; the same check a task's preflight makes before its body runs.
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { Secret } from "../../Secret.ts"
import type { SecretNotFound } from "../../SecretsError.ts"
import { SecretsManager } from "../../SecretsManager.ts"
import { inTask } from "../lookup/misses.ts"
import { type CommandExited, type CommandFailed, exitWith } from "./failure.ts"
import { loadTasks, selectTask } from "./modules.ts"
import { columns, print, secretName } from "./printing.ts"
import { withSecretsManagerAndEnvFiles } from "./secretsLayer.ts"

/**
 * One declared secret in `doctor --json`: its task and names (`null` for a name the declaration leaves out), its
 * mount requirement, and where it is found or why not.
 */
export interface DoctorSecret {
  readonly task: string
  readonly group: string | null
  readonly key: string | null
  readonly groupVersion?: string
  readonly mountRequirement: "ANY" | "ENV_VAR" | "FILE"
  /** `"flyte2"` for a Flyte 2 declaration (looked for at Flyte 2's places); left out for Flyte 1's. */
  readonly origin?: "flyte2"
  readonly status: "found" | "missing"
  readonly source?: string
  readonly location?: string
  readonly reason?: string
}

/** What `doctor --json` prints. */
export interface DoctorReport {
  readonly secrets: ReadonlyArray<DoctorSecret>
}

export interface DoctorInput {
  readonly module: string
  readonly task: string | undefined
  readonly json: boolean
  /** `.env` files whose variables are added to the environment first (`--dotenv`). */
  readonly envFiles?: ReadonlyArray<string>
}

/** Why a declared secret is missing, in one line: the places that refused it, or every place tried. */
export const missReason = (miss: SecretNotFound): string => {
  const refused = miss.attempts.filter((attempt) => attempt.outcome === "refused")
  return refused.length > 0
    ? refused.map((attempt) => `${attempt.source} ${attempt.location}: ${attempt.reason}`).join("; ")
    : `not found; tried ${miss.attempts.map((attempt) => `${attempt.source} ${attempt.location}`).join(", ")}`
}

const declaredNames = (task: string, secret: Secret) => ({
  task,
  group: secret.group ?? null,
  key: secret.key ?? null,
  ...(secret.groupVersion === undefined ? {} : { groupVersion: secret.groupVersion }),
  mountRequirement: secret.mountRequirement,
  ...(secret.origin === "flyte2" ? { origin: secret.origin } : {})
})

const indent = (text: string) => text.split("\n").map((line) => `    ${line}`).join("\n")

/** The table, then each miss with the places tried and what to do, then the count. */
const humanReport = (
  tasks: ReadonlyArray<{ readonly name: string; readonly secretRequests: ReadonlyArray<Secret> }>,
  checked: ReadonlyArray<{ readonly row: DoctorSecret; readonly miss: SecretNotFound | undefined }>
): string => {
  const rows = [["TASK", "SECRET", "MOUNT", "STATUS", "WHERE"]]
  for (const task of tasks) {
    if (task.secretRequests.length === 0) rows.push([task.name, "(declares no secret)", "", "", ""])
    for (const { row } of checked.filter(({ row }) => row.task === task.name)) {
      rows.push([
        row.task,
        secretName({ group: row.group ?? undefined, key: row.key ?? undefined, groupVersion: row.groupVersion }),
        row.mountRequirement,
        row.status,
        row.status === "found" ? `${row.source} ${row.location}` : "-"
      ])
    }
  }
  const missing = checked.filter(({ miss }) => miss !== undefined)
  const details = missing.map(({ miss, row }) =>
    `\n${row.task}: ${
      secretName({ group: row.group ?? undefined, key: row.key ?? undefined, groupVersion: row.groupVersion })
    } is missing\n${indent(miss!.message)}`
  )
  const summary = `\n${checked.length} declared secret(s): ${checked.length - missing.length} found, ` +
    `${missing.length} missing.`
  return [columns(rows), ...details, summary].join("\n")
}

/** Checks every declared secret of the module's tasks (or of the one named); exit code 1 when any is missing. */
export const doctor = (input: DoctorInput): Effect.Effect<void, CommandFailed | CommandExited> =>
  withSecretsManagerAndEnvFiles(
    Effect.gen(function*() {
      const exported = yield* loadTasks(input.module)
      const tasks = input.task === undefined
        ? exported.map(({ task }) => task)
        : [yield* selectTask(exported, input.task, input.module)]
      const manager = yield* SecretsManager
      const checked = yield* Effect.forEach(
        tasks.flatMap((task) => task.secretRequests.map((secret) => ({ task, secret }))),
        ({ secret, task }) =>
          Effect.map(Effect.result(manager.locate(secret)), (outcome) => {
            const names = declaredNames(task.name, secret)
            return Result.isSuccess(outcome)
              ? {
                row: {
                  ...names,
                  status: "found",
                  source: outcome.success.source,
                  location: outcome.success.location
                } satisfies DoctorSecret,
                miss: undefined
              }
              : {
                row: { ...names, status: "missing", reason: missReason(outcome.failure) } satisfies DoctorSecret,
                miss: inTask(outcome.failure, task.name, true)
              }
          })
      )
      const report: DoctorReport = { secrets: checked.map(({ row }) => row) }
      yield* print(input.json ? JSON.stringify(report, null, 2) : humanReport(tasks, checked))
      if (checked.some(({ miss }) => miss !== undefined)) return yield* Effect.fail(exitWith(1))
    }),
    input.envFiles
  )
