/**
 * The texts a secret value can appear as in printed output: what registering a value adds to the masks.
 *
 * A value counts by its trimmed text (a secret file's trailing newline is not part of the secret), and only when
 * that text has at least `minimumLength` characters: a shorter value would mask ordinary words. Besides the text
 * itself, every form a printer makes of it is added when it differs:
 *
 * - JSON-escaped once (a JSON logger, logfmt's quoted values), twice (an object inside a logfmt message) and three
 *   times (JSON text inside such an object);
 * - `util.inspect`'s escaping (objects printed by the console), in single quotes too (`\'`, when the string also
 *   holds `"` and a backtick), also of the JSON-escaped text (JSON text inside a printed object), and
 *   `Logger.formatSimple`'s (it escapes `"` but leaves `\` pairs and newlines alone);
 * - a span label or annotation key as Effect prints it (spaces, `=` and `"` become `_`);
 * - for values short enough to be passwords, URL-encoded three ways: `encodeURIComponent`, a `URL`'s userinfo
 *   (which keeps `$`, `+`, `!`...) and `URLSearchParams` (`+` for a space), as they are and JSON-escaped (JSON
 *   in a query string);
 * - each line of a multi-line value, in the same forms: errors, causes and `util.inspect` indent continuation
 *   lines, so the whole value never appears, but each line does; when a line is too short to be masked on its own,
 *   the whole value as a nested error prints it too (each line after the first indented by 2 to 12 spaces).
 *
 * Bytes that are valid UTF-8 count as their text; other bytes as their base64 (standard and URL-safe, without
 * padding, so padded output matches too) and lowercase hex spellings.
 *
 * A value too large to mask whole is masked by its pieces (`pieceForms`): its first `pieceLength` characters and
 * each of its lines (whole when they all fit, long lines by their first `pieceLength` characters otherwise), in the
 * same forms.
 */
import { strictUtf8Text } from "../lookup/text.ts"
import { util } from "../nodeBuiltins.ts"

/** The fewest characters (code points, after trimming) a value needs to be masked. */
export const minimumLength = 5

/**
 * Characters of a pattern kept in the matching automaton (`automaton.ts`); a value's head, found before it is masked
 * even when cut short.
 */
export const anchorLength = 32

/** How much of a value too large to mask whole is masked: its first characters, and as much of each line. */
export const pieceLength = 64

/** Longer values are not URL-encoded: passwords in connection strings are short, certificates are not. */
const maximumUrlEncodedLength = 256

// No line breaking (`breakLength`) and no truncation: the escaped text of the whole value, as in a one-line log.
const inspectOptions: util.InspectOptions = { breakLength: Infinity, maxStringLength: Infinity }

const lenientUtf8 = new TextDecoder("utf-8", { ignoreBOM: true })

const lineBreak = /\r\n|\r|\n/

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

/** Whether a trimmed text is long enough to mask. Every code point takes at most two code units. */
const longEnough = (text: string): boolean => text.length >= 2 * minimumLength || codePointLength(text) >= minimumLength

const withoutQuotes = (quoted: string): string => quoted.slice(1, -1)

/** `Logger.formatSimple`'s quoting, without the quotes: `"` escaped, a `\` and the character after it kept. */
const simpleEscaped = (text: string): string => text.replace(/\\([\s\S])|(")/g, "\\$1$2")

/** A span label or annotation key as Effect's loggers print it. */
const asLabel = (text: string): string => text.replace(/[\s="]/g, "_")

/** The userinfo of a `URL` (username and password are encoded alike). */
const userinfoEncoded = (text: string): string => {
  const url = new URL("http://host")
  url.username = text
  return url.username
}

/** `URLSearchParams`' form encoding: the value of `a=...`. */
const formEncoded = (text: string): string => new URLSearchParams([["a", text]]).toString().slice(2)

const urlForms = (text: string): ReadonlyArray<string> => {
  if (text.length > maximumUrlEncodedLength) return []
  try {
    return [encodeURIComponent(text), userinfoEncoded(text), formEncoded(text)]
  } catch {
    return [] // a lone surrogate has no URL encoding
  }
}

/**
 * `util.inspect`'s escaping inside single quotes, the quoting it falls back to when the string printed (the value
 * and the text around it) holds all three kinds of quote: `'` becomes `\'`.
 */
const singleQuoted = (text: string): string => util.inspect(text + "'\"`", inspectOptions).slice(1, -5)

/** The forms of one trimmed text, long enough to mask, added to `forms`. */
const addPrintedForms = (text: string, forms: Set<string>): void => {
  const escaped = withoutQuotes(JSON.stringify(text))
  forms.add(text)
  forms.add(escaped)
  const escapedTwice = withoutQuotes(JSON.stringify(escaped))
  forms.add(escapedTwice)
  forms.add(withoutQuotes(JSON.stringify(escapedTwice))) // JSON text inside an object inside a logfmt message
  forms.add(withoutQuotes(util.inspect(text, inspectOptions)))
  forms.add(singleQuoted(text))
  forms.add(withoutQuotes(util.inspect(escaped, inspectOptions))) // JSON text inside a printed object
  forms.add(singleQuoted(escaped))
  forms.add(simpleEscaped(text))
  forms.add(asLabel(text))
  for (const form of urlForms(text)) forms.add(form)
  for (const form of urlForms(escaped)) forms.add(form) // JSON put in a query string
}

/** The trimmed lines of `text` long enough to mask, cut to `maximum` characters; none when it is one line. */
const linesOf = (text: string, maximum: number): ReadonlyArray<string> => {
  const lines = text.split(lineBreak)
  if (lines.length < 2) return []
  const kept: Array<string> = []
  for (const line of lines) {
    const trimmed = line.trim()
    if (longEnough(trimmed)) kept.push(trimmed.length > maximum ? trimmed.slice(0, maximum).trim() : trimmed)
  }
  return kept
}

/** How far `util.inspect` and `Cause.pretty` indent the lines of a nested error's message: 2 spaces a level. */
const nestedIndents: ReadonlyArray<number> = [2, 4, 6, 8, 10, 12]

/** Whether a line of `text` has content too short to be masked on its own (so no line of it would be masked). */
const hasShortLine = (text: string): boolean =>
  text.split(lineBreak).some((line) => {
    const trimmed = line.trim()
    return trimmed.length > 0 && !longEnough(trimmed)
  })

const textForms = (value: string): ReadonlyArray<string> => {
  const text = value.trim()
  if (!longEnough(text)) return []
  const forms = new Set<string>()
  addPrintedForms(text, forms)
  for (const line of linesOf(text, Infinity)) addPrintedForms(line, forms)
  // A line too short to mask would leave the whole value readable, indented, in a nested error: mask it so.
  if (text.includes("\n") && hasShortLine(text)) {
    for (const indent of nestedIndents) addPrintedForms(text.replaceAll("\n", "\n" + " ".repeat(indent)), forms)
  }
  return [...forms]
}

const textPieceForms = (value: string, lineLength: number): ReadonlyArray<string> => {
  const text = value.trim()
  if (!longEnough(text)) return []
  const forms = new Set<string>()
  addPrintedForms(text.slice(0, pieceLength), forms)
  for (const line of linesOf(text, lineLength)) addPrintedForms(line, forms)
  return [...forms]
}

/**
 * How much of a value that is not text the spellings only printers make are made of: `util.inspect` shows a
 * `Buffer`'s first 50 bytes and a `Uint8Array`'s first 100, and the long patterns mask a longer print up to this.
 * Those spellings take up to 12 characters a byte; a large value would otherwise cost many times its size.
 */
const maximumPrintedBytes = 4096

/** The bytes of a value too large to mask whole whose spellings are masked: `util.inspect` shows 100 at most. */
const printedPieceBytes = 100

/**
 * How printers spell bytes: base64 (standard and URL-safe), hex, hex pairs spaced as `util.inspect` prints a
 * `Buffer`, and decimal lists: JSON's (a `Buffer`'s `data`, a `Uint8Array` as an object) and those of Effect's
 * formatter (`Uint8Array([...])`) and `util.inspect` on one line.
 */
const binarySpellings = (bytes: Uint8Array): ReadonlyArray<string> => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const base64 = buffer.toString("base64").replace(/=+$/, "")
  const hex = buffer.toString("hex")
  const printed = bytes.subarray(0, maximumPrintedBytes)
  return [
    base64,
    buffer.toString("base64url"),
    hex,
    hex.slice(0, 2 * maximumPrintedBytes).replace(/(..)(?!$)/g, "$1 "),
    printed.join(","),
    printed.join(", "),
    Array.from(printed, (byte, index) => `"${index}":${byte}`).join(",")
  ]
}

/**
 * Bytes that are not UTF-8 as a printer that decodes them anyway shows them (`Buffer`'s `toString`, which
 * Effect's formatter uses): their text parts are readable between replacement characters. None when too little
 * of the value survives decoding to be worth masking.
 */
const decodedForms = (bytes: Uint8Array): ReadonlyArray<string> => {
  const decoded = lenientUtf8.decode(bytes.subarray(0, maximumPrintedBytes)).trim()
  if (!longEnough(decoded.replaceAll("\ufffd", ""))) return []
  const forms = new Set<string>()
  addPrintedForms(decoded, forms)
  return [...forms]
}

/** Every text that masks `value`; empty when the value is too short to be masked. */
export const maskForms = (value: string | Uint8Array): ReadonlyArray<string> => {
  if (typeof value === "string") return textForms(value)
  const text = strictUtf8Text(value)
  if (text !== undefined) return textForms(text)
  return value.byteLength < minimumLength ? [] : [...new Set([...binarySpellings(value), ...decodedForms(value)])]
}

/**
 * The bytes of a value that is not text, to mask byte for byte where bytes are masked (a command's output): it has
 * no text form, and a command may write it as it is. None for text, masked by its forms.
 */
export const rawByteForms = (value: string | Uint8Array): ReadonlyArray<Uint8Array> =>
  typeof value !== "string" && value.byteLength >= minimumLength && strictUtf8Text(value) === undefined ? [value] : []

/**
 * The texts that mask the pieces of a value too large to mask whole: its first `pieceLength` characters and each
 * of its lines (whole, or its first `lineLength` characters), in every form. Bytes that are not text: each
 * spelling of their first `printedPieceBytes` bytes (as much as `util.inspect` shows of a `Uint8Array`).
 */
export const pieceForms = (value: string | Uint8Array, lineLength: number = pieceLength): ReadonlyArray<string> => {
  if (typeof value === "string") return textPieceForms(value, lineLength)
  const text = strictUtf8Text(value)
  if (text !== undefined) return textPieceForms(text, lineLength)
  return [...new Set(binarySpellings(value.subarray(0, printedPieceBytes)))]
}
