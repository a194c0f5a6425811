/**
 * Masking text as it comes, in chunks: a value split across chunks is masked as if the text came whole, and
 * output is held back only as long as it may still be part of a value (the scan's undecided end: at most the
 * beginning of a value, or the part of a long value matched so far).
 *
 * **Details**
 *
 * - Each chunk is read once; the automata's states are carried to the next chunk, nothing is read again.
 * - What is emitted is final: a stretch that ends before the undecided end is replaced by the marker at once. A
 *   run of overlapping values that goes on past a chunk's end is masked in pieces (one marker per piece), so
 *   that what is held back stays bounded whatever the text.
 * - A stream ended as cut short (a command killed between two writes of one value) has its end masked when it holds
 *   at least `minimumLength` characters of a value's beginning: cut short, they are still the value's.
 * - Bytes are masked as Latin-1 text (one character per byte) with patterns spelled the same way (the UTF-8 bytes
 *   of each form), so output that is not text, or not UTF-8, passes through byte for byte.
 */
import { type Automaton, buildAutomaton } from "./automaton.ts"
import { minimumLength } from "./forms.ts"
import { endScan, newScan, type Scan, scanChunk, undecidedFrom } from "./scan.ts"
import { addStretch, mergeStretches, renderMasked, type Stretches } from "./stretches.ts"

/**
 * A masked stream of text: `write` returns what can be emitted now, `end` the rest (`cutShort`: the text may have
 * stopped inside a value).
 */
export interface TextMaskingStream {
  readonly write: (chunk: string) => string
  readonly end: (cutShort?: boolean) => string
}

interface StreamState {
  readonly scans: ReadonlyArray<Scan>
  readonly found: Stretches
  /** Text read but not emitted yet, and its position in the stream. */
  held: string
  heldFrom: number
}

/** Emits the held text up to `cut` (a stretch crossing it is masked up to it, its rest kept for later). */
const emitUpTo = (stream: StreamState, cut: number): string => {
  const { found } = stream
  mergeStretches(found)
  const emitted: Stretches = []
  const kept: Stretches = []
  for (let k = 0; k < found.length; k += 2) {
    const start = found[k]!
    const end = found[k + 1]!
    if (start < cut) emitted.push(start, Math.min(end, cut - 1))
    if (end >= cut) kept.push(Math.max(start, cut), end)
  }
  found.length = 0
  found.push(...kept)
  const text = stream.held.slice(0, cut - stream.heldFrom)
  const output = emitted.length === 0 ? text : renderMasked(text, stream.heldFrom, emitted)
  stream.held = stream.held.slice(cut - stream.heldFrom)
  stream.heldFrom = cut
  return output
}

/** A masked stream over `automata`, each finding its own patterns in the same text. */
export const textMaskingStream = (automata: ReadonlyArray<Automaton>): TextMaskingStream => {
  const stream: StreamState = { scans: automata.map(newScan), found: [], held: "", heldFrom: 0 }
  const onStretch = (start: number, end: number) => addStretch(stream.found, start, end)
  return {
    write: (chunk) => {
      stream.held += chunk
      let cut = Infinity
      for (const scan of stream.scans) {
        scanChunk(scan, chunk, onStretch)
        cut = Math.min(cut, undecidedFrom(scan))
      }
      return emitUpTo(stream, Math.max(cut, stream.heldFrom))
    },
    end: (cutShort = false) => {
      const ended = stream.heldFrom + stream.held.length
      const undecided = Math.max(stream.heldFrom, Math.min(...stream.scans.map(undecidedFrom)))
      if (cutShort && ended - undecided >= minimumLength) addStretch(stream.found, undecided, ended - 1)
      for (const scan of stream.scans) endScan(scan)
      return emitUpTo(stream, ended)
    }
  }
}

/** A masked stream of bytes (`end` as for text). */
export interface ByteMaskingStream {
  readonly write: (chunk: Uint8Array) => Uint8Array
  readonly end: (cutShort?: boolean) => Uint8Array
}

/** The UTF-8 bytes of `text`, one character per byte. */
const asLatin1 = (text: string): string => Buffer.from(text, "utf8").toString("latin1")

/** One character per byte. */
const bytesAsLatin1 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")

/**
 * A masked stream of bytes that masks `forms` (texts, matched by their UTF-8 bytes) and `rawBytes` (matched as
 * they are: values that are not text).
 */
export const byteMaskingStream = (
  forms: ReadonlyArray<string>,
  rawBytes: ReadonlyArray<Uint8Array> = []
): ByteMaskingStream => {
  const patterns = [...new Set([...forms.map(asLatin1), ...rawBytes.map(bytesAsLatin1)])].filter((pattern) =>
    pattern.length > 0
  )
  const text = textMaskingStream(patterns.length === 0 ? [] : [buildAutomaton(patterns)])
  const toBytes = (masked: string) => Buffer.from(masked, "latin1")
  return {
    write: (chunk) => toBytes(text.write(bytesAsLatin1(chunk))),
    end: (cutShort) => toBytes(text.end(cutShort))
  }
}

/** `text` with every pattern of `automata` masked: a stream of one chunk; `text` itself when nothing matched. */
export const maskText = (automata: ReadonlyArray<Automaton>, text: string): string => {
  const found: Stretches = []
  const onStretch = (start: number, end: number) => addStretch(found, start, end)
  for (const automaton of automata) {
    const scan = newScan(automaton)
    scanChunk(scan, text, onStretch)
    endScan(scan)
  }
  return found.length === 0 ? text : renderMasked(text, 0, mergeStretches(found))
}
