import type { ReasonCode } from "../normalize/result.js";
import type { Rejection, Value } from "../normalize/row.js";
import type { ColumnKind, TableSpec } from "../tables.js";
import { MAX_MESSAGE_BYTES } from "./protocol.js";

/** Numeric columns travel as Float64Array (NaN for NULL), others as arrays. */
export type BatchColumn = Float64Array | (string | null)[];

/** Rows ready to insert, column by column (cheap to send between threads). */
export interface Batch {
  count: number;
  columns: BatchColumn[];
}

export interface RejectedRow {
  line: number;
  reason: ReasonCode;
  column: string | null;
  /** The record's original text, cut to `RAW_TEXT_LIMIT` characters (see `capRawText`). */
  raw: string;
}

/** Where the rows of a file go, in messages of bounded size; `bytes` is an estimate. */
export interface RowSink {
  batch(batch: Batch, bytes: number): void;
  rejects(rows: RejectedRow[], bytes: number): void;
}

/** The most characters of a rejected row's original text that are kept. */
export const RAW_TEXT_LIMIT = 65_536;

/**
 * A rejected row's original text, cut to its first `RAW_TEXT_LIMIT` characters (never
 * inside a surrogate pair) followed by `…[truncated, N characters in all]` when longer.
 */
export function capRawText(raw: string): string {
  if (raw.length <= RAW_TEXT_LIMIT) return raw;
  const last = raw.charCodeAt(RAW_TEXT_LIMIT - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? RAW_TEXT_LIMIT - 1 : RAW_TEXT_LIMIT;
  return `${raw.slice(0, end)}…[truncated, ${raw.length} characters in all]`;
}

/**
 * The memory of numeric columns, back from the thread that inserted them (see
 * `reader-thread.ts`): a new batch takes its columns from here before allocating. Without
 * it every batch allocated new columns, which the main thread freed only when its garbage
 * collector ran — seldom, since it allocates little — and the process grew by about 50 MB
 * per million rows until it did.
 */
export const columnPool = {
  free: [] as ArrayBuffer[],
  /** A column of `length` numbers, from a returned buffer when one fits. */
  take(length: number): Float64Array {
    const bytes = length * 8;
    for (let i = this.free.length - 1; i >= 0; i--) {
      const buffer = this.free[i] as ArrayBuffer;
      if (buffer.byteLength === bytes) {
        this.free[i] = this.free[this.free.length - 1] as ArrayBuffer;
        this.free.pop();
        return new Float64Array(buffer);
      }
    }
    return new Float64Array(length);
  },
  /** Takes back buffers of columns that were sent (at most 256 kept). */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) if (this.free.length < 256) this.free.push(buffer);
  },
};

const NUMERIC: ReadonlySet<ColumnKind> = new Set(["id", "integer", "decimal", "date"]);
/** Estimated bytes of a string in a message beyond its characters, and of a rejected row. */
const STRING_OVERHEAD = 16;
const REJECT_OVERHEAD = 64;
const REJECTS_PER_MESSAGE = 1024;

/**
 * Collects a file's loaded rows into batches and its rejected rows into groups, and sends
 * each once it is full: `batchSize` rows or about `MAX_MESSAGE_BYTES`, and 1,024 rejected
 * rows or about `MAX_MESSAGE_BYTES`. The receiver bounds how many are in flight.
 */
export class Outbox {
  private batch: Batch;
  private batchBytes: number;
  private readonly fixedBytes: number;
  private readonly hasText: boolean;
  private rejected: RejectedRow[] = [];
  private rejectedBytes = 0;

  constructor(
    private readonly spec: TableSpec,
    private readonly sink: RowSink,
    private readonly batchSize: number,
  ) {
    this.batch = this.newBatch();
    const numeric = spec.columns.filter((column) => NUMERIC.has(column.kind)).length;
    this.fixedBytes = numeric * batchSize * 8;
    this.batchBytes = this.fixedBytes;
    this.hasText = numeric < spec.columns.length;
  }

  private newBatch(): Batch {
    return {
      count: 0,
      columns: this.spec.columns.map((column) =>
        NUMERIC.has(column.kind)
          ? columnPool.take(this.batchSize)
          : new Array<string | null>(this.batchSize),
      ),
    };
  }

  load(values: readonly Value[]): void {
    const batch = this.batch;
    const row = batch.count++;
    for (let c = 0; c < values.length; c++) {
      const column = batch.columns[c] as BatchColumn;
      const value = values[c] as Value;
      if (column instanceof Float64Array)
        column[row] = value === null ? Number.NaN : (value as number);
      else {
        column[row] = value as string | null;
        this.batchBytes += value === null ? 8 : 2 * (value as string).length + STRING_OVERHEAD;
      }
    }
    if (batch.count === this.batchSize || (this.hasText && this.batchBytes >= MAX_MESSAGE_BYTES))
      this.flushBatch();
  }

  reject(line: number, rejection: Rejection, raw: string): void {
    const capped = capRawText(raw);
    this.rejected.push({ line, reason: rejection.reason, column: rejection.column, raw: capped });
    this.rejectedBytes += 2 * capped.length + REJECT_OVERHEAD;
    if (this.rejected.length >= REJECTS_PER_MESSAGE || this.rejectedBytes >= MAX_MESSAGE_BYTES)
      this.flushRejected();
  }

  /**
   * Sends the rejected rows collected so far. Called after each read buffer too: their
   * text may be slices of that buffer's string, which they would otherwise keep alive.
   */
  flushRejected(): void {
    if (this.rejected.length === 0) return;
    this.sink.rejects(this.rejected, this.rejectedBytes);
    this.rejected = [];
    this.rejectedBytes = 0;
  }

  private flushBatch(): void {
    if (this.batch.count === 0) return;
    this.sink.batch(this.batch, this.batchBytes);
    this.batch = this.newBatch();
    this.batchBytes = this.fixedBytes;
  }

  /** Sends whatever is left. */
  flush(): void {
    this.flushBatch();
    this.flushRejected();
  }
}
