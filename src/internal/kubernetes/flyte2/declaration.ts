/**
 * flyte-sdk's `Secret(key, group=None, mount=None, as_env_var=None)`: the variable name it derives, the checks it
 * makes and the `core.Secret` it sends. Its rules run first and give its own words; then this library's name rule
 * (no name that could leave the secrets directory, no empty key; a group holding `/` only as a Key Vault URI)
 * applies as for every Flyte 2 declaration.
 */
import type { SecretInput } from "../../../Secret.ts"
import { quoteName, shownBareName, shownName } from "../../lookup/naming.ts"
import { closest } from "../../lookup/request.ts"

/** The one mount path flyte-sdk accepts, compared as a string as it compares a `str`. */
export const flyte2MountPath = "/etc/flyte/secrets"

const envVarPattern = /^[A-Z_][A-Z0-9_]*$/

/** What `Secret.flyte2` takes besides a bare key: flyte-sdk's fields, in camelCase. */
export interface Flyte2SecretInput {
  readonly key: string
  readonly group?: string | undefined
  readonly mount?: string | undefined
  readonly asEnvVar?: string | undefined
}

const fields = ["key", "group", "mount", "asEnvVar"] as const

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

const refuse = (message: string): never => {
  throw new TypeError(message)
}

const checkedInput = (input: unknown): Flyte2SecretInput => {
  if (typeof input === "string") return { key: input }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return refuse(
      `Invalid Secret: Secret.flyte2 takes a key ("openai-key") or { key, group?, mount?, asEnvVar? }, not ` +
        describe(input)
    )
  }
  for (const field of Object.keys(input)) {
    if ((fields as ReadonlyArray<string>).includes(field)) continue
    const meant = closest(field === "as_env_var" ? "asEnvVar" : field, fields)
    refuse(
      `Invalid Secret: unknown field ${quoteName(field)} in Secret.flyte2` +
        (meant === undefined ? ` (it takes ${fields.join(", ")})` : ` (did you mean ${JSON.stringify(meant)}?)`)
    )
  }
  const own = (field: typeof fields[number]): unknown =>
    Object.hasOwn(input, field) ? (input as Record<string, unknown>)[field] : undefined
  if (typeof own("key") !== "string") {
    refuse(`Invalid Secret: Secret.flyte2 needs a key, a string (${describe(own("key"))} given)`)
  }
  for (const field of ["group", "mount", "asEnvVar"] as const) {
    const value = own(field)
    if (value !== undefined && typeof value !== "string") {
      refuse(`Invalid Secret: ${field} must be a string when given, not ${describe(value)}`)
    }
  }
  return {
    key: own("key") as string,
    group: own("group") as string | undefined,
    mount: own("mount") as string | undefined,
    asEnvVar: own("asEnvVar") as string | undefined
  }
}

/** flyte-sdk's derivation: `GROUP_KEY` (or `KEY`) upper-cased with only `-` replaced, when neither mount nor name. */
export const derivedEnvVar = (key: string, group: string | undefined): string =>
  (group ? `${group}_${key}` : key).replaceAll("-", "_").toUpperCase()

/**
 * The declaration flyte-sdk's `Secret` stands for, as `Secret` fields with `origin: "flyte2"`: `ENV_VAR` with its
 * `envVar` when it has a variable name (given or derived), else `FILE`; never `ANY`, never a group version. Throws
 * a `TypeError` with flyte-sdk's message where flyte-sdk refuses the input.
 */
export const flyte2Declaration = (input: unknown): SecretInput => {
  const checked = checkedInput(input)
  const { group, key, mount } = checked
  let asEnvVar = checked.asEnvVar
  const derived = !mount && !asEnvVar
  if (derived) asEnvVar = derivedEnvVar(key, group)
  if (mount && mount !== flyte2MountPath) {
    refuse(`Only ${flyte2MountPath} is supported as secret mount path today. (mount ${shownName(mount)} was given)`)
  }
  if (asEnvVar !== undefined && !envVarPattern.test(asEnvVar)) {
    const hint = derived
      ? ` (derived from ${group ? "the group and key" : "the key"}: give asEnvVar: "A_NAME", or mount: ` +
        `"${flyte2MountPath}" to read it as a file)`
      : ""
    refuse(
      `Invalid environment variable name: ${shownBareName(asEnvVar)}, must match ${envVarPattern.source}` +
        hint
    )
  }
  if (key === "") refuse(`Invalid Secret: a secret needs a key (Secret.flyte2("openai-key"))`)
  return {
    key,
    group,
    origin: "flyte2",
    ...(asEnvVar ? { mountRequirement: "ENV_VAR", envVar: asEnvVar } : { mountRequirement: "FILE" })
  }
}
