/**
 * The `effect-secrets` command tree (effect/cli) and the program the bin runs. `where` is loaded with the tree;
 * `doctor`, `render`, `run` and `stored-secret` are loaded when they run, so a `where` does not run their code nor
 * load YAML. (In the published bundle it does load the chunk that holds the root's modules, Kubernetes's among them,
 * through `Masking`: a chunk of its own for what the command line shares with the root cost the root's import more
 * than it saved the command.)
 */
import * as Cause from "effect/Cause"
import * as Argument from "effect/cli/Argument"
import * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as Masking from "../../Masking.ts"
import { createRequire } from "../nodeBuiltins.ts"
import { CommandExited, CommandFailed, exitWith } from "./failure.ts"
import { escapingFormatter, shown } from "./printing.ts"
import { where } from "./where.ts"

const json = Flag.Boolean("json").pipe(
  Flag.withDescription("Print the report as JSON (its shape is in the README, \"Command line\")"),
  Flag.withDefault(false)
)

const flyteFlag = Flag.Literals("flyte", ["1", "2"]).pipe(
  Flag.withDescription("The Flyte whose webhook makes the pod: 1 (flytepropeller, default) or 2"),
  Flag.withDefault("1" as const)
)

// Not `--env-file`: Node reads that argument itself anywhere before `--`, before this program starts.
const dotenvFlag = Flag.String("dotenv").pipe(
  Flag.withDescription(
    "A .env file added to the environment before the lookup (Node's parser and rule: set variables win, a " +
      "later file overrides an earlier one); repeatable"
  ),
  Flag.atLeast(0)
)

const whereCommand = Command.make("where", {
  group: Argument.String("group").pipe(
    Argument.withDescription(
      "The secret's group (a Kubernetes Secret's name); \"\" for a key-only secret. With --flyte 2: the key"
    )
  ),
  key: Argument.String("key").pipe(Argument.withDescription("The key inside the group"), Argument.optional),
  groupVersion: Flag.String("version").pipe(
    Flag.withAlias("group-version"),
    Flag.withDescription(
      "The group's version (groupVersion); after `where`, --version is this flag, not the program's"
    ),
    Flag.optional
  ),
  flyte: Flag.Literals("flyte", ["1", "2"]).pipe(
    Flag.withDescription(
      "2: a Flyte 2 secret, declared as flyte-sdk's Secret(key, group, mount, as_env_var), looked for at Flyte 2's places"
    ),
    Flag.withDefault("1" as const)
  ),
  flyte2Group: Flag.String("group").pipe(Flag.withDescription("Flyte 2: the secret's group"), Flag.optional),
  mount: Flag.Boolean("mount").pipe(
    Flag.withDescription("Flyte 2: a file secret (mount=\"/etc/flyte/secrets\"); default a variable"),
    Flag.withDefault(false)
  ),
  asEnvVar: Flag.String("as-env-var").pipe(
    Flag.withDescription("Flyte 2: the variable's name (as_env_var); default GROUP_KEY or KEY, upper-cased"),
    Flag.optional
  ),
  json,
  envFiles: dotenvFlag
}, (input) =>
  where({
    group: input.group,
    key: Option.getOrUndefined(input.key),
    groupVersion: Option.getOrUndefined(input.groupVersion),
    json: input.json,
    flyte: input.flyte === "2" ? 2 : 1,
    flyte2: {
      group: Option.getOrUndefined(input.flyte2Group),
      mount: input.mount,
      asEnvVar: Option.getOrUndefined(input.asEnvVar)
    },
    envFiles: input.envFiles
  })).pipe(
    Command.withDescription(
      "Every place a secret is looked for, in order, with what is there: found, missing, or refused and why. " +
        "Exit code 1 when it is not found."
    ),
    Command.withExamples([
      { command: "effect-secrets where my-api-keys github_token", description: "where the lookup finds it" },
      { command: "effect-secrets where db password --version v2 --json", description: "a versioned group, as JSON" },
      {
        command: "effect-secrets where --flyte 2 api-key --group openai",
        description: "flyte-sdk's Secret(key=\"api-key\", group=\"openai\"): OPENAI_API_KEY, then _UNION_ names"
      },
      { command: "effect-secrets where --flyte 2 tls-cert --mount", description: "a Flyte 2 file secret" }
    ])
  )

const moduleArgument = Argument.String("module").pipe(
  Argument.withDescription("A module that exports tasks (.js, or .ts with erasable syntax only), relative to here")
)

const taskFlag = Flag.String("task").pipe(
  Flag.withDescription("The task's name (the name in its options, not its export's); optional when there is one"),
  Flag.optional
)

const doctorModule = () => import("./doctor.ts")
const renderModule = () => import("./render.ts")
const runModule = () => import("./run.ts")
const storedSecretModule = () => import("./storedSecret.ts")

const doctorCommand = Command.make(
  "doctor",
  { module: moduleArgument, task: taskFlag, json, envFiles: dotenvFlag },
  (input) =>
    Effect.flatMap(
      Effect.promise(doctorModule),
      ({ doctor }) =>
        doctor({
          module: input.module,
          task: Option.getOrUndefined(input.task),
          json: input.json,
          envFiles: input.envFiles
        })
    )
).pipe(
  Command.withDescription(
    "Each secret each task of a module declares, and where it is found here and now (the check a task's " +
      "preflight makes). Exit code 1 when any is missing."
  ),
  Command.withExamples([
    { command: "effect-secrets doctor ./tasks.ts", description: "every task of your module of tasks (.ts or .js)" },
    { command: "effect-secrets doctor dist/tasks.js --task report --json", description: "one task, as JSON" }
  ])
)

const projectFlag = Flag.String("project").pipe(
  Flag.withDescription("Flyte 2: the task's project (needs --domain), the narrowest scope of a stored secret"),
  Flag.optional
)

const domainFlag = Flag.String("domain").pipe(
  Flag.withDescription("Flyte 2: the task's domain (development, staging, production...)"),
  Flag.optional
)

const renderCommand = Command.make("render", {
  module: moduleArgument,
  task: taskFlag,
  flyte: flyteFlag,
  backends: Flag.Literals("backend", ["K8s", "AWS", "GCP", "Vault", "Embedded", "Azure"]).pipe(
    Flag.withDescription(
      "The secret manager the webhook is configured with (Flyte 1: once, default K8s); with --flyte 2, repeat it " +
        "for the ordered secretManagerTypes list (default Embedded)"
    ),
    Flag.atLeast(0)
  ),
  project: projectFlag,
  domain: domainFlag,
  annotate: Flag.Boolean("annotate").pipe(
    Flag.withDescription("The pod as propeller hands it to the webhook: a label and one annotation per secret"),
    Flag.withDefault(false)
  ),
  format: Flag.Literals("format", ["yaml", "json"]).pipe(
    Flag.withDescription("Output format (default yaml)"),
    Flag.withDefault("yaml" as const)
  )
}, (input) =>
  Effect.flatMap(Effect.promise(renderModule), ({ render }) =>
    render({
      module: input.module,
      task: Option.getOrUndefined(input.task),
      flyte: input.flyte === "2" ? 2 : 1,
      backends: input.backends,
      project: Option.getOrUndefined(input.project),
      domain: Option.getOrUndefined(input.domain),
      annotate: input.annotate,
      format: input.format
    }))).pipe(
    Command.withDescription(
      "The pod a task runs in (apiVersion v1, kind Pod, one container named after the task) after " +
        "flytepropeller's secrets webhook, or Flyte 2's with --flyte 2, like kubectl --dry-run -o yaml. Values " +
        "Flyte 2's Embedded secret manager inlines are shown as <redacted>."
    ),
    Command.withExamples([
      { command: "effect-secrets render ./tasks.ts --task report", description: "the K8s backend" },
      { command: "effect-secrets render src/tasks.ts --task report --backend Vault --format json" },
      {
        command: "effect-secrets render ./tasks.ts --task report --flyte 2 --backend Embedded --backend K8s " +
          "--project flytesnacks --domain development",
        description: "the Flyte 2 webhook, its secret managers in order"
      }
    ])
  )

const runCommand = Command.make("run", {
  module: Flag.String("module").pipe(
    Flag.withDescription("A module that exports tasks: the task's declared secrets are injected"),
    Flag.optional
  ),
  task: taskFlag,
  flyte: flyteFlag,
  secrets: Flag.String("secret").pipe(
    Flag.withDescription("A secret to inject, GROUP/KEY[:ENV_VAR|FILE] (default ANY: a file); repeatable"),
    Flag.atLeast(0)
  ),
  envFiles: dotenvFlag,
  masking: Flag.Boolean("masking").pipe(
    Flag.withDescription(
      "Mask the secrets' values in the command's stdout and stderr (default; --no-masking passes them through)"
    ),
    Flag.withDefault(true)
  ),
  maskTty: Flag.Boolean("mask-tty").pipe(
    Flag.withDescription(
      "Mask a stdout or stderr that is a terminal too (the command then loses colours and line editing)"
    ),
    Flag.withDefault(false)
  ),
  command: Argument.String("command").pipe(
    Argument.withDescription("The command and its arguments, after --"),
    Argument.variadic({ min: 1 })
  )
}, (input) =>
  Effect.flatMap(Effect.promise(runModule), ({ run }) =>
    run({
      module: Option.getOrUndefined(input.module),
      task: Option.getOrUndefined(input.task),
      flyte: input.flyte === "2" ? 2 : 1,
      secrets: input.secrets,
      envFiles: input.envFiles,
      command: input.command,
      masking: input.masking,
      maskTty: input.maskTty
    }))).pipe(
    Command.withDescription(
      "Runs a command with the secrets as the task's pod would have them: variables, and files in the kubelet's " +
        "layout in a temporary directory removed afterwards (also on Ctrl-C). Stops before the command when a " +
        "secret is missing. The exit code is the command's."
    ),
    Command.withExamples([
      { command: "effect-secrets run --module ./tasks.ts --task report -- node ./report.ts" },
      { command: "effect-secrets run --secret db/password:FILE --dotenv .env -- ./migrate.sh" },
      {
        command: "effect-secrets run --module ./tasks.ts --task summarize --flyte 2 -- node ./summarize.ts",
        description: "a Flyte 2 task: its variables and files as the Flyte 2 webhook's Embedded secret manager " +
          "lays them out"
      },
      {
        command: "effect-secrets run --secret my-api-keys/token -- bash -c 'node ./report.ts > report.txt'",
        description: "a shell line: bash, not sh (Debian's sh drops variables whose names hold -, as " +
          "_FSEC_MY-API-KEYS_TOKEN does)"
      }
    ])
  )

const storedSecretCommand = Command.make("stored-secret", {
  name: Argument.String("name").pipe(Argument.withDescription("The secret's name, as `flyte create secret NAME`")),
  project: Flag.String("project").pipe(
    Flag.withDescription("The project scope (needs --domain); without both, the organisation scope"),
    Flag.optional
  ),
  domain: Flag.String("domain").pipe(Flag.withDescription("The domain scope"), Flag.optional),
  namespace: Flag.String("namespace").pipe(
    Flag.withDescription("The namespace SecretService writes to (default flyte; its Helm chart's release namespace)"),
    Flag.optional
  ),
  fromFile: Flag.String("from-file").pipe(Flag.withDescription("The value: this file's bytes"), Flag.optional),
  fromEnv: Flag.String("from-env").pipe(Flag.withDescription("The value: this variable's value"), Flag.optional),
  out: Flag.String("out").pipe(
    Flag.withDescription("Write the whole manifest to this new file (mode 0600) instead of printing it redacted"),
    Flag.optional
  )
}, (input) =>
  Effect.flatMap(Effect.promise(storedSecretModule), ({ storedSecret }) =>
    storedSecret({
      name: input.name,
      project: Option.getOrUndefined(input.project),
      domain: Option.getOrUndefined(input.domain),
      namespace: Option.getOrUndefined(input.namespace),
      fromFile: Option.getOrUndefined(input.fromFile),
      fromEnv: Option.getOrUndefined(input.fromEnv),
      out: Option.getOrUndefined(input.out)
    }))).pipe(
    Command.withDescription(
      "The Kubernetes Secret Flyte 2's SecretService writes for `flyte create secret NAME`: named md5(id), the id " +
        "u__org__flyte__domain__D__project__P__key__NAME its only key. Printed with its data <redacted>; --out " +
        "writes the whole manifest to a file only you can read."
    ),
    Command.withExamples([
      {
        command:
          "effect-secrets stored-secret openai-key --project flytesnacks --domain development --from-env OPENAI_KEY",
        description: "the manifest, its value redacted"
      },
      {
        command: "effect-secrets stored-secret tls-cert --from-file ./tls.crt --out tls-cert.yaml",
        description: "the whole manifest in a new file, for kubectl apply -f"
      }
    ])
  )

/** The command tree. */
export const cli = Command.make("effect-secrets").pipe(
  Command.withDescription(
    "Flyte-style task secrets: where a secret is found, whether a task's secrets are all there, the pod the " +
      "platform makes, and a local run with the secrets as the pod would have them. No command prints a secret " +
      "value."
  ),
  Command.withSubcommands([whereCommand, doctorCommand, renderCommand, runCommand, storedSecretCommand])
)

/** The version in the package's manifest, found by the package's own name wherever this module was built into. */
export const version: string =
  (createRequire(import.meta.url)("effect-secrets/package.json") as { readonly version: string }).version

/**
 * Reports a failure the command line has not shown yet (an unexpected one), through the masked logger: the
 * runtime's own report at exit would bypass it, so the bin turns that off.
 */
const reportUnexpected = (cause: Cause.Cause<unknown>): Effect.Effect<void> => {
  if (Cause.hasInterruptsOnly(cause)) return Effect.void
  const error = Cause.squash(cause)
  const shown = CliError.isCliError(error) || error instanceof CommandFailed || error instanceof CommandExited ||
    (typeof error === "object" && error !== null && (error as Error)[Runtime.errorReported] === false)
  return shown ? Effect.void : Effect.logError("effect-secrets failed unexpectedly", cause)
}

/**
 * `run node -e ...` without `--` reads `-e` as `run`'s own flag: the parser's "Unrecognized flag" says nothing of
 * the command, so a hint follows it. `--env-file` and `--env-file-if-exists`, given to any command, get their own:
 * Node reads them before this program starts (nodejs/node#54232), taking the file's `NODE_OPTIONS` as its own, so
 * the commands read `.env` files with `--dotenv`.
 */
const commandFlagHint = (error: unknown): Effect.Effect<void> => {
  if (!CliError.isCliError(error) || error._tag !== "ShowHelp") return Effect.void
  const flag = error.errors.find((problem) => problem._tag === "UnrecognizedOption")
  if (flag === undefined) return Effect.void
  if (/^--env-file(-if-exists)?(=|$)/.test(flag.option)) {
    return Console.error(
      "\nHint: Node itself reads an --env-file argument anywhere before --, before effect-secrets starts, and takes " +
        "a NODE_OPTIONS the file holds as its own options: do not pass one. `where`, `doctor` and `run` add a .env " +
        "file to the environment with --dotenv PATH."
    )
  }
  return error.commandPath.at(-1) !== "run" ? Effect.void : Console.error(
    `\nHint: if ${shown(flag.option)} belongs to the command, put the command after --: ` +
      "effect-secrets run [flags] -- CMD ARGS..."
  )
}

/** Log lines go to stderr, masked, so that stdout holds only the commands' answers. */
const logging = Layer.mergeAll(Masking.layer, Layer.succeed(Logger.LogToStderr, true))

/**
 * Whether `--wizard` (before a `--`: after it, the words are run's command's) is asked for where standard input is
 * no terminal: its questions would wait for an answer from a pipe that may never give one.
 */
const wizardWithoutTerminal = (args: ReadonlyArray<string>): boolean => {
  const end = args.indexOf("--")
  return process.stdin.isTTY !== true &&
    (end === -1 ? args : args.slice(0, end)).some((arg) => /^--wizard(=|$)/.test(arg))
}

const refuseWizard = Effect.andThen(
  Console.error(
    "\nERROR\n  --wizard asks its questions on a terminal, and standard input is not one; give the command's " +
      "flags instead (effect-secrets COMMAND --help lists them)."
  ),
  Effect.fail(exitWith(1))
)

/** The program over the command line's arguments; its failure carries the exit code. */
export const program = (
  args: ReadonlyArray<string>,
  services: Layer.Layer<Command.Environment>
): Effect.Effect<void, unknown> =>
  (wizardWithoutTerminal(args) ? refuseWizard : Command.runWith(cli, { version })(args)).pipe(
    Effect.tapError(commandFlagHint),
    Effect.tapCause(reportUnexpected),
    Effect.provide(logging),
    Effect.provideServiceEffect(CliOutput.Formatter, escapingFormatter),
    Effect.provide(services)
  )
