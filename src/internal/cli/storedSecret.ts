/**
 * `effect-secrets stored-secret NAME (--from-file PATH | --from-env VAR)`: the Kubernetes Secret Flyte 2's
 * SecretService writes for `flyte create secret NAME` (`Flyte2.kubernetesSecret`). Printed with its data
 * `<redacted>`; the whole manifest only goes to a file (`--out`), created with mode 0600 and never over another.
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as Flyte2 from "../../Flyte2.ts"
import * as Kubernetes from "../../Kubernetes.ts"
import { secretNameProblem } from "../kubernetes/flyte2/store.ts"
import { namespaceProblem } from "../kubernetes/flyte2/storedSecret.ts"
import { hasHiddenCharacter } from "../lookup/naming.ts"
import { adviceFor, readBoundedFile } from "./boundedFile.ts"
import { type CommandFailed, fail } from "./failure.ts"
import { flyte2Scope, redacted } from "./flyte2Scope.ts"
import { print, shellWord, shown } from "./printing.ts"

export interface StoredSecretInput {
  readonly name: string
  readonly project: string | undefined
  readonly domain: string | undefined
  readonly namespace: string | undefined
  readonly fromFile: string | undefined
  readonly fromEnv: string | undefined
  readonly out: string | undefined
}

/** A Kubernetes Secret holds at most 1 MiB: a larger file is refused before it is read. */
const secretCap = { maxBytes: 1024 * 1024, tooLarge: "larger than a Secret's 1 MiB" }

/** The file's bytes, as `flyte create secret --from-file` sends them. */
const fileValue = (file: string): Effect.Effect<Uint8Array, CommandFailed> =>
  Effect.try({
    try: () => readBoundedFile(file, secretCap),
    // The code only: no error text may quote the file.
    catch: (error) => {
      const code = (error as NodeJS.ErrnoException).code
      return fail(
        code === "ENOENT"
          ? `--from-file ${shown(file)}: no such file.`
          : `--from-file ${shown(file)}: cannot read it (${code}).${adviceFor(code)}`
      )
    }
  })

/** A conventional variable's name, shown in a message; other text given as one could be a value passed by mistake. */
const variableName = /^[A-Z_][A-Z0-9_]{0,127}$/

/** The variable's value as UTF-8 bytes, as `flyte create secret --value` sends a value. */
const envValue = (variable: string): Effect.Effect<Uint8Array, CommandFailed> => {
  const value = process.env[variable]
  return value === undefined
    ? Effect.fail(fail(
      variableName.test(variable)
        ? `--from-env ${variable}: the variable is not set.`
        : "--from-env: no variable of that name is set. Its text is not shown: it does not look like a variable's " +
          "name (capitals, digits and _, as OPENAI_KEY) and may be the value itself; give the variable's name."
    ))
    : Effect.succeed(new TextEncoder().encode(value))
}

/** The value from exactly one source. */
const valueOf = (input: StoredSecretInput): Effect.Effect<Uint8Array, CommandFailed> => {
  if ((input.fromFile === undefined) === (input.fromEnv === undefined)) {
    return Effect.fail(fail(
      "Give the value from exactly one source: --from-file PATH (its bytes) or --from-env VAR (a variable's value)."
    ))
  }
  return input.fromFile === undefined ? envValue(input.fromEnv!) : fileValue(input.fromFile)
}

/** The manifest with every value replaced by `<redacted>`. */
const redactedManifest = (manifest: Flyte2.KubernetesSecret): Flyte2.KubernetesSecret => {
  const hide = (data: Readonly<Record<string, string>> | undefined) =>
    data === undefined ? {} : Object.fromEntries(Object.keys(data).map((key) => [key, redacted]))
  return {
    ...manifest,
    ...(manifest.data === undefined ? {} : { data: hide(manifest.data) }),
    ...(manifest.stringData === undefined ? {} : { stringData: hide(manifest.stringData) })
  }
}

/** Writes the manifest to a new file only its owner can read; an existing file is never replaced. */
const writeManifest = (file: string, text: string): Effect.Effect<void, CommandFailed> =>
  Effect.try({
    try: () => fs.writeFileSync(file, text, { mode: 0o600, flag: "wx" }),
    catch: (error) => fail(`--out ${shown(file)}: ${whyNotWritten(file, (error as NodeJS.ErrnoException).code)}`)
  })

/** Why the manifest's file could not be made, and what to do. */
const whyNotWritten = (file: string, code: string | undefined): string => {
  switch (code) {
    case "EEXIST":
      return isDirectory(file)
        ? "that is a folder; name a file in it."
        : "the file exists; remove it or name another (a manifest is never written over a file)."
    case "EISDIR":
      // A path ending in "/" names a folder whether one is there or not (nothing, or a file).
      return isDirectory(file)
        ? "that is a folder; name a file in it."
        : "the path ends with \"/\", which names a folder, and none is there; name the file without it."
    case "ENOENT":
      return "its folder does not exist; create it or name a file in an existing one."
    case "ENOTDIR":
      return "a part of the path is not a folder; name a file in an existing folder."
    case "EACCES":
    case "EPERM":
      return "you may not create a file there; name a file in a folder you can write."
    default:
      return `cannot write it (${code}).`
  }
}

const isDirectory = (file: string): boolean => {
  try {
    return fs.lstatSync(file).isDirectory()
  } catch {
    return false
  }
}

/**
 * Why `--out` cannot name the manifest's file: `-` would be standard input to the printed `kubectl apply -f -` (and
 * the whole manifest, its value in it, is never printed), and a hidden character would be printed in that command.
 */
const outProblem = (out: string): string | undefined =>
  out === ""
    ? "--out \"\": name the file to write the manifest to."
    : out === "-"
    ? "--out -: name a file; the whole manifest holds the value, so it is never printed (and kubectl reads - as " +
      "standard input)."
    : hasHiddenCharacter(out)
    ? `--out ${shown(out)}: a control, format or separator character in the path would be printed in the ` +
      "command to apply the file, where it could forge text; name another file."
    : undefined

/**
 * A path as kubectl's `-f` reads it: its value is one line of comma-separated values, so a path holding a comma or a
 * double quote is given as one quoted value (`"a,b.yaml"`, each `"` doubled), and a relative path that starts as a
 * URL does (`http://`, `https://`) is given as `./path`; kubectl would read another file, none, or fetch the URL.
 */
const kubectlFile = (file: string): string => {
  const local = /^https?:\/\//.test(file) ? `./${file}` : file
  return /[,"]/.test(local) ? `"${local.replaceAll("\"", "\"\"")}"` : local
}

/** Prints the Secret SecretService would write, redacted, or writes it whole to `--out`. */
export const storedSecret = (input: StoredSecretInput): Effect.Effect<void, CommandFailed> =>
  Effect.gen(function*() {
    const badName = secretNameProblem(input.name, "Secret name")
    if (badName !== undefined) return yield* Effect.fail(fail(badName))
    const badOut = input.out === undefined ? undefined : outProblem(input.out)
    if (badOut !== undefined) return yield* Effect.fail(fail(badOut))
    const scope = yield* flyte2Scope(input.project, input.domain)
    const badNamespace = input.namespace === undefined ? undefined : namespaceProblem(input.namespace, "--namespace")
    if (badNamespace !== undefined) return yield* Effect.fail(fail(badNamespace))
    const value = yield* valueOf(input)
    const manifest = yield* Flyte2.kubernetesSecret(
      { name: input.name, ...scope },
      value,
      input.namespace === undefined ? undefined : { namespace: input.namespace }
    ).pipe(Effect.mapError((error) => fail(error.message)))
    if (input.out === undefined) return yield* print(Kubernetes.toYaml(redactedManifest(manifest)).trimEnd())
    yield* writeManifest(input.out, Kubernetes.toYaml(manifest))
    // One shell word each: the command can be copied into a shell as it is.
    yield* print(
      `Wrote Secret ${manifest.metadata.name} (namespace ${manifest.metadata.namespace}) to ${shellWord(input.out)}, ` +
        `readable by you only. Apply it with: kubectl apply -f ${shellWord(kubectlFile(input.out))}`
    )
  })
