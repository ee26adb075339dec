import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { describeError, InputError } from "../../errors.js";
import { CsvParser, RecordTooLargeError, UnclosedQuoteError } from "../../etl/read/csv-parser.js";
import { latin1AsWindows1252, RecordRecoder } from "../../etl/read/recode.js";
import type { Columna, Histogram, Profile, ProfileOptions } from "../types.js";
import { ColumnAccumulator, detach } from "./column.js";
import { estimateMemory } from "./memory.js";
import { READ_BLOCK, sniffCsv } from "./sniff.js";
import { summarize } from "./summary.js";

export { sniffCsv } from "./sniff.js";

/** Rows kept for `NAME_muestra.parquet`. */
export const SAMPLE_ROWS = 1000;
export const DEFAULT_CHUNK_SIZE = 10_000;

/**
 * The column profile of one CSV file (`../shared/contracts/files.md`, "What it computes"),
 * in one streaming pass after a fast byte check: any columns, types inferred, exact
 * counts, moments and quantiles. Memory: 8 bytes per value of the numeric and date
 * columns, the distinct values of text columns (at most 100,000 each, then an estimate).
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

  let header: string[] | null = null;
  let columns: ColumnAccumulator[] = [];
  let rows = 0;
  let malformed = 0;
  let bytesRead = 0;
  let sinceProgress = 0;
  const sample: (string | null)[][] = [];
  const decimalComma = facts.delimiter === ";";

  const onRecord = (fields: string[]) => {
    if (header === null) {
      header = fields.map((field, i) => detach(field.trim()) || `columna_${i + 1}`);
      columns = header.map(() => new ColumnAccumulator(decimalComma));
      return;
    }
    if (fields.length !== columns.length) {
      malformed++;
      return;
    }
    for (let i = 0; i < fields.length; i++)
      (columns[i] as ColumnAccumulator).add(fields[i] as string);
    if (rows < SAMPLE_ROWS) sample.push(fields.map(detach));
    rows++;
    if (++sinceProgress >= chunkSize) {
      sinceProgress = 0;
      onProgress?.({ rowsProcessed: rows, bytesProcessed: bytesRead, totalBytes: facts.bytes });
    }
  };
  const recoder = facts.recode ? new RecordRecoder() : null;
  const parser = new CsvParser(facts.delimiter, recoder ? recoder.wrap(onRecord) : onRecord);
  const decoder = new TextDecoder("utf-8");
  const decode =
    facts.encoding === "windows-1252"
      ? (chunk: Buffer) => latin1AsWindows1252(chunk.toString("latin1"))
      : recoder
        ? (chunk: Buffer) => chunk.toString("latin1")
        : (chunk: Buffer) => decoder.decode(chunk, { stream: true });

  try {
    let first = true;
    for await (const piece of createReadStream(path, { highWaterMark: READ_BLOCK, signal })) {
      let chunk = piece as Buffer;
      bytesRead += chunk.length;
      if (first && recoder && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
        chunk = chunk.subarray(3); // TextDecoder drops the BOM itself; latin1 does not
      first = false;
      parser.push(decode(chunk));
      signal?.throwIfAborted();
    }
    if (!recoder && facts.encoding === "utf-8") parser.push(decoder.decode());
    parser.end();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof UnclosedQuoteError)
      throw new InputError(
        name,
        error.line,
        "a quote opened here is never closed",
        "unclosed_quote",
      );
    if (error instanceof RecordTooLargeError)
      throw new InputError(name, error.line, error.message, "record_too_large");
    if (error instanceof InputError) throw error;
    throw new InputError(
      name,
      undefined,
      `cannot read the file: ${describeError(error)}`,
      "unreadable",
    );
  }
  if (header === null)
    throw new InputError(name, undefined, "the file is empty (no header line)", "empty_file");
  onProgress?.({ rowsProcessed: rows, bytesProcessed: facts.bytes, totalBytes: facts.bytes });

  const names: string[] = header;
  const columnas: Columna[] = [];
  const histogramas: Record<string, Histogram> = {};
  const states = columns.map((column) => column.state());
  columns = [];
  states.forEach((state, i) => {
    const { columna, histogram } = summarize(i + 1, names[i] as string, state);
    columnas.push(columna);
    if (histogram) histogramas[columna.nombre] = histogram;
  });
  return {
    resumen: {
      archivo: name,
      bytes: facts.bytes,
      encoding: facts.encoding,
      delimitador: facts.delimiter,
      filas: rows,
      columnas: names.length,
      filas_malformadas: malformed,
      memoria_estimada_bytes: estimateMemory(columnas, states, rows),
      duracion_s: Math.round(performance.now() - started) / 1000,
      procesado_en: new Date().toISOString(),
    },
    columnas,
    muestra: { rows: sample },
    histogramas,
  };
}
