/**
 * Masking a stream as it comes (what `effect-secrets run` does to a command's output): a value split across
 * chunks at any offset is masked, output is held back only while it may be the beginning of a value, and bytes that
 * hold no value pass through byte for byte.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Buffer } from "node:buffer"
import { buildAutomaton } from "../src/internal/masking/automaton.ts"
import { maskForms } from "../src/internal/masking/forms.ts"
import { byteMaskingStream, maskText } from "../src/internal/masking/stream.ts"

const encoder = new TextEncoder()

/** Feeds `text`'s UTF-8 bytes cut at `cuts` and returns everything the stream emitted, and what each write gave. */
const streamed = (values: ReadonlyArray<string>, text: string | Uint8Array, cuts: ReadonlyArray<number>) => {
  const bytes = typeof text === "string" ? encoder.encode(text) : text
  const stream = byteMaskingStream(values.flatMap(maskForms))
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  const writes: Array<Buffer> = []
  let from = 0
  for (const point of [...points, bytes.length]) {
    writes.push(Buffer.from(stream.write(bytes.subarray(from, point))))
    from = point
  }
  const ended = Buffer.from(stream.end())
  return { output: Buffer.concat([...writes, ended]), writes, ended }
}

const printable = fc.string({
  unit: fc.oneof(
    fc.constantFrom("a", "b", "-", "\"", "\\", "\n", "\r\n", " ", "é", "😀", "/"),
    fc.string({ minLength: 1, maxLength: 1 })
  ),
  minLength: 5,
  maxLength: 80
}).filter((value) => !/[<>]/.test(value) && [...value.trim()].length >= 5)

describe("S11 a masked stream cut short inside a value", () => {
  const value = "cut-short-secret-value-0123456789"
  const cutAt = (length: number, cutShort: boolean) => {
    const stream = byteMaskingStream(maskForms(value))
    const written = Buffer.from(stream.write(encoder.encode("ready " + value.slice(0, length))))
    return Buffer.concat([written, Buffer.from(stream.end(cutShort))]).toString()
  }

  it("masks the value's beginning left at the end, from 5 characters on, when the stream was cut short", () => {
    for (const length of [5, 12, 20, value.length - 1]) assert.strictEqual(cutAt(length, true), "ready <redacted>")
    // Fewer than 5 characters of a value mask nothing: ordinary words begin like values.
    assert.strictEqual(cutAt(4, true), "ready " + value.slice(0, 4))
  })

  it("a stream that ended whole is masked as the whole text is", () => {
    assert.strictEqual(cutAt(20, false), "ready " + value.slice(0, 20))
  })
})

describe("S10 a masked stream", () => {
  it("masks a value split across two writes at every offset", () => {
    const value = "split-secret-value-0123456789-abcdefghijklmnopqrstuvwxyz" // longer than an anchor
    const text = `before ${value} after`
    for (let cut = 0; cut <= encoder.encode(text).length; cut++) {
      const { output } = streamed([value], text, [cut])
      assert.strictEqual(output.toString(), "before <redacted> after", `cut at ${cut}`)
    }
  })

  it("masks every registered value (and its lines) however the stream is cut (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(printable, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (values, pieces, cuts) => {
          const text = pieces.map(([which, noise]) => noise + values[which % values.length]!).join("")
          const output = streamed(values, text, cuts).output.toString()
          for (const value of values) {
            for (const line of value.split(/\r\n|\r|\n/).map((part) => part.trim())) {
              if ([...line].length >= 5) assert.notInclude(output, line)
            }
          }
        }
      ),
      { numRuns: 300 }
    )
  })

  it("masks like a whole text does, for long periodic values cut anywhere (property)", () => {
    const unit = fc.constantFrom("a", "b", "c")
    const periodic = fc.tuple(fc.string({ unit, minLength: 1, maxLength: 4 }), fc.nat(60), fc.string({ unit }))
      .map(([period, extra, end]) => period.repeat(Math.ceil((40 + extra) / period.length)) + end)
    /** Adjacent markers as one: a stream may mask a run of values that goes on past a write in pieces. */
    const merged = (text: string) => text.replace(/(<redacted>)+/g, "<redacted>")
    fc.assert(
      fc.property(
        fc.uniqueArray(periodic, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ unit, maxLength: 3 })), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (values, pieces, cuts) => {
          const text = pieces.map(([which, cut, noise]) => {
            const value = values[which % values.length]!
            return value.slice(0, cut % (value.length + 1)) + noise
          }).join("")
          const whole = maskText([buildAutomaton(values)], text)
          assert.strictEqual(merged(streamed(values, text, cuts).output.toString()), merged(whole))
        }
      ),
      { numRuns: 300 }
    )
  })

  it("holds back only what may be the beginning of a value, and emits the rest at once", () => {
    const stream = byteMaskingStream(maskForms("held-back-secret"))
    const write = (text: string) => Buffer.from(stream.write(encoder.encode(text))).toString()
    assert.strictEqual(write("nothing to hold\n"), "nothing to hold\n")
    assert.strictEqual(write("token: held-ba"), "token: ")
    assert.strictEqual(write("ck-secret and more"), "<redacted> and more")
    assert.strictEqual(write("ends with hel"), "ends with ")
    assert.strictEqual(Buffer.from(stream.end()).toString(), "hel")
  })

  it("passes bytes that are not text through byte for byte when they hold no value", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        fc.pre(!Buffer.from(bytes).includes("binary-secret-value"))
        const { output } = streamed(["binary-secret-value"], bytes, cuts)
        assert.isTrue(output.equals(Buffer.from(bytes)))
      }),
      { numRuns: 200 }
    )
  })

  it("masks a value inside binary output, and a value's UTF-8 bytes split inside a character", () => {
    const value = "clé-secrète-😀-valeur"
    const bytes = Buffer.concat([Buffer.from([0, 255, 254]), Buffer.from(value), Buffer.from([0x80, 0])])
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { output } = streamed([value], bytes, [cut])
      assert.isTrue(
        output.equals(Buffer.concat([Buffer.from([0, 255, 254]), Buffer.from("<redacted>"), Buffer.from([0x80, 0])]))
      )
    }
  })

  it("masks values that share long prefixes, with CRLF line endings, each whole", () => {
    const shared = "shared-prefix-".repeat(4)
    const values = Array.from({ length: 50 }, (_, i) => `${shared}${i}-tail`)
    const text = values.map((value, i) => `line ${i}: ${value}`).join("\r\n")
    const { output } = streamed(values, text, [7, 100, 333, 1000])
    assert.strictEqual(output.toString(), values.map((_, i) => `line ${i}: <redacted>`).join("\r\n"))
  })

  it("masks a JSON-escaped multi-line value inside a URL-encoded string, and each of its lines", () => {
    const value = "first line of the secret\nsecond line of the secret"
    const text = `q=${encodeURIComponent(JSON.stringify({ value }))} raw=${value.replace("\n", "\r\n   ")}`
    const { output } = streamed([value], text, [20, 40])
    assert.notInclude(output.toString(), "line of the secret")
    const quoted = "pass \"word\" with quotes"
    const query = new URLSearchParams({ q: JSON.stringify({ quoted }) }).toString()
    assert.strictEqual(streamed([quoted], query, [9]).output.toString(), "q=%7B%22quoted%22%3A%22<redacted>%22%7D")
  })
})
