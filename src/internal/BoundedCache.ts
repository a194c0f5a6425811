/**
 * A map bounded in entries and in bytes: every cache the library keeps (compiled lookups, the facade's groups and
 * keys, paths missing last time) is one, so memory stays bounded whatever names, requests or paths arrive. When
 * either bound is passed, the oldest entries are dropped first. A hit does not reorder anything: reads stay one map
 * lookup, and a dropped entry costs only its rebuilding.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly bytes: number }>()
  private bytes = 0

  private readonly bounds: { readonly maxEntries: number; readonly maxBytes: number }

  constructor(bounds: { readonly maxEntries: number; readonly maxBytes: number }) {
    this.bounds = bounds
  }

  get(key: K): V | undefined {
    return this.entries.get(key)?.value
  }

  /** Stores `value`; `bytes` is the caller's estimate of what the entry holds (its key's size, mostly). */
  set(key: K, value: V, bytes: number): void {
    this.delete(key)
    if (bytes > this.bounds.maxBytes) return
    this.entries.set(key, { value, bytes })
    this.bytes += bytes
    // A Map iterates in insertion order: the oldest entries come first.
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.bounds.maxEntries && this.bytes <= this.bounds.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= entry.bytes
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.entries.delete(key)
    this.bytes -= entry.bytes
  }

  get size(): number {
    return this.entries.size
  }

  /** The estimated bytes held, by the callers' estimates. */
  get totalBytes(): number {
    return this.bytes
  }
}
