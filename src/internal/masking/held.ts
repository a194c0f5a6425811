/**
 * The values held for masking and the patterns that mask them, within the registry's bounds (see `registry.ts`):
 * what a lookup needs to register the value it hands out, without the matching automaton, which only masking
 * needs and which is built on the first `mask`.
 */
import type { Automaton } from "./automaton.ts"
import { anchorLength, maskForms, minimumLength, pieceForms } from "./forms.ts"

/** The bounds of a registry. */
export interface RegistryLimits {
  readonly maxEntries: number
  readonly maxBytes: number
}

/** 4,096 values and 16 MiB. */
export const defaultLimits: RegistryLimits = { maxEntries: 4096, maxBytes: 16 * 1024 * 1024 }

// Estimated bytes per automaton state (its arrays, and the temporary ones while it is built) and per entry.
const bytesPerState = 64
const bytesPerEntry = 128

/** The values held and their patterns, and the automata `registry.ts` masks with (built there, on demand). */
export interface RegistryState {
  readonly limits: RegistryLimits
  readonly warn: (message: string) => void
  readonly texts: Set<string>
  /** The text value registered last, held: a lookup read again hands out an equal string, compared, not hashed. */
  lastText: string | undefined
  readonly byteValues: Map<number, Array<Uint8Array>>
  readonly patterns: Set<string>
  entries: number
  bytes: number
  refused: number
  automaton: Automaton | undefined
  readonly pending: Array<string>
  pendingAutomaton: Automaton | undefined
  masksSinceChange: number
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

const patternBytes = (pattern: string): number =>
  2 * pattern.length + bytesPerState * Math.min(pattern.length, anchorLength) +
  (pattern.length > anchorLength ? 4 * pattern.length : 0)

const estimatedBytes = (key: string | Uint8Array, patterns: ReadonlyArray<string>): number => {
  let bytes = bytesPerEntry + (typeof key === "string" ? 2 * key.length : key.byteLength)
  for (const pattern of patterns) bytes += patternBytes(pattern)
  return bytes
}

/**
 * The patterns that mask `value` within half the registry's bytes: its forms, or those of its pieces, as many as
 * fit (its beginning first, then its lines in order); a warning says when some lines did not fit.
 */
const patternsFor = (state: RegistryState, value: string | Uint8Array): ReadonlyArray<string> => {
  const forms = maskForms(value)
  const budget = state.limits.maxBytes / 2
  if (estimatedBytes(value, forms) <= budget) return forms
  // Whole lines when they fit: a line masked by its beginning only would show the rest of it.
  const wholeLines = pieceForms(value, Infinity)
  if (estimatedBytes(value, wholeLines) <= budget) return wholeLines
  const pieces = pieceForms(value)
  let bytes = estimatedBytes(value, [])
  let fitting = 0
  while (fitting < pieces.length && (bytes += patternBytes(pieces[fitting]!)) <= budget) fitting++
  if (fitting < pieces.length) {
    state.warn(
      "effect-secrets: a value is too large to mask whole or line by line; only its beginning and first lines " +
        `are masked (${fitting} of ${pieces.length} forms). Register it in smaller parts.`
    )
  }
  return pieces.slice(0, fitting)
}

const refuse = (state: RegistryState): void => {
  state.refused++
  if (state.refused > 1) return
  state.warn(
    `effect-secrets: the masking registry is full (${state.limits.maxEntries} values or ` +
      `${state.limits.maxBytes} bytes); values registered from now on are NOT masked. The values held stay ` +
      "masked. Register fewer or smaller values (a value too large to mask whole takes its pieces only)."
  )
}

/**
 * Holds `value` and its patterns when the bounds allow; returns whether it did (a value too short to mask is not
 * held: finding that out again is cheap).
 */
const hold = (state: RegistryState, value: string | Uint8Array): boolean => {
  const patterns = patternsFor(state, value)
  const bytes = estimatedBytes(value, patterns)
  if (patterns.length === 0) return false
  if (state.entries + 1 > state.limits.maxEntries || state.bytes + bytes > state.limits.maxBytes) {
    refuse(state)
    return false
  }
  state.entries++
  state.bytes += bytes
  for (const pattern of patterns) {
    if (state.patterns.has(pattern)) continue
    state.patterns.add(pattern)
    if (state.automaton !== undefined) {
      state.pending.push(pattern)
      state.pendingAutomaton = undefined
      state.masksSinceChange = 0
    }
  }
  return true
}

const registerText = (state: RegistryState, value: string): void => {
  if (value === state.lastText) return
  if (!state.texts.has(value)) {
    if (!hold(state, value)) return
    state.texts.add(value)
  }
  state.lastText = value
}

const registerBytes = (state: RegistryState, value: Uint8Array): void => {
  const hash = hashBytes(value)
  const held = state.byteValues.get(hash)
  if (held?.some((bytes) => sameBytes(bytes, value))) return
  if (!hold(state, value)) return
  // A copy: the caller may overwrite or wipe its array.
  if (held === undefined) state.byteValues.set(hash, [value.slice()])
  else held.push(value.slice())
}

/** Adds a value (or does nothing when held); values under 5 characters are ignored. */
export const register = (state: RegistryState, value: string | Uint8Array): void => {
  if (typeof value === "string") {
    if (value.length >= minimumLength) registerText(state, value)
  } else if (value.byteLength >= minimumLength) registerBytes(state, value)
}

/** What the registry holds now: values, estimated bytes, and values refused because it was full. */
export const sizeOf = (state: RegistryState) => ({ entries: state.entries, bytes: state.bytes, refused: state.refused })

const emitWarning = (message: string): void => process.emitWarning(message, { code: "EFFECT_SECRETS_MASKING_FULL" })

/** An empty registry state; `warn` says once when the bounds refuse a value. */
export const emptyRegistryState = (
  limits: RegistryLimits = defaultLimits,
  warn: (message: string) => void = emitWarning
): RegistryState => ({
  limits,
  warn,
  texts: new Set(),
  lastText: undefined,
  byteValues: new Map(),
  patterns: new Set(),
  entries: 0,
  bytes: 0,
  refused: 0,
  automaton: undefined,
  pending: [],
  pendingAutomaton: undefined,
  masksSinceChange: 0
})

/** What the registry every manager, facade and `Masking` function shares holds. */
export const sharedRegistryState: RegistryState = emptyRegistryState()

/**
 * Registers a value read from a secret for masking: called on every value a lookup returns, so calling it again
 * with a held value is cheap (no allocation).
 */
export const registerSecretValue = (value: string | Uint8Array): void => register(sharedRegistryState, value)
