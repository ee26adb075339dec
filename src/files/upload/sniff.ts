import { isAscii, isUtf8 } from "node:buffer";
import { hasMultibyteSequence, incompleteTail } from "../../etl/read/utf8-bytes.js";
import type { FileEncoding } from "../types.js";

/** Where a NUL byte makes a file binary (415): its first 64 KiB. */
export const BINARY_PROBE_BYTES = 64 * 1024;

const EMPTY = Buffer.alloc(0);

/**
 * The ETL's byte rules (src/etl/read/sniff.ts) computed incrementally, chunk by chunk, while
 * an upload streams to disk: size, BOM, whether the bytes are valid UTF-8 (split sequences
 * carried from one chunk to the next), whether they hold any valid multi-byte sequence, and
 * the first NUL byte in the first 64 KiB. Nothing is kept but a few carried bytes, so the
 * encoding is known the moment the last chunk arrives, whatever the file's size.
 *
 * @example
 * const sniffer = new ByteSniffer();
 * for await (const chunk of stream) sniffer.push(chunk);
 * sniffer.end();
 * sniffer.encoding; // "utf-8" | "windows-1252"
 */
export class ByteSniffer {
  bytes = 0;
  /** The bytes start with a UTF-8 byte-order mark (not counted as UTF-8 text). */
  bom = false;
  /** Offset of the first NUL byte within the first 64 KiB, or -1. */
  nulAt = -1;
  private utf8 = true;
  private multibyte = false;
  /** The file's first bytes until there are 3 of them (to recognise a BOM). */
  private start: Buffer | null = EMPTY;
  private carry: Buffer = EMPTY;

  push(chunk: Buffer): void {
    const before = this.bytes;
    this.bytes += chunk.length;
    if (before < BINARY_PROBE_BYTES && this.nulAt === -1) {
      const nul = chunk.subarray(0, BINARY_PROBE_BYTES - before).indexOf(0);
      if (nul !== -1) this.nulAt = before + nul;
    }
    if (this.start !== null) {
      const start = this.start.length ? Buffer.concat([this.start, chunk]) : chunk;
      if (start.length < 3) {
        this.start = Buffer.from(start);
        return;
      }
      this.start = null;
      this.bom = start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf;
      this.scan(start, this.bom ? 3 : 0);
      return;
    }
    this.scan(chunk, 0);
  }

  /** After the last chunk. */
  end(): void {
    if (this.start !== null) {
      const start = this.start;
      this.start = null;
      this.bom = false;
      if (start.length) this.scan(start, 0);
    }
    if (this.utf8 && this.carry.length) this.utf8 = false;
    this.carry = EMPTY;
  }

  /** `utf-8` when valid UTF-8 or holding any valid multi-byte sequence, else `windows-1252`. */
  get encoding(): FileEncoding {
    return this.utf8 || this.multibyte ? "utf-8" : "windows-1252";
  }

  private scan(chunk: Buffer, from: number): void {
    if (!this.utf8 && this.multibyte) return; // decided: UTF-8 with some records recoded
    // Copies a chunk only when a multi-byte sequence was split at the previous boundary.
    const joined = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const tail = this.utf8 ? incompleteTail(joined) : Math.min(3, joined.length);
    const body = joined.subarray(from, joined.length - tail);
    if (this.utf8 && isUtf8(body)) {
      if (!this.multibyte && !isAscii(body)) this.multibyte = true;
    } else {
      this.utf8 = false;
      this.multibyte ||= hasMultibyteSequence(joined, from);
    }
    this.carry = tail ? Buffer.from(joined.subarray(joined.length - tail)) : EMPTY;
  }
}
