import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach } from "vitest"
import { Environment, SecretsConfig, SecretsManager } from "../src/index.ts"
import { makeTempDir, restoreEnv, setEnv, writeFiles } from "./support.ts"

const readConfig = SecretsConfig.use(Effect.succeed)
const fromRecord = (env: Record<string, string>) =>
  readConfig.pipe(Effect.provide(SecretsConfig.layerNoDeps.pipe(Layer.provide(Environment.layerTest(env)))))
const fromRecordSync = (env: Record<string, string>) => fromRecord(env).pipe(Effect.orDie)
const readConfigWith = (defaultDir: string) => readConfig.pipe(Effect.provide(SecretsConfig.layerWith({ defaultDir })))

describe("SecretsConfig", () => {
  afterEach(restoreEnv)

  it.effect("has the documented defaults", () =>
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

describe("SecretsConfig: the secrets directory", () => {
  afterEach(restoreEnv)

  /** Runs `f` with the working directory at `dir`, always changed back. */
  const inDirectory = <A>(dir: string, f: () => A): A => {
    const previous = process.cwd()
    process.chdir(dir)
    try {
      return f()
    } finally {
      process.chdir(previous)
    }
  }

  it.effect("a relative FLYTE_SECRETS_DEFAULT_DIR is resolved against the working directory when the layer is built", () =>
    Effect.gen(function*() {
      const temp = makeTempDir()
      try {
        for (const [relative, expected] of [["./secrets", "secrets"], ["secrets/", "secrets"], [".", ""]] as const) {
          const config = inDirectory(
            temp.dir,
            () => Effect.runSync(fromRecordSync({ FLYTE_SECRETS_DEFAULT_DIR: relative }))
          )
          assert.strictEqual(config.defaultDir, path.join(temp.dir, expected), relative)
        }
      } finally {
        temp.remove()
      }
    }))

  it.effect("a later chdir changes nothing: the directory was resolved once", () =>
    Effect.gen(function*() {
      const temp = makeTempDir()
      const elsewhere = makeTempDir()
      try {
        writeFiles(temp.dir, { "secrets/g/k": "from-relative-dir" })
        writeFiles(elsewhere.dir, { "secrets/g/k": "from-elsewhere" })
        setEnv({ FLYTE_SECRETS_DEFAULT_DIR: "./secrets", FLYTE_SECRETS_G_K: undefined, G_K: undefined })
        const manager = inDirectory(
          temp.dir,
          () => Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer))
        )
        const value = inDirectory(elsewhere.dir, () => Effect.runSync(manager.get({ group: "g", key: "k" })))
        assert.strictEqual(value, "from-relative-dir")
      } finally {
        temp.remove()
        elsewhere.remove()
      }
    }))

  it.effect("the directory is normalised once (//, /./, a trailing /. or /)", () =>
    Effect.gen(function*() {
      for (
        const spelling of ["//etc//secrets", "/etc/./secrets", "/etc/secrets/.", "/etc/secrets/", "/etc/secrets//"]
      ) {
        assert.strictEqual((yield* fromRecord({ FLYTE_SECRETS_DEFAULT_DIR: spelling })).defaultDir, "/etc/secrets")
        const given = yield* readConfig.pipe(Effect.provide(SecretsConfig.layerWith({ defaultDir: spelling })))
        assert.strictEqual(given.defaultDir, "/etc/secrets", spelling)
      }
    }))

  it.effect("with a non-normal spelling, an ANY variable holding the injected path still reads the file", () =>
    Effect.gen(function*() {
      const temp = makeTempDir()
      try {
        writeFiles(temp.dir, { "g/k": "file-content" })
        fs.mkdirSync(path.join(temp.dir, "sub"))
        for (const spelling of [`${temp.dir}/.`, `${temp.dir}/`, `/${temp.dir}`, `${temp.dir}/sub/..`]) {
          setEnv({ FLYTE_SECRETS_DEFAULT_DIR: spelling, INJECTED: path.join(temp.dir, "g", "k") })
          const value = yield* SecretsManager.use((manager) =>
            manager.get({ group: "x", key: "y", envVar: "INJECTED" })
          )
            .pipe(Effect.provide(SecretsManager.layer))
          assert.strictEqual(value, "file-content", spelling)
        }
      } finally {
        temp.remove()
      }
    }))

  /** The message of the ConfigError a layer over `build` fails with. */
  const refusal = (build: Effect.Effect<unknown, unknown>): string => {
    const exit = Effect.runSyncExit(build)
    assert.isTrue(Exit.isFailure(exit), "the layer was built")
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    assert.strictEqual((error as { _tag?: string })._tag, "ConfigError")
    return String((error as Error).message)
  }

  it("a secrets directory that resolves to / fails the layer with a ConfigError saying what to set instead", () => {
    const temp = makeTempDir()
    try {
      const rooted = ["/", "//", "///", "/.", "/./", "/..", "/../..", "/etc/..", `${temp.dir}/${"../".repeat(40)}`]
      for (const spelling of rooted) {
        for (const build of [fromRecord({ FLYTE_SECRETS_DEFAULT_DIR: spelling }), readConfigWith(spelling)]) {
          const message = refusal(build)
          assert.include(message, "FLYTE_SECRETS_DEFAULT_DIR", spelling)
          assert.include(message, "the root directory", spelling)
          assert.include(message, JSON.stringify(spelling), spelling)
          assert.include(message, "/etc/secrets", spelling)
        }
      }
      // Relative spellings resolved while the working directory is the root.
      for (const relative of [".", "./", "..", "./.", "etc/.."]) {
        const message = inDirectory("/", () => refusal(fromRecord({ FLYTE_SECRETS_DEFAULT_DIR: relative })))
        assert.include(message, "the root directory", relative)
        assert.include(message, "working directory", relative)
      }
    } finally {
      temp.remove()
    }
  })

  it.effect("a directory under the root is kept (/etc, /a/.., a relative one below the root)", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* fromRecord({ FLYTE_SECRETS_DEFAULT_DIR: "/etc" })).defaultDir, "/etc")
      assert.strictEqual((yield* fromRecord({ FLYTE_SECRETS_DEFAULT_DIR: "/a/b/.." })).defaultDir, "/a")
      const config = inDirectory("/", () => Effect.runSync(fromRecordSync({ FLYTE_SECRETS_DEFAULT_DIR: "./tmp" })))
      assert.strictEqual(config.defaultDir, "/tmp")
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
