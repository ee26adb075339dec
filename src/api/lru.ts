/**
 * A least-recently-used cache bounded in entries, on a `Map` (which keeps insertion order:
 * a hit moves its key to the end, and the first key is the one to evict). Enough for the
 * API's answers: small string bodies, no sizes or ages to track, one thread.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  /** The most recently used key: hitting it again needs no reordering (the common case). */
  private newest: K | undefined;

  /** `capacity` 0 keeps nothing. */
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined && key !== this.newest) {
      this.map.delete(key);
      this.map.set(key, value);
      this.newest = key;
    }
    return value;
  }

  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  clear(): void {
    this.map.clear();
    this.newest = undefined;
  }
}
