/**
 * The per-type value parsing of the large-CSV system (`../shared/contracts/files.md`, "Rules"):
 * the null tokens and what each inferred column type accepts. Shared by the profiler (to infer
 * a column's type) and the Parquet writer (to type `NAME_muestra.parquet`), so both agree on
 * every value. Pure functions; each trims its input first (a value is judged after trimming,
 * as the null rule says) and returns null when the text is not of its kind.
 */

import { parseDate } from "../../etl/normalize/date.js";
import { INVALID } from "../../etl/normalize/result.js";

const NULL_TOKENS = new Set(["", "NULL", "null", "N/A"]);

/** True when the value counts as null: after trimming, empty or `NULL`, `null`, `N/A`. */
export function isNullToken(s: string | null | undefined): boolean {
  return s === null || s === undefined || NULL_TOKENS.has(s.trim());
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

const DECIMAL_POINT = /^-?\d+(\.\d+)?$/;
const DECIMAL_POINT_OR_COMMA = /^-?\d+([.,]\d+)?$/;

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
  if (!(decimalComma ? DECIMAL_POINT_OR_COMMA : DECIMAL_POINT).test(t)) return null;
  const value = Number(decimalComma ? t.replace(",", ".") : t);
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
  // NFC so that an `í` written as `i` + combining acute matches too.
  switch (s.trim().normalize("NFC").toLowerCase()) {
    case "true":
    case "si":
    case "sí":
    case "yes":
      return true;
    case "false":
    case "no":
      return false;
    default:
      return null;
  }
}

const DAY_MS = 86_400_000;

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`); exact
 * for every year, unlike `Date.UTC`, which maps years 0–99 to 1900–1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

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
  const date = parseDate(s);
  if (date === INVALID) return null;
  return daysFromCivil(Math.floor(date / 10000), Math.floor(date / 100) % 100, date % 100);
}

/** True when a valid date value carries a time of day (`YYYY-MM-DD[T ]HH:MM…`). */
export function hasTimeOfDay(s: string): boolean {
  return parseDate(s) !== INVALID && s.trim().length > 10;
}

function twoDigits(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
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
  const days = parseDateText(s);
  if (days === null) return null;
  const t = s.trim();
  let ms = days * DAY_MS;
  // parseDate validated the time: only the `YYYY-MM-DD` form is longer than 10 characters,
  // and then `t[10]` is `T`/space and HH:MM follows, optionally :SS and a fraction.
  if (t.length > 10) {
    ms += twoDigits(t, 11) * 3_600_000 + twoDigits(t, 14) * 60_000;
    if (t.charCodeAt(16) === 58 /* : */) {
      ms += twoDigits(t, 17) * 1000;
      const sep = t.charCodeAt(19);
      if (sep === 46 /* . */ || sep === 44 /* , */) {
        let i = 20;
        let scale = 100;
        while (i < t.length && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) {
          if (scale >= 1) ms += (t.charCodeAt(i) - 48) * scale;
          scale /= 10;
          i++;
        }
      }
    }
  }
  return ms;
}
