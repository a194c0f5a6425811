/**
 * Masking figures, on the masking registry's own module (from `src/`): masking a log line with 1,000 registered values against masking it with
 * one, masking long lines that hold a repetitive value (time per character at 40,000 and 160,000 characters
 * against 10,000: flat when masking is linear in the line), masking a line where a beginning shared by 1,000 and
 * 4,000 values recurs (time per character against one value: flat when values that begin alike cost nothing
 * more), and registering a value the registry already holds
 * (what every lookup does): a string against one `Map.get`, bytes against reading them from a file (what an
 * `encodeMode: "rb"` lookup does anyway).
 *
 * Run alone: `node --expose-gc bench/masking.ts [--smoke]`; `bench/run.ts` adds
 * `...figures({ rounds, n })` to its list.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Figure, row, sideBySide, table, timeSync } from "./harness.ts"

/** What `bench/run.ts` hands over: its counts. */
export interface MaskingBenchContext {
  readonly rounds: number
  readonly n: (count: number) => number
}

// Two registries side by side (the process-wide one cannot hold both states at once): the internal module, from
// `src/` (the built library is bundled into a few files that name none of its modules).
const { makeSecretRegistry }: typeof import("../src/internal/masking/registry.ts") = await import(
  new URL("../src/internal/masking/registry.ts", import.meta.url).href
)

/** A fixed pseudo-random sequence, so that every run masks the same values. */
const random = (() => {
  let state = 0x2545f491
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x100000000
  }
})()
const pick = (alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("")
const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** Secrets as they come: API tokens, UUIDs, hex keys, base64 keys, passwords. */
const secretValue = (i: number): string => {
  switch (i % 5) {
    case 0:
      return "ghp_" + pick(alphanumeric, 36)
    case 1:
      return [8, 4, 4, 4, 12].map((length) => pick("0123456789abcdef", length)).join("-")
    case 2:
      return pick("0123456789abcdef", 40)
    case 3:
      return pick(alphanumeric + "+/", 43) + "="
    default:
      return pick(alphanumeric + "!@#$%^&*-_", 16)
  }
}

const values = Array.from({ length: 1000 }, (_, i) => secretValue(i))
const one = makeSecretRegistry()
one.register(values[0]!)
const thousand = makeSecretRegistry()
for (const value of values) thousand.register(value)

// A 200-byte logfmt line without a secret, and one with a registered value in it.
const plainLine =
  "timestamp=2026-11-28T09:25:13.123Z level=INFO fiber=#42 message=\"GET /api/v1/orders/12345 200 OK\" " +
  "duration_ms=12 user=alice@example.com trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span=handler"
const secretLine = plainLine.slice(0, 150) + ` token=${values[0]}`
if (one.mask(plainLine) !== plainLine || thousand.mask(secretLine) === secretLine) {
  throw new Error("masking fixtures are wrong")
}

// A repetitive value (its beginning recurs at every other character) and lines longer than it made of its repeated
// part, so that the value's beginning is found, followed and given up at every other character.
const repetitive = makeSecretRegistry()
repetitive.register("ab".repeat(1_000) + "!")
const repetitiveLine = (length: number) => "ab".repeat(length / 2)
const repetitiveLines = new Map([10_000, 40_000, 160_000].map((length) => [length, repetitiveLine(length)]))
if (repetitive.mask(repetitiveLines.get(10_000)!) !== "<redacted>") throw new Error("masking fixtures are wrong")

// Values that share their first 32 characters (as JWTs share their header), and a 200,000-character line where
// that beginning recurs at every 35th character: each recurrence must cost the same however many values share it.
const sharedBeginning = "0123456789abcdefghijklmnopqrstuv"
const sharingValues = (count: number) => {
  const registry = makeSecretRegistry()
  for (let i = 0; i < count; i++) registry.register(`${sharedBeginning}-${i}-tail`)
  return registry
}
const sharing = new Map([1, 1_000, 4_000].map((count) => [count, sharingValues(count)]))
const sharedLine = `${sharedBeginning}-00`.repeat(5_700)
if (sharing.get(4_000)!.mask(sharedLine) !== "<redacted>0".repeat(5_700)) throw new Error("masking fixtures are wrong")

// Held values as a lookup returns them: equal text, a different string (or array) each time.
const copies = Array.from({ length: 1024 }, () => Buffer.from(values[1]!).toString("latin1"))
const byteCopies = Array.from({ length: 1024 }, () => new TextEncoder().encode(values[2]!))
const floor = new Map([[values[1]!, 1]])

/** Measures with the bytes in a temporary file, removed afterwards. */
const withBytesFile = async <A>(measure: (file: string) => Promise<A>): Promise<A> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "effect-secrets-masking-"))
  const file = path.join(dir, "key")
  fs.writeFileSync(file, values[2]!)
  try {
    return await measure(file)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export const figures = (context: MaskingBenchContext): ReadonlyArray<Figure> => {
  const { n, rounds } = context
  /** Masking `line` with 1,000 values registered, against 1. */
  const maskingLine = (name: string, line: string): Figure => ({
    name,
    unit: "ns/op",
    baseline: "1 value registered",
    target: 3,
    measure: () =>
      sideBySide(
        rounds,
        () => timeSync(n(100_000), () => thousand.mask(line)),
        () => timeSync(n(100_000), () => one.mask(line))
      )
  })
  /** Masking a line of `length` characters holding a repetitive value, per character, against 10,000. */
  const perCharacter = (length: number): Figure => ({
    name: `mask a ${length.toLocaleString("en")}-character line holding a repetitive value, per character`,
    unit: "ns/op", // an operation here is one character
    baseline: "the same at 10,000 characters",
    target: 1.5,
    measure: () =>
      sideBySide(
        rounds,
        () => timeSync(n(40), () => repetitive.mask(repetitiveLines.get(length)!)) / length,
        () => timeSync(n(40), () => repetitive.mask(repetitiveLines.get(10_000)!)) / 10_000
      )
  })
  /** Masking the line where the shared beginning recurs, per character, with `count` values sharing it against 1. */
  const sharingBeginning = (count: number): Figure => ({
    name: `mask a 200,000-character line, ${count.toLocaleString("en")} values sharing its recurring 32-character ` +
      "beginning, per character",
    unit: "ns/op", // an operation here is one character
    baseline: "the same with 1 value",
    target: 1.5,
    measure: () =>
      sideBySide(
        rounds,
        () => timeSync(n(10), () => sharing.get(count)!.mask(sharedLine)) / sharedLine.length,
        () => timeSync(n(10), () => sharing.get(1)!.mask(sharedLine)) / sharedLine.length
      )
  })
  return [
    maskingLine("mask a 200-byte log line, 1,000 values registered", plainLine),
    perCharacter(40_000),
    perCharacter(160_000),
    sharingBeginning(1_000),
    sharingBeginning(4_000),
    maskingLine("mask a 200-byte log line holding a value, 1,000 values registered", secretLine),
    {
      name: "register a held string again (1,000 held)",
      unit: "ns/op",
      baseline: "Map.get",
      target: 3,
      measure: () =>
        sideBySide(
          rounds,
          () => timeSync(n(1_000_000), (i) => thousand.register(copies[i & 1023]!)),
          () => timeSync(n(1_000_000), (i) => floor.get(copies[i & 1023]!))
        )
    },
    {
      name: "register held bytes again (43 bytes, 1,000 held)",
      unit: "ns/op",
      baseline: "readFileSync of those bytes",
      target: 0.25,
      measure: () =>
        withBytesFile((file) =>
          sideBySide(
            rounds,
            () => timeSync(n(1_000_000), (i) => thousand.register(byteCopies[i & 1023]!)),
            () => timeSync(n(20_000), () => fs.readFileSync(file))
          )
        )
    }
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const smoke = process.argv.includes("--smoke")
  const context: MaskingBenchContext = { rounds: smoke ? 1 : 21, n: (count) => (smoke ? 10 : count) }
  const rows = []
  for (const figure of figures(context)) {
    rows.push(row(figure.name, figure.unit, await figure.measure(), figure.baseline, figure.target))
  }
  console.log(table(rows))
}
