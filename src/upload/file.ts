import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { EXIT, UploadError } from "./errors.js";

export interface FileHash {
  sha256: string;
  /** Size and modification time of the file that was hashed (unchanged while it was read). */
  size: number;
  mtimeMs: number;
}

interface HashReply {
  sha256?: string;
  before?: { size: number; mtimeMs: number };
  after?: { size: number; mtimeMs: number };
  error?: string;
  code?: string;
}

/**
 * SHA-256 of a file (~0.8 s per GB here), computed in a worker thread so that the main
 * thread loads the SDK and talks to S3 meanwhile; the worker does not keep the process
 * alive. A file that cannot be read is an exit-3 error, one that changed while it was read
 * an exit-4 error ("still being written").
 */
export function sha256File(path: string): Promise<FileHash> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./hash-thread.mjs", import.meta.url), {
      workerData: { path },
    });
    worker.unref();
    const failed = (why: string) =>
      reject(new UploadError(EXIT.missing, "unreadable", `${path}: cannot be hashed (${why})`));
    worker.once("error", (error) => failed(error.message));
    // A worker that ends without an answer (killed, out of memory) must not leave the run
    // waiting forever; after an answer this rejection is a no-op.
    worker.once("exit", (code) => failed(`the hashing thread exited with code ${code}`));
    worker.once("message", (reply: HashReply) => {
      const { sha256, before, after } = reply;
      if (!sha256 || !before || !after) {
        reject(
          new UploadError(
            EXIT.missing,
            "unreadable",
            `${path}: cannot be read (${reply.code ?? reply.error})`,
          ),
        );
      } else if (before.size !== after.size || before.mtimeMs !== after.mtimeMs) {
        reject(
          new UploadError(
            EXIT.notFresh,
            "changing",
            `${path}: still being written (it changed while it was hashed)`,
          ),
        );
      } else {
        resolve({ sha256, size: after.size, mtimeMs: after.mtimeMs });
      }
    });
  });
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
 * The bytes read are hashed as they are read (lib-storage slices the parts in order, once
 * each), so the run can check that what it sent is what it hashed before: a file rewritten
 * meanwhile with the same size would otherwise be stored under the old SHA-256.
 *
 * Only `byteLength` and `subarray` are meaningful; the test suite uploads through it byte
 * for byte, so a lib-storage that used anything else would fail there.
 */
export class FileBody extends Uint8Array {
  private fd: number | null;
  private readonly size: number;
  private readonly spares: Buffer<ArrayBuffer>[] = [];
  private readonly hash: Hash = createHash("sha256");
  /** Bytes [0, hashedTo) were read, in order, and hashed. */
  private hashedTo = 0;
  /** False once a range was read out of order (or twice): the hash then proves nothing. */
  private inOrder = true;

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
    if (from === this.hashedTo) {
      this.hash.update(bytes);
      this.hashedTo = to;
    } else if (to > from) {
      this.inOrder = false;
    }
    return bytes;
  }

  /**
   * SHA-256 of the bytes `subarray` returned, if they were the whole file, each byte read
   * once and in order; else null (what was sent cannot be vouched for).
   */
  sha256OfBytesRead(): string | null {
    if (!this.inOrder || this.hashedTo !== this.size) return null;
    return this.hash.copy().digest("hex");
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
