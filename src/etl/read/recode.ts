import { isUtf8 } from "node:buffer";
import type { CsvRecordSink } from "./csv-parser.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at 0
const NON_ASCII = /[^\x00-\x7f]/;
const C1 = /[\u0080-\u009f]/g;
/**
 * What Windows-1252 puts at bytes 0x80-0x9F (elsewhere it is latin1). Spelled out: Node
 * 20's one-shot `TextDecoder("windows-1252").decode()` decodes these bytes as latin1.
 */
const WINDOWS_1252_80_9F =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** Text decoded as latin1 (one character per byte), decoded again as Windows-1252. */
export function latin1AsWindows1252(text: string): string {
  return text.replace(C1, (ch) => WINDOWS_1252_80_9F[ch.charCodeAt(0) - 0x80] as string);
}

/** Text decoded as latin1 (one character per byte), decoded again as UTF-8. */
const latin1AsUtf8 = (text: string) => Buffer.from(text, "latin1").toString("utf8");

/**
 * Record-by-record decoding of a UTF-8 file that holds a few bytes that are not UTF-8
 * (contract v1.1). The file is decoded as latin1 — one character per byte, so the parser,
 * whose delimiters, quotes and line breaks are all ASCII, splits it exactly as it would
 * split the UTF-8 text — and each record holding non-ASCII bytes is then decoded again:
 * as UTF-8 when its bytes are valid UTF-8, else as Windows-1252 (counted in `recoded`).
 * The record's original text is decoded the same way as its fields.
 */
export class RecordRecoder {
  /** Records decoded as Windows-1252. */
  recoded = 0;

  wrap(sink: CsvRecordSink): CsvRecordSink {
    return (fields, line, raw) => {
      if (!NON_ASCII.test(raw)) {
        sink(fields, line, raw);
        return;
      }
      const bytes = Buffer.from(raw, "latin1");
      const utf8 = isUtf8(bytes);
      if (!utf8) this.recoded++;
      const decode = utf8 ? latin1AsUtf8 : latin1AsWindows1252;
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i] as string;
        if (NON_ASCII.test(field)) fields[i] = decode(field);
      }
      sink(fields, line, utf8 ? bytes.toString("utf8") : latin1AsWindows1252(raw));
    };
  }
}
