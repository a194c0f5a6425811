/**
 * A local stand-in for a task pod: the pod `injectSecrets` renders is read (`podLayout.ts`), every value checked,
 * then the container's files are written in a fresh temporary directory standing for `/etc/flyte/secrets`, which
 * the scope removes. Kubernetes Secret volumes are projected as the kubelet does (`kubeletLayout.ts`), so `update`
 * rotates them the same way.
 */
import * as Effect from "effect/Effect"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import { Environment } from "../../Environment.ts"
import type {
  Flyte2MaterializeOptions,
  Flyte2SecretFields,
  InjectOptions,
  Materialized,
  MaterializeValues,
  Pod
} from "../../Kubernetes.ts"
import type { SecretInjectionError } from "../../KubernetesError.ts"
import type { Secret, SecretInput } from "../../Secret.ts"
import { SecretsConfig } from "../../SecretsConfig.ts"
import { SecretsManager } from "../../SecretsManager.ts"
import { makeOwnedTempDir } from "../files/ownedTempDirs.ts"
import { quoteName } from "../lookup/naming.ts"
import { strictUtf8Text } from "../lookup/text.ts"
import { fs, path } from "../nodeBuiltins.ts"
import { flyte2ScopeLabels } from "./annotations.ts"
import { awsSecretArn } from "./awsInjector.ts"
import { injectFlyte2Pod } from "./flyte2/mutator.ts"
import { decodeFlyte2Secrets, namesOfFlyte2 } from "./flyte2/secrets.ts"
import { md5Hex } from "./flyte2/store.ts"
import { fileMode, writeAtomic, writeSteps } from "./kubeletLayout.ts"
import { containerLayout, type EnvValue, type SecretVolumeLayout, type ValueRef } from "./podLayout.ts"
import { rejection } from "./podValidation.ts"
import { type Problem, toError } from "./problems.ts"
import { injectPod, isFlyte2Options, toSecrets } from "./secretsMutator.ts"

/** The pod a task runs in before injection: one container, as propeller renders a plain Python task. */
const taskPod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "task" },
  spec: { containers: [{ name: "task" }] }
}

const encoder = new TextEncoder()
const newlineByte = new Uint8Array([10])

const address = (ref: ValueRef) => `values[${quoteName(ref.group)}][${quoteName(ref.key)}]`

/** The value at `values[group][key]` as bytes, reading own properties only. */
const valueOf = (values: MaterializeValues, ref: ValueRef): Uint8Array | Problem => {
  const names = { group: ref.group, key: ref.key }
  const group = typeof values === "object" && values !== null && Object.hasOwn(values, ref.group)
    ? values[ref.group]
    : undefined
  const value = typeof group === "object" && group !== null && Object.hasOwn(group, ref.key)
    ? group[ref.key]
    : undefined
  if (value === undefined) {
    return { reason: "MissingValue", secret: names, detail: `materialize needs ${address(ref)}, a string or bytes.` }
  }
  if (typeof value === "string") return encoder.encode(value)
  if (value instanceof Uint8Array) return value
  return { reason: "InvalidValue", secret: names, detail: `${address(ref)} must be a string or a Uint8Array.` }
}

/** An environment variable's text: UTF-8, without NUL (a process environment cannot hold either otherwise). */
const envText = (bytes: Uint8Array, ref: ValueRef | undefined, name: string): string | Problem => {
  const refused = (why: string): Problem => ({
    reason: "InvalidValue",
    ...(ref === undefined ? {} : { secret: { group: ref.group, key: ref.key } }),
    detail: `the environment variable ${quoteName(name)} cannot hold ${why}; mount the secret as a FILE instead.`
  })
  const text = strictUtf8Text(bytes)
  if (text === undefined) return refused("bytes that are not UTF-8")
  return text.includes("\u0000") ? refused("a NUL character") : text
}

/** A secret volume and what it holds now: item path -> content, and which keys the paths show. */
interface ProjectedVolume {
  readonly layout: SecretVolumeLayout
  readonly payload: Map<string, Uint8Array>
  readonly pathsOf: ReadonlyMap<string, ReadonlyArray<string>>
}

/** Everything to write, checked: nothing is written before the whole plan exists. */
export interface Plan {
  readonly env: ReadonlyArray<readonly [string, string | { readonly relative: string }]>
  readonly volumes: ReadonlyArray<ProjectedVolume>
  readonly files: ReadonlyArray<{ readonly relative: string; readonly bytes: Uint8Array }>
}

const isProblem = (value: object): value is Problem => "reason" in value && !(value instanceof Uint8Array)

const projected = (layout: SecretVolumeLayout, values: MaterializeValues): ProjectedVolume | Problem => {
  const group = Object.hasOwn(values, layout.secretName) ? values[layout.secretName] ?? {} : {}
  const items = layout.items ?? Object.keys(group).map((key) => ({ key, path: key }))
  const payload = new Map<string, Uint8Array>()
  const pathsOf = new Map<string, Array<string>>()
  // Later items win a path, as the kubelet builds its payload.
  for (const item of items) {
    const bytes = valueOf(values, { group: layout.secretName, key: item.key })
    if (isProblem(bytes)) return bytes
    payload.set(item.path, bytes)
    pathsOf.set(item.key, [...(pathsOf.get(item.key) ?? []), item.path])
  }
  return { layout, payload, pathsOf }
}

/** The secrets as the webhook reads them and the pod it renders from the task pod, or why it cannot. */
const render = (
  secrets: ReadonlyArray<Secret | SecretInput>,
  options: InjectOptions | Flyte2MaterializeOptions
): Result.Result<{ readonly pod: Pod; readonly declared: ReadonlyArray<Flyte2SecretFields> }, Problem> => {
  if (!isFlyte2Options(options)) {
    const declared = toSecrets(secrets)
    if (!Array.isArray(declared)) return Result.fail(declared)
    return Result.map(injectPod(taskPod, declared, options), (pod) => ({ pod, declared }))
  }
  const declared = decodeFlyte2Secrets(secrets)
  if ("reason" in declared) return Result.fail(declared)
  // The init container's script reads one `key=value` per line: such a key would write another file.
  const split = declared.find(({ key }) => key !== undefined && /[\n=]/.test(key))
  if (split !== undefined) {
    return Result.fail({
      reason: "UnsupportedLayout",
      secret: namesOfFlyte2(split),
      detail: "a key holding a line break or \"=\" would make the Embedded init container write another file."
    })
  }
  const labels = flyte2ScopeLabels(options)
  if (typeof labels === "string") return Result.fail({ reason: "InvalidOptions", detail: labels })
  const pod = { ...taskPod, metadata: { ...taskPod.metadata, labels } }
  return Result.map(injectFlyte2Pod(pod, secrets, options), (pod) => ({ pod, declared }))
}

/** A key-only secret's value is `values[""][key]`; the K8s backend names its Kubernetes Secret `md5hex(key)`. */
const withKeyOnlyGroups = (
  values: MaterializeValues,
  declared: ReadonlyArray<Flyte2SecretFields>
): MaterializeValues => {
  const keyOnly = Object.hasOwn(values, "") ? values[""] : undefined
  if (keyOnly === undefined) return values
  const extended: Record<string, Readonly<Record<string, string | Uint8Array>>> = { ...values }
  for (const { group, key } of declared) {
    if (group || !key || !Object.hasOwn(keyOnly, key)) continue
    extended[md5Hex(key)] = { ...extended[md5Hex(key)], [key]: keyOnly[key]! }
  }
  return extended
}

const planOf = (
  secrets: ReadonlyArray<Secret | SecretInput>,
  given: MaterializeValues,
  options: InjectOptions | Flyte2MaterializeOptions
): Result.Result<Plan, Problem> => {
  if (typeof given !== "object" || given === null) {
    return Result.fail({ reason: "InvalidValue", detail: "values must be an object: values[group][key]." })
  }
  const rendered = render(secrets, options)
  if (Result.isFailure(rendered)) return Result.fail(rendered.failure)
  const { declared, pod } = rendered.success
  const values = withKeyOnlyGroups(given, declared)
  const rejected = rejection(pod)
  if (rejected !== undefined) return Result.fail(rejected)
  // The AWS sidecar fetches `<group>:<key>`; which declared secret that is, the declarations tell.
  const arns = new Map<string, ValueRef>()
  for (const { group, key } of declared) {
    if (group && key && !arns.has(awsSecretArn(group, key))) arns.set(awsSecretArn(group, key), { group, key })
  }
  const layout = containerLayout(pod, pod.spec.containers[0]!, (arn) => arns.get(arn))
  if (Result.isFailure(layout)) return Result.fail(layout.failure)
  const env: Array<readonly [string, string | { readonly relative: string }]> = []
  for (const [name, value] of layout.success.env) {
    const resolved = resolveEnv(name, value, values)
    if (typeof resolved === "object" && "reason" in resolved) return Result.fail(resolved)
    env.push([name, resolved])
  }
  const volumes: Array<ProjectedVolume> = []
  for (const volume of layout.success.volumes) {
    const projection = projected(volume, values)
    if (isProblem(projection)) return Result.fail(projection)
    volumes.push(projection)
  }
  // Init containers run in order: a later one writing the same file wins.
  const files = new Map<string, Uint8Array>()
  for (const file of layout.success.carried) files.set(file.relative, file.bytes)
  const overwritten = overwrittenSecret(layout.success.files)
  if (overwritten !== undefined) return Result.fail(overwritten)
  for (const file of layout.success.files) {
    const bytes = valueOf(values, file.ref)
    if (isProblem(bytes)) return Result.fail(bytes)
    files.delete(file.relative)
    files.set(file.relative, file.newline ? Buffer.concat([bytes, newlineByte]) : bytes)
  }
  const clash = fileUnderFile([...files.keys()], volumes.map((volume) => volume.layout.relative))
  if (clash !== undefined) return Result.fail(clash)
  return Result.succeed({ env, volumes, files: [...files].map(([relative, bytes]) => ({ relative, bytes })) })
}

/**
 * Two init containers that write one file from different secrets (Azure names a file after a Key Vault URI's last
 * segment alone, lower-cased): the later overwrites the earlier, and the earlier secret would read the other's value.
 */
const overwrittenSecret = (
  files: ReadonlyArray<{ readonly relative: string; readonly ref: ValueRef }>
): Problem | undefined => {
  const writers = new Map<string, ValueRef>()
  for (const { ref, relative } of files) {
    const earlier = writers.get(relative)
    if (earlier !== undefined && (earlier.group !== ref.group || earlier.key !== ref.key)) {
      return {
        reason: "UnsupportedLayout",
        detail: `${quoteName(relative)} is written for two secrets (${quoteName(earlier.group)} and ` +
          `${quoteName(ref.group)}): the later would overwrite the earlier (the file is named by part of the name, ` +
          "lower-cased); give each secret a name of its own there."
      }
    }
    writers.set(relative, ref)
  }
  return undefined
}

/** A file that would have to be a directory too (Azure's `NAME` and `NAME/VERSION`, say): the pod cannot start. */
const fileUnderFile = (files: ReadonlyArray<string>, dirs: ReadonlyArray<string>): Problem | undefined => {
  const isFile = new Set(files)
  // A file's parents must be directories; so must a volume's directory itself.
  const needDirs = [...files.map((file) => [file, false] as const), ...dirs.map((dir) => [dir, true] as const)]
  for (const [inner, isDir] of needDirs) {
    const parts = inner.split("/")
    for (let depth = 1; depth < parts.length + (isDir ? 1 : 0); depth++) {
      const outer = parts.slice(0, depth).join("/")
      if (isFile.has(outer)) {
        return {
          reason: "UnsupportedLayout",
          detail: `${quoteName(outer)} would be a file and a directory (for ${quoteName(inner)}): the pod's secrets ` +
            "clash."
        }
      }
    }
  }
  return undefined
}

const resolveEnv = (
  name: string,
  value: EnvValue,
  values: MaterializeValues
): string | { readonly relative: string } | Problem => {
  if (value.kind === "text") return value.text
  if (value.kind === "path") return { relative: value.relative }
  const bytes = valueOf(values, value.ref)
  return isProblem(bytes) ? bytes : envText(bytes, value.ref, name)
}

/** The start of a pod directory's name; the rest names the process that made it (`ownedTempDirs.ts`). */
export const podDirPrefix = "effect-secrets-pod-"

/** The plan written into a new temporary directory; a failure removes the directory before it is reported. */
export const layOut = (plan: Plan): string => {
  const dir = makeOwnedTempDir(podDirPrefix)
  try {
    for (const volume of plan.volumes) {
      const target = path.join(dir, volume.layout.relative)
      fs.mkdirSync(target, { recursive: true })
      writeAtomic(target, volume.payload)
    }
    for (const file of plan.files) {
      const target = path.join(dir, file.relative)
      fs.mkdirSync(path.dirname(target), { recursive: true })
      fs.writeFileSync(target, file.bytes, { mode: fileMode })
      fs.chmodSync(target, fileMode)
    }
    return dir
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

const fileSystemProblem = (doing: string) => (error: unknown): Problem => ({
  reason: "FileSystemError",
  detail: `${doing} failed (${(error as NodeJS.ErrnoException).code ?? "unknown error"}).`
})

const redactedEnv = (env: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.keys(env).map((name) => [name, "<redacted>"]))

const makeMaterialized = (dir: string, plan: Plan): Materialized => {
  const env: Record<string, string> = {}
  for (const [name, value] of plan.env) {
    Object.defineProperty(env, name, {
      value: typeof value === "string" ? value : path.join(dir, value.relative),
      enumerable: true
    })
  }
  Object.freeze(env)
  // The kubelet never runs two writes of one volume at once.
  const writing = Semaphore.makeUnsafe(1)
  const update = (group: string, key: string, value: string | Uint8Array) =>
    writing.withPermit(Effect.suspend(() => {
      const names = { group, key }
      const bytes = typeof value === "string" ? encoder.encode(value) : value instanceof Uint8Array ? value : undefined
      if (bytes === undefined) {
        return Effect.fail(
          toError({ reason: "InvalidValue", secret: names, detail: "a value is a string or a Uint8Array." })
        )
      }
      const volume = plan.volumes.find((candidate) =>
        candidate.layout.secretName === group && (candidate.pathsOf.has(key) || candidate.layout.items === undefined)
      )
      if (volume === undefined) {
        return Effect.fail(toError({
          reason: "NotUpdatable",
          secret: names,
          detail: "only a Kubernetes Secret volume changes in a running pod (the kubelet rotates it); environment " +
            "variables keep their value and the AWS, GCP and Vault agents write their files once, at start."
        }))
      }
      for (const itemPath of volume.pathsOf.get(key) ?? [key]) volume.payload.set(itemPath, bytes)
      const target = path.join(dir, volume.layout.relative)
      // One step at a time, so readers in this process run between the steps as they would beside the kubelet.
      return Effect.forEach(writeSteps(target, volume.payload), (step) =>
        Effect.andThen(
          Effect.try({
            try: step,
            catch: (error) => toError(fileSystemProblem("updating")(error))
          }),
          Effect.yieldNow
        ), { discard: true })
    }))
  const printed = () => ({ dir, env: redactedEnv(env) })
  // How it prints is not data: the three are not enumerable, so `{ ...materialized }` is `{ env, dir, update }`.
  return Object.defineProperties({ env, dir, update }, {
    toJSON: { value: printed },
    toString: { value: () => `Materialized(${dir})` },
    [NodeInspectSymbol]: { value: printed }
  }) as Materialized
}

export const materialize = (
  secrets: ReadonlyArray<Secret | SecretInput>,
  values: MaterializeValues,
  options: InjectOptions | Flyte2MaterializeOptions
): Effect.Effect<Materialized, SecretInjectionError, Scope.Scope> =>
  Effect.suspend(() => {
    const plan = planOf(secrets, values, options)
    if (Result.isFailure(plan)) return Effect.fail(toError(plan.failure))
    return Effect.acquireRelease(
      Effect.try({ try: () => layOut(plan.success), catch: (error) => toError(fileSystemProblem("writing")(error)) }),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    ).pipe(Effect.map((dir) => makeMaterialized(dir, plan.success)))
  })

/** A `SecretsManager` over the materialised environment and directory, not a local run. */
export const managerLayer = (materialized: Materialized): Layer.Layer<SecretsManager, SecretInjectionError> => {
  const environment = Environment.layerTest(materialized.env)
  const config = Layer.effect(
    SecretsConfig,
    SecretsConfig.useSync((read) => SecretsConfig.of({ ...read, local: false }))
  ).pipe(
    Layer.provide(SecretsConfig.layerNoDeps),
    Layer.provide(environment),
    Layer.catchTag("ConfigError", () =>
      Layer.effect(
        SecretsConfig,
        Effect.fail(toError({
          reason: "InvalidConfiguration",
          detail: "a FLYTE_SECRETS_* variable of the pod holds a value the configuration refuses (is a declared " +
            "envVar named like one?)."
        }))
      ))
  )
  return SecretsManager.layerNodeFiles.pipe(Layer.provide([config, environment]))
}
