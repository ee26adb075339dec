/**
 * A growing list of doubles kept in fixed 64K blocks, so growth never copies (a doubling
 * array would briefly hold 1.5× the column) and a column's values cost 8 bytes each.
 */
const BLOCK = 1 << 16;

export class DoubleBlocks {
  private readonly blocks: Float64Array[] = [];
  private current = new Float64Array(0);
  private used = BLOCK;
  length = 0;

  push(value: number): void {
    if (this.used === BLOCK) {
      this.current = new Float64Array(BLOCK);
      this.blocks.push(this.current);
      this.used = 0;
    }
    this.current[this.used++] = value;
    this.length++;
  }

  /** Every value, in order. */
  *values(): IterableIterator<number> {
    let left = this.length;
    for (const block of this.blocks) {
      const n = Math.min(BLOCK, left);
      for (let i = 0; i < n; i++) yield block[i] as number;
      left -= n;
    }
  }

  /** Copies every value, in order, into `into` from index 0. */
  copyTo(into: Float64Array): void {
    let at = 0;
    for (const block of this.blocks) {
      const n = Math.min(BLOCK, this.length - at);
      into.set(n === BLOCK ? block : block.subarray(0, n), at);
      at += n;
    }
  }

  clear(): void {
    this.blocks.length = 0;
    this.current = new Float64Array(0);
    this.used = BLOCK;
    this.length = 0;
  }
}
