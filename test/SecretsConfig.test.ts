import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { afterEach } from "vitest"
import { Environment, SecretsConfig } from "../src/index.ts"
import { restoreEnv, setEnv } from "./support.ts"

const readConfig = SecretsConfig.use(Effect.succeed)
const fromRecord = (env: Record<string, string>) =>
  readConfig.pipe(Effect.provide(SecretsConfig.layerNoDeps.pipe(Layer.provide(Environment.layerTest(env)))))

describe("SecretsConfig", () => {
  afterEach(restoreEnv)

  it.effect("has the seed's defaults", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* fromRecord({}), {
        envPrefix: "FLYTE_SECRETS_",
        defaultDir: "/etc/secrets",
        filePrefix: "",
        local: true,
        maxFileBytes: 1024 * 1024
      })
    }))

  it.effect("reads overrides, trimmed; FLYTE_INTERNAL_EXECUTION_ID means a platform run", () =>
    Effect.gen(function*() {
      const config = yield* fromRecord({
        FLYTE_SECRETS_ENV_PREFIX: " _FSEC_ ",
        FLYTE_SECRETS_DEFAULT_DIR: "/etc/flyte/secrets",
        FLYTE_SECRETS_FILE_PREFIX: "pre_",
        FLYTE_SECRETS_MAX_FILE_BYTES: " 2048 ",
        FLYTE_INTERNAL_EXECUTION_ID: "exec-1"
      })
      assert.deepStrictEqual(config, {
        envPrefix: "_FSEC_",
        defaultDir: "/etc/flyte/secrets",
        filePrefix: "pre_",
        local: false,
        maxFileBytes: 2048
      })
    }))

  it.effect("keeps the default for an empty or blank override (empty prefix ignored)", () =>
    Effect.gen(function*() {
      const config = yield* fromRecord({ FLYTE_SECRETS_ENV_PREFIX: "", FLYTE_SECRETS_DEFAULT_DIR: "   " })
      assert.strictEqual(config.envPrefix, "FLYTE_SECRETS_")
      assert.strictEqual(config.defaultDir, "/etc/secrets")
    }))

  it.effect("fails the layer with a ConfigError naming a bad max size", () =>
    Effect.gen(function*() {
      for (const bad of ["abc", "0", "-5", "1.5"]) {
        const exit = yield* Effect.exit(fromRecord({ FLYTE_SECRETS_MAX_FILE_BYTES: bad }))
        assert.isTrue(Exit.isFailure(exit))
        const error = Exit.isFailure(exit) ? String(exit.cause) : ""
        assert.include(error, "ConfigError")
        assert.include(error, "FLYTE_SECRETS_MAX_FILE_BYTES")
      }
    }))

  it.effect("layer reads process.env when it is built, not earlier", () =>
    Effect.gen(function*() {
      setEnv({ FLYTE_SECRETS_ENV_PREFIX: "FIRST_" })
      const first = yield* readConfig.pipe(Effect.provide(SecretsConfig.layer))
      setEnv({ FLYTE_SECRETS_ENV_PREFIX: "SECOND_" })
      const second = yield* readConfig.pipe(Effect.provide(SecretsConfig.layer))
      assert.strictEqual(first.envPrefix, "FIRST_")
      assert.strictEqual(second.envPrefix, "SECOND_")
    }))

  it.effect("layerWith fills in the defaults and ignores the environment", () =>
    Effect.gen(function*() {
      setEnv({ FLYTE_SECRETS_ENV_PREFIX: "IGNORED_" })
      const config = yield* readConfig.pipe(Effect.provide(SecretsConfig.layerWith({ defaultDir: "/tmp/x" })))
      assert.strictEqual(config.defaultDir, "/tmp/x")
      assert.strictEqual(config.envPrefix, "FLYTE_SECRETS_")
    }))
})

describe("Environment", () => {
  afterEach(restoreEnv)

  it.effect("layer reads process.env live, at every call", () =>
    Effect.gen(function*() {
      const environment = yield* Environment
      setEnv({ EFFECT_SECRETS_TEST_LIVE: "one" })
      assert.strictEqual(environment.get("EFFECT_SECRETS_TEST_LIVE"), "one")
      setEnv({ EFFECT_SECRETS_TEST_LIVE: "two" })
      assert.strictEqual(environment.get("EFFECT_SECRETS_TEST_LIVE"), "two")
    }).pipe(Effect.provide(Environment.layer)))

  it.effect("never returns inherited properties as variables", () =>
    Effect.gen(function*() {
      const environment = yield* Environment
      for (const name of ["__proto__", "toString", "constructor", "hasOwnProperty"]) {
        assert.isUndefined(environment.get(name))
      }
    }).pipe(Effect.provide(Environment.layer)))

  it.effect("layerTest serves its record only", () =>
    Effect.gen(function*() {
      const environment = yield* Environment
      assert.strictEqual(environment.get("A"), "1")
      assert.isUndefined(environment.get("PATH"))
      assert.isUndefined(environment.get("constructor"))
    }).pipe(Effect.provide(Environment.layerTest({ A: "1" }))))
})
