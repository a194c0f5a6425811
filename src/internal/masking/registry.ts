/**
 * The process-wide registry of secret values to mask: bounded, least recently registered out first, and cheap to
 * call again with a value it already holds (the library registers every value a lookup returns).
 *
 * **Details**
 *
 * - Bounds: at most `maxEntries` values, and at most `maxBytes` of estimated memory (each text at 2 bytes a
 *   character, copies of byte values, and the automaton's share of each pattern; its fixed tables, a 256 KiB
 *   character map and at most 1 MiB of full transition rows, come on top). A value whose masks alone would
 *   take more than half of `maxBytes` is not masked (it is remembered without masks, so reading it again stays
 *   cheap); a value that itself is that large is neither masked nor remembered.
 * - Eviction: least recently registered first. Registering a held value again makes it the most recent, so the
 *   values a program keeps reading stay masked, and values no longer read (rotated away) leave first.
 * - Registering a held string is one map lookup and a few pointer writes: no allocation. Held bytes are found by
 *   a hash of their length and at most 32 of their bytes, then one comparison: no allocation either.
 * - The masking automaton is built on the first `mask`. Patterns added later wait in a short pending list that
 *   `mask` searches directly, until 32 are waiting or 64 masks went by without a new one: then the automaton is
 *   rebuilt (in time linear in the patterns' kept prefixes) with every pattern held. A program that reads new
 *   values between log lines thus pays one rebuild per 32 new values, not one per value, and a quiet one masks in
 *   one pass. A pattern evicted meanwhile is still masked until that rebuild.
 */
import { anchorLength, buildMasker, type Masker } from "./automaton.ts"
import { maskForms, minimumLength } from "./forms.ts"

/** The bounds of a registry. */
export interface RegistryLimits {
  readonly maxEntries: number
  readonly maxBytes: number
}

/** 4,096 values and 16 MiB. */
export const defaultLimits: RegistryLimits = { maxEntries: 4096, maxBytes: 16 * 1024 * 1024 }

// When the automaton is rebuilt: this many patterns waiting, or this many masks since the last new one.
const maxPending = 32
const quietMasks = 64

// Estimated bytes per automaton state (its arrays, and the temporary ones while it is built) and per entry.
const bytesPerState = 64
const bytesPerEntry = 128

interface Entry {
  readonly key: string | Uint8Array
  readonly hash: number
  readonly patterns: ReadonlyArray<string>
  readonly bytes: number
  newer: Entry | undefined
  older: Entry | undefined
  sameHash: Entry | undefined
}

/**
 * FNV-1a over the length and at most 32 bytes spread over the value: a bounded cost whatever the size (a full
 * comparison decides), kept within small-integer range so that it is never boxed.
 */
const hashBytes = (bytes: Uint8Array): number => {
  const length = bytes.length
  const samples = Math.min(length, 32)
  let hash = Math.imul(0x811c9dc5 ^ length, 16777619)
  for (let k = 0; k < samples; k++) hash = Math.imul(hash ^ bytes[((k * length) / samples) | 0]!, 16777619)
  return hash & 0x3fffffff
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const estimatedBytes = (key: string | Uint8Array, patterns: ReadonlyArray<string>): number => {
  let bytes = bytesPerEntry
  if (typeof key !== "string") bytes += key.byteLength
  else if (patterns[0] !== key) bytes += 2 * key.length
  for (const pattern of patterns) bytes += 2 * pattern.length + bytesPerState * Math.min(pattern.length, anchorLength)
  return bytes
}

/** A registry of values to mask and the masking of text with them. */
export interface SecretRegistry {
  /** Adds a value (or refreshes it when held); values under 5 characters are ignored. */
  readonly register: (value: string | Uint8Array) => void
  /** `text` with every registered value replaced by `<redacted>`; the same string when nothing matched. */
  readonly mask: (text: string) => string
  /** What the registry holds now: values and estimated bytes. */
  readonly size: () => { readonly entries: number; readonly bytes: number }
}

export const makeSecretRegistry = (limits: RegistryLimits = defaultLimits): SecretRegistry => {
  const texts = new Map<string, Entry>()
  const byteValues = new Map<number, Entry>()
  const patternUses = new Map<string, number>()
  let newest: Entry | undefined
  let oldest: Entry | undefined
  let entries = 0
  let bytes = 0
  let masker: Masker | undefined
  const pending: Array<string> = []
  let evictedSinceBuild = false
  let masksSinceChange = 0
  // Larger values are neither masked nor remembered; a value whose masks would exceed it is remembered unmasked.
  const largestValueBytes = limits.maxBytes / 2 - bytesPerEntry

  const unlink = (entry: Entry) => {
    if (entry.newer === undefined) newest = entry.older
    else entry.newer.older = entry.older
    if (entry.older === undefined) oldest = entry.newer
    else entry.older.newer = entry.newer
    entry.newer = undefined
    entry.older = undefined
  }
  const linkNewest = (entry: Entry) => {
    entry.older = newest
    if (newest === undefined) oldest = entry
    else newest.newer = entry
    newest = entry
  }
  const touch = (entry: Entry) => {
    if (entry === newest) return
    unlink(entry)
    linkNewest(entry)
  }

  const evict = (entry: Entry) => {
    unlink(entry)
    if (typeof entry.key === "string") texts.delete(entry.key)
    else {
      let previous: Entry | undefined
      let current = byteValues.get(entry.hash)
      while (current !== entry) {
        previous = current
        current = current!.sameHash
      }
      if (previous !== undefined) previous.sameHash = entry.sameHash
      else if (entry.sameHash !== undefined) byteValues.set(entry.hash, entry.sameHash)
      else byteValues.delete(entry.hash)
    }
    for (const pattern of entry.patterns) {
      const uses = patternUses.get(pattern)! - 1
      if (uses === 0) {
        patternUses.delete(pattern)
        evictedSinceBuild = true
      } else patternUses.set(pattern, uses)
    }
    entries--
    bytes -= entry.bytes
  }

  const add = (key: string | Uint8Array, hash: number, source: string | Uint8Array): Entry => {
    let patterns = maskForms(source)
    let size = estimatedBytes(key, patterns)
    if (size > limits.maxBytes / 2) {
      // Too large to mask: remembered without patterns, so that reading it again does not redo this work.
      patterns = []
      size = estimatedBytes(key, patterns)
    }
    const entry: Entry = { key, hash, patterns, bytes: size, newer: undefined, older: undefined, sameHash: undefined }
    for (const pattern of patterns) {
      const uses = patternUses.get(pattern) ?? 0
      if (uses === 0 && masker !== undefined) {
        pending.push(pattern)
        masksSinceChange = 0
      }
      patternUses.set(pattern, uses + 1)
    }
    linkNewest(entry)
    entries++
    bytes += size
    while ((entries > limits.maxEntries || bytes > limits.maxBytes) && oldest !== entry) evict(oldest!)
    return entry
  }

  const registerText = (value: string) => {
    const held = texts.get(value)
    if (held !== undefined) return touch(held)
    texts.set(value, add(value, 0, value))
  }

  const registerBytes = (value: Uint8Array) => {
    const hash = hashBytes(value)
    const first = byteValues.get(hash)
    for (let held = first; held !== undefined; held = held.sameHash) {
      if (sameBytes(held.key as Uint8Array, value)) return touch(held)
    }
    // A copy: the caller may overwrite or wipe its array.
    const entry = add(value.slice(), hash, value)
    entry.sameHash = byteValues.get(hash) ?? undefined
    byteValues.set(hash, entry)
  }

  return {
    register: (value) => {
      if (typeof value === "string") {
        if (value.length >= minimumLength && 2 * value.length <= largestValueBytes) registerText(value)
      } else if (value.byteLength >= minimumLength && value.byteLength <= largestValueBytes) registerBytes(value)
    },
    mask: (text) => {
      if (patternUses.size === 0) return text
      const changed = pending.length > 0 || evictedSinceBuild
      if (masker === undefined || pending.length >= maxPending || (changed && ++masksSinceChange > quietMasks)) {
        masker = buildMasker([...patternUses.keys()])
        pending.length = 0
        evictedSinceBuild = false
      }
      return masker(text, pending)
    },
    size: () => ({ entries, bytes })
  }
}

/** The registry every manager, facade and `Masking` function shares. */
export const secretRegistry: SecretRegistry = makeSecretRegistry()

/**
 * Registers a value read from a secret for masking: called on every value a lookup returns, so calling it again
 * with a held value is cheap (no allocation).
 */
export const registerSecretValue = (value: string | Uint8Array): void => secretRegistry.register(value)

/** `text` with every registered value replaced by `<redacted>`. */
export const maskSecrets = (text: string): string => secretRegistry.mask(text)
