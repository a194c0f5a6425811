/**
 * The `effect-secrets` bin as a real process (`src/bin/cli.ts` on Node's type stripping): exit codes, a TypeScript
 * module of tasks, `run` with a command that reads its secrets through the library, the files gone afterwards,
 * signals passed on, and no secret value in any output.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFileSync, spawn } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, beforeEach } from "vitest"
import { ownedDirMarker } from "../src/internal/files/ownedTempDirs.ts"
import { childEnvironment, makeTempDir, writeFiles } from "./support.ts"

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
  // Private whatever the umask: `run` sweeps only a temporary directory others cannot write to.
  fs.mkdirSync(dirs.tmp, { mode: 0o700 })
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
  // Compiled code is cached outside the test's temporary directory, warm across runs.
  const compileCache = path.join(os.tmpdir(), "node-compile-cache")
  return {
    ...childEnvironment(),
    TMPDIR: dirs.tmp,
    NODE_COMPILE_CACHE: compileCache,
    FLYTE_SECRETS_DEFAULT_DIR: dirs.secrets,
    ...variables
  }
}

/** What to do to the bin's process once its stdout first shows a text. */
type Step = readonly [text: string, action: (pid: number, stdout: string) => void]

/**
 * Runs the bin; `whenReady` is called with the process once its stdout shows `ready` (to send it a signal), or each
 * step's action once its text shows. Killed after 45 seconds (a machine under load starts Node slowly), so a hung run fails the test instead of the suite.
 */
const runBin = (
  args: ReadonlyArray<string>,
  variables: Readonly<Record<string, string>> = {},
  whenReady?: Step[1] | ReadonlyArray<Step>
): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(node, [bin, ...args], { cwd: temp.dir, env: environment(variables), stdio: "pipe" })
    let stdout = ""
    let stderr = ""
    const timer = setTimeout(() => child.kill("SIGKILL"), 45_000)
    const steps = typeof whenReady === "function" ? [["ready", whenReady] as const] : whenReady ?? []
    child.stdout.on("data", (chunk) => {
      const before = stdout
      stdout += chunk
      for (const [text, action] of steps) {
        if (!before.includes(text) && stdout.includes(text)) action(child.pid!, stdout)
      }
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

/**
 * A command that prints where its file is, its pid and `ready`, then waits. SIGINT, SIGTERM and SIGQUIT end it with
 * 40 once it has said which it got (`stubborn`: it ignores SIGTERM); SIGHUP ends it as it ends any Node process.
 */
const holderScript = (stubborn = false) => {
  const file = path.join(temp.dir, stubborn ? "stubborn.ts" : "holder.ts")
  fs.writeFileSync(
    file,
    [
      `import { makeSecrets } from ${JSON.stringify(libraryEntry)}`,
      `console.log("at", makeSecrets().getPath({ group: "db", key: "password" }), "pid", process.pid)`,
      `for (const signal of ["SIGINT", "SIGTERM", "SIGQUIT"] as const) {`,
      `  process.on(signal, () => {`,
      `    console.log("got", signal)`,
      `    if (!(${stubborn} && signal === "SIGTERM")) process.exit(40)`,
      `  })`,
      `}`,
      `setTimeout(() => {}, 60_000)`,
      `console.log("ready")`
    ].join("\n")
  )
  return file
}

/** The directory of the temporary directory that holds the path the command printed after `at`. */
const podDirOf = (ran: Ran) => path.join(dirs.tmp, path.relative(dirs.tmp, printedPath(ran)).split(path.sep)[0]!)

/** The pid namespace of this process and the bin's, as pod directories' names hold it. */
const space = ownedDirMarker()

/** The path the command printed after `at`. */
const printedPath = (ran: Ran) => /at (\S+)/.exec(ran.stdout)?.[1] ?? ""

describe("S11 the effect-secrets bin", { timeout: 90_000 }, () => {
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

  it("doctor --json with a secret missing (exit 1): the whole report reaches a pipe, never cut at 64 KiB by the exit", async () => {
    const module = path.join(temp.dir, "many.ts")
    const requests = Array.from({ length: 1500 }, (_, index) => `{ group: "group-${index}", key: "key-${index}" }`)
    fs.writeFileSync(
      module,
      [
        `import { task } from ${JSON.stringify(libraryEntry)}`,
        `export const many = task.sync({ name: "many", secretRequests: [${requests.join(", ")}] }, () => 1)`
      ].join("\n")
    )
    const ran = await runBin(["doctor", "many.ts", "--json"])
    assert.strictEqual(ran.code, 1, ran.stderr)
    assert.isAbove(ran.stdout.length, 128 * 1024)
    assert.strictEqual(JSON.parse(ran.stdout).secrets.length, 1500)
  })

  it("run: the command reads a variable and a file secret as the pod has them; its exit code; files removed", async () => {
    writeFiles(temp.dir, { ".env": `FLYTE_SECRETS_TEAM_TOKEN=${tokenValue}\n` })
    const ran = await runBin([
      "run",
      "--secret",
      "team/token:ENV_VAR",
      "--secret",
      "db/password:FILE",
      "--dotenv",
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

  it("run --dotenv and --module: a FIFO, a device or an oversized file is refused at once, never waited on or read whole", async () => {
    const fifo = path.join(temp.dir, "pipe.env")
    execFileSync("mkfifo", [fifo])
    writeFiles(temp.dir, { "big.env": `A=${"x".repeat(1024 * 1024)}\n` })
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--dotenv", fifo], "(not a regular file)"],
      [["--dotenv", "/dev/zero"], "(not a regular file)"],
      [["--dotenv", "big.env"], "(larger than 1 MiB"],
      [["--module", fifo], "is not a file"]
    ]
    for (const [flags, message] of cases) {
      const ran = await runBin(["run", ...flags, "--secret", "db/password", "--", node, "-e", "0"])
      assert.strictEqual(ran.code, 1, `${flags.join(" ")}: ${ran.stderr}`)
      assert.include(ran.stderr, message, flags.join(" "))
      assertNoSecret(ran)
    }
    const doctor = await runBin(["doctor", fifo])
    assert.strictEqual(doctor.code, 1, doctor.stderr)
    assert.include(doctor.stderr, "is not a file")
  })

  it("run --dotenv: a NODE_OPTIONS the file holds reaches the command only, never the effect-secrets process", async () => {
    const log = path.join(temp.dir, "loaded.log")
    writeFiles(temp.dir, {
      "preload.cjs": `require("node:fs").appendFileSync(${JSON.stringify(log)}, (process.argv[1] ?? "-") + "\\n")`,
      ".env": `NODE_OPTIONS=--require ${path.join(temp.dir, "preload.cjs")}\n`
    })
    const ran = await runBin(["run", "--dotenv", ".env", "--secret", "db/password", "--", node, "-e", "0"])
    assert.strictEqual(ran.code, 0, ran.stderr)
    assert.deepStrictEqual(fs.readFileSync(log, "utf8").split("\n").filter(Boolean), ["-"])
    assertNoSecret(ran)
  })

  it("--wizard without a terminal on standard input (a pipe left open) is refused at once, never waits for an answer", async () => {
    const [wizard, inCommand] = await Promise.all([
      runBin(["where", "--wizard"]),
      runBin(["run", "--secret", "db/password", "--", node, "-e", "0", "--", "--wizard"])
    ])
    assert.strictEqual(wizard.code, 1, wizard.stderr)
    assert.include(wizard.stderr, "--wizard asks its questions on a terminal")
    assert.strictEqual(inCommand.code, 0, inCommand.stderr)
  })

  it("--env-file is no command's flag (Node reads that argument itself): it is refused with a hint, run's to use --dotenv", async () => {
    writeFiles(temp.dir, { ".env": "A=1\n" })
    for (const flags of [["--env-file", ".env"], ["--env-file=.env"], ["--env-file-if-exists=.env"]]) {
      for (
        const args of [["run", ...flags, "--secret", "db/password", "--", node, "-e", "0"], ["where", "db", ...flags]]
      ) {
        const ran = await runBin(args)
        assert.strictEqual(ran.code, 1, ran.stderr)
        assert.include(ran.stderr, "Hint: Node itself reads an --env-file argument", args.join(" "))
        assert.include(ran.stderr, "with --dotenv PATH", args.join(" "))
        assertNoSecret(ran)
      }
    }
  })

  it("run --flyte 2: a Flyte 2 task's secrets as Embedded lays them out, read by the library; output masked", async () => {
    const declarations = [
      `export const openai = Secret.flyte2("openai-key")`,
      `export const cert = Secret.flyte2({ key: "TLS-Cert", mount: "/etc/flyte/secrets" })`
    ]
    writeFiles(temp.dir, {
      "tasks.ts": [
        `import { Secret, task } from ${JSON.stringify(libraryEntry)}`,
        ...declarations,
        `export const summarize = task.sync({ name: "summarize", secretRequests: [openai, cert] }, () => 1)`
      ].join("\n"),
      "reader.ts": [
        `import { createHash } from "node:crypto"`,
        `import { makeSecrets, Secret } from ${JSON.stringify(libraryEntry)}`,
        ...declarations,
        `const hash = (text: string) => createHash("sha256").update(text).digest("hex")`,
        `const secrets = makeSecrets()`,
        `const token = secrets.get(openai) as string, password = secrets.get(cert) as string`,
        `console.log("token ok:", hash(token) === process.argv[2], "password ok:", hash(password) === process.argv[3])`,
        `console.log("prefix " + process.env.FLYTE_SECRETS_ENV_PREFIX + ", leaked: " + token)`
      ].join("\n")
    })
    writeFiles(dirs.secrets, { "TLS-Cert": passwordValue })
    const ran = await runBin(
      [
        "run",
        "--module",
        "tasks.ts",
        "--flyte",
        "2",
        "--",
        node,
        "reader.ts",
        sha256(tokenValue),
        sha256(passwordValue)
      ],
      { OPENAI_KEY: tokenValue }
    )
    assert.strictEqual(ran.code, 0, ran.stderr)
    assert.include(ran.stdout, "token ok: true password ok: true")
    assert.include(ran.stdout, "prefix _UNION_, leaked: ")
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

  it("run: SIGHUP (a closed terminal or SSH session) and SIGQUIT are passed on and the files removed", async () => {
    const holder = holderScript()
    const [hangup, quit] = await Promise.all([
      runBin(["run", "--secret", "db/password", "--", node, holder], {}, (pid) => process.kill(pid, "SIGHUP")),
      runBin(["run", "--secret", "db/password", "--", node, holder], {}, (pid) => process.kill(pid, "SIGQUIT"))
    ])
    // SIGHUP ends the command as it ends a Node process: 128 + 1, as a shell says.
    assert.strictEqual(hangup.code, 129, hangup.stderr)
    assert.strictEqual(quit.code, 40, quit.stderr)
    assert.include(quit.stdout, "got SIGQUIT")
    for (const ran of [hangup, quit]) {
      assert.isTrue(printedPath(ran).startsWith(dirs.tmp + path.sep), ran.stdout)
      assertNoSecret(ran)
    }
    assert.deepStrictEqual(fs.readdirSync(dirs.tmp), [])
  })

  it("run: a signal before the command starts (its module still loading) ends it with a shell's code, nothing left", async () => {
    const module = path.join(temp.dir, "slow-tasks.ts")
    fs.writeFileSync(
      module,
      [
        `import { task } from ${JSON.stringify(libraryEntry)}`,
        `console.log("ready")`,
        `await new Promise((resolve) => setTimeout(resolve, 60_000))`,
        `export const report = task.sync({ name: "report", secretRequests: [{ group: "db", key: "password" }] }, () => 1)`
      ].join("\n")
    )
    const marker = path.join(temp.dir, "started")
    const runWith = (signal: NodeJS.Signals) =>
      runBin(["run", "--module", module, "--", "touch", marker], {}, (pid) => process.kill(pid, signal))
    const [hangup, terminated] = await Promise.all([runWith("SIGHUP"), runWith("SIGTERM")])
    assert.strictEqual(hangup.code, 129, hangup.stderr)
    assert.strictEqual(terminated.code, 143, terminated.stderr)
    assert.isFalse(fs.existsSync(marker))
    assert.deepStrictEqual(fs.readdirSync(dirs.tmp), [])
  })

  it("run: a command that ignores SIGTERM keeps its files until it ends; a second signal is passed on too", async () => {
    let dirWhileIgnoring = false
    const ran = await runBin(["run", "--secret", "db/password", "--", node, holderScript(true)], {}, [
      ["ready", (pid) => process.kill(pid, "SIGTERM")],
      ["got SIGTERM", (pid) => {
        dirWhileIgnoring = fs.readdirSync(dirs.tmp).length === 1
        process.kill(pid, "SIGTERM")
        process.kill(pid, "SIGINT")
      }]
    ])
    assert.isTrue(dirWhileIgnoring)
    assert.strictEqual(ran.code, 40, ran.stderr)
    assert.include(ran.stdout, "got SIGINT")
    assert.deepStrictEqual(fs.readdirSync(dirs.tmp), [])
  })

  it(
    "run: a directory a SIGKILL left is removed by the next run; a live run's, a link, others' and other names stay",
    async () => {
      const holder = holderScript()
      const run = (whenReady: Step[1]) => runBin(["run", "--secret", "db/password", "--", node, holder], {}, whenReady)
      // A SIGKILL leaves the directory: the process that could remove it is gone. Its command is ended here.
      let killedPid = 0
      const killed = await run((pid, stdout) => {
        killedPid = pid
        process.kill(pid, "SIGKILL")
        process.kill(Number(/pid (\d+)/.exec(stdout)?.[1]), "SIGKILL")
      })
      const leftover = podDirOf(killed)
      assert.isTrue(fs.existsSync(printedPath(killed)))
      // What the next run must leave: the names of a dead owner on what is not this user's directory, other names.
      const victim = path.join(temp.dir, "victim")
      writeFiles(victim, { "keep": "kept" })
      const dead = (suffix: string) => path.join(dirs.tmp, `effect-secrets-pod-${killedPid}-1-${space}-${suffix}`)
      fs.symlinkSync(victim, dead("link00"))
      fs.writeFileSync(dead("file00"), "")
      fs.mkdirSync(dead("other0"))
      fs.chownSync(dead("other0"), 65534, 65534)
      fs.mkdirSync(path.join(dirs.tmp, "effect-secrets-pod-unrelated"))
      // This process is alive, but started at another time than the name says: the pid was reused, the owner is gone.
      // Removing it removes a link inside, not what the link points to.
      const reused = path.join(dirs.tmp, `effect-secrets-pod-${process.pid}-1-${space}-reused`)
      fs.mkdirSync(reused)
      fs.symlinkSync(victim, path.join(reused, "link"))
      let liveKept = false
      let tidied: Ran | undefined
      const liveEnd = await run((pid) => {
        // The live run's directory is named after it, and stays while it runs.
        const isLive = (name: string) => name.startsWith(`effect-secrets-pod-${pid}-`)
        assert.isTrue(fs.readdirSync(dirs.tmp).some(isLive))
        void runBin(["run", "--secret", "db/password", "--", "true"]).then((ran) => {
          tidied = ran
          liveKept = fs.readdirSync(dirs.tmp).some(isLive)
          process.kill(pid, "SIGINT")
        })
      })
      assert.strictEqual(tidied?.code, 0, tidied?.stderr)
      assert.isTrue(liveKept, "the live run's directory stays")
      assert.strictEqual(liveEnd.code, 40, liveEnd.stderr)
      assert.isFalse(fs.existsSync(leftover))
      assert.deepStrictEqual(fs.readdirSync(dirs.tmp).sort(), [
        `effect-secrets-pod-${killedPid}-1-${space}-file00`,
        `effect-secrets-pod-${killedPid}-1-${space}-link00`,
        `effect-secrets-pod-${killedPid}-1-${space}-other0`,
        "effect-secrets-pod-unrelated"
      ])
      assert.strictEqual(fs.readFileSync(path.join(victim, "keep"), "utf8"), "kept")
    }
  )
})
