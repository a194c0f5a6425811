/**
 * The secrets the Flyte 2 webhook is given, as its injectors see them: `core.Secret`'s five fields. Names are taken
 * as they are (an Azure group is a Key Vault URI); the reader checks each path it builds.
 */
import type { Flyte2SecretFields } from "../../../Kubernetes.ts"
import type { SecretNames } from "../../../KubernetesError.ts"
import type { SecretInput } from "../../../Secret.ts"
import { Secret } from "../../../Secret.ts"
import { quoteName } from "../../lookup/naming.ts"
import { envVarProblem } from "../../lookup/request.ts"
import { fieldsOf, isProblem } from "../annotations.ts"
import type { Problem } from "../problems.ts"
import { toCompactText } from "../secretText.ts"

/**
 * Why a plain declaration's names would make the webhook build a path outside the secrets directory (a volume
 * mounted at `D/../../etc`, an init container writing `D/../x`), or `undefined`. A `Secret` was checked when it was
 * made; a plain object may hold `/` (a Vault path, a Key Vault URI), but no `..` segment in any part.
 */
const pathProblem = (fields: Pick<SecretInput, "group" | "key" | "groupVersion">): string | undefined => {
  for (const field of ["group", "key", "groupVersion"] as const) {
    const part = fields[field]
    if (part?.split("/").includes("..")) {
      return `unsafe name: ${field} ${quoteName(part)} has a ".." segment: the webhook would build a path outside ` +
        "the secrets directory from it"
    }
  }
  return undefined
}

/** A given secret as the webhook reads it (`""` fields absent, `ANY` by default), or why it is not one. */
const decodeOne = (secret: Secret | SecretInput, index: number): Flyte2SecretFields | Problem => {
  if (secret instanceof Secret) return secret
  const fields = fieldsOf(secret, index)
  if (isProblem(fields)) return fields
  // The variable rule a `Secret` follows: a configuration variable would make the value the reader's configuration.
  const unsafe = pathProblem(fields) ?? (fields.envVar ? envVarProblem(fields.envVar) : undefined)
  if (unsafe !== undefined) return { reason: "InvalidSecret", index, detail: unsafe }
  const { envVar, group, groupVersion, key, mountRequirement = "ANY" } = fields
  return {
    ...(group ? { group } : {}),
    ...(key ? { key } : {}),
    ...(groupVersion ? { groupVersion } : {}),
    ...(envVar ? { envVar } : {}),
    mountRequirement
  }
}

/** The secrets decoded, or the first that is not one. */
export const decodeFlyte2Secrets = (
  secrets: ReadonlyArray<Secret | SecretInput>
): ReadonlyArray<Flyte2SecretFields> | Problem => {
  if (!Array.isArray(secrets)) return { reason: "InvalidSecret", detail: "secrets must be an array" }
  const decoded: Array<Flyte2SecretFields> = []
  for (const [index, secret] of secrets.entries()) {
    const one = decodeOne(secret, index)
    if ("reason" in one) return one
    decoded.push(one)
  }
  return decoded
}

/** The mount requirement as Go prints the enum: its name, or the number when it has none. */
export const mountName = (secret: Flyte2SecretFields): string => String(secret.mountRequirement)

/** The names of the secret an error may show: the fields set, the mount requirement when it has a name. */
export const namesOfFlyte2 = (secret: Flyte2SecretFields): SecretNames => ({
  ...(secret.group ? { group: secret.group } : {}),
  ...(secret.key ? { key: secret.key } : {}),
  ...(secret.groupVersion ? { groupVersion: secret.groupVersion } : {}),
  ...(typeof secret.mountRequirement === "string" ? { mountRequirement: secret.mountRequirement } : {}),
  ...(secret.envVar ? { envVar: secret.envVar } : {})
})

/** What Go's `%v` prints for the secret: protobuf's one-line text format. */
export const goText = (secret: Flyte2SecretFields): string => toCompactText(namesOfFlyte2(secret))
