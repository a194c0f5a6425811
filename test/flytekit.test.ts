/**
 * Differential test against Python itself: flytekit's reading rules (its places in its order, its values exactly as
 * it reads them) run in a real Python process over the same generated environments and secret files, side by side
 * with this library. Python's own `str.upper`/`lower`/`strip` and text-mode `open` decide what flytekit reads;
 * every case must agree on the value, or on a miss. Only flytekit's places are populated, so the library's extra
 * places (shell-safe spellings, backend layouts) cannot answer instead.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Environment, SecretsConfig, SecretsManager } from "../src/index.ts"
import { makeTempDir } from "./support.ts"

// flytekit's SecretsManager.get in text mode: prefixed variable, then (local run) the unprefixed variable, then the
// file; a declared env_var is ignored. Values are stripped; files are read in text mode as UTF-8 (universal
// newlines, BOM kept). The library tries the file before the unprefixed variable (its documented order), so a case
// populates the file and the unprefixed variable together only where the file cannot be read: there the library
// records its refusal and goes on, and both find the unprefixed variable.
const flytekitReader = String.raw`
import json, os, sys
cases = json.load(open(sys.argv[1], encoding="utf-8"))
results = []
for case in cases:
    env, prefix, base, file_prefix, local = case["env"], case["prefix"], case["dir"], case["filePrefix"], case["local"]
    parts = [p for p in (case.get("group"), case.get("groupVersion"), case.get("key")) if p]
    name = "_".join(p.upper() for p in parts)
    lowered = [p.lower() for p in parts]
    lowered[-1] = file_prefix + lowered[-1]
    fpath = os.path.join(base, *lowered)
    result = None
    if prefix + name in env:
        result = {"value": env[prefix + name].strip()}
    elif local and name in env:
        result = {"value": env[name].strip()}
    elif os.path.exists(fpath):
        try:
            with open(fpath, "r", encoding="utf-8") as f:
                result = {"value": f.read().strip()}
        except (UnicodeDecodeError, IsADirectoryError):
            result = {"error": "unreadable"}
    results.append(result or {"error": "missing"})
json.dump(results, sys.stdout)
`

// Names: letters a shell or Kubernetes would hold, and Unicode letters whose case mapping is not ASCII's.
const namePart = fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9_]{0,6}$/).chain((ascii) =>
  fc.constantFrom(ascii, ascii + "ß", "é" + ascii, ascii + "ǅ", "Straße", "İstanbul".slice(0, 3), ascii + "ﬁ")
)
// Values: text wrapped in every kind of whitespace Python and JavaScript disagree on, CRLF and lone CR line ends,
// a byte order mark.
const padding = fc.constantFrom(
  "",
  " ",
  "\n",
  "\r\n",
  "\t",
  "\x1c",
  "\x1f",
  "\x85",
  "\xa0",
  "\u2028",
  "\u3000",
  "\ufeff"
)
const value = fc.tuple(
  padding,
  fc.string({ maxLength: 12 }),
  fc.constantFrom("", "\r\n", "\r", "\n"),
  fc.string({
    maxLength: 6
  }),
  padding
).map(([before, a, newline, b, after]) => before + a + newline + b + after)
// "refused-file": the file is a directory or not UTF-8, and the unprefixed variable is set. "declared": a declared
// FILE env_var points at a directory, and the prefixed variable is set (flytekit ignores env_var).
const place = fc.constantFrom("prefixed", "file", "local", "none", "refused-file", "declared")

interface Case {
  readonly group: string
  readonly key: string | undefined
  readonly groupVersion: string | undefined
  readonly value: string
  readonly place: "prefixed" | "file" | "local" | "none" | "refused-file" | "declared"
  readonly local: boolean
}

const arbitraryCase: fc.Arbitrary<Case> = fc.record({
  group: namePart,
  key: fc.option(namePart, { nil: undefined }),
  groupVersion: fc.option(namePart, { nil: undefined }),
  value,
  place,
  local: fc.boolean()
})

describe("reads exactly what flytekit reads (Python side by side)", () => {
  it.effect(
    "agrees with flytekit on 400 generated environments and secret files, refused places included",
    () =>
      Effect.gen(function*() {
        const temp = makeTempDir()
        try {
          const cases = fc.sample(arbitraryCase, { numRuns: 400, seed: 20261128 })
          const prepared = cases.map((c, index) => {
            const dir = path.join(temp.dir, `case${index}`)
            fs.mkdirSync(dir)
            const parts = [c.group, c.groupVersion, c.key].filter((part): part is string =>
              part !== undefined && part !== ""
            )
            const name = parts.join("_").toUpperCase()
            const env: Record<string, string> = {}
            const file = path.join(dir, ...parts.map((part) => part.toLowerCase()))
            if (c.place === "prefixed" || c.place === "declared") env["_FSEC_" + name] = c.value
            if (c.place === "local" || c.place === "refused-file") env[name] = c.value
            if (c.place === "file" || c.place === "refused-file") {
              fs.mkdirSync(path.dirname(file), { recursive: true })
              if (c.place === "file") fs.writeFileSync(file, c.value)
              else if (index % 2 === 0) fs.mkdirSync(file)
              else fs.writeFileSync(file, new Uint8Array([0xff, 0xfe, 0x80]))
            }
            if (c.place === "declared") {
              fs.mkdirSync(path.join(dir, "declared"))
              env["DECLARED_PATH"] = path.join(dir, "declared")
            }
            return { ...c, env, dir, prefix: "_FSEC_", filePrefix: "" }
          })
          const input = path.join(temp.dir, "cases.json")
          fs.writeFileSync(input, JSON.stringify(prepared))
          const script = path.join(temp.dir, "flytekit_reader.py")
          fs.writeFileSync(script, flytekitReader)
          const expected: Array<{ value: string } | { error: string }> = JSON.parse(
            execFileSync("python3", [script, input], { encoding: "utf-8" })
          )

          for (const [index, c] of prepared.entries()) {
            const layer = SecretsManager.layerNodeFiles.pipe(
              Layer.provide(SecretsConfig.layerWith({ envPrefix: c.prefix, defaultDir: c.dir, local: c.local })),
              Layer.provide(Environment.layerTest(c.env))
            )
            const request = {
              group: c.group,
              key: c.key,
              groupVersion: c.groupVersion,
              ...(c.place === "declared" ? { mountRequirement: "FILE" as const, envVar: "DECLARED_PATH" } : {})
            }
            const ours = yield* SecretsManager.use((manager) => manager.get(request)).pipe(
              Effect.map((v): { value: string } | { error: string } => ({ value: v })),
              Effect.catchTag(
                "SecretNotFound",
                (miss) => Effect.succeed({ error: miss.reason === "NotFound" ? "missing" : "unreadable" })
              ),
              Effect.provide(layer)
            )
            assert.deepStrictEqual(ours, expected[index], `case ${index}: ${JSON.stringify(c)}`)
          }
        } finally {
          temp.remove()
        }
      }),
    60_000
  )
})
