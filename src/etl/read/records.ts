import { createReadStream } from "node:fs";
import { describeError, InputError } from "../../errors.js";
import {
  CsvParser,
  type CsvRecordSink,
  RecordTooLargeError,
  UnclosedQuoteError,
} from "./csv-parser.js";
import { RecordRecoder } from "./recode.js";
import type { FileFacts } from "./sniff.js";

export interface ReadHooks {
  /** Called with the size of each read buffer, before its records. */
  onBytes?(bytes: number): void;
  /** Called after each read buffer's records. */
  onBuffer?(): void;
  /** Checked after each read buffer: true stops reading there. */
  done?(): boolean;
  /** Gets the parser before the first record (to `skip` records). */
  parser?(parser: CsvParser): void;
}

/** Turns read buffers into text: UTF-8, Windows-1252, or latin1 for record-by-record decoding. */
function bufferDecoder(facts: FileFacts): (chunk: Buffer | null) => string {
  if (facts.recode) return (chunk) => (chunk ? chunk.toString("latin1") : "");
  const decoder = new TextDecoder(facts.encoding, { ignoreBOM: true });
  return (chunk) => (chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode());
}

/**
 * Streams the records of a CSV file to `onRecord`, one read buffer (1 MB) at a time: the
 * byte-order mark removed, decoded as the sniffing pass found (UTF-8, Windows-1252, or
 * UTF-8 with the records holding invalid bytes read as Windows-1252), with the sniffed
 * delimiter. Returns how many records were read as Windows-1252 that way. A quote that is
 * never closed, or bytes that cannot be read, become an `InputError` naming the file and line.
 */
export async function readRecords(
  path: string,
  label: string,
  facts: FileFacts,
  onRecord: CsvRecordSink,
  hooks: ReadHooks = {},
): Promise<number> {
  const decode = bufferDecoder(facts);
  const recoder = facts.recode ? new RecordRecoder() : null;
  const parser = new CsvParser(facts.delimiter, recoder ? recoder.wrap(onRecord) : onRecord);
  hooks.parser?.(parser);
  try {
    let first = true;
    for await (const piece of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const chunk = piece as Buffer;
      hooks.onBytes?.(chunk.length);
      parser.push(decode(first && facts.bom ? chunk.subarray(3) : chunk));
      first = false;
      hooks.onBuffer?.();
      if (hooks.done?.()) return recoder?.recoded ?? 0;
    }
    parser.push(decode(null));
    parser.end();
    hooks.onBuffer?.();
    return recoder?.recoded ?? 0;
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
