/**
 * Attacks on `effect-secrets run`: commands that write a value in ways meant to slip past its masking, signals
 * while the masked output streams, and pod directories a sweep must leave alone. The bin and its command run as
 * real processes, their output through pipes.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, beforeEach } from "vitest"
import { makeOwnedTempDir, ownedDirMarker, removeOrphanedTempDirs } from "../../src/internal/files/ownedTempDirs.ts"
import { makeTempDir, restoreEnv, setEnv, writeFiles } from "../support.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const node = path.join(root, "node_modules", ".bin", "node")
const bin = path.join(root, "src", "bin", "cli.ts")

const textValue = "attack-run-value-0c4f2e9a-long-enough-to-follow-past-its-anchor"
/** A value that is not UTF-8 (so it has no text form): what a binary key file holds. */
const binaryValue = Buffer.from([0xff, 0xfe, 0x00, 0x01, ...Buffer.from("binary-key-body-77"), 0x80, 0x81, 0xc3])

let temp = { dir: "", remove: () => {} }
beforeEach(() => {
  temp = makeTempDir()
  writeFiles(temp.dir, { "secrets/db/password": textValue + "\n", "secrets/db/key": binaryValue })
  // Private whatever the umask: `run` sweeps only a temporary directory others cannot write to.
  fs.mkdirSync(path.join(temp.dir, "tmp"), { mode: 0o700 })
})
afterEach(() => {
  restoreEnv()
  temp.remove()
})

interface Ran {
  readonly code: number | null
  readonly stdout: Buffer
  readonly stderr: Buffer
}

const environment = () => {
  const env: Record<string, string | undefined> = { ...process.env }
  for (const name of Object.keys(env)) if (name.startsWith("FLYTE_") || name.startsWith("_FSEC_")) delete env[name]
  return { ...env, TMPDIR: path.join(temp.dir, "tmp"), FLYTE_SECRETS_DEFAULT_DIR: path.join(temp.dir, "secrets") }
}

/**
 * Runs `script` under `run` with both secrets (the password as a variable, the key as a file); killed after 60
 * seconds. `whenReady` is called once stdout shows `ready`.
 */
const runScript = (script: string, whenReady?: (pid: number) => void) =>
  new Promise<Ran>((resolve, reject) => {
    const argv = [bin, "run", "--secret", "db/password:ENV_VAR", "--secret", "db/key:FILE", "--", node, "-e", script]
    const child = spawn(node, argv, { cwd: temp.dir, env: environment(), stdio: "pipe" })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk)
      if (whenReady !== undefined && Buffer.concat(stdout).includes("ready")) {
        whenReady(child.pid!)
        whenReady = undefined
      }
    })
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) })
    })
  })

/** Script lines that read both values: `value` (the password's text) and `key` (the key file's bytes). */
const readValues = [
  "const fs = require('fs'), path = require('path')",
  "const value = process.env._FSEC_DB_PASSWORD.trim()",
  "const key = fs.readFileSync(path.join(process.env.FLYTE_SECRETS_DEFAULT_DIR, 'db', 'key'))"
].join("\n")

const assertNoValue = (output: Buffer) => {
  assert.strictEqual(output.indexOf(binaryValue), -1, "the key's bytes")
  assert.strictEqual(output.indexOf(binaryValue.subarray(4, 20)), -1, "the key's text part")
  assert.notInclude(output.toString("latin1"), textValue.slice(0, 12))
}

describe("S11 effect-secrets run: what a command writes is masked however it writes it", () => {
  it("a value that is not text, copied as it is from its file to stdout (whole, and split across writes)", async () => {
    const ran = await runScript([
      readValues,
      "process.stdout.write(Buffer.concat([Buffer.from('key: '), key, Buffer.from(' split: ')]))",
      "process.stdout.write(key.subarray(0, 7))",
      "setTimeout(() => process.stdout.write(Buffer.concat([key.subarray(7), Buffer.from(' end')])), 100)"
    ].join("\n"))
    assert.strictEqual(ran.code, 0, ran.stderr.toString())
    assertNoValue(ran.stdout)
    assert.strictEqual(ran.stdout.toString("latin1"), "key: <redacted> split: <redacted> end")
  }, 90_000)

  it(
    "a value written one byte per write, with pauses, to stdout and stderr interleaved; the exit code kept",
    async () => {
      const ran = await runScript([
        readValues,
        "const text = Buffer.from('<' + value + '>'), bytes = Buffer.concat([Buffer.from('<'), key, Buffer.from('>')])",
        "let i = 0",
        "const next = () => {",
        "  if (i < text.length) process.stdout.write(text.subarray(i, i + 1))",
        "  if (i < bytes.length) process.stderr.write(bytes.subarray(i, i + 1))",
        "  if (++i < Math.max(text.length, bytes.length)) setTimeout(next, 2); else process.exitCode = 7",
        "}",
        "next()"
      ].join("\n"))
      assert.strictEqual(ran.code, 7, ran.stderr.toString())
      assert.strictEqual(ran.stdout.toString(), "<<redacted>>")
      assert.strictEqual(ran.stderr.toString("latin1"), "<<redacted>>")
    },
    90_000
  )

  it("a command that closes its stdout early still has its stderr masked", async () => {
    const ran = await runScript([
      readValues,
      "fs.closeSync(1)",
      "process.stderr.write('late: ' + value + '\\n')"
    ].join("\n"))
    assert.strictEqual(ran.code, 0, ran.stderr.toString())
    assert.strictEqual(ran.stderr.toString(), "late: <redacted>\n")
  }, 90_000)

  it("a command killed between two writes of one value leaves none of it in clear", async () => {
    const ran = await runScript([
      readValues,
      "process.stdout.write('ready ' + value.slice(0, 20), () => process.kill(process.pid, 'SIGKILL'))"
    ].join("\n"))
    assert.strictEqual(ran.stdout.toString(), "ready <redacted>")
    assert.strictEqual(ran.code, 128 + 9, ran.stderr.toString())
  }, 90_000)

  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"] as const) {
    it(
      `${signal} while the masked output streams: nothing unmasked, the files removed, the signal's code`,
      async () => {
        const ran = await runScript(
          [
            readValues,
            "process.stdout.write('ready ')",
            "setInterval(() => { process.stdout.write(value.slice(0, 20)); process.stdout.write(value.slice(20) + ' ') }, 5)"
          ].join("\n"),
          (pid) => setTimeout(() => process.kill(pid, signal), 200)
        )
        assertNoValue(ran.stdout)
        assert.include(ran.stdout.toString(), "ready <redacted>")
        const left = fs.readdirSync(path.join(temp.dir, "tmp")).filter((name) => name.startsWith("effect-secrets-pod-"))
        assert.deepStrictEqual(left, [])
        assert.strictEqual(
          ran.code,
          128 + { SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGQUIT: 3 }[signal],
          ran.stderr.toString()
        )
      },
      90_000
    )
  }
})

describe("S11 the sweep of leftover pod directories", () => {
  const namespace = /\[(\d+)\]/.exec(fs.readlinkSync("/proc/self/ns/pid"))![1]!
  const boot = fs.readFileSync("/proc/sys/kernel/random/boot_id", "latin1").replace(/[^0-9a-f]/g, "").slice(0, 12)
  /** `<namespace>-<machine>-<boot>`, as this process's names hold them. */
  const [, machine] = /^\d+-([0-9a-f]+)-/.exec(ownedDirMarker())!
  const otherHex = (hex: string) => hex.replace(/^./, (digit) => digit === "0" ? "1" : "0")
  const tmp = () => path.join(temp.dir, "tmp")

  it("names a new directory after this machine and its boot, besides the pid namespace", () => {
    setEnv({ TMPDIR: tmp() })
    const dir = makeOwnedTempDir("effect-secrets-pod-")
    assert.match(
      path.basename(dir),
      new RegExp(`^effect-secrets-pod-${process.pid}-\\d+-${namespace}-${machine}-${boot}-\\w{6}$`)
    )
  })

  it("leaves a directory of another pid namespace or another machine (a network /tmp), whatever its pid", () => {
    setEnv({ TMPDIR: tmp() })
    const ended = spawnSync("true").pid!
    const others = [
      `effect-secrets-pod-${ended}-1-${Number(namespace) + 1}-${machine}-${boot}-aaaaaa`,
      `effect-secrets-pod-${ended}-1-${namespace}-${otherHex(machine!)}-${otherHex(boot)}-bbbbbb`,
      `effect-secrets-pod-${ended}-1-${namespace}-${otherHex(machine!)}-${boot}-cccccc`
    ]
    const orphan = `effect-secrets-pod-${ended}-1-${namespace}-${machine}-${boot}-dddddd`
    for (const name of [...others, orphan]) fs.mkdirSync(path.join(tmp(), name))
    assert.deepStrictEqual(removeOrphanedTempDirs("effect-secrets-pod-"), [orphan])
    assert.sameMembers(fs.readdirSync(tmp()), others)
  })

  it("removes one of this machine's earlier boots even when its pid is taken now (by this very process)", () => {
    setEnv({ TMPDIR: tmp() })
    const earlier = `effect-secrets-pod-${process.pid}-1-${namespace}-${machine}-${otherHex(boot)}-eeeeee`
    fs.mkdirSync(path.join(tmp(), earlier, "db"), { recursive: true })
    assert.deepStrictEqual(removeOrphanedTempDirs("effect-secrets-pod-"), [earlier])
  })
})
