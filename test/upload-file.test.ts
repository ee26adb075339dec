import { createHash, randomBytes } from "node:crypto";
import { readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UploadError } from "../src/upload/errors.js";
import { FileBody, type FileHash, sha256File } from "../src/upload/file.js";
import { defaultDeadlineMs, runUpload, type UploadOptions } from "../src/upload/run.js";
import { FaultProxy, type S3Fixture, startS3 } from "./helpers/s3.js";
import { tempDir } from "./helpers/tmp.js";

const MB = 1024 * 1024;

function fileOf(bytes: Buffer): string {
  const path = join(tempDir(), "part-source.bin");
  writeFileSync(path, bytes);
  return path;
}

describe("sha256File", () => {
  it.each([0, 1, 8 * MB - 1, 8 * MB, 8 * MB + 1, 21 * MB + 7])(
    "equals the SHA-256 of the bytes (%i bytes, around the 8 MB read blocks)",
    async (size) => {
      const bytes = randomBytes(size);
      const path = fileOf(bytes);
      const expected = createHash("sha256").update(bytes).digest("hex");
      const { mtimeMs } = statSync(path);
      expect(await sha256File(path)).toEqual({ sha256: expected, size, mtimeMs });
    },
  );

  it("a file that cannot be read is an exit-3 error naming it", async () => {
    const path = join(tempDir(), "missing.bin");
    await expect(sha256File(path)).rejects.toMatchObject({
      exitCode: 3,
      code: "unreadable",
      message: `${path}: cannot be read (ENOENT)`,
    });
    const dir = tempDir();
    await expect(sha256File(dir)).rejects.toMatchObject({
      exitCode: 3,
      message: `${dir}: cannot be read (EISDIR)`,
    });
  });
});

describe("FileBody: a file lib-storage slices like a byte array", () => {
  const bytes = randomBytes(3 * MB + 123);

  it("is a Uint8Array of the file's size whose slices are read from disk", () => {
    const body = new FileBody(fileOf(bytes), bytes.length, 2);
    try {
      expect(body).toBeInstanceOf(Uint8Array);
      expect(body.byteLength).toBe(bytes.length);
      expect(body.subarray(0, MB).equals(bytes.subarray(0, MB))).toBe(true);
      expect(body.subarray(MB, 2 * MB + 5).equals(bytes.subarray(MB, 2 * MB + 5))).toBe(true);
      // Past the end, and without an end: clamped to the size, as Uint8Array#subarray.
      expect(body.subarray(3 * MB, 9 * MB).equals(bytes.subarray(3 * MB))).toBe(true);
      expect(body.subarray(3 * MB).equals(bytes.subarray(3 * MB))).toBe(true);
      expect(body.subarray(bytes.length + 10).length).toBe(0);
    } finally {
      body.close();
    }
  });

  it("reads into recycled buffers of the same size, keeping at most `keep` of them", () => {
    const body = new FileBody(fileOf(bytes), bytes.length, 1);
    try {
      const first = body.subarray(0, MB);
      body.recycle(first);
      const second = body.subarray(MB, 2 * MB);
      expect(second).toBe(first); // the same memory, read into again
      expect(second.equals(bytes.subarray(MB, 2 * MB))).toBe(true);

      const other = body.subarray(2 * MB, 3 * MB);
      body.recycle(second);
      body.recycle(other); // over `keep`: dropped
      const third = body.subarray(0, MB);
      const fourth = body.subarray(MB, 2 * MB);
      expect(third).toBe(second);
      expect(fourth).not.toBe(other);
      expect(fourth.equals(bytes.subarray(MB, 2 * MB))).toBe(true);

      body.recycle(body.subarray(3 * MB)); // the short last part is not reused for a full one
      const fifth = body.subarray(0, MB);
      expect(fifth.length).toBe(MB);
      expect(fifth.equals(bytes.subarray(0, MB))).toBe(true);
      body.recycle("not a buffer");
    } finally {
      body.close();
    }
  });

  it("a file that shrank is an exit-4 error naming the file, not short data", () => {
    const path = fileOf(bytes);
    const body = new FileBody(path, bytes.length, 2);
    try {
      truncateSync(path, 2 * MB);
      expect(body.subarray(0, MB).equals(bytes.subarray(0, MB))).toBe(true);
      let error: unknown;
      try {
        body.subarray(MB, 3 * MB);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UploadError);
      expect(error).toMatchObject({ exitCode: 4, code: "changing" });
      expect((error as Error).message).toBe(
        `${path}: the file shrank while it was being uploaded (only ${2 * MB} of ${bytes.length} bytes are left)`,
      );
    } finally {
      body.close();
    }
  });

  it("hashes the bytes it returns, read in order once each: the SHA-256 of what was sent", () => {
    const expected = createHash("sha256").update(bytes).digest("hex");
    const body = new FileBody(fileOf(bytes), bytes.length, 2);
    try {
      expect(body.sha256OfBytesRead()).toBeNull(); // nothing read yet
      body.subarray(0, MB);
      body.subarray(MB, 2 * MB);
      expect(body.sha256OfBytesRead()).toBeNull(); // not the whole file
      body.subarray(2 * MB);
      expect(body.sha256OfBytesRead()).toBe(expected);
    } finally {
      body.close();
    }
  });

  it("the hash is of the bytes read, not of the file now: a rewrite after a part was read shows", () => {
    const path = fileOf(bytes);
    const body = new FileBody(path, bytes.length, 2);
    try {
      body.subarray(0, MB);
      writeFileSync(path, randomBytes(bytes.length)); // same size, other bytes
      body.subarray(MB);
      const sent = body.sha256OfBytesRead();
      expect(sent).toMatch(/^[0-9a-f]{64}$/);
      expect(sent).not.toBe(createHash("sha256").update(bytes).digest("hex"));
    } finally {
      body.close();
    }
  });

  it("bytes read out of order, or twice, cannot be vouched for: null", () => {
    const outOfOrder = new FileBody(fileOf(bytes), bytes.length, 2);
    const twice = new FileBody(fileOf(bytes), bytes.length, 2);
    try {
      outOfOrder.subarray(MB, 2 * MB);
      outOfOrder.subarray(0, MB);
      outOfOrder.subarray(2 * MB);
      expect(outOfOrder.sha256OfBytesRead()).toBeNull();
      twice.subarray(0, MB);
      twice.subarray(0, MB);
      twice.subarray(MB);
      expect(twice.sha256OfBytesRead()).toBeNull();
    } finally {
      outOfOrder.close();
      twice.close();
    }
  });

  it("refuses to read after close", () => {
    const body = new FileBody(fileOf(bytes), bytes.length, 2);
    body.close();
    body.close();
    expect(() => body.subarray(0, 10)).toThrow(/read after close/);
  });
});

describe("runUpload with a hash started before the run (as the command's entry does)", () => {
  let s3: S3Fixture;
  const saved = { ...process.env };
  beforeAll(async () => {
    s3 = await startS3();
    Object.assign(process.env, s3.env);
  });
  afterAll(async () => {
    process.env = saved;
    await s3.stop();
  });

  async function dryRun(prehashed: (path: string) => FileHash) {
    const dir = tempDir();
    const file = join(dir, "export.csv");
    writeFileSync(file, "a,b\n1,2\n");
    return runUpload({
      file,
      key: "exports/export.csv",
      dryRun: true,
      snapshotDb: false,
      bucket: s3.bucket,
      prefix: "",
      region: "us-east-1",
      endpoint: s3.endpoint,
      forcePathStyle: true,
      partSizeMb: 8,
      concurrency: 2,
      lockDir: join(dir, "locks"),
      lockStaleMs: 10_000,
      stableMs: 0,
      retries: 0,
      retryBaseMs: 10,
      requestAttempts: 1,
      prehashed: Promise.resolve(prehashed(file)),
    });
  }

  it("uses it for the file it checks, unchanged (no second hashing)", async () => {
    const outcome = await dryRun((file) => {
      const { size, mtimeMs } = statSync(file);
      return { sha256: "f".repeat(64), size, mtimeMs };
    });
    expect(outcome).toMatchObject({ outcome: "dry_run", sha256: "f".repeat(64), bytes: 8 });
  });

  it("refuses a file that changed since it was hashed: exit 4", async () => {
    let path = "";
    const run = dryRun((file) => {
      path = file;
      const { size, mtimeMs } = statSync(file);
      return { sha256: "f".repeat(64), size, mtimeMs: mtimeMs - 1000 };
    });
    await expect(run).rejects.toMatchObject({
      exitCode: 4,
      code: "changing",
      message: `${path}: still being written (it changed while it was hashed)`,
    });
  });
});

describe("runUpload as a library: settings, deadline, AbortSignal", () => {
  let s3: S3Fixture;
  let proxy: FaultProxy;
  const saved = { ...process.env };
  beforeAll(async () => {
    s3 = await startS3();
    Object.assign(process.env, s3.env);
  });
  afterAll(async () => {
    process.env = saved;
    await s3.stop();
  });

  async function options(size: number, extra: Partial<UploadOptions> = {}) {
    proxy = new FaultProxy(s3.endpoint);
    await proxy.start();
    const dir = tempDir();
    const file = join(dir, "export.bin");
    writeFileSync(file, randomBytes(size));
    return {
      file,
      key: `lib/${Math.random().toString(36).slice(2)}.bin`,
      dryRun: false,
      snapshotDb: false,
      bucket: s3.bucket,
      prefix: "",
      region: "us-east-1",
      endpoint: proxy.url,
      forcePathStyle: true,
      partSizeMb: 5,
      concurrency: 2,
      lockDir: join(dir, "locks"),
      lockStaleMs: 10_000,
      stableMs: 0,
      retries: 0,
      retryBaseMs: 10,
      requestAttempts: 1,
      ...extra,
    } satisfies UploadOptions;
  }

  /** `promise`'s rejection, or "still running" after `capMs` (a generous cap). */
  async function rejection(promise: Promise<unknown>, capMs = 20_000): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise((r) => (timer = setTimeout(() => r("still running"), capMs)));
    const outcome = await Promise.race([
      promise.then(
        () => "resolved",
        (error: unknown) => error,
      ),
      cap,
    ]);
    clearTimeout(timer);
    return outcome;
  }

  it("an abort while a part is stalled: rejects with exit 6, aborts the multipart upload, releases the locks", async () => {
    const opts = await options(12 * MB, { abortWaitMs: 200 });
    try {
      proxy.fail({ op: "UploadPart", fault: "stall", times: Number.POSITIVE_INFINITY });
      const stalled = proxy.arrived("UploadPart");
      const controller = new AbortController();
      const run = runUpload({ ...opts, signal: controller.signal });
      await stalled;
      controller.abort(new Error("stop requested"));
      const error = await rejection(run);
      expect(error).toBeInstanceOf(UploadError);
      expect(error).toMatchObject({ exitCode: 6, code: "aborted" });
      expect((error as Error).message).toContain("upload aborted (stop requested)");
      expect(proxy.created.size).toBe(1);
      expect([...proxy.created].every((id) => proxy.aborted.has(id))).toBe(true);
      expect(proxy.completed.size).toBe(0);
      expect(readdirSync(opts.lockDir)).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it("an abort during the stability window ends the run at once (exit 6), nothing sent", async () => {
    const opts = await options(1024, { stableMs: 600_000 });
    try {
      const controller = new AbortController();
      const run = runUpload({ ...opts, signal: controller.signal });
      setTimeout(() => controller.abort(new Error("stop requested")), 200);
      const error = await rejection(run);
      expect(error).toMatchObject({ exitCode: 6, code: "aborted" });
      expect(proxy.count("PutObject") + proxy.count("CreateMultipartUpload")).toBe(0);
      expect(readdirSync(opts.lockDir)).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it("settings out of range are exit 2 naming the setting (the library checks them too)", async () => {
    const opts = await options(1024);
    try {
      for (const [extra, message] of [
        [{ concurrency: 0 }, "UPLOAD_CONCURRENCY must be at least 1, got 0"],
        [{ socketTimeoutMs: 0 }, "UPLOAD_SOCKET_TIMEOUT_MS must be at least 100, got 0"],
        [{ requestTimeoutMs: 1.5 }, "UPLOAD_REQUEST_TIMEOUT_MS must be a whole number, got 1.5"],
        [{ deadlineMs: 10 }, "UPLOAD_DEADLINE_MS must be at least 1000, got 10"],
        [{ partSizeMb: 4 }, "UPLOAD_PART_SIZE_MB must be at least 5, got 4"],
      ] as const) {
        await expect(runUpload({ ...opts, ...extra })).rejects.toMatchObject({
          exitCode: 2,
          message,
        });
      }
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it("the default deadline: 15 minutes plus 2 s per MB, at most 20 hours", () => {
    expect(defaultDeadlineMs(0)).toBe(15 * 60_000);
    expect(defaultDeadlineMs(1024 * MB)).toBe(15 * 60_000 + 2048_000);
    expect(defaultDeadlineMs(1024 * 1024 * MB)).toBe(20 * 3_600_000);
  });
});
