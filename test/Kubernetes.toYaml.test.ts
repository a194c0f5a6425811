/**
 * `Kubernetes.toYaml` for kubectl, which reads YAML 1.1: there `yes`, `n`, `0b101`, `12:30:00`, `1_000`, `.inf`,
 * `~`, `2001-12-14` and the merge key `<<` are not strings. Every string must come back as that string from a YAML
 * 1.1 reader (and from a YAML 1.2 one).
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { parse } from "yaml"
import * as Kubernetes from "../src/Kubernetes.ts"

/** What a YAML 1.1 reader (kubectl's) makes of the text, merge keys included. */
const parse11 = (text: string): unknown => parse(text, { version: "1.1", schema: "yaml-1.1", merge: true })

/** A string of each of YAML 1.1's implicit types, in the spellings its regular expressions allow. */
const yaml11Looking: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    ...["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False"],
    ...["FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "", "<<", "="],
    ...[".inf", ".Inf", ".INF", "-.inf", "+.inf", ".nan", ".NaN", ".NAN", "0", "-0", "+0"]
  ),
  // int: binary, octal, decimal, hex, sexagesimal, each with "_" anywhere after the first digit.
  fc.tuple(
    fc.constantFrom("", "-", "+"),
    fc.constantFrom("0b", "0", "", "0x"),
    fc.stringMatching(/^[0-9a-fA-F_]{1,8}$/)
  )
    .map(([sign, base, digits]) => sign + base + digits),
  fc.stringMatching(/^[-+]?[1-9][0-9_]{0,3}(:[0-5]?[0-9]){1,3}(\.[0-9_]*)?$/),
  // float: with and without a fraction or exponent.
  fc.stringMatching(/^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$/),
  fc.stringMatching(/^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]{1,3}$/),
  // timestamp: a date, or a date and time in the forms YAML 1.1 accepts.
  fc.stringMatching(
    /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]+[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?( ?(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?$/
  )
)

const anyString: fc.Arbitrary<string> = fc.oneof(yaml11Looking, fc.string(), fc.string({ unit: "binary" }))

describe("Kubernetes.toYaml: YAML 1.1 readers (kubectl) read every string back", () => {
  it("yes, on, n, 0b101, 12:30:00, 1_000, .inf, ~, a date, << and = are quoted, as keys and as values", () => {
    const strings = ["yes", "on", "n", "0b101", "12:30:00", "1_000", ".inf", "~", "2001-12-14", "<<", "="]
    const value = { values: strings, keys: Object.fromEntries(strings.map((text) => [text, text])) }
    const text = Kubernetes.toYaml(value)
    assert.deepStrictEqual(parse11(text), value)
    assert.deepStrictEqual(parse(text), value)
    for (const string of strings) assert.include(text, `- ${JSON.stringify(string)}\n`)
    assert.include(text, "\"<<\": \"<<\"")
  })

  it("random strings, as keys and values, rendered then read as YAML 1.1 and 1.2, are the same strings", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyString, anyString), { maxLength: 8 }), (pairs) => {
        const value = { list: pairs.map(([, text]) => text), map: Object.fromEntries(pairs) }
        const text = Kubernetes.toYaml(value)
        assert.deepStrictEqual(parse11(text), value, text)
        assert.deepStrictEqual(parse(text), value, text)
      }),
      { numRuns: 2000 }
    )
  })

  it("a YAML 1.2 octal (0o17), plain text to YAML 1.1, is quoted: a YAML 1.2 reader would read a number", () => {
    const strings = ["0o0", "0o17", "0o777"]
    const value = { values: strings, keys: Object.fromEntries(strings.map((text) => [text, text])) }
    const text = Kubernetes.toYaml(value)
    assert.deepStrictEqual(parse(text), value)
    assert.deepStrictEqual(parse11(text), value)
  })

  it("numbers and booleans stay numbers and booleans", () => {
    const value = { count: 3, ratio: 0.5, optional: true, readOnly: false }
    assert.deepStrictEqual(parse11(Kubernetes.toYaml(value)), value)
    assert.strictEqual(Kubernetes.toYaml(value), "count: 3\nratio: 0.5\noptional: true\nreadOnly: false\n")
  })
})
