/**
 * `effect-secrets run` masks its command's stdout and stderr when they are not terminals: the bin and its command
 * as real processes, their output through pipes.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, beforeEach } from "vitest"

// Each test starts the bin and a command, both compiling TypeScript or starting Node: slow on a loaded machine.
import { childEnvironment, makeTempDir, writeFiles } from "./support.ts"

const root = fileURLToPath(new URL("..", import.meta.url))
const node = path.join(root, "node_modules", ".bin", "node")
const bin = path.join(root, "src", "bin", "cli.ts")

const passwordValue = "run-masked-password-7d3c91e0-with-a-long-tail-beyond-its-anchor"

let temp = { dir: "", remove: () => {} }
beforeEach(() => {
  temp = makeTempDir()
  writeFiles(temp.dir, { "secrets/db/password": passwordValue + "\n" })
  fs.mkdirSync(path.join(temp.dir, "tmp"))
})
afterEach(() => temp.remove())

interface Ran {
  readonly code: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

/** The environment of a run: this one without secrets settings, with the test's secrets and temporary folders. */
const environment = () => {
  return {
    ...childEnvironment(),
    // `script` runs its command with $SHELL, which a CI user may have set to nologin.
    SHELL: "/bin/sh",
    TMPDIR: path.join(temp.dir, "tmp"),
    FLYTE_SECRETS_DEFAULT_DIR: path.join(temp.dir, "secrets")
  }
}

/**
 * Runs `argv` with stdout and stderr piped to the test; killed after 60 seconds. `whenReady` is called once stdout
 * shows `ready`; with `stopReading`, stdout is closed at its first chunk.
 */
const collect = (argv: ReadonlyArray<string>, whenReady?: (pid: number) => void, stopReading = false) =>
  new Promise<Ran>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: temp.dir, env: environment(), stdio: "pipe" })
    const stdout: Array<Buffer> = []
    let stderr = ""
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.stdout.on("data", (chunk: Buffer) => {
      if (stopReading) return child.stdout.destroy() // as `| head -c 1` does
      stdout.push(chunk)
      if (whenReady !== undefined && Buffer.concat(stdout).includes("ready")) {
        whenReady(child.pid!)
        whenReady = undefined
      }
    })
    child.stderr.on("data", (chunk) => stderr += chunk)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: Buffer.concat(stdout), stderr })
    })
  })

/** The bin's arguments for `effect-secrets run [flags] --secret db/password:ENV_VAR -- command`. */
const runArgv = (command: ReadonlyArray<string>, flags: ReadonlyArray<string>) => [
  node,
  bin,
  "run",
  ...flags,
  "--secret",
  "db/password:ENV_VAR",
  "--",
  ...command
]

const runScript = (script: string, flags: ReadonlyArray<string> = [], whenReady?: (pid: number) => void) =>
  collect(runArgv([node, "-e", script], flags), whenReady)

/** A script that writes the password in two writes, 200 ms apart, to stdout and stderr, then exits with `code`. */
const splitWriter = (code: number) =>
  [
    "const value = process.env._FSEC_DB_PASSWORD.trim()",
    "process.stdout.write('out: ' + value.slice(0, 9))",
    "process.stderr.write('err: ' + value.slice(0, 40))",
    "setTimeout(() => {",
    "  process.stdout.write(value.slice(9) + ' end\\n')",
    "  process.stderr.write(value.slice(40) + ' end\\n')",
    `  process.exitCode = ${code}`,
    "}, 200)"
  ].join("\n")

describe("S11 effect-secrets run masks its command's output", () => {
  it(
    "a value written in two writes to stdout and stderr (pipes) is masked; the exit code is the command's",
    async () => {
      const ran = await runScript(splitWriter(5))
      assert.strictEqual(ran.code, 5, ran.stderr)
      assert.strictEqual(ran.stdout.toString(), "out: <redacted> end\n")
      assert.include(ran.stderr, "err: <redacted> end\n")
      assert.notInclude(ran.stderr, passwordValue.slice(0, 9))
    },
    60_000
  )

  it("--no-masking passes the output through as it is", async () => {
    const ran = await runScript(splitWriter(0), ["--no-masking"])
    assert.strictEqual(ran.code, 0, ran.stderr)
    assert.strictEqual(ran.stdout.toString(), `out: ${passwordValue} end\n`)
  }, 60_000)

  it("binary output that holds no value passes through byte for byte", async () => {
    const bytes = crypto.randomBytes(256 * 1024)
    fs.writeFileSync(path.join(temp.dir, "blob.bin"), bytes)
    const ran = await runScript(
      "const data = require('fs').readFileSync('blob.bin'); for (let i = 0; i < data.length; i += 10007) " +
        "process.stdout.write(data.subarray(i, i + 10007))"
    )
    assert.strictEqual(ran.code, 0, ran.stderr)
    assert.isTrue(ran.stdout.equals(bytes))
  }, 60_000)

  it("a reader that stops reading ends the command (yes), and run does not hang", async () => {
    const ran = await collect(runArgv(["yes"], []), undefined, true)
    assert.notStrictEqual(ran.code, null) // not killed by the timer: it ended by itself
    assert.notStrictEqual(ran.code, 0)
    assert.notInclude(ran.stderr, "Error [ERR_STREAM")
  }, 60_000)

  it(
    "what is held back is flushed when the command exits, even while a process it started keeps its output open",
    async () => {
      const ran = await runScript(
        [
          "require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], { stdio: 'inherit' })",
          "  .unref()",
          "process.stdout.write('held: ' + process.env._FSEC_DB_PASSWORD.trim().slice(0, 40))",
          "process.exitCode = 3"
        ].join("\n")
      )
      assert.strictEqual(ran.code, 3, ran.stderr)
      assert.strictEqual(ran.stdout.toString(), "held: <redacted>")
    },
    60_000
  )

  it("output is not held back while the command runs: it sees `ready` and a signal ends it", async () => {
    const ran = await runScript(
      "process.stdout.write('ready'); setTimeout(() => {}, 60000)",
      [],
      (pid) => process.kill(pid, "SIGTERM")
    )
    assert.strictEqual(ran.code, 143, ran.stderr)
    assert.strictEqual(ran.stdout.toString(), "ready")
  }, 60_000)

  // A terminal needs a pseudo-terminal: util-linux's `script` gives the bin one (Node cannot open one itself).
  it.runIf(process.platform === "linux")(
    "a terminal is passed through untouched (the command sees a terminal), and masked with --mask-tty",
    async () => {
      const inTerminal = (flags: ReadonlyArray<string>) => {
        const script = "console.log('terminal:', process.stdout.isTTY === true, process.env._FSEC_DB_PASSWORD.trim())"
        const line = runArgv([node, "-e", script], flags).map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ")
        return collect(["script", "-qec", line, "/dev/null"])
      }
      const [shared, masked] = await Promise.all([inTerminal([]), inTerminal(["--mask-tty"])])
      const plain = (ran: Ran) => ran.stdout.toString().replace(/\u001b\[\d+m/g, "")
      assert.include(plain(shared), `terminal: true ${passwordValue}`)
      assert.include(plain(masked), "terminal: false <redacted>")
      assert.notInclude(plain(masked), passwordValue)
    },
    60_000
  )
})
