import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { describeError, InputError } from "../../errors.js";
import { looksLikeUtf16, Utf8Check } from "./utf8-bytes.js";

export type Encoding = "utf-8" | "windows-1252";
export type Delimiter = "," | ";";

export interface FileFacts {
  bytes: number;
  sha256: string;
  /**
   * `utf-8` (with or without BOM, possibly with a few records that are not: see `recode`),
   * or `windows-1252` when the file has no valid multi-byte UTF-8 sequence at all and is
   * not valid UTF-8.
   */
  encoding: Encoding;
  /** UTF-8 with some invalid bytes: the records holding them are read as Windows-1252. */
  recode: boolean;
  /** The file starts with a UTF-8 byte-order mark (always removed; not counted as UTF-8 text). */
  bom: boolean;
  /** `;` when the header line holds `;` and no `,`; otherwise `,`. */
  delimiter: Delimiter;
}

const startsWithBom = (chunk: Buffer) =>
  chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;

/**
 * One streaming pass over a file's bytes: size, SHA-256, how to decode it, and the
 * delimiter from its header line. Memory stays at one read buffer. A NUL byte means the
 * file is not text (an image, a spreadsheet, UTF-16): a fatal `InputError`; so do lines
 * ending with CR alone (seen in the header line).
 */
export async function sniffFile(path: string, label: string): Promise<FileFacts> {
  const hash = createHash("sha256");
  let bytes = 0;
  const check = new Utf8Check();
  let bom = false;
  let head: Buffer = Buffer.alloc(0);
  const headerParts: Buffer[] = [];
  let headerDone = false;
  let headerLength = 0;
  try {
    for await (const piece of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const chunk = piece as Buffer;
      const from = bytes === 0 && startsWithBom(chunk) ? 3 : 0;
      if (bytes === 0) {
        bom = from === 3;
        head = Buffer.from(chunk.subarray(0, 64));
      }
      const nul = chunk.indexOf(0);
      if (nul !== -1) throw binaryFile(label, bytes + nul, head);
      hash.update(chunk);
      bytes += chunk.length;
      if (!headerDone) {
        const newline = chunk.indexOf(10);
        const part = newline === -1 ? chunk : chunk.subarray(0, newline);
        headerParts.push(Buffer.from(part));
        headerLength += part.length;
        headerDone = newline !== -1 || headerLength > 1 << 20;
      }
      check.push(chunk, from);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      label,
      undefined,
      `cannot read the file: ${describeError(error)}`,
      "unreadable",
    );
  }
  check.end();
  const headerText = Buffer.concat(headerParts).toString("latin1");
  // The header line is everything before the first LF: a CR in it that does not end it
  // (or any CR, when the file has no LF at all) means lines end with CR alone, which
  // would otherwise read as one long header and a misleading "missing required column".
  const cr = headerText.indexOf("\r");
  if (cr !== -1 && (!headerDone || cr < headerText.length - 1)) {
    throw new InputError(
      label,
      undefined,
      "lines end with CR only (a classic Mac export); save it with LF or CRLF line ends",
      "cr_line_ends",
    );
  }
  const delimiter: Delimiter = headerText.includes(";") && !headerText.includes(",") ? ";" : ",";
  return {
    bytes,
    sha256: hash.digest("hex"),
    encoding: check.encoding,
    recode: check.recode,
    bom,
    delimiter,
  };
}

function binaryFile(label: string, offset: number, head: Buffer): InputError {
  const hint = looksLikeUtf16(head) ? ": it looks like UTF-16; save it as UTF-8" : "";
  return new InputError(
    label,
    undefined,
    `not a text CSV (binary data at byte ${offset})${hint}`,
    "binary_file",
  );
}
