/**
 * The results of a run on disk while it runs: one fixed-size record per `escenario_id`, at
 * `(id − 1) × record` bytes, so results may arrive in any order and memory stays flat.
 * A record is the outputs (doubles, NaN for an error) then the consumer's index (a double)
 * in the run's list of consumer names. The variables are not kept: they are drawn again
 * from the seeded stream when the outputs are written.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import type { ResultBatch } from "./types.js";

export class ResultSpill {
  /** Doubles per record: the outputs, then the consumer. */
  readonly record: number;
  private fd: number | undefined;

  constructor(
    readonly path: string,
    readonly scenarios: number,
    readonly outputs: readonly string[],
  ) {
    this.record = outputs.length + 1;
    this.fd = openSync(path, "w+");
  }

  /** Writes a batch's results; a missing output column is NaN throughout (every scenario failed). */
  write(results: ResultBatch, consumer: number): void {
    const { firstId, count } = results;
    const record = this.record;
    const buffer = new Float64Array(count * record);
    this.outputs.forEach((name, o) => {
      const column = results.outputs[name];
      for (let i = 0; i < count; i++)
        buffer[i * record + o] = column === undefined ? Number.NaN : (column[i] as number);
    });
    for (let i = 0; i < count; i++) buffer[i * record + record - 1] = consumer;
    const bytes = new Uint8Array(buffer.buffer);
    let done = 0;
    const position = (firstId - 1) * record * 8;
    while (done < bytes.length)
      done += writeSync(this.handle(), bytes, done, bytes.length - done, position + done);
  }

  /** Reads the records of ids `firstId … firstId+count−1` (row-major: `count × record`). */
  read(firstId: number, count: number, into?: Float64Array): Float64Array {
    const out = into ?? new Float64Array(count * this.record);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, count * this.record * 8);
    const position = (firstId - 1) * this.record * 8;
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.handle(), bytes, done, bytes.length - done, position + done);
      if (n === 0) {
        bytes.fill(0, done);
        break;
      }
      done += n;
    }
    return out;
  }

  /**
   * Calls `fn` on consecutive chunks of records (ids from `firstId`), `chunk` records at a
   * time, in id order. The array is reused between calls.
   */
  scan(fn: (records: Float64Array, firstId: number, count: number) => void, chunk = 65536): void {
    const buffer = new Float64Array(chunk * this.record);
    for (let first = 1; first <= this.scenarios; first += chunk) {
      const count = Math.min(chunk, this.scenarios - first + 1);
      const records = this.read(first, count, buffer);
      fn(count === chunk ? records : records.subarray(0, count * this.record), first, count);
    }
  }

  private handle(): number {
    if (this.fd === undefined) throw new Error(`${this.path}: the spill file is closed`);
    return this.fd;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Closes and deletes the file. */
  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
  }
}
