import type { TableName } from "../tables.js";
import type { DailySummaryRow } from "./daily-summary.js";
import type { FileFacts } from "./sniff.js";
import type { Batch, ReadStats, RejectedRow } from "./table-reader.js";

/** A file for the reader thread to read. */
export interface ReadJob {
  table: TableName;
  path: string;
  /** The name used in messages (the file name). */
  label: string;
}

/** Messages from the reader thread, in file order. */
export type ReaderMessage =
  | { type: "start"; table: TableName; facts: FileFacts; startedAt: string }
  | { type: "batch"; table: TableName; batch: Batch }
  | { type: "rejects"; table: TableName; rows: RejectedRow[] }
  | { type: "progress"; table: TableName; read: number; bytes: number; totalBytes: number }
  | { type: "done"; table: TableName; stats: ReadStats; finishedAt: string }
  | { type: "summary"; rows: DailySummaryRow[] }
  | { type: "error"; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  file?: string;
  line?: number;
  detail?: string;
  stack?: string;
}

/** Batches in flight between the threads before the reader waits (bounds memory). */
export const MAX_IN_FLIGHT = 4;
