import { parentPort, workerData } from "node:worker_threads";
import { InputError } from "../../errors.js";
import { tableSpec } from "../tables.js";
import { columnPool } from "./outbox.js";
import {
  IN_FLIGHT_BYTES,
  IN_FLIGHT_MESSAGES,
  MAX_IN_FLIGHT,
  MAX_IN_FLIGHT_BYTES,
  type ReaderMessage,
  type ReadJob,
} from "./protocol.js";
import { sniffFile } from "./sniff.js";
import { readTable } from "./table-reader.js";

/**
 * The reader thread: sniffs, parses and normalizes the input files one after the other
 * and streams the rows to the main thread, which inserts them and sums the daily summary
 * from them. `inFlight` (shared memory) counts the messages with rows — batches and
 * rejected rows alike — sent but not yet handled, and their estimated bytes; the reader waits while either is at its maximum, so
 * memory stays bounded whatever the file size and however many rows are rejected.
 */
const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");
const { jobs: given, inFlight: shared } = workerData as {
  jobs: ReadJob[] | undefined;
  inFlight: SharedArrayBuffer;
};
const inFlight = new Int32Array(shared);
const send = (message: ReaderMessage, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);
/** A thread started ahead (`prestartReader`) gets its jobs in its first message. */
const jobsReady: Promise<ReadJob[]> = given
  ? Promise.resolve(given)
  : new Promise((resolve) =>
      port.once("message", (message: { jobs: ReadJob[] }) => resolve(message.jobs)),
    );
// Then the main thread sends back the numeric columns of the batches it inserted, for reuse.
void jobsReady.then(() => port.on("message", (buffers: ArrayBuffer[]) => columnPool.give(buffers)));

/** Waits for room in the in-flight bound, then counts a message of `bytes` in it. */
function reserve(bytes: number): void {
  for (;;) {
    const messages = Atomics.load(inFlight, IN_FLIGHT_MESSAGES);
    if (messages === 0) break;
    if (
      messages < MAX_IN_FLIGHT &&
      Atomics.load(inFlight, IN_FLIGHT_BYTES) + bytes <= MAX_IN_FLIGHT_BYTES
    )
      break;
    Atomics.wait(inFlight, IN_FLIGHT_MESSAGES, messages, 1000);
  }
  Atomics.add(inFlight, IN_FLIGHT_BYTES, bytes);
  Atomics.add(inFlight, IN_FLIGHT_MESSAGES, 1);
}

async function main(): Promise<void> {
  const jobs = await jobsReady;
  for (const job of jobs) {
    const spec = tableSpec(job.table);
    const facts = await sniffFile(job.path, job.label);
    send({ type: "start", table: job.table, facts, startedAt: new Date().toISOString() });
    const stats = await readTable(job.path, job.label, spec, facts, {
      batch(batch, bytes) {
        reserve(bytes);
        const buffers = batch.columns.flatMap((c) =>
          c instanceof Float64Array ? [c.buffer as ArrayBuffer] : [],
        );
        send({ type: "batch", table: job.table, batch, bytes }, buffers);
      },
      rejects(rows, bytes) {
        reserve(bytes);
        send({ type: "rejects", table: job.table, rows, bytes });
      },
      progress(read, bytes) {
        send({ type: "progress", table: job.table, read, bytes, totalBytes: facts.bytes });
      },
    });
    send({ type: "done", table: job.table, stats, finishedAt: new Date().toISOString() });
  }
  send({ type: "end" });
}

main().catch((error: unknown) => {
  const e = error as Error & { code?: string };
  send({
    type: "error",
    error: {
      name: e.name ?? "Error",
      message: e.message ?? String(error),
      code: e.code,
      stack: e.stack,
      ...(error instanceof InputError
        ? { file: error.file, line: error.line, detail: error.detail }
        : {}),
    },
  });
});
