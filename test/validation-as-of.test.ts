import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { asOfProblem, parseAsOf } from "../src/validation/as-of.js";

describe("parseAsOf: the day treated as today", () => {
  it("accepts a real calendar date written YYYY-MM-DD, unchanged", () => {
    for (const day of ["2025-01-01", "2024-02-29", "2000-02-29", "1999-12-31", "0001-01-01"])
      expect(parseAsOf(day)).toBe(day);
  });

  it("refuses days that do not exist, other layouts and anything else, naming the value", () => {
    for (const bad of [
      "2025-02-30",
      "2023-02-29",
      "1900-02-29",
      "2025-13-01",
      "2025-00-10",
      "2025-04-31",
      "0000-01-01",
      "2025-1-5",
      "25-01-01",
      "20250101",
      "2025/01/01",
      "01/01/2025",
      "01-01-2025",
      "2025-01-01T00:00",
      " 2025-01-01",
      "2025-01-01 ",
      "２０２５-01-01",
      "tomorrow",
      "",
    ]) {
      expect(() => parseAsOf(bad), bad).toThrow(UsageError);
      expect(() => parseAsOf(bad), bad).toThrow(
        `--as-of: must be a real date as YYYY-MM-DD, got ${JSON.stringify(bad)}`,
      );
      expect(asOfProblem(bad), bad).toBe(
        `must be a real date as YYYY-MM-DD, got ${JSON.stringify(bad)}`,
      );
    }
  });

  it("without a value: today in the process's time zone, or in the one given", () => {
    const instant = new Date("2026-11-22T04:30:00Z");
    expect(parseAsOf(undefined, instant, "America/Bogota")).toBe("2026-11-21");
    expect(parseAsOf(undefined, instant, "UTC")).toBe("2026-11-22");
    expect(parseAsOf(undefined)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
