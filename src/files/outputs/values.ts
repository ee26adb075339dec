/**
 * The per-type value parsing of the large-CSV system (`../shared/contracts/files.md`, "Rules"):
 * the null tokens and what each inferred column type accepts. Shared by the profiler (to infer
 * a column's type) and the Parquet writer (to type `NAME_muestra.parquet`), so both agree on
 * every value. Pure functions; each trims its input first (a value is judged after trimming,
 * as the null rule says) and returns null when the text is not of its kind.
 */

import {
  type DateReading,
  isNullText,
  type NumberReading,
  readBoolean,
  readDate,
  readNumber,
} from "../profile/classify.js";

/** True when the value counts as null: after trimming, empty or `NULL`, `null`, `N/A`. */
export function isNullToken(s: string | null | undefined): boolean {
  return s === null || s === undefined || isNullText(s.trim());
}

const INTEGER = /^-?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * An `integer` value (`-?\d+`) as a bigint, or null when it does not match or does not fit a
 * signed 64-bit integer (Parquet INT64).
 *
 * @example
 * parseIntegerText(" -42 ");  // -42n
 * parseIntegerText("1.0");    // null
 * parseIntegerText("9223372036854775808"); // null (2^63)
 */
export function parseIntegerText(s: string): bigint | null {
  const t = s.trim();
  if (!INTEGER.test(t)) return null;
  const value = BigInt(t);
  return value < INT64_MIN || value > INT64_MAX ? null : value;
}

const number: NumberReading = { value: 0, integer: false, canonical: true };

/**
 * A `decimal` value (`-?\d+(\.\d+)?`) as a number, or null. With `decimalComma` (only for
 * files delimited by `;`) a decimal comma is accepted too: `1,5` is 1.5. No thousands
 * separators, exponents or leading `+`. Integers are decimals too.
 *
 * @example
 * parseDecimalText("3.25", false); // 3.25
 * parseDecimalText("1,5", true);   // 1.5
 * parseDecimalText("1,5", false);  // null
 */
export function parseDecimalText(s: string, decimalComma: boolean): number | null {
  const t = s.trim();
  if (t.length === 0) return null;
  const value = readNumber(t, decimalComma, number);
  return Number.isFinite(value) ? value : null;
}

/**
 * A `boolean` value: `true/false`, `si/no`, `sí/no`, `yes/no`, any case, or null.
 *
 * @example
 * parseBooleanText(" Sí "); // true
 * parseBooleanText("NO");   // false
 * parseBooleanText("1");    // null
 */
export function parseBooleanText(s: string): boolean | null {
  return readBoolean(s.trim()) ?? null;
}

const DAY_MS = 86_400_000;
const date: DateReading = { ms: 0, time: false, canonical: true };

/**
 * A `date` value in one of the ETL's date forms (`YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`,
 * `YYYYMMDD`, `DD/MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY`; a time after `YYYY-MM-DD` is
 * validated and dropped) as days since 1970-01-01 (Parquet DATE), or null.
 *
 * @example
 * parseDateText("1970-01-02");  // 1
 * parseDateText("05/03/2024");  // 19787 (5 March 2024)
 * parseDateText("2024-02-30");  // null
 */
export function parseDateText(s: string): number | null {
  return readDate(s.trim(), date) ? Math.floor(date.ms / DAY_MS) : null;
}

/** True when a valid date value carries a time of day (`YYYY-MM-DD[T ]HH:MM…`). */
export function hasTimeOfDay(s: string): boolean {
  return readDate(s.trim(), date) && date.time;
}

/**
 * A `datetime` value as milliseconds since 1970-01-01T00:00 of the wall-clock time as written
 * (`YYYY-MM-DD[T ]HH:MM[:SS[.fff]][zone]`: the zone is ignored, never applied), or null. A
 * date-only value (any of `parseDateText`'s forms) is its midnight. Fractions of a second
 * beyond milliseconds are truncated; a leap second (`:60`) rolls into the next minute.
 *
 * @example
 * parseDateTimeText("1970-01-01 01:00");          // 3600000
 * parseDateTimeText("1970-01-01T01:00:00-05:00"); // 3600000 (zone ignored)
 * parseDateTimeText("02/01/1970");                // 86400000
 */
export function parseDateTimeText(s: string): number | null {
  return readDate(s.trim(), date) ? date.ms : null;
}
