import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { TestConsole } from "effect/testing"
import * as Tracer from "effect/Tracer"
import * as fc from "fast-check"
import { makeSecrets, Masking, SecretsCache, SecretsManager } from "../src/index.ts"
import { buildAutomaton } from "../src/internal/masking/automaton.ts"
import { anchorLength, maskForms } from "../src/internal/masking/forms.ts"
import { defaultLimits } from "../src/internal/masking/held.ts"
import { makeSecretRegistry } from "../src/internal/masking/registry.ts"
import { maskText } from "../src/internal/masking/stream.ts"

/** Masks `text` with an automaton of `patterns` and one of `pending` (patterns added since it was built). */
const buildMasker = (patterns: ReadonlyArray<string>) => (text: string, pending: ReadonlyArray<string>) =>
  maskText([buildAutomaton(patterns), ...(pending.length > 0 ? [buildAutomaton(pending)] : [])], text)

class TokenRejected extends Schema.TaggedError<TokenRejected>()("TokenRejected", { token: Schema.String }) {
  override get message(): string {
    return `the server rejected token ${this.token}`
  }
}

/** The lines `effect` writes to the console (`log`, or `error` with `errorLines`) under `Masking.layer`. */
const logged = <A, E>(effect: Effect.Effect<A, E>, stream: "log" | "error" = "log") =>
  Effect.gen(function*() {
    yield* effect.pipe(Effect.provide(Masking.layer))
    const lines = stream === "log" ? yield* TestConsole.logLines : yield* TestConsole.errorLines
    return lines.map(String)
  }).pipe(Effect.provide(TestConsole.layer))

/** The lines a string logger wrapped in `Masking.logger` writes for `effect`. */
const loggedWith = <A, E>(format: Logger.Logger<unknown, string>, effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    yield* effect.pipe(Effect.provide(Logger.layer([Logger.withConsoleLog(Masking.logger(format))])))
    return (yield* TestConsole.logLines).map(String)
  }).pipe(Effect.provide(TestConsole.layer))

const assertMasked = (lines: ReadonlyArray<string>, secrets: ReadonlyArray<string>) => {
  for (const line of lines) {
    for (const secret of secrets) assert.notInclude(line, secret)
    assert.include(line, "<redacted>")
  }
}

const pem = [
  "-----BEGIN PRIVATE KEY-----",
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
  "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
  "-----END PRIVATE KEY-----"
].join("\n")
const pemBody = pem.split("\n")[1]!

describe("Masking.layer", () => {
  it.effect("masks messages, nested objects, annotations and span labels, in Effect's default layout", () =>
    Effect.gen(function*() {
      const token = "tok-9f8e7d6c5b4a"
      const quoted = "it's a \"quoted\"\nmulti-line secret"
      Masking.register(token)
      Masking.register(quoted)
      const lines = yield* logged(Effect.gen(function*() {
        yield* Effect.log(`token is ${token}`)
        yield* Effect.log("nested", { config: { auth: { token, quoted } }, list: [token] })
        yield* Effect.log("annotated").pipe(Effect.annotateLogs("token", token))
        yield* Effect.log("in span").pipe(Effect.withLogSpan(`span-${token}`))
      }))
      assert.strictEqual(lines.length, 4) // the default loggers are replaced, not joined
      assertMasked(lines, [token, quoted, "multi-line secret"])
      assert.match(lines[0]!, /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(#\d+\): token is <redacted>$/)
      assert.match(
        lines[1]!,
        /: nested \{ config: \{ auth: \{ token: '<redacted>', quoted: `<redacted>` \} \}, list: \[ '<redacted>' \] \}$/
      )
      assert.match(lines[2]!, /: annotated \{ token: '<redacted>' \}$/)
      assert.match(lines[3]!, / span-<redacted>=\d+ms: in span$/)
    }))

  it.effect("masks causes: a typed failure whose message holds the secret, a defect, a caught failure", () =>
    Effect.gen(function*() {
      const token = "cause-token-31415926"
      Masking.register(token)
      const lines = yield* logged(Effect.gen(function*() {
        yield* Effect.logError("typed failure", Cause.fail(new TokenRejected({ token })))
        yield* Effect.logError("defect", Cause.die(new Error(`crashed while holding ${token}`)))
        yield* Effect.fail(new TokenRejected({ token })).pipe(Effect.catchCause((cause) => Effect.logError(cause)))
      }))
      assert.strictEqual(lines.length, 3)
      assertMasked(lines, [token])
      assert.include(lines[0]!, "the server rejected token <redacted>")
      assert.include(lines[1]!, "crashed while holding <redacted>")
      assert.include(lines[2]!, "TokenRejected")
    }))

  it.effect("prints a Redacted as <redacted>, and writes to console.error when LogToStderr is set", () =>
    Effect.gen(function*() {
      const password = "db-password-2718"
      const lines = yield* logged(
        Effect.log("connecting with", Redacted.make(password)).pipe(
          Effect.provide(Layer.succeed(Logger.LogToStderr, true))
        ),
        "error"
      )
      assert.strictEqual(lines.length, 1)
      assertMasked(lines, [password])
    }))

  it.effect("masks the log events the tracer logger records on the current span", () =>
    Effect.gen(function*() {
      const token = "span-event-token-1618"
      Masking.register(token)
      const span = yield* Effect.gen(function*() {
        yield* Effect.log(`event with ${token}`).pipe(Effect.annotateLogs({ key: token, count: 3 }))
        yield* Effect.logError("failed", Cause.fail(new TokenRejected({ token })))
        return yield* Effect.currentSpan
      }).pipe(Effect.withSpan("operation"), Effect.provide(Masking.layer), Effect.provide(TestConsole.layer))
      assert.instanceOf(span, Tracer.NativeSpan)
      const events = (span as Tracer.NativeSpan).events
      assert.strictEqual(events.length, 2)
      const [[name, , attributes], [, , failure]] = events as [typeof events[0], typeof events[0]]
      assert.strictEqual(name, "event with <redacted>")
      assert.deepStrictEqual(attributes, {
        key: "<redacted>",
        count: 3,
        "effect.fiberId": attributes["effect.fiberId"],
        "effect.logLevel": "INFO"
      })
      assert.include(failure["effect.cause"] as string, "the server rejected token <redacted>")
      assert.notInclude(JSON.stringify(events, (_, value) => typeof value === "bigint" ? 0 : value), token)
    }))
})

describe("Masking.logger", () => {
  it.effect("masks logfmt output: a multi-line value escaped once (message, annotation) and twice (nested)", () =>
    Effect.gen(function*() {
      Masking.register(pem)
      const lines = yield* loggedWith(
        Logger.formatLogFmt,
        Effect.gen(function*() {
          yield* Effect.log(pem)
          yield* Effect.log({ key: { pem } })
          yield* Effect.log("annotated").pipe(Effect.annotateLogs("pem", pem))
          yield* Effect.logError("failed", Cause.die(new Error(pem)))
        })
      )
      assert.strictEqual(lines.length, 4)
      assertMasked(lines, [pemBody])
    }))

  it.effect("masks JSON output", () =>
    Effect.gen(function*() {
      const token = "json-token-5772156649"
      Masking.register(pem)
      Masking.register(token)
      const lines = yield* loggedWith(
        Logger.formatJson,
        Effect.log("values", { pem, token }).pipe(Effect.annotateLogs({ token }))
      )
      assert.strictEqual(lines.length, 1)
      assertMasked(lines, [pemBody, token])
      assert.deepInclude(JSON.parse(lines[0]!), { annotations: { token: "<redacted>" } })
    }))
})

describe("Masking.register and Masking.mask", () => {
  it("replaces a registered value; text without one comes back as the same string", () => {
    Masking.register("plain-secret-value")
    assert.strictEqual(Masking.mask("a plain-secret-value here"), "a <redacted> here")
    const text = `nothing to hide ${Math.random()}`
    assert.strictEqual(Masking.mask(text), text)
  })

  it("never registers a value under 5 characters (trimmed, counted in code points)", () => {
    for (const short of ["a", "abcd", "  abc  ", "true\n", "😀😀😀😀"]) Masking.register(short)
    Masking.register(new Uint8Array([1, 2, 3, 4]))
    Masking.register(new TextEncoder().encode("pin\n\n"))
    const text = "a banana: abcd abc true 😀😀😀😀 pin AQIDBA 01020304"
    assert.strictEqual(Masking.mask(text), text)
    Masking.register("😀😀😀😀😀")
    assert.strictEqual(Masking.mask("five: 😀😀😀😀😀"), "five: <redacted>")
  })

  it("masks the longest value whole, and overlapping or touching values as one stretch", () => {
    Masking.register("longest-secret")
    Masking.register("longest-secret-with-suffix")
    Masking.register("abcdefgh")
    Masking.register("efghijkl")
    assert.strictEqual(Masking.mask("[longest-secret-with-suffix]"), "[<redacted>]")
    assert.strictEqual(Masking.mask("[longest-secret]"), "[<redacted>]")
    assert.strictEqual(Masking.mask("[abcdefghijkl] [abcdefgh efghijkl]"), "[<redacted>] [<redacted> <redacted>]")
    assert.strictEqual(Masking.mask("abcdefghabcdefgh"), "<redacted>")
  })

  it("registers a Redacted's value, and bytes as their UTF-8 text, trimmed", () => {
    Masking.register(Redacted.make("redacted-inner-value"))
    Masking.register(new TextEncoder().encode("file-token-from-bytes\n"))
    assert.strictEqual(Masking.mask("redacted-inner-value / file-token-from-bytes"), "<redacted> / <redacted>")
  })

  it("registers bytes that are not UTF-8 as base64 (with or without padding, URL-safe too) and hex", () => {
    const bytes = new Uint8Array([0xff, 0xfb, 0xef, 0x00, 0x10, 0x80, 0x7f])
    Masking.register(bytes)
    const buffer = Buffer.from(bytes)
    for (const form of [buffer.toString("base64"), buffer.toString("base64url"), buffer.toString("hex")]) {
      assert.notInclude(Masking.mask(`key=${form};`), form.replace(/=+$/, ""))
    }
  })

  it("masks a URL-encoded password, and a JSON-escaped multi-line value", () => {
    const password = "p@ss w0rd/with:chars"
    Masking.register(password)
    Masking.register(pem)
    assert.strictEqual(
      Masking.mask(`postgres://user:${encodeURIComponent(password)}@db`),
      "postgres://user:<redacted>@db"
    )
    assert.strictEqual(Masking.mask(JSON.stringify({ pem })), "{\"pem\":\"<redacted>\"}")
    assert.strictEqual(Masking.mask(JSON.stringify(JSON.stringify({ pem }))), "\"{\\\"pem\\\":\\\"<redacted>\\\"}\"")
  })

  it("masks a long value cut short, from its first 32 characters on; a shorter beginning is not masked", () => {
    const long = "long-value-" + "0123456789abcdef".repeat(6)
    Masking.register(long)
    assert.strictEqual(Masking.mask(`${long.slice(0, 50)}... (truncated)`), "<redacted>... (truncated)")
    const start = long.slice(0, anchorLength - 1)
    assert.strictEqual(Masking.mask(start), start)
  })
})

describe("S10 the registry", () => {
  it("past 4,096 values the values held stay masked and the newest are refused with one warning", () => {
    const warnings: Array<string> = []
    const registry = makeSecretRegistry(defaultLimits, (warning) => warnings.push(warning))
    const value = (i: number) => `bounded-value-${i}-of-many`
    for (let i = 0; i < 10_000; i++) registry.register(value(i))
    assert.deepStrictEqual(registry.size(), {
      entries: defaultLimits.maxEntries,
      bytes: registry.size().bytes,
      refused: 10_000 - defaultLimits.maxEntries
    })
    assert.isAtMost(registry.size().bytes, defaultLimits.maxBytes)
    assert.strictEqual(registry.mask(value(0)), "<redacted>")
    assert.strictEqual(registry.mask(value(defaultLimits.maxEntries - 1)), "<redacted>")
    assert.strictEqual(registry.mask(value(defaultLimits.maxEntries)), value(defaultLimits.maxEntries))
    assert.lengthOf(warnings, 1)
    assert.match(warnings[0]!, /masking registry is full \(4096 values or 16777216 bytes\); values registered from now/)
    assert.notInclude(warnings[0]!, "bounded-value")
  })

  it("keeps its estimated memory within its byte bound, refusing (loudly) what does not fit", () => {
    const limits = { maxEntries: defaultLimits.maxEntries, maxBytes: 1024 * 1024 }
    const warnings: Array<string> = []
    const registry = makeSecretRegistry(limits, (warning) => warnings.push(warning))
    const large = (i: number) => `large-${i}-`.padEnd(20_000, String.fromCharCode(0x61 + (i % 26)))
    for (let i = 0; i < 100; i++) registry.register(large(i)) // 4 MiB of text
    assert.isAtMost(registry.size().bytes, limits.maxBytes)
    assert.isBelow(registry.size().entries, 100)
    assert.strictEqual(registry.size().entries + registry.size().refused, 100)
    assert.strictEqual(registry.mask(`[${large(0)}]`), "[<redacted>]")
    assert.lengthOf(warnings, 1)
  })

  it("registering a held value again neither grows the registry nor counts as refused", () => {
    const registry = makeSecretRegistry({ maxEntries: 3, maxBytes: defaultLimits.maxBytes }, () => {})
    for (const value of ["first-value", "second-value", "third-value"]) registry.register(value)
    const size = registry.size()
    for (let i = 0; i < 1000; i++) registry.register("first-value")
    assert.deepStrictEqual(registry.size(), size)
    registry.register("fourth-value")
    assert.strictEqual(registry.mask("first-value second-value third-value"), "<redacted> <redacted> <redacted>")
    assert.strictEqual(registry.mask("fourth-value"), "fourth-value")
    assert.strictEqual(registry.size().refused, 1)
  })

  it("a value read again (an equal string made anew) is one entry, and a refused value is refused each time", () => {
    const registry = makeSecretRegistry({ maxEntries: 1, maxBytes: defaultLimits.maxBytes }, () => {})
    const fresh = (text: string) => [...text].join("")
    registry.register(fresh("first-value"))
    registry.register(fresh("first-value"))
    assert.deepStrictEqual(registry.size().entries, 1)
    registry.register("second-value")
    registry.register("second-value")
    assert.strictEqual(registry.size().refused, 2)
    assert.strictEqual(registry.mask("first-value second-value"), "<redacted> second-value")
  })

  it("any sequence of registrations, into one registry or two, holds each value once and masks every value held", () => {
    // Texts and bytes of the same values, texts too short to mask, and more values than the registry has room for.
    const pool = ["abcd", "secret-one", "secret-two", "secret-three", "secret-four", "secret-five"]
    const encoder = new TextEncoder()
    const registration = fc.record({
      value: fc.integer({ min: 0, max: pool.length - 1 }),
      bytes: fc.boolean(),
      into: fc.boolean()
    })
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.array(registration, { maxLength: 40 }), (room, steps) => {
      const limits = { maxEntries: room, maxBytes: defaultLimits.maxBytes }
      const registries = [makeSecretRegistry(limits, () => {}), makeSecretRegistry(limits, () => {})]
      // What each registry must hold: the values it took, in order, and how many registrations it refused.
      const models = registries.map(() => ({ held: [] as Array<string>, refused: 0 }))
      for (const step of steps) {
        // Built anew each time: an equal string, never the same one.
        const text = [...pool[step.value]!].join("")
        const index = step.into ? 1 : 0
        registries[index]!.register(step.bytes ? encoder.encode(text) : text)
        const model = models[index]!
        const key = `${step.bytes ? "bytes" : "text"} ${text}`
        if (text.length < 5 || model.held.includes(key)) continue
        if (model.held.length < room) model.held.push(key)
        else model.refused++
      }
      registries.forEach((registry, index) => {
        const { held, refused } = models[index]!
        // The same values registered once each, in the same order, into an empty registry.
        const once = makeSecretRegistry(limits, () => {})
        for (const key of held) {
          const [kind, text] = key.split(" ") as [string, string]
          once.register(kind === "bytes" ? encoder.encode(text) : text)
        }
        assert.deepStrictEqual(registry.size(), { ...once.size(), refused })
        for (const key of held) assert.strictEqual(registry.mask(key.split(" ")[1]!), "<redacted>")
      })
    }))
  })

  it("masks each new value at once, also while values arrive between masks (and after the automaton is rebuilt)", () => {
    const registry = makeSecretRegistry()
    const value = (i: number) => `arriving-value-${i}-${"x".repeat(i % 40)}`
    for (let i = 0; i < 200; i++) {
      registry.register(value(i))
      assert.strictEqual(registry.mask(`[${value(i)}] [${value(i >> 1)}]`), "[<redacted>] [<redacted>]")
    }
    for (let i = 0; i < 100; i++) assert.strictEqual(registry.mask(value(i * 2)), "<redacted>")
  })

  it("finds held bytes by content, not by array", () => {
    const registry = makeSecretRegistry({ maxEntries: 2, maxBytes: defaultLimits.maxBytes }, () => {})
    const bytes = () => new Uint8Array([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1])
    registry.register(bytes())
    registry.register(bytes()) // the same bytes again: not a second entry
    registry.register("other-value")
    assert.strictEqual(registry.size().entries, 2)
    assert.strictEqual(registry.mask(Buffer.from(bytes()).toString("hex")), "<redacted>")
    assert.strictEqual(registry.mask("other-value"), "<redacted>")
  })
})

/** What masking must produce, computed the slow way: every occurrence, merged, replaced. */
const expectedMask = (patterns: ReadonlyArray<string>, text: string): string => {
  const stretches: Array<[number, number]> = []
  for (const pattern of patterns) {
    const found = pattern.slice(0, anchorLength)
    for (let at = text.indexOf(found); at !== -1; at = text.indexOf(found, at + 1)) {
      let length = found.length
      while (length < pattern.length && text[at + length] !== undefined && text[at + length] === pattern[length]) {
        length++
      }
      if (pattern.length <= anchorLength || length >= anchorLength) stretches.push([at, at + length - 1])
    }
  }
  if (stretches.length === 0) return text
  stretches.sort((a, b) => a[0] - b[0])
  const merged: Array<[number, number]> = []
  for (const [start, end] of stretches) {
    const last = merged[merged.length - 1]
    if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  let out = ""
  let from = 0
  for (const [start, end] of merged) {
    out += text.slice(from, start) + "<redacted>"
    from = end + 1
  }
  return out + text.slice(from)
}

/** Patterns over `unit`, and a text made of whole patterns, their beginnings, their ends and noise. */
const patternsAndText = (unit: fc.Arbitrary<string>, maxLength: number) =>
  fc.uniqueArray(
    fc.oneof(
      fc.string({ unit, minLength: 1, maxLength: 8 }),
      fc.string({ unit, minLength: anchorLength - 4, maxLength })
    ),
    { minLength: 1, maxLength: 8 }
  ).chain((patterns) =>
    fc.tuple(
      fc.constant(patterns),
      fc.array(
        fc.oneof(
          fc.constantFrom(...patterns),
          fc.tuple(fc.constantFrom(...patterns), fc.nat()).map(([p, cut]) => p.slice(0, cut % (p.length + 1))),
          fc.tuple(fc.constantFrom(...patterns), fc.nat()).map(([p, cut]) => p.slice(cut % (p.length + 1))),
          fc.string({ unit, maxLength: 5 })
        ),
        { maxLength: 12 }
      ).map((pieces) => pieces.join(""))
    )
  )

describe("S10 masking properties", () => {
  // 100 patterns over 3,000 other characters: too many classes for full rows below the start state.
  const filler = Array.from(
    { length: 100 },
    (_, p) => Array.from({ length: 30 }, (_, i) => String.fromCharCode(0x4e00 + p * 30 + i)).join("")
  )
  for (const [regime, extra] of [["full rows", []], ["sparse transitions", filler]] as const) {
    it(`masks exactly every occurrence, merged, of short and long patterns (many overlaps; ${regime})`, () => {
      fc.assert(
        fc.property(
          patternsAndText(fc.constantFrom("a", "b", "c"), 2 * anchorLength),
          fc.nat(),
          ([patterns, text], split) => {
            const all = [...patterns, ...extra]
            const expected = expectedMask(all, text)
            const masked = buildMasker(all)(text, [])
            assert.strictEqual(masked, expected)
            if (masked === expectedMask([], text)) assert.strictEqual(masked, text)
            // Some patterns not in the automaton yet, searched for directly: the same result.
            const built = split % (patterns.length + 1)
            assert.strictEqual(
              buildMasker([...patterns.slice(0, built), ...extra])(text, patterns.slice(built)),
              expected
            )
          }
        ),
        { numRuns: 300 }
      )
    })
  }

  it("masks exactly with long periodic patterns, whose beginning recurs inside them and in the text", () => {
    const periodic = fc.tuple(fc.string({ unit: fc.constantFrom("a", "b"), minLength: 1, maxLength: 4 }), fc.nat(90))
      .map(([period, extra]) => period.repeat(Math.ceil((anchorLength + 1 + extra) / period.length)))
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(periodic, fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 3 })).map(([p, end]) =>
            p + end
          ),
          { minLength: 1, maxLength: 3 }
        ),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 3 })), {
          maxLength: 6
        }),
        (patterns, pieces) => {
          const text = pieces.map(([which, cut, noise]) => {
            const pattern = patterns[which % patterns.length]!
            return pattern.slice(0, cut % (pattern.length + 1)) + noise
          }).join("")
          assert.strictEqual(buildMasker(patterns)(text, []), expectedMask(patterns, text))
        }
      ),
      { numRuns: 300 }
    )
  })

  it("masks exactly with thousands of distinct characters", () => {
    const unit = fc.integer({ min: 0x4e00, max: 0x4e00 + 3000 }).map((code) => String.fromCharCode(code))
    const patterns = fc.sample(fc.string({ unit, minLength: 1, maxLength: 40 }), { numRuns: 600, seed: 7 })
    const masker = buildMasker([...new Set(patterns)])
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...patterns), fc.string({ unit, maxLength: 3 })), { maxLength: 10 }),
        (pieces) => {
          const text = pieces.join("")
          assert.strictEqual(masker(text, []), expectedMask([...new Set(patterns)], text))
        }
      ),
      { numRuns: 200 }
    )
  })

  const value = fc.string({
    unit: fc.oneof(
      fc.constantFrom("a", "b", "c", "-", "\"", "'", "\n", "\\", "é", "😀"),
      fc.string({ minLength: 1, maxLength: 1 })
    ),
    minLength: 5,
    maxLength: 60
  }).filter((v) => !/[<>]/.test(v) && [...v.trim()].length >= 5)

  it("no registered value of 5+ characters survives, embedded in random text and overlapped by others", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(value, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 8 }),
        (values, pieces) => {
          const registry = makeSecretRegistry()
          for (const v of values) registry.register(v)
          // Whole values, with their ends and beginnings around them (so that values overlap), between noise.
          const text = pieces.map(([which, from, to, noise]) => {
            const v = values[which % values.length]!
            const w = values[to % values.length]!
            return noise + v.slice(from % v.length) + v + w.slice(0, to % w.length) + w
          }).join("")
          const masked = registry.mask(text)
          for (const v of values) assert.notInclude(masked, v.trim())
        }
      ),
      { numRuns: 300 }
    )
  })

  it("text holding no registered value (in any of its forms) comes back as the same string", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(value, { minLength: 1, maxLength: 6 }),
        fc.string({ maxLength: 200 }),
        (values, text) => {
          fc.pre(values.every((v) => maskForms(v).every((form) => !text.includes(form))))
          const registry = makeSecretRegistry()
          for (const v of values) registry.register(v)
          assert.strictEqual(registry.mask(text), text)
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("S10 every value the library hands out is registered", () => {
  const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2)}-value`

  it.effect("by the manager (text, bytes, redacted), the facade, the cache and watch", () =>
    Effect.gen(function*() {
      const [text, bytes, redacted, facade, cached, watched] = [
        "text",
        "bytes",
        "redacted",
        "facade",
        "cached",
        "watched"
      ].map(unique)
      const env = {
        FLYTE_SECRETS_G_TEXT: text!,
        FLYTE_SECRETS_G_REDACTED: redacted!,
        FLYTE_SECRETS_G_FACADE: facade!,
        FLYTE_SECRETS_G_CACHED: cached!,
        FLYTE_SECRETS_G_WATCHED: watched!
      }
      const layer = SecretsManager.layerTest({ env, files: { "/etc/secrets/g/bytes": bytes! } })
      const line = () => Masking.mask([text, bytes, redacted, facade, cached, watched].join(" "))
      assert.strictEqual(line(), [text, bytes, redacted, facade, cached, watched].join(" "))

      yield* SecretsManager.use((m) => m.get({ group: "g", key: "text" })).pipe(Effect.provide(layer))
      yield* SecretsManager.use((m) => m.get({ group: "g", key: "bytes", encodeMode: "rb" })).pipe(
        Effect.provide(layer)
      )
      yield* SecretsManager.use((m) => m.getRedacted({ group: "g", key: "redacted" })).pipe(Effect.provide(layer))
      makeSecrets(layer).g.facade
      yield* SecretsManager.use((m) => m.get({ group: "g", key: "cached" })).pipe(
        Effect.provide(SecretsCache.layer().pipe(Layer.provide(layer)))
      )
      yield* SecretsManager.use((m) => Stream.runHead(m.watch({ group: "g", key: "watched" }))).pipe(
        Effect.provide(layer)
      )
      assert.strictEqual(line(), Array(6).fill("<redacted>").join(" "))
    }))

  it.effect("a value read through the manager is masked by a masked logger", () =>
    Effect.gen(function*() {
      const token = unique("logged")
      const lines: Array<string> = []
      const capture = Logger.layer([
        Masking.logger(Logger.formatSimple).pipe(Logger.map((line) => (lines.push(line), line)))
      ])
      yield* Effect.gen(function*() {
        const value = yield* SecretsManager.use((m) => m.get({ group: "api", key: "token" }))
        yield* Effect.log(`calling with ${value}`)
      }).pipe(
        Effect.provide(Layer.mergeAll(capture, SecretsManager.layerTest({ env: { FLYTE_SECRETS_API_TOKEN: token } })))
      )
      assert.lengthOf(lines, 1)
      assert.match(lines[0]!, /calling with <redacted>/)
      assert.notInclude(lines[0], token)
    }))
})
