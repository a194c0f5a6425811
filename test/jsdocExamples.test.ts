/**
 * The examples in the public modules' JSDoc are code: every ```ts block under a `**Example**` heading is written to
 * a file inside the repository (so `effect-secrets` resolves to this checkout's source, as in examples/) and the
 * whole set is type-checked by one `tsc` run. Every exported value, function, class, static member and layer of a
 * public module shows one.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"

const root = path.resolve(import.meta.dirname, "..")
const modules = [
  "Environment",
  "Flyte2",
  "Kubernetes",
  "KubernetesError",
  "Masking",
  "Secret",
  "SecretsCache",
  "SecretsConfig",
  "SecretsError",
  "SecretsFacade",
  "SecretsManager",
  "SecretsTelemetry",
  "Task"
].map((name) => `src/${name}.ts`)

interface Example {
  readonly file: string
  /** The line of the opening fence in `file`, 1-based. */
  readonly line: number
  readonly code: string
}

interface Documented {
  readonly file: string
  readonly line: number
  readonly declaration: string
  readonly comment: string
}

/** Each JSDoc comment of a file with the line of the declaration it documents. */
const documentedIn = (file: string): ReadonlyArray<Documented> => {
  const lines = fs.readFileSync(path.join(root, file), "utf8").split("\n")
  const found: Array<Documented> = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "/**") continue
    const end = lines.findIndex((line, j) => j > i && line.trim() === "*/")
    assert.isAbove(end, i, `${file}:${i + 1}: a JSDoc comment that never closes`)
    found.push({
      file,
      line: i + 1,
      declaration: (lines[end + 1] ?? "").trim(),
      comment: lines.slice(i, end + 1).map((line) => line.replace(/^\s*\* ?/, "")).join("\n")
    })
    i = end
  }
  return found
}

const examplesIn = (documented: Documented): ReadonlyArray<Example> => {
  const lines = documented.comment.split("\n")
  const found: Array<Example> = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\*\*Example\*\*( \(.+\))?$/.test(lines[i]!)) continue
    const open = lines.findIndex((line, j) => j > i && line.startsWith("```"))
    assert.strictEqual(
      lines[open],
      "```ts",
      `${documented.file}:${documented.line + i}: an example's fence is \`\`\`ts`
    )
    const close = lines.indexOf("```", open + 1)
    assert.isAbove(close, open, `${documented.file}:${documented.line + open}: an example that never closes`)
    found.push({
      file: documented.file,
      line: documented.line + open,
      code: lines.slice(open + 1, close).join("\n")
    })
    i = close
  }
  return found
}

const documented = modules.flatMap(documentedIn)
const examples = documented.flatMap(examplesIn)

/** A declaration that is a value users call or provide: a function, a constant, a class, a static, a layer. */
const isValueDeclaration = (declaration: string): boolean =>
  /^export (const|function|class)\b/.test(declaration) || /^static\b/.test(declaration) ||
  /^(SecretInjectionError),?$/.test(declaration)

const exec = promisify(execFile)

/** Writes every example to its own file under a git-ignored folder and type-checks them with one `tsc` run. */
const typeCheck = async (all: ReadonlyArray<Example>): Promise<string> => {
  fs.mkdirSync(path.join(root, ".scratch"), { recursive: true })
  const dir = fs.mkdtempSync(path.join(root, ".scratch", "jsdoc-"))
  try {
    const files = all.map((example, index) => {
      const name = `${String(index).padStart(3, "0")}.ts`
      fs.writeFileSync(path.join(dir, name), example.code + "\n")
      return name
    })
    const extendsPath = path.relative(dir, path.join(root, "tsconfig.json"))
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: extendsPath,
        // Unused names are reported, and kept only for imports (below): a snippet names what it shows.
        compilerOptions: { noUnusedLocals: true },
        include: [],
        files
      })
    )
    const tsc = path.join(root, "node_modules", ".bin", "tsc")
    const output = await exec(tsc, ["--noEmit", "--pretty", "false", "-p", dir], { cwd: root, timeout: 120_000 })
      .then(({ stdout }) => stdout, (error: { stdout?: string; message: string }) => error.stdout || error.message)
    // Each error is reported at the source line of the example it comes from.
    return output.split("\n").filter((line) => line.trim() !== "").flatMap((line) => {
      const at = /^(?:.*[\\/])?(\d{3})\.ts\((\d+),(\d+)\): (.*)$/.exec(line)
      if (at === null) return [line]
      const example = all[Number(at[1])]!
      const unused = /^error TS(6133|6192|6196)\b/.test(at[4]!)
      if (unused && !example.code.split("\n")[Number(at[2]) - 1]!.startsWith("import ")) return []
      return [`${example.file}:${example.line + Number(at[2])}:${at[3]}: ${at[4]}`]
    }).join("\n")
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

describe("JSDoc examples", () => {
  it("every exported function, constant, class, static member and layer of a public module has an example", () => {
    const without = documented
      .filter((doc) => isValueDeclaration(doc.declaration) && examplesIn(doc).length === 0)
      .map((doc) => `${doc.file}:${doc.line}: ${doc.declaration}`)
    assert.deepStrictEqual(without, [])
  })

  it("every example imports the library as users do, from effect-secrets, and is short", () => {
    const wrong = examples
      .filter((example) => {
        const lines = example.code.split("\n").length
        return !/from "effect-secrets(\/\w+)?"/.test(example.code) || /from "\.\.?\//.test(example.code) ||
          lines < 3 || lines > 14
      })
      .map((example) => `${example.file}:${example.line}`)
    assert.deepStrictEqual(wrong, [])
  })

  it("every documented value has @since and one lowercase @category", () => {
    const wrong = documented
      .filter((doc) => /^(export (const|function|class|interface|type)|static)\b/.test(doc.declaration))
      .filter((doc) => {
        const categories = doc.comment.match(/^@category .*$/gm) ?? []
        return !/^@since \d+\.\d+\.\d+$/m.test(doc.comment) || categories.length !== 1 ||
          !/^@category [a-z][a-z ]*$/.test(categories[0]!)
      })
      .map((doc) => `${doc.file}:${doc.line}: ${doc.declaration}`)
    assert.deepStrictEqual(wrong, [])
  })

  it("every example type-checks against the current API", async () => {
    assert.isAbove(examples.length, 0)
    const errors = await typeCheck(examples)
    assert.strictEqual(errors, "", `examples that do not compile:\n${errors}`)
  }, 120_000)
})
