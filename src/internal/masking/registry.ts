/**
 * The process-wide registry of secret values to mask: bounded, and cheap to call again with a value it already
 * holds (the library registers every value a lookup returns).
 *
 * **Details**
 *
 * - Bounds: at most `maxEntries` values, and at most `maxBytes` of estimated memory (each text at 2 bytes a
 *   character, copies of byte values, the automaton's share of each pattern and the failure links of a long one; its
 *   fixed tables, a 256 KiB character map and at most 1 MiB of full transition rows, come on top).
 * - A value whose forms would take more than half of `maxBytes` is masked by its pieces (`pieceForms`: its
 *   beginning and each of its lines, whole when they fit, by their beginning otherwise), so a large value is never
 *   left wholly unmasked.
 * - Past the bounds, the values held stay masked and a new value is refused loudly: a warning (once per registry)
 *   says that values are no longer masked and why. Nothing held is ever dropped: a value dropped would print in
 *   clear without anyone knowing.
 * - Registering a held string is one set lookup: no allocation. Held bytes are found by a hash of their length and
 *   at most 32 of their bytes, then one comparison: no allocation either.
 * - The automaton is built on the first `mask`. Patterns added later wait in a short pending list with a small
 *   automaton of their own, until 32 are waiting or 64 masks went by without a new one: then the automaton is
 *   rebuilt with every pattern held. A program that reads new values between log lines thus pays one rebuild per
 *   32 new values, not one per value, and a quiet one masks with a single automaton.
 */
import * as Redacted from "effect/Redacted"
import { anchorLength, type Automaton, buildAutomaton } from "./automaton.ts"
import { maskForms, minimumLength, pieceForms } from "./forms.ts"
import { maskText } from "./stream.ts"

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

/** A registry of values to mask and the masking of text with them. */
export interface SecretRegistry {
  /** Adds a value (or does nothing when held); values under 5 characters are ignored. */
  readonly register: (value: string | Uint8Array) => void
  /** `text` with every registered value replaced by `<redacted>`; the same string when nothing matched. */
  readonly mask: (text: string) => string
  /** What the registry holds now: values, estimated bytes, and values refused because it was full. */
  readonly size: () => { readonly entries: number; readonly bytes: number; readonly refused: number }
}

interface RegistryState {
  readonly limits: RegistryLimits
  readonly warn: (message: string) => void
  readonly texts: Set<string>
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
  if (state.texts.has(value)) return
  if (hold(state, value)) state.texts.add(value)
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

/** The automata to mask with now: the full one (rebuilt when due), and the pending patterns' own. */
const currentAutomata = (state: RegistryState): ReadonlyArray<Automaton> => {
  const { pending } = state
  const due = pending.length >= maxPending || (pending.length > 0 && ++state.masksSinceChange > quietMasks)
  if (state.automaton === undefined || due) {
    state.automaton = buildAutomaton([...state.patterns])
    pending.length = 0
    state.pendingAutomaton = undefined
  }
  if (pending.length === 0) return [state.automaton]
  state.pendingAutomaton ??= buildAutomaton(pending)
  return [state.automaton, state.pendingAutomaton]
}

const maskWith = (state: RegistryState, text: string): string =>
  state.patterns.size === 0 ? text : maskText(currentAutomata(state), text)

const emitWarning = (message: string): void => process.emitWarning(message, { code: "EFFECT_SECRETS_MASKING_FULL" })

export const makeSecretRegistry = (
  limits: RegistryLimits = defaultLimits,
  warn: (message: string) => void = emitWarning
): SecretRegistry => {
  const state: RegistryState = {
    limits,
    warn,
    texts: new Set(),
    byteValues: new Map(),
    patterns: new Set(),
    entries: 0,
    bytes: 0,
    refused: 0,
    automaton: undefined,
    pending: [],
    pendingAutomaton: undefined,
    masksSinceChange: 0
  }
  return {
    register: (value) => {
      if (typeof value === "string") {
        if (value.length >= minimumLength) registerText(state, value)
      } else if (value.byteLength >= minimumLength) registerBytes(state, value)
    },
    mask: (text) => maskWith(state, text),
    size: () => ({ entries: state.entries, bytes: state.bytes, refused: state.refused })
  }
}

/** The registry every manager, facade and `Masking` function shares. */
export const secretRegistry: SecretRegistry = makeSecretRegistry()

/**
 * Registers a value read from a secret for masking: called on every value a lookup returns, so calling it again
 * with a held value is cheap (no allocation).
 */
export const registerSecretValue = (value: string | Uint8Array): void => secretRegistry.register(value)

/** A wiped Redacted (`Redacted.wipeUnsafe`) holds no value any more. */
const wiped: unique symbol = Symbol("wiped")

/** What a Redacted holds, or `wiped`. */
const redactedValue = (value: Redacted.Redacted<unknown>): unknown => {
  try {
    return Redacted.value(value)
  } catch {
    return wiped
  }
}

/** What a value that cannot be registered is, for the error: its type, never its content. */
const describeType = (value: unknown): string => {
  if (value === null) return "null"
  if (value === wiped) return "nothing (it was wiped)"
  if (Redacted.isRedacted(value)) return `a Redacted holding ${describeType(redactedValue(value))}`
  if (Array.isArray(value)) return "an array"
  return typeof value === "object" ? "an object" : `a ${typeof value}`
}

/**
 * Registers what `Masking.register` was given: a string, bytes, or a Redacted of one. Anything else is a mistake
 * (a value that was never read, a number meant as text, a Redacted already wiped) and is refused with a TypeError,
 * never ignored: ignoring it would leave the caller believing the value masked.
 */
export const registerGiven = (value: unknown): void => {
  const inner = Redacted.isRedacted(value) ? redactedValue(value) : value
  if (typeof inner === "string" || inner instanceof Uint8Array) return registerSecretValue(inner)
  throw new TypeError(
    `Masking.register takes a string, a Uint8Array or a Redacted of one; got ${describeType(value)}. ` +
      "Pass the secret's text (String(value) for a number), before any Redacted holding it is wiped."
  )
}

/** `text` with every registered value replaced by `<redacted>`. */
export const maskSecrets = (text: string): string => secretRegistry.mask(text)
