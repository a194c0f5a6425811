/**
 * Reading a text through an automaton, in one piece or in chunks: the scan's state (the automaton's state, the
 * long patterns being followed) is carried from one chunk to the next, so a value split across chunks is found as
 * if the text came whole. Stretches to mask are reported as positions counted from the start of the stream.
 */
import { type Automaton, step, wholeLength } from "./automaton.ts"
import { advance, anchorFound, type Extension, finish, newExtension, type OnStretch, zArray } from "./extension.ts"

export interface Scan {
  readonly automaton: Automaton
  state: number
  /** Characters read so far: the position of the next one. */
  position: number
  /** One per long pattern, made when its anchor is first found. */
  readonly extensions: Array<Extension | undefined>
  /** The extensions with a comparison under way. */
  active: Array<Extension>
}

/** Z-arrays of long patterns, shared by every scan of the same automaton and made on first need. */
const zArrays = new WeakMap<Automaton, Array<Int32Array | undefined>>()

const zOf = (automaton: Automaton, index: number): Int32Array => {
  let arrays = zArrays.get(automaton)
  if (arrays === undefined) zArrays.set(automaton, arrays = [])
  return arrays[index] ??= zArray(automaton.longPatterns[index]!)
}

export const newScan = (automaton: Automaton): Scan => ({
  automaton,
  state: 0,
  position: 0,
  extensions: [],
  active: []
})

/** Advances every long pattern being followed over the character `code` at `at`. */
const advanceActive = (scan: Scan, at: number, code: number, onStretch: OnStretch): void => {
  let kept = 0
  for (const extension of scan.active) {
    if (advance(extension, at, code, onStretch)) scan.active[kept++] = extension
  }
  scan.active.length = kept
}

/** The long patterns whose head is the state just entered start (or queue) being followed from `start`. */
const anchorsFound = (scan: Scan, group: ReadonlyArray<number>, start: number): void => {
  for (const index of group) {
    const extension = scan.extensions[index] ??= newExtension(
      scan.automaton.longPatterns[index]!,
      zOf(scan.automaton, index)
    )
    if (anchorFound(extension, start)) scan.active.push(extension)
  }
}

/** Reads `text`, the next chunk of the stream, reporting every stretch that is decided by its end. */
export const scanChunk = (scan: Scan, text: string, onStretch: OnStretch): void => {
  const { automaton } = scan
  const { classCount, classOf, dense, denseCount, longAt, longIndex, matchLength, reports } = automaton
  let state = scan.state
  const base = scan.position
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (scan.active.length > 0) advanceActive(scan, base + i, code, onStretch)
    const cls = classOf[code]!
    if (cls === 0) {
      state = 0
      continue
    }
    state = state < denseCount ? dense[state * classCount + cls]! : step(automaton, state, cls) // a full row: no call
    if (reports[state] === 0) continue
    const at = base + i
    const length = matchLength[state]!
    if (length > 0) onStretch(at - length + 1, at)
    const group = longIndex[state]!
    if (group >= 0) anchorsFound(scan, longAt[group]!, at - wholeLength + 1)
  }
  scan.state = state
  scan.position = base + text.length
}

/** The stream ended: every long pattern being followed is masked up to the end. */
export const endScan = (scan: Scan, onStretch: OnStretch): void => {
  for (const extension of scan.active) finish(extension, scan.position, onStretch)
  scan.active.length = 0
  scan.state = 0
}

/** The first position a stretch found later can start at: what a stream must hold back from. */
export const undecidedFrom = (scan: Scan): number => {
  let from = scan.position - scan.automaton.depth[scan.state]!
  for (const extension of scan.active) from = Math.min(from, extension.start)
  return from
}
