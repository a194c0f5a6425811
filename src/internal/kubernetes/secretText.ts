/**
 * flyteidl `core.Secret` in the protobuf text format, as flytepropeller writes it into pod annotations
 * (golang/protobuf `proto.MarshalTextString`: one `name: value` line per field set, in field-number order) and as
 * any text-format reader accepts it back (spacing, comments, `,`/`;` separators, either quote, adjacent strings,
 * C escapes, the enum by name or number).
 */
import type { MountRequirement } from "../../Secret.ts"
import { strictUtf8Text } from "../lookup/text.ts"

/** The fields of a `core.Secret`, exactly as given: nothing is checked here but their types. */
export interface SecretFields {
  readonly group?: string | undefined
  readonly groupVersion?: string | undefined
  readonly key?: string | undefined
  readonly mountRequirement?: MountRequirement | undefined
  readonly envVar?: string | undefined
}

// Field-number order: group = 1, group_version = 2, key = 3, mount_requirement = 4, env_var = 5.
const stringFields = [["group", "group"], ["groupVersion", "group_version"], ["key", "key"]] as const
const mountNames: ReadonlyArray<MountRequirement> = ["ANY", "ENV_VAR", "FILE"]

const utf8 = new TextEncoder()

/** A string literal as Go's text marshaller quotes it: printable ASCII as is, other bytes as octal escapes. */
export const quoteText = (value: string): string => {
  let out = "\""
  for (const byte of utf8.encode(value)) {
    if (byte === 0x0a) out += "\\n"
    else if (byte === 0x0d) out += "\\r"
    else if (byte === 0x09) out += "\\t"
    else if (byte === 0x22) out += "\\\""
    else if (byte === 0x5c) out += "\\\\"
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte)
    else out += "\\" + byte.toString(8).padStart(3, "0")
  }
  return out + "\""
}

/** The `name value` pairs a text rendering holds: fields at their proto3 default are left out. */
const setFields = (fields: SecretFields): Array<readonly [string, string]> => {
  const pairs: Array<readonly [string, string]> = []
  for (const [field, name] of stringFields) {
    const value = fields[field]
    if (value) pairs.push([name, quoteText(value)])
  }
  if (fields.mountRequirement !== undefined && fields.mountRequirement !== "ANY") {
    pairs.push(["mount_requirement", fields.mountRequirement])
  }
  if (fields.envVar) pairs.push(["env_var", quoteText(fields.envVar)])
  return pairs
}

/** The multi-line text format, as `proto.MarshalTextString` writes it (`key: "my_key"\n`). */
export const toSecretText = (fields: SecretFields): string =>
  setFields(fields).map(([name, value]) => `${name}: ${value}\n`).join("")

/** The one-line form Go prints for `%v` of a message (`key:"HELLO" mount_requirement:ENV_VAR`). */
export const toCompactText = (fields: SecretFields): string =>
  setFields(fields).map(([name, value]) => `${name}:${value}`).join(" ")

type Token =
  | { readonly kind: "name"; readonly text: string; readonly at: number }
  | { readonly kind: "string"; readonly value: Uint8Array; readonly at: number }
  | { readonly kind: "number"; readonly text: string; readonly at: number }
  | { readonly kind: "symbol"; readonly text: string; readonly at: number }

const whitespace = new Set([" ", "\t", "\n", "\r", "\v", "\f"])
const nameStart = /[A-Za-z_]/
const nameRest = /[A-Za-z0-9_]/
const numberRest = /[A-Za-z0-9_.+-]/

/** Thrown inside the parser only; `parseSecretText` turns it into its answer. */
class TextError {
  readonly reason: string
  constructor(reason: string) {
    this.reason = reason
  }
}

const simpleEscapes: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  "\\": 0x5c,
  "'": 0x27,
  "\"": 0x22,
  "?": 0x3f
}

const tokenize = (text: string): Array<Token> => {
  const tokens: Array<Token> = []
  let at = 0
  const fail = (reason: string): never => {
    throw new TextError(`${reason} at offset ${at}`)
  }
  while (at < text.length) {
    const character = text[at]!
    if (whitespace.has(character)) {
      at++
    } else if (character === "#") {
      while (at < text.length && text[at] !== "\n") at++
    } else if (nameStart.test(character)) {
      const start = at
      while (at < text.length && nameRest.test(text[at]!)) at++
      tokens.push({ kind: "name", text: text.slice(start, at), at: start })
    } else if (/[0-9-]/.test(character)) {
      const start = at
      at++
      while (at < text.length && numberRest.test(text[at]!)) at++
      tokens.push({ kind: "number", text: text.slice(start, at), at: start })
    } else if (character === "\"" || character === "'") {
      const start = at
      const bytes: Array<number> = []
      at++
      while (true) {
        if (at >= text.length || text[at] === "\n") fail("unterminated string")
        const next = text[at]!
        if (next === character) {
          at++
          break
        }
        if (next !== "\\") {
          const codePoint = text.codePointAt(at)!
          bytes.push(...utf8.encode(String.fromCodePoint(codePoint)))
          at += codePoint > 0xffff ? 2 : 1
          continue
        }
        const escape = text[at + 1]
        if (escape === undefined) fail("unterminated string")
        at += 2
        if (simpleEscapes[escape!] !== undefined) {
          bytes.push(simpleEscapes[escape!]!)
        } else if (/[0-7]/.test(escape!)) {
          let digits = escape!
          while (digits.length < 3 && /[0-7]/.test(text[at] ?? "")) digits += text[at++]
          const value = parseInt(digits, 8)
          if (value > 0xff) fail(`octal escape \\${digits} is over \\377`)
          bytes.push(value)
        } else if (escape === "x" || escape === "X") {
          let digits = ""
          while (digits.length < 2 && /[0-9A-Fa-f]/.test(text[at] ?? "")) digits += text[at++]
          if (digits === "") fail("\\x escape without hex digits")
          bytes.push(parseInt(digits, 16))
        } else if (escape === "u" || escape === "U") {
          const length = escape === "u" ? 4 : 8
          const digits = text.slice(at, at + length)
          if (!new RegExp(`^[0-9A-Fa-f]{${length}}$`).test(digits)) {
            fail(`\\${escape} escape needs ${length} hex digits`)
          }
          at += length
          const codePoint = parseInt(digits, 16)
          if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
            fail(`\\${escape}${digits} is not a Unicode scalar value`)
          }
          bytes.push(...utf8.encode(String.fromCodePoint(codePoint)))
        } else {
          fail(`unknown escape \\${escape}`)
        }
      }
      tokens.push({ kind: "string", value: Uint8Array.from(bytes), at: start })
    } else if (character === ":" || character === "," || character === ";") {
      tokens.push({ kind: "symbol", text: character, at })
      at++
    } else {
      fail(`unexpected character ${JSON.stringify(character)}`)
    }
  }
  return tokens
}

const fieldByName: Readonly<Record<string, keyof SecretFields>> = {
  group: "group",
  group_version: "groupVersion",
  key: "key",
  mount_requirement: "mountRequirement",
  env_var: "envVar"
}

/** The enum from its name or its number (decimal, `0x` hex or `0` octal, as Go's `ParseInt(s, 0, 32)` reads it). */
const mountOf = (token: Token): MountRequirement => {
  if (token.kind === "name") {
    const mount = mountNames.find((name) => name === token.text)
    if (mount === undefined) {
      throw new TextError(`unknown mount_requirement ${token.text} at offset ${token.at} (ANY, ENV_VAR or FILE)`)
    }
    return mount
  }
  if (token.kind === "number") {
    const match = /^(-?)(?:0[xX]([0-9A-Fa-f]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(token.text)
    const number = match === null
      ? NaN
      : (match[1] === "-" ? -1 : 1) *
        (match[2] !== undefined
          ? parseInt(match[2], 16)
          : match[3] !== undefined
          ? parseInt(match[3], 8)
          : Number(match[4]))
    const mount = Number.isInteger(number) ? mountNames[number] : undefined
    if (mount === undefined) {
      throw new TextError(`mount_requirement ${token.text} at offset ${token.at} is not 0, 1 or 2`)
    }
    return mount
  }
  throw new TextError(`expected ANY, ENV_VAR, FILE or 0, 1, 2 at offset ${token.at}`)
}

/**
 * The fields of a `core.Secret` in the text format, or why the text is not one: an unknown field, a field set
 * twice, a missing `:`, a string that is not valid UTF-8, an unknown enum value.
 */
export const parseSecretText = (text: string): SecretFields | string => {
  try {
    const tokens = tokenize(text)
    const fields: { -readonly [K in keyof SecretFields]: SecretFields[K] } = {}
    let index = 0
    while (index < tokens.length) {
      const nameToken = tokens[index++]!
      if (nameToken.kind !== "name") throw new TextError(`expected a field name at offset ${nameToken.at}`)
      const field = fieldByName[nameToken.text]
      if (field === undefined) {
        throw new TextError(
          `unknown field ${nameToken.text} at offset ${nameToken.at} (core.Secret has group, ` +
            "group_version, key, mount_requirement, env_var)"
        )
      }
      if (field in fields) throw new TextError(`field ${nameToken.text} is set twice (offset ${nameToken.at})`)
      const colon = tokens[index++]
      if (colon?.kind !== "symbol" || colon.text !== ":") {
        throw new TextError(`expected ":" after ${nameToken.text} at offset ${colon?.at ?? text.length}`)
      }
      const valueToken = tokens[index++]
      if (valueToken === undefined) throw new TextError(`missing value for ${nameToken.text} at the end`)
      if (field === "mountRequirement") {
        fields.mountRequirement = mountOf(valueToken)
      } else {
        if (valueToken.kind !== "string") {
          throw new TextError(`expected a quoted string for ${nameToken.text} at offset ${valueToken.at}`)
        }
        // Adjacent string literals are one string.
        const parts = [valueToken.value]
        while (tokens[index]?.kind === "string") parts.push((tokens[index++] as { value: Uint8Array }).value)
        const bytes = Uint8Array.from(parts.flatMap((part) => [...part]))
        const text = strictUtf8Text(bytes)
        if (text === undefined) {
          throw new TextError(`the string for ${nameToken.text} at offset ${valueToken.at} is not valid UTF-8`)
        }
        fields[field] = text
      }
      const separator = tokens[index]
      if (separator?.kind === "symbol" && (separator.text === "," || separator.text === ";")) index++
    }
    return fields
  } catch (error) {
    if (error instanceof TextError) return error.reason
    throw error
  }
}
