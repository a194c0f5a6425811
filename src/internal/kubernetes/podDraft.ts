/**
 * A pod being mutated: a deep copy of the pod given, with the indexes that keep propeller's merge rules linear
 * (flytepropeller `webhook/utils.go`). Environment variables and volume mounts are appended to every container of a
 * list unless one of that name is there; a secret volume whose `secretName` is taken gets the new items instead of
 * a second volume; the Flyte 2 webhook puts variables at the head instead, each replacing the first of its name. Go
 * scans and rebuilds the lists at every step; the sets and maps here give the same answers in constant time, so
 * injecting n secrets costs O(n), not O(n^2).
 */
import type { Container, EnvVar, KeyToPath, Pod, Volume, VolumeMount } from "../../Kubernetes.ts"
import type { Problem } from "./problems.ts"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

export interface DraftContainer extends Mutable<Omit<Container, "env" | "volumeMounts">> {
  env?: Array<EnvVar>
  volumeMounts?: Array<VolumeMount>
}

interface DraftVolume extends Omit<Volume, "secret"> {
  secret?: Mutable<NonNullable<Volume["secret"]>> & { items?: Array<KeyToPath> }
}

interface DraftPod {
  metadata?: { annotations?: Record<string, string>; [field: string]: unknown }
  spec: {
    containers: Array<DraftContainer>
    initContainers?: Array<DraftContainer>
    volumes?: Array<DraftVolume>
    [field: string]: unknown
  }
  [field: string]: unknown
}

/** Which containers of the pod an append goes to. */
export type ContainerList = "containers" | "initContainers"

/** Where a variable stands in an `EnvList`: its array and index. */
interface Slot {
  readonly list: Array<EnvVar | undefined>
  readonly index: number
}

/**
 * A container's variables while the webhook changes them, written back to the container when the draft is finished.
 * A variable put at the head is pushed onto `head` (read backwards), one replaced leaves a hole, and the first
 * variable of each name is indexed: every step costs O(1) however long the list.
 */
interface EnvList {
  /** The variables put at the head, the latest last. */
  readonly head: Array<EnvVar | undefined>
  /** The container's own variables, then those appended. */
  readonly tail: Array<EnvVar | undefined>
  /** Where the first variable of each name stands. */
  readonly first: Map<string, Slot>
  /** Something was written: the container gets the list (an empty `env` included) when the draft is finished. */
  changed: boolean
  readonly container: DraftContainer
}

export interface PodDraft {
  readonly pod: DraftPod
  readonly envLists: Map<DraftContainer, EnvList>
  readonly mountNames: WeakMap<DraftContainer, Set<string>>
  volumeNames: Set<string> | undefined
  secretVolumes: Map<string, DraftVolume> | undefined
  /** The annotations while the webhook merges into them; written back, sorted, when the draft is finished. */
  annotations: Map<string, string> | undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const listProblem = (value: unknown, where: string, itemsAre: string): string | undefined => {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) return `${where} must be an array`
  return value.every(isRecord) ? undefined : `every item of ${where} must be an object (${itemsAre})`
}

/** Why the pod cannot be mutated as propeller would, or `undefined`: only the shapes injection touches are checked. */
const shapeProblem = (pod: unknown): string | undefined => {
  if (!isRecord(pod)) return "a pod must be an object ({ spec: { containers: [...] } })"
  if (pod["metadata"] !== undefined) {
    if (!isRecord(pod["metadata"])) return "metadata must be an object"
    const annotations = pod["metadata"]["annotations"]
    if (annotations !== undefined && !isRecord(annotations)) return "metadata.annotations must be an object"
  }
  const spec = pod["spec"]
  if (spec === undefined) return undefined
  if (!isRecord(spec)) return "spec must be an object"
  for (const list of ["containers", "initContainers"] as const) {
    const problem = listProblem(spec[list], `spec.${list}`, "a container")
    if (problem !== undefined) return problem
    for (const [index, container] of ((spec[list] ?? []) as Array<Record<string, unknown>>).entries()) {
      const where = `spec.${list}[${index}]`
      const inner = listProblem(container["env"], `${where}.env`, "an environment variable") ??
        listProblem(container["volumeMounts"], `${where}.volumeMounts`, "a volume mount")
      if (inner !== undefined) return inner
    }
  }
  return listProblem(spec["volumes"], "spec.volumes", "a volume")
}

/** A draft over a deep copy of the pod (a pod without `spec` is Go's zero pod: no containers), or the problem. */
export const draftOf = (pod: Pod): PodDraft | Problem => {
  const problem = shapeProblem(pod)
  if (problem !== undefined) return { reason: "InvalidPod", detail: problem }
  let copy: DraftPod
  try {
    copy = structuredClone(pod) as unknown as DraftPod
  } catch {
    return { reason: "InvalidPod", detail: "a pod must be plain JSON data" }
  }
  copy.spec ??= { containers: [] }
  copy.spec.containers ??= []
  return {
    pod: copy,
    envLists: new Map(),
    mountNames: new WeakMap(),
    volumeNames: undefined,
    secretVolumes: undefined,
    annotations: undefined
  }
}

export const isDraft = (value: PodDraft | Problem): value is PodDraft => "pod" in value

/** The names in a list, built on first use and kept up to date by the appends. */
const namesIn = <A extends { readonly name: string }>(
  index: WeakMap<DraftContainer, Set<string>>,
  container: DraftContainer,
  list: ReadonlyArray<A> | undefined
): Set<string> => {
  let names = index.get(container)
  if (names === undefined) index.set(container, names = new Set((list ?? []).map((item) => item.name)))
  return names
}

const copyEnvVar = (envVar: EnvVar): EnvVar => {
  const ref = envVar.valueFrom?.secretKeyRef
  return envVar.valueFrom === undefined
    ? { ...envVar }
    : ref === undefined
    ? structuredClone(envVar)
    : { ...envVar, valueFrom: { secretKeyRef: { ...ref } } }
}

/** The container's variables as the draft changes them, indexed on first use. */
const envListOf = (draft: PodDraft, container: DraftContainer): EnvList => {
  let env = draft.envLists.get(container)
  if (env === undefined) {
    const tail: Array<EnvVar | undefined> = [...(container.env ?? [])]
    const first = new Map<string, Slot>()
    for (const [index, envVar] of tail.entries()) {
      if (!first.has(envVar!.name)) first.set(envVar!.name, { list: tail, index })
    }
    draft.envLists.set(container, env = { head: [], tail, first, changed: false, container })
  }
  return env
}

/** Marks a write; the first one gives the container its `env` field, where a printed pod shows it (Go's order). */
const written = (env: EnvList): void => {
  if (env.changed) return
  env.changed = true
  env.container.env ??= []
}

const pushTail = (env: EnvList, envVar: EnvVar): void => {
  written(env)
  env.first.set(envVar.name, { list: env.tail, index: env.tail.push(envVar) - 1 })
}

/** `AppendEnvVars`: the variable is added to each container of the list that has none of its name. */
export const appendEnvVars = (draft: PodDraft, list: ContainerList, envVar: EnvVar): void => {
  for (const container of draft.pod.spec[list] ?? []) {
    const env = envListOf(draft, container)
    // Each container gets its own copy, as Go's value semantics give it.
    if (!env.first.has(envVar.name)) pushTail(env, copyEnvVar(envVar))
  }
}

/** The first variable of that name in the container, if any. */
export const envVarNamed = (draft: PodDraft, container: DraftContainer, name: string): EnvVar | undefined => {
  const slot = envListOf(draft, container).first.get(name)
  return slot?.list[slot.index]
}

/** The variable replaces the first of its name where that one stands, or is appended when there is none. */
export const putEnvVar = (draft: PodDraft, container: DraftContainer, envVar: EnvVar): void => {
  const env = envListOf(draft, container)
  const slot = env.first.get(envVar.name)
  if (slot === undefined) return pushTail(env, envVar)
  written(env)
  slot.list[slot.index] = envVar
}

/** The mount, when given, and the variables, to each init container and container (each list in its own order). */
const toEveryContainer = (
  draft: PodDraft,
  mount: VolumeMount | undefined,
  addEnvVars: (list: ContainerList) => void
): void => {
  for (const list of ["initContainers", "containers"] as const) {
    if (mount !== undefined) appendVolumeMounts(draft, list, mount)
    addEnvVars(list)
  }
}

/**
 * What every injector does to the pod's containers: the variables appended, in order, and the mount when given, to
 * each init container and container (each list keeps its own order, as propeller's calls give it).
 */
export const appendToEveryContainer = (
  draft: PodDraft,
  envVars: ReadonlyArray<EnvVar>,
  mount?: VolumeMount
): void =>
  toEveryContainer(draft, mount, (list) => {
    for (const envVar of envVars) appendEnvVars(draft, list, envVar)
  })

/** `AppendVolumeMounts`: the mount is added to each container of the list that has none of its name. */
export const appendVolumeMounts = (draft: PodDraft, list: ContainerList, mount: VolumeMount): void => {
  for (const container of draft.pod.spec[list] ?? []) {
    const names = namesIn(draft.mountNames, container, container.volumeMounts)
    if (names.has(mount.name)) continue
    names.add(mount.name)
    ;(container.volumeMounts ??= []).push({ ...mount })
  }
}

const volumeNamesOf = (draft: PodDraft): Set<string> =>
  draft.volumeNames ??= new Set((draft.pod.spec.volumes ?? []).map((volume) => volume.name))

/** The first secret volume of each `secretName`, as Go's scan finds it. */
const secretVolumesOf = (draft: PodDraft): Map<string, DraftVolume> => {
  if (draft.secretVolumes === undefined) {
    draft.secretVolumes = new Map()
    for (const volume of draft.pod.spec.volumes ?? []) {
      const name = volume.secret?.secretName ?? ""
      if (volume.secret !== undefined && !draft.secretVolumes.has(name)) draft.secretVolumes.set(name, volume)
    }
  }
  return draft.secretVolumes
}

const pushVolume = (draft: PodDraft, volume: Volume): void => {
  const copy = structuredClone(volume) as DraftVolume
  ;(draft.pod.spec.volumes ??= []).push(copy)
  volumeNamesOf(draft).add(copy.name)
  const secretName = copy.secret?.secretName ?? ""
  if (copy.secret !== undefined && !secretVolumesOf(draft).has(secretName)) {
    secretVolumesOf(draft).set(secretName, copy)
  }
}

/**
 * `AppendVolume`: a secret volume whose `secretName` an existing secret volume has is merged into it (its items
 * appended, whatever the volumes' names); any other volume is appended, even under a name already taken.
 */
export const appendVolume = (draft: PodDraft, volume: Volume): void => {
  const existing = volume.secret === undefined
    ? undefined
    : secretVolumesOf(draft).get(volume.secret.secretName ?? "")
  if (existing?.secret === undefined) return pushVolume(draft, volume)
  ;(existing.secret.items ??= []).push(...(volume.secret?.items ?? []).map((item) => ({ ...item })))
}

/** `appendVolumeIfNotExists`: the volume is appended unless one of its name is there. */
export const appendVolumeIfNotExists = (draft: PodDraft, volume: Volume): void => {
  if (!volumeNamesOf(draft).has(volume.name)) pushVolume(draft, volume)
}

/** The number of init containers, which names the next sidecar (`aws-pull-secret-<n>`). */
export const initContainerCount = (draft: PodDraft): number => draft.pod.spec.initContainers?.length ?? 0

export const appendInitContainer = (draft: PodDraft, container: Container): void => {
  ;(draft.pod.spec.initContainers ??= []).push(structuredClone(container) as DraftContainer)
}

/**
 * `UnionMaps(...maps, existing)` into the pod's annotations: for each key, the last map that has it wins and an
 * annotation the pod already has wins over all of them. Only the new keys are visited.
 */
export const unionAnnotations = (
  draft: PodDraft,
  ...maps: ReadonlyArray<Iterable<readonly [string, string]>>
): void => {
  const annotations = draft.annotations ??= new Map(Object.entries(draft.pod.metadata?.annotations ?? {}))
  for (let index = maps.length - 1; index >= 0; index--) {
    for (const [key, value] of maps[index]!) {
      if (!annotations.has(key)) annotations.set(key, value)
    }
  }
}

/** The variables in their order: the head's latest first, then the tail, without the holes replacements left. */
const envOf = (env: EnvList): Array<EnvVar> => {
  const envVars: Array<EnvVar> = []
  for (let index = env.head.length - 1; index >= 0; index--) {
    if (env.head[index] !== undefined) envVars.push(env.head[index]!)
  }
  for (const envVar of env.tail) if (envVar !== undefined) envVars.push(envVar)
  return envVars
}

/** The mutated pod. Annotations the webhook merged come out sorted by key, as Go encodes a map. */
export const finish = (draft: PodDraft): Pod => {
  for (const [container, env] of draft.envLists) if (env.changed) container.env = envOf(env)
  if (draft.annotations !== undefined) {
    const metadata = draft.pod.metadata ??= {}
    // Entries become own properties: a key such as "__proto__" is an annotation like any other.
    metadata.annotations = Object.fromEntries([...draft.annotations].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
  }
  return draft.pod as unknown as Pod
}

/**
 * The Flyte 2 webhook's `AppendEnvVars`: the variables end up at the head of every container of the list, in the
 * order given, each replacing the first existing variable of its name (Go deletes it, then prepends the new one,
 * one variable at a time, so the calls are made here in reverse).
 */
export const prependEnvVars = (draft: PodDraft, list: ContainerList, envVars: ReadonlyArray<EnvVar>): void => {
  for (const container of draft.pod.spec[list] ?? []) {
    const env = envListOf(draft, container)
    written(env)
    for (let index = envVars.length - 1; index >= 0; index--) {
      const replaced = env.first.get(envVars[index]!.name)
      if (replaced !== undefined) replaced.list[replaced.index] = undefined
      env.first.set(envVars[index]!.name, { list: env.head, index: env.head.push(copyEnvVar(envVars[index]!)) - 1 })
    }
  }
}

/** What every Flyte 2 injector does to the pod's containers: the mount when given, the variables at the head. */
export const prependToEveryContainer = (
  draft: PodDraft,
  envVars: ReadonlyArray<EnvVar>,
  mount?: VolumeMount
): void => toEveryContainer(draft, mount, (list) => prependEnvVars(draft, list, envVars))

/** The init container of that name, if the pod has one. */
export const findInitContainer = (draft: PodDraft, name: string): DraftContainer | undefined =>
  draft.pod.spec.initContainers?.find((container) => container.name === name)

/** The pod's labels, as far as they are strings. */
export const labelOf = (draft: PodDraft, label: string): string => {
  const labels = draft.pod.metadata?.["labels"]
  const value = typeof labels === "object" && labels !== null ? (labels as Record<string, unknown>)[label] : undefined
  return typeof value === "string" ? value : ""
}

/** Adds `{ name }` to the pod's image pull secrets, once, the list sorted by name. */
export const addImagePullSecret = (draft: PodDraft, name: string): void => {
  const current = (draft.pod.spec["imagePullSecrets"] ?? []) as Array<{ readonly name: string }>
  if (current.some((entry) => entry.name === name)) return
  draft.pod.spec["imagePullSecrets"] = [...current, { name }].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  )
}
