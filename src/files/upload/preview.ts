import { createReadStream } from "node:fs";
import { CsvParser, RecordTooLargeError, UnclosedQuoteError } from "../../etl/read/csv-parser.js";
import { RecordRecoder } from "../../etl/read/recode.js";
import type { FileDelimiter } from "../types.js";
import { UploadError } from "./errors.js";

/** Data rows in the preview. */
export const PREVIEW_ROWS = 5;
/** The header line is looked for in this many bytes at most (as the ETL's sniff does). */
const HEADER_BYTES = 1 << 20;
/** A preview never reads more of the file than this: it comes back at once, whatever the size. */
const PREVIEW_BYTES = 4 << 20;
/** A record longer than this ends the preview (the rows before it are shown). */
const PREVIEW_RECORD_CHARS = 1 << 20;

export interface Preview {
  delimiter: FileDelimiter;
  /** The header's names as in the file (duplicates and empty names kept). */
  columns: string[];
  /** Up to 5 data rows, keyed by `previewKeys(columns)`; a missing field is null. */
  preview: Record<string, string | null>[];
}

/**
 * The object keys of the preview rows: the column names made unique and non-empty — an
 * empty name becomes `column_N` (its 1-based position), a repeated one `name_2`, `name_3`…
 *
 * @example
 * previewKeys(["id", "name", "name", ""]); // ["id", "name", "name_2", "column_4"]
 */
export function previewKeys(columns: readonly string[]): string[] {
  const wanted = columns.map((name, i) => (name.trim() === "" ? `column_${i + 1}` : name));
  const reserved = new Set(wanted);
  const taken = new Set<string>();
  return wanted.map((name) => {
    let key = name;
    for (let n = 2; taken.has(key); n++) {
      key = `${name}_${n}`;
      if (reserved.has(key)) key = name; // another column's own name: try the next n
    }
    taken.add(key);
    return key;
  });
}

/**
 * The delimiter, header and first data rows of a stored upload, read from its first bytes
 * only (a few MiB at most) with the ETL's rules: the BOM removed, records split by
 * `CsvParser` (RFC 4180 quotes, LF/CRLF, blank lines skipped) on the latin1 text, each
 * record holding other bytes decoded as UTF-8 when valid, else as Windows-1252
 * (`RecordRecoder`). `;` when the header line has `;` and no `,`.
 *
 * Throws `UploadError` 400 for an empty file, a file with no header and lines ending with
 * CR alone. A ragged row or a quote never closed is not an error here: the preview shows
 * the rows before it, and the job reports it.
 */
export async function readPreview(path: string, bom: boolean): Promise<Preview> {
  const stream = createReadStream(path, { start: bom ? 3 : 0, highWaterMark: 64 * 1024 });
  const records: string[][] = [];
  const recoder = new RecordRecoder();
  let parser: CsvParser | undefined;
  let headerText = "";
  let headerDone = false;
  let delimiter: FileDelimiter = ",";
  let read = 0;
  let stopped = false;
  let unclosedHeader: number | undefined;

  const startParser = () => {
    // The header line is everything before the first LF: a CR in it that does not end it
    // (or any CR when there is no LF at all) means lines end with CR alone.
    const cr = headerText.indexOf("\r");
    if (cr !== -1 && (!headerDone || cr < headerText.length - 1)) {
      throw new UploadError(
        400,
        "cr_line_ends",
        "lines end with CR only (a classic Mac export); save the file with LF or CRLF line ends",
      );
    }
    delimiter = headerText.includes(";") && !headerText.includes(",") ? ";" : ",";
    parser = new CsvParser(
      delimiter,
      recoder.wrap((fields) => {
        if (records.length <= PREVIEW_ROWS) records.push(fields);
      }),
      PREVIEW_RECORD_CHARS,
    );
  };
  const feed = (text: string, final: boolean) => {
    try {
      if (text) parser?.push(text);
      if (final) parser?.end();
    } catch (error) {
      if (error instanceof UnclosedQuoteError) {
        if (records.length === 0) unclosedHeader = error.line;
      } else if (!(error instanceof RecordTooLargeError)) throw error;
      stopped = true;
    }
  };

  let pending = "";
  try {
    for await (const piece of stream) {
      const text = (piece as Buffer).toString("latin1");
      read += text.length;
      if (!headerDone) {
        pending += text;
        const lf = pending.indexOf("\n");
        headerText = lf === -1 ? pending : pending.slice(0, lf);
        headerDone = lf !== -1;
        if (!headerDone && pending.length < HEADER_BYTES) continue;
        headerText = headerText.slice(0, HEADER_BYTES);
        startParser();
        feed(pending, false);
        pending = "";
      } else {
        feed(text, false);
      }
      if (stopped || records.length > PREVIEW_ROWS || read >= PREVIEW_BYTES) break;
    }
    if (!parser) {
      headerText = pending;
      startParser();
      feed(pending, true);
    } else if (!stopped && records.length <= PREVIEW_ROWS && read < PREVIEW_BYTES) {
      feed("", true);
    }
  } finally {
    stream.destroy();
  }

  if (records.length === 0) {
    if (unclosedHeader !== undefined) {
      throw new UploadError(
        400,
        "no_header",
        `the header's quote opened on line ${unclosedHeader} is never closed`,
      );
    }
    if (read === 0) throw new UploadError(400, "empty_file", "the file is empty");
    throw new UploadError(400, "no_header", "the file has no header line (only blank lines)");
  }
  const [columns, ...rows] = records as [string[], ...string[][]];
  const keys = previewKeys(columns);
  const preview = rows
    .slice(0, PREVIEW_ROWS)
    .map((fields) => Object.fromEntries(keys.map((key, i) => [key, fields[i] ?? null])));
  return { delimiter, columns, preview };
}
