/**
 * Masking finds exactly what a naive masker finds: every occurrence of every value (a value over `anchorLength`
 * characters also where the text cuts it short, from its first `anchorLength` characters on), overlapping and
 * touching occurrences masked as one stretch. The fast masker reads each character once whatever the number of
 * values that begin alike; these properties hold it to the naive one on texts made of such values.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { buildAutomaton } from "../src/internal/masking/automaton.ts"
import { anchorLength } from "../src/internal/masking/forms.ts"
import { makeSecretRegistry } from "../src/internal/masking/registry.ts"
import { maskText, textMaskingStream } from "../src/internal/masking/stream.ts"

/** How far `text` from `at` agrees with `value`'s beginning. */
const agreement = (text: string, at: number, value: string): number => {
  let length = 0
  while (length < value.length && at + length < text.length && text[at + length] === value[length]) length++
  return length
}

/** Every stretch `indexOf` finds: each occurrence of a short value, each cut-short or whole one of a long value. */
const naiveStretches = (values: ReadonlyArray<string>, text: string): Array<[number, number]> => {
  const stretches: Array<[number, number]> = []
  for (const value of values) {
    const found = value.slice(0, anchorLength)
    for (let at = text.indexOf(found); at !== -1; at = text.indexOf(found, at + 1)) {
      const length = value.length <= anchorLength ? value.length : agreement(text, at, value)
      stretches.push([at, at + length - 1])
    }
  }
  return stretches
}

/** The naive masker: stretches sorted, those that overlap or touch merged, each replaced by the marker. */
const naiveMask = (values: ReadonlyArray<string>, text: string): string => {
  const merged: Array<[number, number]> = []
  for (const [start, end] of naiveStretches(values, text).sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1]
    if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  let masked = ""
  let from = 0
  for (const [start, end] of merged) {
    masked += text.slice(from, start) + "<redacted>"
    from = end + 1
  }
  return masked + text.slice(from)
}

const unit = fc.constantFrom("a", "b", "-")

/** A beginning that repeats itself (`abab...`): it recurs inside the values and overlaps itself in the text. */
const periodic = fc.tuple(
  fc.string({ unit, minLength: 1, maxLength: 4 }),
  fc.integer({ min: 5, max: anchorLength * 2 })
)
  .map(([period, length]) => period.repeat(Math.ceil(length / period.length)).slice(0, length))

/**
 * Values that begin alike: one shared beginning (shorter or longer than a head, or repeating itself) and each its
 * own ending, some short, some long enough to be followed past their head.
 */
const valuesSharingABeginning = fc.tuple(
  fc.oneof(
    fc.string({ unit, minLength: 5, maxLength: anchorLength + 4, size: "max" }),
    fc.string({ unit, minLength: anchorLength - 4, maxLength: anchorLength + 20, size: "max" }),
    periodic
  ),
  fc.uniqueArray(fc.string({ unit, maxLength: anchorLength + 40, size: "max" }), { minLength: 1, maxLength: 8 })
).map(([shared, endings]) => [...new Set(endings.map((ending) => shared + ending))])

/** A text of values, some cut short anywhere, with noise between them. */
const textOf = (values: ReadonlyArray<string>, pieces: ReadonlyArray<readonly [number, number, string]>): string =>
  pieces.map(([which, cut, noise]) => {
    const value = values[which % values.length]!
    return (cut % 3 === 0 ? value : value.slice(0, cut % (value.length + 1))) + noise
  }).join("")

const pieces = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ unit, maxLength: 4 })), { maxLength: 8 })

/** Adjacent markers as one: a stream may mask a run of values that goes on past a write in pieces. */
const mergedMarkers = (text: string) => text.replace(/(<redacted>)+/g, "<redacted>")

describe("masking against a naive masker", () => {
  it("masks what the naive masker masks, for values that share a beginning, whole or cut short (property)", () => {
    fc.assert(
      fc.property(valuesSharingABeginning, pieces, (values, parts) => {
        const text = textOf(values, parts)
        assert.strictEqual(maskText([buildAutomaton(values)], text), naiveMask(values, text))
      }),
      { numRuns: 500 }
    )
  })

  it("masks what the naive masker masks in a stream cut anywhere (property)", () => {
    fc.assert(
      fc.property(valuesSharingABeginning, pieces, fc.array(fc.nat(), { maxLength: 6 }), (values, parts, cuts) => {
        const text = textOf(values, parts)
        const stream = textMaskingStream([buildAutomaton(values)])
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b)
        let output = ""
        let from = 0
        for (const point of [...points, text.length]) {
          output += stream.write(text.slice(from, point))
          from = point
        }
        output += stream.end()
        assert.strictEqual(mergedMarkers(output), mergedMarkers(naiveMask(values, text)))
      }),
      { numRuns: 300 }
    )
  })

  it("masks every one of 4,000 registered values that share a 32-character beginning, and their cut-short forms", () => {
    const registry = makeSecretRegistry()
    const shared = "0123456789abcdefghijklmnopqrstuv"
    const value = (i: number) => `${shared}-${i}-tail`
    for (let i = 0; i < 4_000; i++) registry.register(value(i))
    assert.strictEqual(registry.mask(`a ${value(0)} b ${value(3_999)} c`), "a <redacted> b <redacted> c")
    assert.strictEqual(registry.mask(`cut ${value(1_234).slice(0, 36)}|`), "cut <redacted>|")
    assert.strictEqual(registry.mask(`short ${shared.slice(0, 31)}|`), `short ${shared.slice(0, 31)}|`)
    assert.strictEqual(registry.mask(`${shared}-00`.repeat(3)), "<redacted>0".repeat(3))
  })
})
