/**
 * What a read answers while its secrets directory is re-pointed under it, and what one caller can change of what
 * another is told: a lookup's attempts, a task's declarations.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as path from "node:path"
import { Environment, Secret, type SecretRequest, SecretsConfig, SecretsManager, task } from "../../src/index.ts"
import { defaults } from "../../src/SecretsConfig.ts"
import { type FileCall, spyOnNodeFs } from "../fixtures/fileCalls.ts"
import { makeTempDir, restoreEnv, setEnv } from "../support.ts"

/** Folders `A` and `B` in `dir`, each holding `g/<key>` (`A-value`, `B-value`); answers where the link to one goes. */
const makeVersions = (dir: string, key: string): string => {
  for (const version of ["A", "B"]) {
    fs.mkdirSync(path.join(dir, version, "g"), { recursive: true })
    fs.writeFileSync(path.join(dir, version, "g", key), `${version}-value`)
  }
  return path.join(dir, "secrets")
}

/**
 * Reads `request` once with the secrets directory a link to `A`, then again while the link is re-pointed to `B` (a
 * new link renamed over it, as the kubelet swaps) right after the read's `stat` of it, before the file is opened.
 */
const readAcrossRepoint = (request: SecretRequest, key: string, variables: Record<string, string>) =>
  Effect.gen(function*() {
    const { dir, remove } = makeTempDir()
    let spy: { restore: () => void } | undefined
    try {
      const link = makeVersions(dir, key)
      fs.symlinkSync(path.join(dir, "A"), link)
      setEnv({ FLYTE_SECRETS_DEFAULT_DIR: link, FLYTE_INTERNAL_EXECUTION_ID: undefined, ...variables })
      const manager = yield* Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer)
      assert.strictEqual(yield* manager.get(request), "A-value")
      let armed = true
      spy = spyOnNodeFs([] as Array<FileCall>, (call) => {
        if (armed && call.op === "stat" && call.path === link) {
          armed = false
          fs.symlinkSync(path.join(dir, "B"), link + ".tmp")
          fs.renameSync(link + ".tmp", link)
        }
      })
      const value = yield* manager.get(request)
      assert.isFalse(armed, "the link was re-pointed during the read")
      return value
    } finally {
      spy?.restore()
      restoreEnv()
      remove()
    }
  })

describe("S7 a secrets directory re-pointed during a read answers its old or new value, never a later place", () => {
  it.effect("a Flyte 1 read never falls through to the local variable", () =>
    Effect.gen(function*() {
      const value = yield* readAcrossRepoint({ group: "g", key: "k" }, "k", { G_K: "WRONG-LATER-PLACE" })
      assert.include(["A-value", "B-value"], value)
    }))

  it.effect("a Flyte 2 read never falls through to the embedded name (another secret's variable)", () =>
    Effect.gen(function*() {
      const value = yield* readAcrossRepoint({ group: "g", key: "token", origin: "flyte2" }, "token", {
        _UNION_TOKEN: "WRONG-EMBEDDED-NAME",
        FLYTE_SECRETS_ENV_PREFIX: "_UNION_"
      })
      assert.include(["A-value", "B-value"], value)
    }))
})

describe("S7 a secrets directory link flipped to another folder and back around the open answers one of them", () => {
  // Given as a configuration value, which no layer normalises: each spelling leads to the same paths.
  it.effect("whatever its spelling (a trailing / or /./), never a later place", () =>
    Effect.gen(function*() {
      const { dir, remove } = makeTempDir()
      let spy: { restore: () => void } | undefined
      try {
        const link = makeVersions(dir, "k")
        const pointTo = (version: string) => {
          fs.symlinkSync(path.join(dir, version), link + ".tmp")
          fs.renameSync(link + ".tmp", link)
        }
        pointTo("A")
        setEnv({ G_K: "WRONG-LATER-PLACE" })
        for (const spelling of [link, `${link}/`, `${link}/./`]) {
          const config = Layer.succeed(SecretsConfig, { ...defaults, defaultDir: spelling, local: true })
          const layer = SecretsManager.layerNodeFiles.pipe(Layer.provide([config, Environment.layer]))
          const manager = yield* Effect.provide(SecretsManager.use(Effect.succeed), layer)
          assert.strictEqual(yield* manager.get({ group: "g", key: "k" }), "A-value", spelling)
          // Once the read has checked the directory's last resolution (A), to B; once it has opened the file, back.
          let step = 0
          spy = spyOnNodeFs([], (call) => {
            if (step === 0 && call.op === "lstat" && call.path === path.join(dir, "A")) {
              step = 1
              pointTo("B")
            } else if (step === 1 && call.op === "open") {
              step = 2
              pointTo("A")
            }
          })
          const value = yield* manager.get({ group: "g", key: "k" })
          spy.restore()
          spy = undefined
          assert.strictEqual(step, 2, `${spelling}: the link flipped during the read`)
          assert.include(["A-value", "B-value"], value, spelling)
        }
      } finally {
        spy?.restore()
        restoreEnv()
        remove()
      }
    }))
})

describe("S9 what one caller is told cannot change what another is told", () => {
  it.effect("the attempts locate hands out are frozen: a later lookup and its miss say what was found", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const location = yield* manager.locate({ group: "g", key: "k" })
      assert.isTrue(location.tried.length > 0 && location.tried.every(Object.isFrozen))
      assert.throws(() => {
        ;(location.tried[0] as { reason: string }).reason = "FORGED"
      })
      const again = yield* manager.locate({ group: "g", key: "k" })
      assert.notStrictEqual(again.tried[0]!.reason, "FORGED")
    }).pipe(Effect.provide(SecretsManager.layerTest({ files: { "/etc/secrets/g/k": "v" } }))))

  it.effect("a file's attempt that locate hands out, before a later place answered, is frozen too", () =>
    Effect.gen(function*() {
      const manager = yield* SecretsManager
      const location = yield* manager.locate({ group: "g", key: "k" })
      const file = location.tried.find((attempt) => attempt.source === "file")
      assert.isDefined(file, JSON.stringify(location.tried))
      assert.isTrue(Object.isFrozen(file))
      assert.throws(() => {
        ;(file as { reason: string }).reason = "FORGED"
      })
    }).pipe(Effect.provide(SecretsManager.layerTest({ env: { G_K: "local" }, config: { local: true } }))))
})

describe("S9 an unset variable's miss, made once per lookup, is told alike to every caller", () => {
  it.effect("whatever a caller changes of it, and as the variable is set and unset again between lookups", () =>
    Effect.gen(function*() {
      const { dir, remove } = makeTempDir()
      try {
        fs.mkdirSync(path.join(dir, "g"))
        setEnv({ FLYTE_SECRETS_DEFAULT_DIR: dir, FLYTE_INTERNAL_EXECUTION_ID: undefined, G_K: "local-value" })
        const manager = yield* Effect.provide(SecretsManager.use(Effect.succeed), SecretsManager.layer)
        // One request object: its lookup is compiled once and run again at each call.
        const request = Object.freeze({ group: "g", key: "k" })
        const absent = Object.freeze({ group: "g", key: "absent" })
        const told = yield* manager.locate(request)
        const expected = structuredClone(told.tried)
        assert.deepStrictEqual(expected.map((attempt) => [attempt.source, attempt.reason]), [
          ["env", "not set"],
          ["file", "no such file"]
        ])
        const missed = yield* Effect.flip(manager.get(absent))
        const expectedMiss = structuredClone(missed.attempts)
        // A caller changes everything it can reach of what it was told.
        for (const attempts of [told.tried, missed.attempts]) {
          for (const attempt of attempts) {
            try {
              ;(attempt as { reason: string }).reason = "FORGED"
            } catch {
              // frozen
            }
          }
          try {
            ;(attempts as Array<unknown>).push({ source: "env", location: "X", outcome: "missing", reason: "FORGED" })
          } catch {
            // frozen
          }
        }
        assert.deepStrictEqual((yield* manager.locate(request)).tried, expected)
        assert.deepStrictEqual((yield* Effect.flip(manager.get(absent))).attempts, expectedMiss)
        setEnv({ FLYTE_SECRETS_G_K: "prefixed-value" })
        assert.strictEqual(yield* manager.get(request), "prefixed-value")
        assert.deepStrictEqual((yield* manager.locate(request)).tried, [])
        setEnv({ FLYTE_SECRETS_G_K: undefined })
        assert.strictEqual(yield* manager.get(request), "local-value")
        assert.deepStrictEqual((yield* manager.locate(request)).tried, expected)
        assert.deepStrictEqual((yield* Effect.flip(manager.get(absent))).attempts, expectedMiss)
      } finally {
        restoreEnv()
        remove()
      }
    }))
})

describe("S13 a task checks what it declares: its declarations cannot change under its preflight", () => {
  it.effect("secretRequests is frozen, so a run after a first one checks the same declarations", () =>
    Effect.gen(function*() {
      const t = task({ name: "t", secretRequests: [{ group: "g", key: "present" }] }, () => Effect.succeed("ran"))
      assert.strictEqual(yield* t(undefined), "ran")
      assert.isTrue(Object.isFrozen(t.secretRequests))
      assert.throws(() => {
        ;(t.secretRequests as Array<Secret>)[0] = new Secret({ group: "g", key: "absent" })
      })
      const second = yield* Effect.exit(t(undefined))
      assert.isTrue(Exit.isSuccess(second))
      assert.deepStrictEqual(t.securityContext().secrets.map((secret) => secret.key), ["present"])
    }).pipe(Effect.provide(SecretsManager.layerTest({ files: { "/etc/secrets/g/present": "v" } }))))
})
