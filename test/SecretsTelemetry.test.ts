import { assert, describe, it } from "@effect/vitest"
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { main, watchNamed } from "../examples/telemetry.ts"
import {
  Environment,
  makeSecrets,
  Masking,
  Secret,
  SecretNotFound,
  SecretsCache,
  SecretsConfig,
  SecretsManager,
  type SecretsManagerShape,
  task
} from "../src/index.ts"
import { environmentOver } from "../src/internal/config/environmentOver.ts"
import { thrownBy } from "./support.ts"
import { attributesOf, everythingRecorded, recording, telemetryTestManager } from "./telemetryRecording.ts"

const testManager = telemetryTestManager

/** A manager over a record of variables the test changes as it goes. */
const managerOverRecord = (record: Record<string, string | undefined>) =>
  SecretsManager.layerNodeFiles.pipe(
    Layer.provide(SecretsConfig.layerWith({ defaultDir: "/nonexistent-secrets-dir" })),
    Layer.provideMerge(Layer.succeed(Environment, environmentOver(record)))
  )

/** Every operation, found and missed: what a program reads. */
const everyOperation = Effect.gen(function*() {
  const manager = yield* SecretsManager
  yield* manager.get({ group: "g", key: "env_key" })
  yield* manager.get({ group: "g", key: "file_key", encodeMode: "rb" })
  yield* manager.getRedacted({ group: "g", key: "file_key" })
  yield* manager.getPath({ group: "g", key: "file_key" })
  yield* manager.locate({ group: "g", key: "env_key" })
  yield* Effect.exit(manager.get({ group: "g", key: "absent" }))
  yield* Effect.exit(manager.get({ group: "g", key: "binary" }))
  yield* Effect.exit(manager.get({}))
})

describe("SecretsTelemetry off (the default)", () => {
  it.effect("without the layer no span is made and no metric changes", () => {
    const { metrics, observers, spans } = recording()
    const record: Record<string, string | undefined> = { FLYTE_SECRETS_W_K: "first-value" }
    const sync = task({ name: "t", secretRequests: [new Secret({ group: "g", key: "absent" })] }, () => Effect.void)
    return Effect.gen(function*() {
      yield* everyOperation.pipe(Effect.provide(testManager))
      yield* everyOperation.pipe(Effect.provide(SecretsCache.layer()), Effect.provide(testManager))
      yield* Effect.exit(sync()).pipe(Effect.provide(testManager))
      const watching = yield* Stream.runCollect(
        Stream.take(
          SecretsManager.use((m) => Effect.succeed(m.watch({ group: "w", key: "k" }))).pipe(
            Stream.unwrap
          ),
          2
        )
      ).pipe(Effect.provide(managerOverRecord(record)), Effect.forkChild)
      yield* TestClock.adjust("1 second")
      record.FLYTE_SECRETS_W_K = "second-value"
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(watching)
      yield* Effect.log("first-value").pipe(Effect.provide(Masking.layer), Effect.provide(Logger.layer([])))
      assert.deepStrictEqual(spans, [])
      assert.deepStrictEqual(metrics(), [])
    }).pipe(Effect.provide(observers))
  })
})

describe("SecretsTelemetry.layer: lookups", () => {
  it.effect("a found lookup records one effect_secrets.lookup span: operation, name, encoding, outcome, source, location, attempts", () => {
    const { named, traced } = recording()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* manager.get({ group: "g", key: "env_key" })
      yield* manager.getRedacted({ group: "g", key: "file_key", groupVersion: "v1", encodeMode: "rb" }).pipe(
        Effect.exit
      )
      yield* manager.getRedacted({ group: "g", key: "file_key", encodeMode: "rb" })
      yield* manager.getPath({ group: "g", key: "file_key" })
      yield* manager.locate({ group: "g", key: "env_key" })
      const [get, , redacted, path, locate] = named("effect_secrets.lookup").map(attributesOf)
      assert.deepStrictEqual(get, {
        "effect_secrets.operation": "get",
        "effect_secrets.encode_mode": "r",
        "effect_secrets.group": "g",
        "effect_secrets.key": "env_key",
        "effect_secrets.outcome": "found",
        "effect_secrets.source": "env",
        "effect_secrets.location": "FLYTE_SECRETS_G_ENV_KEY",
        "effect_secrets.attempts": 1
      })
      assert.strictEqual(redacted!["effect_secrets.operation"], "getRedacted")
      assert.strictEqual(redacted!["effect_secrets.encode_mode"], "rb")
      assert.strictEqual(redacted!["effect_secrets.source"], "file")
      assert.strictEqual(redacted!["effect_secrets.location"], "/etc/secrets/g/file_key")
      assert.isAbove(redacted!["effect_secrets.attempts"] as number, 1)
      assert.strictEqual(path!["effect_secrets.operation"], "getPath")
      assert.strictEqual(locate!["effect_secrets.operation"], "locate")
      assert.strictEqual(named("effect_secrets.lookup")[1]!.attributes.get("effect_secrets.group_version"), "v1")
      assert.strictEqual(named("effect_secrets.lookup").length, 5)
    }).pipe(Effect.provide(testManager), Effect.provide(traced))
  })

  it.effect("a miss ends its span with an error status, error.type SecretNotFound, and no message from the error", () => {
    const { named, traced } = recording()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const exit = yield* Effect.exit(manager.get({ group: "g", key: "absent" }))
      assert.isTrue(Exit.isFailure(exit))
      const [span] = named("effect_secrets.lookup")
      const attributes = attributesOf(span!)
      assert.strictEqual(attributes["effect_secrets.outcome"], "NotFound")
      assert.strictEqual(attributes["error.type"], "SecretNotFound")
      assert.isUndefined(attributes["effect_secrets.source"])
      assert.isAbove(attributes["effect_secrets.attempts"] as number, 1)
      assert(span!.status._tag === "Ended" && Exit.isFailure(span!.status.exit))
      const recorded = everythingRecorded([span!], [])
      assert.include(recorded, "SecretNotFound: NotFound")
      assert.notInclude(recorded, "Secret not found")
      assert.notInclude(recorded, "FLYTE_SECRETS_G_ABSENT")
    }).pipe(Effect.provide(testManager), Effect.provide(traced))
  })

  it.effect("a refusal, a malformed request and an undeclared request have their own outcomes", () => {
    const { named, traced } = recording()
    const strict = task(
      {
        name: "strict_task",
        strict: true,
        preflight: false,
        secretRequests: [new Secret({ group: "g", key: "env_key" })]
      },
      () => SecretsManager.use((manager) => Effect.exit(manager.get({ group: "g", key: "other" } as never)))
    )
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* Effect.exit(manager.get({ group: "g", key: "binary" }))
      yield* Effect.exit(manager.get({}))
      yield* strict()
      const outcomes = named("effect_secrets.lookup").map((span) => span.attributes.get("effect_secrets.outcome"))
      assert.deepStrictEqual(outcomes, ["Refused", "InvalidRequest", "Undeclared"])
      assert.strictEqual(named("effect_secrets.lookup")[2]!.attributes.get("effect_secrets.task"), "strict_task")
    }).pipe(Effect.provide(testManager), Effect.provide(traced))
  })

  it.effect("metrics: lookups by outcome and by source when found, one duration sample per lookup, no name in any attribute", () => {
    const { count, metrics, traced } = recording()
    return Effect.gen(function*() {
      yield* everyOperation
      assert.strictEqual(count("effect_secrets.lookups", { outcome: "found", source: "env" }), 2)
      assert.strictEqual(count("effect_secrets.lookups", { outcome: "found", source: "file" }), 3)
      assert.strictEqual(count("effect_secrets.lookups", { outcome: "NotFound" }), 1)
      assert.strictEqual(count("effect_secrets.lookups", { outcome: "Refused" }), 1)
      assert.strictEqual(count("effect_secrets.lookups", { outcome: "InvalidRequest" }), 1)
      assert.strictEqual(count("effect_secrets.lookup.duration"), 8)
      for (const metric of metrics()) {
        for (const key of Object.keys(metric.attributes ?? {})) {
          assert.include(["outcome", "source", "result", "time_unit"], key)
        }
      }
    }).pipe(Effect.provide(testManager), Effect.provide(traced))
  })

  it.effect("a name is emitted as it is, however secret it looks; a malformed one (a path, a line break) is not", () => {
    const { named, traced } = recording()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* Effect.exit(manager.get({ group: "sk_live_51Habc", key: "ghp_16C7e42F292c6912E7710c8" }))
      yield* Effect.exit(manager.get({ group: "../../etc", key: "passwd" }))
      yield* Effect.exit(manager.get({ group: "g", key: "a\nforged: line" }))
      const [secretLooking, path, forged] = named("effect_secrets.lookup").map(attributesOf)
      assert.strictEqual(secretLooking!["effect_secrets.group"], "sk_live_51Habc")
      assert.strictEqual(secretLooking!["effect_secrets.key"], "ghp_16C7e42F292c6912E7710c8")
      for (const refused of [path!, forged!]) {
        assert.strictEqual(refused["effect_secrets.outcome"], "InvalidRequest")
        assert.isUndefined(refused["effect_secrets.key"])
        assert.isUndefined(refused["effect_secrets.group"])
      }
    }).pipe(Effect.provide(SecretsCache.layer()), Effect.provide(testManager), Effect.provide(traced))
  })

  it.effect("a Flyte 2 name is judged by Flyte 2's rules: a group holding / (a Vault path) is on its span", () => {
    const { named, traced } = recording()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* Effect.exit(manager.get({ group: "kv/app", key: "token", origin: "flyte2", mountRequirement: "FILE" }))
      const [span] = named("effect_secrets.lookup").map(attributesOf)
      assert.strictEqual(span!["effect_secrets.group"], "kv/app")
      assert.strictEqual(span!["effect_secrets.key"], "token")
      assert.strictEqual(span!["effect_secrets.outcome"], "NotFound")
    }).pipe(Effect.provide(testManager), Effect.provide(traced))
  })

  it.effect("concurrent lookups each record their own span: no source or outcome crosses to another", () => {
    const { named, traced } = recording()
    const requests = Array.from(
      { length: 400 },
      (_, i) => [{ group: "g", key: "env_key" }, { group: "g", key: "file_key" }, { group: "g", key: "absent" }][i % 3]!
    )
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* Effect.forEach(requests, (request) => Effect.exit(manager.get(request)), { concurrency: "unbounded" })
      const spans = named("effect_secrets.lookup").map(attributesOf)
      assert.strictEqual(spans.length, 400)
      for (const span of spans) {
        const expected = {
          env_key: ["found", "FLYTE_SECRETS_G_ENV_KEY"],
          file_key: ["found", "/etc/secrets/g/file_key"],
          absent: ["NotFound", undefined]
        }[span["effect_secrets.key"] as "env_key" | "file_key" | "absent"]
        assert.deepStrictEqual([span["effect_secrets.outcome"], span["effect_secrets.location"]], expected)
      }
    }).pipe(Effect.provide(testManager), Effect.provide(traced))
  })

  it.effect("a lookup inside the app's own span is its child", () => {
    const { named, traced } = recording()
    return Effect.gen(function*() {
      yield* SecretsManager.use((manager) => manager.get({ group: "g", key: "env_key" })).pipe(
        Effect.withSpan("handle-request")
      )
      const [lookup] = named("effect_secrets.lookup")
      const [request] = named("handle-request")
      assert(lookup!.parent._tag === "Some")
      assert.strictEqual(lookup!.parent.value.spanId, request!.spanId)
    }).pipe(Effect.provide(testManager), Effect.provide(traced))
  })
})

describe("SecretsTelemetry.layer: the cache", () => {
  it.effect("one span per lookup through the cache: miss, hit, then stale once the source fails; cache.lookups by result", () => {
    const { count, named, traced } = recording()
    const record: Record<string, string | undefined> = { FLYTE_SECRETS_C_K: "cached-value" }
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* manager.get({ group: "c", key: "k" })
      yield* manager.get({ group: "c", key: "k" })
      delete record.FLYTE_SECRETS_C_K
      yield* TestClock.adjust("6 minutes")
      yield* manager.get({ group: "c", key: "k" })
      const spans = named("effect_secrets.lookup").map(attributesOf)
      assert.deepStrictEqual(spans.map((span) => span["effect_secrets.cache"]), ["miss", "hit", "stale"])
      assert.deepStrictEqual(spans.map((span) => span["effect_secrets.outcome"]), ["found", "found", "found"])
      assert.strictEqual(spans[0]!["effect_secrets.source"], "env")
      assert.strictEqual(spans[0]!["effect_secrets.location"], "FLYTE_SECRETS_C_K")
      assert.strictEqual(count("effect_secrets.cache.lookups", { result: "miss" }), 1)
      assert.strictEqual(count("effect_secrets.cache.lookups", { result: "hit" }), 1)
      assert.strictEqual(count("effect_secrets.cache.lookups", { result: "stale" }), 1)
      assert.strictEqual(count("effect_secrets.lookups"), 3)
    }).pipe(
      Effect.provide(SecretsCache.layer()),
      Effect.provide(managerOverRecord(record)),
      Effect.provide(traced),
      Effect.provide(Logger.layer([]))
    )
  })

  it.effect("a custom manager's failure through the cache: neither its message nor a value in it reaches the tracer", () => {
    const { metrics, named, spans, traced } = recording()
    const leaky: SecretsManagerShape = {
      get: ((request: { key?: string }) =>
        request.key === "dies"
          ? Effect.die(new Error("connection string postgres://admin:hunter2-pw@db"))
          : Effect.fail(
            new SecretNotFound({
              key: "fails",
              reason: "NotFound",
              attempts: [{ source: "vault", location: "kv", outcome: "missing", reason: "stored hunter2-pw is stale" }]
            })
          )) as never,
      getRedacted: (() => Effect.die("hunter2-pw")) as never,
      getPath: () => Effect.die("hunter2-pw"),
      locate: () => Effect.die("hunter2-pw"),
      watch: (() => Stream.die("hunter2-pw")) as never
    }
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      yield* Effect.exit(manager.get({ key: "dies" }))
      yield* Effect.exit(manager.get({ key: "fails" }))
      const [died, failed] = named("effect_secrets.lookup").map(attributesOf)
      assert.strictEqual(died!["error.type"], "Defect")
      assert.isUndefined(died!["effect_secrets.outcome"])
      assert.strictEqual(failed!["error.type"], "SecretNotFound")
      assert.notInclude(everythingRecorded(spans, metrics()), "hunter2")
    }).pipe(
      Effect.provide(SecretsCache.layer()),
      Effect.provide(Layer.succeed(SecretsManager, leaky)),
      Effect.provide(traced)
    )
  })
})

describe("SecretsTelemetry.layer: tasks, the facade, watch and masking", () => {
  it.effect("a task's preflight span names the task and counts declared and missing; its lookups inside, its body's named", () => {
    const { named, traced } = recording()
    const declared = [new Secret({ group: "g", key: "env_key" }), new Secret({ group: "g", key: "absent" })]
    const failing = task({ name: "failing_task", secretRequests: declared }, () => Effect.void)
    const passing = task(
      { name: "passing_task", secretRequests: [declared[0]!] },
      (_: void, secrets) => secrets.get({ group: "g", key: "env_key" })
    )
    return Effect.gen(function*() {
      yield* Effect.exit(failing())
      yield* passing()
      const [failed, passed] = named("effect_secrets.preflight")
      assert.deepStrictEqual(attributesOf(failed!), {
        "effect_secrets.task": "failing_task",
        "effect_secrets.declared": 2,
        "effect_secrets.missing": 1,
        "error.type": "MissingSecrets"
      })
      assert.strictEqual(passed!.attributes.get("effect_secrets.missing"), 0)
      const lookups = named("effect_secrets.lookup")
      const inside = lookups.filter((span) =>
        span.parent._tag === "Some" && span.parent.value.spanId === failed!.spanId
      )
      assert.strictEqual(inside.length, 2)
      assert.deepStrictEqual(inside.map((span) => span.attributes.get("effect_secrets.operation")), [
        "locate",
        "locate"
      ])
      const body = lookups.at(-1)!
      assert.strictEqual(body.attributes.get("effect_secrets.operation"), "get")
      assert.strictEqual(body.attributes.get("effect_secrets.task"), "passing_task")
    }).pipe(Effect.provide(testManager), Effect.provide(traced))
  })

  it("a facade and a task.sync over a layer that provides it record their lookups and preflight", () => {
    const { named, traced } = recording()
    const layer = Layer.mergeAll(testManager, traced)
    const facade = makeSecrets(layer)
    assert.strictEqual(facade.g.env_key, "env-value-5678")
    assert.throws(() => facade.get({ group: "g", key: "absent" }))
    const syncTask = task.sync(
      { name: "sync_task", layer, secretRequests: [new Secret({ group: "g", key: "env_key" })] },
      (_: void, secrets) => secrets.g.env_key
    )
    assert.strictEqual(syncTask(), "env-value-5678")
    assert.isAtLeast(named("effect_secrets.lookup").length, 3)
    assert.strictEqual(named("effect_secrets.preflight")[0]!.attributes.get("effect_secrets.task"), "sync_task")
    const body = named("effect_secrets.lookup").at(-1)!
    assert.strictEqual(body.attributes.get("effect_secrets.operation"), "get")
    assert.strictEqual(body.attributes.get("effect_secrets.task"), "sync_task")
  })

  it("a strict task.sync records a span for an undeclared request through its facade, as for every other lookup", () => {
    const { count, named, spans, traced } = recording()
    const layer = Layer.mergeAll(testManager, traced)
    const strictTask = task.sync(
      { name: "strict_sync", strict: true, preflight: false, layer, secretRequests: [{ group: "g", key: "env_key" }] },
      (_: void, secrets) => {
        const found = secrets.g.env_key
        const refused = [
          () => (secrets as any).g.file_key,
          () => secrets.get({ group: "g", key: "file_key" } as never),
          () => secrets.getPath({ group: "g", key: "env_key", mountRequirement: "FILE" } as never)
        ].map((lookup) => {
          try {
            return lookup()
          } catch (error) {
            return (error as SecretNotFound).reason
          }
        })
        return [found, ...refused]
      }
    )
    assert.deepStrictEqual(strictTask(), ["env-value-5678", "Undeclared", "Undeclared", "Undeclared"])
    const lookups = named("effect_secrets.lookup").map(attributesOf)
    assert.deepStrictEqual(
      lookups.map((
        span
      ) => [span["effect_secrets.operation"], span["effect_secrets.key"], span["effect_secrets.outcome"]]),
      [["get", "env_key", "found"], ["get", "file_key", "Undeclared"], ["get", "file_key", "Undeclared"], [
        "getPath",
        "env_key",
        "Undeclared"
      ]]
    )
    for (const span of lookups.slice(1)) {
      assert.strictEqual(span["effect_secrets.task"], "strict_sync")
      assert.strictEqual(span["effect_secrets.group"], "g")
      assert.strictEqual(span["error.type"], "SecretNotFound")
    }
    assert.strictEqual(count("effect_secrets.lookups", { outcome: "Undeclared" }), 3)
    const text = everythingRecorded(spans, [])
    for (const value of ["env-value-5678", "file-value-1234"]) assert.notInclude(text, value)
  })

  it("a facade read that tries both spellings of a group at each place records one span", () => {
    const { named, traced } = recording()
    const layer = Layer.mergeAll(SecretsManager.layerTest({ files: { "/etc/secrets/my-api-keys/token": "t" } }), traced)
    assert.strictEqual(makeSecrets(layer).my_api_keys.token, "t")
    const spans = named("effect_secrets.lookup").map(attributesOf)
    assert.strictEqual(spans.length, 1)
    assert.strictEqual(spans[0]!["effect_secrets.outcome"], "found")
    assert.strictEqual(spans[0]!["effect_secrets.location"], "/etc/secrets/my-api-keys/token")
  })

  it("a facade read that tries both spellings of a group counts each place tried once, as its miss lists them", () => {
    const { named, traced } = recording()
    const layer = Layer.mergeAll(SecretsManager.layerTest({ files: { "/etc/secrets/my-api-keys/token": "t" } }), traced)
    const secrets = makeSecrets(layer)
    // The two spellings share a variable (my-api-keys's shell-safe spelling is my_api_keys's name).
    const miss = thrownBy(() => (secrets as any).my_api_keys.absent) as SecretNotFound
    assert.strictEqual(secrets.my_api_keys.token, "t")
    const [missed, found] = named("effect_secrets.lookup").map(attributesOf)
    assert.strictEqual(missed!["effect_secrets.attempts"], miss.attempts.length)
    // Found at the fourth place: both spellings' variables, then my_api_keys's file, then my-api-keys's.
    assert.deepStrictEqual(miss.attempts.slice(0, 3).map((attempt) => attempt.source), ["env", "env", "file"])
    assert.strictEqual(found!["effect_secrets.attempts"], 4)
  })

  it("a facade over a layer without it records nothing", () => {
    const { metrics, observers, spans } = recording()
    const facade = makeSecrets(Layer.mergeAll(testManager, observers))
    assert.strictEqual(facade.g.env_key, "env-value-5678")
    assert.throws(() => facade.get({ group: "g", key: "absent" }))
    assert.deepStrictEqual(spans, [])
    assert.deepStrictEqual(metrics(), [])
  })

  it.effect("watch counts each new value after the first as a rotation; its polls make no lookup span", () => {
    const { count, named, traced } = recording()
    const record: Record<string, string | undefined> = { FLYTE_SECRETS_W_K: "first-value" }
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const watching = yield* Effect.forkChild(
        Stream.runCollect(Stream.take(manager.watch({ group: "w", key: "k" }), 3))
      )
      yield* TestClock.adjust("1 second")
      record.FLYTE_SECRETS_W_K = "second-value"
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("1 second")
      record.FLYTE_SECRETS_W_K = "third-value"
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(watching), ["first-value", "second-value", "third-value"])
      assert.strictEqual(count("effect_secrets.rotations"), 2)
      assert.deepStrictEqual(named("effect_secrets.lookup"), [])
    }).pipe(Effect.provide(managerOverRecord(record)), Effect.provide(traced))
  })

  it.effect("rotations are counted per secret under the attribute an app adds to its watch (examples/telemetry.ts)", () => {
    const { count, traced } = recording()
    const record: Record<string, string | undefined> = { FLYTE_SECRETS_BILLING_API_TOKEN: "first-token" }
    return Effect.gen(function*() {
      const watching = yield* Effect.forkChild(Stream.runCollect(Stream.take(watchNamed("billing-token"), 2)))
      yield* TestClock.adjust("1 second")
      record.FLYTE_SECRETS_BILLING_API_TOKEN = "second-token"
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(watching)
      assert.strictEqual(count("effect_secrets.rotations", { secret: "billing-token" }), 1)
    }).pipe(Effect.provide(managerOverRecord(record)), Effect.provide(traced))
  })

  it.effect("the masked loggers count each replacement; Masking.mask counts nothing", () => {
    const { count, traced } = recording()
    const lines: Array<string> = []
    const collected = Logger.make<unknown, string>(({ message }) => String(message))
    const collect = Logger.map(Masking.logger(collected), (line) => void lines.push(line))
    return Effect.gen(function*() {
      Masking.register("masked-value-one")
      Masking.register("masked-value-two")
      assert.strictEqual(Masking.mask("masked-value-one"), "<redacted>")
      assert.strictEqual(count("effect_secrets.masked"), 0)
      yield* Effect.log("a masked-value-one b masked-value-two c masked-value-one").pipe(
        Effect.provide(Logger.layer([collect]))
      )
      yield* Effect.log("nothing here <redacted>").pipe(Effect.provide(Logger.layer([collect])))
      assert.deepStrictEqual(lines, ["a <redacted> b <redacted> c <redacted>", "nothing here <redacted>"])
      assert.strictEqual(count("effect_secrets.masked"), 3)
    }).pipe(Effect.provide(traced))
  })
})

describe("SecretsTelemetry through @effect/opentelemetry (examples/telemetry.ts)", () => {
  it.effect("the example exports the task's preflight and lookups as OpenTelemetry spans and the metrics by name", () => {
    const spans = new InMemorySpanExporter()
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
    const secrets = SecretsManager.layerTest({ env: { FLYTE_SECRETS_BILLING_API_TOKEN: "billing-token-0042" } })
    return Effect.gen(function*() {
      const synced = yield* main(secrets, spans, reader)
      assert.strictEqual(synced, "acme: synced with <redacted>")
      const finished = spans.getFinishedSpans()
      const names = finished.map((span) => span.name)
      assert.includeMembers(names, ["effect_secrets.preflight", "effect_secrets.lookup", "handle-request"])
      const preflight = finished.find((span) => span.name === "effect_secrets.preflight")!
      assert.strictEqual(preflight.attributes["effect_secrets.task"], "sync_invoices")
      assert.strictEqual(preflight.resource.attributes["service.name"], "billing-service")
      const lookups = finished.filter((span) => span.name === "effect_secrets.lookup")
      assert.deepStrictEqual(lookups.map((span) => span.attributes["effect_secrets.cache"]), [
        "miss",
        "miss",
        "miss",
        "hit"
      ])
      assert.deepStrictEqual(lookups.map((span) => span.attributes["effect_secrets.task"]), [
        "sync_invoices",
        "sync_invoices",
        undefined,
        undefined
      ])
      const handlers = finished.filter((span) => span.name === "handle-request")
      assert.strictEqual(lookups[3]!.parentSpanContext?.spanId, handlers[1]!.spanContext().spanId)
      const metricNames = exporter.getMetrics().flatMap((batch) =>
        batch.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name))
      )
      assert.includeMembers(metricNames, [
        "effect_secrets.lookups",
        "effect_secrets.lookup.duration",
        "effect_secrets.cache.lookups"
      ])
      const exported = JSON.stringify({ spans: finished.map(exportedSpan), metrics: exporter.getMetrics() })
      assert.notInclude(exported, "billing-token-0042")
    })
  })
})

/** What an OpenTelemetry exporter sends of a span. */
const exportedSpan = (span: ReadableSpan) => ({
  name: span.name,
  attributes: span.attributes,
  events: span.events,
  status: span.status,
  links: span.links
})
