/**
 * Secret text exactly as flytekit reads it: Python's `str.strip()` whitespace set (which is not JavaScript's
 * `trim()`: Python strips `\x1c`-`\x1f` and `\x85`, keeps U+FEFF), and universal newlines for files (`\r\n` and `\r`
 * become `\n`, as Python's text mode reads them). A leading byte order mark is kept, as flytekit's `utf-8` codec
 * keeps it.
 */
// The characters Python's str.isspace() accepts.
const pythonWhitespace = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007" +
  "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
const isPythonSpace = new Set([...pythonWhitespace].map((character) => character.charCodeAt(0)))
// Printable ASCII, the usual first and last character of a secret, is answered without the set.
const isSpace = (code: number): boolean => (code > 0x20 && code < 0x7f) ? false : isPythonSpace.has(code)

/** `text.strip()` as Python does it. */
export const pythonStrip = (text: string): string => {
  let start = 0
  let end = text.length
  while (start < end && isSpace(text.charCodeAt(start))) start++
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--
  return start === 0 && end === text.length ? text : text.slice(start, end)
}

const carriageReturn = /\r\n?/g

// The library's one UTF-8 decoder.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

// Typed arrays this short live in the JavaScript heap: a native decoder would first move the bytes out of it, which
// costs several times the decoding. Their ASCII text is made without leaving JavaScript.
const maxInHeap = 64

/**
 * The character codes of `bytes` when each is ASCII, else `undefined`: in a plain array, which `fromCharCode` takes
 * faster than a typed array.
 */
const asciiCodes = (bytes: Uint8Array): Array<number> | undefined => {
  const codes = new Array<number>(bytes.length)
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (byte > 0x7f) return undefined
    codes[i] = byte
  }
  return codes
}

/**
 * `bytes` as text when they are strict UTF-8 (no overlong forms, no surrogates), else `undefined`. A byte order mark
 * is kept, as Python's `utf-8` codec and Go's strings keep it: the text holds every byte.
 */
export const strictUtf8Text = (bytes: Uint8Array): string | undefined => {
  const codes = bytes.length <= maxInHeap ? asciiCodes(bytes) : undefined
  if (codes !== undefined) return String.fromCharCode.apply(null, codes)
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}

/** A file's bytes as flytekit's text mode gives them (universal newlines, then stripped), or `undefined` if not UTF-8. */
export const fileText = (bytes: Uint8Array): string | undefined => {
  const text = strictUtf8Text(bytes)
  if (text === undefined) return undefined
  return pythonStrip(text.includes("\r") ? text.replace(carriageReturn, "\n") : text)
}

/** How a variable's value and a file's bytes become a secret's text. */
export interface TextRule {
  readonly ofValue: (value: string) => string
  readonly ofFile: (bytes: Uint8Array) => string | undefined
}

/** flytekit's: stripped, files with universal newlines. */
export const flytekitText: TextRule = { ofValue: pythonStrip, ofFile: fileText }

/** As the platform wrote it: what a program reading the variable or the file itself gets (Flyte 2's flyte-sdk). */
export const exactText: TextRule = { ofValue: (value) => value, ofFile: strictUtf8Text }
