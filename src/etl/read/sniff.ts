import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { describeError, InputError } from "../../errors.js";

export type Encoding = "utf-8" | "windows-1252";
export type Delimiter = "," | ";";

export interface FileFacts {
  bytes: number;
  sha256: string;
  /** UTF-8 (with or without BOM), or Windows-1252 when the bytes are not valid UTF-8. */
  encoding: Encoding;
  bom: boolean;
  /** `;` when the header line holds `;` and no `,`; otherwise `,`. */
  delimiter: Delimiter;
}

/** Length of the incomplete UTF-8 sequence at the end of `chunk`, if any (0-3 bytes). */
function incompleteTail(chunk: Buffer): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const expected = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return expected > back ? back : 0;
  }
  return 0;
}

/**
 * One streaming pass over a file's bytes: size, SHA-256, whether it is valid UTF-8, and
 * the delimiter from its header line. Memory stays at one read buffer.
 */
export async function sniffFile(path: string, label: string): Promise<FileFacts> {
  const hash = createHash("sha256");
  let bytes = 0;
  let utf8 = true;
  let carry: Buffer = Buffer.alloc(0);
  const headerParts: Buffer[] = [];
  let headerDone = false;
  let headerLength = 0;
  try {
    for await (const piece of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const chunk = piece as Buffer;
      hash.update(chunk);
      bytes += chunk.length;
      if (!headerDone) {
        const newline = chunk.indexOf(10);
        const part = newline === -1 ? chunk : chunk.subarray(0, newline);
        headerParts.push(Buffer.from(part));
        headerLength += part.length;
        headerDone = newline !== -1 || headerLength > 1 << 20;
      }
      if (utf8) {
        const joined = carry.length ? Buffer.concat([carry, chunk]) : chunk;
        const tail = incompleteTail(joined);
        utf8 = isUtf8(joined.subarray(0, joined.length - tail));
        carry = Buffer.from(joined.subarray(joined.length - tail));
      }
    }
  } catch (error) {
    throw new InputError(
      label,
      undefined,
      `cannot read the file: ${describeError(error)}`,
      "unreadable",
    );
  }
  if (carry.length) utf8 = false;
  const header = Buffer.concat(headerParts);
  const bom = header[0] === 0xef && header[1] === 0xbb && header[2] === 0xbf;
  const headerText = header.toString("latin1");
  const delimiter: Delimiter = headerText.includes(";") && !headerText.includes(",") ? ";" : ",";
  return {
    bytes,
    sha256: hash.digest("hex"),
    encoding: utf8 ? "utf-8" : "windows-1252",
    bom,
    delimiter,
  };
}
