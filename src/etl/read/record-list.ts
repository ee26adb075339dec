/**
 * A growable list of record numbers in a Float64Array: what the reader remembers of a row
 * that waits for the end of its file (8 bytes, never the row itself).
 */
export class RecordList {
  private items = new Float64Array(1024);
  length = 0;

  push(record: number): void {
    if (this.length === this.items.length) {
      const grown = new Float64Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = record;
  }

  at(index: number): number {
    return this.items[index] as number;
  }
}
