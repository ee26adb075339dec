import { open } from "node:fs/promises";
import { describeError, InputError } from "../../errors.js";
import { CsvParser, RecordTooLargeError, UnclosedQuoteError } from "../../etl/read/csv-parser.js";
import { latin1AsWindows1252, RecordRecoder } from "../../etl/read/recode.js";
import { ColumnAccumulator, type ColumnState } from "./column.js";
import { type ByteRecord, ByteScanner } from "./scan.js";
import { type CsvBytes, READ_BLOCK } from "./sniff.js";

/** The ETL's string parser over latin1-decoded chunks (for the record-by-record recoding). */
function textParser(
  delimiter: string,
  sink: (fields: string[], line: number, raw: string) => void,
) {
  const parser = new CsvParser(delimiter, sink);
  return {
    push: (chunk: Buffer) => parser.push(chunk.toString("latin1")),
    end: () => parser.end(),
  };
}

/** Rows kept for `NAME_muestra.parquet`. */
export const SAMPLE_ROWS = 1000;

/** One byte range of the file, starting at a record boundary. */
export interface PartInput {
  path: string;
  /** The name errors are reported under. */
  label: string;
  facts: CsvBytes;
  start: number;
  end: number;
  /** The part that starts the file: it reads the header and keeps the sample. */
  first: boolean;
  /** The first part reads the header; the others get its field count. */
  columns: number | null;
  chunkSize: number;
}

export interface PartResult {
  /** The header's fields (first part only). */
  header: string[] | null;
  rows: number;
  malformed: number;
  sample: (string | null)[][];
  states: ColumnState[];
}

/** Rows and bytes read so far in this part. */
export type PartProgress = (rows: number, bytes: number) => void;

/**
 * Profiles the records of one byte range (lines are counted from its start: the caller
 * adds the lines before it to an error's line): decodes (UTF-8, Windows-1252, or UTF-8 with
 * records recoded as the ETL does), parses, and feeds each column's accumulator. A record
 * whose field count differs from the header's is counted as malformed and left out.
 */
export async function readPart(
  input: PartInput,
  onProgress: PartProgress,
  signal?: AbortSignal,
): Promise<PartResult> {
  const { facts, chunkSize } = input;
  let header: string[] | null = null;
  let columns: ColumnAccumulator[] = [];
  let expected = input.columns ?? -1;
  let rows = 0;
  let malformed = 0;
  let read = 0;
  let sinceProgress = 0;
  const sample: (string | null)[][] = [];
  const decimalComma = facts.delimiter === ";";
  const windows1252 = facts.encoding === "windows-1252";
  const makeColumns = (count: number) =>
    Array.from({ length: count }, () => new ColumnAccumulator(decimalComma, windows1252));
  if (input.columns !== null) columns = makeColumns(input.columns);

  const counted = () => {
    rows++;
    if (++sinceProgress >= chunkSize) {
      sinceProgress = 0;
      onProgress(rows, read);
    }
  };
  const headerOf = (fields: string[]) => {
    header = fields.map((field, i) => field.trim() || `columna_${i + 1}`);
    expected = fields.length;
    columns = makeColumns(expected);
  };
  // UTF-8 with a few Windows-1252 records: decoded record by record as the ETL does, and
  // each field read as text. Every other file: scanned as bytes (see scan.ts).
  const onRecord = (fields: string[]) => {
    if (expected === -1) return headerOf(fields);
    if (fields.length !== expected) {
      malformed++;
      return;
    }
    for (let i = 0; i < expected; i++) (columns[i] as ColumnAccumulator).add(fields[i] as string);
    if (rows < SAMPLE_ROWS && input.first) sample.push(fields.slice());
    counted();
  };
  const decodeBytes = windows1252
    ? (b: Buffer, from: number, to: number) => latin1AsWindows1252(b.toString("latin1", from, to))
    : (b: Buffer, from: number, to: number) => b.toString("utf8", from, to);
  const fieldText = (record: ByteRecord, k: number) =>
    record.quoted[k] ??
    decodeBytes(record.bytes, record.starts[k] as number, record.ends[k] as number);
  const onByteRecord = (record: ByteRecord) => {
    const count = record.count;
    if (expected === -1)
      return headerOf(Array.from({ length: count }, (_, k) => fieldText(record, k)));
    if (count !== expected) {
      malformed++;
      return;
    }
    const { bytes, starts, ends, quoted } = record;
    for (let k = 0; k < count; k++) {
      const text = quoted[k];
      const column = columns[k] as ColumnAccumulator;
      if (text === null || text === undefined)
        column.addBytes(bytes, starts[k] as number, ends[k] as number);
      else column.add(text);
    }
    if (rows < SAMPLE_ROWS && input.first)
      sample.push(Array.from({ length: count }, (_, k) => fieldText(record, k)));
    counted();
  };
  const recoder = facts.recode ? new RecordRecoder() : null;
  const parser: { push(chunk: Buffer): void; end(): void } = recoder
    ? textParser(facts.delimiter, recoder.wrap(onRecord))
    : new ByteScanner(facts.delimiter.charCodeAt(0), decodeBytes, onByteRecord);

  const handle = await open(input.path, "r").catch((error: unknown) => {
    throw new InputError(
      input.label,
      undefined,
      `cannot read the file: ${describeError(error)}`,
      "unreadable",
    );
  });
  try {
    const buffer = Buffer.allocUnsafe(READ_BLOCK);
    let position = input.start;
    while (position < input.end) {
      const want = Math.min(READ_BLOCK, input.end - position);
      const { bytesRead } = await handle.read(buffer, 0, want, position);
      if (bytesRead === 0) break;
      let chunk = buffer.subarray(0, bytesRead);
      if (position === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
        chunk = chunk.subarray(3); // the byte-order mark is not data
      position += bytesRead;
      read += bytesRead;
      parser.push(chunk);
      signal?.throwIfAborted();
    }
    parser.end();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof UnclosedQuoteError)
      throw new InputError(
        input.label,
        error.line,
        "a quote opened here is never closed",
        "unclosed_quote",
      );
    if (error instanceof RecordTooLargeError)
      throw new InputError(
        input.label,
        error.line,
        error.message.replace(/ on line \d+/, ""),
        "record_too_large",
      );
    if (error instanceof InputError) throw error;
    throw new InputError(
      input.label,
      undefined,
      `cannot read the file: ${describeError(error)}`,
      "unreadable",
    );
  } finally {
    await handle.close();
  }
  onProgress(rows, read);
  const states = columns.map((column) => column.state());
  return { header, rows, malformed, sample, states };
}
