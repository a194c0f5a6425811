/**
 * The texts a secret value can appear as in log output: what registering a value adds to the masks.
 *
 * A value counts by its trimmed text (a secret file's trailing newline is not part of the secret), and only when
 * that text has at least `minimumLength` characters: a shorter value would mask ordinary words. Besides the text
 * itself, the forms log formatters produce from it are added when they differ: JSON-escaped once (a JSON logger,
 * or logfmt's quoted values), JSON-escaped twice (an object inside a logfmt message), `util.inspect`'s escaping
 * (objects printed by the console), and, for values short enough to be passwords, URL-encoding (a connection
 * string). Bytes that are valid UTF-8 count as their text; other bytes as their base64 (standard and URL-safe,
 * without padding, so padded output matches too) and lowercase hex spellings.
 */
import { Buffer } from "node:buffer"
import * as util from "node:util"
import { strictUtf8Text } from "../lookup/text.ts"

/** The fewest characters (code points, after trimming) a value needs to be masked. */
export const minimumLength = 5

/** Longer values are not URL-encoded: passwords in connection strings are short, certificates are not. */
const maximumUrlEncodedLength = 256

// No line breaking (`breakLength`) and no truncation: the escaped text of the whole value, as in a one-line log.
const inspectOptions: util.InspectOptions = { breakLength: Infinity, maxStringLength: Infinity }

/** Code points: a surrogate pair counts once. */
const codePointLength = (text: string): number => {
  let count = text.length
  for (let i = 0; i + 1 < text.length; i++) {
    const code = text.charCodeAt(i)
    const next = text.charCodeAt(i + 1)
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      count--
      i++
    }
  }
  return count
}

const withoutQuotes = (quoted: string): string => quoted.slice(1, -1)

const urlEncoded = (text: string): string | undefined => {
  if (text.length > maximumUrlEncodedLength) return undefined
  try {
    return encodeURIComponent(text)
  } catch {
    return undefined // a lone surrogate has no URL encoding
  }
}

const textForms = (value: string): ReadonlyArray<string> => {
  const text = value.trim()
  // Every code point takes at most two code units: only a short text needs counting.
  if (text.length < 2 * minimumLength && codePointLength(text) < minimumLength) return []
  const escaped = withoutQuotes(JSON.stringify(text))
  const forms = new Set([
    text,
    escaped,
    withoutQuotes(JSON.stringify(escaped)),
    withoutQuotes(util.inspect(text, inspectOptions))
  ])
  const url = urlEncoded(text)
  if (url !== undefined) forms.add(url)
  return [...forms]
}

const binaryForms = (bytes: Uint8Array): ReadonlyArray<string> => {
  if (bytes.byteLength < minimumLength) return []
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const base64 = buffer.toString("base64").replace(/=+$/, "")
  return [...new Set([base64, buffer.toString("base64url"), buffer.toString("hex")])]
}

/** Every text that masks `value`; empty when the value is too short to be masked. */
export const maskForms = (value: string | Uint8Array): ReadonlyArray<string> => {
  if (typeof value === "string") return textForms(value)
  const text = strictUtf8Text(value)
  return text === undefined ? binaryForms(value) : textForms(text)
}
