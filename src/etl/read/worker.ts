import { parentPort, workerData } from "node:worker_threads";
import { InputError } from "../../errors.js";
import { tableSpec } from "../tables.js";
import { DailySummary } from "./daily-summary.js";
import { MAX_IN_FLIGHT, type ReaderMessage, type ReadJob } from "./protocol.js";
import { sniffFile } from "./sniff.js";
import { readTable } from "./table-reader.js";

/**
 * The reader thread: sniffs, parses and normalizes the input files one after the other
 * and streams the rows to the main thread, which only inserts. `inFlight` (shared memory)
 * counts batches sent but not yet inserted; the reader waits while it is at the maximum,
 * so memory stays bounded whatever the file size.
 */
const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");
const { jobs, inFlight: shared } = workerData as { jobs: ReadJob[]; inFlight: SharedArrayBuffer };
const inFlight = new Int32Array(shared);
const send = (message: ReaderMessage, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

async function main(): Promise<void> {
  const summary = new DailySummary();
  for (const job of jobs) {
    const spec = tableSpec(job.table);
    const facts = await sniffFile(job.path, job.label);
    send({ type: "start", table: job.table, facts, startedAt: new Date().toISOString() });
    const stats = await readTable(job.path, job.label, spec, facts, {
      batch(batch) {
        while (Atomics.load(inFlight, 0) >= MAX_IN_FLIGHT)
          Atomics.wait(inFlight, 0, MAX_IN_FLIGHT, 1000);
        Atomics.add(inFlight, 0, 1);
        const buffers = batch.columns.flatMap((c) =>
          c instanceof Float64Array ? [c.buffer as ArrayBuffer] : [],
        );
        send({ type: "batch", table: job.table, batch }, buffers);
      },
      rejects(rows) {
        send({ type: "rejects", table: job.table, rows });
      },
      loaded(values) {
        summary.add(job.table, values);
      },
      progress(read, bytes) {
        send({ type: "progress", table: job.table, read, bytes, totalBytes: facts.bytes });
      },
    });
    send({ type: "done", table: job.table, stats, finishedAt: new Date().toISOString() });
  }
  send({ type: "summary", rows: summary.rows() });
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
