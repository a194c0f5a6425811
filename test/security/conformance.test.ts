/**
 * The conformance suite: one list of cases, run against every file access the library has: the live layer (Node's
 * synchronous `fs`, non-blocking opens, `/proc/self/fd`), `layerNoDeps` over `@effect/platform-node`'s
 * asynchronous `NodeFileSystem`, `layerNoDeps` over a synchronous Node `FileSystem`, and `layerTest` (in memory)
 * for the cases that need no links, FIFOs or devices. Every implementation must give the same answers. Each case
 * names the promise of docs/security.md it attacks, and runs in that promise's describe over every implementation.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import type { ConfigError } from "effect/Config"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Environment, SecretNotFound, SecretsConfig, SecretsManager } from "../../src/index.ts"
import type { SecretRequest, SecretsManagerShape } from "../../src/SecretsManager.ts"
import {
  type AfterCall,
  type FailCall,
  type FileCall,
  recordingFileSystem,
  spyOnNodeFs
} from "../fixtures/fileCalls.ts"
import { makeKubeletVolume } from "../fixtures/kubeletVolume.ts"
import { nodeSyncFileSystem } from "../fixtures/nodeSyncFileSystem.ts"
import { fifoRescuer, flipper, isRotatedValue, releaseFifo, rotatedValueOf, rotator } from "../fixtures/racers.ts"
import { withoutLinkCounts } from "../fixtures/withoutLinkCounts.ts"
import { expectMiss, listeningAt, makeTempDir, PLANTED, restoreEnv, setEnv, visibleTexts } from "../support.ts"

const encoder = new TextEncoder()

/** What a manager is built with, besides its secrets directory. */
interface Setup {
  readonly env?: Readonly<Record<string, string>>
  readonly local?: boolean
  readonly maxFileBytes?: number
}

/** One file access under test. */
interface Implementation {
  readonly name: string
  /** Real files on disk: links, FIFOs, sockets, devices, permissions. */
  readonly disk: boolean
  /** Its file-system calls are recorded (opens counted, paths touched). */
  readonly records: boolean
  /** Blocks no thread on a FIFO or device, even one swapped in after a check (it opens non-blocking). */
  readonly nonBlocking: boolean
  /**
   * The pause between two rotations it must ride out without a miss: a read through the thread pool takes a dozen
   * hops (about a millisecond each under load), so a writer that never pauses can change the files at every try,
   * which a read rides out only up to its bound of tries (reported).
   */
  readonly rotationPauseMs: number
  /** The `FileSystem` it reads through, when it reads through one (`layerNoDeps`). */
  readonly fileSystem?: Layer.Layer<FileSystem.FileSystem>
  /** Starts recording the calls it makes to Node's `fs` directly, when it makes any; gives the undo. */
  readonly spy?: (calls: Array<FileCall>, after: AfterCall, fail: FailCall) => { readonly restore: () => void }
  readonly manager: (
    dir: string,
    files: Readonly<Record<string, string | Uint8Array>>,
    setup: Setup,
    calls: Array<FileCall>,
    after: AfterCall,
    fail?: FailCall
  ) => Effect.Effect<SecretsManagerShape, ConfigError>
}

const managerOf = (layer: Layer.Layer<SecretsManager, ConfigError>) =>
  Effect.provide(SecretsManager.use(Effect.succeed), layer)

const configOf = (dir: string, setup: Setup) =>
  SecretsConfig.layerWith({
    defaultDir: dir,
    local: setup.local ?? false,
    ...(setup.maxFileBytes === undefined ? {} : { maxFileBytes: setup.maxFileBytes })
  })

const overFileSystem = (fileSystem: Layer.Layer<FileSystem.FileSystem>) =>
(
  dir: string,
  _files: Readonly<Record<string, string | Uint8Array>>,
  setup: Setup,
  calls: Array<FileCall>,
  after: AfterCall,
  fail?: FailCall
) =>
  managerOf(SecretsManager.layerNoDeps.pipe(
    Layer.provide([
      configOf(dir, setup),
      Environment.layerTest(setup.env ?? {}),
      Layer.effect(
        FileSystem.FileSystem,
        Effect.gen(function*() {
          return recordingFileSystem(yield* FileSystem.FileSystem, calls, after, fail)
        })
      ).pipe(Layer.provide(fileSystem))
    ])
  ))

const implementations: ReadonlyArray<Implementation> = [
  {
    name: "SecretsManager.layer (Node's sync fs, non-blocking, /proc/self/fd)",
    disk: true,
    records: true,
    nonBlocking: true,
    rotationPauseMs: 0,
    spy: spyOnNodeFs,
    // The real layer over the real process.env, as users get it; restored after each case.
    manager: (dir, _files, setup) => {
      setEnv({
        FLYTE_SECRETS_DEFAULT_DIR: dir,
        FLYTE_SECRETS_ENV_PREFIX: undefined,
        FLYTE_SECRETS_FILE_PREFIX: undefined,
        FLYTE_INTERNAL_EXECUTION_ID: setup.local === true ? undefined : "exec-1",
        FLYTE_SECRETS_MAX_FILE_BYTES: setup.maxFileBytes === undefined ? undefined : String(setup.maxFileBytes),
        ...setup.env
      })
      return managerOf(SecretsManager.layer)
    }
  },
  {
    name: "layerNoDeps over @effect/platform-node NodeFileSystem (async)",
    disk: true,
    records: true,
    // Effect.timeout ends a read that waits on the thread pool: the read itself must then not wait.
    nonBlocking: true,
    rotationPauseMs: 20,
    fileSystem: NodeFileSystem.layer,
    manager: overFileSystem(NodeFileSystem.layer)
  },
  {
    name: "layerNoDeps over a synchronous Node FileSystem",
    disk: true,
    records: true,
    // A synchronous open of a FIFO blocks the calling thread: nothing can end it (reported, not tested).
    nonBlocking: false,
    rotationPauseMs: 0,
    fileSystem: Layer.succeed(FileSystem.FileSystem, nodeSyncFileSystem),
    manager: overFileSystem(Layer.succeed(FileSystem.FileSystem, nodeSyncFileSystem))
  },
  {
    name: "SecretsManager.layerTest (in memory)",
    disk: false,
    records: false,
    nonBlocking: true,
    rotationPauseMs: 0,
    manager: (dir, files, setup) =>
      managerOf(SecretsManager.layerTest({
        files: Object.fromEntries(Object.entries(files).map(([file, content]) => [path.join(dir, file), content])),
        env: setup.env ?? {},
        config: {
          defaultDir: dir,
          local: setup.local ?? false,
          ...(setup.maxFileBytes === undefined ? {} : { maxFileBytes: setup.maxFileBytes })
        }
      }))
  }
]

/** What a case works with. */
interface Fixture {
  readonly impl: Implementation
  /** A folder outside the secrets directory (on disk: the temp folder). */
  readonly root: string
  /** The secrets directory, `root/secrets`; created empty. */
  readonly dir: string
  /** Writes files under the secrets directory (relative paths). */
  readonly files: (files: Readonly<Record<string, string | Uint8Array>>) => void
  /** The manager over what was written so far, built now. */
  readonly manager: (setup?: Setup) => Effect.Effect<SecretsManagerShape, ConfigError>
  /** The file-system calls recorded since the manager was built (when `impl.records`). */
  readonly calls: Array<FileCall>
  /** Runs `hook` after every recorded call from now on (`undefined` stops it). */
  readonly between: (hook: AfterCall | undefined) => void
  /** Fails each recorded call `rule` names, from now on, with its system error code instead of making it. */
  readonly failCalls: (rule: FailCall | undefined) => void
}

/** Runs `body` with a fresh fixture, and removes it afterwards. */
const withFixture = <A, E>(impl: Implementation, body: (fixture: Fixture) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const temp = impl.disk ? makeTempDir() : { dir: "/in-memory", remove: () => {} }
      const dir = path.join(temp.dir, "secrets")
      if (impl.disk) fs.mkdirSync(dir)
      const calls: Array<FileCall> = []
      let hook: AfterCall | undefined
      // A hook's own file changes are calls too (Node's writeFileSync opens through fs.openSync): not hooked again.
      let hooking = false
      const after: AfterCall = (call) => {
        if (hook === undefined || hooking) return
        hooking = true
        try {
          hook(call)
        } finally {
          hooking = false
        }
      }
      let failing: FailCall | undefined
      const fail: FailCall = (call) => failing?.(call)
      const spy = impl.spy?.(calls, after, fail)
      const written: Record<string, string | Uint8Array> = {}
      const fixture: Fixture = {
        impl,
        root: temp.dir,
        dir,
        files: (files) => {
          for (const [file, content] of Object.entries(files)) {
            written[file] = content
            if (!impl.disk) continue
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
            fs.writeFileSync(path.join(dir, file), content)
          }
        },
        manager: (setup = {}) =>
          Effect.map(impl.manager(dir, { ...written }, setup, calls, after, fail), (manager) => {
            calls.length = 0
            return manager
          }),
        calls,
        between: (next) => {
          hook = next
        },
        failCalls: (rule) => {
          failing = rule
        }
      }
      return { fixture, release: () => (spy?.restore(), restoreEnv(), temp.remove()) }
    }),
    ({ fixture }) => body(fixture),
    ({ release }) => Effect.sync(release)
  )

const reasonAt = (error: SecretNotFound, source: string): string | undefined =>
  error.attempts.find((attempt) => attempt.source === source)?.reason

/** Runs `read` in `readers` concurrent loops until `ms` milliseconds have passed. */
const hammer = <E>(
  ms: number,
  readers: number,
  read: Effect.Effect<void, E>,
  enough: () => boolean = () => true
): Effect.Effect<void, E> => {
  // Past `ms` until `enough` holds, so a loaded machine still makes the race the test needs (30 seconds at most).
  const deadline = Date.now() + ms, cap = Date.now() + 30_000
  const done = () => Date.now() >= cap || (Date.now() >= deadline && enough())
  const loop: Effect.Effect<void, E> = Effect.suspend(() =>
    done() ? Effect.void : Effect.andThen(read, Effect.andThen(Effect.yieldNow, loop))
  )
  return Effect.asVoid(Effect.all(Array.from({ length: readers }, () => loop), { concurrency: "unbounded" }))
}

/**
 * A manager over a kubelet volume `g` holding `token`, and a new version of it published right after each open of
 * the volume's files, `limit` times at most: a rotation that keeps going while a read is tried again.
 */
const publishingOnEveryOpen = (fx: Fixture, limit: number, setup?: Setup) =>
  Effect.gen(function*() {
    const group = path.join(fx.dir, "g")
    const volume = makeKubeletVolume(group, { token: rotatedValueOf(0) })
    const manager = yield* fx.manager(setup)
    let published = 0
    fx.between((call) => {
      if (call.op === "open" && call.path.startsWith(group) && published < limit) {
        volume.publish({ token: rotatedValueOf(++published) })
      }
    })
    return { manager, published: () => published }
  })

/** How often each outcome of a lookup was seen: the value itself, or the reasons of a miss. */
const tally = () => {
  const counts = new Map<string, number>()
  const add = (outcome: string) => counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
  return {
    counts,
    record: <A>(lookup: Effect.Effect<A, SecretNotFound>, show: (value: A) => string) =>
      Effect.map(Effect.result(lookup), (result) =>
        add(
          Result.isSuccess(result)
            ? show(result.success)
            : `miss: ${result.failure.attempts.map((a) => a.reason).join(" | ")}`
        )),
    summary: () => JSON.stringify(Object.fromEntries(counts))
  }
}

const opensOf = (calls: ReadonlyArray<FileCall>, under: string) =>
  calls.filter((call) => call.op === "open" && call.path.startsWith(under))

/** Each read of `request` (every operation) opens `file` once, read-only (and non-blocking where it can). */
const opensOncePerRead = (fx: Fixture, manager: SecretsManagerShape, request: SecretRequest, file: string) =>
  Effect.gen(function*() {
    const reads = [
      manager.get(request),
      manager.get(request),
      manager.get({ ...request, encodeMode: "rb" }),
      manager.getRedacted(request),
      manager.getPath(request),
      manager.locate(request)
    ]
    for (const [index, read] of reads.entries()) {
      yield* read
      const opens = opensOf(fx.calls, fx.root)
      assert.strictEqual(opens.length, index + 1, `opens after ${index + 1} reads: ${JSON.stringify(opens)}`)
    }
    for (const open of opensOf(fx.calls, fx.root)) {
      assert.strictEqual(open.path, path.join(fx.dir, file))
      if (open.flags === undefined) continue
      assert.strictEqual(open.flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR), 0)
      assert.notStrictEqual(open.flags & fs.constants.O_NONBLOCK, 0, "opened without O_NONBLOCK")
    }
  })

const descriptors = () => fs.readdirSync("/proc/self/fd").length

/** That `error` ended the lookup at `file` with `code`: no later place was tried. */
const expectEnded = (error: SecretNotFound, file: string, code: string) => {
  const last = error.attempts.at(-1)!
  assert.strictEqual(error.reason, "Refused", `${code}: ${JSON.stringify(error.attempts)}`)
  assert.deepStrictEqual([last.source, last.location, last.outcome], ["file", file, "refused"], code)
  assert.include(last.reason, `(${code}); no later place was tried`)
  assert.notInclude(JSON.stringify(error.attempts), "local-env", `${code}: a later place was tried`)
}

/** A local run's manager where the unprefixed `G_K`, a later place than the file `g/k`, answers if the lookup goes on. */
const laterPlaceManager = (fx: Fixture, env: Readonly<Record<string, string>> = {}) =>
  fx.manager({ local: true, env: { G_K: "LATER-PLACE", ...env } })

/** `g/k` holding "file-value", its path, and a manager where a later place would answer (see `laterPlaceManager`). */
const fileBeforeLaterPlace = (fx: Fixture) =>
  Effect.suspend(() => {
    fx.files({ "g/k": "file-value" })
    return Effect.map(laterPlaceManager(fx), (manager) => ({ file: path.join(fx.dir, "g", "k"), manager }))
  })

/** `g/k` caught in a rotation: the link is there, its target (`..data/k`) not yet. Answers the link's path. */
const danglingKey = (fx: Fixture): string => {
  const file = path.join(fx.dir, "g", "k")
  fs.mkdirSync(path.dirname(file))
  fs.symlinkSync("..data/k", file)
  return file
}

/** `effect` run while each call `rule` names fails with its code (see `Fixture.failCalls`); calls succeed again after. */
const whileFailing = <A, E>(fx: Fixture, rule: FailCall, effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.ensuring(
    Effect.suspend(() => (fx.failCalls(rule), effect)),
    Effect.sync(() => fx.failCalls(undefined))
  )

/** The promises of docs/security.md that the cases attack, each a describe of its own. */
const promises = {
  S3: "S3 containment is bound to the file actually read, at every file access",
  S4: "S4 only regular files are read, and nothing blocks, at every file access",
  S5: "S5 the size cap holds at every file access",
  S6: "S6 a refused place is never read, and says why, at every file access",
  S7: "S7 rotation never tears a value, at every file access",
  S8: "S8 declared variables are opened only as declared, at every file access",
  S17: "S17 every file access gives the same answers"
} as const
type PromiseNumber = keyof typeof promises

interface Case {
  readonly name: string
  /** The promise of docs/security.md that the case attacks. */
  readonly promise: PromiseNumber
  /** Needs real files (links, FIFOs, devices...): not run in memory. */
  readonly disk?: boolean
  /** Needs the file-system calls recorded: not run where they are not. */
  readonly records?: boolean
  /** Needs an implementation that never blocks a thread on a FIFO. */
  readonly nonBlocking?: boolean
  /** Needs an implementation that reads through a `FileSystem` (given to `run` as `fileSystem`). */
  readonly fileSystem?: boolean
  readonly run: (fixture: Fixture) => Effect.Effect<void, unknown>
}

/**
 * A character device node at `node` (/dev/null's numbers), where this process may make one (root, with CAP_MKNOD) and
 * its file system lets it be opened (not mounted `nodev`, where an open is denied before the file is seen); else none.
 */
const madeDeviceNode = (node: string): boolean => {
  try {
    execFileSync("mknod", [node, "c", "1", "3"], { stdio: "ignore" })
  } catch {
    return false
  }
  try {
    fs.closeSync(fs.openSync(node, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK))
    return true
  } catch {
    fs.rmSync(node)
    return false
  }
}

const cases: ReadonlyArray<Case> = [
  {
    name: "reads a regular file: text stripped with universal newlines, rb the exact bytes",
    promise: "S17",
    run: (fx) =>
      Effect.gen(function*() {
        const raw = encoder.encode("\r\n  first line\r\nsecond\rthird \t\n")
        fx.files({ "g/k": raw, "g/bom": "\ufeffwith-bom\n" })
        const manager = yield* fx.manager()
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "first line\nsecond\nthird")
        assert.deepStrictEqual(yield* manager.get({ group: "g", key: "k", encodeMode: "rb" }), raw)
        assert.strictEqual(yield* manager.get({ group: "G", key: "K" }), "first line\nsecond\nthird")
        assert.strictEqual(yield* manager.get({ group: "g", key: "bom" }), "\ufeffwith-bom")
        assert.strictEqual(yield* manager.getPath({ group: "g", key: "k" }), path.join(fx.dir, "g/k"))
      })
  },
  {
    name: "opens the file once per read, read-only (and non-blocking where it can)",
    promise: "S3",
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        fx.files({ "g/k": "value" })
        yield* opensOncePerRead(fx, yield* fx.manager(), { group: "g", key: "k" }, "g/k")
      })
  },
  {
    name: "refuses links out of the secrets directory (a file, a directory, a root-only file), never reading them",
    promise: "S3",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const outside = path.join(fx.root, "outside")
        fs.mkdirSync(path.join(outside, "private"), { recursive: true, mode: 0o700 })
        fs.writeFileSync(path.join(outside, "target"), PLANTED)
        fs.writeFileSync(path.join(outside, "private", "shadow"), PLANTED, { mode: 0o400 })
        fs.mkdirSync(path.join(fx.dir, "g"))
        fs.symlinkSync(path.join(outside, "target"), path.join(fx.dir, "g", "escape"))
        fs.symlinkSync(path.join(outside, "private", "shadow"), path.join(fx.dir, "g", "shadow"))
        fs.symlinkSync("../../outside", path.join(fx.dir, "g", "up"))
        fs.symlinkSync(outside, path.join(fx.dir, "linked"))
        const manager = yield* fx.manager()
        for (
          const request of [
            { group: "g", key: "escape" },
            { group: "g", key: "shadow", encodeMode: "rb" as const },
            { group: "g", groupVersion: "up", key: "target" },
            { group: "linked", key: "target" }
          ]
        ) {
          const error = yield* expectMiss(manager.get(request))
          assert.strictEqual(
            reasonAt(error, "file"),
            "resolves outside the secrets directory (a symbolic link leads out of it)",
            JSON.stringify(request)
          )
          assert.notInclude(visibleTexts(error), PLANTED)
        }
        const outsideReads = fx.calls.filter((call) => call.op === "read" && call.path.startsWith(outside))
        assert.deepStrictEqual(outsideReads, [], "a file outside the secrets directory was read before it was judged")
      })
  },
  {
    name: "a link flipped between an inside and an outside target never yields the outside file",
    promise: "S3",
    disk: true,
    records: true,
    run: (fx) => flipCase(fx, "link")
  },
  {
    name: "a name flipped between an inside regular file and a link out never yields the outside file",
    promise: "S3",
    disk: true,
    records: true,
    run: (fx) => flipCase(fx, "file")
  },
  {
    name: "a swap between any two steps of a read never yields the outside file",
    promise: "S3",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const name = path.join(fx.dir, "g", "k")
        const outside = path.join(fx.root, "outside")
        fs.mkdirSync(path.dirname(name))
        fs.writeFileSync(path.join(fx.dir, "inside"), "inside-value")
        fs.writeFileSync(outside, PLANTED)
        const swapTo = (target: string | { readonly content: string }) => {
          const temp = `${name}.swap`
          if (typeof target === "string") fs.symlinkSync(target, temp)
          else fs.writeFileSync(temp, target.content)
          fs.renameSync(temp, name)
        }
        const manager = yield* fx.manager()
        // The name starts as a regular file or a link inside, and becomes a link out after the step-th call.
        for (const before of [{ content: "inside-value" }, path.join(fx.dir, "inside")]) {
          for (let step = 1;; step++) {
            swapTo(before)
            let calls = 0
            fx.between((call) => {
              if (call.path.startsWith(fx.root) && ++calls === step) swapTo(outside)
            })
            const outcome = yield* Effect.result(manager.get({ group: "g", key: "k" }))
            fx.between(undefined)
            const shown = Result.isSuccess(outcome) ? outcome.success : outcome.failure.attempts.at(-1)?.reason
            assert.notStrictEqual(
              shown,
              PLANTED,
              `the outside file was read after step ${step} (${fx.calls[step - 1]?.op})`
            )
            if (calls < step) break
          }
        }
      })
  },
  {
    name: "a FIFO swapped in between any two steps never blocks a read (Effect.timeout ends it)",
    promise: "S4",
    disk: true,
    records: true,
    nonBlocking: true,
    run: (fx) =>
      Effect.gen(function*() {
        const name = path.join(fx.dir, "g", "k")
        fs.mkdirSync(path.dirname(name))
        const manager = yield* fx.manager()
        for (let step = 1;; step++) {
          fs.writeFileSync(`${name}.swap`, "regular")
          fs.renameSync(`${name}.swap`, name)
          let calls = 0
          fx.between((call) => {
            if (!call.path.startsWith(fx.root) || ++calls !== step) return
            execFileSync("mkfifo", [`${name}.swap`])
            fs.renameSync(`${name}.swap`, name)
          })
          // A reader blocked on the FIFO is freed after a second, so a hang fails the case instead of stalling it.
          const rescuer = fifoRescuer(name, 1000)
          const started = Date.now()
          yield* Effect.result(manager.get({ group: "g", key: "k" }).pipe(Effect.timeout("200 millis")))
          const elapsed = Date.now() - started
          fx.between(undefined)
          const freed = yield* rescuer.stop
          releaseFifo(name)
          assert.strictEqual(freed, 0, `a read blocked on a FIFO swapped in after step ${step}`)
          assert.isBelow(elapsed, 600, `a read took ${elapsed} ms with a FIFO swapped in after step ${step}`)
          if (calls < step) break
        }
      })
  },
  {
    name: "no verdict outlives its file: the inode it read, now named only outside and swapped in, is refused",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.mkdirSync(path.join(fx.dir, "g"))
        fs.mkdirSync(path.join(fx.root, "outside"))
        const link = path.join(fx.dir, "g", "k")
        const manager = yield* fx.manager()
        for (let round = 0; round < 3; round++) {
          const inside = path.join(fx.dir, "g", `..v${round}`)
          const outside = path.join(fx.root, "outside", `f${round}`)
          fs.writeFileSync(inside, "inside-value")
          fs.rmSync(link, { force: true })
          fs.symlinkSync(inside, link)
          assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "inside-value")
          // The very inode just read moves outside (a hard link, then its inside name removed) and takes the planted
          // value: what a file system that reuses inode numbers does by chance, made certain on every file system.
          const inode = fs.statSync(inside).ino
          fs.linkSync(inside, outside)
          fs.unlinkSync(inside)
          fs.writeFileSync(outside, PLANTED)
          assert.strictEqual(fs.statSync(outside).ino, inode)
          fs.rmSync(link)
          fs.symlinkSync(outside, link)
          const error = yield* expectMiss(manager.get({ group: "g", key: "k" }))
          assert.include(reasonAt(error, "file"), "outside the secrets directory")
          assert.notInclude(visibleTexts(error), PLANTED)
        }
      })
  },
  {
    name: "a secrets directory that becomes a link, and a folder again, is read as it resolves at each read",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        const outside = path.join(fx.root, "outside")
        fs.writeFileSync(outside, PLANTED)
        // Each version: `g/k` holds its value, and `g/out` is a link out.
        const fill = (dir: string, value: string) => {
          fs.mkdirSync(path.join(dir, "g"), { recursive: true })
          fs.writeFileSync(path.join(dir, "g", "k"), value)
          fs.symlinkSync(outside, path.join(dir, "g", "out"))
        }
        const expectVersion = (manager: SecretsManagerShape, value: string) =>
          Effect.gen(function*() {
            assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), value)
            const error = yield* expectMiss(manager.get({ group: "g", key: "out" }))
            assert.include(reasonAt(error, "file"), "outside the secrets directory", value)
            assert.notInclude(visibleTexts(error), PLANTED)
          })
        fill(fx.dir, "folder-1")
        const manager = yield* fx.manager()
        yield* expectVersion(manager, "folder-1")
        // The folder moved aside, and a link to another folder put in its place; then a folder again, then a link.
        fs.renameSync(fx.dir, path.join(fx.root, "old-1"))
        fill(path.join(fx.root, "linked-1"), "linked-1")
        fs.symlinkSync(path.join(fx.root, "linked-1"), fx.dir)
        yield* expectVersion(manager, "linked-1")
        fs.unlinkSync(fx.dir)
        fill(fx.dir, "folder-2")
        yield* expectVersion(manager, "folder-2")
        fs.renameSync(fx.dir, path.join(fx.root, "old-2"))
        fill(path.join(fx.root, "linked-2"), "linked-2")
        fs.symlinkSync(path.join(fx.root, "linked-2"), fx.dir)
        yield* expectVersion(manager, "linked-2")
      })
  },
  {
    name: "a file in a sibling folder whose name starts with the secrets directory's is outside it",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.mkdirSync(path.join(fx.dir, "g"))
        for (const sibling of [`${fx.dir}-other`, `${fx.dir}x`, `${fx.dir} `]) {
          fs.mkdirSync(sibling)
          fs.writeFileSync(path.join(sibling, "k"), PLANTED)
        }
        fs.symlinkSync(path.join(`${fx.dir}-other`, "k"), path.join(fx.dir, "g", "dash"))
        fs.symlinkSync(path.join(`${fx.dir}x`, "k"), path.join(fx.dir, "g", "letter"))
        fs.symlinkSync(path.join(`${fx.dir} `, "k"), path.join(fx.dir, "g", "space"))
        const manager = yield* fx.manager()
        for (const key of ["dash", "letter", "space"]) {
          const error = yield* expectMiss(manager.get({ group: "g", key }))
          assert.include(reasonAt(error, "file"), "outside the secrets directory", key)
          assert.notInclude(visibleTexts(error), PLANTED, key)
        }
      })
  },
  {
    name: "a secrets directory swapped for a link right after the file was opened answers the old or new value",
    promise: "S7",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.mkdirSync(path.join(fx.dir, "g"))
        fs.writeFileSync(path.join(fx.dir, "g", "k"), "old-value")
        fs.mkdirSync(path.join(fx.root, "new", "g"), { recursive: true })
        fs.writeFileSync(path.join(fx.root, "new", "g", "k"), "new-value")
        // A later place that would answer if the read fell through.
        const manager = yield* fx.manager({ local: true, env: { G_K: "WRONG-LATER-PLACE" } })
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "old-value")
        let swapped = false
        fx.between((call) => {
          if (!swapped && call.op === "open" && call.path === path.join(fx.dir, "g", "k")) {
            swapped = true
            fs.renameSync(fx.dir, path.join(fx.root, "old"))
            fs.symlinkSync(path.join(fx.root, "new"), fx.dir)
          }
        })
        const value = yield* manager.get({ group: "g", key: "k" })
        fx.between(undefined)
        assert.isTrue(swapped, "the directory was swapped during the read")
        assert.include(["old-value", "new-value"], value)
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "new-value")
      })
  },
  {
    name: "a secrets directory swapped after any step of a read (for a link or a folder) answers its old or new value",
    promise: "S7",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.rmdirSync(fx.dir)
        const version = (name: string, value: string) => {
          const folder = path.join(fx.root, name)
          fs.mkdirSync(path.join(folder, "g"), { recursive: true })
          fs.writeFileSync(path.join(folder, "g", "k"), value)
          return folder
        }
        // What the secrets directory is before (a folder, or a link to one) and how the new version takes its place.
        const swaps = {
          "folder for a link": { link: false, swap: (next: string) => fs.symlinkSync(next, fx.dir) },
          "folder for a folder": { link: false, swap: (next: string) => fs.renameSync(next, fx.dir) },
          "link for a folder": { link: true, swap: (next: string) => fs.renameSync(next, fx.dir) },
          "link for a link": { link: true, swap: (next: string) => fs.symlinkSync(next, fx.dir) }
        }
        // A later place that would answer if the read fell through.
        const manager = yield* fx.manager({ local: true, env: { G_K: "WRONG-LATER-PLACE" } })
        let round = 0
        for (const [kind, { link, swap }] of Object.entries(swaps)) {
          for (let step = 1;; step++) {
            const old = version(`old-${++round}`, "old-value")
            if (link) fs.symlinkSync(old, fx.dir)
            else fs.renameSync(old, fx.dir)
            const next = version(`new-${round}`, "new-value")
            let calls = 0
            fx.between(() => {
              if (++calls !== step) return
              fs.renameSync(fx.dir, path.join(fx.root, `gone-${round}`))
              swap(next)
            })
            const outcome = yield* Effect.result(manager.get({ group: "g", key: "k" }))
            fx.between(undefined)
            const shown = Result.isSuccess(outcome) ? outcome.success : outcome.failure.attempts.at(-1)?.reason
            assert.include(["old-value", "new-value"], shown, `${kind}, swapped after step ${step}`)
            // Past the read's last step nothing was swapped.
            if (calls >= step) {
              assert.strictEqual(
                yield* manager.get({ group: "g", key: "k" }),
                "new-value",
                `${kind}, after step ${step}`
              )
            }
            fs.rmSync(fx.dir, { recursive: true })
            if (calls < step) break
          }
        }
      })
  },
  {
    name: "concurrent readers while the secrets directory's link flips between two folders: each read answers one",
    promise: "S7",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.rmdirSync(fx.dir)
        const outside = path.join(fx.root, "outside")
        fs.writeFileSync(outside, PLANTED)
        const [a, b] = ["a", "b"].map((version) => {
          const folder = path.join(fx.root, `version-${version}`)
          fs.mkdirSync(path.join(folder, "g"), { recursive: true })
          fs.writeFileSync(path.join(folder, "g", "k"), `value-${version}`)
          fs.symlinkSync(outside, path.join(folder, "g", "out"))
          return folder
        })
        fs.symlinkSync(a!, fx.dir)
        // A later place that would answer if a read fell through.
        const manager = yield* fx.manager({
          local: true,
          env: { G_K: "WRONG-LATER-PLACE" }
        })
        const flips = flipper({
          name: fx.dir,
          kind: "link",
          inside: a!,
          insideContent: "",
          outside: b!,
          ms: 600,
          pauseMs: fx.impl.rotationPauseMs
        })
        const seen = tally()
        const show = (value: string) => value === "value-a" || value === "value-b" ? "a version" : `wrong: ${value}`
        const countOut = Effect.map(Effect.result(manager.get({ group: "g", key: "out" })), (outcome) => {
          const shown = Result.isSuccess(outcome)
            ? `wrong: ${outcome.success}`
            : String(reasonAt(outcome.failure, "file"))
          seen.counts.set(shown, (seen.counts.get(shown) ?? 0) + 1)
        })
        yield* hammer(
          600,
          4,
          Effect.all([seen.record(manager.get({ group: "g", key: "k" }), show), countOut])
        )
        assert.isAbove(yield* flips.done, 5)
        // A writer that never pauses may outlast a read's bound of tries: that read ends, saying so (never a later
        // place). Every other read answers a version, or refuses the link out.
        const outsideReason = "resolves outside the secrets directory (a symbolic link leads out of it)"
        const allowed = ["a version", outsideReason, "kept changing while being read (tried several times)"]
        assert.deepStrictEqual([...seen.counts.keys()].filter((key) => !allowed.includes(key)), [], seen.summary())
        assert.isAbove(seen.counts.get("a version") ?? 0, 0, seen.summary())
        assert.isAbove(seen.counts.get(outsideReason) ?? 0, 0, seen.summary())
      })
  },
  {
    name: "rotation with deletion: no error, no torn value, no path as a value, no fall-through",
    promise: "S7",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        const group = path.join(fx.dir, "g")
        fs.mkdirSync(path.join(group, "..v0"), { recursive: true })
        fs.writeFileSync(path.join(group, "..v0", "token"), rotatedValueOf(0))
        fs.symlinkSync("..v0", path.join(group, "..data"))
        fs.symlinkSync("..data/token", path.join(group, "token"))
        const manager = yield* fx.manager({
          local: true,
          // What the platform injects for an ANY secret, and an unprefixed variable a local run would fall to.
          env: { ROTATING_TOKEN_PATH: path.join(group, "token"), G_TOKEN: "WRONG-LOCAL-VALUE" }
        })
        // The kubelet rotates once per sync period; here without a pause (fifty times a second through the thread
        // pool), deleting each old version.
        const rotations = rotator({ group, keys: ["token"], ms: 700, pauseMs: fx.impl.rotationPauseMs, atLeast: 25 })
        const seen = tally()
        const show = (value: string | Uint8Array) =>
          isRotatedValue(value) ? "a whole version" : `wrong: ${String(value).slice(0, 40)}`
        const requests: ReadonlyArray<SecretRequest> = [
          { group: "g", key: "token" },
          { group: "g", key: "token", envVar: "ROTATING_TOKEN_PATH" }
        ]
        const enoughReads = () => (seen.counts.get("a whole version") ?? 0) > 100
        yield* hammer(
          700,
          8,
          Effect.forEach(requests, (request) => seen.record(manager.get(request), show)),
          enoughReads
        )
        const count = yield* rotations.done
        assert.deepStrictEqual([...seen.counts.keys()], ["a whole version"], seen.summary())
        assert.isAbove(seen.counts.get("a whole version")!, 100)
        assert.isAbove(count, 20)
      })
  },
  {
    name:
      "a reader rides out a rotation that outlasts any fixed number of tries: no error while the volume keeps changing",
    promise: "S7",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        // A new version published right after every open of the volume's files, fifteen times in a row: each try
        // opens a file the kubelet then deletes.
        const { manager, published } = yield* publishingOnEveryOpen(fx, 15)
        const value = yield* manager.get({ group: "g", key: "token" })
        fx.between(undefined)
        assert.strictEqual(published(), 15)
        assert.strictEqual(value, rotatedValueOf(15))
      })
  },
  {
    name: "a writer that never stops changing a secret cannot hold a reader: the read ends with a refusal that says so",
    promise: "S7",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const token = path.join(fx.dir, "g", "token")
        // Later places that would answer: the unprefixed variable of a local run, after the file.
        const { manager, published } = yield* publishingOnEveryOpen(fx, Infinity, {
          local: true,
          env: { G_TOKEN: "WRONG-LATER-PLACE", ROTATING_TOKEN_PATH: token }
        })
        const error = yield* expectMiss(manager.get({ group: "g", key: "token" }))
        assert.include(reasonAt(error, "file"), "kept changing while being read")
        assert.deepStrictEqual(
          error.attempts.map((attempt) => attempt.source),
          ["env", "file"],
          "the lookup ends there"
        )
        // The rotating file at the first place tried (a declared variable's path): nothing after it is tried.
        const first = yield* expectMiss(manager.get({ group: "g", key: "token", envVar: "ROTATING_TOKEN_PATH" }))
        fx.between(undefined)
        assert.lengthOf(first.attempts, 1)
        assert.include(first.attempts[0]!.reason, "kept changing while being read")
        assert.isAtMost(published(), 2000)
      })
  },
  {
    name: "a rotation that changes the file at every try but the last is ridden out; one more change ends the read",
    promise: "S7",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const group = path.join(fx.dir, "g")
        const volume = makeKubeletVolume(group, { token: rotatedValueOf(0) })
        const manager = yield* fx.manager()
        let published = 0
        let budget = 0
        fx.between((call) => {
          if (call.op === "open" && call.path.startsWith(group) && budget > 0) {
            budget--
            volume.publish({ token: rotatedValueOf(++published) })
          }
        })
        // A read is tried 100 times: changed under the first 99 tries, the 100th answers the 99th version.
        budget = 99
        assert.strictEqual(yield* manager.get({ group: "g", key: "token" }), rotatedValueOf(99))
        budget = 100
        const error = yield* expectMiss(manager.get({ group: "g", key: "token" }))
        fx.between(undefined)
        assert.include(reasonAt(error, "file"), "kept changing while being read")
        assert.strictEqual(published, 199)
      })
  },
  {
    name: "a link that dangles at every look but the last is read; one that dangles at every look is refused",
    promise: "S6",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const group = path.join(fx.dir, "g")
        fs.mkdirSync(group)
        // The link's target is written right after the link was found dangling `looks` times.
        const appearsAfter = (key: string, looks: number): AfterCall => {
          const link = path.join(group, key)
          fs.symlinkSync(`${key}-target`, link)
          let linkChecked = false
          let seen = 0
          return (call) => {
            if (call.path !== link) return
            // A look: whether the path is a link, then whether it leads anywhere.
            if (call.op === "lstat" || call.op === "readLink") linkChecked = true
            else if (linkChecked && (call.op === "exists" || call.op === "stat")) {
              linkChecked = false
              if (++seen === looks) fs.writeFileSync(path.join(group, `${key}-target`), `${key}-value`)
            }
          }
        }
        const nine = appearsAfter("nine", 9)
        const ten = appearsAfter("ten", 10)
        const manager = yield* fx.manager()
        fx.between((call) => (nine(call), ten(call)))
        assert.strictEqual(yield* manager.get({ group: "g", key: "nine" }), "nine-value")
        const error = yield* expectMiss(manager.get({ group: "g", key: "ten" }))
        fx.between(undefined)
        assert.strictEqual(error.reason, "Refused")
        assert.include(reasonAt(error, "file"), "symbolic link whose target is missing")
        assert.strictEqual(yield* manager.get({ group: "g", key: "ten" }), "ten-value")
      })
  },
  {
    name: "a system error that says nothing of the file ends the lookup, at its open or its read; EACCES goes on",
    promise: "S6",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        // A local run where the unprefixed variable, a later place, would answer if the lookup went on.
        const { file, manager } = yield* fileBeforeLaterPlace(fx)
        const request = { group: "g", key: "k" }
        const before = descriptors()
        // Codes the system reports when it, not the file, failed; and one no table knows.
        for (const code of ["EIO", "ENOMEM", "EAGAIN", "EINTR", "EBUSY", "ESTALE", "ETIMEDOUT", "EUNHEARD"]) {
          for (const op of ["open", "read"]) {
            const error = yield* whileFailing(
              fx,
              (call) => call.op === op && call.path === file ? code : undefined,
              expectMiss(manager.get(request))
            )
            const last = error.attempts.at(-1)!
            assert.strictEqual(error.reason, "Refused", `${code} at ${op}`)
            assert.deepStrictEqual([last.source, last.location, last.outcome], ["file", file, "refused"], code)
            assert.include(last.reason, `(${code}); no later place was tried`)
            assert.notInclude(JSON.stringify(error.attempts), "local-env", `${code} at ${op}: a later place was tried`)
          }
        }
        // Permission denied says what the place is: the lookup goes on, as flytekit's would to the variable.
        const refused = (call: FileCall) => call.op === "open" && call.path === file ? "EACCES" : undefined
        assert.strictEqual(yield* whileFailing(fx, refused, manager.get(request)), "LATER-PLACE")
        assert.strictEqual(yield* manager.get(request), "file-value")
        assert.strictEqual(descriptors(), before, "a descriptor was left open")
      })
  },
  {
    name:
      "a file missing last time, then failing with EIO at every call, ends the lookup: it does not pass for missing",
    promise: "S6",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const file = path.join(fx.dir, "g", "k")
        const request = { group: "g", key: "k" }
        const manager = yield* laterPlaceManager(fx)
        // Missing: the later place answers, and the file is remembered as missing.
        fs.mkdirSync(path.dirname(file))
        assert.strictEqual(yield* manager.get(request), "LATER-PLACE")
        // It appears on a failing device: each call on it fails, the existence check too.
        fx.files({ "g/k": "file-value" })
        const error = yield* whileFailing(
          fx,
          (call) => call.path === file ? "EIO" : undefined,
          expectMiss(manager.get(request))
        )
        assert.deepStrictEqual(error.attempts.at(-1), {
          source: "file",
          location: file,
          outcome: "refused",
          reason: "could not be read: the device failed (EIO); no later place was tried"
        })
        assert.strictEqual(yield* manager.get(request), "file-value")
      })
  },
  {
    name: "a system error on a retry (after a rotation) ends the lookup as on a first try: no later place answers",
    promise: "S6",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        // A rotation after each open, a failed one too, until both lookups below have had one.
        const { manager } = yield* publishingOnEveryOpen(fx, 3, { local: true, env: { G_TOKEN: "LATER-PLACE" } })
        const group = path.join(fx.dir, "g")
        const before = descriptors()
        let opens = 0
        // The reader's second open of the file (the kubelet's own writes open for writing), or of a read after it.
        for (const op of ["open", "read"]) {
          opens = 0
          const failsAfterFirstOpen = (call: FileCall) => {
            if (call.op !== "open" || !call.path.startsWith(group)) {
              return call.op === op && opens > 1
                ? "EIO"
                : undefined
            }
            if (((call.flags ?? 0) & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0) return undefined
            return ++opens > 1 && op === "open" ? "EIO" : undefined
          }
          const error = yield* whileFailing(
            fx,
            failsAfterFirstOpen,
            expectMiss(manager.get({ group: "g", key: "token" }))
          )
          assert.isAbove(opens, 1, "the read was not tried again")
          expectEnded(error, path.join(group, "token"), "EIO")
        }
        fx.between(undefined)
        assert.strictEqual(descriptors(), before, "a descriptor was left open")
      })
  },
  {
    name:
      "a system error ends the lookup at every place that reads a file, for every operation; an outside path unshown",
    promise: "S6",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const outside = path.join(fx.root, "mounted", PLANTED)
        fs.mkdirSync(path.dirname(outside))
        fs.writeFileSync(outside, "cert-value")
        fx.files({ "g/k": "inside-value" })
        const inside = path.join(fx.dir, "g", "k")
        const manager = yield* fx.manager({
          // The last places of a lookup, which must not answer: the unprefixed variable, Flyte 2's embedded variable.
          local: true,
          env: { CERT: outside, INSIDE: inside, G_K: "LATER-PLACE", _UNION_K: "LATER-PLACE" }
        })
        const places: ReadonlyArray<[SecretRequest, string, string]> = [
          [{ group: "g", key: "k", mountRequirement: "FILE", envVar: "CERT" }, "declared-file", "CERT (its path"],
          [{ group: "g", key: "k", mountRequirement: "ANY", envVar: "INSIDE" }, "declared-file", `INSIDE -> ${inside}`],
          [{ group: "g", key: "k" }, "file", inside],
          [{ group: "g", key: "k", origin: "flyte2" }, "file", inside]
        ]
        for (const op of ["open", "read"]) {
          fx.failCalls((call) => call.op === op && (call.path === inside || call.path === outside) ? "EIO" : undefined)
          for (const [request, source, location] of places) {
            const lookups = [
              manager.get(request),
              manager.get({ ...request, encodeMode: "rb" }),
              manager.getRedacted(request),
              ...(op === "open" ? [manager.getPath(request), manager.locate(request)] : [])
            ]
            for (const lookup of lookups) {
              const error = yield* expectMiss<unknown, never>(lookup)
              const last = error.attempts.at(-1)!
              const shown = JSON.stringify(request)
              assert.strictEqual(error.reason, "Refused", shown)
              assert.deepStrictEqual([last.source, last.outcome], [source, "refused"], shown)
              assert.isTrue(last.location.startsWith(location), `${shown}: ${last.location}`)
              assert.include(last.reason, "(EIO); no later place was tried", shown)
              assert.notInclude(visibleTexts(error), PLANTED, shown)
              assert.notInclude(visibleTexts(error), "LATER-PLACE", shown)
            }
          }
          fx.failCalls(undefined)
        }
        assert.strictEqual(yield* manager.get(places[0]![0]), "cert-value")
        assert.strictEqual(yield* manager.get(places[3]![0]), "inside-value")
      })
  },
  {
    name:
      "a failing check of whether a missing file is a link ends the lookup: a dangling link does not pass for missing",
    promise: "S6",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const file = danglingKey(fx)
        const manager = yield* laterPlaceManager(fx)
        const before = descriptors()
        // The checks that tell a dangling link from a missing file: lstat (Node's fs), readLink (a FileSystem).
        for (const code of ["EIO", "EUNHEARD"]) {
          const error = yield* whileFailing(
            fx,
            (call) => (call.op === "lstat" || call.op === "readLink") && call.path === file ? code : undefined,
            expectMiss(manager.get({ group: "g", key: "k" }))
          )
          expectEnded(error, file, code)
        }
        assert.strictEqual(descriptors(), before, "a descriptor was left open")
      })
  },
  {
    name: "a failing check of whether a link leads anywhere, or of the secrets directory, ends the lookup",
    promise: "S6",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const file = danglingKey(fx)
        const manager = yield* laterPlaceManager(fx, { G_ABSENT: "LATER-PLACE" })
        // Whether the link leads anywhere: a `stat` of it (through Node's fs or the FileSystem), never `existsSync`,
        // which says false for every failure.
        const linkCheckFails = (call: FileCall) =>
          (call.op === "exists" || call.op === "stat") && call.path === file ? "EIO" : undefined
        expectEnded(
          yield* whileFailing(fx, linkCheckFails, expectMiss(manager.get({ group: "g", key: "k" }))),
          file,
          "EIO"
        )
        // Whether the secrets directory exists, for a file not there.
        const absent = path.join(fx.dir, "g", "absent")
        const directoryFails = (call: FileCall) =>
          (call.op === "exists" || call.op === "stat") && call.path === fx.dir ? "EIO" : undefined
        expectEnded(
          yield* whileFailing(fx, directoryFails, expectMiss(manager.get({ group: "g", key: "absent" }))),
          absent,
          "EIO"
        )
        assert.strictEqual(yield* manager.get({ group: "g", key: "absent" }), "LATER-PLACE")
      })
  },
  {
    name: "a failing resolution of the secrets directory ends the lookup: it does not pass for a link out",
    promise: "S6",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        // A secrets directory that is a link: a read resolves it.
        fs.rmdirSync(fx.dir)
        const real = path.join(fx.root, "real")
        fs.mkdirSync(path.join(real, "g"), { recursive: true })
        fs.writeFileSync(path.join(real, "g", "k"), "file-value")
        fs.symlinkSync(real, fx.dir)
        const file = path.join(fx.dir, "g", "k")
        const manager = yield* laterPlaceManager(fx)
        const before = descriptors()
        for (const op of ["realpath", "realPath", "stat", "lstat"]) {
          for (const target of [fx.dir, real]) {
            const outcome = yield* whileFailing(
              fx,
              (call) => call.op === op && (call.path === target || call.path === target + "/") ? "EIO" : undefined,
              Effect.result(manager.get({ group: "g", key: "k" }))
            )
            // A call this file access does not make, or makes only when its answer cannot matter, reads the file.
            if (Result.isSuccess(outcome)) {
              assert.strictEqual(outcome.success, "file-value", `EIO at ${op} of ${target}`)
              continue
            }
            expectEnded(outcome.failure, file, "EIO")
          }
        }
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "file-value")
        assert.strictEqual(descriptors(), before, "a descriptor was left open")
      })
  },
  {
    name:
      "a failure naming an open file, or reading it (unless refused), ends the lookup: even ENOENT, ELOOP or EACCES",
    promise: "S6",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const { file, manager } = yield* fileBeforeLaterPlace(fx)
        const before = descriptors()
        for (const code of ["ENOENT", "ENOTDIR", "ELOOP", "ENAMETOOLONG", "ENXIO", "EACCES", "EPERM"]) {
          // The real path of the open descriptor (/proc/self/fd), which says nothing of the file whatever its code,
          // and a read of the open file, which goes on only when refused (below).
          const readRefused = code === "EACCES" || code === "EPERM"
          const rules: ReadonlyArray<FailCall> = [
            (call) => call.op === "readlink" && call.path.startsWith("/proc/self/fd/") ? code : undefined,
            ...(readRefused ? [] : [(call: FileCall) => call.op === "read" && call.path === file ? code : undefined])
          ]
          for (const rule of rules) {
            const outcome = yield* whileFailing(fx, rule, Effect.result(manager.get({ group: "g", key: "k" })))
            // A FileSystem's file names its descriptor only as a hint: without it the file is read by its real path.
            if (Result.isSuccess(outcome)) {
              assert.strictEqual(outcome.success, "file-value", code)
              continue
            }
            expectEnded(outcome.failure, file, code)
          }
        }
        // A read refused (a security module's verdict at read(2)) says the file may not be read: the lookup goes on.
        const readRefused = (call: FileCall) => call.op === "read" && call.path === file ? "EACCES" : undefined
        assert.strictEqual(yield* whileFailing(fx, readRefused, manager.get({ group: "g", key: "k" })), "LATER-PLACE")
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "file-value")
        assert.strictEqual(descriptors(), before, "a descriptor was left open")
      })
  },
  {
    name: "a path missing last time that is now a dangling link is looked at as a link: no later place answers",
    promise: "S6",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        const file = path.join(fx.dir, "g", "k")
        fs.mkdirSync(path.dirname(file))
        const manager = yield* laterPlaceManager(fx)
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "LATER-PLACE")
        // A rotation in progress: the link appears before its target.
        fs.symlinkSync("..data/k", file)
        const error = yield* expectMiss(manager.get({ group: "g", key: "k" }))
        assert.deepStrictEqual(error.attempts.at(-1), {
          source: "file",
          location: file,
          outcome: "refused",
          reason: "is a symbolic link whose target is missing (or kept being replaced while being read)"
        })
        fs.mkdirSync(path.join(fx.dir, "g", "..data"))
        fs.writeFileSync(path.join(fx.dir, "g", "..data", "k"), "file-value")
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "file-value")
      })
  },
  {
    name: "only a read's first try opens by the configured path at once: a try after a change resolves the directory",
    promise: "S3",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        const { manager } = yield* publishingOnEveryOpen(fx, 1)
        assert.strictEqual(yield* manager.get({ group: "g", key: "token" }), rotatedValueOf(1))
        fx.between(undefined)
        const group = path.join(fx.dir, "g")
        // The reader's opens (the kubelet's own writes, through Node's fs, open for writing).
        const opens = fx.calls.flatMap((call, index) =>
          call.op === "open" && call.path.startsWith(group) &&
            ((call.flags ?? 0) & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) === 0
            ? [index]
            : []
        )
        assert.lengthOf(opens, 2)
        const namesDirectory = (call: FileCall) => call.path === fx.dir || call.path === fx.dir + "/"
        assert.isFalse(fx.calls.slice(0, opens[0]).some(namesDirectory), "the first try opens the file at once")
        assert.isTrue(fx.calls.slice(opens[0], opens[1]).some(namesDirectory), "the second resolves the directory")
      })
  },
  {
    name:
      "a path found missing is found missing again (by one call while its directory is) until it appears, and then read",
    promise: "S17",
    disk: true,
    records: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.rmdirSync(fx.dir)
        const manager = yield* fx.manager()
        const request = { group: "g", key: "later" }
        const file = path.join(fx.dir, "g", "later")
        const fileReason = () => Effect.map(expectMiss(manager.get(request)), (error) => reasonAt(error, "file"))
        assert.strictEqual(yield* fileReason(), "the secrets directory does not exist")
        fx.calls.length = 0
        assert.strictEqual(yield* fileReason(), "the secrets directory does not exist")
        // Node's fs says at once that the directory is still missing: one call, where a full read makes several.
        if (fx.impl.spy !== undefined) assert.lengthOf(fx.calls, 1, JSON.stringify(fx.calls))
        fs.mkdirSync(fx.dir)
        assert.strictEqual(yield* fileReason(), "no such file")
        const opensBefore = opensOf(fx.calls, file).length
        assert.strictEqual(yield* fileReason(), "no such file")
        // Node's fs says at once that a path missing last time is still missing: it is not opened again.
        if (fx.impl.spy !== undefined) assert.strictEqual(opensOf(fx.calls, file).length, opensBefore)
        fx.files({ "g/later": "appeared" })
        assert.strictEqual(yield* manager.get(request), "appeared")
        fs.rmSync(file)
        assert.strictEqual(yield* fileReason(), "no such file")
      })
  },
  {
    name: "a FIFO is refused by name at once, never blocking a read (in the secrets directory, or a FILE variable's)",
    promise: "S4",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        const inside = path.join(fx.dir, "g", "fifo")
        const outside = path.join(fx.root, "outside-fifo")
        fs.mkdirSync(path.dirname(inside))
        execFileSync("mkfifo", [inside, outside])
        const manager = yield* fx.manager({ env: { FIFO_PATH: outside } })
        const reads: ReadonlyArray<[SecretRequest, string, string]> = [
          [{ group: "g", key: "fifo" }, "file", inside],
          [{ group: "f", key: "k", mountRequirement: "FILE", envVar: "FIFO_PATH" }, "declared-file", outside]
        ]
        for (const [request, source, fifo] of reads) {
          // A reader blocked on the FIFO is freed after a second, so a hang fails the case instead of stalling it.
          const rescuer = fifoRescuer(fifo, 1000)
          const started = Date.now()
          const outcome = yield* Effect.result(manager.get(request).pipe(Effect.timeout("3 seconds")))
          const elapsed = Date.now() - started
          const freed = yield* rescuer.stop
          assert.strictEqual(freed, 0, `a read blocked on the FIFO (${source})`)
          assert.isBelow(elapsed, 500)
          assert.isTrue(Result.isFailure(outcome))
          const error = (outcome as Result.Failure<never, SecretNotFound>).failure
          assert.strictEqual(reasonAt(error, source), "is a FIFO (named pipe), not a regular file")
        }
      })
  },
  {
    name: "a directory is refused as such",
    promise: "S4",
    run: (fx) =>
      Effect.gen(function*() {
        fx.files({ "g/k/inner": "x" })
        const manager = yield* fx.manager()
        assert.strictEqual(reasonAt(yield* expectMiss(manager.get({ group: "g", key: "k" })), "file"), "is a directory")
        assert.strictEqual(
          reasonAt(yield* expectMiss(manager.getPath({ group: "g", key: "k" })), "file"),
          "is a directory"
        )
      })
  },
  {
    name: "a socket is refused as such",
    promise: "S4",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.mkdirSync(path.join(fx.dir, "g"))
        const socketPath = path.join(fx.dir, "g", "sock")
        const server = yield* listeningAt(socketPath)
        const manager = yield* fx.manager()
        const error = yield* expectMiss(manager.get({ group: "g", key: "sock" })).pipe(
          Effect.ensuring(Effect.sync(() => server.close()))
        )
        assert.include(reasonAt(error, "file"), "socket")
      })
  },
  {
    name: "a device is refused as such: a device node in the secrets directory, a FILE variable at /dev/zero",
    promise: "S4",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.mkdirSync(path.join(fx.dir, "g"))
        const node = path.join(fx.dir, "g", "null")
        const inDirectory = madeDeviceNode(node)
        const manager = yield* fx.manager({ env: { DEVICE_PATH: "/dev/zero" } })
        if (inDirectory) {
          const error = yield* expectMiss(manager.get({ group: "g", key: "null", encodeMode: "rb" }))
          assert.strictEqual(reasonAt(error, "file"), "is a character device, not a regular file")
        }
        const error = yield* expectMiss(
          manager.get({ group: "d", key: "k", mountRequirement: "FILE", envVar: "DEVICE_PATH", encodeMode: "rb" })
        ).pipe(Effect.timeout("2 seconds"))
        assert.strictEqual(reasonAt(error, "declared-file"), "is a character device, not a regular file")
      })
  },
  {
    name: "size cap: a file at the cap is read, one byte over is refused with its size",
    promise: "S5",
    run: (fx) =>
      Effect.gen(function*() {
        fx.files({ "g/at": "12345678", "g/over": `${PLANTED}9` })
        const manager = yield* fx.manager({ maxFileBytes: 8 })
        assert.strictEqual(yield* manager.get({ group: "g", key: "at" }), "12345678")
        const error = yield* expectMiss(manager.get({ group: "g", key: "over", encodeMode: "rb" }))
        assert.strictEqual(
          reasonAt(error, "file"),
          `is ${
            PLANTED.length + 1
          } bytes, over the 8-byte limit (raise FLYTE_SECRETS_MAX_FILE_BYTES if it is meant to ` +
            "be this large)"
        )
        assert.notInclude(visibleTexts(error), PLANTED)
      })
  },
  {
    name: "size cap: a pseudo-file that reports size 0 (/proc/self/maps) is refused with an honest size",
    promise: "S5",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        const manager = yield* fx.manager({ maxFileBytes: 16, env: { MAPS_PATH: "/proc/self/maps" } })
        const error = yield* expectMiss(
          manager.get({ group: "p", key: "k", mountRequirement: "FILE", envVar: "MAPS_PATH" })
        )
        assert.strictEqual(
          reasonAt(error, "declared-file"),
          "holds more than 16 bytes, over the 16-byte limit (raise FLYTE_SECRETS_MAX_FILE_BYTES if it is meant to be " +
            "this large)"
        )
      })
  },
  {
    name: "bytes that are not UTF-8: a text miss pointing to rb, an exact rb hit",
    promise: "S17",
    run: (fx) =>
      Effect.gen(function*() {
        const bytes = new Uint8Array([...encoder.encode(PLANTED), 0xff, 0xfe, 0x00, 0x20])
        fx.files({ "g/bin": bytes })
        const manager = yield* fx.manager()
        const error = yield* expectMiss(manager.get({ group: "g", key: "bin" }))
        assert.strictEqual(reasonAt(error, "file"), "not valid UTF-8 (read it with encodeMode: \"rb\")")
        assert.notInclude(visibleTexts(error), PLANTED)
        assert.deepStrictEqual(yield* manager.get({ group: "g", key: "bin", encodeMode: "rb" }), bytes)
      })
  },
  {
    name: "a hard link into the secrets directory is refused",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.writeFileSync(path.join(fx.root, "outside-file"), PLANTED)
        fs.mkdirSync(path.join(fx.dir, "g"))
        fs.linkSync(path.join(fx.root, "outside-file"), path.join(fx.dir, "g", "k"))
        const manager = yield* fx.manager()
        for (const lookup of [manager.get({ group: "g", key: "k" }), manager.getPath({ group: "g", key: "k" })]) {
          const error = yield* expectMiss(lookup)
          assert.include(reasonAt(error, "file"), "has 2 hard links")
          assert.notInclude(visibleTexts(error), PLANTED)
        }
      })
  },
  {
    name: "over a FileSystem that does not report link counts, no file is read (a hard link out cannot be told apart)",
    promise: "S3",
    disk: true,
    fileSystem: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.writeFileSync(path.join(fx.root, "outside-file"), PLANTED)
        fs.mkdirSync(path.join(fx.dir, "g"))
        fs.linkSync(path.join(fx.root, "outside-file"), path.join(fx.dir, "g", "out"))
        fs.writeFileSync(path.join(fx.dir, "g", "k"), "inside-value")
        const fileSystem = Layer.effect(
          FileSystem.FileSystem,
          Effect.map(FileSystem.FileSystem, withoutLinkCounts)
        ).pipe(Layer.provide(fx.impl.fileSystem!))
        const manager = yield* overFileSystem(fileSystem)(fx.dir, {}, {}, [], () => {})
        for (const key of ["out", "k"]) {
          for (const lookup of [manager.get({ group: "g", key }), manager.getPath({ group: "g", key })]) {
            const error = yield* expectMiss(lookup)
            assert.strictEqual(error.reason, "Refused")
            assert.include(reasonAt(error, "file"), "the file system does not report link counts")
            assert.notInclude(visibleTexts(error), PLANTED)
          }
        }
      })
  },
  {
    name: "a dangling link is refused after a few tries, and no later source answers instead of it",
    promise: "S6",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.mkdirSync(path.join(fx.dir, "g"))
        fs.symlinkSync("..data/k", path.join(fx.dir, "g", "k"))
        const manager = yield* fx.manager({ local: true, env: { G_K: "from-local-env" } })
        const refused = {
          source: "file",
          location: path.join(fx.dir, "g/k"),
          outcome: "refused" as const,
          reason: "is a symbolic link whose target is missing (or kept being replaced while being read)"
        }
        assert.deepStrictEqual((yield* expectMiss(manager.getPath({ group: "g", key: "k" }))).attempts, [refused])
        const error = yield* expectMiss(manager.get({ group: "g", key: "k" }))
        assert.strictEqual(error.reason, "Refused")
        assert.deepStrictEqual(error.attempts.at(-1), refused)
        assert.notInclude(error.attempts.map((attempt) => attempt.source), "local-env")
      })
  },
  {
    name: "a missing secrets directory is said once, at the directory",
    promise: "S17",
    run: (fx) =>
      Effect.gen(function*() {
        if (fx.impl.disk) fs.rmdirSync(fx.dir)
        const manager = yield* fx.manager()
        for (const request of [{ group: "G", key: "K", groupVersion: "v1" }, { key: "k" }]) {
          const error = yield* expectMiss(manager.get(request))
          const fileAttempts = error.attempts.filter((attempt) => attempt.source === "file")
          assert.deepStrictEqual(fileAttempts, [
            { source: "file", location: fx.dir, outcome: "missing", reason: "the secrets directory does not exist" }
          ])
        }
      })
  },
  {
    name: "a secrets directory created after a miss is read from then on, at every path a request tries",
    promise: "S17",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.rmdirSync(fx.dir)
        const manager = yield* fx.manager()
        const request = { group: "G", key: "K" }
        assert.strictEqual(
          reasonAt(yield* expectMiss(manager.get(request)), "file"),
          "the secrets directory does not exist"
        )
        // Vault keeps the case of names: dir/G/K, the second path the request tries.
        fx.files({ "G/K": "created-later" })
        const outcome = yield* Effect.result(manager.get(request))
        assert.isTrue(
          Result.isSuccess(outcome),
          Result.isFailure(outcome) ? outcome.failure.message : ""
        )
      })
  },
  {
    name:
      "a path read since it was found missing, then removed with its secrets directory, is said as a first lookup says it",
    promise: "S17",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        const request = { group: "g", key: "k" }
        // What appears at the path after the miss: a file that is read, or a directory that is refused.
        const appears = {
          "a file": () => fx.files({ "g/k": "file-value" }),
          "a directory": () => fs.mkdirSync(path.join(fx.dir, "g", "k"))
        }
        for (const [what, put] of Object.entries(appears)) {
          fs.rmSync(fx.dir, { recursive: true, force: true })
          fs.mkdirSync(path.join(fx.dir, "g"), { recursive: true })
          const manager = yield* fx.manager()
          assert.strictEqual(reasonAt(yield* expectMiss(manager.get(request)), "file"), "no such file", what)
          put()
          yield* Effect.result(manager.get(request))
          fs.rmSync(fx.dir, { recursive: true })
          const again = reasonAt(yield* expectMiss(manager.get(request)), "file")
          const first = reasonAt(yield* expectMiss((yield* fx.manager()).get(request)), "file")
          assert.strictEqual(first, "the secrets directory does not exist", what)
          assert.strictEqual(again, first, what)
        }
      })
  },
  {
    name:
      "a secrets directory back after a miss as a file, a FIFO, a link, or under a file is said as a first lookup says it",
    promise: "S17",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        const request = { group: "g", key: "k" }
        const file = path.join(fx.root, "file")
        const parent = path.join(fx.root, "parent")
        const comesBack: Record<string, readonly [dir: string, put: (dir: string) => void]> = {
          "a file": [fx.dir, (dir) => fs.writeFileSync(dir, "not a directory")],
          "a FIFO": [fx.dir, (dir) => execFileSync("mkfifo", [dir])],
          "a link to a file": [fx.dir, (dir) => (fs.writeFileSync(file, "not a directory"), fs.symlinkSync(file, dir))],
          "a link through a file": [fx.dir, (dir) => {
            fs.writeFileSync(file, "not a directory")
            fs.symlinkSync(path.join(file, "secrets"), dir)
          }],
          "a link to itself": [fx.dir, (dir) => fs.symlinkSync(dir, dir)],
          "a link to nowhere": [fx.dir, (dir) => fs.symlinkSync(path.join(fx.root, "nowhere"), dir)],
          // Only the live layer takes its directory from the variable (the others are given the fixture's).
          ...(fx.impl.spy === undefined
            ? {}
            : { "under a file": [path.join(parent, "secrets"), () => fs.writeFileSync(parent, "not a directory")] })
        }
        for (const [what, [dir, put]] of Object.entries(comesBack)) {
          for (const made of [fx.dir, parent, file]) fs.rmSync(made, { recursive: true, force: true })
          const setup = { env: { FLYTE_SECRETS_DEFAULT_DIR: dir } }
          const manager = yield* fx.manager(setup)
          const reason = Effect.map(expectMiss(manager.get(request)), (error) => reasonAt(error, "file"))
          assert.strictEqual(yield* reason, "the secrets directory does not exist", what)
          put(dir)
          const first = reasonAt(yield* expectMiss((yield* fx.manager(setup)).get(request)), "file")
          assert.deepStrictEqual([yield* reason, yield* reason], [first, first], what)
        }
      })
  },
  {
    name: "key-only requests: FLYTE_SECRETS_<KEY> and <dir>/<key>",
    promise: "S17",
    run: (fx) =>
      Effect.gen(function*() {
        fx.files({ "only_file": "file-value", "other/x": "x" })
        const manager = yield* fx.manager({ env: { FLYTE_SECRETS_ONLY_ENV: "env-value" } })
        assert.strictEqual(yield* manager.get({ key: "only_env" }), "env-value")
        assert.strictEqual(yield* manager.get({ key: "only_file" }), "file-value")
        assert.strictEqual(yield* manager.get({ group: "", key: "only_file" }), "file-value")
        const error = yield* expectMiss(manager.get({ key: "absent" }))
        assert.deepStrictEqual(error.attempts.map((attempt) => [attempt.source, attempt.location]), [
          ["env", "FLYTE_SECRETS_ABSENT"],
          ["file", path.join(fx.dir, "absent")]
        ])
      })
  },
  {
    name: "permission denied (EACCES) is a refusal that says so",
    promise: "S6",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.chmodSync(fx.root, 0o755)
        fs.chmodSync(fx.dir, 0o755)
        fx.files({ "g/k": PLANTED })
        fs.chmodSync(path.join(fx.dir, "g/k"), 0o000)
        fs.writeFileSync(path.join(fx.root, "private"), PLANTED, { mode: 0o000 })
        const manager = yield* fx.manager({ env: { PRIVATE_PATH: path.join(fx.root, "private") } })
        const asUnprivileged = <A, E>(effect: Effect.Effect<A, E>) =>
          process.getuid?.() === 0
            ? Effect.acquireUseRelease(
              Effect.sync(() => process.seteuid!(65534)),
              () => effect,
              () => Effect.sync(() => process.seteuid!(0))
            )
            : effect
        const error = yield* asUnprivileged(expectMiss(manager.get({ group: "g", key: "k" })))
        assert.strictEqual(reasonAt(error, "file"), "permission denied")
        const declared = yield* asUnprivileged(
          expectMiss(manager.get({ group: "p", key: "k", mountRequirement: "FILE", envVar: "PRIVATE_PATH" }))
        )
        assert.strictEqual(reasonAt(declared, "declared-file"), "permission denied")
        assert.notInclude(visibleTexts(declared), path.join(fx.root, "private"))
      })
  },
  {
    name: "a link loop (ELOOP) is a refusal that says so",
    promise: "S6",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.mkdirSync(path.join(fx.dir, "g"))
        fs.symlinkSync("k", path.join(fx.dir, "g", "k"))
        fs.symlinkSync(path.join(fx.root, `loop-${PLANTED}`), path.join(fx.root, `loop-${PLANTED}`))
        const manager = yield* fx.manager({ env: { LOOP_PATH: path.join(fx.root, `loop-${PLANTED}`) } })
        const error = yield* expectMiss(manager.get({ group: "g", key: "k" }))
        assert.strictEqual(reasonAt(error, "file"), "too many levels of symbolic links")
        const declared = yield* expectMiss(
          manager.get({ group: "l", key: "k", mountRequirement: "FILE", envVar: "LOOP_PATH" })
        )
        assert.strictEqual(reasonAt(declared, "declared-file"), "too many levels of symbolic links")
        assert.notInclude(visibleTexts(declared), PLANTED)
      })
  },
  {
    name: "a secrets directory that is a link, re-pointed later, keeps working (and its old target is outside)",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.rmdirSync(fx.dir)
        for (const version of ["a", "b"]) {
          fs.mkdirSync(path.join(fx.root, `real-${version}`, "g"), { recursive: true })
          fs.writeFileSync(path.join(fx.root, `real-${version}`, "g", "k"), `value-${version}`)
        }
        fs.symlinkSync(path.join(fx.root, "real-a"), fx.dir)
        const manager = yield* fx.manager()
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "value-a")
        fs.symlinkSync(path.join(fx.root, "real-b"), `${fx.dir}.next`)
        fs.renameSync(`${fx.dir}.next`, fx.dir)
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "value-b")
        fs.rmSync(path.join(fx.root, "real-b", "g", "k"))
        fs.symlinkSync(path.join(fx.root, "real-a", "g", "k"), path.join(fx.root, "real-b", "g", "k"))
        const error = yield* expectMiss(manager.get({ group: "g", key: "k" }))
        assert.include(reasonAt(error, "file"), "outside the secrets directory")
      })
  },
  {
    name: "the secrets directory is taken as it resolves at each read: a link into its old target is refused at once",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.rmdirSync(fx.dir)
        const [before, after] = [path.join(fx.root, "before"), path.join(fx.root, "after")]
        fs.mkdirSync(path.join(before, "g"), { recursive: true })
        fs.mkdirSync(path.join(after, "g"), { recursive: true })
        fs.writeFileSync(path.join(before, "g", "k"), PLANTED)
        fs.symlinkSync(before, fx.dir)
        const manager = yield* fx.manager()
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), PLANTED)
        // The directory link now leads elsewhere; the new directory holds a link back into the old one.
        fs.symlinkSync(path.join(before, "g", "k"), path.join(after, "g", "k"))
        fs.symlinkSync(after, `${fx.dir}.next`)
        fs.renameSync(`${fx.dir}.next`, fx.dir)
        for (const reader of [manager, yield* fx.manager()]) {
          const error = yield* expectMiss(reader.get({ group: "g", key: "k" }))
          assert.include(reasonAt(error, "file"), "outside the secrets directory")
          assert.notInclude(visibleTexts(error), PLANTED)
        }
      })
  },
  {
    name: "a folder above the secrets directory re-pointed: a link into the old secrets directory is refused at once",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        // The secrets directory is `root/mount/secrets`, `mount` a link to a version folder.
        const [before, after] = [path.join(fx.root, "before"), path.join(fx.root, "after")]
        for (const version of [before, after]) fs.mkdirSync(path.join(version, "secrets", "g"), { recursive: true })
        fs.writeFileSync(path.join(before, "secrets", "g", "k"), PLANTED)
        const mount = path.join(fx.root, "mount")
        fs.symlinkSync(before, mount)
        const dir = path.join(mount, "secrets")
        const layer = (setup: Setup) => fx.impl.manager(dir, {}, setup, [], () => {})
        const manager = yield* layer({})
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), PLANTED)
        fs.symlinkSync(path.join(before, "secrets", "g", "k"), path.join(after, "secrets", "g", "k"))
        fs.symlinkSync(after, `${mount}.next`)
        fs.renameSync(`${mount}.next`, mount)
        const error = yield* expectMiss(manager.get({ group: "g", key: "k" }))
        assert.include(reasonAt(error, "file"), "outside the secrets directory")
        assert.notInclude(visibleTexts(error), PLANTED)
      })
  },
  {
    name:
      "a secrets directory link re-pointed to its old target under a new name: a folder made at the old name is outside",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.rmdirSync(fx.dir)
        const [before, renamed] = [path.join(fx.root, "before"), path.join(fx.root, "renamed")]
        fs.mkdirSync(path.join(before, "g"), { recursive: true })
        fs.writeFileSync(path.join(before, "g", "k"), "value")
        fs.symlinkSync(before, fx.dir)
        const manager = yield* fx.manager()
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "value")
        // The same folder, renamed, is the secrets directory now; a new folder at its old name is not.
        fs.renameSync(before, renamed)
        fs.mkdirSync(path.join(before, "g"), { recursive: true })
        fs.writeFileSync(path.join(before, "g", "k"), PLANTED)
        fs.rmSync(path.join(renamed, "g", "k"))
        fs.symlinkSync(path.join(before, "g", "k"), path.join(renamed, "g", "k"))
        fs.symlinkSync(renamed, `${fx.dir}.next`)
        fs.renameSync(`${fx.dir}.next`, fx.dir)
        const error = yield* expectMiss(manager.get({ group: "g", key: "k" }))
        assert.include(reasonAt(error, "file"), "outside the secrets directory")
        assert.notInclude(visibleTexts(error), PLANTED)
      })
  },
  {
    name:
      "a secrets directory link re-pointed to a new folder, its deleted old target's name made again outside, is read as it is",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.rmdirSync(fx.dir)
        // On ext4 the new folder most often takes the deleted one's number, as it may on any file system; the case
        // before this one gives it that number on every file system (the same folder, renamed).
        for (let round = 0; round < 3; round++) {
          const [before, after] = [path.join(fx.root, `before-${round}`), path.join(fx.root, `after-${round}`)]
          fs.mkdirSync(path.join(before, "g"), { recursive: true })
          fs.writeFileSync(path.join(before, "g", "k"), "old-value")
          fs.rmSync(fx.dir, { force: true })
          fs.symlinkSync(before, fx.dir)
          const manager = yield* fx.manager()
          assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "old-value")
          // The old target deleted, a new one made, the old name made again holding an outside file, and a link to it
          // in the new target.
          fs.rmSync(before, { recursive: true })
          fs.mkdirSync(after)
          fs.mkdirSync(path.join(after, "g"))
          fs.writeFileSync(path.join(after, "g", "new"), "new-value")
          fs.mkdirSync(path.join(before, "g"), { recursive: true })
          fs.writeFileSync(path.join(before, "g", "k"), PLANTED)
          fs.symlinkSync(path.join(before, "g", "k"), path.join(after, "g", "k"))
          fs.symlinkSync(after, `${fx.dir}.next`)
          fs.renameSync(`${fx.dir}.next`, fx.dir)
          const error = yield* expectMiss(manager.get({ group: "g", key: "k" }))
          assert.include(reasonAt(error, "file"), "outside the secrets directory")
          assert.notInclude(visibleTexts(error), PLANTED)
          assert.strictEqual(yield* manager.get({ group: "g", key: "new" }), "new-value")
        }
      })
  },
  {
    name: "a secrets directory link rotated twice between two reads (each old version deleted) answers the newest",
    promise: "S7",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.rmdirSync(fx.dir)
        const publish = (version: number) => {
          const folder = path.join(fx.root, `v${version}`)
          fs.mkdirSync(path.join(folder, "g"), { recursive: true })
          fs.writeFileSync(path.join(folder, "g", "k"), `value-${version}`)
          fs.symlinkSync(folder, `${fx.dir}.next`)
          fs.renameSync(`${fx.dir}.next`, fx.dir)
          fs.rmSync(path.join(fx.root, `v${version - 1}`), { recursive: true, force: true })
        }
        publish(1)
        // A later place that would answer if the read fell through.
        const manager = yield* fx.manager({ local: true, env: { G_K: "WRONG-LATER-PLACE" } })
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "value-1")
        // A new version folder often takes the number of one deleted before it.
        for (let version = 2; version < 40; version += 2) {
          publish(version)
          publish(version + 1)
          assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), `value-${version + 1}`)
        }
      })
  },
  {
    name: "a folder above the secrets directory renamed and replaced by a link to it: the same secrets are read",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        // The secrets directory is `root/above/secrets`, written as its real path.
        const [above, renamed] = [path.join(fx.root, "above"), path.join(fx.root, "renamed")]
        const dir = path.join(above, "secrets")
        fs.mkdirSync(path.join(dir, "g"), { recursive: true })
        fs.writeFileSync(path.join(dir, "g", "k"), "value")
        fs.writeFileSync(path.join(fx.root, "outside"), PLANTED)
        fs.symlinkSync(path.join(fx.root, "outside"), path.join(dir, "g", "out"))
        const manager = yield* fx.impl.manager(
          dir,
          {},
          { local: true, env: { G_K: "WRONG-LATER-PLACE" } },
          [],
          () => {}
        )
        // A refusal resolves the secrets directory.
        assert.include(reasonAt(yield* expectMiss(manager.get({ group: "g", key: "out" })), "file"), "outside")
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "value")
        fs.renameSync(above, renamed)
        fs.symlinkSync(renamed, above)
        assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "value")
        const error = yield* expectMiss(manager.get({ group: "g", key: "out" }))
        assert.include(reasonAt(error, "file"), "outside the secrets directory")
        assert.notInclude(visibleTexts(error), PLANTED)
      })
  },
  {
    name: "a secrets directory spelt with a trailing /, //, /./ or .. reads inside it and refuses a link out",
    promise: "S3",
    disk: true,
    run: (fx) =>
      Effect.gen(function*() {
        fs.mkdirSync(path.join(fx.dir, "g"))
        fs.writeFileSync(path.join(fx.dir, "g", "k"), "inside-value")
        fs.writeFileSync(path.join(fx.root, "outside"), PLANTED)
        fs.symlinkSync(path.join(fx.root, "outside"), path.join(fx.dir, "g", "out"))
        fs.mkdirSync(`${fx.dir}-sibling`)
        fs.writeFileSync(path.join(`${fx.dir}-sibling`, "k"), PLANTED)
        fs.symlinkSync(path.join(`${fx.dir}-sibling`, "k"), path.join(fx.dir, "g", "sibling"))
        const spellings = [`${fx.dir}/`, `${fx.dir}//`, fx.dir.replace(/\/secrets$/, "//secrets"), `${fx.dir}/./`]
        for (const dir of [...spellings, `${fx.dir}/g/..`]) {
          const manager = yield* fx.impl.manager(dir, {}, {}, [], () => {})
          assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "inside-value", dir)
          for (const key of ["out", "sibling"]) {
            const error = yield* expectMiss(manager.get({ group: "g", key }))
            assert.include(reasonAt(error, "file"), "outside the secrets directory", `${dir}: ${key}`)
            assert.notInclude(visibleTexts(error), PLANTED)
          }
        }
      })
  },
  {
    name: "a declared ANY variable: a path inside the secrets directory is read, anything else is the value itself",
    promise: "S8",
    run: (fx) =>
      Effect.gen(function*() {
        fx.files({ "g/k": "file-value", "g/dir/x": "x" })
        const outsidePath = path.join(fx.root, "outside", PLANTED)
        if (fx.impl.disk) {
          fs.mkdirSync(path.dirname(outsidePath))
          fs.writeFileSync(outsidePath, "must-not-be-read")
        }
        const long = `/${PLANTED}/${"a".repeat(5000)}`
        const manager = yield* fx.manager({
          env: {
            INSIDE: ` ${path.join(fx.dir, "g/k")}\n`,
            OUTSIDE: outsidePath,
            LONG: long,
            ROOTED: "/etc/passwd",
            NOT_NORMAL: `${fx.dir}/g/../g/k`,
            INSIDE_DIR: path.join(fx.dir, "g/dir"),
            INSIDE_LONG: path.join(fx.dir, "g", "x".repeat(5000))
          }
        })
        const declared = (envVar: string) => ({ group: "g", key: "absent", envVar })
        assert.strictEqual(yield* manager.get(declared("INSIDE")), "file-value")
        const located = yield* manager.locate(declared("INSIDE"))
        assert.strictEqual(located.location, `INSIDE -> ${path.join(fx.dir, "g/k")}`)
        fx.calls.length = 0
        assert.strictEqual(yield* manager.get(declared("OUTSIDE")), outsidePath)
        assert.strictEqual(yield* manager.get(declared("LONG")), long)
        assert.strictEqual(yield* manager.get(declared("ROOTED")), "/etc/passwd")
        assert.strictEqual(yield* manager.get(declared("NOT_NORMAL")), `${fx.dir}/g/../g/k`)
        // In memory nothing is recorded; the answers above still hold.
        const values = [outsidePath, long, "/etc/passwd", `${fx.dir}/g/../g/k`]
        const touched = fx.calls.filter((call) => values.some((value) => call.path.startsWith(value)))
        assert.deepStrictEqual(
          touched,
          [],
          "a declared variable's value that is not a secret path reached a system call"
        )
        for (const envVar of ["OUTSIDE", "LONG", "ROOTED"]) {
          const error = yield* expectMiss(manager.getPath(declared(envVar)))
          assert.strictEqual(
            reasonAt(error, "declared-env"),
            "holds the secret itself, not the path of a file in the secrets directory"
          )
          assert.notInclude(visibleTexts(error), PLANTED)
          assert.notInclude(visibleTexts(error), "/etc/passwd")
        }
        assert.strictEqual(
          reasonAt(yield* expectMiss(manager.get(declared("INSIDE_DIR"))), "declared-file"),
          "is a directory"
        )
        if (fx.impl.disk) {
          const tooLong = yield* expectMiss(manager.get(declared("INSIDE_LONG")))
          assert.strictEqual(reasonAt(tooLong, "declared-file"), "the path is too long")
        }
      })
  },
  {
    name: "a declared FILE variable is read where it points, and its path is never shown",
    promise: "S8",
    run: (fx) =>
      Effect.gen(function*() {
        const outside = path.join(fx.root, "mounted", PLANTED)
        if (fx.impl.disk) {
          fs.mkdirSync(path.join(fx.root, "mounted", "dir"), { recursive: true })
          fs.writeFileSync(outside, "cert-value\n")
        }
        fx.files({ "g/k": "inside-value" })
        const manager = yield* fx.manager({
          env: {
            CERT: outside,
            INSIDE: path.join(fx.dir, "g/k"),
            MISSING: path.join(fx.root, "missing", PLANTED),
            RELATIVE: PLANTED,
            LONG: `/${PLANTED}/${"a".repeat(5000)}`,
            DIR: path.join(fx.root, "mounted", "dir")
          }
        })
        const declared = (envVar: string) => ({ group: "g", key: "absent", mountRequirement: "FILE" as const, envVar })
        if (fx.impl.disk) assert.strictEqual(yield* manager.get(declared("CERT")), "cert-value")
        assert.strictEqual(yield* manager.get(declared("INSIDE")), "inside-value")
        const expected: Record<string, string> = {
          MISSING: "no such file",
          RELATIVE: "does not hold an absolute path (a FILE secret's variable holds the path of its file)",
          ...(fx.impl.disk ? { LONG: "the path is too long", DIR: "is a directory" } : {})
        }
        for (const [envVar, reason] of Object.entries(expected)) {
          const error = yield* expectMiss(manager.get(declared(envVar)))
          assert.strictEqual(reasonAt(error, "declared-file"), reason, envVar)
          assert.notInclude(visibleTexts(error), PLANTED, envVar)
        }
      })
  },
  ...flyte2Cases()
]

/** A name flipped by another thread between an inside file or link and a link out; no read may give the outside. */
const flipCase = (fx: Fixture, kind: "link" | "file") =>
  Effect.gen(function*() {
    fs.mkdirSync(path.join(fx.dir, "g"))
    fs.writeFileSync(path.join(fx.dir, "inside"), "inside-value")
    fs.writeFileSync(path.join(fx.root, "outside"), PLANTED)
    // The name starts as what it is between flips: a link inside, or a regular file.
    if (kind === "link") fs.symlinkSync(path.join(fx.dir, "inside"), path.join(fx.dir, "g", "k"))
    else fs.writeFileSync(path.join(fx.dir, "g", "k"), "inside-value")
    const manager = yield* fx.manager()
    const flips = flipper({
      name: path.join(fx.dir, "g", "k"),
      kind,
      inside: path.join(fx.dir, "inside"),
      insideContent: "inside-value",
      outside: path.join(fx.root, "outside"),
      ms: 600
    })
    const seen = tally()
    const show = (value: string) => value === "inside-value" ? "inside" : value === PLANTED ? "OUTSIDE" : "other"
    yield* hammer(600, 4, seen.record(manager.get({ group: "g", key: "k" }), show))
    assert.isAbove(yield* flips.done, 20)
    assert.isUndefined(seen.counts.get("OUTSIDE"), `the outside file was returned: ${seen.summary()}`)
    assert.isUndefined(seen.counts.get("other"), seen.summary())
    assert.isAbove(seen.counts.get("inside") ?? 0, 0, seen.summary())
    // One open per try (a hundred tries at most per read), and never of a path outside the secrets directory.
    const reads = [...seen.counts.values()].reduce((sum, count) => sum + count, 0)
    const opens = opensOf(fx.calls, fx.root)
    assert.isAtMost(opens.length, reads * 100)
    assert.deepStrictEqual(opens.filter((open) => !open.path.startsWith(fx.dir)), [])
  })

for (const [promise, title] of Object.entries(promises)) {
  describe(title, () => {
    for (const impl of implementations) {
      for (const testCase of cases) {
        if (testCase.promise !== promise) continue
        if (testCase.disk === true && !impl.disk) continue
        if (testCase.records === true && !impl.records) continue
        if (testCase.nonBlocking === true && !impl.nonBlocking) continue
        if (testCase.fileSystem === true && impl.fileSystem === undefined) continue
        it.live(`${impl.name}: ${testCase.name}`, () => withFixture(impl, testCase.run), 60_000)
      }
    }
  })
}

/**
 * The Flyte 2 places (a request with `origin: "flyte2"`) under the same read rules: every file place read exactly,
 * once per read, contained, through a rotation, with refusals said as such. The secrets directory is Flyte 2's `D`.
 */
function flyte2Cases(): ReadonlyArray<Case> {
  const flyte2 = (request: Omit<SecretRequest, "origin">): SecretRequest => ({ ...request, origin: "flyte2" })
  const firstRefusal = (error: SecretNotFound) => error.attempts.find((attempt) => attempt.outcome === "refused")
  // md5 of "api-key", computed apart from the library.
  const apiKeyGroup = "3dc5f12d6f3462bb960a152bf73f2e81"
  return [
    {
      name: "Flyte 2: every file place is read exactly (nothing stripped, no newline translated), rb the exact bytes",
      promise: "S17",
      run: (fx) =>
        Effect.gen(function*() {
          const raw = encoder.encode("\r\n  exact\r\nvalue \t\n")
          fx.files({
            "Tok": raw,
            "kube/lowered": " kubernetes\n",
            "Vault/Kept": " vault\r",
            "mysecret": "\ufeffazure\n",
            [`${apiKeyGroup}/api-key`]: " key-only\n",
            "db/db": "under a group directory"
          })
          const manager = yield* fx.manager()
          const file = (request: Omit<SecretRequest, "origin">) => flyte2({ ...request, mountRequirement: "FILE" })
          assert.strictEqual(yield* manager.get(file({ key: "Tok" })), "\r\n  exact\r\nvalue \t\n")
          assert.deepStrictEqual(yield* manager.get(file({ key: "Tok", encodeMode: "rb" })), raw)
          assert.strictEqual(yield* manager.get(file({ group: "Kube", key: "Lowered" })), " kubernetes\n")
          assert.strictEqual(yield* manager.get(file({ group: "Vault", key: "Kept" })), " vault\r")
          assert.strictEqual(
            yield* manager.get(file({ group: "https://v/secrets/MySecret", key: "x" })),
            "\ufeffazure\n"
          )
          assert.strictEqual(yield* manager.get(file({ key: "api-key" })), " key-only\n")
          // D/db is the group's directory, passed over for D/db/db.
          assert.strictEqual(yield* manager.get(file({ group: "db", key: "db" })), "under a group directory")
          assert.strictEqual(
            yield* manager.getPath(file({ group: "Kube", key: "Lowered" })),
            path.join(fx.dir, "kube/lowered")
          )
        })
    },
    {
      name: "Flyte 2: opens the file once per read, read-only (and non-blocking where it can)",
      promise: "S3",
      records: true,
      run: (fx) =>
        Effect.gen(function*() {
          fx.files({ "Token": "value" })
          yield* opensOncePerRead(fx, yield* fx.manager(), flyte2({ key: "Token", mountRequirement: "FILE" }), "Token")
        })
    },
    {
      name: "Flyte 2: a link out of the secrets directory is refused at every place, never read",
      promise: "S3",
      disk: true,
      records: true,
      run: (fx) =>
        Effect.gen(function*() {
          const outside = path.join(fx.root, "outside")
          fs.writeFileSync(outside, PLANTED)
          for (const link of ["Esc", "g/k", "V/K", "n"]) {
            fs.mkdirSync(path.dirname(path.join(fx.dir, link)), { recursive: true })
            fs.symlinkSync(outside, path.join(fx.dir, link))
          }
          const manager = yield* fx.manager()
          for (
            const request of [
              { key: "Esc" },
              { group: "g", key: "k" },
              { group: "V", key: "K", encodeMode: "rb" as const },
              { group: "https://v/secrets/N", key: "other" }
            ]
          ) {
            const error = yield* expectMiss(manager.get(flyte2({ ...request, mountRequirement: "FILE" })))
            assert.strictEqual(
              firstRefusal(error)?.reason,
              "resolves outside the secrets directory (a symbolic link leads out of it)",
              JSON.stringify(request)
            )
            assert.notInclude(visibleTexts(error), PLANTED)
          }
          const outsideReads = fx.calls.filter((call) => call.op === "read" && call.path === outside)
          assert.deepStrictEqual(outsideReads, [], "a file outside the secrets directory was read")
        })
    },
    {
      name: "Flyte 2: rotation with deletion: no error, no torn value, no fall-through",
      promise: "S7",
      disk: true,
      run: (fx) =>
        Effect.gen(function*() {
          const group = path.join(fx.dir, "g")
          fs.mkdirSync(path.join(group, "..v0"), { recursive: true })
          fs.writeFileSync(path.join(group, "..v0", "token"), rotatedValueOf(0))
          fs.symlinkSync("..v0", path.join(group, "..data"))
          fs.symlinkSync("..data/token", path.join(group, "token"))
          // The embedded name a fall-through would reach after the files.
          const manager = yield* fx.manager({ env: { _UNION_TOKEN: "WRONG-FALL-THROUGH" } })
          const rotations = rotator({ group, keys: ["token"], ms: 700, pauseMs: fx.impl.rotationPauseMs, atLeast: 25 })
          const seen = tally()
          const show = (value: string | Uint8Array) =>
            isRotatedValue(value) ? "a whole version" : `wrong: ${String(value).slice(0, 40)}`
          const requests = [
            flyte2({ group: "g", key: "token" }),
            flyte2({ group: "G", key: "Token", mountRequirement: "FILE" })
          ]
          yield* hammer(700, 8, Effect.forEach(requests, (request) => seen.record(manager.get(request), show)))
          const count = yield* rotations.done
          assert.deepStrictEqual([...seen.counts.keys()], ["a whole version"], seen.summary())
          assert.isAbove(count, 20)
        })
    },
    {
      name: "Flyte 2: a hard link and a dangling link are refused",
      promise: "S3",
      disk: true,
      run: (fx) =>
        Effect.gen(function*() {
          fs.writeFileSync(path.join(fx.root, "outside-file"), PLANTED)
          fs.linkSync(path.join(fx.root, "outside-file"), path.join(fx.dir, "Hard"))
          fs.mkdirSync(path.join(fx.dir, "g"))
          fs.symlinkSync("..data/k", path.join(fx.dir, "g", "k"))
          const manager = yield* fx.manager()
          const hard = yield* expectMiss(manager.get(flyte2({ key: "Hard", mountRequirement: "FILE" })))
          assert.include(firstRefusal(hard)?.reason, "has 2 hard links")
          assert.notInclude(visibleTexts(hard), PLANTED)
          const dangling = yield* expectMiss(manager.getPath(flyte2({ group: "g", key: "k" })))
          assert.strictEqual(dangling.reason, "Refused")
          assert.include(firstRefusal(dangling)?.reason, "symbolic link whose target is missing")
        })
    },
    {
      name: "Flyte 2: bytes that are not UTF-8 are a text refusal pointing to rb, an exact rb hit",
      promise: "S17",
      run: (fx) =>
        Effect.gen(function*() {
          const bytes = new Uint8Array([...encoder.encode(PLANTED), 0xff, 0xfe, 0x00])
          fx.files({ "Bin": bytes })
          const manager = yield* fx.manager()
          const request = flyte2({ key: "Bin", mountRequirement: "FILE" })
          const error = yield* expectMiss(manager.get(request))
          assert.strictEqual(firstRefusal(error)?.reason, "not valid UTF-8 (read it with encodeMode: \"rb\")")
          assert.notInclude(visibleTexts(error), PLANTED)
          assert.deepStrictEqual(yield* manager.get({ ...request, encodeMode: "rb" }), bytes)
        })
    },
    {
      name: "Flyte 2: a missing secrets directory is said once, at the directory",
      promise: "S17",
      run: (fx) =>
        Effect.gen(function*() {
          if (fx.impl.disk) fs.rmdirSync(fx.dir)
          const manager = yield* fx.manager()
          for (const request of [flyte2({ group: "G", key: "K" }), flyte2({ key: "k" })]) {
            const error = yield* expectMiss(manager.get(request))
            assert.deepStrictEqual(error.attempts.filter((attempt) => attempt.source === "file"), [
              { source: "file", location: fx.dir, outcome: "missing", reason: "the secrets directory does not exist" }
            ])
          }
        })
    }
  ]
}
