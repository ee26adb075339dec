import { Utf8Check } from "../../etl/read/utf8-bytes.js";
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
  private readonly check = new Utf8Check();
  /** The file's first bytes until there are 3 of them (to recognise a BOM). */
  private start: Buffer | null = EMPTY;

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
    this.check.end();
  }

  /** `utf-8` when valid UTF-8 or holding any valid multi-byte sequence, else `windows-1252`. */
  get encoding(): FileEncoding {
    return this.check.encoding;
  }

  private scan(chunk: Buffer, from: number): void {
    this.check.push(chunk, from);
  }
}
