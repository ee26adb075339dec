import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { Worker } from "node:worker_threads";
import { InputError } from "../../errors.js";
import { CsvParser, RecordTooLargeError, UnclosedQuoteError } from "../../etl/read/csv-parser.js";
import type { Columna, Histogram, Profile, ProfileOptions } from "../types.js";
import type { ColumnState } from "./column.js";
import { estimateMemory } from "./memory.js";
import { mergeStates } from "./merge.js";
import { type PartInput, type PartResult, readPart } from "./part.js";
import type { PartMessage } from "./part-worker.js";
import { type CsvBytes, READ_BLOCK, sniffCsv } from "./sniff.js";
import { linesBefore, recordBoundaries } from "./split.js";
import { summarize } from "./summary.js";
import { NO_VALUES } from "./value-list.js";

export { SAMPLE_ROWS } from "./part.js";
export { type CsvBytes, sniffCsv } from "./sniff.js";

export const DEFAULT_CHUNK_SIZE = 10_000;
/** Below this size a file is read on the calling thread: threads would cost more than they save. */
export const PARALLEL_MIN_BYTES = 8 * 2 ** 20;
const YOUNG_GENERATION_MB = 4;
const WORKER_EXT = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

export const defaultThreads = (): number => Math.max(1, Math.min(availableParallelism(), 4));

/**
 * The column profile of one CSV file (`../shared/contracts/files.md`, "What it computes"):
 * any columns, types inferred, exact counts, moments and quantiles. After a fast byte
 * check, a large file is cut at record boundaries into one part per thread; each thread
 * profiles its part and the parts' column states are merged. Memory: 8 bytes per value of
 * the numeric and date columns, the distinct values of text columns (at most 100,000
 * each, then an estimate).
 *
 * @example
 * const profile = await profileFile("ventas.csv", { onProgress: (p) => console.log(p.rowsProcessed) });
 */
export async function profileFile(path: string, options: ProfileOptions = {}): Promise<Profile> {
  const started = performance.now();
  const name = options.name ?? basename(path);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const facts = await sniffCsv(path, name);
  const threads = facts.bytes >= PARALLEL_MIN_BYTES ? (options.threads ?? defaultThreads()) : 1;
  const base = { path, label: name, facts, chunkSize };

  let parts: PartResult[];
  if (threads <= 1) {
    const input: PartInput = { ...base, start: 0, end: facts.bytes, first: true, columns: null };
    parts = [
      await readPart(
        input,
        (rows, bytes) =>
          onProgress?.({ rowsProcessed: rows, bytesProcessed: bytes, totalBytes: facts.bytes }),
        signal,
      ),
    ];
  } else {
    const columns = await headerFields(path, facts, name);
    const targets = Array.from({ length: threads - 1 }, (_, i) =>
      Math.floor((facts.bytes * (i + 1)) / threads),
    );
    const cuts = [
      0,
      ...(await recordBoundaries(path, facts.bytes, facts.delimiter, targets)),
      facts.bytes,
    ];
    const inputs: PartInput[] = [];
    for (let i = 0; i < threads; i++) {
      const start = cuts[i] as number;
      const end = cuts[i + 1] as number;
      if (end > start || i === 0)
        inputs.push({ ...base, start, end, first: i === 0, columns: i === 0 ? null : columns });
    }
    parts = await readInThreads(inputs, facts, signal, onProgress);
  }
  signal?.throwIfAborted();
  onProgress?.({
    rowsProcessed: parts.reduce((n, part) => n + part.rows, 0),
    bytesProcessed: facts.bytes,
    totalBytes: facts.bytes,
  });
  return assemble(parts, facts, name, started);
}

/**
 * The header's field count: the file's first record, read a block at a time until it
 * ends (never the whole file). Only the delimiter, quotes and line feeds matter here,
 * all ASCII: latin1 keeps them in both encodings. A record error past the header is left
 * to the part that holds it (it knows the line); one in the header is reported here.
 */
async function headerFields(path: string, facts: CsvBytes, label: string): Promise<number> {
  let count = -1;
  const parser = new CsvParser(facts.delimiter, (fields) => {
    if (count === -1) count = fields.length;
  });
  const handle = await open(path, "r");
  try {
    const block = Buffer.allocUnsafe(READ_BLOCK);
    for (let position = 0; count === -1 && position < facts.bytes; ) {
      const { bytesRead } = await handle.read(block, 0, READ_BLOCK, position);
      if (bytesRead === 0) break;
      const bom = position === 0 && block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf;
      position += bytesRead;
      parser.push(block.toString("latin1", bom ? 3 : 0, bytesRead));
    }
    if (count === -1) parser.end();
  } catch (error) {
    if (count === -1 && error instanceof UnclosedQuoteError)
      throw new InputError(
        label,
        error.line,
        "a quote opened here is never closed",
        "unclosed_quote",
      );
    if (count === -1 && error instanceof RecordTooLargeError)
      throw new InputError(
        label,
        error.line,
        error.message.replace(/ on line \d+/, ""),
        "record_too_large",
      );
    if (count === -1) throw error;
  } finally {
    await handle.close();
  }
  if (count === -1)
    throw new InputError(label, undefined, "the file is empty (no header line)", "empty_file");
  return count;
}

/**
 * Reads every part on a worker thread of its own, all at once, each with a small young
 * generation; the calling thread only waits (its own heap stays small).
 */
function readInThreads(
  inputs: PartInput[],
  facts: CsvBytes,
  signal: AbortSignal | undefined,
  onProgress: ProfileOptions["onProgress"],
): Promise<PartResult[]> {
  const rows = inputs.map(() => 0);
  const bytes = inputs.map(() => 0);
  const results: (PartResult | undefined)[] = inputs.map(() => undefined);
  const report = (i: number, partRows: number, partBytes: number) => {
    rows[i] = partRows;
    bytes[i] = partBytes;
    onProgress?.({
      rowsProcessed: rows.reduce((a, b) => a + b, 0),
      bytesProcessed: bytes.reduce((a, b) => a + b, 0),
      totalBytes: facts.bytes,
    });
  };
  const workers = inputs.map(
    (input) =>
      new Worker(new URL("../../etl/read/boot.mjs", import.meta.url), {
        workerData: { entry: new URL(`./part-worker${WORKER_EXT}`, import.meta.url).href, input },
        // A small young generation: the part's garbage is short-lived (fields, records), and
        // V8's default (up to 48 MB a thread) was a fifth of the peak memory.
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      }),
  );
  return new Promise<PartResult[]>((resolve, reject) => {
    let settled = false;
    let left = inputs.length;
    const finish = (i: number, result: PartResult) => {
      results[i] = result;
      if (--left === 0 && !settled) {
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        resolve(results as PartResult[]);
      }
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      for (const worker of workers) void worker.terminate();
      reject(error);
    };
    const onAbort = () => fail(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const reported = inputs.map(() => false);
    workers.forEach((worker, i) => {
      const input = inputs[i] as PartInput;
      worker.on("message", (message: PartMessage) => {
        if (message.type === "progress") report(i, message.rows, message.bytes);
        else if (message.type === "done") finish(i, message.result);
        else if (message.line !== undefined && message.detail !== undefined) {
          // Lines in a part count from its start: add the lines before it (the thread
          // exits meanwhile: its error is this one, not the exit).
          reported[i] = true;
          const { line, detail, code } = message;
          linesBefore(input.path, input.start).then(
            (before) => fail(new InputError(input.label, line + before, detail, code)),
            fail,
          );
        } else if (message.detail !== undefined)
          fail(new InputError(input.label, undefined, message.detail, message.code));
        else fail(new Error(message.message));
      });
      worker.on("error", fail);
      worker.on("exit", (code) => {
        if (results[i] === undefined && !reported[i] && !settled)
          fail(new Error(`a profile thread stopped (exit code ${code})`));
      });
    });
  });
}

function assemble(parts: PartResult[], facts: CsvBytes, name: string, started: number): Profile {
  const first = parts[0] as PartResult;
  if (first.header === null)
    throw new InputError(name, undefined, "the file is empty (no header line)", "empty_file");
  const names = first.header;
  const rows = parts.reduce((n, part) => n + part.rows, 0);
  const columnas: Columna[] = [];
  // No prototype: a column may be called `__proto__` or `constructor`.
  const histogramas: Record<string, Histogram> = Object.create(null);
  const states: ColumnState[] = [];
  // Column by column, each part's arrays released once merged: one merged column at a time.
  names.forEach((column, i) => {
    let state = first.states[i] as ColumnState;
    for (const part of parts.slice(1)) state = mergeStates(state, part.states[i] as ColumnState);
    const { columna, histogram } = summarize(i + 1, column, state);
    columnas.push(columna);
    if (histogram) histogramas[columna.nombre] = histogram;
    states.push({ ...state, numbers: NO_VALUES, dates: NO_VALUES, counts: null });
    for (const part of parts) part.states[i] = states[i] as ColumnState;
  });
  return {
    resumen: {
      archivo: name,
      bytes: facts.bytes,
      encoding: facts.encoding,
      delimitador: facts.delimiter,
      filas: rows,
      columnas: names.length,
      filas_malformadas: parts.reduce((n, part) => n + part.malformed, 0),
      memoria_estimada_bytes: estimateMemory(columnas, states, rows),
      duracion_s: Math.round(performance.now() - started) / 1000,
      procesado_en: new Date().toISOString(),
    },
    columnas,
    muestra: { rows: first.sample },
    histogramas,
  };
}
