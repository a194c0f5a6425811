/**
 * Promise S6 of docs/security.md on the live layer. A refusal is recorded and the lookup goes on: the refused place is never read, and a later place (where flytekit
 * would have found the value: it reads the unprefixed variable before the file and ignores a declared variable)
 * answers. A rotation in progress still never falls through.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as PlatformError from "effect/PlatformError"
import * as Result from "effect/Result"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  Environment,
  makeSecrets,
  SecretNotFound,
  SecretsCache,
  SecretsConfig,
  SecretsManager
} from "../../src/index.ts"
import { spyOnNodeFs } from "../fixtures/fileCalls.ts"
import {
  captureLogs,
  expectMiss,
  live,
  PLANTED,
  setEnv,
  thrownBy,
  useSecretsDir,
  visibleTexts,
  writeFiles
} from "../support.ts"

const notUtf8 = new Uint8Array([0xff, 0xfe, 0x80])

describe("S6 a refused place is never read: the refusal is recorded and the lookup goes on", () => {
  const dirs = useSecretsDir()

  it.effect("a local run: a refused file, then the unprefixed variable answers", () =>
    live(Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/text": notUtf8 })
      fs.mkdirSync(path.join(dirs.secrets, "g", "dir"))
      setEnv({ G_TEXT: "local-text", G_DIR: "local-dir" })
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "g", key: "text" }), "local-text")
      assert.strictEqual(yield* manager.get({ group: "g", key: "dir" }), "local-dir")
      const where = yield* manager.locate({ group: "g", key: "dir" })
      assert.strictEqual(where.source, "local-env")
      assert.deepStrictEqual(where.tried.filter((attempt) => attempt.outcome === "refused"), [
        { source: "file", location: path.join(dirs.secrets, "g", "dir"), outcome: "refused", reason: "is a directory" }
      ])
    })))

  it.effect("a link out of the secrets directory is never read; the unprefixed variable answers", () =>
    live(Effect.gen(function*() {
      const outside = path.join(dirs.root, "outside")
      fs.writeFileSync(outside, "OUTSIDE-CONTENT")
      fs.mkdirSync(path.join(dirs.secrets, "g"))
      fs.symlinkSync(outside, path.join(dirs.secrets, "g", "k"))
      setEnv({ G_K: "local-value" })
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "local-value")
      setEnv({ G_K: undefined })
      const miss = yield* expectMiss(manager.get({ group: "g", key: "k" }))
      assert.strictEqual(miss.reason, "Refused")
      assert.notInclude(visibleTexts(miss), "OUTSIDE-CONTENT")
    })))

  it.effect("a declared FILE variable pointing at a directory, then the prefixed variable answers", () =>
    live(Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "certs"))
      setEnv({ TLS_PATH: path.join(dirs.secrets, "certs"), FLYTE_SECRETS_G_K: "prefixed" })
      const manager = yield* SecretsManager
      const request = { group: "g", key: "k", mountRequirement: "FILE", envVar: "TLS_PATH" } as const
      assert.strictEqual(yield* manager.get(request), "prefixed")
      const where = yield* manager.locate(request)
      assert.strictEqual(where.source, "env")
      assert.strictEqual(where.tried[0]?.outcome, "refused")
      assert.strictEqual(where.tried[0]?.reason, "is a directory")
    })))

  it.effect("a declared FILE variable that holds no path, then the file answers", () =>
    live(Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/k": "from-file" })
      setEnv({ TLS_PATH: "not-a-path" })
      const manager = yield* SecretsManager
      const request = { group: "g", key: "k", mountRequirement: "FILE", envVar: "TLS_PATH" } as const
      assert.strictEqual(yield* manager.get(request), "from-file")
    })))

  it.effect("a refused path among the backends' paths: a later path answers", () =>
    live(Effect.gen(function*() {
      // flytekit's path is a directory; propeller's Kubernetes layout (no version) holds the file.
      fs.mkdirSync(path.join(dirs.secrets, "g", "v1", "k"), { recursive: true })
      writeFiles(dirs.secrets, { "g/k": "versionless" })
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "g", groupVersion: "v1", key: "k" }), "versionless")
    })))

  it.effect("nothing answers: the reason is Refused and the message leads with the refused place", () =>
    live(Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "g", "k"), { recursive: true })
      const manager = yield* SecretsManager
      const miss = yield* expectMiss(manager.get({ group: "g", key: "k" }))
      assert.strictEqual(miss.reason, "Refused")
      // Every place was tried, the unprefixed variables last.
      assert.strictEqual(miss.attempts.at(-1)?.source, "local-env")
      const [first] = miss.message.split("\n")
      assert.strictEqual(
        first,
        `Secret found but not readable: group "g" key "k": file ${path.join(dirs.secrets, "g", "k")} is a directory.`
      )
    })))

  it.effect("a refused place then a hostile later place: the later place is read under its own rules", () =>
    live(Effect.gen(function*() {
      // The first path is refused (not UTF-8); the case-kept path is a link out: refused too, never read.
      const outside = path.join(dirs.root, "outside")
      fs.writeFileSync(outside, "OUTSIDE-CONTENT")
      writeFiles(dirs.secrets, { "g/k": notUtf8 })
      fs.mkdirSync(path.join(dirs.secrets, "G"))
      fs.symlinkSync(outside, path.join(dirs.secrets, "G", "K"))
      const manager = yield* SecretsManager
      const miss = yield* expectMiss(manager.get({ group: "G", key: "K" }))
      assert.strictEqual(miss.reason, "Refused")
      assert.deepStrictEqual(
        miss.attempts.filter((attempt) => attempt.outcome === "refused").map((attempt) => attempt.location),
        [path.join(dirs.secrets, "g", "k"), path.join(dirs.secrets, "G", "K")]
      )
      assert.notInclude(visibleTexts(miss), "OUTSIDE-CONTENT")
    })))

  it.effect("an oversized variable is refused, a later place answers, and the value is never shown", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "small")
      const miss = yield* expectMiss(manager.get({ group: "g", key: "other" }))
      assert.strictEqual(miss.reason, "Refused")
      assert.notInclude(visibleTexts(miss), "LEAK")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: {
        FLYTE_SECRETS_MAX_FILE_BYTES: "16",
        FLYTE_SECRETS_G_K: "x".repeat(64) + "LEAK",
        FLYTE_SECRETS_G_OTHER: "x".repeat(64) + "LEAK"
      },
      files: { "/etc/secrets/g/k": "small" }
    }))))

  it.effect("a value that starts with \"/\" in a later place is the value, never opened", () =>
    live(Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "g", "k"), { recursive: true })
      setEnv({ G_K: "/etc/passwd" })
      const manager = yield* SecretsManager
      assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "/etc/passwd")
    })))

  it.effect("a rotation still never falls through: a link that stays dangling through every retry ends the lookup", () =>
    live(Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "g"))
      fs.symlinkSync("..data/k", path.join(dirs.secrets, "g", "k"))
      setEnv({ G_K: "local-value" })
      const manager = yield* SecretsManager
      const miss = yield* expectMiss(manager.get({ group: "g", key: "k" }))
      assert.strictEqual(miss.reason, "Refused")
      assert.notInclude(miss.attempts.map((attempt) => attempt.source), "local-env")
    })))
})

describe("S6 over a FileSystem, an error without a system code goes on only when its reason says what the place is", () => {
  const dirs = useSecretsDir()

  /** A manager over platform-node's `FileSystem` whose every open of `file` fails with `tag`, and no cause. */
  const failingOpens = (file: string, tag: PlatformError.SystemErrorTag) =>
    Effect.provide(
      SecretsManager.use(Effect.succeed),
      SecretsManager.layerNoDeps.pipe(Layer.provide([
        SecretsConfig.layerWith({ defaultDir: dirs.secrets, local: true }),
        Environment.layerTest({ G_K: "LATER-PLACE" }),
        Layer.effect(
          FileSystem.FileSystem,
          Effect.map(FileSystem.FileSystem, (fileSystem): FileSystem.FileSystem => ({
            ...fileSystem,
            open: (openPath, options) =>
              openPath === file
                ? Effect.fail(PlatformError.systemError({ _tag: tag, module: "FileSystem", method: "open" }))
                : fileSystem.open(openPath, options)
          }))
        ).pipe(Layer.provide(NodeFileSystem.layer))
      ]))
    )

  it.effect("NotFound, PermissionDenied and BadResource go on to the later place; the other reasons end the lookup", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/k": "file-value" })
      const file = path.join(dirs.secrets, "g", "k")
      for (const tag of ["NotFound", "PermissionDenied", "BadResource"] as const) {
        const manager = yield* failingOpens(file, tag)
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "LATER-PLACE", tag)
      }
      const ending = ["Busy", "TimedOut", "WouldBlock", "Unknown", "InvalidData", "UnexpectedEof"] as const
      for (const tag of ending) {
        const manager = yield* failingOpens(file, tag)
        const error = yield* expectMiss(manager.get({ group: "g", key: "k" }))
        assert.deepStrictEqual(error.attempts.at(-1), {
          source: "file",
          location: file,
          outcome: "refused",
          reason: `could not be read: an error that says nothing of the file (${tag}); no later place was tried`
        })
      }
    }))
})

describe("S6 a lookup that ended is not followed by another spelling's, over a manager the library did not derive", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: undefined })

  it("the facade over a cached manager: my_group's file failing with EIO is not followed by my-group's places", () => {
    writeFiles(dirs.secrets, { "my_group/k": "file-value" })
    const file = path.join(dirs.secrets, "my_group", "k")
    // A local run: the unprefixed variable, a later place of either spelling, would answer if the lookup went on.
    setEnv({ MY_GROUP_K: "LATER-PLACE" })
    const spy = spyOnNodeFs([], () => {}, (call) => call.op === "open" && call.path === file ? "EIO" : undefined)
    try {
      for (const layer of [SecretsManager.layer, SecretsCache.layer().pipe(Layer.provideMerge(SecretsManager.layer))]) {
        const thrown = thrownBy(() => makeSecrets(layer)["my_group"]!["k"])
        assert.instanceOf(thrown, SecretNotFound)
        const last = thrown.attempts.at(-1)!
        assert.deepStrictEqual([last.source, last.location, last.outcome], ["file", file, "refused"])
        assert.include(last.reason, "(EIO); no later place was tried")
        assert.notInclude(JSON.stringify(thrown.attempts), "local-env")
      }
    } finally {
      spy.restore()
    }
    assert.strictEqual(
      makeSecrets(SecretsCache.layer().pipe(Layer.provideMerge(SecretsManager.layer))).my_group!.k,
      "file-value"
    )
  })
})

describe("S6 a close that fails ends the lookup with a typed miss, and leaves no descriptor open", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: undefined, G_K: "LATER-PLACE" })

  it.runIf(process.platform === "linux")("EIO or EINTR closing the file: a SecretNotFound, not a defect", () => {
    writeFiles(dirs.secrets, { "g/k": "file-value" })
    const file = path.join(dirs.secrets, "g", "k")
    const manager = Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer))
    const descriptors = () => fs.readdirSync("/proc/self/fd").length
    const before = descriptors()
    for (const code of ["EIO", "EINTR"]) {
      const spy = spyOnNodeFs([], () => {}, (call) => call.op === "close" && call.path === file ? code : undefined)
      try {
        const request = { group: "g", key: "k" }
        const lookups = {
          get: manager.get(request),
          getPath: manager.getPath(request),
          locate: manager.locate(request)
        }
        for (const [operation, lookup] of Object.entries(lookups)) {
          const error = Effect.runSync(expectMiss<unknown, never>(lookup))
          const last = error.attempts.at(-1)!
          assert.deepStrictEqual([last.source, last.location, last.outcome], ["file", file, "refused"], operation)
          assert.include(last.reason, `(${code}); no later place was tried`)
          assert.notInclude(visibleTexts(error), "file-value")
        }
        const thrown = thrownBy(() => makeSecrets().g!.k)
        assert.instanceOf(thrown, SecretNotFound)
      } finally {
        spy.restore()
      }
    }
    assert.strictEqual(descriptors(), before, "a descriptor was left open")
    assert.strictEqual(Effect.runSync(manager.get({ group: "g", key: "k" })), "file-value")
  })
})

describe("S6 a declared variable holding a NUL byte names no file: it is refused, or is the value, and the lookup goes on", () => {
  const dirs = useSecretsDir()

  it.effect("FILE: refused as no path, the prefixed variable answers; ANY: the value itself", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/k": "file-value" })
      const inside = path.join(dirs.secrets, "g", "k")
      // Only an Environment of the program's own can hold a NUL byte: the process's environment cannot.
      const manager = yield* Effect.provide(
        SecretsManager.use(Effect.succeed),
        SecretsManager.layerNoDeps.pipe(Layer.provide([
          SecretsConfig.layerWith({ defaultDir: dirs.secrets }),
          Environment.layerTest({
            OUTSIDE: `/etc/passwd\u0000${PLANTED}`,
            INSIDE: `${inside}\u0000${PLANTED}`,
            FLYTE_SECRETS_G_K: "prefixed"
          }),
          NodeFileSystem.layer
        ]))
      )
      for (const envVar of ["OUTSIDE", "INSIDE"]) {
        const request = { group: "g", key: "k", mountRequirement: "FILE", envVar } as const
        assert.strictEqual(yield* manager.get(request), "prefixed", envVar)
        const where = yield* manager.locate(request)
        assert.deepStrictEqual(where.tried, [{
          source: "declared-file",
          location: envVar,
          outcome: "refused",
          reason: "does not hold an absolute path (a FILE secret's variable holds the path of its file)"
        }])
        assert.notInclude(visibleTexts(where), PLANTED)
      }
      const any = { group: "g", key: "k", mountRequirement: "ANY", envVar: "INSIDE" } as const
      assert.strictEqual(yield* manager.get(any), `${inside}\u0000${PLANTED}`)
    }))
})

describe("S6 over SecretsCache, a lookup that ended serves the last good value or fails: never a later place", () => {
  const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: undefined, G_K: "LATER-PLACE" })

  it.effect("EIO at the file: stale-if-error serves the file's last value with a warning; without it, the miss", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/k": "file-value" })
      const file = path.join(dirs.secrets, "g", "k")
      const request = { group: "g", key: "k" }
      let failing = false
      const spy = spyOnNodeFs(
        [],
        () => {},
        (call) => failing && call.op === "open" && call.path === file ? "EIO" : undefined
      )
      try {
        for (const staleIfError of [Duration.hours(1), Duration.zero]) {
          const cached = SecretsCache.layer({ timeToLive: 0, missTimeToLive: 0, staleIfError }).pipe(
            Layer.provideMerge(SecretsManager.layer)
          )
          const logs = captureLogs()
          const answers = yield* Effect.provide(
            SecretsManager.use((manager) =>
              Effect.gen(function*() {
                failing = false
                const fresh = yield* manager.get(request)
                failing = true
                const after = yield* Effect.result(manager.get(request))
                failing = false
                return { fresh, after }
              })
            ),
            Layer.merge(cached, logs.layer)
          )
          assert.strictEqual(answers.fresh, "file-value")
          if (Duration.isZero(staleIfError)) {
            assert.isTrue(Result.isFailure(answers.after))
            const error = (answers.after as Result.Failure<string, SecretNotFound>).failure
            assert.include(error.attempts.at(-1)!.reason, "(EIO); no later place was tried")
            assert.notInclude(JSON.stringify(error.attempts), "local-env")
          } else {
            assert.deepStrictEqual(answers.after, Result.succeed("file-value"))
            const logged = logs.lines.map((line) => line.message).join("\n")
            assert.include(logged, "(EIO); no later place was tried")
            assert.notInclude(logged, "file-value")
          }
        }
      } finally {
        spy.restore()
      }
    }))
})
