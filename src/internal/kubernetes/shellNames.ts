/**
 * Names a backend copies into its init container's `sh` command. The GCP command (Flyte 1 and Flyte 2) holds the
 * group and version unquoted, Azure's the Key Vault URI double-quoted and its file name unquoted, and the Embedded
 * script pipes each key to `sh` unquoted: upstream renders any name there, so `$(id)` runs in the pod. A name is
 * refused here unless every character is one its backend's own names are spelt with, none a shell reads as code.
 */
import type { InjectionBackend } from "../../KubernetesError.ts"
import { quoteName } from "../lookup/naming.ts"
import { uriGroupReason } from "../lookup/uriGroup.ts"

/** A character the shell reads as code, a separator, a glob or a quote, or one that is not plain text. */
const shellSpecial = /[\s/|&;<>()$`\\"'*?[\]#~=%!{}\p{Cc}\p{Cf}]/u

/** A name the shell passes through as one plain word, and a file name inside the secrets directory. */
export const isPlainShellWord = (name: string): boolean =>
  name !== "" && name !== "." && name !== ".." && !shellSpecial.test(name)

/** Why `name` may not be copied into `backend`'s shell command, given the characters it may hold, or `undefined`. */
const spellingReason = (
  backend: InjectionBackend,
  field: string,
  name: string,
  allowed: (character: string) => boolean,
  spelt: string
): string | undefined => {
  const character = [...name].find((candidate) => !allowed(candidate))
  if (character === undefined && name !== "." && name !== "..") return undefined
  const what = character === undefined ? `is ${quoteName(name)}` : `holds ${quoteName(character)}`
  return `the ${backend} backend copies the ${field} ${quoteName(name)} into the shell command of the pod's init ` +
    `container, and it ${what}, which would run there as shell code or reach outside the secrets directory. ` +
    `${spelt}`
}

// GCP spells secret ids and version aliases with letters, digits, "-" and "_"; "." is let through, inert to a shell.
const gcpCharacter = (character: string) => /^[A-Za-z0-9_.-]$/.test(character)
const gcpSpelt = "A GCP Secret Manager secret id and version (a number, `latest` or an alias) hold only letters, " +
  "digits, \"-\" and \"_\" (\".\" is let through): rename the secret."

/** Why a GCP group or version cannot be put in the `gcloud` command, or `undefined`. */
export const gcpNamesReason = (group: string, version: string): string | undefined =>
  spellingReason("GCP", "group", group, gcpCharacter, gcpSpelt) ??
    spellingReason("GCP", "groupVersion", version, gcpCharacter, gcpSpelt)

const uriCharacter = (character: string) => /^[-._~A-Za-z0-9]$/.test(character)
const azureSpelt = "A Key Vault secret is named by its URI (https://<vault>.vault.azure.net/secrets/<name>) and a " +
  "version of letters, digits, \"-\", \".\", \"_\" and \"~\"."

/** Why an Azure group (a Key Vault URI) or version cannot be put in the `az` command, or `undefined`. */
export const azureNamesReason = (group: string, version: string | undefined): string | undefined => {
  const uri = group.replace(/\/+$/, "")
  const uriReason = uri.includes("/") ? uriGroupReason(uri) : undefined
  if (uriReason !== undefined) {
    return `the Azure backend copies the group into the shell command of the pod's init container, where it could ` +
      `run as shell code: ${uriReason}`
  }
  const groupReason = uri.includes("/") ? undefined : spellingReason("Azure", "group", uri, uriCharacter, azureSpelt)
  if (groupReason !== undefined) return groupReason
  return version ? spellingReason("Azure", "groupVersion", version, uriCharacter, azureSpelt) : undefined
}

/** Why an Embedded key cannot be written into the init container's script, or `undefined`. */
export const embeddedKeyReason = (key: string): string | undefined =>
  spellingReason(
    "Embedded",
    "key",
    key,
    (character) => !shellSpecial.test(character),
    "A key written to a file must be a plain file name, such as letters, digits, \"-\", \"_\" and \".\"."
  )
