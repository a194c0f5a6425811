/**
 * Equality of an error class by its fields. Effect's structural `Equal` and `Hash` count every own key of an error,
 * hidden ones too, and every key of its prototype, a message built when read among them (with a "did you mean" hint
 * found by the lookup): two misses of the same fields would then differ by how each was built, and by whether its
 * message was read. The schema's constructor keeps a hidden copy of the object it was given; a lookup builds its miss
 * from fields it already checked and keeps none (see `misses.ts`).
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"

/** `equals` and `hash` over `keys`: equal when of one class and `Equal` in each of those keys. */
export const byFields = (keys: ReadonlyArray<string>) => ({
  equals: (self: object, that: unknown): boolean =>
    typeof that === "object" && that !== null && Object.getPrototypeOf(that) === Object.getPrototypeOf(self) &&
    keys.every((key) => Equal.equals((self as Record<string, unknown>)[key], (that as Record<string, unknown>)[key])),
  hash: (self: object): number => Hash.structureKeys(self, keys)
})
