/**
 * Following long patterns past their head: where the automaton finds a long pattern's first `wholeLength`
 * characters (its head, called its anchor here), as much of the pattern as the text holds from there is masked (a
 * value cut short, by a truncated log line or a write that ended, is masked up to the cut). Only patterns longer
 * than `wholeLength` are followed, so few share a head: the registry's byte bound charges each for its head.
 *
 * **Details**
 *
 * Done naively (compare the text with the pattern from each place its anchor occurs) this is quadratic: a
 * repetitive value (`abab...`) has its anchor at every other character of a line that holds it. Here each long
 * pattern has at most one comparison under way (its "box": the text from `start` on equals the pattern's
 * beginning so far), and the anchors found meanwhile wait in a queue. When the box fails, the pattern's Z-array
 * (for each offset, how long the pattern there agrees with its own beginning) says at once how far each waiting
 * anchor matches, up to the failing character: one that cannot get past it is inside the masked stretch already,
 * and the first one that can becomes the new box. This is the extended-KMP argument: every character is compared
 * a bounded number of times, whatever the pattern, so following is linear in the text.
 */

/** Reports a stretch of the text to mask, `start` to `end`, both included, as positions in the whole stream. */
export type OnStretch = (start: number, end: number) => void

/** A long pattern being followed in a text. */
export interface Extension {
  readonly pattern: string
  readonly z: Int32Array
  /** Where the comparison under way started; the text from there equals the pattern so far. */
  start: number
  active: boolean
  /** Anchors found while the box was active, in order; `queueHead` is the next one to look at. */
  readonly queue: Array<number>
  queueHead: number
}

/** For each offset of `pattern`, how many characters from there agree with its beginning (`z[0]` is its length). */
export const zArray = (pattern: string): Int32Array => {
  const n = pattern.length
  const z = new Int32Array(n)
  if (n === 0) return z
  z[0] = n
  let left = 0
  let right = 0
  for (let i = 1; i < n; i++) {
    let length = i < right ? Math.min(right - i, z[i - left]!) : 0
    while (i + length < n && pattern.charCodeAt(length) === pattern.charCodeAt(i + length)) length++
    z[i] = length
    if (i + length > right) {
      left = i
      right = i + length
    }
  }
  return z
}

export const newExtension = (pattern: string, z: Int32Array): Extension => ({
  pattern,
  z,
  start: 0,
  active: false,
  queue: [],
  queueHead: 0
})

/**
 * The pattern's anchor was found from `start` to `at` (the character just read). Starts following it, or queues
 * it behind the comparison under way. Returns whether the extension just became active.
 */
export const anchorFound = (extension: Extension, start: number): boolean => {
  if (extension.active) {
    const { queue } = extension
    // Anchors already taken are dropped now and then, so the queue holds at most a pattern's length of them.
    if (extension.queueHead >= 1024 && extension.queueHead * 2 >= queue.length) {
      queue.copyWithin(0, extension.queueHead)
      queue.length -= extension.queueHead
      extension.queueHead = 0
    }
    queue.push(start)
    return false
  }
  extension.start = start
  extension.active = true
  return true
}

/**
 * The box failed at `end` (the text up to `end`, excluded, matched): reports its stretch, then takes the waiting
 * anchors in order until one gets past `end` (it becomes the box) or none is left. `code` is the character at
 * `end`, or -1 at the end of the text.
 */
const boxFailed = (extension: Extension, end: number, code: number, onStretch: OnStretch): void => {
  onStretch(extension.start, end - 1)
  const { pattern, queue, z } = extension
  while (extension.queueHead < queue.length) {
    const next = queue[extension.queueHead++]!
    // The text from `next` to `end` equals the pattern from `next - start`: z says how far that is its beginning.
    if (z[next - extension.start]! < end - next) continue // it stops before `end`: inside the stretch reported
    extension.start = next
    const offset = end - next
    if (code !== -1 && offset < pattern.length && pattern.charCodeAt(offset) === code) return
    // It stops at `end` as well: its stretch is inside the one reported.
  }
  extension.active = false
  queue.length = 0
  extension.queueHead = 0
}

/**
 * Compares the character `code` at position `at` with the pattern; returns false when the extension is no longer
 * active (its stretches reported).
 */
export const advance = (extension: Extension, at: number, code: number, onStretch: OnStretch): boolean => {
  const offset = at - extension.start
  if (offset < extension.pattern.length && extension.pattern.charCodeAt(offset) === code) return true
  boxFailed(extension, at, code, onStretch)
  return extension.active
}

/** The text ended at `end` (excluded): the pattern matched up to there is masked. */
export const finish = (extension: Extension, end: number, onStretch: OnStretch): void => {
  boxFailed(extension, end, -1, onStretch)
}
