/**
 * `effect-secrets run -- CMD ARGS...`: the declared secrets found through the usual lookup, laid out as the task's
 * pod would have them (`Kubernetes.materialize`: its variables, its files in the kubelet's layout), CMD run with
 * that environment, and the files removed once it ends, whatever ends it. The exit code is CMD's. CMD's stdout and
 * stderr are masked (the values injected, in every form) unless `--no-masking`; a terminal only with `--mask-tty`.
 * With `--flyte 2` the pod is the Flyte 2 webhook's: its Embedded secret manager inlines the values found (stored at
 * the organisation scope) as variables, and its init container's files.
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Kubernetes from "../../Kubernetes.ts"
import { Secret } from "../../Secret.ts"
import type { SecretNotFound } from "../../SecretsError.ts"
import { SecretsManager } from "../../SecretsManager.ts"
import { removeOrphanedTempDirs } from "../files/ownedTempDirs.ts"
import { podDirPrefix } from "../kubernetes/materialize.ts"
import { inTask } from "../lookup/misses.ts"
import { maskForms, rawByteForms } from "../masking/forms.ts"
import { type CommandEnd, runCommand } from "./childProcess.ts"
import { withEnvFiles } from "./envFiles.ts"
import { type CommandExited, type CommandFailed, exitWith, fail } from "./failure.ts"
import { storeAt } from "./flyte2Scope.ts"
import { loadTasks, selectTask } from "./modules.ts"
import { quoted, shown } from "./printing.ts"
import { withSecretsManager } from "./secretsLayer.ts"
import { signalExitCode, watchEndingSignals } from "./signals.ts"

export interface RunInput {
  readonly module: string | undefined
  readonly task: string | undefined
  readonly secrets: ReadonlyArray<string>
  readonly envFiles: ReadonlyArray<string>
  readonly command: ReadonlyArray<string>
  /** The Flyte whose webhook lays the secrets out (default 1). */
  readonly flyte?: 1 | 2
  /** Mask the command's stdout and stderr (`--no-masking` turns it off), terminals too with `maskTty`. */
  readonly masking?: boolean
  readonly maskTty?: boolean
}

/** A secret to inject, and the task that declares it (none for a `--secret`). */
interface Declared {
  readonly secret: Secret
  readonly task: string | undefined
}

const mounts: ReadonlyArray<string> = ["ANY", "ENV_VAR", "FILE"]

/** `GROUP/KEY[:ENV_VAR|FILE]` as a declaration; a key never holds ":", so whatever follows one is the mount. */
export const parseSecretSpec = (spec: string): Result.Result<Secret, string> => {
  const colon = spec.indexOf(":")
  const names = colon === -1 ? spec : spec.slice(0, colon)
  const mount = colon === -1 ? "ANY" : spec.slice(colon + 1)
  if (!mounts.includes(mount)) {
    return Result.fail(
      `--secret ${quoted(spec)}: ${quoted(`:${mount}`)} is not a mount requirement; ` +
        "end the spec with :ENV_VAR or :FILE, or with neither (my-api-keys/github_token:ENV_VAR)"
    )
  }
  const slash = names.indexOf("/")
  if (slash <= 0 || slash === names.length - 1) {
    return Result.fail(
      `--secret ${quoted(spec)}: write GROUP/KEY, optionally followed by :ENV_VAR or :FILE ` +
        "(my-api-keys/github_token:ENV_VAR)"
    )
  }
  try {
    return Result.succeed(
      new Secret({
        group: names.slice(0, slash),
        key: names.slice(slash + 1),
        mountRequirement: mount as "ANY" | "ENV_VAR" | "FILE"
      })
    )
  } catch (error) {
    return Result.fail(`--secret ${quoted(spec)}: ${(error as Error).message}`)
  }
}

/** The secrets to inject: the task's declarations, then each `--secret`. */
const declaredSecrets = (input: RunInput): Effect.Effect<ReadonlyArray<Declared>, CommandFailed> =>
  Effect.gen(function*() {
    if (input.module === undefined && input.task !== undefined) {
      return yield* Effect.fail(fail("--task names a task of a module: give the module with --module."))
    }
    if (input.module === undefined && input.secrets.length === 0) {
      return yield* Effect.fail(fail(
        "Nothing to inject: name a task (--module MODULE --task NAME) or secrets (--secret GROUP/KEY[:ENV_VAR|FILE])."
      ))
    }
    const fromTask: Array<Declared> = []
    if (input.module !== undefined) {
      const task = yield* selectTask(yield* loadTasks(input.module), input.task, input.module)
      for (const secret of task.secretRequests) fromTask.push({ secret, task: task.name })
    }
    const fromFlags = yield* Effect.forEach(input.secrets, (spec) =>
      Result.match(parseSecretSpec(spec), {
        onFailure: (problem) => Effect.fail(fail(problem)),
        onSuccess: (secret) => Effect.succeed({ secret, task: undefined })
      }))
    return [...fromTask, ...fromFlags]
  })

/** The request that reads a declared secret's exact bytes, as the task's own lookup would find it. */
const bytesRequest = (secret: Secret) => ({
  ...(secret.group === undefined ? {} : { group: secret.group }),
  ...(secret.key === undefined ? {} : { key: secret.key }),
  ...(secret.groupVersion === undefined ? {} : { groupVersion: secret.groupVersion }),
  ...(secret.envVar === undefined ? {} : { envVar: secret.envVar }),
  mountRequirement: secret.mountRequirement,
  // A Flyte 2 declaration is found at Flyte 2's places.
  ...(secret.origin === "flyte2" ? { origin: secret.origin } : {}),
  encodeMode: "rb" as const
})

/** A declared secret and its value, as the lookup found it. */
type Found = readonly [Secret, Uint8Array]

/** Every declared secret's value; every miss named when any is missing. */
const lookUpValues = (
  declared: ReadonlyArray<Declared>,
  command: string
): Effect.Effect<ReadonlyArray<Found>, CommandFailed, SecretsManager> =>
  Effect.gen(function*() {
    const manager = yield* SecretsManager
    const found: Array<Found> = []
    const misses: Array<SecretNotFound> = []
    for (const { secret, task } of declared) {
      const outcome = yield* Effect.result(manager.get(bytesRequest(secret)))
      if (Result.isFailure(outcome)) {
        misses.push(task === undefined ? outcome.failure : inTask(outcome.failure, task, true))
      } else {
        found.push([secret, outcome.success])
      }
    }
    if (misses.length > 0) {
      return yield* Effect.fail(fail(
        `${misses.length} secret(s) missing; ${shown(command)} was not started.` +
          misses.map((miss) => `\n\n${miss.message}`).join("")
      ))
    }
    return found
  })

/** Flyte 1's values, `values[group][key]`. */
const valuesByGroup = (found: ReadonlyArray<Found>): Kubernetes.MaterializeValues => {
  const values: Record<string, Record<string, Uint8Array>> = Object.create(null)
  for (const [secret, value] of found) {
    if (secret.group !== undefined && secret.key !== undefined) {
      ;(values[secret.group] ??= Object.create(null))[secret.key] = value
    }
  }
  return values
}

/** The pod's environment and files: Flyte 1's webhook, or Flyte 2's with the values stored for Embedded. */
const materialized = (input: RunInput, found: ReadonlyArray<Found>) => {
  const secrets = found.map(([secret]) => secret)
  const laidOut = input.flyte === 2
    ? Kubernetes.materialize(secrets, {}, {
      flyte: 2,
      embedded: {
        store: storeAt(found.flatMap(([secret, value]) => secret.key === undefined ? [] : [[secret.key, value]]), {})
      }
    })
    : Kubernetes.materialize(secrets, valuesByGroup(found))
  return laidOut.pipe(
    Effect.mapError((error) => fail(`Cannot lay the secrets out as the pod would have them: ${error.message}`))
  )
}

/**
 * What to mask in the command's output: every form of every value injected, and the bytes of those that are not
 * text (a command may copy a file to its output); nothing with `--no-masking`.
 */
const outputMasking = (input: RunInput, found: ReadonlyArray<Found>) => {
  if (input.masking === false) return undefined
  const injected = found.map(([, value]) => value)
  return {
    forms: injected.flatMap(maskForms),
    rawBytes: injected.flatMap(rawByteForms),
    maskTerminals: input.maskTty === true
  }
}

/** Looks the secrets up, lays them out, runs the command; fails with its exit code when that is not 0. */
export const run = (input: RunInput): Effect.Effect<void, CommandFailed | CommandExited> =>
  Effect.scoped(Effect.gen(function*() {
    const [command, ...args] = input.command
    if (command === undefined) return yield* Effect.fail(fail("Give the command to run after --: run -- CMD ARGS..."))
    let end: CommandEnd | undefined
    const signals = yield* watchEndingSignals
    // Added before the files, so it runs once they are removed. A signal interrupts this program (the runtime
    // would exit with 130); the exit code is how the command ended, as it got the signal too, or a shell's code
    // for the signal when it had not started.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        const signal = signals.received()
        if (signal !== undefined) process.exit(end?.exitCode ?? signalExitCode(signal))
      })
    )
    const declared = yield* declaredSecrets(input)
    const variables = yield* withEnvFiles(input.envFiles)
    const found = yield* withSecretsManager(lookUpValues(declared, command), variables)
    // A run killed with SIGKILL could not remove its files: they go now.
    yield* Effect.sync(() => removeOrphanedTempDirs(podDirPrefix))
    const pod = yield* materialized(input, found)
    // Uninterruptible: a signal is passed on to the command, and the files stay until it has ended.
    const ended = yield* Effect.uninterruptible(Effect.tap(
      runCommand(command, args, { ...variables, ...pod.env }, outputMasking(input, found)),
      (ended) => Effect.sync(() => end = ended)
    ))
    if (ended.exitCode !== 0) return yield* Effect.fail(exitWith(ended.exitCode))
  }))
