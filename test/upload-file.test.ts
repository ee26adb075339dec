import { createHash, randomBytes } from "node:crypto";
import { truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UploadError } from "../src/upload/errors.js";
import { FileBody, sha256File } from "../src/upload/file.js";
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
      const expected = createHash("sha256").update(bytes).digest("hex");
      expect(await sha256File(fileOf(bytes))).toBe(expected);
    },
  );

  it("rejects for a file that cannot be opened", async () => {
    await expect(sha256File(join(tempDir(), "missing.bin"))).rejects.toThrow(/ENOENT/);
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

  it("refuses to read after close", () => {
    const body = new FileBody(fileOf(bytes), bytes.length, 2);
    body.close();
    body.close();
    expect(() => body.subarray(0, 10)).toThrow(/read after close/);
  });
});
