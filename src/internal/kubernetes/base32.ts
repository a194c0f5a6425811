/**
 * flytepropeller's base32: RFC 4648 base32 over the alphabet `abcdefghijklmnopqrstuvwxyz123456`, no padding
 * (flyteplugins `encoding.Base32Encoder`). Volume names and the secret annotations are written with it.
 */

const alphabet = "abcdefghijklmnopqrstuvwxyz123456"

const valueOf: ReadonlyMap<string, number> = new Map([...alphabet].map((character, index) => [character, index]))

/** The bytes in base32, no padding. */
export const encodeBase32 = (bytes: Uint8Array): string => {
  let out = ""
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += alphabet[(buffer >>> bits) & 31]
    }
    buffer &= (1 << bits) - 1
  }
  return bits > 0 ? out + alphabet[(buffer << (5 - bits)) & 31] : out
}

const encoder = new TextEncoder()

const ascii = /^[\x00-\x7f]*$/

/** The UTF-8 bytes of the text in base32, no padding. */
export const encodeBase32Text = (text: string): string =>
  encodeBase32(ascii.test(text) ? Uint8Array.from(text, (character) => character.charCodeAt(0)) : encoder.encode(text))

/**
 * The bytes of base32 text, or why it is not base32. Like Go's decoder, line breaks are skipped and the unused
 * bits of the last character are not checked; a length that cannot end a quantum (1, 3 or 6 characters past a
 * multiple of 8) is refused.
 */
export const decodeBase32 = (text: string): Uint8Array | string => {
  const characters = text.replace(/[\r\n]/g, "")
  const remainder = characters.length % 8
  if (remainder === 1 || remainder === 3 || remainder === 6) {
    return `${characters.length} characters cannot end a base32 quantum`
  }
  const out = new Uint8Array(Math.floor((characters.length * 5) / 8))
  let buffer = 0
  let bits = 0
  let written = 0
  for (let index = 0; index < characters.length; index++) {
    const value = valueOf.get(characters[index]!)
    if (value === undefined) {
      return `character ${index + 1} is not in the alphabet ${alphabet} (no padding)`
    }
    buffer = ((buffer << 5) | value) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[written++] = (buffer >>> bits) & 0xff
    }
  }
  return out
}
