/**
 * The Kubernetes Secret Flyte 2's SecretService writes for a secret (`secret/service/secret_service.go`): named
 * `md5hex(id)`, in the service's namespace, the value under the id as its only key, `stringData` for text and
 * `data` (base64) for bytes, labelled as managed with its domain and project.
 */
import * as Result from "effect/Result"
import { shownName } from "../../lookup/naming.ts"
import { isDnsLabel, isSecretKey } from "../podValidation.ts"
import type { Problem } from "../problems.ts"
import {
  encodeSecretName,
  idProblem,
  md5Hex,
  readIdOnce,
  scopeProblem,
  type SecretId,
  secretNameProblem
} from "./store.ts"

/** A `core/v1` Secret as SecretService writes it. */
export interface StoredKubernetesSecret {
  readonly apiVersion: "v1"
  readonly kind: "Secret"
  readonly metadata: {
    readonly name: string
    readonly namespace: string
    readonly labels: Readonly<Record<string, string>>
  }
  readonly data?: Readonly<Record<string, string>>
  readonly stringData?: Readonly<Record<string, string>>
}

/** The namespace SecretService writes to unless configured (`secret.kubernetes.namespace`). */
export const defaultSecretNamespace = "flyte"

/** The most value bytes Kubernetes takes in one Secret (`MaxSecretSize`). */
const maxSecretDataBytes = 1024 * 1024

/** Why Kubernetes would refuse the namespace (a DNS label), or `undefined`; `field` names it as the input does. */
export const namespaceProblem = (namespace: unknown, field = "namespace"): string | undefined =>
  typeof namespace !== "string" || namespace === ""
    ? `${field} must be a non-empty string`
    : isDnsLabel(namespace)
    ? undefined
    : `${field} ${shownName(namespace)} is not a Kubernetes namespace name (a DNS label: at most 63 lower-case ` +
      `letters, digits and "-", starting and ending with a letter or digit)`

/**
 * Why Kubernetes would refuse the id as the Secret's data key, or `undefined`. A name SecretService takes and a
 * project and domain that are label values leave only its length to check: at most 253 characters.
 */
const dataKeyProblem = (encoded: string): string | undefined =>
  isSecretKey(encoded)
    ? undefined
    : `the id SecretService stores the secret under would be ${encoded.length} characters, and Kubernetes takes a ` +
      "Secret's data key of at most 253: shorten the name, project or domain."

/** A surrogate not part of a pair: with the `u` flag, a pair is one character of another category. */
const loneSurrogate = /\p{Cs}/u

/**
 * Why Kubernetes cannot store the value as given, or `undefined`: text is sent as UTF-8, which a lone surrogate has no
 * form in (the API server would store U+FFFD, and YAML cannot spell it at all), and a Secret holds at most 1 MiB.
 */
const valueProblem = (value: unknown): string | undefined => {
  if (typeof value !== "string" && !(value instanceof Uint8Array)) return "a value is a string or a Uint8Array."
  if (typeof value === "string" && loneSurrogate.test(value)) {
    return "the text holds a lone surrogate, which has no UTF-8 form, so Kubernetes would not store it as given: " +
      "pass the value's bytes as a Uint8Array."
  }
  const size = typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.length
  return size > maxSecretDataBytes
    ? `the value is ${size} bytes, and Kubernetes takes at most ${maxSecretDataBytes} (1 MiB) of values in a Secret.`
    : undefined
}

export const storedSecret = (
  given: SecretId,
  value: string | Uint8Array,
  namespace: string = defaultSecretNamespace
): Result.Result<StoredKubernetesSecret, Problem> => {
  const id = readIdOnce(given)
  const problem = idProblem(id) ?? secretNameProblem(id.name) ?? scopeProblem(id) ??
    dataKeyProblem(encodeSecretName(id))
  if (problem !== undefined) return Result.fail({ reason: "InvalidSecret", detail: problem })
  const badValue = valueProblem(value)
  if (badValue !== undefined) return Result.fail({ reason: "InvalidValue", secret: { key: id.name }, detail: badValue })
  const badNamespace = namespaceProblem(namespace)
  if (badNamespace !== undefined) return Result.fail({ reason: "InvalidOptions", detail: badNamespace })
  const encoded = encodeSecretName(id)
  return Result.succeed({
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: md5Hex(encoded),
      namespace,
      labels: {
        "app.flyte.org/managed": "true",
        ...(id.domain ? { "app.flyte.org/domain": id.domain } : {}),
        ...(id.project ? { "app.flyte.org/project": id.project } : {})
      }
    },
    ...(typeof value === "string"
      ? { stringData: { [encoded]: value } }
      : { data: { [encoded]: Buffer.from(value).toString("base64") } })
  })
}
