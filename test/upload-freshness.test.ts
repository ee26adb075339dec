import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localDay } from "../src/time.js";
import { UploadError } from "../src/upload/errors.js";
import { checkFresh, checkStable, fileState } from "../src/upload/freshness.js";
import { defaultKey } from "../src/upload/run.js";
import { tempDir } from "./helpers/tmp.js";

const state = (mtime: string, size = 10) => ({ size, mtimeMs: Date.parse(mtime), isFile: true });
const exitOf = (fn: () => unknown) => {
  try {
    fn();
    return 0;
  } catch (error) {
    return (error as UploadError).exitCode;
  }
};

describe("localDay", () => {
  it.each([
    ["2026-11-22T04:30:00Z", "America/Bogota", "2026-11-21"],
    ["2026-11-22T05:00:00Z", "America/Bogota", "2026-11-22"],
    ["2026-11-21T23:30:00Z", "Europe/Madrid", "2026-11-22"],
    ["2026-11-21T23:30:00Z", "UTC", "2026-11-21"],
    ["2026-11-22T10:00:00Z", "Pacific/Kiritimati", "2026-11-23"],
  ])("%s in %s is %s", (instant, zone, day) => {
    expect(localDay(new Date(instant), zone)).toBe(day);
  });
});

describe("checkFresh with an injected clock", () => {
  it("accepts a file modified today, even a minute after midnight, in the zone of the run", () => {
    const now = new Date("2026-11-22T05:10:00Z"); // 00:10 in Bogotá
    expect(
      exitOf(() => checkFresh("f", state("2026-11-22T05:01:00Z"), now, "America/Bogota")),
    ).toBe(0);
    // 23:59 the day before in Bogotá: yesterday there, although the same UTC day.
    expect(
      exitOf(() => checkFresh("f", state("2026-11-22T04:59:00Z"), now, "America/Bogota")),
    ).toBe(4);
    // The same two instants judged in UTC: both are 2026-11-22.
    expect(exitOf(() => checkFresh("f", state("2026-11-22T04:59:00Z"), now, "UTC"))).toBe(0);
  });

  it("refuses a file from yesterday with a message naming both days", () => {
    const now = new Date("2026-11-22T12:00:00Z");
    expect(() => checkFresh("exports/v.csv", state("2026-11-21T23:59:59Z"), now, "UTC")).toThrow(
      "exports/v.csv: last modified on 2026-11-21, not today (2026-11-22); refusing to upload a stale file",
    );
  });

  it("refuses a file modified in the future, empty, or not a regular file; a missing file is exit 3", () => {
    const now = new Date("2026-11-22T12:00:00Z");
    expect(exitOf(() => checkFresh("f", state("2026-11-22T12:05:00Z"), now, "UTC"))).toBe(4);
    expect(exitOf(() => checkFresh("f", state("2026-11-22T11:00:00Z", 0), now, "UTC"))).toBe(4);
    expect(
      exitOf(() =>
        checkFresh("f", { ...state("2026-11-22T11:00:00Z"), isFile: false }, now, "UTC"),
      ),
    ).toBe(4);
    expect(exitOf(() => checkFresh("f", null, now, "UTC"))).toBe(3);
  });
});

describe("checkStable", () => {
  it("passes a file that does not change during the window", async () => {
    const path = join(tempDir(), "f.csv");
    writeFileSync(path, "a,b\n");
    const before = fileState(path);
    await expect(
      checkStable(path, before as NonNullable<typeof before>, 50),
    ).resolves.toMatchObject({ size: 4 });
  });

  it("refuses a file that grows during the window (exit 4)", async () => {
    const path = join(tempDir(), "f.csv");
    writeFileSync(path, "a,b\n");
    const before = fileState(path);
    // The injected sleep stands for the window: a writer appends meanwhile.
    const writerDuringWindow = async () => appendFileSync(path, "1,2\n");
    const error = await checkStable(
      path,
      before as NonNullable<typeof before>,
      2000,
      writerDuringWindow,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).exitCode).toBe(4);
    expect((error as Error).message).toContain("still being written");
  });

  it("refuses a file that disappears during the window", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "x"));
    const path = join(dir, "x", "f.csv");
    writeFileSync(path, "a\n");
    const before = fileState(path);
    const { rmSync } = await import("node:fs");
    const error = await checkStable(path, before as NonNullable<typeof before>, 1, async () =>
      rmSync(path),
    ).catch((e: unknown) => e);
    expect((error as UploadError).exitCode).toBe(4);
  });
});

describe("defaultKey", () => {
  it("is S3_PREFIX/YYYY/MM/DD/<name> for the day of the run in its zone", () => {
    const now = new Date("2026-11-22T03:00:00Z");
    expect(defaultKey("exports", "ventas.csv", now, "UTC")).toBe("exports/2026/11/22/ventas.csv");
    expect(defaultKey("/exports/daily/", "ventas.csv", now, "America/Bogota")).toBe(
      "exports/daily/2026/11/21/ventas.csv",
    );
    expect(defaultKey("", "ventas.csv", now, "UTC")).toBe("2026/11/22/ventas.csv");
  });
});
