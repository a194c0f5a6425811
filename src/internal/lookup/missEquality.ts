/**
 * Equality of an error by its fields. Effect's structural `Equal` and `Hash` count every own key of an error, hidden
 * ones too, and every key of its prototype, a message built when read among them (with a "did you mean" hint found by
 * the lookup): two misses of the same fields would then differ by how each was built, and by whether its message was
 * read. The schema's constructor keeps a hidden copy of the object it was given; a lookup builds its miss from fields
 * it already checked and keeps none (see `misses.ts`).
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"

/** Where `Data.Error`'s constructor keeps the object it was given. */
const constructorCopy = Symbol.for("effect/Data/Error/plainArgs")

/**
 * An error's fields: its own keys but its stack trace and the constructor's copy. A subclass's own fields are fields
 * too, and a field set to `undefined` is one, as Effect's `Equal` counts it for any other structure.
 */
const fieldKeys = (error: object): Array<PropertyKey> =>
  Reflect.ownKeys(error).filter((key) => key !== "stack" && key !== constructorCopy)

/** Equal when of one class, with the same fields, each `Equal`. */
export const equalFields = (self: object, that: unknown): boolean => {
  if (typeof that !== "object" || that === null || Object.getPrototypeOf(that) !== Object.getPrototypeOf(self)) {
    return false
  }
  const keys = fieldKeys(self)
  return keys.length === fieldKeys(that).length &&
    keys.every((key) =>
      Object.hasOwn(that, key) &&
      Equal.equals((self as Record<PropertyKey, unknown>)[key], (that as Record<PropertyKey, unknown>)[key])
    )
}

/** A hash of the fields `equalFields` compares: equal errors hash alike. */
export const hashFields = (self: object): number => Hash.structureKeys(self, fieldKeys(self))
