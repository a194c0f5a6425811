/**
 * Masking many values in one pass: an Aho-Corasick automaton over UTF-16 code units that finds every occurrence of
 * every pattern while reading the text once, whatever the number of patterns.
 *
 * **Details**
 *
 * - Every occurrence is masked, and occurrences that overlap or touch merge into one marker: a value that contains
 *   another is masked whole, and of two overlapping values neither leaves a fragment.
 * - Characters that occur in no pattern share class 0 and send the automaton back to its start at once. Shallow
 *   states (the start and the first levels, as long as their table stays within `denseCellBudget`) have a full
 *   transition row; deeper states hold their few children and fall back along their failure links. Reading a
 *   character therefore costs about the same with one pattern or thousands.
 * - A pattern longer than `anchorLength` keeps only its first `anchorLength` characters in the automaton, so the
 *   automaton grows with the number of values, not their size. Where that prefix is found, the text is compared
 *   with the rest of the value, and as much of the value as the text holds is masked: a long value cut short (a
 *   truncated log line, a value split over lines) is masked up to the cut.
 */

/** Characters of a pattern kept in the automaton. */
export const anchorLength = 32

/** What replaces each masked stretch of text. */
export const redactedMarker = "<redacted>"

/** Cells (Int32) of the full transition rows of shallow states: 1 MiB at most. */
const denseCellBudget = 1 << 18

/**
 * Masks every occurrence of the automaton's patterns and of `pending` ones (patterns added since it was built,
 * searched for directly, with the same rules) in `text`; returns `text` itself when nothing matched.
 */
export type Masker = (text: string, pending: ReadonlyArray<string>) => string

/** How many characters of `pattern` the text holds from `at`, given that its first `known` are there. */
const matchedLength = (text: string, at: number, pattern: string, known: number): number => {
  const limit = Math.min(pattern.length, text.length - at)
  let matched = known
  while (matched < limit && text.charCodeAt(at + matched) === pattern.charCodeAt(matched)) matched++
  return matched
}

/** Appends the stretches (start, end) of `text` that `pattern` masks, as the automaton finds them, to `found`. */
const findDirectly = (text: string, pattern: string, found: Array<number>): void => {
  const anchor = pattern.length <= anchorLength ? pattern : pattern.slice(0, anchorLength)
  for (let at = text.indexOf(anchor); at !== -1; at = text.indexOf(anchor, at + 1)) {
    found.push(at, at + matchedLength(text, at, pattern, anchor.length) - 1)
  }
}

/** The masker of `patterns` (distinct, non-empty strings). */
export const buildMasker = (patterns: ReadonlyArray<string>): Masker => {
  // Character classes: each code unit used in a kept prefix gets its own class; every other one is class 0.
  const classOf = new Uint32Array(0x10000)
  let classCount = 1
  for (const pattern of patterns) {
    const kept = Math.min(pattern.length, anchorLength)
    for (let i = 0; i < kept; i++) {
      const code = pattern.charCodeAt(i)
      if (classOf[code] === 0) classOf[code] = classCount++
    }
  }

  // The trie of kept prefixes. In sorted order a pattern shares with the one before it exactly the prefix it shares
  // with any earlier one, so `path` (the nodes along the previous kept prefix) is the only lookup needed.
  const sorted = [...patterns].sort()
  let capacity = 1
  for (const pattern of sorted) capacity += Math.min(pattern.length, anchorLength)
  const classIn = new Int32Array(capacity)
  const completeLength = new Int32Array(capacity)
  const firstChild = new Int32Array(capacity).fill(-1)
  const lastChild = new Int32Array(capacity).fill(-1)
  const nextSibling = new Int32Array(capacity).fill(-1)
  const longPatternsAt = new Map<number, Array<string>>()
  const path = new Int32Array(anchorLength + 1)
  let created = 1
  let previous = ""
  for (const pattern of sorted) {
    const kept = Math.min(pattern.length, anchorLength)
    let shared = 0
    const limit = Math.min(kept, previous.length)
    while (shared < limit && pattern.charCodeAt(shared) === previous.charCodeAt(shared)) shared++
    let node = path[shared]!
    for (let depth = shared; depth < kept; depth++) {
      const child = created++
      classIn[child] = classOf[pattern.charCodeAt(depth)]!
      if (lastChild[node] === -1) firstChild[node] = child
      else nextSibling[lastChild[node]!] = child
      lastChild[node] = child
      node = child
      path[depth + 1] = child
    }
    previous = kept === pattern.length ? pattern : pattern.slice(0, kept)
    if (pattern.length <= anchorLength) completeLength[node] = pattern.length
    else {
      const long = longPatternsAt.get(node)
      if (long === undefined) longPatternsAt.set(node, [pattern])
      else long.push(pattern)
    }
  }

  // Breadth-first renumbering: a node's children get consecutive numbers, so `childStart` is all the edge list needs
  // (the children of `u` are `childStart[u]` up to `childStart[u + 1]`, each entered by `nodeClass[child]`), and a
  // node's failure state, being shallower, always has a smaller number.
  const count = created
  const oldIdOf = new Int32Array(count)
  const newIdOf = new Int32Array(count)
  const depthOf = new Int32Array(count)
  const childStart = new Int32Array(count + 1)
  const nodeClass = new Int32Array(count)
  let tail = 1
  for (let head = 0; head < count; head++) {
    childStart[head] = tail
    for (let child = firstChild[oldIdOf[head]!]!; child !== -1; child = nextSibling[child]!) {
      newIdOf[child] = tail
      oldIdOf[tail] = child
      nodeClass[tail] = classIn[child]!
      depthOf[tail] = depthOf[head]! + 1
      tail++
    }
  }
  childStart[count] = count

  // Full rows for whole shallow levels, as many as the budget allows (the start state always).
  let denseCount = 1
  for (let level = 1; denseCount < count; level++) {
    let end = denseCount
    while (end < count && depthOf[end] === level) end++
    if (end * classCount > denseCellBudget) break
    denseCount = end
  }
  const dense = new Int32Array(denseCount * classCount)
  const fail = new Int32Array(count)

  const step = (state: number, cls: number): number => {
    let node = state
    while (node >= denseCount) {
      for (let child = childStart[node]!, end = childStart[node + 1]!; child < end; child++) {
        if (nodeClass[child] === cls) return child
      }
      node = fail[node]!
    }
    return dense[node * classCount + cls]!
  }

  // One breadth-first pass: everything a node needs (its failure state's row, failure state and outputs) belongs to
  // shallower nodes, done before it. What ends at a state: the longest complete pattern (itself or along its failure
  // links), and the long patterns whose kept prefix it is (only a state at depth `anchorLength` can be one).
  const matchLength = new Int32Array(count)
  const reports = new Uint8Array(count)
  const longIndex = new Int32Array(count).fill(-1)
  const longLists: Array<ReadonlyArray<string>> = []
  for (const [node, long] of longPatternsAt) {
    longIndex[newIdOf[node]!] = longLists.length
    longLists.push(long)
  }
  for (let node = 0; node < count; node++) {
    if (node < denseCount) {
      const row = node * classCount
      if (node !== 0) dense.copyWithin(row, fail[node]! * classCount, (fail[node]! + 1) * classCount)
      for (let child = childStart[node]!; child < childStart[node + 1]!; child++) dense[row + nodeClass[child]!] = child
    }
    for (let child = childStart[node]!; child < childStart[node + 1]!; child++) {
      fail[child] = node === 0 ? 0 : step(fail[node]!, nodeClass[child]!)
    }
    if (node === 0) continue
    const own = completeLength[oldIdOf[node]!]!
    matchLength[node] = own > 0 ? own : matchLength[fail[node]!]!
    reports[node] = matchLength[node]! > 0 || longIndex[node]! >= 0 ? 1 : 0
  }

  // How many characters of one of `long` the text holds from `start` (at least `anchorLength`: the prefix matched).
  const longestPrefixAt = (text: string, start: number, long: ReadonlyArray<string>): number => {
    let longest = anchorLength
    for (const pattern of long) longest = Math.max(longest, matchedLength(text, start, pattern, anchorLength))
    return longest
  }

  // Masked stretches found so far: sorted, disjoint, not touching. Reused between calls; grown on demand. `add`
  // takes stretches in the order the automaton finds them (by end) or in order of their start.
  let starts = new Int32Array(16)
  let ends = new Int32Array(16)
  const add = (start: number, end: number, top: number): number => {
    let from = start
    let to = end
    while (top > 0 && ends[top - 1]! >= from - 1) {
      top--
      from = Math.min(from, starts[top]!)
      to = Math.max(to, ends[top]!)
    }
    if (top === starts.length) {
      const grownStarts = new Int32Array(top * 2)
      const grownEnds = new Int32Array(top * 2)
      grownStarts.set(starts)
      grownEnds.set(ends)
      starts = grownStarts
      ends = grownEnds
    }
    starts[top] = from
    ends[top] = to
    return top + 1
  }

  // Stretches found directly, merged into the automaton's: all of them in order of their start.
  const addFound = (found: ReadonlyArray<number>, top: number): number => {
    const all: Array<readonly [number, number]> = []
    for (let k = 0; k < top; k++) all.push([starts[k]!, ends[k]!])
    for (let k = 0; k < found.length; k += 2) all.push([found[k]!, found[k + 1]!])
    all.sort((a, b) => a[0] - b[0])
    let merged = 0
    for (const [start, end] of all) merged = add(start, end, merged)
    return merged
  }

  return (text, pending) => {
    let state = 0
    let top = 0
    for (let i = 0; i < text.length; i++) {
      const cls = classOf[text.charCodeAt(i)]!
      if (cls === 0) {
        state = 0
        continue
      }
      state = state < denseCount ? dense[state * classCount + cls]! : step(state, cls) // a full row: no call
      if (reports[state] === 0) continue
      const long = longIndex[state]!
      if (long >= 0) {
        const start = i - anchorLength + 1
        top = add(start, start + longestPrefixAt(text, start, longLists[long]!) - 1, top)
      } else {
        top = add(i - matchLength[state]! + 1, i, top)
      }
    }
    if (pending.length > 0) {
      const found: Array<number> = []
      for (const pattern of pending) findDirectly(text, pattern, found)
      if (found.length > 0) top = addFound(found, top)
    }
    if (top === 0) return text
    let masked = ""
    let from = 0
    for (let k = 0; k < top; k++) {
      masked += text.slice(from, starts[k]) + redactedMarker
      from = ends[k]! + 1
    }
    return masked + text.slice(from)
  }
}
