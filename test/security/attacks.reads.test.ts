/**
 * A read's buffer and the state it carries from one step to the next, attacked through `layerNoDeps` over a
 * `FileSystem` that answers later and hands a file out in small pieces: pseudo-files that report size 0 (read into
 * a growing buffer, up to the cap), files that shrink or grow after their size was taken, and many such reads at
 * once through one manager, each of which must answer its own file; no descriptor is left open. And the test
 * layer's in-memory files, read in pieces and at an offset.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as ByteSize from "effect/ByteSize"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Environment, SecretsConfig, SecretsManager } from "../../src/index.ts"
import { memoryFileAccess } from "../../src/internal/files/memoryFileAccess.ts"
import * as Now from "../../src/internal/now.ts"
import { expectMiss, useSecretsDir, writeFiles } from "../support.ts"

const dirs = useSecretsDir()

// The most one read call hands out: a file system may always answer with less than it was asked for.
const piece = 1000

/**
 * The size a file's `stat`, `lstat` and `fstat` report, by its name: `zero-` 0 (a pseudo-file, as in /proc),
 * `shrunk-` 100 bytes more than it holds (it shrank since), `grown-` 10 bytes less (it grew since).
 */
const reportedSize = (file: string, size: number): number => {
  const name = path.basename(file)
  if (name.startsWith("zero-")) return 0
  if (name.startsWith("shrunk-")) return size + 100
  return name.startsWith("grown-") ? Math.max(size - 10, 0) : size
}

const reported = (info: FileSystem.File.Info, file: string): FileSystem.File.Info => ({
  ...info,
  size: ByteSize.bytes(reportedSize(file, Number(info.size)))
})

/**
 * Node's asynchronous `FileSystem` with the sizes above, whose open files hand out at most `piece` bytes a call,
 * each call after a yield (so concurrent reads interleave); `bytesRead` counts what each file (by name) handed out.
 */
const piecewise = (bytesRead: Map<string, number>) =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fileSystem) => {
      const inPieces = (file: FileSystem.File, name: string): FileSystem.File =>
        new Proxy(file, {
          get: (target, key, receiver) => {
            if (key === "stat") return Effect.map(target.stat, (info) => reported(info, name))
            if (key !== "read") return Reflect.get(target, key, receiver)
            return (buffer: Uint8Array) =>
              Effect.andThen(
                Effect.yieldNow,
                Effect.map(target.read(buffer.subarray(0, piece)), (count) => {
                  bytesRead.set(path.basename(name), (bytesRead.get(path.basename(name)) ?? 0) + count)
                  return count
                })
              )
          }
        })
      return new Proxy(fileSystem, {
        get: (target, key, receiver) => {
          if (key === "open") {
            return (file: string, options?: Parameters<FileSystem.FileSystem["open"]>[1]) =>
              Effect.map(target.open(file, options), (opened) => inPieces(opened, file))
          }
          if (key === "stat" || key === "lstat") {
            return (file: string) => Effect.map(target[key](file), (info) => reported(info, file))
          }
          return Reflect.get(target, key, receiver)
        }
      })
    })
  ).pipe(Layer.provide(NodeFileSystem.layer))

const managerOver = (bytesRead: Map<string, number>, maxFileBytes?: number) =>
  SecretsManager.layerNoDeps.pipe(Layer.provide([
    SecretsConfig.layerWith({
      defaultDir: dirs.secrets,
      local: false,
      ...(maxFileBytes === undefined ? {} : { maxFileBytes })
    }),
    Environment.layerTest({}),
    piecewise(bytesRead)
  ]))

/**
 * `size` bytes that differ from file to file, as plain text: every value read is registered for masking, and the
 * fewer forms text has keep the process's registry from filling up.
 */
const contentOf = (size: number): Uint8Array => Buffer.from(randomBytes(size).toString("base64url").slice(0, size))

const openDescriptors = () => fs.readdirSync("/proc/self/fd").length

describe("S5 a read in pieces through a FileSystem that answers later", () => {
  it.effect("many reads at once, each handed out in pieces: every answer is its own file's, as its size says", () =>
    Effect.gen(function*() {
      const sizes = [1, 999, 1000, 4095, 4096, 4097, 8192, 8193, 12_345]
      const expected = new Map<string, Uint8Array>()
      for (const prefix of ["plain-", "zero-", "shrunk-", "grown-"]) {
        for (const size of sizes) {
          const bytes = contentOf(size)
          writeFiles(dirs.secrets, { [`g/${prefix}${size}`]: bytes })
          // A file that grew since its size was taken is read up to that size; any other, whole.
          const sizeSaid = reportedSize(prefix, size)
          expected.set(`${prefix}${size}`, prefix === "grown-" && sizeSaid > 0 ? bytes.subarray(0, sizeSaid) : bytes)
        }
      }
      const keys = [...expected.keys()]
      const before = process.platform === "linux" ? openDescriptors() : 0
      const manager = yield* SecretsManager
      for (let round = 0; round < 3; round++) {
        const answers = yield* Effect.forEach(
          keys,
          (key) => manager.get({ group: "g", key, encodeMode: "rb" }),
          { concurrency: "unbounded" }
        )
        answers.forEach((answer, index) => {
          const key = keys[index]!
          assert.isTrue(Buffer.from(answer).equals(expected.get(key)!), `${key}: ${answer.length} bytes`)
        })
      }
      if (process.platform === "linux") assert.strictEqual(openDescriptors(), before, "no descriptor left open")
    }).pipe(Effect.provide(managerOver(new Map()))))

  it.effect("a pseudo-file over the cap is refused with the cap, having read no more than one byte past it", () => {
    const bytesRead = new Map<string, number>()
    return Effect.gen(function*() {
      writeFiles(dirs.secrets, { "g/zero-big": contentOf(20_000), "g/zero-at-cap": contentOf(5000) })
      const manager = yield* SecretsManager
      const error = yield* expectMiss(manager.get({ group: "g", key: "zero-big", encodeMode: "rb" }))
      assert.strictEqual(
        error.attempts.find((attempt) => attempt.source === "file")?.reason,
        "holds more than 5000 bytes, over the 5000-byte limit (raise FLYTE_SECRETS_MAX_FILE_BYTES if it is meant " +
          "to be this large)"
      )
      assert.isAtMost(bytesRead.get("zero-big")!, 5001)
      assert.lengthOf(yield* manager.get({ group: "g", key: "zero-at-cap", encodeMode: "rb" }), 5000)
    }).pipe(Effect.provide(managerOver(bytesRead, 5000)))
  })
})

describe("the test layer's files read as a file is", () => {
  const access = memoryFileAccess({ "/s/k": "0123456789", "/s/empty": "" })
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
  /** Each read of `/s/k` into a new buffer of `size`, from `offset`, until the end: the bytes each one filled. */
  const readsOf = (file: string, size: number, offset: number) =>
    access.withOpen(file, (handle) => {
      const reads: Array<string> = []
      for (;;) {
        const buffer = new Uint8Array(size)
        const count = access.read(handle, buffer, offset) as number
        if (count === 0) return reads
        reads.push(text(buffer.subarray(offset, offset + count)))
      }
    }, undefined)

  it("a buffer smaller than the file is filled piece by piece, each read going on where the last ended", () => {
    assert.deepStrictEqual(readsOf("/s/k", 4, 0), ["0123", "4567", "89"])
    assert.deepStrictEqual(readsOf("/s/k", 6, 3), ["012", "345", "678", "9"])
  })

  it("a whole file lands at the offset asked, and the bytes before it are left alone", () => {
    const buffer = new TextEncoder().encode("abc" + "_".repeat(12))
    const count = access.withOpen("/s/k", (handle) => access.read(handle, buffer, 3), undefined)
    assert.strictEqual(count, 10)
    assert.strictEqual(text(buffer), "abc0123456789__")
  })

  it("an empty file, and a buffer already full, read nothing", () => {
    assert.deepStrictEqual(readsOf("/s/empty", 8, 0), [])
    assert.strictEqual(access.withOpen("/s/k", (handle) => access.read(handle, new Uint8Array(4), 4), undefined), 0)
    assert.instanceOf(access.withOpen("/s/absent", () => 0, undefined), Now.Failed)
  })
})
