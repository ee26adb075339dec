import type { Value } from "../normalize/row.js";

/** Keys below this use a bitmap (at most 32 MB); larger ones fall back to a Set. */
const BITMAP_LIMIT = 2 ** 28;

/**
 * Remembers the keys already loaded, to reject later rows with the same key. Single
 * integer keys (the common case: 10 million sale ids) live in a growing bitmap, so memory
 * stays around one bit per id instead of tens of bytes per Set entry.
 */
export class KeySet {
  private bits = new Uint8Array(1024);
  private readonly others = new Set<string | number>();

  /** Adds the key; returns false when it was already there. */
  add(key: readonly Value[]): boolean {
    if (key.length === 1 && typeof key[0] === "number" && key[0] < BITMAP_LIMIT) {
      return this.addSmall(key[0]);
    }
    const composite = key.length === 1 ? (key[0] as string | number) : key.join("\u0000");
    if (this.others.has(composite)) return false;
    this.others.add(composite);
    return true;
  }

  /** Whether the key was added. */
  has(key: readonly Value[]): boolean {
    if (key.length === 1 && typeof key[0] === "number" && key[0] < BITMAP_LIMIT) {
      const byte = key[0] >>> 3;
      return byte < this.bits.length && ((this.bits[byte] as number) & (1 << (key[0] & 7))) !== 0;
    }
    return this.others.has(key.length === 1 ? (key[0] as string | number) : key.join("\u0000"));
  }

  private addSmall(id: number): boolean {
    const byte = id >>> 3;
    if (byte >= this.bits.length) {
      let size = this.bits.length;
      while (size <= byte) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (id & 7);
    const current = this.bits[byte] as number;
    if (current & mask) return false;
    this.bits[byte] = current | mask;
    return true;
  }
}
