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
import { type Automaton, buildAutomaton } from "./automaton.ts"
import {
  defaultLimits,
  emptyRegistryState,
  register,
  registerSecretValue,
  type RegistryLimits,
  type RegistryState,
  sharedRegistryState,
  sizeOf
} from "./held.ts"
import { maskText } from "./stream.ts"

// When the automaton is rebuilt: this many patterns waiting, or this many masks since the last new one.
const maxPending = 32
const quietMasks = 64

/** A registry of values to mask and the masking of text with them. */
export interface SecretRegistry {
  /** Adds a value (or does nothing when held); values under 5 characters are ignored. */
  readonly register: (value: string | Uint8Array) => void
  /** `text` with every registered value replaced by `<redacted>`; the same string when nothing matched. */
  readonly mask: (text: string) => string
  /** What the registry holds now: values, estimated bytes, and values refused because it was full. */
  readonly size: () => { readonly entries: number; readonly bytes: number; readonly refused: number }
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

/** The registry over `state`. */
const registryOver = (state: RegistryState): SecretRegistry => ({
  register: (value) => register(state, value),
  mask: (text) => maskWith(state, text),
  size: () => sizeOf(state)
})

export const makeSecretRegistry = (
  limits: RegistryLimits = defaultLimits,
  warn?: (message: string) => void
): SecretRegistry => registryOver(emptyRegistryState(limits, warn))

/** The registry every manager, facade and `Masking` function shares. */
export const secretRegistry: SecretRegistry = registryOver(sharedRegistryState)

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
