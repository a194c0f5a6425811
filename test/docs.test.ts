/**
 * Docs are code: every `ts` block of the README, CONTRIBUTING.md and docs/ is a whole file under examples/ (the
 * type-check compiles it), every block marked `output` is what the example before it prints, every example the
 * docs show runs, and every relative link leads to a file and heading that exist. docs/security.md's promises each
 * name the tests that attack them, and those files and describes exist.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"

const root = path.resolve(import.meta.dirname, "..")
const pages = ["README.md", "CONTRIBUTING.md", ...fs.readdirSync(path.join(root, "docs")).map((name) => `docs/${name}`)]
  .filter((page) => page.endsWith(".md"))

interface Block {
  readonly page: string
  readonly line: number
  readonly info: string
  readonly text: string
  /** The `<!-- examples/NAME.ts -->` marker on the line before the block, if any. */
  readonly example: string | undefined
}

const blocksOf = (page: string): ReadonlyArray<Block> => {
  const lines = fs.readFileSync(path.join(root, page), "utf8").split("\n")
  const blocks: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!)
    if (open === null) continue
    const end = lines.indexOf("```", i + 1)
    assert.isAbove(end, i, `${page}:${i + 1}: a code block that never closes`)
    const marker = /^<!-- (examples\/[\w.-]+\.ts) -->$/.exec(lines[i - 1] ?? "")
    blocks.push({
      page,
      line: i + 1,
      info: open[1]!.trim(),
      text: lines.slice(i + 1, end).join("\n"),
      example: marker?.[1]
    })
    i = end
  }
  return blocks
}

const blocks = pages.flatMap(blocksOf)
const tsBlocks = blocks.filter((block) => block.info === "ts")
const shownExamples = [...new Set(tsBlocks.flatMap((block) => block.example === undefined ? [] : [block.example]))]

const normalise = (text: string): string => text.split("\n").map((line) => line.trimEnd()).join("\n").trim()

const exec = promisify(execFile)
/** Runs an example as a user would (Node resolving `effect-secrets` to this checkout), outside any Flyte pod. */
const runExample = (example: string) =>
  exec(process.execPath, ["--conditions=effect-secrets-source", example], {
    cwd: root,
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("FLYTE_"))),
    timeout: 60_000
  })
/** At most a few examples at once: each starts a Node process that imports Effect. */
const startLimited = (examples: ReadonlyArray<string>, atOnce: number) => {
  const lanes: Array<Promise<unknown>> = Array.from({ length: atOnce }, () => Promise.resolve())
  return new Map(examples.map((example, i) => {
    const run = lanes[i % atOnce]!.then(() => runExample(example))
    lanes[i % atOnce] = run.catch(() => undefined) // a failure is reported by the test that awaits it
    return [example, run] as const
  }))
}
const runs = startLimited(shownExamples, 3)

const slug = (heading: string): string =>
  heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-")
const anchorsOf = (page: string): ReadonlySet<string> =>
  new Set(
    fs.readFileSync(path.join(root, page), "utf8").split("\n").flatMap((line) => {
      const heading = /^#+ (.*)$/.exec(line)
      return heading === null ? [] : [slug(heading[1]!)]
    })
  )

describe("docs are code", () => {
  it("every ts block is a whole example file, named on the line before it", () => {
    assert.isAbove(tsBlocks.length, 10)
    for (const block of tsBlocks) {
      const where = `${block.page}:${block.line}`
      assert.isDefined(block.example, `${where}: put <!-- examples/NAME.ts --> before the block and the file there`)
      const file = path.join(root, block.example!)
      assert.isTrue(fs.existsSync(file), `${where}: ${block.example} does not exist`)
      assert.strictEqual(
        block.text.trimEnd(),
        fs.readFileSync(file, "utf8").trimEnd(),
        `${where} differs from ${block.example}`
      )
    }
  })

  it("every example the docs show runs", { timeout: 180_000 }, async () => {
    for (const [example, run] of runs) {
      await run.catch((error: { stderr?: string }) => assert.fail(`${example} failed:\n${error.stderr ?? error}`))
    }
  })

  it("every output block is what the example before it prints", { timeout: 180_000 }, async () => {
    const outputs = blocks.filter((block) => block.info.endsWith(" output"))
    assert.isAbove(outputs.length, 2)
    for (const output of outputs) {
      const shown = tsBlocks.filter((block) => block.page === output.page && block.line < output.line).at(-1)
      assert.isDefined(shown?.example, `${output.page}:${output.line}: an output block with no example before it`)
      const { stdout } = await runs.get(shown!.example!)!
      assert.strictEqual(normalise(output.text), normalise(stdout), `${output.page}:${output.line}`)
    }
  })

  it("the masking example prints no value it registered", { timeout: 180_000 }, async () => {
    const { stderr, stdout } = await runs.get("examples/masking.ts")!
    for (const value of ["ghp_example0token", "session-from-an-oauth-exchange"]) {
      assert.notInclude(stdout + stderr, value)
    }
    assert.include(stdout, "<redacted>")
  })

  it("every relative link leads to a file, and to a heading there", () => {
    for (const page of pages) {
      const text = fs.readFileSync(path.join(root, page), "utf8")
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue
        const [file, anchor] = target!.split("#")
        const resolved = file === "" ? page : path.join(path.dirname(page), file!)
        assert.isTrue(fs.existsSync(path.join(root, resolved)), `${page}: the link ${target} leads nowhere`)
        if (anchor !== undefined) {
          assert.isTrue(anchorsOf(resolved).has(anchor), `${page}: ${resolved} has no heading #${anchor}`)
        }
      }
    }
  })
})

/** Every test file under test/, as [path from the root, text with white space folded]. */
const testFiles = (): ReadonlyArray<readonly [string, string]> =>
  fs.readdirSync(path.join(root, "test"), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => [`test/${name}`, fold(fs.readFileSync(path.join(root, "test", name), "utf8"))] as const)

const fold = (text: string): string => text.replace(/\s+/g, " ")

describe("docs/security.md names the tests that attack each promise", () => {
  const page = fold(fs.readFileSync(path.join(root, "docs/security.md"), "utf8"))

  it("every promise S<n> has an \"Attacked by\" line", () => {
    const sections = page.split(/ ## (?=S\d+\. )/).slice(1)
    assert.isAbove(sections.length, 0)
    for (const section of sections) {
      if (section.startsWith("Limits")) continue
      assert.include(section.split(" ## ")[0], "Attacked by: `test/", section.slice(0, 40))
    }
  })

  it("every test/... path it mentions exists, and every describe it quotes is in that file", () => {
    const files = new Map(testFiles())
    for (const [, file] of page.matchAll(/`(test\/[^`]+)`/g)) {
      assert.isTrue(fs.existsSync(path.join(root, file!)), `docs/security.md names ${file}, which does not exist`)
    }
    for (const [, file, quoted] of page.matchAll(/`(test\/[^`]+)` › ((?:"[^"]+"(?:, )?)+)/g)) {
      for (const [, title] of quoted!.matchAll(/"([^"]+)"/g)) {
        assert.include(files.get(file!), `"${title}"`, `${file} has no describe "${title}"`)
      }
    }
  })

  it("every S<n> it mentions has a describe in some test file that starts with that number", () => {
    const attacked = new Set(
      testFiles().flatMap(([, text]) => [...text.matchAll(/(?:describe\(|S\d+: )"(S\d+) /g)].map((match) => match[1]!))
    )
    for (const [promise] of page.matchAll(/\bS\d+\b/g)) {
      assert.isTrue(attacked.has(promise), `no describe starts with ${promise}`)
    }
  })
})
