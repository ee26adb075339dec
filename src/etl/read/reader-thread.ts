import { Worker } from "node:worker_threads";
import { AppError, InputError } from "../../errors.js";
import type { TableName } from "../tables.js";
import {
  IN_FLIGHT_BYTES,
  IN_FLIGHT_MESSAGES,
  type ReaderMessage,
  type ReadJob,
  type SerializedError,
} from "./protocol.js";
import type { FileFacts } from "./sniff.js";
import type { Batch, ReadStats, RejectedRow } from "./table-reader.js";

export interface ReaderHandlers {
  start(table: TableName, facts: FileFacts, startedAt: string): void;
  batch(table: TableName, batch: Batch): void;
  rejects(table: TableName, rows: RejectedRow[]): void;
  progress?(table: TableName, read: number, bytes: number, totalBytes: number): void;
  done(table: TableName, stats: ReadStats, finishedAt: string): void;
  /** The last message: every file was read. */
  end(): void;
}

/** The reader thread's young generation (MB): see `readInWorker`. */
const YOUNG_GENERATION_MB = 8;

const WORKER_EXT = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

function revive(error: SerializedError): Error {
  if (error.file !== undefined && error.detail !== undefined) {
    return new InputError(error.file, error.line, error.detail, error.code);
  }
  const revived = new Error(error.message);
  revived.name = error.name;
  if (error.stack) revived.stack = error.stack;
  return revived;
}

interface ReaderThread {
  worker: Worker;
  shared: SharedArrayBuffer;
}

/**
 * Starts a reader thread; without `jobs`, it waits for them in its first message (see
 * `prestartReader`). The reader's garbage is short-lived (fields, decoded text): a young
 * generation of 8 MB instead of V8's default collects it as well, with about 30 MB less
 * memory.
 */
function startReader(jobs?: ReadJob[]): ReaderThread {
  const shared = new SharedArrayBuffer(8);
  const worker = new Worker(new URL("./boot.mjs", import.meta.url), {
    workerData: {
      entry: new URL(`./worker${WORKER_EXT}`, import.meta.url).href,
      jobs,
      inFlight: shared,
    },
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  return { worker, shared };
}

/** A reader thread started ahead, waiting for its jobs; `failed` once it errs or exits. */
let prestarted: (ReaderThread & { failed: boolean }) | undefined;

/**
 * Starts the reader thread ahead of the next `readInWorker`, so that its start (a V8
 * isolate and the reader's modules, about 40 ms) runs on another core while this thread
 * loads its own modules and opens the database: `npm run etl` calls it first thing. The
 * waiting thread does not keep the process alive.
 */
export function prestartReader(): void {
  if (prestarted) return;
  const thread = { ...startReader(), failed: false };
  thread.worker.unref();
  const fail = () => {
    thread.failed = true;
  };
  thread.worker.on("error", fail);
  thread.worker.on("exit", fail);
  prestarted = thread;
}

/** The prestarted thread, given its jobs, or else a new thread. */
function readerFor(jobs: ReadJob[]): ReaderThread {
  const thread = prestarted;
  prestarted = undefined;
  if (thread && !thread.failed) {
    thread.worker.removeAllListeners();
    thread.worker.ref();
    thread.worker.postMessage({ jobs });
    return thread;
  }
  if (thread) void thread.worker.terminate();
  return startReader(jobs);
}

/**
 * Reads the jobs' files in a worker thread and calls the handlers on this thread, in
 * order, one message at a time. Resolves when every file is done; rejects on the first
 * error (from the reader or from a handler), after stopping the thread.
 */
export function readInWorker(jobs: ReadJob[], handlers: ReaderHandlers): Promise<void> {
  const { worker, shared } = readerFor(jobs);
  const inFlight = new Int32Array(shared);
  /** A message with rows is handled: make room for the reader (see worker.ts). */
  const handled = (bytes: number) => {
    Atomics.sub(inFlight, IN_FLIGHT_BYTES, bytes);
    Atomics.sub(inFlight, IN_FLIGHT_MESSAGES, 1);
    Atomics.notify(inFlight, IN_FLIGHT_MESSAGES);
  };
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(error);
    };
    worker.on("message", (message: ReaderMessage) => {
      if (settled) return;
      try {
        switch (message.type) {
          case "start":
            handlers.start(message.table, message.facts, message.startedAt);
            break;
          case "batch": {
            handlers.batch(message.table, message.batch);
            handled(message.bytes);
            // Its numeric columns go back to the reader, which fills them again.
            const buffers = message.batch.columns.flatMap((column) =>
              column instanceof Float64Array ? [column.buffer as ArrayBuffer] : [],
            );
            worker.postMessage(buffers, buffers);
            break;
          }
          case "rejects":
            handlers.rejects(message.table, message.rows);
            handled(message.bytes);
            break;
          case "progress":
            handlers.progress?.(message.table, message.read, message.bytes, message.totalBytes);
            break;
          case "done":
            handlers.done(message.table, message.stats, message.finishedAt);
            break;
          case "end":
            handlers.end();
            settled = true;
            void worker.terminate();
            resolve();
            break;
          case "error":
            fail(revive(message.error));
            break;
        }
      } catch (error) {
        fail(error);
      }
    });
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (!settled)
        fail(new AppError(`the reader thread stopped unexpectedly (exit ${code})`, "internal", 1));
    });
  });
}
