/**
 * The pure naming rules: how a request becomes an environment variable name and a file path (FLYTE.md,
 * "Reading"), and which names are refused because they could leave the secrets directory.
 */

/** A request's name with `""` parts dropped; at least one of group and key is present. */
export interface SecretName {
  readonly group: string | undefined
  readonly groupVersion: string | undefined
  readonly key: string | undefined
}

/** What a caller may pass as a name; `""` counts as absent. */
export interface NameInput {
  readonly group?: string | undefined
  readonly groupVersion?: string | undefined
  readonly key?: string | undefined
}

const present = (part: string | undefined): string | undefined => part === "" ? undefined : part

// Separators, NUL and every other control character: none can appear in a safe path segment.
const unsafeCharacter = /[/\\\u0000-\u001f\u007f]/

/** Why a name part cannot be used, or `undefined` when it is safe. */
export const unsafePartReason = (field: string, part: string): string | undefined =>
  part === "." || part === ".." || unsafeCharacter.test(part)
    ? `unsafe name: ${field} ${JSON.stringify(part)} could leave the secrets directory ` +
      `(names may not be "." or ".." nor hold "/", "\\" or control characters)`
    : undefined

/** The name as the lookup rules see it: `""` parts dropped. */
export const toSecretName = (input: NameInput): SecretName => ({
  group: present(input.group),
  groupVersion: present(input.groupVersion),
  key: present(input.key)
})

/** Why a name is refused before anything is read, or `undefined` when it can be looked up. */
export const nameProblem = (name: SecretName): string | undefined => {
  if (name.group === undefined && name.key === undefined) return "a secret request needs a group or a key"
  return (name.group !== undefined ? unsafePartReason("group", name.group) : undefined) ??
    (name.groupVersion !== undefined ? unsafePartReason("groupVersion", name.groupVersion) : undefined) ??
    (name.key !== undefined ? unsafePartReason("key", name.key) : undefined)
}

const parts = (name: SecretName): Array<string> => {
  const result: Array<string> = []
  if (name.group !== undefined) result.push(name.group)
  if (name.groupVersion !== undefined) result.push(name.groupVersion)
  if (name.key !== undefined) result.push(name.key)
  return result
}

/** `prefix + UPPER(parts joined by "_")`, exactly as flytekit builds it: nothing is sanitised. */
export const envVarName = (prefix: string, name: SecretName): string => prefix + parts(name).join("_").toUpperCase()

const notShellSafe = /[^A-Za-z0-9_]/g

/** The spelling a shell can set (`MY-GROUP` -> `MY_GROUP`), or `undefined` when the name already is one. */
export const shellSafeSpelling = (envName: string): string | undefined => {
  const safe = envName.replace(notShellSafe, "_")
  return safe === envName ? undefined : safe
}

/** `dir / lower(group) / lower(groupVersion) / filePrefix + lower(key)`, empty parts dropped. */
export const secretFilePath = (dir: string, filePrefix: string, name: SecretName): string => {
  const segments = parts(name).map((part) => part.toLowerCase())
  segments[segments.length - 1] = filePrefix + segments[segments.length - 1]
  return (dir.endsWith("/") ? dir : dir + "/") + segments.join("/")
}
