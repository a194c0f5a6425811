/**
 * Start-up of the command line: the time from spawning the built `dist/bin/cli.js where db password` to the first
 * line on its stdout, against `node -e` importing `effect/Effect` and `@effect/platform-node/NodeRuntime` and
 * printing a line (what any Effect program on Node pays before its first output), and against `node -e` importing
 * the library and looking the same secret up (what the command line adds over the library). The bin enables
 * Node's compile cache, as users get it: one unmeasured run warms it first.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { type Floor, ratios } from "./floors.ts"
import { type Figure, sideBySide } from "./harness.ts"

/** What `bench/run.ts` hands over: rounds per figure (each round spawns two processes). */
export interface CliBenchContext {
  readonly rounds: number
}

const root = fileURLToPath(new URL("..", import.meta.url))
const bin = path.join(root, "dist", "bin", "cli.js")
const managerModule = pathToFileURL(path.join(root, "dist", "SecretsManager.js")).href

/** Milliseconds from spawning `node args` to the first chunk on its stdout. */
const firstLine = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>): Promise<number> =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "ignore"]
    })
    child.stdout.once("data", () => resolve(Number(process.hrtime.bigint() - start) / 1e6))
    child.once("error", reject)
    child.once("close", (code) => code === 0 || reject(new Error(`node ${args.join(" ")} exited with ${code}`)))
  })

/** `node -e` importing `modules` and printing a line. */
const importing = (...modules: ReadonlyArray<string>) => [
  "--input-type=module",
  "-e",
  [...modules.map((module) => `await import(${JSON.stringify(module)})`), `console.log("ready")`].join("; ")
]

const effectBaseline = importing("effect/Effect", "@effect/platform-node/NodeRuntime")

const libraryBaseline = [
  "--input-type=module",
  "-e",
  [
    `const Effect = await import("effect/Effect")`,
    `await import("@effect/platform-node/NodeRuntime")`,
    `const { SecretsManager } = await import(${JSON.stringify(managerModule)})`,
    `const located = await Effect.runPromise(Effect.provide(`,
    `  SecretsManager.use((manager) => manager.locate({ group: "db", key: "password" })), SecretsManager.layer))`,
    `console.log(located.source, located.location)`
  ].join("\n")
]

/** A secrets directory holding `db/password`, for the duration of `measure`. */
const withSecretsDir = async <A>(measure: (env: Record<string, string>) => Promise<A>): Promise<A> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "effect-secrets-bench-cli-"))
  try {
    fs.mkdirSync(path.join(dir, "db"))
    fs.writeFileSync(path.join(dir, "db", "password"), "bench-password\n")
    const env = { FLYTE_SECRETS_DEFAULT_DIR: dir }
    await firstLine([bin, "where", "db", "password"], env)
    return await measure(env)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const where = (env: Record<string, string>) => firstLine([bin, "where", "db", "password"], env)

export const figures = (context: CliBenchContext): ReadonlyArray<Figure> => [
  {
    name: "`effect-secrets where`: start to first line",
    unit: "ms",
    baseline: "`node -e` importing effect/Effect and @effect/platform-node/NodeRuntime",
    target: 1.5,
    measure: () =>
      withSecretsDir((env) => sideBySide(context.rounds, () => where(env), () => firstLine(effectBaseline, env)))
  },
  {
    name: "`effect-secrets where`: start to first line, over the library",
    unit: "ms",
    baseline: "`node -e` importing the library and looking the secret up",
    target: 1.5,
    measure: () =>
      withSecretsDir((env) => sideBySide(context.rounds, () => where(env), () => firstLine(libraryBaseline, env)))
  }
]

/**
 * What `where` costs at the least: the modules it cannot do without, beside the Effect program it is compared with,
 * the library looking the secret up, and the command itself.
 */
export const floors = (context: CliBenchContext): Promise<ReadonlyArray<Floor>> => {
  const candidates: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["`node -e` importing effect/Effect and platform-node's NodeRuntime", effectBaseline],
    [
      "the same with effect/Config, whose graph the library's public `ConfigError` needs",
      importing("effect/Config", "@effect/platform-node/NodeRuntime")
    ],
    [
      "the same with effect/cli's Command and platform-node's NodeServices (the services `effect/cli` requires)",
      importing(
        "effect/Config",
        "effect/cli/Command",
        "@effect/platform-node/NodeRuntime",
        "@effect/platform-node/NodeServices"
      )
    ],
    ["`node -e` importing the library and looking the secret up", libraryBaseline],
    ["the command", [bin, "where", "db", "password"]]
  ]
  return withSecretsDir((env) =>
    ratios(
      "`effect-secrets where`, start to first line",
      context.rounds,
      candidates.map(([what]) => what),
      (index) => firstLine(candidates[index]![1], env)
    )
  )
}
