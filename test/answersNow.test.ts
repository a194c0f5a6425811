/**
 * What the sync facade, `task.sync` and a task's preflight make of a lookup that answers at once and of one that must
 * wait: the same value or miss either way, a miss thrown with the caller's frames and none of the library's, the
 * clear TypeError over a `FileSystem` that completes asynchronously, misses listed in declaration order, and the
 * same spans and counts as the same lookups made in an Effect (or, for a custom manager, one span per read).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Tracer from "effect/Tracer"
import {
  Environment,
  makeSecrets,
  MissingSecrets,
  Secret,
  SecretNotFound,
  SecretsConfig,
  SecretsManager,
  type SecretsManagerShape,
  task
} from "../src/index.ts"
import { thrownBy, useSecretsDir } from "./support.ts"
import { attributesOf, recording, telemetryTestManager } from "./telemetryRecording.ts"

const testManager = telemetryTestManager

/** `layerNoDeps` over Node's asynchronous `FileSystem`: every file place must wait; variables answer at once. */
const overAsyncFiles = (secretsDir: string, variables: Readonly<Record<string, string>> = {}) =>
  SecretsManager.layerNoDeps.pipe(Layer.provide([
    SecretsConfig.layerWith({ defaultDir: secretsDir, local: false }),
    Environment.layerTest(variables),
    NodeFileSystem.layer
  ]))

/** A manager the library did not make: found for the key "ok", a miss for any other. */
const customManager: SecretsManagerShape = {
  get: ((request: { readonly key?: string }) =>
    request.key === "ok"
      ? Effect.succeed("custom-value-42")
      : Effect.fail(
        new SecretNotFound({
          key: request.key ?? "",
          attempts: [{ source: "vault", location: "kv", reason: "no such entry" }]
        })
      )) as never,
  getRedacted: (() => Effect.die("not used")) as never,
  getPath: () => Effect.die("not used"),
  locate: () => Effect.die("not used"),
  watch: (() => Effect.die("not used")) as never
}

/** The frames of a stack that lie in the library's source. */
const libraryFrames = (error: unknown): Array<string> =>
  ((error as Error).stack ?? "").split("\n").filter((line) => line.includes("/src/"))

describe("a miss thrown by the facade", () => {
  it("carries the caller's frames and none of the lookup's, whether it answered at once or had to wait", () => {
    const { traced } = recording()
    const misses = [
      // Answered at once (the test layer), and through a layer whose lookups run with its context (telemetry).
      thrownBy(() => (makeSecrets(testManager) as any).g.absent),
      thrownBy(() => makeSecrets(testManager).get({ group: "g", key: "absent" })),
      thrownBy(() => (makeSecrets(Layer.mergeAll(testManager, traced)) as any).g.absent),
      // A custom manager's lookup is an effect to run.
      thrownBy(() => (makeSecrets(Layer.succeed(SecretsManager, customManager)) as any).g.absent)
    ]
    for (const miss of misses) {
      assert.instanceOf(miss, SecretNotFound)
      assert.include((miss as Error).stack, "answersNow.test.ts")
      // At most the facade's own property access, which the caller made.
      const frames = libraryFrames(miss)
      assert.isAtMost(frames.length, 1, frames.join("\n"))
      for (const frame of frames) assert.include(frame, "/src/internal/facade/proxy.ts")
    }
  })

  it("task.sync's MissingSecrets carries the caller's frames and none of the preflight's", () => {
    const t = task.sync(
      { name: "frames", layer: testManager, secretRequests: [{ group: "g", key: "absent" }] },
      () => "ran"
    )
    const error = thrownBy(() => t())
    assert.instanceOf(error, MissingSecrets)
    assert.include((error as Error).stack, "answersNow.test.ts")
    assert.deepStrictEqual(libraryFrames(error), [])
  })
})

describe("over a FileSystem that completes asynchronously", () => {
  const dirs = useSecretsDir()
  const asyncFacade = /completes asynchronously/

  it("the facade, a task.sync's preflight and a task.sync's body throw the clear TypeError, traced or not", () => {
    const { traced } = recording()
    const layers = [overAsyncFiles(dirs.secrets), Layer.mergeAll(overAsyncFiles(dirs.secrets), traced)]
    for (
      const read of layers.flatMap((layer) => [
        () => (makeSecrets(layer) as any).g.k,
        () => makeSecrets(layer).get({ group: "g", key: "k" }),
        () => task.sync({ name: "checked", layer, secretRequests: [{ group: "g", key: "k" }] }, () => "ran")(),
        () =>
          task.sync(
            { name: "unchecked", layer, preflight: false, secretRequests: [{ group: "g", key: "k" }] },
            (_: void, secrets) => secrets.g.k
          )()
      ])
    ) {
      const error = thrownBy(read)
      assert.instanceOf(error, TypeError)
      assert.match((error as Error).message, asyncFacade)
    }
  })

  it("a value found at once (a variable) is still answered by the facade", () => {
    const layer = overAsyncFiles(dirs.secrets, { FLYTE_SECRETS_G_K: "from-variable" })
    assert.strictEqual((makeSecrets(layer) as any).g.k, "from-variable")
  })
})

describe("a preflight's misses", () => {
  const dirs = useSecretsDir()

  it.effect("are listed in declaration order when some answer at once and others must wait", () => {
    // Flyte 2 ENV_VAR secrets are only variables (a miss at once); Flyte 1 secrets reach the files (they wait).
    const waits = (key: string) => new Secret({ group: "g", key })
    const now = (key: string) => new Secret({ group: "g", key, mountRequirement: "ENV_VAR", origin: "flyte2" })
    const declared = [waits("a"), now("b"), waits("found"), now("c"), waits("d"), now("e")]
    const t = task({ name: "ordered", secretRequests: declared }, () => Effect.succeed("ran"))
    const keysOf = (error: MissingSecrets) => error.missing.map((miss) => miss.key)
    return Effect.gen(function*() {
      const untraced = yield* Effect.flip(
        Effect.provide(t(undefined), overAsyncFiles(dirs.secrets, { FLYTE_SECRETS_G_FOUND: "v" }))
      )
      assert.instanceOf(untraced, MissingSecrets)
      assert.deepStrictEqual(keysOf(untraced as MissingSecrets), ["a", "b", "c", "d", "e"])
      const { traced } = recording()
      const tracedError = yield* Effect.flip(
        Effect.provide(
          t(undefined),
          Layer.mergeAll(overAsyncFiles(dirs.secrets, { FLYTE_SECRETS_G_FOUND: "v" }), traced)
        )
      )
      assert.deepStrictEqual(keysOf(tracedError as MissingSecrets), ["a", "b", "c", "d", "e"])
    })
  })
})

/** What a span tells: its name, its attributes, and how it ended. */
const shapeOf = (span: Tracer.NativeSpan) => ({
  name: span.name,
  attributes: attributesOf(span),
  ended: span.status._tag === "Ended" ? span.status.exit._tag : "open"
})

/** Each lookup counter's count, by its attributes. */
const lookupCounts = (metrics: ReturnType<ReturnType<typeof recording>["metrics"]>) =>
  metrics
    .filter((metric) => metric.id === "effect_secrets.lookups")
    .map((metric) => ({ attributes: metric.attributes, count: (metric.state as { readonly count: unknown }).count }))

describe("telemetry of lookups read at once", () => {
  it("the facade records each read as the same get() in an Effect does: spans, attributes and counts", () => {
    const viaFacade = recording()
    const secrets = makeSecrets(Layer.mergeAll(testManager, viaFacade.traced)) as any
    assert.strictEqual(secrets.g.env_key, "env-value-5678")
    assert.strictEqual(secrets.get({ group: "g", key: "file_key" }), "file-value-1234")
    assert.strictEqual(secrets.getPath({ group: "g", key: "file_key" }), "/etc/secrets/g/file_key")
    for (const key of ["absent", "binary"]) thrownBy(() => secrets.g[key])
    thrownBy(() => secrets.get({}))

    const viaEffect = recording()
    Effect.runSync(
      Effect.gen(function*() {
        const manager = yield* SecretsManager
        yield* manager.get({ group: "g", key: "env_key" })
        yield* manager.get({ group: "g", key: "file_key" })
        yield* manager.getPath({ group: "g", key: "file_key" })
        for (const key of ["absent", "binary"]) yield* Effect.exit(manager.get({ group: "g", key }))
        yield* Effect.exit(manager.get({}))
      }).pipe(Effect.provide(Layer.mergeAll(testManager, viaEffect.traced)))
    )

    assert.lengthOf(viaFacade.spans, 6)
    assert.deepStrictEqual(viaFacade.spans.map(shapeOf), viaEffect.spans.map(shapeOf))
    assert.deepStrictEqual(lookupCounts(viaFacade.metrics()), lookupCounts(viaEffect.metrics()))
  })

  it("task.sync records its preflight and its body's lookups as the same task run in an Effect does", () => {
    const declared = [new Secret({ group: "g", key: "env_key" }), new Secret({ group: "g", key: "file_key" })]
    const viaSync = recording()
    const syncTask = task.sync(
      { name: "observed", layer: Layer.mergeAll(testManager, viaSync.traced), secretRequests: declared },
      (_: void, secrets) => [secrets.g.env_key, thrownBy(() => (secrets as any).g.absent) instanceof SecretNotFound]
    )
    assert.deepStrictEqual(syncTask(), ["env-value-5678", true])

    const viaEffect = recording()
    const effectTask = task(
      { name: "observed", secretRequests: declared },
      () =>
        SecretsManager.use((manager) =>
          Effect.all([
            manager.get({ group: "g", key: "env_key" }),
            Effect.exit(manager.get({ group: "g", key: "absent" }))
          ])
        )
    )
    Effect.runSync(Effect.provide(effectTask(undefined), Layer.mergeAll(testManager, viaEffect.traced)))

    // The preflight, its two lookups, and the body's two.
    assert.lengthOf(viaSync.named("effect_secrets.preflight"), 1)
    assert.lengthOf(viaSync.named("effect_secrets.lookup"), 4)
    assert.deepStrictEqual(viaSync.spans.map(shapeOf), viaEffect.spans.map(shapeOf))
    assert.deepStrictEqual(lookupCounts(viaSync.metrics()), lookupCounts(viaEffect.metrics()))
  })

  it("a facade over a custom manager records one span per read, found or missed, and counts each", () => {
    const { count, named, traced } = recording()
    const secrets = makeSecrets(Layer.mergeAll(Layer.succeed(SecretsManager, customManager), traced)) as any
    assert.strictEqual(secrets.g.ok, "custom-value-42")
    assert.instanceOf(thrownBy(() => secrets.g.absent), SecretNotFound)
    const spans = named("effect_secrets.lookup").map(attributesOf)
    assert.deepStrictEqual(spans.map((span) => [span["effect_secrets.key"], span["effect_secrets.outcome"]]), [
      ["ok", "found"],
      ["absent", "NotFound"]
    ])
    assert.strictEqual(spans[1]!["error.type"], "SecretNotFound")
    assert.strictEqual(count("effect_secrets.lookups"), 2)
  })

  it("a strict task.sync's undeclared request records one span, as a declared one does", () => {
    const { count, named, traced } = recording()
    const strict = task.sync(
      {
        name: "strict",
        strict: true,
        preflight: false,
        layer: Layer.mergeAll(testManager, traced),
        secretRequests: [{ group: "g", key: "env_key" }]
      },
      (_: void, secrets) => [secrets.g.env_key, (thrownBy(() => (secrets as any).g.file_key) as SecretNotFound).reason]
    )
    assert.deepStrictEqual(strict(), ["env-value-5678", "Undeclared"])
    assert.deepStrictEqual(named("effect_secrets.lookup").map((span) => attributesOf(span)["effect_secrets.outcome"]), [
      "found",
      "Undeclared"
    ])
    assert.strictEqual(count("effect_secrets.lookups"), 2)
  })
})
