/**
 * The Flyte 2 webhook's Embedded secret manager (`secret/embedded_secret_manager.go`): the value is read from what
 * SecretService stores, from the narrowest scope the pod's labels name to the organisation, and put in the pod
 * itself: an environment variable's literal value, or a line `KEY=base64(value)` of the `SECRETS` variable of an
 * init container whose script writes `/etc/flyte/secrets/KEY`.
 */
import type { Container, Flyte2SecretFields } from "../../../Kubernetes.ts"
import type { Refusal } from "../../../KubernetesError.ts"
import { crypto } from "../../nodeBuiltins.ts"
import { goJoin, goToLower, goToUpper } from "../goStrings.ts"
import {
  addImagePullSecret,
  appendInitContainer,
  appendVolumeIfNotExists,
  type DraftContainer,
  envVarNamed,
  findInitContainer,
  labelOf,
  type PodDraft,
  prependToEveryContainer,
  putEnvVar
} from "../podDraft.ts"
import { embeddedKeyReason } from "../shellNames.ts"
import { secretsRoot } from "../webhookConfig.ts"
import type { Flyte2Config, InitContainerConfig } from "./config.ts"
import { fileEnvVars, prefixEnvVar } from "./keyedInjectors.ts"
import { refusal, unmet } from "./refusal.ts"
import { mountName } from "./secrets.ts"
import { encodeId, type Store } from "./store.ts"

export const embeddedVolumeName = "embedded-secret-vol"
export const secretsVariable = "SECRETS"

/** The init container's script, byte for byte: each `NAME=base64` line of `$SECRETS` decoded into its file. */
export const embeddedScript = `
\t\t\t\tprintf "%s" "$SECRETS" \\
\t\t\t\t| awk '/^.+=/ {
\t\t\t\t\ti = index($0, "=");
\t\t\t\t\tname = substr($0, 0, i - 1);
\t\t\t\t\tvalue = substr($0, i + 1);
\t\t\t\t\toutput_file = "${secretsRoot}/" name;
\t\t\t\t\tprint value | "base64 -d > " output_file;
\t\t\t\t}'
\t\t\t\t`

/** A scope a pod can read: its organisation, and a domain and project or `""`. */
interface Scope {
  readonly organization: string
  readonly domain: string
  readonly project: string
}

interface Found {
  readonly scope: Scope
  readonly value: { readonly stringValue?: string | undefined; readonly binaryValue?: Uint8Array | undefined }
}

const scopeLabels = ["organization", "project", "domain"] as const

/** The pod's scope, or the refusal for the first empty label. */
const podScope = (draft: PodDraft): Scope | Refusal => {
  for (const label of scopeLabels) {
    if (labelOf(draft, label) === "") {
      return refusal(
        "Embedded",
        "MissingPodLabel",
        `[SecretRequirementsError] secret read requirements not met due to empty ${label} field in the pod labels`
      )
    }
  }
  return {
    organization: labelOf(draft, "organization"),
    domain: labelOf(draft, "domain"),
    project: labelOf(draft, "project")
  }
}

/** Project and domain, then the domain, then the organisation: the first stored value, or the first real error. */
export const lookUp = (store: Store, scope: Scope, key: string): Found | Refusal => {
  const scopes: ReadonlyArray<Scope> = [scope, { ...scope, project: "" }, { ...scope, project: "", domain: "" }]
  for (const candidate of scopes) {
    const stored = store.lookup(encodeId(candidate.organization, candidate.domain, candidate.project, key))
    if (stored === undefined) continue
    if (stored.error !== undefined) return refusal("Embedded", "StoreFailure", stored.error)
    return { scope: candidate, value: stored }
  }
  return refusal("Embedded", "NotStored", "[SecretNotFoundAcrossAllScopes] secret not found across all scopes")
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true })
const encoder = new TextEncoder()

/** The text of a value for a variable: the string when not empty, else the bytes when they are UTF-8. */
const textOf = (value: Found["value"]): string | undefined => {
  if (value.stringValue) return value.stringValue
  try {
    return strictUtf8.decode(value.binaryValue ?? new Uint8Array())
  } catch {
    return undefined
  }
}

/** The bytes of a value for a file: the string's UTF-8 when not empty, else the bytes. */
export const bytesOf = (value: Found["value"]): Uint8Array =>
  value.stringValue ? encoder.encode(value.stringValue) : value.binaryValue ?? new Uint8Array()

const injectAsEnvVar = (secret: Flyte2SecretFields, key: string, draft: PodDraft, found: Found, prefix: string) => {
  const value = textOf(found.value)
  if (value === undefined) {
    return refusal(
      "Embedded",
      "InvalidValue",
      `secret ${JSON.stringify(key)} is attempted to be mounted as an environment variable, but has a binary value ` +
        "that is not a valid UTF-8 string; mount as a file instead"
    )
  }
  const name = secret.envVar || prefix + goToUpper(key)
  prependToEveryContainer(draft, [{ name, value }, prefixEnvVar(prefix)])
  return undefined
}

const newInitContainer = (config: InitContainerConfig): Container => ({
  name: config.name,
  image: config.image,
  command: ["sh", "-c", embeddedScript],
  resources: config.resources,
  volumeMounts: [{ name: embeddedVolumeName, mountPath: secretsRoot }],
  env: []
})

/** Appends `KEY=base64\n` to the init container's `SECRETS` (added last when missing). */
const appendLine = (draft: PodDraft, container: DraftContainer, line: string): void => {
  const existing = envVarNamed(draft, container, secretsVariable)
  putEnvVar(draft, container, { ...existing, name: secretsVariable, value: (existing?.value ?? "") + line })
}

const injectAsFile = (
  secret: Flyte2SecretFields,
  key: string,
  draft: PodDraft,
  found: Found,
  config: InitContainerConfig
) => {
  const line = `${key}=${Buffer.from(bytesOf(found.value)).toString("base64")}\n`
  const existing = findInitContainer(draft, config.name)
  if (existing !== undefined) {
    // An init container already there means an earlier secret set up the volume, mounts and variables.
    appendLine(draft, existing, line)
    return
  }
  appendInitContainer(draft, newInitContainer(config))
  appendLine(draft, findInitContainer(draft, config.name)!, line)
  appendVolumeIfNotExists(draft, { name: embeddedVolumeName, emptyDir: { medium: "Memory" } })
  const path = goJoin(secretsRoot, goToLower(key))
  prependToEveryContainer(draft, fileEnvVars(secret.envVar, path), {
    name: embeddedVolumeName,
    readOnly: true,
    mountPath: secretsRoot
  })
}

/** `img-pull-<sha256(org:domain:project:key)[:16]>` of the scope the value was found in. */
export const imagePullSecretName = (scope: Scope, key: string): string => {
  const scoped = `${scope.organization}:${scope.domain}:${scope.project}:${key}`
  return "img-pull-" + crypto.createHash("sha256").update(scoped).digest("hex").slice(0, 16)
}

export const injectEmbedded = (
  secret: Flyte2SecretFields,
  draft: PodDraft,
  config: Flyte2Config
): Refusal | undefined => {
  const { key } = secret
  if (!key) {
    return unmet("Embedded", "MissingKey", "EmbeddedSecretManager requires key to be set.", secret)
  }
  const unsafe = secret.mountRequirement === "FILE" ? embeddedKeyReason(key) : undefined
  if (unsafe !== undefined) return refusal("Embedded", "InvalidSecret", unsafe)
  const scope = podScope(draft)
  if ("message" in scope) return scope
  const found = lookUp(config.embedded.store, scope, key)
  if ("message" in found) return found
  switch (secret.mountRequirement) {
    case "ANY":
    case "ENV_VAR": {
      const refused = injectAsEnvVar(secret, key, draft, found, config.prefix)
      if (refused !== undefined) return refused
      break
    }
    case "FILE":
      injectAsFile(secret, key, draft, found, config.embedded.initContainer)
      break
    default:
      return refusal(
        "Embedded",
        "UnsupportedMount",
        `unrecognized mount requirement [${mountName(secret)}] for secret [${key}]`
      )
  }
  const pullSecret = imagePullSecretName(found.scope, key)
  if (config.embedded.imagePullSecrets?.includes(pullSecret)) addImagePullSecret(draft, pullSecret)
  return undefined
}
