import { UsageError } from "../errors.js";
import { parseDate } from "../etl/normalize/date.js";
import { INVALID } from "../etl/normalize/result.js";
import { localDay } from "../time.js";

/**
 * Why `value` is not a usable as-of day, or undefined when it is one: exactly `YYYY-MM-DD`
 * (ASCII digits, no time, no spaces) naming a real calendar day (the ETL's date parser
 * decides that: leap years, month lengths, no year 0).
 */
export function asOfProblem(value: string): string | undefined {
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value) && parseDate(value) !== INVALID) return undefined;
  return `must be a real date as YYYY-MM-DD, got ${JSON.stringify(value)}`;
}

/**
 * The day the validations treat as today: `value` when it is a real `YYYY-MM-DD` date,
 * today (in `timeZone`, by default the process's local zone, which `TZ` sets) when it is
 * undefined. Anything else is a `UsageError` (exit 2) naming the value.
 *
 * @example
 * parseAsOf("2025-01-01"); // "2025-01-01"
 * parseAsOf(undefined);    // today, e.g. "2026-05-04"
 * parseAsOf("2025-02-30"); // throws UsageError: --as-of: must be a real date as YYYY-MM-DD, got "2025-02-30"
 */
export function parseAsOf(
  value: string | undefined,
  now: Date = new Date(),
  timeZone?: string,
): string {
  if (value === undefined) return localDay(now, timeZone);
  const problem = asOfProblem(value);
  if (problem) throw new UsageError(`--as-of: ${problem}`);
  return value;
}
