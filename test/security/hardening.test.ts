/**
 * The live layer (`SecretsManager.layer`) over real files in a temp dir, case by case: the operating system's
 * pieces (links, FIFOs, sockets, devices, huge and pseudo files, a rotating volume), and the promises a real file
 * system must keep as well as a test layer does (names, requests read once, no value shown, an inert facade, the
 * environment). Each describe starts with the number of the promise in docs/security.md that it attacks; fixtures
 * plant recognisable values so every error text can be scanned for them.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { inspect } from "node:util"
import { Worker } from "node:worker_threads"
import { Environment, makeSecrets, Secret, SecretNotFound, SecretsConfig, SecretsManager } from "../../src/index.ts"
import { nodeSyncFileSystem } from "../fixtures/nodeSyncFileSystem.ts"
import {
  arbitraryNamePart,
  expectMiss,
  listeningAt,
  live,
  PLANTED,
  setEnv,
  thrownBy,
  useSecretsDir,
  visibleTexts,
  writeFiles
} from "../support.ts"

const plantedBytes = new TextEncoder().encode(PLANTED)

const dirs = useSecretsDir({ FLYTE_INTERNAL_EXECUTION_ID: "exec-1" })
const getFile = (group: string, key: string, encodeMode?: "rb") =>
  SecretsManager.use((m) => m.get({ group, key, ...(encodeMode ? { encodeMode } : {}) }))

/** The live Node file system, with every path it is asked to open or resolve recorded. */
const recordingLayer = () => {
  const touched: Array<string> = []
  const fileSystem = FileSystem.makeNoop({
    open: (file, options) => (touched.push(file), nodeSyncFileSystem.open(file, options)),
    stat: (file) => (touched.push(file), nodeSyncFileSystem.stat(file)),
    realPath: (file) => (touched.push(file), nodeSyncFileSystem.realPath(file))
  })
  const layer = SecretsManager.layerNoDeps.pipe(
    Layer.provide(SecretsConfig.layerWith({ defaultDir: "/etc/secrets", local: false })),
    Layer.provide([Environment.layerTest({}), Layer.succeed(FileSystem.FileSystem, fileSystem)])
  )
  return { layer, touched }
}

describe("S1 names that could leave the secrets directory are refused before any read", () => {
  const unsafe = ["..", ".", "../x", "a/b", "/etc/passwd", "nul\u0000byte", "back\\slash", "new\nline"]

  for (const name of unsafe) {
    it.effect(`refuses ${JSON.stringify(name)} as group, key and version without a file system call`, () => {
      const { layer, touched } = recordingLayer()
      return Effect.gen(function*() {
        const manager = yield* SecretsManager
        for (
          const request of [{ group: name, key: "k" }, { group: "g", key: name }, {
            group: "g",
            key: "k",
            groupVersion: name
          }]
        ) {
          const lookups: Array<Effect.Effect<unknown, SecretNotFound>> = [
            manager.get(request),
            manager.getPath(request),
            manager.getRedacted(request)
          ]
          for (const lookup of lookups) {
            const error = yield* expectMiss(lookup)
            assert.strictEqual(error.attempts.length, 1)
            assert.include(error.attempts[0]?.reason, "unsafe name")
          }
        }
        assert.deepStrictEqual(touched, [])
      }).pipe(Effect.provide(layer))
    })
  }

  it("refuses them at Secret construction and in the facade", () => {
    const { layer, touched } = recordingLayer()
    const secrets = makeSecrets(layer)
    for (const name of unsafe) {
      assert.throws(() => new Secret({ group: name, key: "k" }), /unsafe name/)
      assert.throws(() => new Secret({ group: "g", key: name }), /unsafe name/)
      assert.throws(() => new Secret({ group: "g", groupVersion: name }), /unsafe name/)
      assert.throws(() => secrets.get({ group: name, key: "k" }), /unsafe name/)
    }
    assert.throws(() => secrets[".."]!["k"], /unsafe name/)
    assert.deepStrictEqual(touched, [])
  })

  it.effect("keeps %2f literal", () =>
    live(Effect.gen(function*() {
      writeFiles(dirs.secrets, { "a%2fb/k": "literal" })
      assert.strictEqual(yield* getFile("a%2fb", "k"), "literal")
    })))

  it.effect("property: a random name is refused, or every path touched stays under the secrets directory", () => {
    const { layer, touched } = recordingLayer()
    return Effect.gen(function*() {
      const manager = yield* SecretsManager
      const samples = fc.sample(fc.tuple(arbitraryNamePart, arbitraryNamePart, arbitraryNamePart), 500)
      for (const [group, key, groupVersion] of samples) {
        touched.length = 0
        const error = yield* expectMiss(manager.get({ group, key, groupVersion }))
        if (error.attempts[0]?.source === "request") {
          assert.deepStrictEqual(touched, [])
          continue
        }
        for (const file of touched) {
          // The secrets directory itself is checked when a file in it is missing.
          assert.isTrue(file.startsWith("/etc/secrets/") || file === "/etc/secrets", file)
          assert.strictEqual(path.posix.normalize(file), file)
        }
      }
    }).pipe(Effect.provide(layer))
  })
})

describe("S3 containment: a link out is refused, links inside are followed", () => {
  // The library's direct Node reads, and the same rules through another FileSystem (platform-node's async one).
  const layers = {
    "SecretsManager.layer": () => SecretsManager.layer,
    "layerNoDeps over NodeFileSystem": () =>
      SecretsManager.layerNoDeps.pipe(Layer.provide([SecretsConfig.layer, Environment.layer, NodeFileSystem.layer]))
  }

  for (const [name, layer] of Object.entries(layers)) {
    it.effect(`refuses a symbolic link that leads outside the secrets directory (${name})`, () =>
      Effect.gen(function*() {
        writeFiles(dirs.root, { "outside/target": PLANTED })
        fs.mkdirSync(path.join(dirs.secrets, "g"))
        fs.symlinkSync(path.join(dirs.root, "outside/target"), path.join(dirs.secrets, "g", "escape"))
        fs.symlinkSync(path.join(dirs.root, "outside"), path.join(dirs.secrets, "linked-dir"))
        for (const [group, key] of [["g", "escape"], ["linked-dir", "target"]] as const) {
          const error = yield* expectMiss(getFile(group, key))
          assert.include(error.attempts.find((a) => a.source === "file")?.reason, "outside the secrets directory")
          assert.notInclude(visibleTexts(error), PLANTED)
        }
      }).pipe(Effect.provide(layer())))

    it.effect(`follows links inside it: a Kubernetes secret volume, before and after ..data is swapped (${name})`, () =>
      Effect.gen(function*() {
        const group = path.join(dirs.secrets, "db")
        writeFiles(group, { "..2026_01/password": "first", "..2026_02/password": "second" })
        fs.symlinkSync("..2026_01", path.join(group, "..data"))
        fs.symlinkSync("..data/password", path.join(group, "password"))
        assert.strictEqual(yield* getFile("db", "password"), "first")
        fs.symlinkSync("..2026_02", path.join(group, "..data_tmp"))
        fs.renameSync(path.join(group, "..data_tmp"), path.join(group, "..data"))
        assert.strictEqual(yield* getFile("db", "password"), "second")
      }).pipe(Effect.provide(layer())))
  }

  it.effect("a declared FILE envVar is read where it points, under the other rules", () =>
    live(Effect.gen(function*() {
      writeFiles(dirs.root, { "mounted/cert": "cert-from-platform-path" })
      setEnv({ CERT_PATH: path.join(dirs.root, "mounted/cert"), DEV_PATH: "/dev/zero" })
      const manager = yield* SecretsManager
      const cert = yield* manager.get({ group: "c", key: "k", mountRequirement: "FILE", envVar: "CERT_PATH" })
      assert.strictEqual(cert, "cert-from-platform-path")
      const error = yield* expectMiss(
        manager.get({ group: "c", key: "k", mountRequirement: "FILE", envVar: "DEV_PATH" })
      )
      assert.strictEqual(error.attempts[0]?.reason, "is a character device, not a regular file")
    })))
})

describe("S4 only regular files are read, and nothing blocks", () => {
  it.effect("a directory is a miss that says so", () =>
    live(Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "g", "k"), { recursive: true })
      const error = yield* expectMiss(getFile("g", "k"))
      assert.strictEqual(error.attempts.find((a) => a.source === "file")?.reason, "is a directory")
    })))

  it.effect("a FIFO is a miss that says so, at once", () =>
    live(Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "g"))
      execFileSync("mkfifo", [path.join(dirs.secrets, "g", "fifo")])
      const error = yield* expectMiss(getFile("g", "fifo")).pipe(Effect.timeout("2 seconds"))
      assert.strictEqual(
        error.attempts.find((a) => a.source === "file")?.reason,
        "is a FIFO (named pipe), not a regular file"
      )
    })), 5_000)

  it("a FIFO does not block the sync facade either", () => {
    fs.mkdirSync(path.join(dirs.secrets, "g"))
    execFileSync("mkfifo", [path.join(dirs.secrets, "g", "fifo")])
    assert.throws(() => makeSecrets().g.fifo, /FIFO/)
  }, 5_000)

  it.effect("a socket is a miss that says so", () =>
    Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "g"))
      const socketPath = path.join(dirs.secrets, "g", "sock")
      const server = yield* listeningAt(socketPath)
      const error = yield* live(expectMiss(getFile("g", "sock"))).pipe(
        Effect.ensuring(Effect.sync(() => server.close()))
      )
      assert.include(error.attempts.find((a) => a.source === "file")?.reason, "socket")
    }))

  it.effect("a device linked into the secrets directory is a miss that names it", () =>
    live(Effect.gen(function*() {
      fs.mkdirSync(path.join(dirs.secrets, "g"))
      fs.symlinkSync("/dev/zero", path.join(dirs.secrets, "g", "zero"))
      const error = yield* expectMiss(getFile("g", "zero", "rb")).pipe(Effect.timeout("2 seconds"))
      assert.strictEqual(
        error.attempts.find((a) => a.source === "file")?.reason,
        "is a character device, not a regular file"
      )
    })))
})

describe("S5 size cap", () => {
  it.effect("refuses a file over the default 1 MiB without reading it", () =>
    live(Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/big": Buffer.concat([plantedBytes, Buffer.alloc(1024 * 1024)]) })
      const error = yield* expectMiss(getFile("g", "big", "rb"))
      const reason = error.attempts.find((a) => a.source === "file")?.reason ?? ""
      assert.include(reason, "over the 1048576-byte limit")
      assert.notInclude(visibleTexts(error), PLANTED)
    })))

  it.effect("honours FLYTE_SECRETS_MAX_FILE_BYTES, and a file at the cap is read", () =>
    Effect.gen(function*() {
      setEnv({ FLYTE_SECRETS_MAX_FILE_BYTES: "8" })
      writeFiles(dirs.secrets, { "g/at-cap": "12345678", "g/over": "123456789" })
      assert.strictEqual(yield* live(getFile("g", "at-cap")), "12345678")
      const error = yield* live(expectMiss(getFile("g", "over")))
      assert.include(error.attempts.find((a) => a.source === "file")?.reason, "is 9 bytes, over the 8-byte limit")
    }))

  it.effect("caps a pseudo-file that reports size 0, reading no more than the cap", () =>
    Effect.gen(function*() {
      // /proc files report size 0 but have content; a FILE envVar may point at one.
      setEnv({ FLYTE_SECRETS_MAX_FILE_BYTES: "16", PROC_PATH: "/proc/self/maps" })
      const error = yield* live(expectMiss(
        SecretsManager.use((m) => m.get({ group: "p", key: "k", mountRequirement: "FILE", envVar: "PROC_PATH" }))
      ))
      assert.include(error.attempts[0]?.reason, "over the 16-byte limit")
    }))
})

describe("S17 text is valid UTF-8 only; rb is exact", () => {
  it.effect("a non-UTF-8 file is a text miss and an exact rb hit", () =>
    live(Effect.gen(function*() {
      const bytes = Buffer.concat([plantedBytes, Buffer.from([0xff, 0xfe, 0x00, 0x20])])
      writeFiles(dirs.secrets, { "g/bin": bytes })
      const error = yield* expectMiss(getFile("g", "bin"))
      assert.strictEqual(
        error.attempts.find((a) => a.source === "file")?.reason,
        "not valid UTF-8 (read it with encodeMode: \"rb\")"
      )
      assert.notInclude(visibleTexts(error), PLANTED)
      assert.deepStrictEqual(yield* getFile("g", "bin", "rb"), new Uint8Array(bytes))
    })))
})

describe("S9 no value appears in anything the library returns but the value itself", () => {
  it.effect("errors, causes and redacted values show names and reasons only", () =>
    Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/bin": Buffer.concat([plantedBytes, Buffer.from([0xff])]), "g/dir/x": PLANTED })
      setEnv({ FLYTE_SECRETS_G_PLAIN: PLANTED, SHORT_PATH: PLANTED })
      const manager = yield* live(SecretsManager)
      const misses = [
        manager.get({ group: "g", key: "bin" }),
        manager.get({ group: "g", key: "dir" }),
        manager.getPath({ group: "g", key: "plain" }),
        manager.getPath({ group: "g", key: "k", envVar: "SHORT_PATH" })
      ]
      for (const miss of misses) {
        const exit = yield* Effect.exit(miss)
        assert.strictEqual(exit._tag, "Failure")
        assert.notInclude(visibleTexts(exit), PLANTED)
        assert.notInclude(inspect(exit, { depth: 20 }), PLANTED)
      }
      const redacted = yield* manager.getRedacted({ group: "g", key: "plain" })
      assert.strictEqual(String(redacted), "<redacted>")
      assert.notInclude(`${redacted} ${JSON.stringify(redacted)} ${inspect(redacted, { depth: 10 })}`, PLANTED)
    }))

  it("errors the facade throws show no value", () => {
    writeFiles(dirs.secrets, { "g/bin": Buffer.concat([plantedBytes, Buffer.from([0xff])]) })
    const error = thrownBy(() => makeSecrets().g.bin)
    assert.instanceOf(error, SecretNotFound)
    assert.notInclude(visibleTexts(error), PLANTED)
  })
})

describe("S15 the facade is safe to inspect", () => {
  const countingFacade = () => {
    const counts = { env: 0, opens: 0 }
    const layer = SecretsManager.layerNoDeps.pipe(
      Layer.provide(SecretsConfig.layerWith({})),
      Layer.provide([
        Layer.succeed(Environment, Environment.of({ get: () => (counts.env++, undefined) })),
        Layer.succeed(
          FileSystem.FileSystem,
          FileSystem.makeNoop({ open: (f) => (counts.opens++, nodeSyncFileSystem.open(f)) })
        )
      ])
    )
    return { secrets: makeSecrets(layer), counts }
  }

  it("no introspection triggers a lookup or throws, at either level", async () => {
    const { secrets, counts } = countingFacade()
    const group = secrets.any_group
    for (const target of [secrets, group] as Array<Record<string | symbol, unknown>>) {
      inspect(target)
      inspect(target, { showHidden: true, depth: 5 })
      String(target)
      void `${target}`
      JSON.stringify(target)
      JSON.stringify({ nested: target })
      Object.keys(target)
      Object.entries(target)
      Object.getOwnPropertyNames(target)
      void { ...target }
      for (
        const probe of [
          "then",
          "__esModule",
          "constructor",
          "toJSON",
          "asymmetricMatch",
          "$$typeof",
          "nodeType",
          "@@__IMMUTABLE_ITERABLE__@@"
        ]
      ) {
        void target[probe]
      }
      assert.isUndefined(target["then"])
      assert.isUndefined(target[Symbol.iterator])
      void target[Symbol.asyncIterator]
      void target[Symbol.toStringTag]
      assert.strictEqual(await Promise.resolve(target), target)
      expect(target).toBeDefined()
      expect(() => expect(target).toStrictEqual({ x: 1 })).toThrow()
      expect(() => expect([target]).toContain(1)).toThrow()
    }
    assert.strictEqual(inspect(secrets), "Secrets <lazy>")
    assert.strictEqual(inspect(group), "SecretGroup any_group <lazy>")
    assert.deepStrictEqual(counts, { env: 0, opens: 0 })
  })

  it("it cannot be written to", () => {
    const { secrets } = countingFacade()
    assert.throws(() => {
      ;(secrets as unknown as Record<string, unknown>)["g"] = 1
    })
    assert.throws(() => {
      delete (secrets as unknown as Record<string, unknown>)["get"]
    })
  })
})

describe("S7 rotation under load", () => {
  it("concurrent readers see the whole old or whole new value while ..data is swapped", async () => {
    const group = path.join(dirs.secrets, "rotating")
    const versions = 4
    const valueOf = (v: number) => `version-${v}-` + String(v).repeat(4096)
    for (let v = 0; v < versions; v++) writeFiles(group, { [`..v${v}/token`]: valueOf(v) })
    fs.symlinkSync("..v0", path.join(group, "..data"))
    fs.symlinkSync("..data/token", path.join(group, "token"))
    const expected = new Set(Array.from({ length: versions }, (_, v) => valueOf(v)))

    // The swapper runs on another thread, so swaps land between and during the reader's system calls.
    const swapper = new Worker(
      `const fs = require("node:fs"), path = require("node:path"), { workerData } = require("node:worker_threads")
       const deadline = Date.now() + workerData.ms
       let v = 0, swaps = 0
       while (Date.now() < deadline) {
         v = (v + 1) % workerData.versions
         const tmp = path.join(workerData.group, "..data_tmp")
         fs.symlinkSync("..v" + v, tmp)
         fs.renameSync(tmp, path.join(workerData.group, "..data"))
         swaps++
       }
       require("node:worker_threads").parentPort.postMessage(swaps)`,
      { eval: true, workerData: { group, versions, ms: 1500 } }
    )
    const swaps = new Promise<number>((resolve, reject) => {
      swapper.once("message", resolve)
      swapper.once("error", reject)
    })
    const manager = Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer))
    let reads = 0
    const read = Effect.flatMap(manager.get({ group: "rotating", key: "token" }), (value) => {
      reads++
      return expected.has(value)
        ? Effect.yieldNow
        : Effect.die(new Error(`torn or unexpected value of ${value.length} chars`))
    })
    const readers = Effect.all(Array.from({ length: 16 }, () => Effect.forever(read)), { concurrency: "unbounded" })
    const outcome = await Effect.runPromise(
      Effect.exit(Effect.raceFirst(readers, Effect.promise(() => swaps)))
    )
    assert.strictEqual(outcome._tag, "Success", String(outcome))
    assert.isAbove(reads, 1000)
    assert.isAbove(await swaps, 100)
  }, 20_000)
})

describe("S16 the environment is untrusted", () => {
  it.effect("a variable name built from a request is looked up literally, never expanded", () =>
    Effect.gen(function*() {
      setEnv({ "FLYTE_SECRETS_$(WHOAMI)_${HOME}": "literal-name", LITERAL_HOME: process.env["HOME"] ?? "/root" })
      const manager = yield* live(SecretsManager)
      assert.strictEqual(yield* manager.get({ group: "$(whoami)", key: "${HOME}" }), "literal-name")
      const error = yield* expectMiss(manager.get({ group: "${HOME}", key: "`id`" }))
      assert.include(error.attempts[0]?.location, "FLYTE_SECRETS_${HOME}_`ID`")
      assert.strictEqual(error.attempts[0]?.reason, "not set")
    }))
})

describe("S2 requests are read once: a getter cannot pass the checks with one name and read another", () => {
  it.effect("a group that is safe when checked and \"..\" when used never leaves the secrets directory", () =>
    live(Effect.gen(function*() {
      fs.writeFileSync(path.join(dirs.root, "k"), PLANTED)
      writeFiles(dirs.secrets, { "safe/k": "inside" })
      const manager = yield* SecretsManager
      for (const operation of ["get", "getPath", "locate"] as const) {
        let reads = 0
        const request = {
          key: "k",
          get group() {
            return reads++ === 0 ? "safe" : ".."
          }
        }
        const lookup: Effect.Effect<unknown, SecretNotFound> = manager[operation](request)
        const result = yield* Effect.result(lookup)
        assert.notInclude(JSON.stringify(result), PLANTED, operation)
        assert.strictEqual(reads, 1, operation)
      }
      let facadeReads = 0
      const value = makeSecrets().get({
        key: "k",
        get group() {
          return facadeReads++ === 0 ? "safe" : ".."
        }
      })
      assert.strictEqual(value, "inside")
    })))

  it.effect("an envVar that passes the check and then names a configuration variable is never read", () =>
    Effect.gen(function*() {
      let reads = 0
      const request = {
        group: "g",
        key: "k",
        mountRequirement: "ENV_VAR" as const,
        get envVar() {
          return reads++ === 0 ? "MY_TOKEN" : "FLYTE_SECRETS_MAX_FILE_BYTES"
        }
      }
      const value = yield* SecretsManager.use((manager) => manager.get(request))
      assert.strictEqual(value, "token")
    }).pipe(Effect.provide(SecretsManager.layerTest({
      env: { MY_TOKEN: "token", FLYTE_SECRETS_MAX_FILE_BYTES: "4096" }
    }))))
})

/**
 * Runs `body` (a module's text) in a child Node with at most 64 open descriptors, from this repository (so `effect`
 * resolves), the library's entry point in LIBRARY, and answers what it printed last, as JSON.
 */
const inChildWithFewDescriptors = (body: string, env: Readonly<Record<string, string>>): unknown => {
  const library = path.resolve(import.meta.dirname, "../../src/index.ts")
  const printed = execFileSync(
    "/bin/sh",
    ["-c", "ulimit -n 64 && exec \"$0\" --input-type=module -e \"$1\"", process.execPath, body],
    { env: { PATH: process.env["PATH"] ?? "", ...env, LIBRARY: library }, encoding: "utf8" }
  )
  return JSON.parse(printed.trim().split("\n").at(-1)!)
}

describe("S6 a file that cannot be opened for want of descriptors ends the lookup: no later place answers", () => {
  it.runIf(process.platform === "linux")("EMFILE is a refusal that says so, and no descriptor is left open", () => {
    writeFiles(dirs.secrets, { "g/k": "file-value" })
    const outcome = inChildWithFewDescriptors(
      `import * as Effect from "effect/Effect"
       import * as Exit from "effect/Exit"
       import * as fs from "node:fs"
       const { SecretsManager } = await import(process.env.LIBRARY)
       const manager = Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer))
       const open = () => fs.readdirSync("/proc/self/fd").length
       const held = []
       try { for (;;) held.push(fs.openSync("/dev/null", "r")) } catch {}
       const during = Effect.runSync(Effect.exit(manager.get({ group: "g", key: "k" })))
       for (const fd of held) fs.closeSync(fd)
       const before = open()
       for (let i = 0; i < 50; i++) Effect.runSync(Effect.exit(manager.get({ group: "g", key: "missing" })))
       const after = Effect.runSync(manager.get({ group: "g", key: "k" }))
       console.log(JSON.stringify({
         during: Exit.isSuccess(during) ? { value: during.value } : { attempts: during.cause.reasons[0].error.attempts },
         after,
         leaked: open() - before
       }))`,
      { FLYTE_SECRETS_DEFAULT_DIR: dirs.secrets, G_K: "LATER-PLACE" }
    )
    assert.deepStrictEqual(outcome, {
      during: {
        attempts: [
          { source: "env", location: "FLYTE_SECRETS_G_K", outcome: "missing", reason: "not set" },
          {
            source: "file",
            location: path.join(dirs.secrets, "g", "k"),
            outcome: "refused",
            reason: "could not be opened: this process has too many files open (EMFILE); no later place was tried"
          }
        ]
      },
      after: "file-value",
      leaked: 0
    })
  })
})

describe("S6 a read answers the same whatever Error.stackTraceLimit is", () => {
  const readAll = () => {
    writeFiles(dirs.secrets, { "g/k": "file-value" })
    const manager = Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer))
    const found = Effect.runSync(manager.get({ group: "g", key: "k" }))
    const missing = Effect.runSync(Effect.flip(manager.get({ group: "g", key: "absent" })))
    return { found, missing: missing.attempts.map((attempt) => attempt.reason) }
  }
  const withLimit = <A>(descriptor: PropertyDescriptor, body: () => A): A => {
    const original = Object.getOwnPropertyDescriptor(Error, "stackTraceLimit")!
    Object.defineProperty(Error, "stackTraceLimit", { ...descriptor, configurable: true })
    try {
      return body()
    } finally {
      Object.defineProperty(Error, "stackTraceLimit", original)
    }
  }

  it("one that cannot be changed (node --frozen-intrinsics) is left as it is, and every read still answers", () => {
    const answers = withLimit({ value: 7, writable: false }, () => {
      const read = readAll()
      assert.strictEqual(Error.stackTraceLimit, 7)
      return read
    })
    assert.deepStrictEqual(answers, { found: "file-value", missing: ["not set", "no such file"] })
  })

  it("a custom one, or one behind a setter, is put back after every read", () => {
    let limit: unknown = 37
    withLimit({ get: () => limit, set: (value) => limit = value }, () => {
      assert.deepStrictEqual(readAll(), { found: "file-value", missing: ["not set", "no such file"] })
    })
    assert.strictEqual(limit, 37)
  })

  it.runIf(process.platform === "linux")(
    "one whose setter throws when it is put back fails the read with that error, and leaves no descriptor open",
    () => {
      writeFiles(dirs.secrets, { "g/k": "file-value" })
      const manager = Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer))
      const descriptors = () => fs.readdirSync("/proc/self/fd").length
      const before = descriptors()
      let limit = 10
      const refusal = new Error("the program's setter refuses this limit")
      const exits = withLimit({
        get: () => limit,
        set: (value) => {
          if (value !== 0) throw refusal
          limit = value
        }
      }, () => Array.from({ length: 20 }, () => Effect.runSync(Effect.exit(manager.get({ group: "g", key: "k" })))))
      assert.strictEqual(descriptors(), before, "a descriptor was left open")
      const [first, ...later] = exits
      assert.isTrue(Exit.isFailure(first!) && Cause.squash(first.cause) === refusal, String(first))
      // The setter kept the limit it refused to change: 0, which later reads set and put back without trouble.
      assert.strictEqual(limit, 0)
      for (const exit of later) assert.deepStrictEqual(exit, Exit.succeed("file-value"))
    }
  )
})

describe("S6 a refused or missing place leaves no descriptor open", () => {
  it.runIf(process.platform === "linux")("hundreds of reads of every kind of refusal, counted in /proc/self/fd", () => {
    const group = path.join(dirs.secrets, "g")
    writeFiles(group, { ok: "value", hard: "h", big: "x".repeat(2 * 1024 * 1024), binary: new Uint8Array([0xff]) })
    writeFiles(dirs.root, { outside: PLANTED, notdir: "x" })
    fs.linkSync(path.join(group, "hard"), path.join(dirs.root, "hard-elsewhere"))
    fs.symlinkSync("loop", path.join(group, "loop"))
    fs.mkdirSync(path.join(group, "dir"))
    execFileSync("mkfifo", [path.join(group, "fifo")])
    fs.symlinkSync(path.join(dirs.root, "outside"), path.join(group, "out"))
    fs.symlinkSync(path.join(dirs.root, "nothing"), path.join(group, "dangling"))
    fs.symlinkSync("x".repeat(300), path.join(group, "toolong"))
    fs.symlinkSync(path.join(dirs.root, "notdir", "k"), path.join(group, "notdir"))
    const keys = [
      "ok",
      "absent",
      "hard",
      "big",
      "binary",
      "loop",
      "dir",
      "fifo",
      "out",
      "dangling",
      "toolong",
      "notdir"
    ]
    const manager = Effect.runSync(Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer))
    const open = () => fs.readdirSync("/proc/self/fd").length
    const before = open()
    const outcomes = new Set<string>()
    for (let round = 0; round < 30; round++) {
      for (const key of keys) {
        const exit = Effect.runSync(Effect.exit(manager.get({ group: "g", key })))
        outcomes.add(exit._tag === "Success" ? exit.value : String(exit.cause))
      }
    }
    assert.strictEqual(open(), before)
    assert.strictEqual(outcomes.size, keys.length, "each key answered one way, every time")
  })
})
