import { createReadStream } from "node:fs";
import { describeError, InputError } from "../../errors.js";
import { looksLikeUtf16, Utf8Check } from "../../etl/read/utf8-bytes.js";
import type { FileDelimiter, FileEncoding } from "../types.js";

export interface CsvBytes {
  bytes: number;
  /** The contract's byte rules: UTF-8 (with or without BOM), else Windows-1252. */
  encoding: FileEncoding;
  /** UTF-8 with a few records that are not: those are read as Windows-1252 (as the ETL does). */
  recode: boolean;
  delimiter: FileDelimiter;
}

/** What went wrong opening or reading a file, in words. */
export function readProblem(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return `no such file (${path})`;
  if (code === "EISDIR") return `${path} is a folder, not a file`;
  if (code === "EACCES" || code === "EPERM") return `permission denied (${path})`;
  return describeError(error);
}

/** Reading block size: large enough that the per-chunk costs vanish. */
export const READ_BLOCK = 1 << 20;

/**
 * One fast pass over the bytes (no decoding): size, NUL bytes (not a text CSV), whether
 * the whole file is UTF-8, and the delimiter of the header line (`;` when it holds `;`
 * and no `,`). About 30 ms per 100 MB from the page cache.
 */
export async function sniffCsv(path: string, label: string): Promise<CsvBytes> {
  let bytes = 0;
  const check = new Utf8Check();
  const header: Buffer[] = [];
  let headerDone = false;
  try {
    for await (const piece of createReadStream(path, { highWaterMark: READ_BLOCK })) {
      const chunk = piece as Buffer;
      const nul = chunk.indexOf(0);
      if (nul !== -1) {
        const hint =
          bytes === 0 && looksLikeUtf16(chunk) ? ": it looks like UTF-16; save it as UTF-8" : "";
        throw new InputError(
          label,
          undefined,
          `not a text CSV (binary data at byte ${bytes + nul})${hint}`,
          "binary_file",
        );
      }
      const from =
        bytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
      bytes += chunk.length;
      if (!headerDone) {
        const newline = chunk.indexOf(10, from);
        header.push(Buffer.from(chunk.subarray(from, newline === -1 ? chunk.length : newline)));
        headerDone = newline !== -1;
      }
      check.push(chunk, from);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      label,
      undefined,
      `cannot read the file: ${readProblem(error, path)}`,
      "unreadable",
    );
  }
  check.end();
  const headerText = Buffer.concat(header).toString("latin1");
  const cr = headerText.indexOf("\r");
  if (cr !== -1 && (!headerDone || cr < headerText.length - 1))
    throw new InputError(
      label,
      1,
      "lines end with CR only (a classic Mac export); save it with LF or CRLF line ends",
      "cr_line_ends",
    );
  return {
    bytes,
    encoding: check.encoding,
    recode: check.recode,
    delimiter: headerText.includes(";") && !headerText.includes(",") ? ";" : ",",
  };
}
