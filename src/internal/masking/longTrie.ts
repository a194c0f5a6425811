/**
 * Long patterns past their head: every pattern longer than `anchorLength` in one trie with failure links, so that a
 * single follower reads each character once however many long patterns share a head or overlap in the text.
 *
 * **Details**
 *
 * - The trie is not stored as nodes: the long patterns are sorted, and the node for the first `d` characters of
 *   pattern `j` is `(j, d)` with `j` the first pattern (in order) that begins so. Its children are the patterns
 *   from `j` on that share those `d` characters, sorted by their next one: a binary search finds a child, with the
 *   common prefix of two patterns read from a range-minimum table of neighbours' common prefixes.
 * - Only nodes at least `anchorLength` deep are followed (shallower ones are the automaton's): a failure link is the
 *   longest proper end of a node that is such a node (a head's root when only a head ends it), or -1: 4 bytes a
 *   character, what the registry counts for a long pattern. With none, the follower stops until the automaton
 *   finds a head again.
 * - The follower's node is the longest end of the text read that begins a long pattern: all of it is masked (the
 *   text may cut the pattern short), and a stream holds back no more than its depth.
 */
import { type Automaton, step } from "./automaton.ts"
import { anchorLength } from "./forms.ts"

export interface LongTrie {
  /** The long patterns, sorted. */
  readonly patterns: ReadonlyArray<string>
  /** Range-minimum table of `common[j]`, the common prefix of patterns `j - 1` and `j` (level `t` spans 2^t). */
  readonly commonMin: ReadonlyArray<Int32Array>
  /** The node `(j, d)` is numbered `start[j] + d`. */
  readonly start: Int32Array
  /** The failure node of each node, or -1. */
  readonly fail: Int32Array
  /** For each head (the automaton's `longIndex`), the first pattern that begins with it. */
  readonly rootOf: Int32Array
}

/** Code-unit order, as `Array.prototype.sort` without a comparator. */
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** How many characters `a` and `b` share from their beginning. */
const commonPrefix = (a: string, b: string): number => {
  const limit = Math.min(a.length, b.length)
  let length = 0
  while (length < limit && a.charCodeAt(length) === b.charCodeAt(length)) length++
  return length
}

const rangeMinTable = (values: Int32Array): ReadonlyArray<Int32Array> => {
  const levels = [values]
  for (let span = 1; span * 2 <= values.length; span *= 2) {
    const below = levels[levels.length - 1]!
    const level = new Int32Array(values.length - span * 2 + 1)
    for (let i = 0; i < level.length; i++) level[i] = Math.min(below[i]!, below[i + span]!)
    levels.push(level)
  }
  return levels
}

/** How many characters patterns `j` and `x` (j < x) share: the least common prefix of the neighbours between. */
const sharedBetween = (trie: LongTrie, j: number, x: number): number => {
  const level = 31 - Math.clz32(x - j)
  const table = trie.commonMin[level]!
  return Math.min(table[j + 1]!, table[x - (1 << level) + 1]!)
}

/** The character of pattern `x` after `d` characters; -1 past its end (so a pattern sorts before its extensions). */
const codeAt = (trie: LongTrie, x: number, d: number): number => {
  const pattern = trie.patterns[x]!
  return d < pattern.length ? pattern.charCodeAt(d) : -1
}

/** The child of node `(j, d)` entered by `code`: the pattern that numbers it, or -1. */
export const childOf = (trie: LongTrie, j: number, d: number, code: number): number => {
  // From `j` on: first the patterns that share the node, by their next character, then the others.
  let low = j
  let high = trie.patterns.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((middle > j && sharedBetween(trie, j, middle) < d) || codeAt(trie, middle, d) >= code) high = middle
    else low = middle + 1
  }
  if (low === trie.patterns.length || (low > j && sharedBetween(trie, j, low) < d)) return -1
  return codeAt(trie, low, d) === code ? low : -1
}

/** The pattern that numbers node `id`. */
export const patternOf = (trie: LongTrie, id: number): number => {
  const { start } = trie
  let low = 0
  let high = start.length - 1
  while (low < high) {
    const middle = (low + high + 1) >>> 1
    if (start[middle]! <= id) low = middle
    else high = middle - 1
  }
  return low
}

/** The longest proper end of `text + code` (text: the node `failOf`'s chain starts from) that is a node; or -1. */
const failureStep = (trie: LongTrie, from: number, code: number): number => {
  for (let id = from; id >= 0; id = trie.fail[id]!) {
    const j = patternOf(trie, id)
    const d = id - trie.start[j]!
    const child = childOf(trie, j, d, code)
    if (child >= 0) return trie.start[child]! + d + 1
  }
  return -1
}

/** The automaton's state after reading `text` from its start. */
const stateAfter = (automaton: Automaton, state: number, code: number): number => {
  const cls = automaton.classOf[code]!
  return cls === 0 ? 0 : step(automaton, state, cls)
}

/**
 * Fills the failure links depth by depth (a link goes to a shallower node, done before). `state[x]` is the
 * automaton's state after pattern `x` so far: it says where a head ends, and `failed[x]` is the link of the node
 * of pattern `x` so far.
 */
const linkFailures = (trie: LongTrie, automaton: Automaton, common: Int32Array): void => {
  const { patterns, start, fail, rootOf } = trie
  const state = new Int32Array(patterns.length)
  const failed = new Int32Array(patterns.length).fill(-1)
  for (let x = 0; x < patterns.length; x++) {
    for (let d = 0; d < anchorLength; d++) state[x] = stateAfter(automaton, state[x]!, patterns[x]!.charCodeAt(d))
  }
  // The patterns at least `d` long, in order: kept in place, so a single long pattern allocates nothing per depth.
  const alive = Int32Array.from(patterns.keys())
  let aliveCount = alive.length
  for (let d = anchorLength + 1; aliveCount > 0; d++) {
    let kept = 0
    for (let k = 0; k < aliveCount; k++) if (patterns[alive[k]!]!.length >= d) alive[kept++] = alive[k]!
    aliveCount = kept
    for (let k = 0; k < aliveCount; k++) {
      const x = alive[k]!
      const code = patterns[x]!.charCodeAt(d - 1)
      state[x] = stateAfter(automaton, state[x]!, code)
      if (common[x]! >= d) {
        failed[x] = failed[x - 1]! // the same node as the pattern before
        continue
      }
      let link = failureStep(trie, failed[x]!, code)
      const head = automaton.longIndex[state[x]!]!
      if (link < 0 && head >= 0) link = start[rootOf[head]!]! + anchorLength
      fail[start[x]! + d] = link
      failed[x] = link
    }
  }
}

/** The trie of the automaton's long patterns. */
export const buildLongTrie = (automaton: Automaton): LongTrie => {
  const order = automaton.longPatterns.map((_, k) => k)
  order.sort((a, b) => compareStrings(automaton.longPatterns[a]!, automaton.longPatterns[b]!))
  const sorted = order.map((k) => automaton.longPatterns[k]!)
  const common = new Int32Array(sorted.length)
  const start = new Int32Array(sorted.length)
  const rootOf = new Int32Array(sorted.length)
  let nodes = 0
  for (let j = 0; j < sorted.length; j++) {
    common[j] = j === 0 ? 0 : commonPrefix(sorted[j - 1]!, sorted[j]!)
    if (common[j]! < anchorLength) rootOf[automaton.longHeads[order[j]!]!] = j
    start[j] = nodes
    nodes += sorted[j]!.length + 1
  }
  const trie: LongTrie = {
    patterns: sorted,
    commonMin: rangeMinTable(common),
    start,
    fail: new Int32Array(nodes).fill(-1),
    rootOf
  }
  linkFailures(trie, automaton, common)
  return trie
}

/** Long tries, shared by every scan of the same automaton and made on first need. */
const longTries = new WeakMap<Automaton, LongTrie>()

export const longTrieOf = (automaton: Automaton): LongTrie => {
  let trie = longTries.get(automaton)
  if (trie === undefined) longTries.set(automaton, trie = buildLongTrie(automaton))
  return trie
}
