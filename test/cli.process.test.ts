/**
 * The `effect-secrets` bin as a real process (`src/bin/cli.ts` on Node's type stripping): exit codes, a TypeScript
 * module of tasks, `run` with a command that reads its secrets through the library, the files gone afterwards,
 * signals passed on, and no secret value in any output.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, beforeEach } from "vitest"
import { makeTempDir, writeFiles } from "./support.ts"

const root = fileURLToPath(new URL("..", import.meta.url))
const node = path.join(root, "node_modules", ".bin", "node")
const bin = path.join(root, "src", "bin", "cli.ts")
const libraryEntry = path.join(root, "src", "index.ts")

const tokenValue = "planted-token-5e0d17aa"
const passwordValue = "planted-password-c3b9f2"
const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex")

let temp = { dir: "", remove: () => {} }
/** The directories the bin sees: its secrets, and its temporary directory (where `run` lays the pod out). */
const dirs = { secrets: "", tmp: "" }
beforeEach(() => {
  temp = makeTempDir()
  dirs.secrets = path.join(temp.dir, "secrets")
  dirs.tmp = path.join(temp.dir, "tmp")
  fs.mkdirSync(dirs.tmp)
  writeFiles(dirs.secrets, { "db/password": passwordValue + "\n" })
})
afterEach(() => temp.remove())

interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment of a run: this one without secrets settings, then the test's. */
const environment = (variables: Readonly<Record<string, string>>) => {
  const env: Record<string, string | undefined> = { ...process.env }
  for (const name of Object.keys(env)) if (name.startsWith("FLYTE_") || name.startsWith("_FSEC_")) delete env[name]
  // Compiled code is cached outside the test's temporary directory, warm across runs.
  const compileCache = path.join(os.tmpdir(), "node-compile-cache")
  return {
    ...env,
    TMPDIR: dirs.tmp,
    NODE_COMPILE_CACHE: compileCache,
    FLYTE_SECRETS_DEFAULT_DIR: dirs.secrets,
    ...variables
  }
}

/**
 * Runs the bin; `whenReady` is called with the process once its stdout shows `ready` (to send it a signal). Killed
 * after 15 seconds, so a hung run fails the test instead of the suite.
 */
const runBin = (
  args: ReadonlyArray<string>,
  variables: Readonly<Record<string, string>> = {},
  whenReady?: (pid: number) => void
): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(node, [bin, ...args], { cwd: temp.dir, env: environment(variables), stdio: "pipe" })
    let stdout = ""
    let stderr = ""
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
    child.stdout.on("data", (chunk) => {
      const before = stdout
      stdout += chunk
      if (whenReady !== undefined && !before.includes("ready") && stdout.includes("ready")) whenReady(child.pid!)
    })
    child.stderr.on("data", (chunk) => stderr += chunk)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

const assertNoSecret = (ran: Ran) => {
  for (const value of [tokenValue, passwordValue]) {
    assert.notInclude(ran.stdout, value)
    assert.notInclude(ran.stderr, value)
  }
}

/**
 * A command that reads a variable secret and a file secret through the library, checks them against the hashes in
 * its arguments (never the values), prints where it found them, then exits with the code in its arguments.
 */
const readerScript = () => {
  const file = path.join(temp.dir, "reader.ts")
  fs.writeFileSync(
    file,
    [
      `import { createHash } from "node:crypto"`,
      `import { makeSecrets } from ${JSON.stringify(libraryEntry)}`,
      `const [tokenHash, passwordHash, code] = process.argv.slice(2)`,
      `const hash = (text: string) => createHash("sha256").update(text).digest("hex")`,
      `const secrets = makeSecrets()`,
      `const token = secrets.get({ group: "team", key: "token" }) as string`,
      `const password = secrets.get({ group: "db", key: "password" }) as string`,
      `const passwordPath = secrets.getPath({ group: "db", key: "password" })`,
      `console.log("token", hash(token) === tokenHash ? "ok" : "wrong", "from _FSEC_TEAM_TOKEN:",`,
      `  process.env._FSEC_TEAM_TOKEN !== undefined)`,
      `console.log("password", hash(password) === passwordHash ? "ok" : "wrong", "at", passwordPath)`,
      `process.exit(Number(code))`
    ].join("\n")
  )
  return file
}

/** A command that prints `ready` and waits; on SIGINT it exits with 7, as a graceful shutdown would. */
const sleeperScript = () => {
  const file = path.join(temp.dir, "sleeper.ts")
  fs.writeFileSync(
    file,
    [
      `import { makeSecrets } from ${JSON.stringify(libraryEntry)}`,
      `console.log("at", makeSecrets().getPath({ group: "db", key: "password" }))`,
      `process.on("SIGINT", () => process.exit(7))`,
      `setTimeout(() => {}, 60_000)`,
      `console.log("ready")`
    ].join("\n")
  )
  return file
}

/** The path the command printed after `at`. */
const printedPath = (ran: Ran) => /at (\S+)/.exec(ran.stdout)?.[1] ?? ""

describe("the effect-secrets bin", () => {
  it("--help exits 0; where exits 0 when found and 1 when missing", async () => {
    const [help, found, missing] = await Promise.all([
      runBin(["--help"]),
      runBin(["where", "db", "password"]),
      runBin(["where", "db", "absent", "--json"])
    ])
    assert.strictEqual(help.code, 0)
    assert.include(help.stdout, "SUBCOMMANDS")
    assert.strictEqual(found.code, 0)
    assert.include(found.stdout, `found (file ${path.join(dirs.secrets, "db", "password")})`)
    assert.strictEqual(missing.code, 1)
    assert.strictEqual(JSON.parse(missing.stdout).found, false)
    for (const ran of [help, found, missing]) assertNoSecret(ran)
  })

  it("doctor loads a TypeScript module of tasks: exit 1 while a secret is missing, 0 once all are there", async () => {
    const module = path.join(temp.dir, "tasks.ts")
    fs.writeFileSync(
      module,
      [
        `import { task } from ${JSON.stringify(libraryEntry)}`,
        `type Org = string`,
        `export const sync = task.sync({ name: "sync_repos", secretRequests: [`,
        `  { group: "team", key: "token", mountRequirement: "ENV_VAR" },`,
        `  { group: "db", key: "password", mountRequirement: "FILE" }`,
        `] }, (org: Org) => org)`
      ].join("\n")
    )
    const [missing, ready] = await Promise.all([
      runBin(["doctor", "tasks.ts"]),
      runBin(["doctor", "tasks.ts", "--json"], { FLYTE_SECRETS_TEAM_TOKEN: tokenValue })
    ])
    assert.strictEqual(missing.code, 1)
    assert.include(missing.stdout, "1 missing")
    assert.strictEqual(ready.code, 0)
    assert.deepStrictEqual(
      JSON.parse(ready.stdout).secrets.map((secret: { status: string }) => secret.status),
      ["found", "found"]
    )
    for (const ran of [missing, ready]) assertNoSecret(ran)
  })

  it("run: the command reads a variable and a file secret as the pod has them; its exit code; files removed", async () => {
    writeFiles(temp.dir, { ".env": `FLYTE_SECRETS_TEAM_TOKEN=${tokenValue}\n` })
    const ran = await runBin([
      "run",
      "--secret",
      "team/token:ENV_VAR",
      "--secret",
      "db/password:FILE",
      "--env-file",
      ".env",
      "--",
      node,
      readerScript(),
      sha256(tokenValue),
      sha256(passwordValue),
      "3"
    ])
    assert.strictEqual(ran.code, 3, ran.stderr)
    assert.include(ran.stdout, "token ok from _FSEC_TEAM_TOKEN: true")
    assert.include(ran.stdout, "password ok at")
    const passwordPath = printedPath(ran)
    assert.isTrue(passwordPath.startsWith(dirs.tmp + path.sep), passwordPath)
    assert.isFalse(fs.existsSync(passwordPath))
    assert.deepStrictEqual(fs.readdirSync(dirs.tmp), [])
    assertNoSecret(ran)
  })

  it("run: a signal is passed on, the files are removed, the exit code is the command's (or a shell's)", async () => {
    const [interrupted, terminated, notFound] = await Promise.all([
      // Ctrl-C: the command shuts down gracefully, with its own exit code.
      runBin(["run", "--secret", "db/password", "--", node, sleeperScript()], {}, (pid) => process.kill(pid, "SIGINT")),
      // SIGTERM ends a command without a handler: 128 + 15, as a shell says.
      runBin(
        ["run", "--secret", "db/password", "--", node, "-e", "setTimeout(() => {}, 60000); console.log('ready')"],
        {},
        (pid) => process.kill(pid, "SIGTERM")
      ),
      runBin(["run", "--secret", "db/password", "--", "effect-secrets-no-such-command"])
    ])
    assert.strictEqual(interrupted.code, 7, interrupted.stderr)
    assert.isTrue(printedPath(interrupted).startsWith(dirs.tmp + path.sep))
    assert.strictEqual(terminated.code, 143, terminated.stderr)
    assert.strictEqual(notFound.code, 127)
    assert.include(notFound.stderr, "Command not found: effect-secrets-no-such-command")
    assert.deepStrictEqual(fs.readdirSync(dirs.tmp), [])
    for (const ran of [interrupted, terminated, notFound]) assertNoSecret(ran)
  })
})
