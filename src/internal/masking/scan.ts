/**
 * Reading a text through an automaton, in one piece or in chunks: the scan's state (the automaton's state, the
 * node of the long patterns' trie it follows) is carried from one chunk to the next, so a value split across chunks
 * is found as if the text came whole. Stretches to mask are reported as positions counted from the start of the
 * stream.
 */
import { type Automaton, step } from "./automaton.ts"
import { anchorLength } from "./forms.ts"
import { childOf, type LongTrie, longTrieOf, patternOf } from "./longTrie.ts"
import type { OnStretch } from "./stretches.ts"

export interface Scan {
  readonly automaton: Automaton
  state: number
  /** Characters read so far: the position of the next one. */
  position: number
  /** The long patterns' trie, made when a head is first found. */
  long: LongTrie | undefined
  /** The node followed in it (`longPattern`, `longDepth`); `longDepth` 0 when none. */
  longPattern: number
  longDepth: number
}

export const newScan = (automaton: Automaton): Scan => ({
  automaton,
  state: 0,
  position: 0,
  long: undefined,
  longPattern: 0,
  longDepth: 0
})

/**
 * Follows the long patterns' trie over the character `code` at `at`: to the child it enters, or along failure
 * links; all of the node reached is masked.
 */
const followLong = (scan: Scan, long: LongTrie, at: number, code: number, onStretch: OnStretch): void => {
  let pattern = scan.longPattern
  let depth = scan.longDepth
  for (;;) {
    const child = childOf(long, pattern, depth, code)
    if (child >= 0) {
      scan.longPattern = child
      scan.longDepth = depth + 1
      onStretch(at - depth, at)
      return
    }
    const link = long.fail[long.start[pattern]! + depth]!
    if (link < 0) break
    pattern = patternOf(long, link)
    depth = link - long.start[pattern]!
  }
  scan.longDepth = 0
}

/** The head `head` ends at `at`: the trie is followed from its root unless a longer node is followed already. */
const headFound = (scan: Scan, head: number): void => {
  if (scan.longDepth > 0) return
  const long = scan.long ??= longTrieOf(scan.automaton)
  scan.longPattern = long.rootOf[head]!
  scan.longDepth = anchorLength
}

/** Reads `text`, the next chunk of the stream, reporting every stretch that is decided by its end. */
export const scanChunk = (scan: Scan, text: string, onStretch: OnStretch): void => {
  const { automaton } = scan
  const { classCount, classOf, dense, denseCount, longIndex, matchLength, reports } = automaton
  let state = scan.state
  const base = scan.position
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (scan.longDepth > 0) followLong(scan, scan.long!, base + i, code, onStretch)
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
    const head = longIndex[state]!
    if (head >= 0) headFound(scan, head)
  }
  scan.state = state
  scan.position = base + text.length
}

/** The stream ended: everything found is reported already (a long pattern as far as the text held it). */
export const endScan = (scan: Scan): void => {
  scan.longDepth = 0
  scan.state = 0
}

/** The first position a stretch found later can start at: what a stream must hold back from. */
export const undecidedFrom = (scan: Scan): number =>
  scan.position - Math.max(scan.automaton.depth[scan.state]!, scan.longDepth)
