/**
 * The few distinct values of a low-cardinality text column (a city, a category, a yes/no),
 * found by their bytes: a value seen before is counted without decoding it to a string or
 * touching the column's Map. Open addressing over an FNV-1a hash of the bytes; at most
 * `TEXT_DICT_MAX` values, after which the column counts through its Map alone.
 */
export const TEXT_DICT_MAX = 1024;
const SLOTS = TEXT_DICT_MAX * 4;

export class TextDict {
  /** Per slot: 1 + the entry's index, 0 when empty. */
  private readonly slots = new Int32Array(SLOTS);
  private readonly hashes = new Int32Array(SLOTS);
  private readonly keys: Buffer[] = [];
  /** The texts, and the sightings counted here since each was added. */
  readonly texts: string[] = [];
  readonly hits = new Float64Array(TEXT_DICT_MAX);

  get size(): number {
    return this.keys.length;
  }

  /** Counts a sighting of `b[start, end)` when it is known; false when it is not. */
  hit(b: Buffer, start: number, end: number): boolean {
    const h = hashBytes(b, start, end);
    for (let slot = h & (SLOTS - 1); ; slot = (slot + 1) & (SLOTS - 1)) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return false;
      if (this.hashes[slot] === h && sameBytes(this.keys[entry - 1] as Buffer, b, start, end)) {
        this.hits[entry - 1] = (this.hits[entry - 1] as number) + 1;
        return true;
      }
    }
  }

  /** Adds a value not known yet (its first sighting is counted by the caller); false when full. */
  add(b: Buffer, start: number, end: number, text: string): boolean {
    if (this.keys.length >= TEXT_DICT_MAX) return false;
    const h = hashBytes(b, start, end);
    let slot = h & (SLOTS - 1);
    while ((this.slots[slot] as number) !== 0) slot = (slot + 1) & (SLOTS - 1);
    this.keys.push(Buffer.from(b.subarray(start, end)));
    this.texts.push(text);
    this.slots[slot] = this.keys.length;
    this.hashes[slot] = h;
    return true;
  }
}

function hashBytes(b: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h;
}

function sameBytes(key: Buffer, b: Buffer, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== b[start + i]) return false;
  return true;
}
