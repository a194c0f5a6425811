/**
 * What Flyte 2's SecretService holds, as the Embedded secret manager reads it: values under ids
 * `u__org__<org>__domain__<domain>__project__<project>__key__<name>`, looked up from the narrowest scope a pod's
 * labels name (project and domain) to the broadest (the organisation). A store prints names only, never values.
 */
import { NodeInspectSymbol } from "effect/Inspectable"
import { quoteName, shownName } from "../../lookup/naming.ts"
import { crypto } from "../../nodeBuiltins.ts"
import { isLabelValue } from "../podValidation.ts"

/** The organisation SecretService writes every secret under, whatever the request says. */
export const serviceOrganization = "flyte"

/** A stored value as the fetcher answers it: text, bytes, or an error other than "not found". */
export type StoredValue =
  | { readonly stringValue: string; readonly binaryValue?: undefined; readonly error?: undefined }
  | { readonly binaryValue: Uint8Array; readonly stringValue?: undefined; readonly error?: undefined }
  | { readonly error: string; readonly stringValue?: undefined; readonly binaryValue?: undefined }

/** One stored secret: its name, value and scope (`project` needs `domain`; neither is the organisation scope). */
export interface StoreEntry {
  readonly name: string
  readonly value: string | Uint8Array
  readonly project?: string | undefined
  readonly domain?: string | undefined
}

/** A secret's id and its scope, by name. */
export interface SecretId {
  readonly name: string
  readonly project?: string | undefined
  readonly domain?: string | undefined
}

/** `EncodeSecretName(org, domain, project, name)`. */
export const encodeId = (organization: string, domain: string, project: string, name: string): string =>
  `u__org__${organization}__domain__${domain}__project__${project}__key__${name}`

/** SecretService's id for a secret: the organisation is always `flyte`. */
export const encodeSecretName = ({ domain, name, project }: SecretId): string =>
  encodeId(serviceOrganization, domain ?? "", project ?? "", name)

/** The id's fields, each read once: a getter cannot answer one project to the checks and another to what is built. */
export const readIdOnce = (id: SecretId): SecretId =>
  typeof id === "object" && id !== null ? { name: id.name, project: id.project, domain: id.domain } : id

/** Why SecretService refuses the id, or `undefined`. */
export const idProblem = (id: unknown): string | undefined => {
  if (typeof id !== "object" || id === null) return "a secret id is { name, project?, domain? }"
  const { domain, name, project } = id as Record<string, unknown>
  if (typeof name !== "string" || name === "") return "a secret needs a name, a non-empty string"
  for (const [field, value] of [["project", project], ["domain", domain]] as const) {
    if (value !== undefined && typeof value !== "string") return `${field} must be a string when given`
  }
  if (project && !domain) {
    return `project-scoped secrets must also specify a domain, got project=${shownName(project as string)} domain=""`
  }
  return undefined
}

/**
 * The names a stored secret can have: the id built from one is a Kubernetes Secret's data key. SecretService's API
 * declares letters, digits, "-" and "_" for `SecretIdentifier.name`, but the service does not enforce it (nor does
 * flyte-sdk), so a name with "." (`tls.crt`) is stored and read back on a cluster: only what Kubernetes refuses is,
 * and `.` and `..`, which a task would read as a directory.
 */
const secretNamePattern = /^(?!\.\.?$)[-._a-zA-Z0-9]+$/

/** Why a secret's name cannot be stored, or `undefined`; `field` names it as the caller's input does. */
export const secretNameProblem = (name: string, field = "name"): string | undefined =>
  secretNamePattern.test(name)
    ? undefined
    : `${field} ${shownName(name)}: use letters, digits, "-", "_" and "." only, and not "." or ".." alone (the ` +
      "name is in the Kubernetes Secret's data key, and a task reads it as a file's name)."

/** The refusal of a project or domain that is not a label value, the text shown escaped. */
const notALabelValue = (field: string, name: "project" | "domain", value: string): string =>
  `${field} ${shownName(value)} cannot be in a Kubernetes label: a Kubernetes label value is at most 63 letters, ` +
  `digits, "-", "_" and ".", starting and ending with a letter or digit (SecretService labels the Secret with the ` +
  `${name}, and a task pod carries it as a label).`

/**
 * Why a scope's project or domain cannot be stored, or `undefined`; `field` spells each as the caller's input names
 * it. Each is a label twice over: SecretService labels the Secret with it, and the Embedded secret manager matches it
 * against a task pod's label, so Kubernetes refuses any other text. SecretService itself checks nothing more.
 */
export const scopeProblem = (
  scope: { readonly project?: string | undefined; readonly domain?: string | undefined },
  field: (name: "project" | "domain") => string = (name) => name
): string | undefined => {
  for (const name of ["project", "domain"] as const) {
    const value = scope[name]
    if (value !== undefined && !isLabelValue(value)) return notALabelValue(field(name), name, value)
  }
  return undefined
}

export const md5Hex = (text: string): string => crypto.createHash("md5").update(text, "utf8").digest("hex")

/**
 * The stored secrets by id. `toString`, `toJSON` and `inspect` show the ids, never a value, each with its control,
 * format and separator characters escaped: a name cannot forge or hide a line where a store is printed.
 */
export class Store {
  readonly #values: ReadonlyMap<string, StoredValue>
  constructor(values: ReadonlyMap<string, StoredValue>) {
    this.#values = values
  }
  /** The value stored under an id, if any. */
  lookup(id: string): StoredValue | undefined {
    return this.#values.get(id)
  }
  /** The ids held, sorted. */
  get ids(): ReadonlyArray<string> {
    return [...this.#values.keys()].sort()
  }
  toJSON(): unknown {
    return { _id: "Flyte2.Store", ids: this.ids.map((id) => quoteName(id).slice(1, -1)) }
  }
  toString(): string {
    return `Flyte2.Store(${this.ids.map(quoteName).join(", ")})`
  }
  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

const storedValue = (value: unknown): StoredValue | string =>
  typeof value === "string"
    ? { stringValue: value }
    : value instanceof Uint8Array
    ? { binaryValue: Uint8Array.from(value) }
    : "a value is a string or a Uint8Array"

/** A store of entries (or a record `{ [name]: value }` at the organisation scope), or why it cannot be one. */
export const makeStore = (
  entries: ReadonlyArray<StoreEntry> | Readonly<Record<string, string | Uint8Array>>
): Store | string => {
  const list: ReadonlyArray<unknown> = Array.isArray(entries)
    ? entries
    : typeof entries === "object" && entries !== null
    ? Object.entries(entries).map(([name, value]) => ({ name, value }))
    : []
  if (!Array.isArray(entries) && (typeof entries !== "object" || entries === null)) {
    return "a store takes entries [{ name, value, project?, domain? }] or a record { [name]: value }"
  }
  const values = new Map<string, StoredValue>()
  for (const [index, given] of list.entries()) {
    // Each field read once: what is checked is what is stored.
    const entry = typeof given === "object" && given !== null
      ? { ...readIdOnce(given as StoreEntry), value: (given as StoreEntry).value }
      : given
    const problem = idProblem(entry) ?? scopeProblem(entry as StoreEntry)
    if (problem !== undefined) return `entry ${index}: ${problem}`
    const value = storedValue((entry as StoreEntry).value)
    if (typeof value === "string") return `entry ${index} (${shownName((entry as StoreEntry).name)}): ${value}`
    values.set(encodeSecretName(entry as StoreEntry), value)
  }
  return new Store(values)
}
