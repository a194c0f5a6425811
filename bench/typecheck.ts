/**
 * Type-checking cost of typed declarations: `tsc --noEmit` over a module whose `task.sync` declares 200 secrets
 * inline (a strict task; its body reads every one by attribute and a few through `get`), against the same module
 * without declarations (the same reads, loosely typed). Both compile against the built package's `.d.ts`, as a
 * user's project does, with the project's compiler options; each round spawns both compilers, alternately first.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Figure, sideBySide } from "./harness.ts"

/** What `bench/run.ts` hands over: rounds per figure (each round runs the compiler twice, about 2 s each). */
export interface TypecheckBenchContext {
  readonly rounds: number
}

const root = fileURLToPath(new URL("..", import.meta.url))
const tsc = path.join(root, "node_modules", ".bin", "tsc")

/** 200 declarations over 20 groups, with hyphens and dots in names (so attribute spellings are computed). */
const declarations = Array.from({ length: 200 }, (_, i) => ({ group: `team-${i % 20}-keys`, key: `token.${i}` }))

/** The module: `secretRequests` as given, and a body reading every declared secret. */
const module = (preamble: string, secretRequests: string) =>
  [
    `import { ${preamble}SecretsManager, task } from ${JSON.stringify(path.join(root, "dist", "index.js"))}`,
    ``,
    `export const many = task.sync({`,
    `  name: "many_secrets",`,
    `  strict: true,`,
    `  layer: SecretsManager.layerTest(),`,
    `  secretRequests: ${secretRequests}`,
    `}, (_: void, secrets) => {`,
    `  let total = 0`,
    ...declarations.map(({ group, key }) =>
      `  total += secrets.${group.replaceAll("-", "_")}.${key.replaceAll(".", "_")}.length`
    ),
    ...declarations.slice(0, 10).map((declaration) => `  total += secrets.get(${JSON.stringify(declaration)}).length`),
    `  return total`,
    `})`,
    ``
  ].join("\n")

const typedModule = module(
  "",
  `[\n${declarations.map((declaration) => `    ${JSON.stringify(declaration)}`).join(",\n")}\n  ]`
)
const looseModule = `const none: ReadonlyArray<SecretInput> = []\n` + module("type SecretInput, ", "none")

/** A project in a temporary directory: the module, and a tsconfig extending the project's. */
const project = (name: string, source: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `effect-secrets-typecheck-${name}-`))
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }))
  fs.writeFileSync(path.join(dir, "module.ts"), source)
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: path.join(root, "tsconfig.json"),
      compilerOptions: { typeRoots: [path.join(root, "node_modules", "@types")] },
      include: ["module.ts"],
      exclude: []
    })
  )
  return dir
}

/** Milliseconds of one `tsc --noEmit` over the project; a compile error fails the benchmark. */
const typecheck = (dir: string): number => {
  const start = process.hrtime.bigint()
  try {
    execFileSync(tsc, ["--noEmit", "-p", path.join(dir, "tsconfig.json")], { stdio: "pipe" })
  } catch (error) {
    throw new Error(`tsc failed on ${dir}/module.ts:\n${(error as { stdout?: Buffer }).stdout ?? error}`)
  }
  return Number(process.hrtime.bigint() - start) / 1e6
}

export const figures = (context: TypecheckBenchContext): ReadonlyArray<Figure> => [
  {
    name: "`tsc --noEmit`, a task declaring 200 secrets",
    unit: "ms",
    baseline: "the same module without declarations",
    target: 2,
    measure: async () => {
      const typed = project("typed", typedModule)
      const loose = project("loose", looseModule)
      try {
        return await sideBySide(context.rounds, () => typecheck(typed), () => typecheck(loose))
      } finally {
        fs.rmSync(typed, { recursive: true, force: true })
        fs.rmSync(loose, { recursive: true, force: true })
      }
    }
  }
]
