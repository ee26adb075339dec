/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same files. */
export class Rng {
  private state: number;

  constructor(seed: string | number) {
    let h = 2166136261;
    for (const ch of String(seed)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    this.state = h >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * Chooses, row by row, which of several kinds each row is, so that exactly `counts[k]`
 * rows of each kind come out of `total` rows (selection sampling: no list of positions
 * is kept, so it streams any number of rows).
 */
export class ExactSampler<K extends string> {
  private remaining: number;
  private readonly needed: Map<K, number>;

  constructor(
    private readonly rng: Rng,
    total: number,
    counts: Record<K, number>,
  ) {
    this.remaining = total;
    this.needed = new Map(Object.entries(counts) as [K, number][]);
    const sum = [...this.needed.values()].reduce((a, b) => a + b, 0);
    if (sum > total) throw new Error(`cannot place ${sum} special rows among ${total}`);
  }

  /** The kind of the next row, or null for an ordinary row. */
  next(): K | null {
    let r = this.rng.next() * this.remaining;
    this.remaining--;
    for (const [kind, count] of this.needed) {
      if (r < count) {
        this.needed.set(kind, count - 1);
        return kind;
      }
      r -= count;
    }
    return null;
  }
}
