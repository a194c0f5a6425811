/**
 * The command line in process: `Command.runWith` over the real Node services, stdout and stderr captured through
 * a test `Console`. What the bin adds (exit codes, signals, child processes) is in `cli.process.test.ts`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Runtime from "effect/Runtime"
import * as fc from "fast-check"
import { Pod as PodModel } from "kubernetes-models/v1/Pod"
import { execFileSync, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, beforeEach } from "vitest"
import { parse as parseYaml } from "yaml"
import * as Flyte2 from "../src/Flyte2.ts"
import { readBoundedFile } from "../src/internal/cli/boundedFile.ts"
import { cli, version } from "../src/internal/cli/commands.ts"
import { withEnvFiles } from "../src/internal/cli/envFiles.ts"
import { shellWord } from "../src/internal/cli/printing.ts"
import { parseSecretSpec } from "../src/internal/cli/run.ts"
import { endingSignals, signalExitCode, watchEndingSignals } from "../src/internal/cli/signals.ts"
import * as Masking from "../src/Masking.ts"
import { Secret } from "../src/Secret.ts"
import { type Ran, runCli } from "./fixtures/runCli.ts"
import { makeTempDir, restoreEnv, setEnv, writeFiles } from "./support.ts"

const libraryEntry = fileURLToPath(new URL("../src/index.ts", import.meta.url))

// Recognisable values: no output may ever hold them.
const tokenValue = "planted-token-7f3a9c2e"
const passwordValue = "planted-password-b81d44"

let temp = { dir: "", remove: () => {} }
let secretsDir = ""
beforeEach(() => {
  temp = makeTempDir()
  secretsDir = path.join(temp.dir, "secrets")
  writeFiles(secretsDir, { "db/password": passwordValue + "\n" })
  setEnv({
    FLYTE_SECRETS_DEFAULT_DIR: secretsDir,
    FLYTE_SECRETS_TEAM_TOKEN: tokenValue,
    FLYTE_INTERNAL_EXECUTION_ID: undefined,
    FLYTE_SECRETS_ENV_PREFIX: undefined
  })
})
afterEach(() => {
  restoreEnv()
  temp.remove()
})

/** A regular file in the temp directory holding `content`: a path through it is a path through a file. */
const plainFile = (content: string): string => {
  const file = path.join(temp.dir, "plain-file")
  fs.writeFileSync(file, content)
  return file
}

/** A module of tasks in the temp directory, importing the library by absolute path. */
const tasksModule = (body: string): string => {
  const file = path.join(temp.dir, `tasks-${Math.random().toString(36).slice(2)}.ts`)
  fs.writeFileSync(file, `import { Secret, task } from ${JSON.stringify(libraryEntry)}\n${body}\n`)
  return file
}

const exampleTasks = () =>
  tasksModule([
    "export const sync = task.sync({ name: \"sync_repos\", secretRequests: [",
    "  { group: \"team\", key: \"token\", mountRequirement: \"ENV_VAR\" },",
    "  new Secret({ group: \"db\", key: \"password\", mountRequirement: \"FILE\" })",
    "] }, () => 1)",
    "export const other = task.sync({ name: \"nightly\", secretRequests: [{ group: \"absent\", key: \"thing\" }] }, () => 2)"
  ].join("\n"))

/** The exit code the bin's runtime gives for this exit. */
const exitCode = (exit: Exit.Exit<void, unknown>): number =>
  Exit.isSuccess(exit) ? 0 : Runtime.getErrorExitCode(Cause.squash(exit.cause))

const assertNoSecret = (ran: Ran) => {
  for (const value of [tokenValue, passwordValue]) {
    assert.notInclude(ran.stdout, value)
    assert.notInclude(ran.stderr, value)
  }
}

describe("effect-secrets: help and version", () => {
  it.effect("--help lists the five commands", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["--help"])
      assert.strictEqual(exitCode(ran.exit), 0)
      for (const name of ["where", "doctor", "render", "run", "stored-secret"]) {
        assert.match(ran.stdout, new RegExp(`^  ${name} `, "m"))
      }
    }))

  it.effect("every command has its own help, with its flags", () =>
    Effect.gen(function*() {
      const flags: Record<string, ReadonlyArray<string>> = {
        where: ["--version, --group-version string", "--json", "--dotenv string"],
        doctor: ["--task string", "--json", "--dotenv string"],
        render: [
          "--task string",
          "--flyte",
          "--backend",
          "--project string",
          "--domain string",
          "--annotate",
          "--format"
        ],
        run: ["--module string", "--flyte", "--secret string", "--dotenv string"],
        "stored-secret": [
          "--project string",
          "--namespace string",
          "--from-file string",
          "--from-env string",
          "--out string"
        ]
      }
      for (const [name, expected] of Object.entries(flags)) {
        const ran = yield* runCli([name, "--help"])
        assert.strictEqual(exitCode(ran.exit), 0)
        assert.include(ran.stdout, `effect-secrets ${name}`)
        for (const flag of expected) assert.include(ran.stdout, flag)
      }
    }))

  it.effect("--version prints the package's version; after `where`, --version is the group's version", () =>
    Effect.gen(function*() {
      const manifest = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"))
      assert.strictEqual(version, manifest.version)
      const global = yield* runCli(["--version"])
      assert.include(global.stdout, `effect-secrets v${version}`)
      const flag = yield* runCli(["where", "db", "password", "--version", "v2", "--json"])
      const attempts = JSON.parse(flag.stdout).attempts as ReadonlyArray<{ location: string }>
      assert.include(attempts.map((attempt) => attempt.location), "FLYTE_SECRETS_DB_V2_PASSWORD")
      const alias = yield* runCli(["where", "db", "password", "--group-version", "v2", "--json"])
      assert.strictEqual(alias.stdout, flag.stdout)
    }))

  it.effect("help examples name files a user has (no examples/ folder) and show bash -c for a shell line", () =>
    Effect.gen(function*() {
      for (const name of ["where", "doctor", "render", "run", "stored-secret"]) {
        const ran = yield* runCli([name, "--help"])
        assert.notInclude(ran.stdout, "examples/", name)
      }
      const run = yield* runCli(["run", "--help"])
      assert.include(run.stdout, "-- bash -c")
      assert.notMatch(run.stdout, /(^|\s)sh -c/, "a plain sh (dash on Debian) drops variables named with -")
      const doctor = yield* runCli(["doctor", "--help"])
      assert.include(doctor.stdout, "effect-secrets doctor ./tasks.ts")
    }))

  it.effect("run: a command's flag before -- gets a hint to put the command after --", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["run", "--secret", "db/password", "node", "-e", "console.log(1)"])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "Unrecognized flag: -e")
      assert.include(ran.stderr, "put the command after --: effect-secrets run [flags] -- CMD ARGS...")
      const elsewhere = yield* runCli(["where", "db", "-e"])
      assert.include(elsewhere.stderr, "Unrecognized flag: -e")
      assert.notInclude(elsewhere.stderr, "after --", "the hint is for run's command only")
    }))

  it.effect("an unknown command or a missing argument fails with the help and exit code 1", () =>
    Effect.gen(function*() {
      const unknown = yield* runCli(["wehre"])
      assert.strictEqual(exitCode(unknown.exit), 1)
      assert.include(unknown.stderr, "Unknown subcommand")
      const missing = yield* runCli(["where"])
      assert.strictEqual(exitCode(missing.exit), 1)
      assert.include(missing.stderr, "Missing required argument: group")
    }))
})

describe("effect-secrets where", () => {
  it.effect("--json: every place tried in order, the place it was found last", () =>
    Effect.gen(function*() {
      const env = yield* runCli(["where", "team", "token", "--json"])
      assert.strictEqual(exitCode(env.exit), 0)
      assert.deepStrictEqual(JSON.parse(env.stdout), {
        found: true,
        attempts: [{ source: "env", location: "FLYTE_SECRETS_TEAM_TOKEN", outcome: "found" }]
      })
      const file = yield* runCli(["where", "db", "password", "--json"])
      assert.deepStrictEqual(JSON.parse(file.stdout), {
        found: true,
        attempts: [
          { source: "env", location: "FLYTE_SECRETS_DB_PASSWORD", outcome: "missing", reason: "not set" },
          { source: "file", location: path.join(secretsDir, "db", "password"), outcome: "found" }
        ]
      })
      assertNoSecret(env)
      assertNoSecret(file)
    }))

  it.effect("a miss: every place with its reason, exit code 1, and what is close to it", () =>
    Effect.gen(function*() {
      const json = yield* runCli(["where", "db", "pasword", "--json"])
      assert.strictEqual(exitCode(json.exit), 1)
      assert.strictEqual(json.stderr, "")
      const report = JSON.parse(json.stdout)
      assert.strictEqual(report.found, false)
      assert.deepStrictEqual(report.attempts.map((attempt: { source: string }) => attempt.source), [
        "env",
        "file",
        "local-env"
      ])
      assert.isTrue(report.attempts.every((attempt: { outcome: string }) => attempt.outcome === "missing"))
      const human = yield* runCli(["where", "db", "pasword"])
      assert.strictEqual(exitCode(human.exit), 1)
      const lines = human.stdout.split("\n")
      assert.strictEqual(lines[0], "db/pasword: not found")
      assert.match(lines[2]!, /^  missing +file +\S+\/db\/pasword +no such file$/)
      assert.include(human.stdout, "group \"db\" has a key \"password\" (did you mean it?)")
    }))

  it.effect("a place that holds something unreadable is refused, with the reason", () =>
    Effect.gen(function*() {
      const outside = path.join(temp.dir, "outside")
      fs.writeFileSync(outside, passwordValue)
      fs.mkdirSync(path.join(secretsDir, "linked"))
      fs.symlinkSync(outside, path.join(secretsDir, "linked", "key"))
      const ran = yield* runCli(["where", "linked", "key", "--json"])
      assert.strictEqual(exitCode(ran.exit), 1)
      const refused = JSON.parse(ran.stdout).attempts.find((attempt: { outcome: string }) =>
        attempt.outcome === "refused"
      )
      assert.strictEqual(refused.location, path.join(secretsDir, "linked", "key"))
      assert.isString(refused.reason)
      assertNoSecret(ran)
    }))

  it.effect("an unsafe name is refused before anything is read", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["where", "..", "key", "--json"])
      assert.strictEqual(exitCode(ran.exit), 1)
      const report = JSON.parse(ran.stdout)
      assert.strictEqual(report.found, false)
      assert.strictEqual(report.attempts[0].outcome, "refused")
      assert.include(report.attempts[0].reason, "unsafe name")
    }))

  it.effect("an invalid configuration names its variable", () =>
    Effect.gen(function*() {
      setEnv({ FLYTE_SECRETS_FILE_PREFIX: "../x" })
      const ran = yield* runCli(["where", "db", "password"])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "FLYTE_SECRETS_FILE_PREFIX")
    }))

  it.effect("a secrets directory of / ends where, doctor and run with the reason and what to set, running nothing", () =>
    Effect.gen(function*() {
      const marker = path.join(temp.dir, "ran")
      setEnv({ FLYTE_SECRETS_DEFAULT_DIR: "/", INJECTED: path.join(secretsDir, "db", "password") })
      const commands = [
        ["where", "db", "password"],
        ["where", "db", "password", "--json"],
        ["doctor", exampleTasks()],
        ["run", "--secret", "db/password", "--", "touch", marker]
      ]
      for (const args of commands) {
        const ran = yield* runCli(args)
        assert.strictEqual(exitCode(ran.exit), 1, args.join(" "))
        const error = Exit.isFailure(ran.exit) ? Cause.squash(ran.exit.cause) : undefined
        const message = (error as Error).message
        assert.include(message, "The secrets configuration is invalid", args.join(" "))
        assert.include(message, "FLYTE_SECRETS_DEFAULT_DIR", args.join(" "))
        assert.include(message, "the root directory", args.join(" "))
        // The variable's own sentence, without the schema's wrapping.
        assert.notInclude(message, "\n", args.join(" "))
        assert.notInclude(message, "SchemaError", args.join(" "))
        assert.strictEqual(ran.stdout, "", args.join(" "))
        assertNoSecret(ran)
      }
      assert.isFalse(fs.existsSync(marker))
    }))
})

describe("effect-secrets doctor", () => {
  it.effect("--json: each declared secret of each task, found where, or missing and why; exit code 1", () =>
    Effect.gen(function*() {
      const module = exampleTasks()
      const ran = yield* runCli(["doctor", module, "--json"])
      assert.strictEqual(exitCode(ran.exit), 1)
      const { secrets } = JSON.parse(ran.stdout)
      assert.deepStrictEqual(secrets.slice(0, 2), [
        {
          task: "sync_repos",
          group: "team",
          key: "token",
          mountRequirement: "ENV_VAR",
          status: "found",
          source: "env",
          location: "FLYTE_SECRETS_TEAM_TOKEN"
        },
        {
          task: "sync_repos",
          group: "db",
          key: "password",
          mountRequirement: "FILE",
          status: "found",
          source: "file",
          location: path.join(secretsDir, "db", "password")
        }
      ])
      assert.strictEqual(secrets.length, 3)
      assert.deepInclude(secrets[2], { task: "nightly", group: "absent", key: "thing", status: "missing" })
      assert.include(secrets[2].reason, "FLYTE_SECRETS_ABSENT_THING")
      assertNoSecret(ran)
    }))

  it.effect("the table, each miss with the places tried and advice for the task, the count", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["doctor", exampleTasks()])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.match(ran.stdout, /^sync_repos +team\/token +ENV_VAR +found +env FLYTE_SECRETS_TEAM_TOKEN$/m)
      assert.match(ran.stdout, /^nightly +absent\/thing +ANY +missing +-$/m)
      assert.include(ran.stdout, "Task \"nightly\" declares it")
      assert.include(ran.stdout, "3 declared secret(s): 2 found, 1 missing.")
    }))

  it.effect("--task matches the name in a task's options, not its export's; all found is exit code 0", () =>
    Effect.gen(function*() {
      const module = exampleTasks()
      const ran = yield* runCli(["doctor", module, "--task", "sync_repos", "--json"])
      assert.strictEqual(exitCode(ran.exit), 0)
      assert.deepStrictEqual(JSON.parse(ran.stdout).secrets.map((secret: { task: string }) => secret.task), [
        "sync_repos",
        "sync_repos"
      ])
      const byExport = yield* runCli(["doctor", module, "--task", "sync"])
      assert.strictEqual(exitCode(byExport.exit), 1)
      assert.include(byExport.stderr, "no task named \"sync\"")
      assert.include(byExport.stderr, "Its tasks: \"sync_repos\", \"nightly\"")
    }))

  it.effect("a module that does not exist, exports no task, or fails to load gets a clear error", () =>
    Effect.gen(function*() {
      const missing = yield* runCli(["doctor", path.join(temp.dir, "nope.ts")])
      assert.strictEqual(exitCode(missing.exit), 1)
      assert.include(missing.stderr, "nope.ts not found")
      const empty = tasksModule("export const notATask = () => 1")
      const none = yield* runCli(["doctor", empty])
      assert.include(none.stderr, "exports no task")
      Masking.register(passwordValue)
      const throwing = tasksModule(`throw new Error("cannot start: ${passwordValue}")`)
      const broken = yield* runCli(["doctor", throwing])
      assert.strictEqual(exitCode(broken.exit), 1)
      assert.include(broken.stderr, "Cannot load module")
      assert.include(broken.stderr, "cannot start: <redacted>")
      assertNoSecret(broken)
    }))

  it.effect("an unexpected failure is logged masked, to stderr, with exit code 1", () =>
    Effect.gen(function*() {
      Masking.register(tokenValue)
      // A look-alike task whose declarations throw: nothing the command expects.
      const module = tasksModule([
        "const fake = Object.assign(() => 1, { [Symbol.for(\"effect-secrets/Task\")]: Symbol.for(\"effect-secrets/Task\") })",
        `Object.defineProperty(fake, "secretRequests", { get() { throw new Error("boom ${tokenValue}") } })`,
        "export { fake }"
      ].join("\n"))
      const ran = yield* runCli(["doctor", module])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "effect-secrets failed unexpectedly")
      assert.include(ran.stderr, "boom <redacted>")
      assert.strictEqual(ran.stdout, "")
      assertNoSecret(ran)
    }))
})

describe("effect-secrets render", () => {
  it.effect("the pod after the webhook: apiVersion v1, kind Pod, one container named after the task; valid", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["render", exampleTasks(), "--task", "sync_repos"])
      assert.strictEqual(exitCode(ran.exit), 0)
      const pod = parseYaml(ran.stdout)
      assert.strictEqual(pod.apiVersion, "v1")
      assert.strictEqual(pod.kind, "Pod")
      assert.strictEqual(pod.metadata.name, "sync-repos")
      assert.strictEqual(pod.spec.containers.length, 1)
      const [container] = pod.spec.containers
      assert.strictEqual(container.name, "sync-repos")
      assert.deepInclude(container.env, {
        name: "_FSEC_TEAM_TOKEN",
        valueFrom: { secretKeyRef: { name: "team", key: "token", optional: true } }
      })
      assert.deepInclude(
        container.volumeMounts.map((mount: { mountPath: string }) => mount.mountPath),
        "/etc/flyte/secrets/db"
      )
      new PodModel({ ...pod, spec: { ...pod.spec, containers: [{ ...container, image: "task" }] } }).validate()
      assertNoSecret(ran)
    }))

  it.effect("--annotate --format json: the label and one annotation per secret; --backend picks the injector", () =>
    Effect.gen(function*() {
      const module = exampleTasks()
      const annotated = yield* runCli(["render", module, "--task", "sync_repos", "--annotate", "--format", "json"])
      const pod = JSON.parse(annotated.stdout)
      assert.deepStrictEqual(pod.metadata.labels, { "inject-flyte-secrets": "true" })
      assert.deepStrictEqual(Object.keys(pod.metadata.annotations), ["flyte.secrets/s0", "flyte.secrets/s1"])
      const vault = yield* runCli(["render", module, "--task", "nightly", "--backend", "Vault", "--format", "json"])
      assert.strictEqual(exitCode(vault.exit), 0)
      assert.strictEqual(JSON.parse(vault.stdout).metadata.annotations["vault.hashicorp.com/agent-inject"], "true")
      const both = yield* runCli(["render", module, "--task", "nightly", "--backend", "AWS", "--annotate"])
      assert.strictEqual(exitCode(both.exit), 1)
      assert.include(both.stderr, "leave out --backend")
    }))

  it.effect("an unknown task, or none named among several, lists the task names there are", () =>
    Effect.gen(function*() {
      const module = exampleTasks()
      const unknown = yield* runCli(["render", module, "--task", "weekly"])
      assert.strictEqual(exitCode(unknown.exit), 1)
      assert.include(unknown.stderr, "no task named \"weekly\"")
      assert.include(unknown.stderr, "\"sync_repos\", \"nightly\"")
      const unnamed = yield* runCli(["render", module])
      assert.include(unnamed.stderr, "choose one with --task: \"sync_repos\", \"nightly\"")
    }))

  it.effect("render refuses the pod run refuses (a group that is no Secret name), with the same message, exit 1", () =>
    Effect.gen(function*() {
      const module = tasksModule(
        "export const report = task.sync({ name: \"report\", secretRequests: [{ group: \"my_api_keys\", key: \"token\" }] }, () => 1)"
      )
      const refusal =
        "Kubernetes would refuse the pod the webhook renders: the secret volume's secretName \"my_api_keys\""
      writeFiles(secretsDir, { "my_api_keys/token": "planted-api-key-91c2" })
      const marker = path.join(temp.dir, "started")
      const ran = yield* runCli(["run", "--module", module, "--", "touch", marker])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, refusal)
      assert.isFalse(fs.existsSync(marker))
      for (const args of [[], ["--annotate"], ["--format", "json"], ["--backend", "K8s"]]) {
        const rendered = yield* runCli(["render", module, ...args])
        assert.strictEqual(exitCode(rendered.exit), 1, args.join(" "))
        assert.include(rendered.stderr, refusal, args.join(" "))
        assert.strictEqual(rendered.stdout, "", args.join(" "))
      }
    }))

  it.effect("render --backend Vault prints the same bytes on every run: ids derived from the pod and the secret", () =>
    Effect.gen(function*() {
      const module = tasksModule([
        "export const report = task.sync({ name: \"report\", secretRequests: [",
        "  { group: \"team\", key: \"token\" }, { group: \"team\", key: \"other\" }, { group: \"db\", key: \"token\" }",
        "] }, () => 1)",
        "export const nightly = task.sync({ name: \"nightly\", secretRequests: [{ group: \"team\", key: \"token\" }] }, () => 2)"
      ].join("\n"))
      const render = (task: string) => runCli(["render", module, "--task", task, "--backend", "Vault"])
      const [first, second] = [yield* render("report"), yield* render("report")]
      assert.strictEqual(exitCode(first.exit), 0, first.stderr)
      assert.strictEqual(first.stdout, second.stdout)
      const idsOf = (ran: Ran) =>
        [...ran.stdout.matchAll(/agent-inject-secret-([0-9a-f-]+)/g)].map((match) => match[1]!)
      const ids = idsOf(first)
      assert.strictEqual(new Set(ids).size, 3, "one id per secret")
      for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      // Another pod, the same secret: another id.
      assert.notInclude(ids, idsOf(yield* render("nightly"))[0])
    }))

  it.effect("a declaration the backend refuses is named", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["render", exampleTasks(), "--task", "sync_repos", "--backend", "Vault"])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "Task \"sync_repos\"")
      assert.include(ran.stderr, "Vault")
    }))
})

describe("effect-secrets run (in process: what happens before the command starts)", () => {
  it.effect("a missing secret stops it before the command starts, naming every missing one", () =>
    Effect.gen(function*() {
      const marker = path.join(temp.dir, "started")
      const ran = yield* runCli([
        "run",
        "--secret",
        "absent/one",
        "--secret",
        "team/token:ENV_VAR",
        "--secret",
        "absent/two:FILE",
        "--",
        "touch",
        marker
      ])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "2 secret(s) missing; touch was not started.")
      assert.include(ran.stderr, "group \"absent\" key \"one\"")
      assert.include(ran.stderr, "group \"absent\" key \"two\"")
      assert.isFalse(fs.existsSync(marker))
      assertNoSecret(ran)
    }))

  it.effect("a task's declarations are what it injects: its missing one is named with the task", () =>
    Effect.gen(function*() {
      const marker = path.join(temp.dir, "started")
      const ran = yield* runCli(["run", "--module", exampleTasks(), "--task", "nightly", "--", "touch", marker])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "Task \"nightly\" declares it")
      assert.isFalse(fs.existsSync(marker))
    }))

  it.effect("nothing to inject, --task without --module, a malformed --secret, no command: clear errors", () =>
    Effect.gen(function*() {
      const nothing = yield* runCli(["run", "--", "true"])
      assert.include(nothing.stderr, "Nothing to inject")
      const taskOnly = yield* runCli(["run", "--task", "x", "--", "true"])
      assert.include(taskOnly.stderr, "give the module with --module")
      const malformed = yield* runCli(["run", "--secret", "team", "--", "true"])
      assert.include(malformed.stderr, "write GROUP/KEY")
      const noCommand = yield* runCli(["run", "--secret", "team/token"])
      assert.include(noCommand.stderr, "Missing required argument: command")
      for (const ran of [nothing, taskOnly, malformed, noCommand]) assert.strictEqual(exitCode(ran.exit), 1)
    }))

  it("--secret specs: GROUP/KEY with an optional mount requirement", () => {
    const spec = (text: string) => parseSecretSpec(text)
    const ok = spec("my-api-keys/github_token:ENV_VAR")
    assert.isTrue(
      ok._tag === "Success" && ok.success.mountRequirement === "ENV_VAR" && ok.success.group === "my-api-keys"
    )
    const any = spec("db/password")
    assert.isTrue(any._tag === "Success" && any.success.mountRequirement === "ANY" && any.success.key === "password")
    for (const bad of ["db", "/key", "db/", "db/../x"]) {
      assert.strictEqual(spec(bad)._tag, "Failure", bad)
    }
  })

  it("--secret GROUP/KEY:SUFFIX: a suffix that is not ENV_VAR or FILE is refused, naming both", () => {
    for (const bad of ["db/password:DIR", "db/password:env_var", "db/password:", "db/pass:word:FILE"]) {
      const parsed = parseSecretSpec(bad)
      assert.isTrue(parsed._tag === "Failure", bad)
      const problem = parsed._tag === "Failure" ? parsed.failure : ""
      assert.include(problem, JSON.stringify(bad))
      assert.include(problem, ":ENV_VAR")
      assert.include(problem, ":FILE")
    }
    const file = parseSecretSpec("db/password:FILE")
    assert.isTrue(
      file._tag === "Success" && file.success.key === "password" && file.success.mountRequirement === "FILE"
    )
  })

  it.effect("run --secret db/password:DIR is a usage error, not a missing key \"password:DIR\"", () =>
    Effect.gen(function*() {
      const ran = yield* runCli(["run", "--secret", "db/password:DIR", "--", "true"])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "\":DIR\" is not a mount requirement")
      assert.notInclude(ran.stderr, "Secret not found")
    }))

  it.effect("where and doctor --dotenv: the file's variables are where the lookup finds a secret", () =>
    Effect.gen(function*() {
      writeFiles(temp.dir, { "local.env": "FLYTE_SECRETS_LOCAL_API=from-the-env-file\n" })
      const envFile = path.join(temp.dir, "local.env")
      const found = yield* runCli(["where", "local", "api", "--dotenv", envFile, "--json"])
      assert.strictEqual(exitCode(found.exit), 0, found.stderr)
      assert.deepInclude(JSON.parse(found.stdout).attempts[0], {
        location: "FLYTE_SECRETS_LOCAL_API",
        outcome: "found"
      })
      assert.notInclude(found.stdout + found.stderr, "from-the-env-file")
      const without = yield* runCli(["where", "local", "api"])
      assert.strictEqual(exitCode(without.exit), 1)
      const module = tasksModule(
        `export const t = task.sync({ name: "t", secretRequests: [new Secret({ group: "local", key: "api" })] }, () => 0)`
      )
      const doctor = yield* runCli(["doctor", module, "--dotenv", envFile, "--json"])
      assert.strictEqual(exitCode(doctor.exit), 0, doctor.stderr)
      assert.strictEqual(JSON.parse(doctor.stdout).secrets[0].status, "found")
      const missingFile = yield* runCli(["doctor", module, "--dotenv", path.join(temp.dir, "nope.env")])
      assert.strictEqual(exitCode(missingFile.exit), 1)
      assert.include(missingFile.stderr, "nope.env not found")
    }))

  it.effect("--dotenv: Node's parser; a later file overrides an earlier one; a set variable keeps its value", () =>
    Effect.gen(function*() {
      writeFiles(temp.dir, {
        "first.env": "A=from-first\nB=from-first\nC=from-first\n",
        "second.env": "# a comment\nB=\"from second\"\nexport D=quoted\n"
      })
      const merged = yield* withEnvFiles([path.join(temp.dir, "first.env"), path.join(temp.dir, "second.env")], {
        C: "from-environment"
      })
      assert.deepStrictEqual({ ...merged }, { A: "from-first", B: "from second", C: "from-environment", D: "quoted" })
      const missing = yield* Effect.flip(withEnvFiles([path.join(temp.dir, "nope.env")], {}))
      assert.include(missing.message, "nope.env not found")
    }))

  it.effect("--dotenv: a file holding a NUL byte or bytes that are not UTF-8 is refused, its values never printed nor changed", () =>
    Effect.gen(function*() {
      const files = {
        "nul.env": Buffer.from(`API_TOKEN=${tokenValue}\0tail\n`),
        "nul-name.env": Buffer.from(`API\0TOKEN=${tokenValue}\n`),
        "latin1.env": Buffer.concat([Buffer.from(`API_TOKEN=${tokenValue}caf`), Buffer.from([0xe9, 0x0a])])
      }
      for (const [name, bytes] of Object.entries(files)) {
        fs.writeFileSync(path.join(temp.dir, name), bytes)
        const ran = yield* runCli([
          "run",
          "--dotenv",
          path.join(temp.dir, name),
          "--secret",
          "db/password",
          "--",
          "true"
        ])
        assert.strictEqual(exitCode(ran.exit), 1, name)
        assert.include(ran.stderr, "Cannot read environment file", name)
        assert.match(
          ran.stderr,
          /\(it holds a NUL byte, which no variable can hold\)|\(it is not UTF-8 text; save it as UTF-8\)/,
          name
        )
        assert.notInclude(ran.stderr, "unexpectedly", name)
        assert.notInclude(ran.stdout + ran.stderr, tokenValue, name)
        assertNoSecret(ran)
      }
    }))

  it.effect("a command that cannot start (a variable over Linux's 128 KiB, a name too long, a name forging a line) or is not started (a secret missing) is named escaped and short, with a shell's code", () =>
    Effect.gen(function*() {
      writeFiles(temp.dir, { "big.env": `BIG=${"x".repeat(200 * 1024)}\n` })
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, number, string]> = [
        [["--dotenv", path.join(temp.dir, "big.env"), "--", "true"], 126, "E2BIG"],
        [["--", "c".repeat(5000)], 126, "Cannot run (5000 characters) (ENAMETOOLONG)"],
        [["--", "no-such-command\nForged: line"], 127, "\"no-such-command\\nForged: line\""],
        [["--secret", "db/absent", "--", "cmd\nForged: line"], 1, "\"cmd\\nForged: line\" was not started"],
        [["--secret", "db/absent", "--", "c".repeat(100_000)], 1, "(100000 characters) was not started"]
      ]
      for (const [args, code, message] of cases) {
        const ran = yield* runCli(["run", "--secret", "db/password", ...args])
        const shown = JSON.stringify(args).slice(0, 200)
        assert.strictEqual(exitCode(ran.exit), code, shown)
        assert.include(ran.stderr, message, shown)
        assert.notInclude(ran.stderr, "unexpectedly", shown)
        assert.notInclude(ran.stderr, "\nForged", shown)
        assert.isBelow(ran.stderr.length, 1_000, shown)
        assertNoSecret(ran)
      }
    }))
})

describe("S1 a module that is not JavaScript or TypeScript is never loaded: what Node says of its text could quote a value", () => {
  it.effect("doctor .env, run --module credentials: refused before import, no token of the file printed", () =>
    Effect.gen(function*() {
      writeFiles(temp.dir, {
        ".env": `API_TOKEN=${tokenValue}\n`,
        "credentials": `DB_PASSWORD=correct ${passwordValue} staple\n`,
        "config.yaml": `password: ${passwordValue}\n`
      })
      for (const name of [".env", "credentials", "config.yaml"]) {
        const module = path.join(temp.dir, name)
        for (const args of [["doctor", module], ["run", "--module", module, "--", "true"]]) {
          const ran = yield* runCli(args)
          assert.strictEqual(exitCode(ran.exit), 1, args.join(" "))
          assert.include(ran.stderr, "is not a JavaScript or TypeScript module", args.join(" "))
          assertNoSecret(ran)
        }
      }
    }))
})

describe("S1 the commands print a path or task name they are given escaped", () => {
  const hidden = /[\u001b\u202e\u3164]/u

  it.effect("Node's error for a module that cannot load is printed on one line, the paths it quotes escaped", () =>
    Effect.gen(function*() {
      const dir = path.join(temp.dir, "tasks\nForged: line\u202e")
      writeFiles(dir, { "imports.mjs": "import \"./absent.mjs\"\n", "broken.mjs": "export const x = \n" })
      for (const name of ["imports.mjs", "broken.mjs"]) {
        const ran = yield* runCli(["doctor", path.join(dir, name)])
        assert.strictEqual(exitCode(ran.exit), 1, name)
        assert.include(ran.stderr, "Cannot load module", name)
        assert.notInclude(ran.stderr, "\nForged", name)
        assert.notMatch(ran.stderr, /\u202e/u, name)
      }
    }))

  it.effect("--dotenv: a file that cannot be read is named escaped", () =>
    Effect.gen(function*() {
      for (const name of ["nope\u202e.env", "nope\u3164.env", "nope\u001b[2J.env"]) {
        const missing = yield* Effect.flip(withEnvFiles([path.join(temp.dir, name)], {}))
        assert.include(missing.message, "not found", JSON.stringify(name))
        assert.notMatch(missing.message, hidden, JSON.stringify(name))
      }
    }))

  it.effect("stored-secret --from-env given a value instead of a variable's name never prints it", () =>
    Effect.gen(function*() {
      for (
        const given of ["sk_live_51Hx9c2eSecretValue", "correct horse battery", "x".repeat(100_000), "A".repeat(200)]
      ) {
        const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", given])
        assert.strictEqual(exitCode(ran.exit), 1)
        assert.include(ran.stderr, "give the variable's name")
        assert.notInclude(ran.stderr, given.slice(0, 20))
        assert.isBelow(ran.stderr.length, 1_000)
      }
      const named = yield* runCli(["stored-secret", "openai-key", "--from-env", "NOT_SET_ANYWHERE_9C1"])
      assert.include(named.stderr, "--from-env NOT_SET_ANYWHERE_9C1: the variable is not set.")
    }))

  it.effect("--dotenv and --from-file that are not a regular file, or lead through one, say what to do", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const file = plainFile("A=1\n")
      const cases: ReadonlyArray<readonly [string, string]> = [
        [temp.dir, "Name a regular file: a folder, a FIFO or a device is never read."],
        [path.join(file, "inside.env"), "A part of its path is not a folder: check the path."]
      ]
      for (const [given, advice] of cases) {
        const env = yield* Effect.flip(withEnvFiles([given], {}))
        assert.include(env.message, advice, given)
        const stored = yield* runCli(["stored-secret", "openai-key", "--from-file", given])
        assert.strictEqual(exitCode(stored.exit), 1, given)
        assert.include(stored.stderr, advice, given)
        assertNoSecret(stored)
      }
    }))

  it("a file named on the command line is read whole past what stat said, and refused past its cap", () => {
    const cap = { maxBytes: 20_000, tooLarge: "over the cap" }
    // A /proc file says 0 bytes and holds more.
    assert.deepStrictEqual(
      readBoundedFile("/proc/self/cmdline", cap),
      new Uint8Array(fs.readFileSync("/proc/self/cmdline"))
    )
    for (const size of [0, 1, 4095, 4096, 4097, 20_000]) {
      const file = path.join(temp.dir, `file-${size}`)
      fs.writeFileSync(file, Buffer.alloc(size, 0x61))
      assert.strictEqual(readBoundedFile(file, cap).length, size)
    }
    const over = path.join(temp.dir, "over")
    fs.writeFileSync(over, Buffer.alloc(20_001, 0x61))
    let refused: unknown
    try {
      readBoundedFile(over, cap)
    } catch (error) {
      refused = (error as NodeJS.ErrnoException).code
    }
    assert.strictEqual(refused, "over the cap")
  })

  it.effect("a path, spec or task name longer than any path can be is shown by its length: messages stay short (S14)", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const long = path.join(temp.dir, "a".repeat(100_000))
      const module = exampleTasks()
      const cases: ReadonlyArray<ReadonlyArray<string>> = [
        ["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", long],
        ["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", long + "\u202e"],
        ["stored-secret", "openai-key", "--from-file", long],
        ["run", "--dotenv", long, "--secret", "db/password", "--", "true"],
        ["run", "--secret", "db/" + "k".repeat(100_000), "--", "true"],
        ["doctor", long],
        ["doctor", module, "--task", "t".repeat(100_000)]
      ]
      for (const args of cases) {
        const ran = yield* runCli(args)
        const shown = args.map((arg) => arg.length > 50 ? `(${arg.length} characters)` : arg).join(" ")
        assert.strictEqual(exitCode(ran.exit), 1, shown)
        assert.isBelow(ran.stderr.length, 2_000, shown)
        assert.match(ran.stderr, /\(\d{6} characters\)/, shown)
        assertNoSecret(ran)
      }
    }))

  it.effect("a text whose escaped form is longer than a path (4096 bidi controls) is shown by its length too", () =>
    Effect.gen(function*() {
      const bidi = "\u202e".repeat(4096)
      for (
        const args of [
          ["doctor", bidi],
          ["run", "--dotenv", bidi, "--secret", "db/password", "--", "true"],
          ["stored-secret", "openai-key", "--from-file", bidi]
        ]
      ) {
        const ran = yield* runCli(args)
        assert.strictEqual(exitCode(ran.exit), 1, args[0])
        assert.include(ran.stderr, "(4096 characters)", args[0])
        assert.isBelow(ran.stderr.length, 2_000, args[0])
      }
    }))

  it.effect("run --secret: a spec refused is named escaped, whatever part is wrong", () =>
    Effect.gen(function*() {
      for (const spec of ["db/pass\u202e:DIR", "db/pass:FILE\u3164", "nokey\u202e", "db/pa\u202ess"]) {
        const ran = yield* runCli(["run", "--secret", spec, "--", "true"])
        assert.strictEqual(exitCode(ran.exit), 1, JSON.stringify(spec))
        assert.include(ran.stderr, "--secret \"", JSON.stringify(spec))
        assert.notMatch(ran.stderr, hidden, JSON.stringify(spec))
      }
    }))

  it.effect("a flag value or flag the parser refuses is printed escaped, and so is the hint for run's unknown flag", () =>
    Effect.gen(function*() {
      const module = exampleTasks()
      for (
        const args of [
          ["render", module, "--backend", "K8s\u202e"],
          ["render", module, "--format", "ya\u3164ml"],
          ["render", module, "--flyte", "2\u202e"],
          ["where", "--gr\u202eoup", "g"],
          ["run", "-e\u202e", "x"],
          ["render", module, "--backend", "K8s\r\tERROR forged"]
        ]
      ) {
        const ran = yield* runCli(args)
        assert.strictEqual(exitCode(ran.exit), 1, JSON.stringify(args))
        assert.notMatch(ran.stderr, /[\u202e\u3164\r\t]/u, JSON.stringify(args))
      }
    }))

  it.effect("what the parser refuses (a value, flag, subcommand, argument) is shown on one line, and by its length when longer than a path; each unknown flag once", () =>
    Effect.gen(function*() {
      const huge = "z".repeat(100_000)
      const manyLetters = Array.from({ length: 5_000 }, (_, index) => String.fromCharCode(0x4e00 + index)).join("")
      const cases: ReadonlyArray<ReadonlyArray<string>> = [
        ["where", "--flyte", "3\nForged: line", "db"],
        ["where", "--x\nForged: line", "db"],
        ["wh\nForged: line"],
        ["run", "--secret", "db/password", "--masking=no\nForged: line", "--", "true"],
        ["where", "--flyte", huge, "db"],
        ["where", "--flyte", "\u202e".repeat(4096), "db"],
        ["where", "db", "password", "\u202e".repeat(4096)],
        ["where", `--${huge}`, "db"],
        [huge],
        ["where", "db", "password", "extra", huge],
        ["where", "db", "password", ...Array.from({ length: 5_000 }, (_, index) => `extra-${index}`)],
        ["run", `-${huge}`, "--secret", "db/password", "--", "true"],
        ["where", `-${manyLetters}`, "db"]
      ]
      for (const args of cases) {
        const ran = yield* runCli(args)
        const shown = JSON.stringify(args).slice(0, 100)
        assert.strictEqual(exitCode(ran.exit), 1, shown)
        assert.notInclude(ran.stderr, "\nForged", shown)
        assert.isBelow(ran.stderr.length, 3_000, shown)
      }
    }))

  it.effect("a module path and a --task name are named escaped", () =>
    Effect.gen(function*() {
      const absent = yield* runCli(["render", path.join(temp.dir, "tasks\u202e.ts")])
      assert.strictEqual(exitCode(absent.exit), 1)
      assert.include(absent.stderr, "not found")
      assert.notMatch(absent.stderr, hidden)
      const named = tasksModule(
        `export const t = task.sync({ name: ${
          JSON.stringify("rep\u202eort")
        }, secretRequests: [{ key: "k", mountRequirement: "FILE" }] }, () => 1)`
      )
      const refused = yield* runCli(["render", named, "--backend", "AWS"])
      assert.strictEqual(exitCode(refused.exit), 1)
      assert.include(refused.stderr, "Task \"rep\\u{202e}ort\"")
      assert.notMatch(refused.stderr, hidden)
      const unknown = yield* runCli(["render", exampleTasks(), "--task", "week\u202ely\u3164"])
      assert.strictEqual(exitCode(unknown.exit), 1)
      assert.include(unknown.stderr, "no task named \"week\\u{202e}ly\\u{3164}\"")
      assert.notMatch(unknown.stderr, hidden)
    }))
})

describe("S11 effect-secrets run: the signals that end it", () => {
  it.effect("SIGHUP and SIGQUIT interrupt it wherever it is (as the runtime does on SIGINT and SIGTERM); the first is kept", () =>
    Effect.gen(function*() {
      const before = endingSignals.map((signal) => process.listenerCount(signal))
      let received: NodeJS.Signals | undefined
      let finalized = false
      const fiber = yield* Effect.forkChild(Effect.scoped(Effect.gen(function*() {
        const watch = yield* watchEndingSignals
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            received = watch.received()
            finalized = true
          })
        )
        yield* Effect.never
      })))
      yield* Effect.yieldNow
      process.emit("SIGHUP", "SIGHUP")
      process.emit("SIGQUIT", "SIGQUIT")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.hasInterrupts(exit))
      assert.isTrue(finalized)
      assert.strictEqual(received, "SIGHUP")
      assert.deepStrictEqual(endingSignals.map((signal) => process.listenerCount(signal)), before)
      assert.strictEqual(signalExitCode("SIGHUP"), 129)
      assert.strictEqual(signalExitCode("SIGQUIT"), 131)
    }))
})

describe("effect-secrets: the command tree", () => {
  it("is named effect-secrets and has the five commands", () => {
    assert.strictEqual(cli.name, "effect-secrets")
    assert.deepStrictEqual(cli.subcommands.flatMap((group) => group.commands.map((command) => command.name)), [
      "where",
      "doctor",
      "render",
      "run",
      "stored-secret"
    ])
    assert.isTrue(Command.isCommand(cli))
  })
})

/** A module of Flyte 2 tasks: variables (derived and given), files with and without a group. */
const flyte2Tasks = () =>
  tasksModule([
    "export const summarize = task.sync({ name: \"summarize\", secretRequests: [",
    "  Secret.flyte2(\"openai-key\"), Secret.flyte2({ key: \"api-key\", group: \"anthropic\" }),",
    "  Secret.flyte2({ key: \"tls-cert\", mount: \"/etc/flyte/secrets\" }),",
    "  Secret.flyte2({ key: \"password\", group: \"db\", mount: \"/etc/flyte/secrets\" })",
    "] }, () => 1)"
  ].join("\n"))

describe("effect-secrets render --flyte 2", () => {
  it.effect("the Flyte 2 webhook's pod: Embedded by default, its inlined values and file lines <redacted>", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue, FLYTE_SECRETS_DEFAULT_DIR: secretsDir })
      writeFiles(secretsDir, { "tls-cert": passwordValue })
      const ran = yield* runCli(["render", flyte2Tasks(), "--flyte", "2", "--project", "p", "--domain", "d"])
      assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
      const pod = parseYaml(ran.stdout)
      assert.deepStrictEqual(pod.metadata.labels, { organization: "flyte", project: "p", domain: "d" })
      const [container] = pod.spec.containers
      assert.deepInclude(container.env, { name: "OPENAI_KEY", value: "<redacted>" })
      assert.deepInclude(container.env, { name: "ANTHROPIC_API_KEY", value: "<redacted>" })
      const init = pod.spec.initContainers.find((c: { name: string }) => c.name === "init-embedded-secret")
      assert.deepInclude(init.env, { name: "SECRETS", value: "tls-cert=<redacted>\npassword=<redacted>\n" })
      assertNoSecret(ran)
    }))

  it.effect("repeated --backend is the ordered list: the first that injects a secret wins", () =>
    Effect.gen(function*() {
      const module = flyte2Tasks()
      const ran = yield* runCli(["render", module, "--flyte", "2", "--backend", "K8s", "--backend", "Embedded"])
      assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
      const pod = parseYaml(ran.stdout)
      assert.isUndefined(pod.spec.initContainers, "K8s injects every secret before Embedded is tried")
      assert.deepInclude(pod.spec.containers[0].env, {
        name: "OPENAI_KEY",
        valueFrom: {
          secretKeyRef: {
            name: createHash("md5").update("openai-key").digest("hex"),
            key: "openai-key",
            optional: true
          }
        }
      })
      assert.deepStrictEqual(pod.metadata.labels, { organization: "flyte" }, "no scope given: none printed")
      const vaultFirst = yield* runCli([
        "render",
        module,
        "--flyte",
        "2",
        "--backend",
        "Vault",
        "--backend",
        "Embedded"
      ])
      const vaultPod = parseYaml(vaultFirst.stdout)
      assert.strictEqual(vaultPod.metadata.annotations["vault.hashicorp.com/agent-inject"], "true")
      assert.deepInclude(vaultPod.spec.initContainers[0].env, { name: "SECRETS", value: "tls-cert=<redacted>\n" })
    }))

  it.effect("the same bytes on every run", () =>
    Effect.gen(function*() {
      const module = flyte2Tasks()
      const args = ["render", module, "--flyte", "2", "--backend", "Vault", "--backend", "Embedded", "--domain", "d"]
      const [first, second] = [yield* runCli(args), yield* runCli(args)]
      assert.strictEqual(exitCode(first.exit), 0, first.stderr)
      assert.strictEqual(first.stdout, second.stdout)
    }))

  it.effect("--annotate: the labels Flyte 2's executor adds and one annotation per secret", () =>
    Effect.gen(function*() {
      const ran = yield* runCli([
        "render",
        flyte2Tasks(),
        "--flyte",
        "2",
        "--annotate",
        "--project",
        "p",
        "--domain",
        "d",
        "--format",
        "json"
      ])
      assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
      const pod = JSON.parse(ran.stdout)
      assert.deepStrictEqual(pod.metadata.labels, {
        "inject-flyte-secrets": "true",
        organization: "flyte",
        project: "p",
        domain: "d"
      })
      assert.lengthOf(Object.keys(pod.metadata.annotations), 4)
    }))

  it.effect("refuses as Flyte 1's render does: a pod Kubernetes refuses, a secret no manager injects; exit 1", () =>
    Effect.gen(function*() {
      const module = flyte2Tasks()
      const twoAtDir = yield* runCli(["render", module, "--flyte", "2", "--backend", "AWS", "--backend", "Embedded"])
      assert.strictEqual(exitCode(twoAtDir.exit), 1)
      assert.include(twoAtDir.stderr, "Task \"summarize\": Kubernetes would refuse the pod the webhook renders")
      assert.strictEqual(twoAtDir.stdout, "")
      const none = yield* runCli(["render", module, "--flyte", "2", "--backend", "GCP"])
      assert.strictEqual(exitCode(none.exit), 1)
      assert.include(none.stderr, "none of the secret managers injected secret [")
    }))

  it.effect("flags that do not fit: a project without a domain, a scope no pod label can hold, Flyte 2's managers or scope without --flyte 2", () =>
    Effect.gen(function*() {
      const module = flyte2Tasks()
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [
          ["--flyte", "2", "--project", "p"],
          "project-scoped secrets must also specify a domain, got project=\"p\" domain=\"\""
        ],
        [
          ["--flyte", "2", "--project", "Flyte Snacks", "--domain", "d"],
          "--project \"Flyte Snacks\" cannot be in a Kubernetes label"
        ],
        [["--flyte", "2", "--domain", "dev/1"], "--domain \"dev/1\" cannot be in a Kubernetes label"],
        [["--backend", "Embedded"], "--backend Embedded is a secret manager of Flyte 2's webhook: add --flyte 2"],
        [["--backend", "K8s", "--backend", "AWS"], "give --backend once"],
        [["--domain", "d"], "add --flyte 2"],
        [["--flyte", "2", "--annotate", "--backend", "K8s"], "leave out --backend"]
      ]
      for (const [args, message] of cases) {
        const ran = yield* runCli(["render", module, ...args])
        assert.strictEqual(exitCode(ran.exit), 1, args.join(" "))
        assert.include(ran.stderr, message, args.join(" "))
        assert.strictEqual(ran.stdout, "", args.join(" "))
      }
    }))
})

describe("effect-secrets run --flyte 2", () => {
  it.effect("lays out a Flyte 2 task's secrets as Embedded does: values found by Flyte 2's places, files at dir/<key>", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue, ANTHROPIC_API_KEY: "planted-anthropic-5e1" })
      writeFiles(secretsDir, { "tls-cert": "CERT\nwith lines\n", "password": passwordValue })
      const out = path.join(temp.dir, "seen.json")
      const script = [
        "const fs = require('node:fs'), p = require('node:path')",
        "const dir = process.env.FLYTE_SECRETS_DEFAULT_DIR",
        `fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ dir, prefix: process.env.FLYTE_SECRETS_ENV_PREFIX,`,
        "  openai: process.env.OPENAI_KEY, anthropic: process.env.ANTHROPIC_API_KEY,",
        "  tls: fs.readFileSync(p.join(dir, 'tls-cert'), 'utf8'), password: fs.readFileSync(p.join(dir, 'password'), 'utf8') }))"
      ].join("\n")
      const ran = yield* runCli([
        "run",
        "--module",
        flyte2Tasks(),
        "--flyte",
        "2",
        "--",
        process.execPath,
        "-e",
        script
      ])
      assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
      const seen = JSON.parse(fs.readFileSync(out, "utf8"))
      assert.deepInclude(seen, {
        prefix: "_UNION_",
        openai: tokenValue,
        anthropic: "planted-anthropic-5e1",
        tls: "CERT\nwith lines\n",
        password: passwordValue
      })
      assert.notStrictEqual(seen.dir, secretsDir, "the pod's own directory, not the one the values came from")
      assert.isFalse(fs.existsSync(seen.dir), "removed once the command ended")
      assertNoSecret(ran)
    }))

  it.effect("--secret GROUP/KEY (ANY) holding bytes that are not UTF-8: Embedded cannot make it a variable; refused", () =>
    Effect.gen(function*() {
      writeFiles(secretsDir, { "db/blob": Uint8Array.of(0xff, 0xfe, 0x41) })
      const marker = path.join(temp.dir, "started")
      const ran = yield* runCli(["run", "--secret", "db/blob", "--flyte", "2", "--", "touch", marker])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "Cannot lay the secrets out as the pod would have them")
      assert.include(ran.stderr, "mount as a file instead")
      assert.isFalse(fs.existsSync(marker))
    }))

  it.effect("a missing Flyte 2 secret is named with the places Flyte 2 tried; the command is not started", () =>
    Effect.gen(function*() {
      const marker = path.join(temp.dir, "started")
      const ran = yield* runCli(["run", "--module", flyte2Tasks(), "--flyte", "2", "--", "touch", marker])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "secret(s) missing; touch was not started")
      assert.include(ran.stderr, "OPENAI_KEY")
      assert.include(ran.stderr, "declared-env OPENAI_KEY: not set")
      assert.include(ran.stderr, "env _UNION_ANTHROPIC_API-KEY: not set")
      assert.include(ran.stderr, path.join(secretsDir, "tls-cert"))
      assert.isFalse(fs.existsSync(marker))
    }))
})

describe("effect-secrets stored-secret", () => {
  const id = "u__org__flyte__domain__development__project__flytesnacks__key__openai-key"
  const scope = ["--project", "flytesnacks", "--domain", "development"]

  it.effect("prints the Secret SecretService writes, its data <redacted>: md5(id), the id its only key", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const ran = yield* runCli(["stored-secret", "openai-key", ...scope, "--from-env", "OPENAI_KEY"])
      assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
      assert.deepStrictEqual(parseYaml(ran.stdout), {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: createHash("md5").update(id).digest("hex"),
          namespace: "flyte",
          labels: {
            "app.flyte.org/managed": "true",
            "app.flyte.org/domain": "development",
            "app.flyte.org/project": "flytesnacks"
          }
        },
        data: { [id]: "<redacted>" }
      })
      assertNoSecret(ran)
      assert.notInclude(ran.stdout, Buffer.from(tokenValue).toString("base64"))
    }))

  /** A sparse file one byte over a Secret's limit: refused before it is read. */
  const hugeFile = () => {
    const file = path.join(temp.dir, "huge.bin")
    fs.writeFileSync(file, "")
    fs.truncateSync(file, 1024 * 1024 + 1)
    return file
  }

  it.effect("--out never follows a symbolic link planted at its path (another user's file stays as it was)", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const target = path.join(temp.dir, "victim")
      const link = path.join(temp.dir, "planted.yaml")
      fs.symlinkSync(target, link)
      const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", link])
      assert.strictEqual(exitCode(ran.exit), 1)
      assert.include(ran.stderr, "the file exists")
      assert.isFalse(fs.existsSync(target))
    }))

  it.effect("--out FILE: the whole manifest in a new file of mode 0600, never over an existing file", () =>
    Effect.gen(function*() {
      const file = path.join(temp.dir, "cert.bin")
      const bytes = Uint8Array.of(0, 255, 10, 13, 61)
      fs.writeFileSync(file, bytes)
      const out = path.join(temp.dir, "secret.yaml")
      const args = ["stored-secret", "tls-cert", "--namespace", "union", "--from-file", file, "--out", out]
      const ran = yield* runCli(args)
      assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
      assert.include(ran.stdout, out)
      assert.strictEqual(fs.statSync(out).mode & 0o777, 0o600)
      const manifest = parseYaml(fs.readFileSync(out, "utf8"))
      assert.strictEqual(manifest.metadata.namespace, "union")
      const orgId = "u__org__flyte__domain____project____key__tls-cert"
      assert.deepStrictEqual(Buffer.from(manifest.data[orgId], "base64"), Buffer.from(bytes))
      const again = yield* runCli(args)
      assert.strictEqual(exitCode(again.exit), 1)
      assert.include(again.stderr, "the file exists")
    }))

  /** The word after `to` and the word after `kubectl apply -f` in what `--out` prints. */
  const printedWords = (stdout: string) => {
    const match =
      /^Wrote Secret \S+ \(namespace \S+\) to (.+), readable by you only\. Apply it with: kubectl apply -f (.+)$/
        .exec(stdout)
    assert.isNotNull(match, stdout)
    return { written: match![1]!, applied: match![2]! }
  }

  it.effect("--out: the command it prints to apply the file is one shell word that a shell reads back as the path", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const names = ["$HOME.yaml", "a b.yaml", "it's.yaml", "back`id`tick.yaml", "back\\slash.yaml"]
      for (const name of [...names, "bang!.yaml", "~tilde;*.yaml", "plain-1_2.yaml"]) {
        const out = path.join(temp.dir, name)
        const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", out])
        assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
        const { applied, written } = printedWords(ran.stdout)
        assert.strictEqual(written, applied, name)
        assert.strictEqual(execFileSync("sh", ["-c", `printf %s ${applied}`], { encoding: "utf8" }), out, name)
        assert.strictEqual(execFileSync("bash", ["-c", `printf %s ${applied}`], { encoding: "utf8" }), out, name)
      }
      const plain = path.join(temp.dir, "plain-1_2.yaml")
      const ran = yield* runCli(["stored-secret", "x", "--from-env", "OPENAI_KEY", "--out", plain + ".2"])
      assert.strictEqual(printedWords(ran.stdout).applied, plain + ".2", "a plain path is printed as it is")
    }))

  /** What `kubectl apply -f` does with the word, when kubectl is installed (no cluster: it stops at discovery). */
  const kubectlReads = (word: string): string | undefined => {
    const args = ["apply", "--dry-run=client", "--validate=false", "--server=http://127.0.0.1:9", "-f"]
    const ran = spawnSync("sh", ["-c", `kubectl ${args.join(" ")} ${word}`], {
      encoding: "utf8",
      env: { ...process.env, KUBECONFIG: path.join(temp.dir, "no-kubeconfig") }
    })
    return ran.error === undefined && !ran.stderr.includes("not found") ? ran.stderr : undefined
  }

  it.effect("--out: a path with a comma or a double quote is given to kubectl -f as one value (it splits its value on commas)", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      // A file named like the part before the comma: kubectl would apply it instead.
      fs.writeFileSync(path.join(temp.dir, "my"), "kind: Secret\n")
      for (const name of ["my,secret.yaml", "say\"hi\".yaml", "\"q,\".yaml", "a,,b.yaml"]) {
        const out = path.join(temp.dir, name)
        const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", out])
        assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
        const { applied, written } = printedWords(ran.stdout)
        assert.strictEqual(execFileSync("sh", ["-c", `printf %s ${written}`], { encoding: "utf8" }), out, name)
        // kubectl reads -f's value as one line of comma-separated values: one quoted value, its quotes doubled.
        const value = execFileSync("bash", ["-c", `printf %s ${applied}`], { encoding: "utf8" })
        assert.strictEqual(value, `"${out.replaceAll("\"", "\"\"")}"`, name)
        const kubectl = kubectlReads(applied)
        if (kubectl !== undefined) assert.include(kubectl, `unable to recognize ${JSON.stringify(out)}`, name)
      }
    }))

  it("shellWord: any text without a hidden character is one word that sh and bash read back as the text", () => {
    const shellText = fc.string({ unit: fc.constantFrom(..."'\"\\$`!*?[]{}()<>|&;#~ \t=%+,:@/.-_aZ09é€😀") })
    fc.assert(
      fc.property(shellText, (text) => {
        const word = shellWord(text)
        for (const shell of ["sh", "bash"]) {
          assert.strictEqual(execFileSync(shell, ["-c", `printf %s ${word}`], { encoding: "utf8" }), text, word)
        }
      }),
      { numRuns: 60 }
    )
  })

  it("shellWord: a word starting with = is quoted (zsh reads =name as the path of the command name)", () => {
    for (const text of ["=ls", "=secret.yaml", "=/tmp/x"]) {
      const word = shellWord(text)
      assert.strictEqual(word, `'${text}'`)
      for (const shell of ["sh", "bash", "zsh"]) {
        if (shell === "zsh" && spawnSync("zsh", ["-c", "true"]).error !== undefined) continue
        assert.strictEqual(execFileSync(shell, ["-c", `printf %s ${word}`], { encoding: "utf8" }), text, shell)
      }
    }
    assert.strictEqual(shellWord("a=b.yaml"), "a=b.yaml", "an = after the first character stays plain")
  })

  it.effect("--out: a relative path that kubectl -f would read as a URL is printed with ./ before it", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      fs.mkdirSync(path.join(temp.dir, "https:", "example.invalid"), { recursive: true })
      const previous = process.cwd()
      process.chdir(temp.dir)
      try {
        const out = "https://example.invalid/secret.yaml"
        const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", out])
        assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
        assert.isTrue(fs.existsSync(path.join(temp.dir, "https:", "example.invalid", "secret.yaml")))
        const { applied } = printedWords(ran.stdout)
        assert.strictEqual(applied, `./${out}`)
        const kubectl = kubectlReads(applied)
        if (kubectl !== undefined) assert.include(kubectl, `unable to recognize "./${out}"`)
      } finally {
        process.chdir(previous)
      }
    }))

  it.effect("--out that cannot be written says why and what to do: a folder, a missing folder, an empty path", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const file = plainFile("")
      const cases: ReadonlyArray<readonly [string, string]> = [
        [temp.dir, "that is a folder; name a file in it."],
        [path.join(temp.dir, "missing", "secret.yaml"), "its folder does not exist"],
        [path.join(file, "secret.yaml"), "a part of the path is not a folder"],
        ["", "--out \"\": name the file to write the manifest to."]
      ]
      for (const [out, message] of cases) {
        const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", out])
        assert.strictEqual(exitCode(ran.exit), 1, out)
        assert.include(ran.stderr, message, out)
        assert.strictEqual(ran.stdout, "", out)
        assertNoSecret(ran)
      }
    }))

  it.effect("--out ending in / where no folder is (nothing there, or a file) says so, never that it is a folder", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const file = plainFile("")
      for (const out of [path.join(temp.dir, "missing") + "/", file + "/"]) {
        const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", out])
        assert.strictEqual(exitCode(ran.exit), 1, out)
        assert.notInclude(ran.stderr, "that is a folder", out)
        assert.include(ran.stderr, "ends with \"/\"", out)
        assert.strictEqual(ran.stdout, "", out)
        assertNoSecret(ran)
      }
      assert.strictEqual(fs.readFileSync(file, "utf8"), "")
      assert.isFalse(fs.existsSync(path.join(temp.dir, "missing")))
      // A folder named with a trailing "/" is still a folder.
      const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", temp.dir + "/"])
      assert.include(ran.stderr, "that is a folder; name a file in it.")
    }))

  it.effect("--out - is refused (kubectl reads - as standard input): no file is written, no value printed", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const previous = process.cwd()
      process.chdir(temp.dir)
      try {
        const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", "-"])
        assert.strictEqual(exitCode(ran.exit), 1)
        assert.include(ran.stderr, "--out -: name a file")
        assert.strictEqual(ran.stdout, "")
        assertNoSecret(ran)
        assert.isFalse(fs.existsSync(path.join(temp.dir, "-")))
      } finally {
        process.chdir(previous)
      }
    }))

  it.effect("--out: a path holding a control, format, separator or invisible character is refused, shown escaped, nothing written", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      for (
        const name of ["new\nline.yaml", "esc\u001b[2J.yaml", "bidi\u202e.yaml", "sep\u2028.yaml", "filler\u3164.yaml"]
      ) {
        const out = path.join(temp.dir, name)
        const ran = yield* runCli(["stored-secret", "openai-key", "--from-env", "OPENAI_KEY", "--out", out])
        assert.strictEqual(exitCode(ran.exit), 1, JSON.stringify(name))
        assert.strictEqual(ran.stdout, "")
        assert.include(ran.stderr, "--out")
        assert.include(ran.stderr, "name another file")
        assert.notInclude(ran.stderr, name, "the path is never printed raw")
        assert.notMatch(ran.stderr, /[\u001b\u202e\u2028\u3164]/u, JSON.stringify(name))
        assert.isFalse(fs.existsSync(out), JSON.stringify(name))
      }
    }))

  it.effect("refuses both sources or neither, a project without a domain (the service's message), a namespace Kubernetes would refuse, a bad source", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--from-env", "OPENAI_KEY", "--from-file", path.join(secretsDir, "db", "password")], "exactly one source"],
        [[], "exactly one source"],
        [
          ["--project", "p", "--from-env", "OPENAI_KEY"],
          "project-scoped secrets must also specify a domain, got project=\"p\" domain=\"\""
        ],
        [
          ["--from-env", "OPENAI_KEY", "--namespace", "Flyte_System"],
          "--namespace \"Flyte_System\" is not a Kubernetes"
        ],
        [["--from-env", "NOT_SET_ANYWHERE_9C1"], "the variable is not set"],
        [["--from-file", path.join(temp.dir, "absent")], "no such file"],
        [["--from-file", temp.dir], "not a regular file"],
        [["--from-file", hugeFile()], "larger than a Secret's 1 MiB"]
      ]
      for (const [args, message] of cases) {
        const ran = yield* runCli(["stored-secret", "openai-key", ...args])
        assert.strictEqual(exitCode(ran.exit), 1, args.join(" "))
        assert.include(ran.stderr, message, args.join(" "))
        assert.strictEqual(ran.stdout, "", args.join(" "))
        assertNoSecret(ran)
      }
      const badName = yield* runCli(["stored-secret", "../etc", "--from-env", "OPENAI_KEY"])
      assert.include(badName.stderr, "use letters, digits")
    }))

  it.effect("refuses a name, --project or --domain with the library's rule and words, naming the argument", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue })
      const library = (id: Flyte2.SecretId) => Effect.runSync(Effect.flip(Flyte2.kubernetesSecret(id, "v"))).detail!
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["tls:crt"], library({ name: "tls:crt" }).replace(/^name/, "Secret name")],
        [
          ["k", "--project", "Flyte Snacks", "--domain", "dev"],
          library({ name: "k", project: "Flyte Snacks", domain: "dev" }).replace(/^project/, "--project")
        ],
        [["k", "--domain", "dev-"], library({ name: "k", domain: "dev-" }).replace(/^domain/, "--domain")]
      ]
      for (const [args, message] of cases) {
        const ran = yield* runCli(["stored-secret", ...args, "--from-env", "OPENAI_KEY"])
        assert.strictEqual(exitCode(ran.exit), 1, args.join(" "))
        assert.include(ran.stderr, message, args.join(" "))
        assert.strictEqual(ran.stdout, "", args.join(" "))
      }
    }))
})

describe("effect-secrets where and doctor: Flyte 2", () => {
  it.effect("where --flyte 2 KEY --group G: flyte-sdk's declaration, looked for at Flyte 2's places", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_API_KEY: tokenValue })
      const ran = yield* runCli(["where", "--flyte", "2", "api-key", "--group", "openai", "--json"])
      assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
      assert.deepStrictEqual(JSON.parse(ran.stdout), {
        found: true,
        attempts: [{ source: "declared-env", location: "OPENAI_API_KEY", outcome: "found" }]
      })
      assertNoSecret(ran)
      const named = yield* runCli(["where", "--flyte", "2", "api-key", "--as-env-var", "MY_KEY", "--json"])
      assert.strictEqual(exitCode(named.exit), 1)
      assert.deepInclude(JSON.parse(named.stdout).attempts, {
        source: "declared-env",
        location: "MY_KEY",
        outcome: "missing",
        reason: "not set"
      })
    }))

  it.effect("where --flyte 2 KEY --mount: the file places, the key's case kept; never Flyte 1's", () =>
    Effect.gen(function*() {
      writeFiles(secretsDir, { "TLS-Cert": passwordValue })
      const ran = yield* runCli(["where", "--flyte", "2", "TLS-Cert", "--mount"])
      assert.strictEqual(exitCode(ran.exit), 0, ran.stderr)
      assert.include(ran.stdout, `TLS-Cert (key only): found (file ${path.join(secretsDir, "TLS-Cert")})`)
      const flyte1 = yield* runCli(["where", "", "TLS-Cert", "--json"])
      assert.notDeepInclude(JSON.parse(flyte1.stdout).attempts.map((a: { location: string }) => a.location), "TLS-Cert")
      assertNoSecret(ran)
    }))

  it.effect("where: Flyte 2's rules and messages; Flyte 2's flags need --flyte 2, Flyte 1's shape is refused with it", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--flyte", "2", "a.b"], "Invalid environment variable name: A.B"],
        [["--flyte", "2", "openai", "api-key"], "give the key alone, and the group with --group"],
        [["--flyte", "2", "k", "--version", "v1"], "give the key alone"],
        [["db", "password", "--mount"], "add --flyte 2"],
        [["--flyte", "2", "../k", "--mount"], "unsafe name"]
      ]
      for (const [args, message] of cases) {
        const ran = yield* runCli(["where", ...args])
        assert.strictEqual(exitCode(ran.exit), 1, args.join(" "))
        assert.include(ran.stderr, message, args.join(" "))
      }
    }))

  it.effect("where --as-env-var longer than a name may be is refused by its length only: messages stay short (S14)", () =>
    Effect.gen(function*() {
      for (const name of ["a".repeat(100_000), `A\n${"B".repeat(100_000)}`]) {
        const ran = yield* runCli(["where", "--flyte", "2", "k", "--as-env-var", name])
        assert.strictEqual(exitCode(ran.exit), 1)
        assert.include(ran.stderr, `Invalid environment variable name: (${name.length} characters)`)
        assert.isBelow(ran.stderr.length, 1_000)
      }
      const library = (() => {
        try {
          return new Secret({ group: "g", key: "k", envVar: "e".repeat(100_000) }) && ""
        } catch (error) {
          return (error as Error).message
        }
      })()
      assert.include(library, "(100000 characters)")
      assert.isBelow(library.length, 1_000)
    }))

  it.effect("doctor: a Flyte 2 task's secrets are located at Flyte 2's places, marked origin flyte2 in --json", () =>
    Effect.gen(function*() {
      setEnv({ OPENAI_KEY: tokenValue, ANTHROPIC_API_KEY: undefined })
      writeFiles(secretsDir, { "tls-cert": passwordValue })
      const ran = yield* runCli(["doctor", flyte2Tasks(), "--json"])
      assert.strictEqual(exitCode(ran.exit), 1, "anthropic/api-key is missing")
      const rows = JSON.parse(ran.stdout).secrets as ReadonlyArray<Record<string, unknown>>
      assert.deepStrictEqual(rows.map((row) => [row.key, row.origin, row.status, row.source, row.location]), [
        ["openai-key", "flyte2", "found", "declared-env", "OPENAI_KEY"],
        ["api-key", "flyte2", "missing", undefined, undefined],
        ["tls-cert", "flyte2", "found", "file", path.join(secretsDir, "tls-cert")],
        ["password", "flyte2", "found", "file", path.join(secretsDir, "db", "password")]
      ])
      assert.include(rows[1]!.reason as string, "env _UNION_ANTHROPIC_API-KEY")
      const flyte1 = yield* runCli(["doctor", exampleTasks(), "--json"])
      assert.notProperty(JSON.parse(flyte1.stdout).secrets[0], "origin")
      assertNoSecret(ran)
    }))
})
