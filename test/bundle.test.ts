/**
 * The published JavaScript: the library bundled into one file per public module and shared chunks (`npm run build`,
 * `rolldown.config.ts`), built here into a folder of its own. Each class is one class whichever entry point a
 * program takes it from, and the bundle keeps what the start-up tests check of the modules: a read through the
 * facade loads neither the masking automaton nor Kubernetes, nor any of Node's optional built-ins.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { build, type OutputChunk } from "rolldown"
import config from "../rolldown.config.ts"
import { childEnvironment, makeTempDir } from "./support.ts"

const root = path.resolve(import.meta.dirname, "..")
// Inside the repository, so the bundle's imports of Effect resolve from its node_modules, as they would installed.
let dir = ""
let chunks: ReadonlyArray<OutputChunk> = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(root, ".bundle-"))
  const output = await build({ ...config, output: { ...config.output, dir } })
  chunks = output.output.filter((file): file is OutputChunk => file.type === "chunk")
}, 60_000)

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** The files of the bundle that hold the module `file` of `src/`. */
const chunksHolding = (file: string): ReadonlyArray<string> =>
  chunks.filter((chunk) => chunk.moduleIds.includes(path.join(root, "src", file))).map((chunk) => chunk.fileName)

/** Runs `script` (an ES module) in a fresh Node process with `variables` set; answers what it printed. */
const runModule = (script: string, variables: Readonly<Record<string, string>> = {}): string =>
  execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...childEnvironment(), ...variables },
    encoding: "utf8"
  })

const entry = (name: string) => pathToFileURL(path.join(dir, `${name}.js`)).href

describe("the published bundle", () => {
  it("each class and service is one whichever entry point it is imported through", () => {
    const printed = runModule(`
      const root = await import(${JSON.stringify(entry("index"))})
      const errors = await import(${JSON.stringify(entry("SecretsError"))})
      const managers = await import(${JSON.stringify(entry("SecretsManager"))})
      const secrets = await import(${JSON.stringify(entry("Secret"))})
      const facade = await import(${JSON.stringify(entry("SecretsFacade"))})
      process.stdout.write(JSON.stringify([
        root.SecretNotFound === errors.SecretNotFound,
        root.MissingSecrets === errors.MissingSecrets,
        root.SecretsManager === managers.SecretsManager,
        root.Secret === secrets.Secret,
        root.secrets === facade.secrets
      ]))
    `)
    assert.deepStrictEqual(JSON.parse(printed), [true, true, true, true, true])
  })

  it("a read through the facade loads neither the masking automaton, nor Kubernetes, nor an optional built-in", () => {
    const printed = runModule(
      `
      const loaded = []
      process.getBuiltinModule("node:module").registerHooks({
        resolve: (specifier, context, next) => { const found = next(specifier, context); loaded.push(found.url); return found }
      })
      const before = new Set(process.moduleLoadList)
      const { secrets } = await import(${JSON.stringify(entry("SecretsFacade"))})
      const value = secrets.start_up.token
      const builtins = process.moduleLoadList.filter((name) => !before.has(name))
      process.stdout.write(JSON.stringify({ value, loaded, builtins }))
    `,
      { FLYTE_SECRETS_START_UP_TOKEN: "start-up-token-value" }
    )
    const { builtins, loaded, value } = JSON.parse(printed) as {
      value: string
      loaded: Array<string>
      builtins: Array<string>
    }
    assert.strictEqual(value, "start-up-token-value")
    const files = loaded.filter((url) => url.startsWith(pathToFileURL(dir).href))
    assert.isAbove(files.length, 1)
    const unwanted = [...chunksHolding("internal/masking/registry.ts"), ...chunksHolding("Kubernetes.ts")]
    assert.isAbove(unwanted.length, 0, "the modules checked are in the bundle")
    for (const file of unwanted) assert.notInclude(files, pathToFileURL(path.join(dir, file)).href)
    for (const builtin of ["NativeModule crypto", "NativeModule internal/fs/promises", "NativeModule stream"]) {
      assert.notInclude(builtins, builtin)
    }
  })

  it("the command line finds the package's version from its bundled file", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }
    const printed = execFileSync(process.execPath, [path.join(dir, "bin", "cli.js"), "--version"], {
      env: childEnvironment(),
      encoding: "utf8"
    })
    assert.include(printed, manifest.version)
  })

  it("a program that bundled the library and runs where yaml is not installed is told toYaml needs it", async () => {
    // A user's bundler cannot see the package toYaml loads on its first call: away from node_modules it is missing.
    const app = makeTempDir()
    try {
      const input = path.join(app.dir, "app.mjs")
      fs.writeFileSync(
        input,
        `import * as Kubernetes from ${JSON.stringify(path.join(dir, "Kubernetes.js"))}\n` +
          `console.log(Kubernetes.toYaml({ kind: "Pod" }))\n`
      )
      await build({ input, platform: "node", logLevel: "silent", output: { dir: path.join(app.dir, "out") } })
      assert.isFalse(fs.existsSync(path.join(os.tmpdir(), "node_modules", "yaml")), "yaml is not found from the app")
      let stderr = ""
      try {
        execFileSync(process.execPath, [path.join(app.dir, "out", "app.js")], {
          env: childEnvironment(),
          encoding: "utf8",
          stdio: "pipe"
        })
      } catch (error) {
        stderr = (error as { stderr: string }).stderr
      }
      assert.include(stderr, "Kubernetes.toYaml needs the package yaml")
      assert.include(stderr, "npm install yaml")
    } finally {
      app.remove()
    }
  })
})
