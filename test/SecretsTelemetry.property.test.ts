import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { createHash } from "node:crypto"
import {
  Environment,
  makeSecrets,
  Masking,
  type SecretRequest,
  SecretsCache,
  SecretsConfig,
  SecretsManager,
  SecretsTelemetry
} from "../src/index.ts"
import { environmentOver } from "../src/internal/config/environmentOver.ts"
import { maskedTracerLogger } from "../src/internal/masking/loggers.ts"
import { leavesOf, recorded, recording } from "./telemetryRecording.ts"

const secretsDir = "/etc/secrets"

/** A value a platform could inject: a random core, then spaces, `=`, quotes, Unicode, line breaks. */
const textValue = fc.tuple(
  fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"), minLength: 16, maxLength: 16 }),
  fc.array(
    fc.oneof(
      fc.constantFrom(" ", "=", "\"", "'", "\n", "\r\n", "é", "🔑", "\t", "\\", "/", "%", "+", "line two "),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 })
    ),
    { maxLength: 12 }
  )
).map(([core, pieces]) => `${core}${pieces.join("")}${core.slice(0, 6)}`)

const binaryValue = fc.uint8Array({ minLength: 20, maxLength: 64 })

/** Every form of `bytes` that would give it away: as is, hex, base64, URL-encoded, hashed. */
const formsOfBytes = (bytes: Uint8Array): Array<string> => {
  const buffer = Buffer.from(bytes)
  return [
    buffer.toString("hex"),
    buffer.toString("hex").toUpperCase(),
    buffer.toString("base64"),
    buffer.toString("base64url"),
    buffer.toString("latin1"),
    ...["sha1", "sha256", "md5"].map((hash) => createHash(hash).update(buffer).digest("hex"))
  ]
}

/** Every form of a text value that would give it away, the value stripped included, and each long line of it. */
const formsOfText = (value: string): Array<string> => [
  ...new Set([value, value.trim()].flatMap((text) => [
    text,
    encodeURIComponent(text),
    ...text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length >= 8),
    ...formsOfBytes(new TextEncoder().encode(text))
  ]))
]

/** Leaks of `forms` or of `length` (as an attribute's number or text) among everything recorded. */
const leaks = (
  everything: ReturnType<typeof recorded>,
  forms: ReadonlyArray<string>,
  lengths: ReadonlyArray<number>
) => {
  const leaves = leavesOf(everything)
  // Effect numbers its fibers: a log event's `effect.fiberId` can equal a length by chance.
  const withoutFiberId = (attributes: unknown) => {
    if (typeof attributes !== "object" || attributes === null) return attributes
    const { ["effect.fiberId"]: _fiberId, ...rest } = attributes as Record<string, unknown>
    return rest
  }
  const attributeLeaves = leavesOf([
    everything.spans.map((span) => [span.attributes, span.events.map((event) => withoutFiberId(event[2]))]),
    everything.metrics.map((metric) => metric.attributes)
  ])
  return [
    ...forms.flatMap((form) => leaves.filter((leaf) => typeof leaf === "string" && leaf.includes(form))),
    ...attributeLeaves.filter((leaf) => lengths.some((length) => leaf === length || leaf === String(length)))
  ]
}

/** Absolute paths in the library's spans that are not inside the secrets directory. */
const pathsOutside = (everything: ReturnType<typeof recorded>) =>
  leavesOf(everything.spans.filter((span) => span.name.startsWith("effect_secrets.")))
    .filter((leaf): leaf is string => typeof leaf === "string")
    .flatMap((leaf) => leaf.match(/\/[^\s"')]+/g) ?? [])
    .filter((path) => !path.startsWith(`${secretsDir}/`))

const outsidePath = "/home/someone/private-key.pem"

/** Every way telemetry sees `value`: lookups, misses whose declared variable holds it, cache, facade, watch, logs. */
const everyPath = (value: string, next: string, binary: Uint8Array) => {
  const { metrics, spans, traced } = recording()
  const variables: Record<string, string | undefined> = {
    FLYTE_SECRETS_P_K: value,
    DECLARED_VALUE: value,
    DECLARED_OUTSIDE: outsidePath,
    FLYTE_SECRETS_W_K: value
  }
  const config = SecretsConfig.layerWith({ defaultDir: secretsDir })
  const manager = SecretsManager.layerTest({
    env: variables as Record<string, string>,
    files: { [`${secretsDir}/p/file`]: value, [`${secretsDir}/p/binary`]: binary }
  })
  const watched = SecretsManager.layerNodeFiles.pipe(
    Layer.provide(config),
    Layer.provideMerge(Layer.succeed(Environment, environmentOver(variables)))
  )
  const requests: ReadonlyArray<SecretRequest> = [
    { group: "p", key: "k" },
    { group: "p", key: "file" },
    { group: "p", key: "binary", encodeMode: "rb" },
    { group: "p", key: "absent", envVar: "DECLARED_VALUE", mountRequirement: "FILE" },
    { group: "p", key: "absent", envVar: "DECLARED_OUTSIDE", mountRequirement: "FILE" },
    { group: "p", key: "absent", envVar: "DECLARED_VALUE", mountRequirement: "ANY" },
    { group: "p", key: "absent" }
  ]
  const reads = SecretsManager.use((secrets) =>
    Effect.forEach(requests, (request) =>
      Effect.all([
        Effect.exit(secrets.get(request)),
        Effect.exit(secrets.getRedacted(request)),
        Effect.exit(secrets.getPath(request)),
        Effect.exit(secrets.locate(request))
      ]))
  )
  const watch = SecretsManager.use((secrets) =>
    Effect.gen(function*() {
      const values = yield* Effect.forkChild(
        Stream.runCollect(Stream.take(secrets.watch({ group: "w", key: "k" }), 2))
      )
      yield* TestClock.adjust("1 second")
      variables.FLYTE_SECRETS_W_K = next
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(values)
    })
  ).pipe(Effect.provide(watched))
  const logs = Effect.log("using", value, { value }).pipe(
    Effect.annotateLogs("secret", value),
    Effect.withSpan("user-span"),
    Effect.provide(Logger.layer([maskedTracerLogger, Masking.logger(Logger.formatSimple)]))
  )
  const facade = makeSecrets(Layer.mergeAll(manager, traced))
  return Effect.gen(function*() {
    yield* reads.pipe(Effect.provide(manager))
    yield* Effect.andThen(reads, reads).pipe(Effect.provide(SecretsCache.layer()), Effect.provide(manager))
    yield* watch
    yield* logs
    facade.get({ group: "p", key: "k" })
    facade.get({ group: "p", key: "binary", encodeMode: "rb" })
    try {
      facade.get({ group: "p", key: "absent", envVar: "DECLARED_VALUE", mountRequirement: "FILE" })
    } catch {
      // a miss, recorded like the others
    }
    return recorded(spans, metrics())
  }).pipe(Effect.provide(traced), Effect.provide(TestClock.layer()))
}

describe("S9 SecretsTelemetry: nothing recorded gives a value away (property)", () => {
  it(
    "no span, event, status, cause or metric holds a value, a line of it, its encodings, hashes or length",
    async () => {
      await fc.assert(
        fc.asyncProperty(textValue, textValue, binaryValue, async (value, next, binary) => {
          const everything = await Effect.runPromise(everyPath(value, next, binary))
          assert.isAbove(everything.spans.filter((span) => span.name === "effect_secrets.lookup").length, 50)
          const forms = [...formsOfText(value), ...formsOfText(next), ...formsOfBytes(binary)]
          const lengths = [value, value.trim(), next, next.trim()].map((text) => text.length).concat(binary.length)
          assert.deepStrictEqual(leaks(everything, forms, lengths.filter((length) => length > 12)), [])
          assert.deepStrictEqual(pathsOutside(everything), [])
        }),
        { numRuns: 20 }
      )
    },
    300_000
  )

  it("the checks find a value that is recorded: a span attribute holding it fails them", () => {
    const value = "abcdefghijklmnop \"quoted\" = é\nsecond line here"
    const everything = {
      spans: [{
        name: "effect_secrets.lookup",
        attributes: { leaked: value.split("\n")[1]! },
        events: [],
        links: [],
        end: {}
      }],
      metrics: [{
        id: "x",
        type: "Counter",
        description: undefined,
        attributes: { n: String(value.length) },
        state: {}
      }]
    } as unknown as ReturnType<typeof recorded>
    assert.lengthOf(leaks(everything, formsOfText(value), [value.length]), 2)
    const outside = { spans: [{ ...everything.spans[0]!, attributes: { location: outsidePath } }], metrics: [] }
    assert.deepStrictEqual(pathsOutside(outside as unknown as ReturnType<typeof recorded>), [outsidePath])
  })
})

describe("SecretsTelemetry.layer is a Layer<never>", () => {
  it("it needs nothing and provides nothing", () => {
    const layer: Layer.Layer<never> = SecretsTelemetry.layer
    assert.isTrue(Layer.isLayer(layer))
  })
})
