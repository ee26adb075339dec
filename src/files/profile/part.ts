import { open } from "node:fs/promises";
import { describeError, InputError } from "../../errors.js";
import { CsvParser, RecordTooLargeError, UnclosedQuoteError } from "../../etl/read/csv-parser.js";
import { latin1AsWindows1252, RecordRecoder } from "../../etl/read/recode.js";
import { ColumnAccumulator, type ColumnState, detach } from "./column.js";
import { type CsvBytes, READ_BLOCK } from "./sniff.js";

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
  const makeColumns = (count: number) =>
    Array.from({ length: count }, () => new ColumnAccumulator(decimalComma));
  if (input.columns !== null) columns = makeColumns(input.columns);

  const onRecord = (fields: string[]) => {
    if (expected === -1) {
      header = fields.map((field, i) => detach(field.trim()) || `columna_${i + 1}`);
      expected = fields.length;
      columns = makeColumns(expected);
      return;
    }
    if (fields.length !== expected) {
      malformed++;
      return;
    }
    for (let i = 0; i < expected; i++) (columns[i] as ColumnAccumulator).add(fields[i] as string);
    if (rows < SAMPLE_ROWS && input.first) sample.push(fields.map(detach));
    rows++;
    if (++sinceProgress >= chunkSize) {
      sinceProgress = 0;
      onProgress(rows, read);
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
      if (position === 0 && recoder && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
        chunk = chunk.subarray(3); // TextDecoder drops the BOM itself; latin1 does not
      position += bytesRead;
      read += bytesRead;
      parser.push(decode(chunk));
      signal?.throwIfAborted();
    }
    if (!recoder && facts.encoding === "utf-8") parser.push(decoder.decode());
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
