import { createReadStream } from "node:fs";
import { describeError, InputError } from "../../errors.js";
import {
  CsvParser,
  type CsvRecordSink,
  RecordTooLargeError,
  UnclosedQuoteError,
} from "./csv-parser.js";
import type { FileFacts } from "./sniff.js";

/**
 * Streams the records of a CSV file to `onRecord`, one read buffer (1 MB) at a time:
 * decoded as UTF-8 (BOM dropped) or Windows-1252, with the sniffed delimiter. A quote
 * that is never closed, or bytes that cannot be read, become an `InputError` naming the
 * file and line.
 */
export async function readRecords(
  path: string,
  label: string,
  facts: FileFacts,
  onRecord: CsvRecordSink,
  onBytes: (bytes: number) => void = () => {},
): Promise<void> {
  const decoder = new TextDecoder(facts.encoding);
  const parser = new CsvParser(facts.delimiter, onRecord);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      onBytes((chunk as Buffer).length);
      parser.push(decoder.decode(chunk as Buffer, { stream: true }));
    }
    parser.push(decoder.decode());
    parser.end();
  } catch (error) {
    if (error instanceof UnclosedQuoteError) {
      throw new InputError(
        label,
        error.line,
        "a quote opened on this line is never closed",
        "unclosed_quote",
      );
    }
    if (error instanceof RecordTooLargeError)
      throw new InputError(label, error.line, error.message, "record_too_large");
    if (error instanceof InputError) throw error;
    if ((error as { code?: string }).code?.startsWith("E")) {
      throw new InputError(
        label,
        undefined,
        `cannot read the file: ${describeError(error)}`,
        "unreadable",
      );
    }
    throw error;
  }
}
