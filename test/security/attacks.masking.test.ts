/**
 * Attacks on masking: values and printers chosen to slip a registered value past `Masking.layer`, `Masking.logger`
 * and `Masking.mask`. Each test registers values of its own, so the process-wide registry they share does not
 * matter.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"
import { Masking } from "../../src/index.ts"
import { makeSecretRegistry } from "../../src/internal/masking/registry.ts"
import { assertNoneOf, printedByEveryLogger } from "../fixtures/everyLogger.ts"

describe("S10 a value escaped by two printers in turn is masked", () => {
  it.effect("JSON text holding the value, inside a logged object (JSON's escaping, then util.inspect's)", () =>
    Effect.gen(function*() {
      const password = `pw"with\\both-7a1c`
      Masking.register(password)
      const lines = yield* printedByEveryLogger(Effect.log({ body: JSON.stringify({ password }) }))
      // util.inspect doubles the backslash JSON put before the quote (`pw\\"with`); logfmt escapes JSON a third time.
      assertNoneOf(lines, ["with", "both-7a1c"])
      assert.include(lines[0]!, "<redacted>")
    }))

  it.effect("a value holding ' and \", in a string that holds a backtick too (util.inspect escapes ' as \\')", () =>
    Effect.gen(function*() {
      const password = `it's "quoted" 8b2d`
      Masking.register(password)
      const lines = yield* printedByEveryLogger(Effect.log({ note: `run \`deploy\` with ${password}` }))
      assertNoneOf(lines, ["quoted", "8b2d"])
    }))
})

describe("S10 a multi-line value whose lines are each too short to mask on their own", () => {
  const value = "k9x1\nQ7zv\n3mpa\nW2ry"

  it("is masked whole where an error prints it indented as a nested cause (util.inspect, Cause.pretty)", () => {
    Masking.register(value)
    const nested = new Error("outer", { cause: new Error("middle", { cause: new Error(value) }) })
    for (
      const printed of [
        util.inspect(nested),
        util.inspect({ deep: { deeper: { error: new Error(value) } } }),
        Cause.pretty(Cause.fail(nested))
      ]
    ) {
      assert.notMatch(Masking.mask(printed), /Q7zv[\s\S]{0,20}3mpa/, printed)
    }
  })

  it.effect("is masked whole in every logger's report of a failure with a nested cause", () =>
    Effect.gen(function*() {
      const shortLines = "p3Qe\nz8Lw\nv1Ck"
      Masking.register(shortLines)
      const failure = new Error("outer", { cause: new Error(shortLines) })
      const lines = yield* printedByEveryLogger(Effect.logError("failed", Cause.fail(failure)))
      for (const line of lines) assert.notMatch(line, /z8Lw[\s\S]{0,20}v1Ck/)
    }))
})

describe("S10 bytes that are not text are masked however a logger prints them", () => {
  it.effect("a Buffer and a Uint8Array logged as they are, in a message and inside an object, in every logger", () =>
    Effect.gen(function*() {
      const key = Buffer.from([0xff, 0xfe, 0x00, 0x01, ...Buffer.from("raw-key-text-part-31"), 0x80, 0x81, 0xc3])
      Masking.register(new Uint8Array(key))
      const bytes = new Uint8Array(key)
      const lines = yield* printedByEveryLogger(Effect.log("key", key, bytes, { key, bytes }))
      // util.inspect's spaced hex, JSON's and the formatter's decimal lists, a Buffer decoded as UTF-8 anyway.
      assertNoneOf(lines, ["fe 00 01", "254,0,1", "254, 0, 1", "254,   0", "\"1\":254", "raw-key-text-part"])
    }))

  // As the masked console logger prints them: `util.inspect` on one line (its default layout spreads a byte array's
  // numbers over padded columns, which no spelling matches).
  it("a large one (1 MiB) is masked where util.inspect shows its beginning only, as a Buffer and a Uint8Array", () => {
    const large = Buffer.alloc(1 << 20, 0xa7)
    large.write("\xff\xfe-large-binary-head", "latin1")
    Masking.register(large)
    const printed = Masking.mask(
      util.inspect({ buffer: large, array: new Uint8Array(large) }, { breakLength: Infinity, compact: true })
    )
    assert.include(printed, "more bytes")
    assert.include(printed, "more items")
    assert.notInclude(printed, "a7 a7 a7")
    assert.notInclude(printed, "167, 167")
  })
})

describe("S10 a value too large to mask whole", () => {
  it("whose lines fit is masked line by line whole, not by each line's first 64 characters (about 500 KB)", () => {
    const line = (i: number) => `wide-line-${i}-`.padEnd(500, "Zm9vYmFyYmF6") + `-${i}`
    const large = Array.from({ length: 1_000 }, (_, i) => line(i)).join("\n")
    const warnings: Array<string> = []
    const registry = makeSecretRegistry(undefined, (warning) => warnings.push(warning))
    registry.register(large)
    assert.deepStrictEqual(warnings, [])
    assert.strictEqual(registry.mask(`line: ${line(432)}!`), "line: <redacted>!")
    assert.isTrue(registry.mask(large).split("\n").every((masked) => masked === "<redacted>"))
  })
})

describe("S10 Masking.register refuses with a TypeError", () => {
  it("a Redacted whose value was wiped, saying so", () => {
    const redacted = Redacted.make("wiped-before-registering")
    Redacted.wipeUnsafe(redacted)
    assert.throws(() => Masking.register(redacted), TypeError, /a Redacted holding nothing \(it was wiped\)/)
  })
})

describe("S10 what held: hostile values and printers", () => {
  const hostile = [
    "re.*+?^${}()|[]\\-meta",
    "dollar-$&-$1-$$-amp",
    "astral-\u{1F511}\u{1F512}-pair",
    "combining-e\u0301-a\u0308-mark",
    "nul-\u0000-inside-it",
    "tab\tand\u2028separator"
  ]

  it.effect("regex metacharacters, $&, surrogate pairs, combining marks, NUL and separators, in every logger", () =>
    Effect.gen(function*() {
      for (const value of hostile) Masking.register(value)
      const lines = yield* printedByEveryLogger(
        Effect.logError("message", ...hostile, { nested: { list: hostile } }, new Error(hostile.join(" "))).pipe(
          Effect.annotateLogs(Object.fromEntries(hostile.map((value, i) => [value, i]))),
          Effect.annotateLogs("values", hostile),
          Effect.withLogSpan(hostile[0]!),
          Effect.withLogSpan(hostile[5]!)
        )
      )
      assertNoneOf(lines, ["-meta", "$1-$$", "\u{1F511}", "-mark", "-inside-it", "separator"])
    }))

  it("a value that is a prefix, a suffix or an overlap of another is masked whole, once", () => {
    const long = "prefix-suffix-overlap-91ab"
    Masking.register(long)
    Masking.register("prefix-suffix")
    Masking.register("overlap-91ab")
    Masking.register("91abXtail-7")
    assert.strictEqual(Masking.mask(`[${long}Xtail-7]`), "[<redacted>]")
    assert.strictEqual(Masking.mask("prefix-suffix-"), "<redacted>-")
  })

  it("a long value cut by util.inspect's maxStringLength ('... N more characters') is masked up to the cut", () => {
    const value = `cut-${"c7".repeat(6000)}`
    Masking.register(value)
    const printed = Masking.mask(util.inspect({ value }))
    assert.include(printed, "more characters")
    assert.notInclude(printed, "c7c7")
  })

  it.effect("an error whose name, message and AggregateError members hold values, in every logger", () =>
    Effect.gen(function*() {
      const inName = "named-secret-5e1f"
      const inMember = "member-secret\nsecond-line-of-it"
      Masking.register(inName)
      Masking.register(inMember)
      const named = new Error("plain")
      named.name = inName
      const aggregate = new AggregateError([new Error(inMember), named], `aggregate ${inName}`)
      const lines = yield* printedByEveryLogger(
        Effect.logError("failed", Cause.combine(Cause.die(aggregate), Cause.fail(named)))
      )
      assertNoneOf(lines, [inName, "member-secret", "second-line-of-it"])
    }))

  it("thousands of values sharing a 32-character prefix are each masked", () => {
    const shared = "shared-prefix-0123456789abcdefgh"
    const values = Array.from({ length: 2000 }, (_, i) => `${shared}-${i.toString(36)}-end`)
    for (const value of values) Masking.register(value)
    const text = values.filter((_, i) => i % 97 === 0).join(" | ")
    assert.notInclude(Masking.mask(text), shared.slice(0, 20))
  })
})
