/**
 * Stretches of text to mask: reported in any order (each automaton of a registry reports its own, one after the
 * other), then sorted and merged, so that overlapping or touching stretches become one
 * marker and a value that contains another is masked whole.
 */

/** Reports a stretch of the text to mask, `start` to `end`, both included, as positions in the whole stream. */
export type OnStretch = (start: number, end: number) => void

/** What replaces each masked stretch of text. */
export const redactedMarker = "<redacted>"

/** Stretches as a flat list: start, end (included), start, end... */
export type Stretches = Array<number>

/**
 * Adds a stretch to `found`; one that starts inside or right after the last one added only extends it (the usual
 * case: a repetitive value reports a stretch at every character), so `found` stays short.
 */
export const addStretch = (found: Stretches, start: number, end: number): void => {
  const last = found.length - 1
  if (last > 0 && start >= found[last - 1]! && start <= found[last]! + 1) {
    if (end > found[last]!) found[last] = end
  } else found.push(start, end)
}

/** `found` sorted by start and merged where they overlap or touch (in place); returns the same array. */
export const mergeStretches = (found: Stretches): Stretches => {
  const pairs: Array<readonly [number, number]> = []
  for (let k = 0; k < found.length; k += 2) pairs.push([found[k]!, found[k + 1]!])
  pairs.sort((a, b) => a[0] - b[0])
  found.length = 0
  for (const [start, end] of pairs) {
    const last = found.length - 1
    if (last > 0 && start <= found[last]! + 1) found[last] = Math.max(found[last]!, end)
    else found.push(start, end)
  }
  return found
}

/**
 * `text`, which starts at position `offset` of the stream, with each of the `merged` stretches (positions in the
 * stream, inside the text) replaced by the marker.
 */
export const renderMasked = (text: string, offset: number, merged: Stretches): string => {
  let masked = ""
  let from = 0
  for (let k = 0; k < merged.length; k += 2) {
    masked += text.slice(from, merged[k]! - offset) + redactedMarker
    from = merged[k + 1]! - offset + 1
  }
  return masked + text.slice(from)
}
