/**
 * The reads in flight, by cache key, so that an invalidation can overtake them: a read that an `invalidate` or
 * `invalidateAll` overtook writes nothing back (no entry, no last good value), whenever it ends. A read that ends
 * with a value overtakes the reads of its key that started before it, so an older read ending later never replaces a
 * newer value. Only reads in flight are held, so memory follows the reads running, not the requests ever seen.
 */
import * as Effect from "effect/Effect"

/** One read in flight: `overtaken` once an invalidation of its key returned while it ran. */
export interface Flight {
  overtaken: boolean
}

export class Flights {
  private readonly byKey = new Map<string, Set<Flight>>()

  /** Runs `read` as a flight of `key`, handing it the flight to check before writing anything back. */
  run<A, E>(key: string, read: (flight: Flight) => Effect.Effect<A, E>): Effect.Effect<A, E> {
    return Effect.suspend(() => {
      const flight: Flight = { overtaken: false }
      let flights = this.byKey.get(key)
      if (flights === undefined) this.byKey.set(key, flights = new Set())
      flights.add(flight)
      return Effect.ensuring(read(flight), Effect.sync(() => this.land(key, flight)))
    })
  }

  /** Marks every read of `key` in flight as overtaken. */
  overtake(key: string): void {
    for (const flight of this.byKey.get(key) ?? []) flight.overtaken = true
  }

  /** Marks the reads of `key` that started before `flight` as overtaken: its value is newer than theirs. */
  supersede(key: string, flight: Flight): void {
    for (const earlier of this.byKey.get(key) ?? []) {
      if (earlier === flight) return
      earlier.overtaken = true
    }
  }

  /** Marks every read in flight as overtaken. */
  overtakeAll(): void {
    for (const flights of this.byKey.values()) for (const flight of flights) flight.overtaken = true
  }

  get size(): number {
    return this.byKey.size
  }

  private land(key: string, flight: Flight): void {
    const flights = this.byKey.get(key)
    flights?.delete(flight)
    if (flights?.size === 0) this.byKey.delete(key)
  }
}
