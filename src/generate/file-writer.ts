import { isUtf8 } from "node:buffer";
import { closeSync, openSync, writeSync } from "node:fs";

export type FileEncoding = "utf-8" | "windows-1252";

/** The bytes 0x80-0x9F of Windows-1252 (the rest of 0x00-0xFF is Latin-1). */
const CP1252_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";
const TO_CP1252 = new Map([...CP1252_HIGH].map((ch, i) => [ch, 0x80 + i]));

/** Encodes text as Windows-1252; a character it cannot hold is a bug in the generator. */
export function encodeWindows1252(text: string): Buffer {
  const bytes = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const byte =
      code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : TO_CP1252.get(text[i] as string);
    if (byte === undefined) throw new Error(`"${text[i]}" has no Windows-1252 byte`);
    bytes[i] = byte;
  }
  return bytes;
}

/** Whether `bytes` hold at least one valid multi-byte UTF-8 sequence (a lead byte and its continuations). */
export function hasUtf8MultiByte(bytes: Uint8Array): boolean {
  const cont = (i: number) => i < bytes.length && ((bytes[i] as number) & 0xc0) === 0x80;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const length =
      b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) continue;
    let ok = true;
    for (let k = 1; k < length && ok; k++) ok = cont(i + k);
    if (ok && isUtf8(bytes.subarray(i, i + length))) return true;
  }
  return false;
}

/**
 * What a reader following contract v1.1 must make of the bytes written: a file is UTF-8
 * unless it is not valid UTF-8 and holds no valid multi-byte UTF-8 sequence at all (then
 * Windows-1252 as a whole); in a UTF-8 file, each record holding invalid bytes is recoded.
 * The byte-order mark is removed before anything is judged.
 */
export interface EncodingFacts {
  encoding: FileEncoding;
  bom: boolean;
  recoded_records: number;
}

/**
 * Writes text to a file through a 1 MB buffer, in UTF-8 (optionally with BOM) or
 * Windows-1252, with LF or CRLF line ends. Memory stays at the buffer size. A record may
 * be written in Windows-1252 inside a UTF-8 file (`line(text, { windows1252: true })`).
 * Keeps the encoding facts of what it wrote (`facts()`).
 */
export class CsvFileWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  private invalidRecords = 0;
  private multiByte = false;

  constructor(
    path: string,
    private readonly options: { encoding: FileEncoding; bom?: boolean; crlf?: boolean },
  ) {
    this.fd = openSync(path, "w");
    if (options.bom) writeSync(this.fd, Buffer.from([0xef, 0xbb, 0xbf]));
  }

  /**
   * Writes one record (the line end is added); an empty text is a blank line. With
   * `windows1252`, the record's bytes are Windows-1252 whatever the file's encoding.
   */
  line(text: string, options?: { windows1252?: boolean }): void {
    const end = this.options.crlf ? "\r\n" : "\n";
    if (this.options.encoding === "windows-1252" || options?.windows1252) {
      const bytes = encodeWindows1252(text);
      if (!isUtf8(bytes)) this.invalidRecords++;
      if (!this.multiByte && hasUtf8MultiByte(bytes)) this.multiByte = true;
      if (this.options.encoding === "utf-8") {
        this.flush();
        writeSync(this.fd, Buffer.concat([bytes, Buffer.from(end)]));
        return;
      }
    } else if (!this.multiByte && /[\u0080-\uffff]/.test(text)) this.multiByte = true;
    this.parts.push(text, end);
    this.size += text.length + 2;
    if (this.size >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join("");
    this.parts = [];
    this.size = 0;
    writeSync(
      this.fd,
      this.options.encoding === "utf-8" ? Buffer.from(text, "utf8") : encodeWindows1252(text),
    );
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  /** How a reader following the contract must decode what was written. */
  facts(): EncodingFacts {
    const utf8 = this.invalidRecords === 0 || this.multiByte;
    return {
      encoding: utf8 ? "utf-8" : "windows-1252",
      bom: this.options.bom === true,
      recoded_records: utf8 ? this.invalidRecords : 0,
    };
  }
}

/** Quotes a CSV field when it holds the delimiter, a quote or a line break. */
export function csvField(value: string, delimiter = ","): string {
  if (
    value.includes(delimiter) ||
    value.includes('"') ||
    value.includes("\n") ||
    value.includes("\r")
  ) {
    return `"${value.replaceAll('"', '""')}"`;
  }
  return value;
}
