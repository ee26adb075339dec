import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import { EXIT, UploadError } from "./errors.js";

const HASH_BLOCK = 8 * 1024 * 1024;

/**
 * SHA-256 of a file. Two buffers take turns: the next block is read (in libuv's thread
 * pool) while the current one is hashed, so the time is that of the slower of the two
 * rather than their sum, and no garbage is made.
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await open(path, "r");
  try {
    let current = Buffer.allocUnsafe(HASH_BLOCK);
    let next = Buffer.allocUnsafe(HASH_BLOCK);
    let reading = file.read(current, 0, HASH_BLOCK, null);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      reading = file.read(next, 0, HASH_BLOCK, null);
      hash.update(current.subarray(0, bytesRead));
      [current, next] = [next, current];
    }
  } finally {
    await file.close();
  }
  return hash.digest("hex");
}

/**
 * A file on disk that lib-storage takes for a byte array of the file's size.
 *
 * lib-storage cuts a `Uint8Array` body into parts with `subarray()` and copies nothing, but
 * gathers a stream body into every part with `Buffer.concat` (about 1 CPU-second per GB
 * with the garbage collection it causes, on a machine whose other core the S3 server may
 * need). Here `subarray(start, end)` reads just that range of the file into a buffer, so
 * memory stays one part per request in flight. Buffers of parts S3 accepted come back
 * through `recycle` and are read into again: fresh 8 MB buffers cost page faults, zeroing
 * and garbage collection. Reads are synchronous (a few ms per part from the page cache)
 * because lib-storage expects the slice at once.
 *
 * Only `byteLength` and `subarray` are meaningful; the test suite uploads through it byte
 * for byte, so a lib-storage that used anything else would fail there.
 */
export class FileBody extends Uint8Array {
  private fd: number | null;
  private readonly size: number;
  private readonly spares: Buffer<ArrayBuffer>[] = [];

  /** `keep`: how many returned buffers to hold for reuse (the parts in flight at once). */
  constructor(
    private readonly path: string,
    size: number,
    private readonly keep: number,
  ) {
    super(0);
    this.size = size;
    this.fd = openSync(path, "r");
  }

  override get byteLength(): number {
    return this.size;
  }

  /** Bytes [start, end) of the file (clamped to its size, as `Uint8Array#subarray`). */
  override subarray(start = 0, end = this.size): Buffer<ArrayBuffer> {
    if (this.fd === null) throw new Error(`${this.path}: read after close`);
    const from = Math.max(0, Math.min(start, this.size));
    const to = Math.max(from, Math.min(end, this.size));
    const spare = this.spares.pop();
    const bytes = spare && spare.length === to - from ? spare : Buffer.allocUnsafe(to - from);
    let filled = 0;
    while (filled < bytes.length) {
      const read = readSync(this.fd, bytes, filled, bytes.length - filled, from + filled);
      if (read === 0) {
        throw new UploadError(
          EXIT.notFresh,
          "changing",
          `${this.path}: the file shrank while it was being uploaded (only ${from + filled} of ${this.size} bytes are left)`,
        );
      }
      filled += read;
    }
    return bytes;
  }

  /** Takes back a buffer `subarray` returned, once nothing uses it any more. */
  recycle(buffer: unknown): void {
    if (Buffer.isBuffer(buffer) && this.spares.length < this.keep)
      this.spares.push(buffer as Buffer<ArrayBuffer>);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
