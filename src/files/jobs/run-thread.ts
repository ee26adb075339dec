import { Worker } from "node:worker_threads";
import type { ProfileProgress } from "../types.js";
import type { RunProgress } from "./progress.js";
import type { OutputFiles } from "./store.js";

/** One run of `processFile`: the upload's temp copy, its shown name and the job's folder. */
export interface ThreadTask {
  path: string;
  name: string;
  outDir: string;
  chunkSize: number;
}

export type ThreadMessage =
  | ({ type: "progress" } & ProfileProgress)
  | { type: "done"; outputs: OutputFiles; rows: number }
  | { type: "error"; message: string };

export interface ThreadOutcome {
  /** File names inside `outDir`. */
  outputs: OutputFiles;
  /** Data rows read (profiled and malformed). */
  rows: number;
  elapsedMs: number;
}

/** The processing failed (a quote never closed, an unreadable file): the message says why. */
export class JobRunError extends Error {}

const THREAD_EXT = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/**
 * Runs `processFile` on a worker thread of its own, so the calling thread's event loop stays
 * free (the console's requests, BullMQ's lock renewals). Aborting `signal` terminates the
 * thread and rejects with the signal's reason once it is gone (nothing more is written);
 * what it had written is left for the caller to remove (`outDir`).
 */
export function processInThread(
  task: ThreadTask,
  options: { signal?: AbortSignal; onProgress?: (progress: RunProgress) => void } = {},
): Promise<ThreadOutcome> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const started = performance.now();
  const worker = new Worker(new URL("./boot.mjs", import.meta.url), {
    workerData: { entry: new URL(`./thread${THREAD_EXT}`, import.meta.url).href, task },
  });
  return new Promise<ThreadOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      then();
    };
    const onAbort = () =>
      settle(() => {
        void worker.terminate().then(
          () => reject(signal?.reason),
          () => reject(signal?.reason),
        );
      });
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (message: ThreadMessage) => {
      if (settled) return;
      switch (message.type) {
        case "progress":
          onProgress?.({
            rowsProcessed: message.rowsProcessed,
            bytesProcessed: message.bytesProcessed,
            totalBytes: message.totalBytes,
            elapsedMs: performance.now() - started,
          });
          break;
        case "done":
          settle(() =>
            resolve({
              outputs: message.outputs,
              rows: message.rows,
              elapsedMs: performance.now() - started,
            }),
          );
          break;
        case "error":
          settle(() => reject(new JobRunError(message.message)));
          break;
      }
    });
    worker.on("error", (error) => settle(() => reject(error)));
    worker.on("exit", (code) =>
      settle(() =>
        reject(
          new JobRunError(`the processing thread stopped (exit code ${code}) before finishing`),
        ),
      ),
    );
  });
}
