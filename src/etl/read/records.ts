import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { type Info, parse } from "csv-parse";
import { describeError, InputError } from "../../errors.js";
import type { FileFacts } from "./sniff.js";

/** One parsed record: its fields, the 1-based line it starts on, and its original text. */
export interface CsvRecord {
  fields: string[];
  line: number;
  raw: string;
}

async function* decodedChunks(
  path: string,
  facts: FileFacts,
  onBytes: (bytes: number) => void,
): AsyncGenerator<string> {
  // TextDecoder drops a UTF-8 BOM and maps Windows-1252 bytes to their characters.
  const decoder = new TextDecoder(facts.encoding);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    onBytes((chunk as Buffer).length);
    yield decoder.decode(chunk as Buffer, { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

function countNewlines(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    let at = field.indexOf("\n");
    while (at !== -1) {
      count++;
      at = field.indexOf("\n", at + 1);
    }
  }
  return count;
}

function stripLineEnd(raw: string): string {
  let end = raw.length;
  while (end > 0 && (raw.charCodeAt(end - 1) === 10 || raw.charCodeAt(end - 1) === 13)) end--;
  let start = 0;
  while (start < end && (raw.charCodeAt(start) === 10 || raw.charCodeAt(start) === 13)) start++;
  return raw.slice(start, end);
}

/**
 * Streams the records of a CSV file (RFC 4180 quoting, LF or CRLF, blank lines skipped),
 * never holding more than a read buffer of it. A quote that is never closed, or bytes
 * that cannot be read, end the stream with an `InputError` naming the file and line.
 */
export async function* readRecords(
  path: string,
  label: string,
  facts: FileFacts,
  onBytes: (bytes: number) => void = () => {},
): AsyncGenerator<CsvRecord> {
  const parser = parse({
    delimiter: facts.delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
    raw: true,
  });
  const source = Readable.from(decodedChunks(path, facts, onBytes));
  source.on("error", (error) => parser.destroy(error));
  source.pipe(parser);
  let lastLine = 0;
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: Info;
      raw: string;
    }>) {
      const { record, info } = item;
      const line = info.lines - countNewlines(record);
      lastLine = info.lines;
      yield { fields: record, line, raw: stripLineEnd(item.raw) };
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "CSV_QUOTE_NOT_CLOSED") {
      throw new InputError(
        label,
        lastLine + 1,
        "a quote opened in the record starting on this line is never closed",
        "unclosed_quote",
      );
    }
    if (error instanceof InputError) throw error;
    const line = (error as { lines?: number }).lines;
    throw new InputError(
      label,
      line,
      `cannot parse the file: ${describeError(error)}`,
      "unreadable",
    );
  } finally {
    source.destroy();
  }
}
