/**
 * The cached manager reads a request exactly as the manager does: it refuses what the manager refuses, with the same
 * error, before anything is looked up or cached, and keys what it accepts by one canonical key with defaults applied.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import {
  SecretNotFound,
  type SecretRequest,
  SecretsCache,
  SecretsManager,
  type SecretsManagerShape
} from "../src/index.ts"
import { makeCachedManager } from "../src/internal/cache/cachedManager.ts"
import { readRequest, targetKey } from "../src/internal/lookup/request.ts"
import { arbitraryNamePart } from "./support.ts"

const value = "hunter2-s3cr3t"
const env = { FLYTE_SECRETS_DB_PASSWORD: value, FLYTE_SECRETS_PASSWORD: "key-only-value" }
const settings = { timeToLive: 300_000, missTimeToLive: 1_000, staleIfError: 3_600_000, capacity: 100 }

/** The plain test manager, and the same manager counting every call made to it. */
const plainAndCounted = Effect.gen(function*() {
  const plain = yield* SecretsManager.use(Effect.succeed).pipe(Effect.provide(SecretsManager.layerTest({ env })))
  const calls = { count: 0 }
  const counted = Object.fromEntries(
    Object.entries(plain).map(([name, operation]) => [name, (...args: Array<unknown>) => {
      calls.count++
      return (operation as (...args: Array<unknown>) => unknown)(...args)
    }])
  ) as unknown as SecretsManagerShape
  return { plain, counted, calls }
})

const withGetter = (field: string, read: () => unknown, rest: object) =>
  Object.defineProperty({ ...rest }, field, { get: read, enumerable: true })

/** Requests the manager refuses, each with what makes it bad. */
const badRequests: ReadonlyArray<readonly [string, unknown]> = [
  ["an unknown field", { grup: "db", key: "password" }],
  ["an unknown field beside known ones", { group: "db", key: "password", envvar: "DB_PASSWORD" }],
  ["a number for a name part", { group: 42, key: "password" }],
  ["an object that prints as a name", { group: { toString: () => "db" }, key: "password" }],
  ["null for a name part", { group: null, key: "password" }],
  ["an array for a name part", { group: "db", key: ["password"] }],
  ["\"..\" as the group", { group: "..", key: "password" }],
  ["\".\" as the key", { group: "db", key: "." }],
  ["a path in the key", { group: "db", key: "../password" }],
  ["a NUL character", { group: "db\u0000", key: "password" }],
  ["a newline", { group: "db", key: "pass\nword" }],
  ["a right-to-left override", { group: "db\u202e", key: "password" }],
  ["a lone surrogate", { group: "db\ud800", key: "password" }],
  ["a name part over the length limit", { group: "g".repeat(254), key: "password" }],
  ["a mount requirement that does not exist", { group: "db", key: "password", mountRequirement: "bogus" }],
  ["an empty mount requirement", { group: "db", key: "password", mountRequirement: "" }],
  ["an encoding that does not exist", { group: "db", key: "password", encodeMode: "binary" }],
  ["a lower-case variable name", { group: "db", key: "password", envVar: "db_password" }],
  ["a number for the variable", { group: "db", key: "password", envVar: 42 }],
  ["a getter that gives a number", withGetter("group", () => 42, { key: "password" })],
  ["a getter that gives \"..\"", withGetter("key", () => "..", { group: "db" })],
  [
    "a getter that throws",
    withGetter("group", () => {
      throw new Error("no group today")
    }, { key: "password" })
  ],
  [
    "a Proxy whose field list throws",
    new Proxy({}, {
      ownKeys: () => {
        throw new Error("no keys today")
      }
    })
  ],
  ["only inherited fields", Object.create({ group: "db", key: "password" })],
  ["no name at all", {}],
  ["empty name parts", { group: "", key: "" }],
  ["an array", ["db", "password"]],
  ["a string", "db/password"],
  ["null", null],
  ["undefined", undefined],
  ["a number", 42]
]

/** What a caller sees of an exit: the value, or the error's tag, reason, name parts and attempts, or the defect. */
const seen = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return { value: exit.value }
  const error = Cause.squash(exit.cause)
  if (!(error instanceof SecretNotFound)) return { defect: String(error) }
  const { _tag, attempts, group, groupVersion, key, reason } = error
  return { _tag, reason, group, groupVersion, key, attempts }
}

type Operation = "get" | "getRedacted" | "getPath" | "locate"
const operations: ReadonlyArray<Operation> = ["get", "getRedacted", "getPath", "locate"]

const run = (manager: SecretsManagerShape, operation: Operation, request: unknown) =>
  Effect.exit(Effect.suspend(() => manager[operation](request as SecretRequest) as Effect.Effect<unknown, unknown>))

describe("S12 SecretsCache refuses what the manager refuses", () => {
  it.effect("{ grup: \"db\", key: \"password\" } is refused as the manager refuses it, not read as the key-only secret", () =>
    Effect.gen(function*() {
      const { calls, counted, plain } = yield* plainAndCounted
      const { manager } = yield* makeCachedManager(counted, settings)
      const typo = { grup: "db", key: "password" } as SecretRequest
      const exit = yield* run(manager, "get", typo)
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(seen(exit), seen(yield* run(plain, "get", typo)))
      assert.include(String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)), "did you mean \"group\"")
      assert.strictEqual(calls.count, 0)
    }))

  for (const [what, bad] of badRequests) {
    it.effect(`${what}: the same error from every operation, nothing looked up, nothing cached`, () =>
      Effect.gen(function*() {
        const { calls, counted, plain } = yield* plainAndCounted
        const { control, manager, stored } = yield* makeCachedManager(counted, settings)
        for (const operation of operations) {
          const expected = seen(yield* run(plain, operation, bad))
          assert.notProperty(expected, "value")
          for (let round = 0; round < 2; round++) {
            assert.deepStrictEqual(seen(yield* run(manager, operation, bad)), expected, `${operation}, round ${round}`)
          }
        }
        const refreshed = yield* Effect.exit(Effect.suspend(() => control.refresh(bad as SecretRequest)))
        assert.deepStrictEqual(seen(refreshed), seen(yield* run(plain, "get", bad)))
        yield* Effect.exit(Effect.suspend(() => control.invalidate(bad as SecretRequest)))
        assert.strictEqual(calls.count, 0)
        assert.deepStrictEqual(stored(), { entries: 0, lastGood: 0, inFlight: 0 })
      }))
  }

  it.effect("SecretsCache.layer refuses an unknown field too", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const exit = yield* Effect.exit(manager.get({ grup: "db", key: "password" } as SecretRequest))
      assert.strictEqual((seen(exit) as { reason?: string }).reason, "InvalidRequest")
    }).pipe(Effect.provide(SecretsCache.layer().pipe(Layer.provide(SecretsManager.layerTest({ env }))))))
})

describe("SecretsCache: one key per request, defaults applied", () => {
  it.effect("{ group, key } and { group, key, encodeMode: \"r\", mountRequirement: \"ANY\" } are one entry", () =>
    Effect.gen(function*() {
      const { calls, counted } = yield* plainAndCounted
      const { manager, stored } = yield* makeCachedManager(counted, settings)
      const spellings: ReadonlyArray<SecretRequest> = [
        { group: "db", key: "password" },
        { group: "db", key: "password", encodeMode: "r" },
        { group: "db", key: "password", mountRequirement: "ANY" },
        { group: "db", key: "password", groupVersion: "", envVar: "", encodeMode: undefined },
        Object.freeze({ key: "password", group: "db" })
      ]
      for (const spelling of spellings) assert.strictEqual(yield* manager.get(spelling), value)
      assert.strictEqual(calls.count, 1)
      assert.deepStrictEqual(stored(), { entries: 1, lastGood: 1, inFlight: 0 })
    }))

  it.effect("a getter that answers differently on each read is read once: the key and the lookup agree", () =>
    Effect.gen(function*() {
      const { counted } = yield* plainAndCounted
      const { manager } = yield* makeCachedManager(counted, settings)
      let reads = 0
      // First "db" (found), then "other" (missing): a second read of the field would look up another secret.
      const shifty = withGetter("group", () => reads++ === 0 ? "db" : "other", { key: "password" })
      assert.strictEqual(yield* manager.get(shifty as SecretRequest), value)
      assert.strictEqual(reads, 1)
      const miss = yield* Effect.flip(manager.get({ group: "other", key: "password" }))
      assert.strictEqual(miss.reason, "NotFound")
    }))

  const target = fc.record({
    group: arbitraryNamePart,
    groupVersion: arbitraryNamePart,
    key: arbitraryNamePart,
    mountRequirement: fc.option(fc.constantFrom("ANY", "ENV_VAR", "FILE"), { nil: undefined }),
    envVar: fc.option(fc.constantFrom("", "A", "DB_PASSWORD", "A_B"), { nil: undefined }),
    encodeMode: fc.option(fc.constantFrom("r", "rb"), { nil: undefined })
  }).map((request) => readRequest(request)).filter((read) => typeof read !== "string")

  it("targetKey: two targets share a key exactly when they are equal", () => {
    fc.assert(
      fc.property(target, target, (a, b) => {
        assert.strictEqual(targetKey(a as never) === targetKey(b as never), JSON.stringify(a) === JSON.stringify(b))
      }),
      { numRuns: 2000 }
    )
  })

  it("targetKey: a Flyte 1 and a Flyte 2 request for the same names have two keys", () => {
    const flyte1 = readRequest({ group: "db", key: "password" })
    const flyte2 = readRequest({ group: "db", key: "password", origin: "flyte2" })
    assert.notStrictEqual(typeof flyte1, "string")
    assert.notStrictEqual(targetKey(flyte1 as never), targetKey(flyte2 as never))
  })
})
