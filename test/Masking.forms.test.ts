/**
 * Every form a registered value takes in printed text is masked: each line of a multi-line value (errors and
 * `util.inspect` indent continuation lines), `URL` and `URLSearchParams` encodings, the escaping of
 * `Logger.formatSimple`, span labels and annotation keys as Effect rewrites them, and values too large to register
 * whole. Each test uses values of its own, so the process-wide registry they share does not matter.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"
import { Masking } from "../src/index.ts"
import { makeSecretRegistry } from "../src/internal/masking/registry.ts"
import { assertNoneOf, printedByEveryLogger } from "./fixtures/everyLogger.ts"

/** A PEM key whose lines are unique to this test file. */
const pemKey = (label: string) =>
  [
    "-----BEGIN PRIVATE KEY-----",
    `MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8${label}`,
    `MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuY${label}`,
    `f4bPlLS0rX5uAZ0i0yQXkqVsqvz6fGZ1Lk3BtQeFhS9dAqNrZv9Y3iH8mWxUo${label}`,
    "-----END PRIVATE KEY-----"
  ].join("\n")

/** The lines of `pem` that hold key material (the armour lines are public). */
const bodyLines = (pem: string) => pem.split("\n").slice(1, -1)

describe("S10 every line of a multi-line value is masked wherever it is printed", () => {
  it.effect("in an Error's cause, an Error inside a logged object, an Error in an annotation, a failure", () =>
    Effect.gen(function*() {
      const pem = pemKey("nested")
      Masking.register(pem)
      const wrapped = new Error("loading the key failed", { cause: new Error(pem) })
      const lines = yield* printedByEveryLogger(Effect.gen(function*() {
        yield* Effect.logError("with cause", Cause.die(wrapped))
        yield* Effect.log("object", { error: new Error(pem) })
        yield* Effect.log("annotated").pipe(Effect.annotateLogs("error", new Error(pem)))
        yield* Effect.logError("failure", Cause.fail(pem))
      }))
      assert.lengthOf(lines, 16)
      assertNoneOf(lines, bodyLines(pem))
    }))

  it("with CRLF line endings, and in util.inspect's indented output", () => {
    const pem = pemKey("crlf").replaceAll("\n", "\r\n")
    Masking.register(pem)
    const printed = Masking.mask(util.inspect({ deep: { error: new Error(pem) } }, { depth: 5 }))
    assertNoneOf([printed], bodyLines(pemKey("crlf")))
  })
})

describe("S10 connection strings built with URL and URLSearchParams are masked", () => {
  it("a password in a URL's userinfo (percent-encoded) and in a query string (form-encoded)", () => {
    const password = "r00t:pa$$/w0rd with space+plus&amp"
    Masking.register(password)
    const url = new URL("postgres://db.internal:5432/app")
    url.username = "admin"
    url.password = password
    const query = new URLSearchParams({ user: "admin", password }).toString()
    const user = new URL("https://example.com")
    user.username = password
    for (const text of [url.href, query, user.href, `${url}`]) {
      const masked = Masking.mask(text)
      assert.include(masked, "<redacted>", text)
      assert.notInclude(masked, "pa$$")
      assert.notInclude(masked, "w0rd")
    }
  })
})

describe("S10 span labels and annotation keys are masked as Effect's loggers rewrite them", () => {
  it.effect("a value with spaces, = and \" in a span label and an annotation key", () =>
    Effect.gen(function*() {
      const value = "c2VjcmV0IHdpdGg= padding \"and\" spaces"
      Masking.register(value)
      const lines = yield* printedByEveryLogger(
        Effect.log("in span").pipe(Effect.withLogSpan(`span ${value}`), Effect.annotateLogs(value, "x"))
      )
      assert.lengthOf(lines, 4)
      assertNoneOf(lines, [value, value.replace(/[\s="]/g, "_"), "c2VjcmV0IHdpdGg"])
    }))
})

describe("S10 Logger.formatSimple's escaping is masked", () => {
  it.effect("a value holding a double quote with a backslash or a newline", () =>
    Effect.gen(function*() {
      const values = ["quote\"and\\backslash-1", "quote\"and\nnewline-2", "back\\\\slashes \"q\" x"]
      for (const value of values) Masking.register(value)
      const lines = yield* printedByEveryLogger(Effect.forEach(values, (value) => Effect.log(value)))
      assert.lengthOf(lines, 12)
      for (const line of lines) assert.include(line, "<redacted>")
      assertNoneOf(lines, ["quote", "backslash-1", "newline-2", "slashes"])
    }))
})

describe("S10 a value too large to register whole is still masked", () => {
  const line = (i: number, length: number) => `large-line-${i}-`.padEnd(length, "Zm9vYmFyYmF6") + `-${i}`

  it("its first 64 characters and each of its lines, in every form; a value of about 900 KB", () => {
    const large = Array.from({ length: 1_000 }, (_, i) => line(i, 900)).join("\n")
    assert.isAbove(large.length, 900_000)
    const warnings: Array<string> = []
    const registry = makeSecretRegistry(undefined, (warning) => warnings.push(warning))
    registry.register(large)
    assert.deepStrictEqual(warnings, [])
    assert.strictEqual(registry.mask(`begins: ${large.slice(0, 64)}`), "begins: <redacted>")
    assert.strictEqual(registry.mask(`line: ${line(432, 900).slice(0, 64)}!`), "line: <redacted>!")
    assert.strictEqual(registry.mask(JSON.stringify({ at: line(999, 900).slice(0, 64) })), "{\"at\":\"<redacted>\"}")
    const oneLine = "x9".repeat(450_000)
    registry.register(oneLine)
    assert.strictEqual(registry.mask(`[${oneLine.slice(0, 64)}]`), "[<redacted>]")
  })

  it("with more lines than fit, its beginning and first lines are masked and a warning says so", () => {
    const large = Array.from({ length: 12_000 }, (_, i) => line(i, 70)).join("\n")
    const warnings: Array<string> = []
    const registry = makeSecretRegistry(undefined, (warning) => warnings.push(warning))
    registry.register(large)
    assert.strictEqual(registry.mask(`begins: ${large.slice(0, 64)}`), "begins: <redacted>")
    assert.strictEqual(registry.mask(`line: ${line(1, 70).slice(0, 64)}`), "line: <redacted>")
    assert.lengthOf(warnings, 1)
    assert.match(warnings[0]!, /too large to mask whole or line by line; only its beginning and first lines/)
    assert.notInclude(warnings[0]!, "large-line")
  })
})

describe("S10 Masking.register takes a string, bytes or a Redacted of one, and refuses anything else", () => {
  it("null, undefined, numbers, objects and a Redacted number are refused with a TypeError that says what to pass", () => {
    for (const value of [null, undefined, 123, {}, [], true, Redacted.make(42)]) {
      assert.throws(
        () => Masking.register(value as never),
        TypeError,
        /Masking\.register takes a string, a Uint8Array or a Redacted of one/
      )
    }
  })
})
