/**
 * An Aho-Corasick automaton over UTF-16 code units that finds every occurrence of many patterns while reading a
 * text once: reading a character costs about the same with one pattern or thousands.
 *
 * **Details**
 *
 * - Characters that occur in no pattern share class 0 and send the automaton back to its start at once. Shallow
 *   states (the start and the first levels, as long as their table stays within `denseCellBudget`) have a full
 *   transition row; deeper states hold their few children and fall back along their failure links (amortised
 *   constant time per character, as in any Aho-Corasick automaton).
 * - A pattern longer than `anchorLength` keeps only its first `anchorLength` characters (its head) in the
 *   automaton, so the automaton grows with the number of patterns, not their size; `longIndex` says which states
 *   are heads, and `longTrie.ts` follows every long pattern past its head at once, however many share it.
 * - A value cut short is masked up to the cut once its head is found: a state `anchorLength` deep reports its
 *   whole depth as a stretch, and the long patterns' trie the rest.
 * - A state's `depth` is the length of the longest end of the text read that may still grow into a match: a
 *   stream holds back that much and no more.
 */
import { anchorLength } from "./forms.ts"

/** Cells (Int32) of the full transition rows of shallow states: 1 MiB at most. */
const denseCellBudget = 1 << 18

export interface Automaton {
  /** The class of each code unit; 0 for those in no pattern. */
  readonly classOf: Uint32Array
  readonly classCount: number
  /** States below this number have a full row in `dense`. */
  readonly denseCount: number
  readonly dense: Int32Array
  /** The children of state `u` are `childStart[u]` up to `childStart[u + 1]`, each entered by `nodeClass`. */
  readonly childStart: Int32Array
  readonly nodeClass: Int32Array
  readonly fail: Int32Array
  readonly depth: Int32Array
  /**
   * The stretch that ends at each state: its depth when `anchorLength` deep (a head masks itself), or else the
   * longest pattern that ends there (itself or along its failure links); 0 for none.
   */
  readonly matchLength: Int32Array
  /** Whether a state reports a stretch or is the head of long patterns: the only states the scan stops at. */
  readonly reports: Uint8Array
  /** The number of the head a state is (the first `anchorLength` characters of long patterns); -1 for none. */
  readonly longIndex: Int32Array
  /** The patterns longer than `anchorLength`, and the number of each one's head. */
  readonly longPatterns: ReadonlyArray<string>
  readonly longHeads: Int32Array
}

/** The trie of kept prefixes, numbered in insertion order. */
interface Trie {
  readonly count: number
  readonly classIn: Int32Array
  readonly completeLength: Int32Array
  readonly firstChild: Int32Array
  readonly nextSibling: Int32Array
  readonly longPatternsAt: Map<number, Array<string>>
}

/** The trie renumbered breadth first: siblings get consecutive numbers, a failure state a smaller one. */
interface Levels {
  readonly oldIdOf: Int32Array
  readonly newIdOf: Int32Array
  readonly depth: Int32Array
  readonly childStart: Int32Array
  readonly nodeClass: Int32Array
}

const keptLength = (pattern: string): number => Math.min(pattern.length, anchorLength)

/** Each code unit used in a kept prefix gets its own class; every other one is class 0. */
const characterClasses = (patterns: ReadonlyArray<string>): { classOf: Uint32Array; classCount: number } => {
  const classOf = new Uint32Array(0x10000)
  let classCount = 1
  for (const pattern of patterns) {
    for (let i = 0; i < keptLength(pattern); i++) {
      const code = pattern.charCodeAt(i)
      if (classOf[code] === 0) classOf[code] = classCount++
    }
  }
  return { classOf, classCount }
}

/**
 * The trie of kept prefixes. In sorted order a pattern shares with the one before it exactly the prefix it shares
 * with any earlier one, so `path` (the nodes along the previous kept prefix) is the only lookup needed.
 */
const buildTrie = (patterns: ReadonlyArray<string>, classOf: Uint32Array): Trie => {
  const sorted = [...patterns].sort()
  let capacity = 1
  for (const pattern of sorted) capacity += keptLength(pattern)
  const classIn = new Int32Array(capacity)
  const completeLength = new Int32Array(capacity)
  const firstChild = new Int32Array(capacity).fill(-1)
  const lastChild = new Int32Array(capacity).fill(-1)
  const nextSibling = new Int32Array(capacity).fill(-1)
  const longPatternsAt = new Map<number, Array<string>>()
  const path = new Int32Array(anchorLength + 1)
  let count = 1
  let previous = ""
  for (const pattern of sorted) {
    const kept = keptLength(pattern)
    let shared = 0
    const limit = Math.min(kept, previous.length)
    while (shared < limit && pattern.charCodeAt(shared) === previous.charCodeAt(shared)) shared++
    let node = path[shared]!
    for (let depth = shared; depth < kept; depth++) {
      const child = count++
      classIn[child] = classOf[pattern.charCodeAt(depth)]!
      if (lastChild[node] === -1) firstChild[node] = child
      else nextSibling[lastChild[node]!] = child
      lastChild[node] = child
      node = child
      path[depth + 1] = child
    }
    previous = pattern.slice(0, kept)
    if (pattern.length <= anchorLength) completeLength[node] = pattern.length
    else {
      const long = longPatternsAt.get(node)
      if (long === undefined) longPatternsAt.set(node, [pattern])
      else long.push(pattern)
    }
  }
  return { count, classIn, completeLength, firstChild, nextSibling, longPatternsAt }
}

/** Breadth-first renumbering: a node's children get consecutive numbers, so `childStart` is all the edges need. */
const breadthFirst = (trie: Trie): Levels => {
  const { count } = trie
  const oldIdOf = new Int32Array(count)
  const newIdOf = new Int32Array(count)
  const depth = new Int32Array(count)
  const childStart = new Int32Array(count + 1)
  const nodeClass = new Int32Array(count)
  let tail = 1
  for (let head = 0; head < count; head++) {
    childStart[head] = tail
    for (let child = trie.firstChild[oldIdOf[head]!]!; child !== -1; child = trie.nextSibling[child]!) {
      newIdOf[child] = tail
      oldIdOf[tail] = child
      nodeClass[tail] = trie.classIn[child]!
      depth[tail] = depth[head]! + 1
      tail++
    }
  }
  childStart[count] = count
  return { oldIdOf, newIdOf, depth, childStart, nodeClass }
}

/** How many states get a full row: whole shallow levels, as many as the budget allows (the start state always). */
const denseStateCount = (depth: Int32Array, classCount: number): number => {
  const count = depth.length
  let denseCount = 1
  for (let level = 1; denseCount < count; level++) {
    let end = denseCount
    while (end < count && depth[end] === level) end++
    if (end * classCount > denseCellBudget) break
    denseCount = end
  }
  return denseCount
}

/** The state after reading a character of class `cls` (not 0) in `state`. */
export const step = (automaton: Automaton, state: number, cls: number): number => {
  const { childStart, classCount, dense, denseCount, fail, nodeClass } = automaton
  let node = state
  while (node >= denseCount) {
    for (let child = childStart[node]!, end = childStart[node + 1]!; child < end; child++) {
      if (nodeClass[child] === cls) return child
    }
    node = fail[node]!
  }
  return dense[node * classCount + cls]!
}

/**
 * The stretch a state reports: a state `anchorLength` deep is a head (or a pattern as long), masked whole even when
 * the text cuts its value short; a shallower one reports the pattern it completes, or else its failure state's.
 */
const stretchLength = (depth: number, ownLength: number, failLength: number): number =>
  depth >= anchorLength ? depth : ownLength > 0 ? ownLength : failLength

/**
 * Fills full rows, failure links and outputs in one breadth-first pass: everything a state needs (its failure
 * state's row, failure state and outputs) belongs to shallower states, done before it.
 */
const linkStates = (automaton: Automaton, trie: Trie, levels: Levels): void => {
  const { childStart, classCount, dense, denseCount, fail, longIndex, matchLength, nodeClass, reports } = automaton
  for (let node = 0; node < fail.length; node++) {
    if (node < denseCount) {
      const row = node * classCount
      if (node !== 0) dense.copyWithin(row, fail[node]! * classCount, (fail[node]! + 1) * classCount)
      for (let child = childStart[node]!; child < childStart[node + 1]!; child++) dense[row + nodeClass[child]!] = child
    }
    for (let child = childStart[node]!; child < childStart[node + 1]!; child++) {
      fail[child] = node === 0 ? 0 : step(automaton, fail[node]!, nodeClass[child]!)
    }
    if (node === 0) continue
    matchLength[node] = stretchLength(
      automaton.depth[node]!,
      trie.completeLength[levels.oldIdOf[node]!]!,
      matchLength[fail[node]!]!
    )
    reports[node] = matchLength[node]! > 0 || longIndex[node]! >= 0 ? 1 : 0
  }
}

/** The automaton of `patterns` (distinct, non-empty strings). */
export const buildAutomaton = (patterns: ReadonlyArray<string>): Automaton => {
  const { classCount, classOf } = characterClasses(patterns)
  const trie = buildTrie(patterns, classOf)
  const levels = breadthFirst(trie)
  const count = trie.count
  const denseCount = denseStateCount(levels.depth, classCount)
  const longIndex = new Int32Array(count).fill(-1)
  const longPatterns: Array<string> = []
  const heads: Array<number> = []
  let head = 0
  for (const [node, long] of trie.longPatternsAt) {
    longIndex[levels.newIdOf[node]!] = head
    for (const pattern of long) {
      longPatterns.push(pattern)
      heads.push(head)
    }
    head++
  }
  const automaton: Automaton = {
    classOf,
    classCount,
    denseCount,
    dense: new Int32Array(denseCount * classCount),
    childStart: levels.childStart,
    nodeClass: levels.nodeClass,
    fail: new Int32Array(count),
    depth: levels.depth,
    matchLength: new Int32Array(count),
    reports: new Uint8Array(count),
    longIndex,
    longPatterns,
    longHeads: Int32Array.from(heads)
  }
  linkStates(automaton, trie, levels)
  return automaton
}
