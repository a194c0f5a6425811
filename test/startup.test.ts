/**
 * What a program loads when it imports the library and reads one secret, in a fresh Node process: the start-up
 * cost is mostly modules loaded, so the modules a first lookup does not need stay out of its static graph.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { fileURLToPath, pathToFileURL } from "node:url"
import { childEnvironment } from "./support.ts"

const src = fileURLToPath(new URL("../src/", import.meta.url))

interface Loaded {
  /** Our modules loaded, relative to `src/`. */
  readonly ours: ReadonlyArray<string>
  /** Node's own modules loaded after the process started. */
  readonly builtins: ReadonlyArray<string>
  readonly value: string
}

/**
 * Imports `entry` (a file under `src/`) in a fresh process and reads `secrets.start_up.token` through its facade,
 * recording every module resolved and every built-in Node loaded meanwhile.
 */
const loadAndRead = (entry: string): Loaded => {
  const script = `
    const resolved = []
    process.getBuiltinModule("node:module").registerHooks({
      resolve: (specifier, context, next) => { const found = next(specifier, context); resolved.push(found.url); return found }
    })
    const before = new Set(process.moduleLoadList)
    const { secrets } = await import(${JSON.stringify(pathToFileURL(src + entry).href)})
    const value = secrets.start_up.token
    const builtins = process.moduleLoadList.filter((name) => !before.has(name))
    process.stdout.write(JSON.stringify({ resolved, builtins, value }))
  `
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...childEnvironment(), FLYTE_SECRETS_START_UP_TOKEN: "start-up-token-value" },
    encoding: "utf8"
  })
  const { builtins, resolved, value } = JSON.parse(output) as {
    resolved: Array<string>
    builtins: Array<string>
    value: string
  }
  const ours = resolved.filter((url) => url.startsWith("file:")).map((url) => fileURLToPath(url)).filter((file) =>
    file.startsWith(src)
  ).map((file) => file.slice(src.length))
  return { ours: [...new Set(ours)], builtins, value }
}

// Node's built-ins that importing `node:fs`, `node:util`, `node:crypto` or `node:os` as an ES module would load.
const optionalBuiltins = [
  "NativeModule crypto",
  "NativeModule internal/fs/promises",
  "NativeModule stream",
  "NativeModule os"
]

describe("start-up", () => {
  it("a read through the facade alone loads the masking registry's held values, never the automaton that masks", () => {
    const loaded = loadAndRead("SecretsFacade.ts")
    assert.strictEqual(loaded.value, "start-up-token-value")
    const masking = loaded.ours.filter((file) => file.startsWith("internal/masking/")).sort()
    assert.deepStrictEqual(masking, ["internal/masking/forms.ts", "internal/masking/held.ts"])
  })

  for (const entry of ["SecretsFacade.ts", "index.ts"]) {
    it(`importing ${entry} and reading a secret loads none of Node's optional built-ins (crypto, fs promises, streams, os)`, () => {
      const loaded = loadAndRead(entry)
      assert.strictEqual(loaded.value, "start-up-token-value")
      for (const builtin of optionalBuiltins) assert.notInclude(loaded.builtins, builtin)
    })
  }
})
