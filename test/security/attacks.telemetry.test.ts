/**
 * Attacks on `SecretsTelemetry` (S9: nothing recorded holds a secret value, a declared variable's content or a path
 * outside the secrets directory) and on `SecretsCache` (S12: refusals, invalidation, copies, stale warnings; S14:
 * bounded memory), from outside: a hostile manager of the user's own, hostile requests, hostile variables.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import {
  makeSecrets,
  Masking,
  Secret,
  SecretNotFound,
  type SecretRequest,
  SecretsCache,
  SecretsConfig,
  SecretsManager,
  type SecretsManagerShape,
  SecretsTelemetry,
  task
} from "../../src/index.ts"
import { Environment } from "../../src/index.ts"
import { makeCachedManager } from "../../src/internal/cache/cachedManager.ts"
import { environmentOver } from "../../src/internal/config/environmentOver.ts"
import { captureLogs } from "../support.ts"
import { attributesOf, everythingRecorded, recording } from "../telemetryRecording.ts"

const value = "Zq9-hostile-VALUE-7781"

/** Every form of `value` a leak could take. */
const forms = (text: string) => [
  text,
  text.slice(0, 10),
  text.slice(-10),
  Buffer.from(text).toString("base64"),
  Buffer.from(text).toString("hex"),
  encodeURIComponent(text)
]

const assertNoForm = (recorded: string, text: string, what: string) => {
  for (const form of forms(text)) assert.notInclude(recorded, form, `${what} holds ${form}`)
}

/**
 * A manager of the user's own that puts the value it read everywhere it can: the reason, the location and the
 * message of its misses, and the defect it dies with.
 */
const hostileManager = (mode: { down: boolean; die: boolean }): SecretsManagerShape => {
  const miss = (request: SecretRequest) =>
    new SecretNotFound({
      group: request.group,
      key: request.key,
      reason: "NotFound",
      attempts: [{ source: `remote ${value}`, location: `vault/${value}`, outcome: "missing", reason: `was ${value}` }]
    })
  const read = (request: SecretRequest): Effect.Effect<string, SecretNotFound> =>
    Effect.suspend(() =>
      mode.die
        ? Effect.die(new Error(`boom ${value}`))
        : mode.down
        ? Effect.fail(miss(request))
        : Effect.succeed(value)
    )
  return {
    get: (request: SecretRequest) =>
      Effect.map(read(request), (v) => request.encodeMode === "rb" ? new TextEncoder().encode(v) : v),
    getRedacted: (request: SecretRequest) =>
      Effect.map(read(request), (v) => Redacted.make(request.encodeMode === "rb" ? new TextEncoder().encode(v) : v)),
    getPath: (request: SecretRequest) => Effect.as(read(request), "/etc/secrets/g/k"),
    locate: (request: SecretRequest) => Effect.as(read(request), { source: `file ${value}`, location: value }),
    watch: () => Stream.make(value)
  } as unknown as SecretsManagerShape
}

const request = { group: "g", key: "k" }

describe("S12 SecretsCache: stale-if-error warnings never hold the value", () => {
  it.effect("a custom manager whose miss embeds the value: the stale warning does not carry it", () => {
    const mode = { down: false, die: false }
    const logs = captureLogs()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get(request), value)
      mode.down = true
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual(yield* manager.get(request), value)
      const cache = yield* SecretsCache
      yield* Effect.exit(cache.refresh(request))
      assert.isAbove(logs.lines.length, 0)
      assertNoForm(JSON.stringify(logs.lines), value, "a stale warning")
    }).pipe(
      Effect.provide(SecretsCache.layer({ staleIfError: "1 hour" })),
      Effect.provide(Layer.succeed(SecretsManager, hostileManager(mode))),
      Effect.provide(logs.layer)
    )
  })
})

describe("S9 SecretsTelemetry: a custom manager through the sync facade and task.sync", () => {
  for (const mode of [{ down: true, die: false }, { down: false, die: true }, { down: false, die: false }]) {
    it(`misses, defects and values (${JSON.stringify(mode)}) stay off what is recorded`, () => {
      const rec = recording()
      const layer = Layer.mergeAll(
        Layer.succeed(SecretsManager, hostileManager(mode)),
        rec.traced,
        Logger.layer([])
      )
      const facade = makeSecrets(layer)
      for (const read of [() => facade.g.k, () => facade.get({ ...request, encodeMode: "rb" })]) {
        try {
          read()
        } catch {
          // Misses and defects are expected here.
        }
      }
      const syncTask = task.sync(
        { name: "sync_task", layer, secretRequests: [new Secret(request)] },
        (_: void, secrets) => secrets.g.k
      )
      try {
        syncTask()
      } catch {
        // As above.
      }
      assert.isAbove(rec.spans.length, 0)
      assertNoForm(everythingRecorded(rec.spans, rec.metrics()), value, "a recording")
    })
  }
})

describe("S9 SecretsTelemetry: a stale warning logged inside a lookup's span, as the tracer logger records it", () => {
  for (const [name, loggers] of [["Effect's default loggers", undefined], ["Masking.layer", Masking.layer]] as const) {
    it.effect(`with ${name}, no span event holds the value a custom manager's failure quotes`, () => {
      const mode = { down: false, die: false }
      const rec = recording()
      const program = Effect.gen(function*() {
        const manager = yield* SecretsManager
        yield* Effect.withSpan(manager.get(request), "outer")
        mode.down = true
        yield* TestClock.adjust("10 minutes")
        yield* Effect.withSpan(manager.get(request), "outer")
        const cache = yield* SecretsCache
        yield* Effect.exit(Effect.withSpan(cache.refresh(request), "outer"))
        const events = rec.spans.flatMap((span) => span.events)
        assert.isAbove(events.length, 0, "the warnings reach the spans as events")
        // The user's own span ends with what the user's program returned: that is the user's to keep out.
        const library = rec.spans.filter((span) => span.name.startsWith("effect_secrets."))
        assertNoForm(everythingRecorded(library, rec.metrics()), value, "a recording")
        assertNoForm(JSON.stringify(events, (_, v) => typeof v === "bigint" ? String(v) : v), value, "an event")
      }).pipe(
        Effect.provide(SecretsCache.layer({ staleIfError: "1 hour" })),
        Effect.provide(Layer.succeed(SecretsManager, hostileManager(mode))),
        Effect.provide(rec.traced)
      )
      return loggers === undefined ? program : Effect.provide(program, loggers)
    })
  }
})

describe("S9 SecretsTelemetry: a custom manager's errors and defects holding the value are not recorded", () => {
  const scenario = (mode: { down: boolean; die: boolean }) => {
    const rec = recording()
    const sync = task(
      { name: "t", secretRequests: [new Secret({ group: "g", key: "k" })] },
      () =>
        Effect.gen(function*() {
          const manager = yield* SecretsManager
          yield* Effect.exit(manager.get(request))
        })
    )
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      for (const operation of ["get", "getRedacted"] as const) {
        const lookup = manager[operation] as (request: SecretRequest) => Effect.Effect<unknown, SecretNotFound>
        yield* Effect.exit(lookup(request))
        yield* Effect.exit(lookup({ ...request, encodeMode: "rb" }))
      }
      yield* Effect.exit(sync())
      assert.isAbove(rec.spans.length, 0)
      assertNoForm(everythingRecorded(rec.spans, rec.metrics()), value, "a recording")
    }).pipe(
      Effect.provide(SecretsCache.layer({ staleIfError: "1 hour" })),
      Effect.provide(Layer.succeed(SecretsManager, hostileManager(mode))),
      Effect.provide(rec.traced),
      Effect.provide(Logger.layer([]))
    )
  }
  it.effect("misses whose reason, location and source embed the value, through the cache and a task", () =>
    scenario({ down: true, die: false }))
  it.effect("defects (Effect.die) whose message embeds the value, through the cache and a task", () =>
    scenario({ down: false, die: true }))
  it.effect("values read and served (found, then stale after a failure)", () => {
    const mode = { down: false, die: false }
    const rec = recording()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* manager.get(request)
      mode.down = true
      yield* TestClock.adjust("10 minutes")
      yield* manager.get(request)
      yield* manager.get({ ...request, encodeMode: "rb" }).pipe(Effect.exit)
      assertNoForm(everythingRecorded(rec.spans, rec.metrics()), value, "a recording")
    }).pipe(
      Effect.provide(SecretsCache.layer({ staleIfError: "1 hour" })),
      Effect.provide(Layer.succeed(SecretsManager, hostileManager(mode))),
      Effect.provide(rec.traced),
      Effect.provide(Logger.layer([]))
    )
  })
})

/** The real manager over a record of variables and the test's own secrets directory name. */
const managerOver = (variables: Record<string, string | undefined>) =>
  SecretsManager.layerNodeFiles.pipe(
    Layer.provide(SecretsConfig.layerWith({ defaultDir: "/nonexistent-secrets-dir" })),
    Layer.provideMerge(Layer.succeed(Environment, environmentOver(variables)))
  )

describe("S9 SecretsTelemetry: a declared variable's content is never recorded", () => {
  const contents = [
    value,
    `relative/${value}`,
    `file:///nonexistent-secrets-dir/${value}`,
    `/tmp/${value}`,
    `/nonexistent-secrets-dir/../tmp/${value}`,
    `/nonexistent-secrets-dir//${value}`,
    ` /nonexistent-secrets-dir-other/${value} `
  ]
  for (const content of contents) {
    it.effect(`a declared variable holding ${JSON.stringify(content)}`, () => {
      const rec = recording()
      return Effect.gen(function*() {
        const manager = yield* SecretsManager
        for (const origin of ["flyte1", "flyte2"] as const) {
          for (const mountRequirement of ["ANY", "FILE", "ENV_VAR"] as const) {
            const secret = { group: "g", key: "k", envVar: "MY_DECLARED", mountRequirement, origin }
            for (const operation of ["get", "getRedacted", "getPath", "locate"] as const) {
              const lookup = manager[operation] as (request: SecretRequest) => Effect.Effect<unknown, SecretNotFound>
              yield* Effect.exit(lookup(secret))
            }
          }
        }
        assertNoForm(everythingRecorded(rec.spans, rec.metrics()), value, "a recording")
      }).pipe(
        Effect.provide(managerOver({ MY_DECLARED: content })),
        Effect.provide(rec.traced),
        Effect.provide(Logger.layer([]))
      )
    })
  }
})

describe("S9 SecretsTelemetry: a declared variable's content through a task, task.sync and the facade", () => {
  const contents = [`/tmp/${value}`, `relative/${value}`, value]
  for (const content of contents) {
    it(`a declared FILE/ANY variable holding ${JSON.stringify(content)}`, () => {
      const rec = recording()
      const layer = Layer.mergeAll(managerOver({ MY_DECLARED: content }), rec.traced, Logger.layer([]))
      const declared = [
        new Secret({ group: "g", key: "k", envVar: "MY_DECLARED", mountRequirement: "FILE" }),
        // One secret declared per mount requirement: two secrets may not share a variable.
        new Secret({ group: "g", key: "k", envVar: "MY_DECLARED" })
      ]
      const syncTask = task.sync(
        { name: "sync_task", layer, secretRequests: declared },
        (_: void, secrets) => [secrets.get({ group: "g", key: "k", envVar: "MY_DECLARED", mountRequirement: "ANY" })]
      )
      try {
        syncTask()
      } catch {
        // A miss is expected for some contents: what matters is what was recorded.
      }
      const effectTask = task(
        { name: "effect_task", secretRequests: declared },
        () => SecretsManager.use((manager) => Effect.exit(manager.get(declared[0]!)))
      )
      Effect.runSync(Effect.provide(Effect.exit(effectTask()), layer))
      const facade = makeSecrets(layer)
      try {
        facade.get(declared[0]!)
      } catch {
        // As above.
      }
      assert.isAbove(rec.named("effect_secrets.preflight").length, 0)
      assertNoForm(everythingRecorded(rec.spans, rec.metrics()), value, "a recording")
    })
  }
})

describe("S9 SecretsTelemetry: requests that are not names are never put on a span", () => {
  it.effect("a Flyte 2 URI group with user info, a query or a fragment holding the value", () => {
    const rec = recording()
    const groups = [
      `https://user:${value}@vault.example/secrets/db`,
      `https://vault.example/secrets/db?token=${value}`,
      `https://vault.example/secrets/db#${value}`,
      `https://vault.example/secrets/${encodeURIComponent("%" + value)}`
    ]
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      for (const group of groups) {
        yield* Effect.exit(manager.get({ group, key: "k", origin: "flyte2" } as never))
      }
      assertNoForm(everythingRecorded(rec.spans, rec.metrics()), value, "a recording")
    }).pipe(
      Effect.provide(SecretsCache.layer()),
      Effect.provide(managerOver({})),
      Effect.provide(rec.traced),
      Effect.provide(Logger.layer([]))
    )
  })
})

describe("S9 SecretsTelemetry: interleaved lookups never share a record", () => {
  it.effect("concurrent lookups, cached and not: each span names only its own secret and its own place", () => {
    const rec = recording()
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`)
    const files = Object.fromEntries(keys.map((key) => [`/etc/secrets/g/${key}`, `${value}-${key}`]))
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* Effect.forEach(
        Array.from({ length: 400 }, (_, i) => keys[(i * 7) % keys.length]!),
        (key) => Effect.exit(Effect.andThen(Effect.yieldNow, manager.locate({ group: "g", key }))),
        { concurrency: "unbounded", discard: true }
      )
      const spans = rec.named("effect_secrets.lookup")
      assert.strictEqual(spans.length, 400)
      assert.isAbove(spans.filter((span) => attributesOf(span)["effect_secrets.location"] !== undefined).length, 0)
      for (const span of spans) {
        const attributes = attributesOf(span)
        const location = attributes["effect_secrets.location"]
        if (location !== undefined) assert.strictEqual(location, `/etc/secrets/g/${attributes["effect_secrets.key"]}`)
      }
      assertNoForm(everythingRecorded(rec.spans, rec.metrics()), value, "a recording")
    }).pipe(
      Effect.provide(SecretsCache.layer()),
      Effect.provide(SecretsManager.layerTest({ files })),
      Effect.provide(rec.traced)
    )
  })
})

describe("S9 SecretsTelemetry: on for part of a program only", () => {
  it.effect("lookups outside the region with the layer make no span and change no metric, joined flights included", () => {
    const rec = recording()
    const files = { "/etc/secrets/g/k": value, "/etc/secrets/g/other": value }
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const gate = yield* Deferred.make<void>()
      const outside = Effect.andThen(Deferred.await(gate), manager.get({ group: "g", key: "other" }))
      yield* manager.get({ group: "g", key: "k" })
      const traced = yield* Effect.forkChild(
        Effect.provide(Effect.andThen(manager.get({ group: "g", key: "k" }), outside), SecretsTelemetry.layer)
      )
      const untraced = yield* Effect.forkChild(outside)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(traced)
      yield* Fiber.join(untraced)
      yield* manager.get({ group: "g", key: "other" })
      assert.strictEqual(rec.named("effect_secrets.lookup").length, 2)
      assert.strictEqual(rec.count("effect_secrets.lookups"), 2)
      assertNoForm(everythingRecorded(rec.spans, rec.metrics()), value, "a recording")
    }).pipe(
      Effect.provide(SecretsCache.layer()),
      Effect.provide(SecretsManager.layerTest({ files })),
      Effect.provide(rec.observers)
    )
  })
})

describe("S9 SecretsTelemetry: watch rotations", () => {
  it.effect("rotations through the cache are counted with no value, no span per poll", () => {
    const rec = recording()
    const variables: Record<string, string | undefined> = { FLYTE_SECRETS_W_K: `${value}-1` }
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const watching = yield* Stream.runCollect(Stream.take(manager.watch({ group: "w", key: "k" }), 3)).pipe(
        Effect.forkChild
      )
      yield* TestClock.adjust("1 second")
      variables.FLYTE_SECRETS_W_K = `${value}-2`
      yield* TestClock.adjust("1 second")
      variables.FLYTE_SECRETS_W_K = `${value}-3`
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(watching)
      assert.strictEqual(rec.count("effect_secrets.rotations"), 2)
      assert.strictEqual(rec.named("effect_secrets.lookup").length, 0)
      assertNoForm(everythingRecorded(rec.spans, rec.metrics()), value, "a recording")
    }).pipe(
      Effect.provide(SecretsCache.layer()),
      Effect.provide(managerOver(variables)),
      Effect.provide(rec.traced),
      Effect.provide(Logger.layer([]))
    )
  })
})

describe("S9 SecretsTelemetry: masked loggers' count carries no value", () => {
  it.effect("the masked metric's attributes and the spans stay free of a value logged", () => {
    const rec = recording()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const read = yield* manager.get(request)
      yield* Effect.log(`the value is ${read} and ${read}`).pipe(Effect.withSpan(`user span`))
      assertNoForm(everythingRecorded(rec.spans.filter((s) => s.name !== "user span"), rec.metrics()), value, "x")
    }).pipe(
      Effect.provide(Masking.layer),
      Effect.provide(Logger.layer([])),
      Effect.provide(Layer.succeed(SecretsManager, hostileManager({ down: false, die: false }))),
      Effect.provide(rec.traced)
    )
  })
})

describe("S12 SecretsCache: invalidation, copies, hostile requests", () => {
  const settings = { timeToLive: 300_000, missTimeToLive: 1_000, staleIfError: 3_600_000, capacity: 1_000 }
  it.effect("invalidateAll during a failing read: no stale value served after it", () => {
    const mode = { down: false, die: false }
    return Effect.gen(function*() {
      const { control, manager } = yield* makeCachedManager(hostileManager(mode), settings)
      assert.strictEqual(yield* manager.get(request), value)
      mode.down = true
      yield* TestClock.adjust("10 minutes")
      yield* control.invalidateAll
      const exit = yield* Effect.exit(manager.get(request))
      assert.isTrue(Exit.isFailure(exit))
    }).pipe(Effect.provide(Logger.layer([])))
  })

  it.effect("bytes handed out and zeroed by the caller do not change the cached value", () =>
    Effect.gen(function*() {
      const { manager } = yield* makeCachedManager(hostileManager({ down: false, die: false }), settings)
      const first = (yield* manager.get({ ...request, encodeMode: "rb" })) as Uint8Array
      first.fill(0)
      const redacted = (yield* manager.getRedacted({ ...request, encodeMode: "rb" })) as Redacted.Redacted<Uint8Array>
      Redacted.value(redacted).fill(0)
      const second = (yield* manager.get({ ...request, encodeMode: "rb" })) as Uint8Array
      assert.strictEqual(new TextDecoder().decode(second), value)
      const third = Redacted.value(
        (yield* manager.getRedacted({ ...request, encodeMode: "rb" })) as Redacted.Redacted<Uint8Array>
      )
      assert.strictEqual(new TextDecoder().decode(third), value)
    }))

  it.effect("a Redacted handed out and wiped by the caller does not wipe the cached value", () =>
    Effect.gen(function*() {
      const { manager } = yield* makeCachedManager(hostileManager({ down: false, die: false }), settings)
      const first = (yield* manager.getRedacted(request)) as Redacted.Redacted<string>
      Redacted.wipeUnsafe(first)
      const second = (yield* manager.getRedacted(request)) as Redacted.Redacted<string>
      assert.strictEqual(Redacted.value(second), value)
      assert.strictEqual(yield* manager.get(request), value)
    }))

  it.effect("a location handed out and changed by the caller does not change what the cache hands out next", () =>
    Effect.gen(function*() {
      const { manager } = yield* makeCachedManager(yield* SecretsManager, settings)
      const first = (yield* manager.locate(request)) as unknown as {
        location: string
        tried: Array<unknown>
      }
      const expected = JSON.stringify(first)
      first.location = "/tmp/elsewhere"
      first.tried.push({ source: "evil" })
      ;(first.tried[0] as { location: string }).location = "changed"
      const second = yield* manager.locate(request)
      assert.strictEqual(JSON.stringify(second), expected)
    }).pipe(Effect.provide(SecretsManager.layerTest({ files: { "/etc/secrets/g/k": value } }))))

  it.effect("hostile requests (__proto__, getters, proxies, odd fields) are refused exactly as the manager refuses", () => {
    const hostile = (): ReadonlyArray<unknown> => {
      let reads = 0
      return [
        JSON.parse(`{"group":"g","key":"k","__proto__":{"encodeMode":"rb"}}`),
        Object.assign(Object.create({ key: "k" }), { group: "g" }),
        {
          group: "g",
          get key() {
            return reads++ === 0 ? "k" : "../../etc/passwd"
          }
        },
        new Proxy({ group: "g", key: "k" }, { ownKeys: () => ["group", "key", "constructor"] }),
        { group: "g", key: "k", encodeMode: "rb", extra: value },
        { group: "../g", key: "k" },
        { group: "g", key: "k\n" },
        { group: "g", key: "k", constructor: 1 },
        Object.freeze({ group: "g", key: "k", mountRequirement: "FILE" }),
        null,
        undefined,
        "g/k",
        42,
        [],
        { group: 1, key: "k" },
        { group: "g", key: "k", encodeMode: "x" },
        { group: "g", key: "k", envVar: "lower-case" },
        { group: "g", key: "k", origin: "flyte3" },
        { key: "k", origin: "flyte2", groupVersion: "v1" },
        { group: "g", key: "k".repeat(5000) },
        new Proxy({}, {
          ownKeys: () => {
            throw new Error(value)
          }
        })
      ]
    }
    const underlying = SecretsManager.layerTest({ env: { _FSEC_G_K: value }, files: {} })
    return Effect.gen(function*() {
      const direct = yield* SecretsManager
      const { manager: cached } = yield* makeCachedManager(direct, settings)
      const outcome = (exit: Exit.Exit<unknown, unknown>) =>
        Exit.isSuccess(exit) ? "success" : JSON.stringify((exit.cause as never as { reasons: unknown }).reasons)
      const expected = hostile()
      const actual = hostile()
      // A request whose own traps throw throws where it is read: the same through both.
      const attempt = (read: () => Effect.Effect<unknown, unknown>) => {
        try {
          return Effect.map(Effect.exit(read()), outcome)
        } catch (error) {
          return Effect.succeed(`threw ${String(error)}`)
        }
      }
      for (let i = 0; i < expected.length; i++) {
        const viaManager = yield* attempt(() => direct.get(expected[i] as never))
        const viaCache = yield* attempt(() => cached.get(actual[i] as never))
        assert.strictEqual(viaCache, viaManager, `request ${i}`)
      }
    }).pipe(Effect.provide(underlying), Effect.provide(Logger.layer([])))
  })
})

describe("S12 SecretsCache: an invalidation is never undone by reads in flight (storm)", () => {
  const settings = { timeToLive: 300_000, missTimeToLive: 1_000, staleIfError: 3_600_000, capacity: 1_000 }
  it.effect("gets and refreshes in flight with the old value, then invalidateAll: every later read has the new one", () => {
    const state = { current: "old-value-1234", gate: undefined as Deferred.Deferred<void> | undefined }
    const gated = (request: SecretRequest): Effect.Effect<string | Uint8Array> =>
      Effect.suspend(() => {
        const seen = state.current
        const wait = state.gate === undefined ? Effect.void : Deferred.await(state.gate)
        return Effect.as(wait, request.encodeMode === "rb" ? new TextEncoder().encode(seen) : seen)
      })
    const underlying = {
      get: gated,
      getRedacted: (request: SecretRequest) => Effect.map(gated(request), Redacted.make),
      getPath: () => Effect.succeed("/etc/secrets/g/k"),
      locate: () => Effect.succeed({ source: "file", location: "/etc/secrets/g" }),
      watch: () => Stream.empty
    } as unknown as SecretsManagerShape
    return Effect.gen(function*() {
      const { control, manager } = yield* makeCachedManager(underlying, settings)
      assert.strictEqual(yield* manager.get(request), "old-value-1234")
      state.gate = yield* Deferred.make<void>()
      yield* TestClock.adjust("10 minutes")
      const inFlight = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 50 }, (_, i) =>
            i % 3 === 0
              ? Effect.exit(control.refresh(request))
              : i % 3 === 1
              ? Effect.exit(manager.get(request))
              : Effect.exit(manager.getRedacted(request))),
          { concurrency: "unbounded" }
        )
      )
      yield* Effect.yieldNow
      state.current = "new-value-5678"
      yield* control.invalidateAll
      yield* Deferred.succeed(state.gate, undefined)
      yield* Fiber.join(inFlight)
      state.gate = undefined
      assert.strictEqual(yield* manager.get(request), "new-value-5678")
      assert.strictEqual(
        Redacted.value((yield* manager.getRedacted(request)) as Redacted.Redacted<string>),
        "new-value-5678"
      )
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual(yield* manager.get(request), "new-value-5678")
    })
  })
})

describe("S14 SecretsCache: memory stays bounded", () => {
  it.effect("100k distinct requests keep at most capacity entries and last good values", () =>
    Effect.gen(function*() {
      const { manager, stored } = yield* makeCachedManager(hostileManager({ down: false, die: false }), {
        timeToLive: 300_000,
        missTimeToLive: 1_000,
        staleIfError: 3_600_000,
        capacity: 100
      })
      for (let i = 0; i < 100_000; i++) yield* manager.get({ group: "g", key: `k${i}` })
      const held = stored()
      assert.isAtMost(held.entries, 100)
      assert.isAtMost(held.lastGood, 100)
      assert.strictEqual(held.inFlight, 0)
    }), 120_000)

  it.effect("refreshes of requests with huge envVar names store no entry under a key past the read path's bound", () =>
    Effect.gen(function*() {
      const { control, manager, stored } = yield* makeCachedManager(hostileManager({ down: false, die: false }), {
        timeToLive: 300_000,
        missTimeToLive: 1_000,
        staleIfError: 3_600_000,
        capacity: 100
      })
      for (let i = 0; i < 20; i++) {
        const huge = { group: "g", key: "k", envVar: `V${i}_${"A".repeat(100_000)}` }
        yield* control.refresh(huge)
        assert.strictEqual(yield* manager.get(huge), value)
      }
      const held = stored()
      assert.strictEqual(held.entries, 0, "a key past the bound is read through, never stored")
      assert.strictEqual(held.lastGood, 0)
    }))

  it.effect(
    "100k distinct misses, read concurrently, keep at most capacity entries and nothing in flight after",
    () =>
      Effect.gen(function*() {
        const { manager, stored } = yield* makeCachedManager(hostileManager({ down: true, die: false }), {
          timeToLive: 300_000,
          missTimeToLive: 60_000,
          staleIfError: 3_600_000,
          capacity: 100
        })
        yield* Effect.forEach(
          Array.from({ length: 100_000 }, (_, i) => i),
          (i) => Effect.exit(manager.get({ group: "g", key: `k${i}` })),
          { concurrency: 64, discard: true }
        )
        const held = stored()
        assert.isAtMost(held.entries, 100)
        assert.isAtMost(held.lastGood, 100)
        assert.strictEqual(held.inFlight, 0)
      }),
    120_000
  )
})
