/**
 * Where the Flyte 2 webhook's backends put a secret, as pure names and paths: the variables and files a reader of a
 * Flyte 2 pod looks at, in the order that finds every backend's layout and never takes another secret's place.
 * Names are spelt as the webhook spells them: Go's one-code-point case mapping, `md5hex(key)` as the group of a
 * key-only secret.
 */
import { goToLower, goToUpper } from "../kubernetes/goStrings.ts"
import { crypto } from "../nodeBuiltins.ts"
import { maxNamePartLength, type SecretName, unsafePartReason } from "./naming.ts"

/** The webhook's default `secretEnvVarPrefix`. */
export const flyte2DefaultPrefix = "_UNION_"

/** Where every Flyte 2 backend mounts secrets. */
export const flyte2DefaultDir = "/etc/flyte/secrets"

/** The lower-case hex MD5 of the key's UTF-8 bytes: the Kubernetes backend's group for a key-only secret. */
export const md5hex = (text: string): string => crypto.createHash("md5").update(text, "utf8").digest("hex")

/** A Flyte 2 name: the key is required, and there is never a group version. */
interface Flyte2Name {
  readonly group: string | undefined
  readonly key: string
}

const segmentsOfGroup = (group: string): ReadonlyArray<string> => group.split("/")

/** Whether every segment of a path built from these parts is a safe name (no empty, `.`, `..` or unsafe part). */
const safeSegments = (segments: ReadonlyArray<string>): boolean =>
  segments.every((segment) => segment !== "" && unsafePartReason("name", segment) === undefined)

/**
 * A group the Azure secret manager can fetch: a Key Vault secret's URI. Another group holding `/` (a Vault path) is
 * never Azure's, and its last segment may be another secret's file (Embedded writes `D/<key>`).
 */
const keyVaultUri = /^https?:\/\//i

/** `N`: the last segment of a Key Vault URI (trailing slashes dropped, as Go's `TrimRight(G, "/")`). */
export const azureName = (group: string): string => {
  const trimmed = group.replace(/\/+$/, "")
  return trimmed.slice(trimmed.lastIndexOf("/") + 1)
}

/**
 * Why a Flyte 2 name cannot be looked up, or `undefined`. The key is one path segment in every file place, so it must
 * be a safe name, lower-cased too. The group may hold `/` (a Key Vault URI, a Vault path): see `groupProblem`; each
 * place that makes it a path checks the segments it builds (see `flyte2FilePaths`).
 */
export const flyte2NameProblem = (name: SecretName): string | undefined => {
  if (name.key === undefined) return "a Flyte 2 secret needs a key (flyte-sdk's Secret(key=...))"
  if (name.groupVersion !== undefined) {
    return "a Flyte 2 secret has no groupVersion (flyte-sdk never sends one): leave it out"
  }
  const key = unsafePartReason("key", name.key) ?? unsafePartReason("key", goToLower(name.key))
  if (key !== undefined) return key
  return name.group === undefined ? undefined : groupProblem(name.group)
}

/**
 * A group without `/` is one path segment, checked as one. A group with `/` (a Key Vault URI, a Vault path) is
 * checked segment by segment, where empty, `.` and `..` segments pass: no place builds a path from them.
 */
const groupProblem = (group: string): string | undefined => {
  if (!group.includes("/") || group.length > maxNamePartLength) return unsafePartReason("group", group)
  const unsafe = group.split("/").find((segment) =>
    segment !== "" && segment !== "." && segment !== ".." && unsafePartReason("group", segment) !== undefined
  )
  return unsafe === undefined ? undefined : unsafePartReason("group segment", unsafe)
}

const checked = (name: SecretName): Flyte2Name => ({ group: name.group, key: name.key! })

/**
 * The variables, in order: (2) `UPPER(P + G + "_" + K)` (the Global and Kubernetes backends; `G` = `md5hex(K)` for a
 * key-only secret), then (3) `P + UPPER(K)` (Embedded without a declared variable; its prefix keeps its case). (3) is
 * left out when `envVar` is declared: then Embedded writes the declared name. The declared variable, (1), is read
 * before these.
 */
export const flyte2EnvNames = (prefix: string, name: SecretName, declared: string | undefined): {
  readonly grouped: string
  readonly embedded: string | undefined
} => {
  const { group, key } = checked(name)
  return {
    grouped: goToUpper(prefix + (group ?? md5hex(key)) + "_" + key),
    embedded: declared === undefined ? prefix + goToUpper(key) : undefined
  }
}

const joinPath = (dir: string, segments: ReadonlyArray<string>) =>
  (dir.endsWith("/") ? dir : dir + "/") + segments.join("/")

/**
 * The files, in order, without repeats: `D/K` (Embedded, the key's case kept), then with a group
 * `D/lower(G)/lower(K)` (Kubernetes, AWS), `D/G/K` (Vault) and, for a Key Vault URI group, `D/lower(N)` (Azure, `N` the
 * URI's last segment); without one `D/md5hex(K)/lower(K)` (Kubernetes). Never `D/lower(K)`: that is what Embedded
 * announces in a variable, but not where it writes, and it may be another secret's file. A place whose built segments
 * are not all safe names (an empty segment of a URI, `..`) is not a place.
 */
export const flyte2FilePaths = (dir: string, name: SecretName): ReadonlyArray<string> => {
  const { group, key } = checked(name)
  const lowerKey = goToLower(key)
  const paths = [joinPath(dir, [key])]
  if (group === undefined) return [...paths, joinPath(dir, [md5hex(key), lowerKey])]
  const lowered = [...segmentsOfGroup(goToLower(group)), lowerKey]
  if (safeSegments(lowered)) paths.push(joinPath(dir, lowered))
  const kept = [...segmentsOfGroup(group), key]
  if (safeSegments(kept)) paths.push(joinPath(dir, kept))
  if (keyVaultUri.test(group)) {
    const azureFile = [goToLower(azureName(group))]
    if (safeSegments(azureFile)) paths.push(joinPath(dir, azureFile))
  }
  return [...new Set(paths)]
}
