/**
 * The published JavaScript: the library bundled into one file per public module and shared chunks (`npm run build`,
 * `rolldown.config.ts`), built here into a folder of its own. Each class is one class whichever entry point a
 * program takes it from, and the bundle keeps what the start-up tests check of the modules: a read through the
 * facade loads neither the masking automaton nor Kubernetes, nor any of Node's optional built-ins. A program that
 * bundles the library into its own file in turn (a user's bundler) works as the unbundled one does.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { execFileSync, spawnSync } from "node:child_process"
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

/**
 * Bundles `source` (an ES module importing the bundle's files and Effect) as a user's bundler would, everything
 * inlined and tree-shaken as the package's `sideEffects` allows, into a temporary folder away from any node_modules;
 * runs it there.
 */
const runBundledApp = async (
  source: string
): Promise<{ readonly status: number | null; readonly stdout: string; readonly stderr: string }> => {
  const out = makeTempDir()
  try {
    // Beside the bundle, so the program's own imports of Effect resolve from the repository's node_modules.
    const input = path.join(dir, `app-${path.basename(out.dir)}.mjs`)
    fs.writeFileSync(input, source)
    await build({ input, platform: "node", logLevel: "silent", output: { dir: out.dir, entryFileNames: "app.js" } })
    return spawnSync(process.execPath, [path.join(out.dir, "app.js")], { env: childEnvironment(), encoding: "utf8" })
  } finally {
    out.remove()
  }
}

/** The path of the bundle's file for the entry `name`, as a user's bundler reads an import. */
const entryFile = (name: string) => JSON.stringify(path.join(dir, `${name}.js`))

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

  it("under --enable-source-maps, an error the library throws names its lines in src/", () => {
    const printed = execFileSync(
      process.execPath,
      [
        "--enable-source-maps",
        "--input-type=module",
        "-e",
        `const { Secret } = await import(${JSON.stringify(entry("Secret"))})
         try { new Secret(null) } catch (error) { process.stdout.write(error.stack) }`
      ],
      { env: childEnvironment(), encoding: "utf8" }
    )
    assert.include(printed, `${path.join(root, "src", "Secret.ts")}:`)
  })

  it("a program bundled with the library inside, tree-shaken as the package's sideEffects allows, works unchanged", async () => {
    const { status, stderr, stdout } = await runBundledApp(`
      import { makeSecrets, Masking, SecretsManager } from ${entryFile("index")}
      import { secrets } from ${entryFile("SecretsFacade")}
      import { SecretNotFound } from ${entryFile("SecretsError")}
      import * as Effect from "effect/Effect"
      process.env.FLYTE_SECRETS_DB_PASSWORD = "bundled-app-password"
      const value = secrets.db.password
      const test = makeSecrets(SecretsManager.layerTest({ env: {} }))
      let thrown
      try { test.get({ group: "db", key: "user" }) } catch (error) { thrown = error }
      const caught = Effect.runSync(SecretsManager.use((manager) => manager.get({ key: "absent" })).pipe(
        Effect.catchTag("SecretNotFound", (error) => Effect.succeed(error instanceof SecretNotFound)),
        Effect.provide(SecretsManager.layerTest({ env: {} }))
      ))
      console.log(JSON.stringify([value, thrown instanceof SecretNotFound, caught, Masking.mask("log: " + value)]))
    `)
    assert.strictEqual(status, 0, stderr)
    assert.deepStrictEqual(JSON.parse(stdout), ["bundled-app-password", true, true, "log: <redacted>"])
  })

  it("a program that bundled the library and runs where yaml is not installed is told toYaml needs it", async () => {
    // A user's bundler cannot see the package toYaml loads on its first call: away from node_modules it is missing.
    assert.isFalse(fs.existsSync(path.join(os.tmpdir(), "node_modules", "yaml")), "yaml is not found from the app")
    const { stderr } = await runBundledApp(`
      import * as Kubernetes from ${entryFile("Kubernetes")}
      console.log(Kubernetes.toYaml({ kind: "Pod" }))
    `)
    assert.include(stderr, "Kubernetes.toYaml needs the package yaml")
    assert.include(stderr, "npm install yaml")
  })
})
