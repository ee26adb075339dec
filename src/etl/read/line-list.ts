/**
 * A growable list of numbers in a Float64Array: the lines of the rows that wait for the
 * end of their file (8 bytes a row, never the row itself).
 */
export class LineList {
  private items = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.items.length) {
      const grown = new Float64Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = value;
  }

  at(index: number): number {
    return this.items[index] as number;
  }
}
