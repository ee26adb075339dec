import type { TableName } from "../tables.js";
import type { Batch, RejectedRow } from "./outbox.js";
import type { FileFacts } from "./sniff.js";
import type { ReadStats } from "./table-reader.js";

/** A file for the reader thread to read. */
export interface ReadJob {
  table: TableName;
  path: string;
  /** The name used in messages (the file name). */
  label: string;
}

/**
 * Messages from the reader thread, in file order. `bytes` on the messages that carry rows
 * is their estimated size, counted in the in-flight bound until the main thread is done.
 */
export type ReaderMessage =
  | { type: "start"; table: TableName; facts: FileFacts; startedAt: string }
  | { type: "batch"; table: TableName; batch: Batch; bytes: number }
  | { type: "rejects"; table: TableName; rows: RejectedRow[]; bytes: number }
  | { type: "progress"; table: TableName; read: number; bytes: number; totalBytes: number }
  | { type: "done"; table: TableName; stats: ReadStats; finishedAt: string }
  | { type: "end" }
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

/**
 * The memory bound between the threads: the reader waits while this many messages with
 * rows (batches to insert, rejected rows to store) are sent and not yet handled…
 */
export const MAX_IN_FLIGHT = 4;
/** …or while they hold about this many bytes (one message is always allowed). */
export const MAX_IN_FLIGHT_BYTES = 16 * 2 ** 20;
/** A batch or a group of rejected rows is sent once it holds about this many bytes. */
export const MAX_MESSAGE_BYTES = 2 * 2 ** 20;

/** Indexes in the shared Int32Array of the in-flight counters. */
export const IN_FLIGHT_MESSAGES = 0;
export const IN_FLIGHT_BYTES = 1;
