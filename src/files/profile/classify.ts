/**
 * What one trimmed, non-null value can be, tested char by char on the hot path (every
 * field of the file goes through here). The rules of `../shared/contracts/files.md`:
 * `integer` `-?\d+`; `decimal` `-?\d+(\.\d+)?` (or a decimal comma in a `;` file);
 * `boolean` true/false, si/no, sí/no, yes/no in any case; `date` and `datetime` the
 * ETL's date forms (a time only after `YYYY-MM-DD` and `T` or a space).
 */

import { parseDate } from "../../etl/normalize/date.js";
import { INVALID } from "../../etl/normalize/result.js";

const MINUS = 45;
const DOT = 46;
const COMMA = 44;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Integer: the value; decimal: the value; neither: NaN. `integer` says which it was. */
export interface NumberReading {
  value: number;
  integer: boolean;
  /**
   * `String(value)` gives the text back exactly. False for `007`, `1.50`, `1,5`, `-0` or
   * more than 15 digits (may be wrong only towards false: such a text is kept as spelled).
   */
  canonical: boolean;
}

/**
 * Reads `-?\d+` or `-?\d+[.,]\d+` (the comma only when `decimalComma`), else NaN. Sets
 * `out.integer`. Integers of up to 15 digits are accumulated exactly; longer ones go
 * through `Number` (exact up to 2^53, rounded beyond, as every float engine does).
 */
export function readNumber(s: string, decimalComma: boolean, out: NumberReading): number {
  const n = s.length;
  let i = s.charCodeAt(0) === MINUS ? 1 : 0;
  const start = i;
  let value = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) break;
    value = value * 10 + (c - 48);
    i++;
  }
  const digitCount = i - start;
  if (digitCount === 0) return Number.NaN;
  // A leading zero (`007`, `-0`, `-0.5` aside) or too many digits: not written as String() would.
  let canonical = digitCount <= 15 && !(digitCount > 1 && s.charCodeAt(start) === 48);
  if (i === n) {
    out.integer = true;
    if (start === 1 && value === 0) canonical = false; // "-0"
    out.canonical = canonical;
    if (digitCount > 15) value = Number(start === 1 ? s.slice(1) : s);
    return start === 1 ? -value : value;
  }
  const sep = s.charCodeAt(i);
  if (!(sep === DOT || (decimalComma && sep === COMMA))) return Number.NaN;
  const fraction = ++i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (i === fraction || i !== n) return Number.NaN;
  out.integer = false;
  out.canonical =
    canonical &&
    sep === DOT &&
    s.charCodeAt(n - 1) !== 48 && // a trailing zero
    digitCount + (n - fraction) <= 15 &&
    // 0.000000x: String() writes an exponent
    !(value === 0 && n - fraction >= 7 && s.startsWith("000000", fraction));
  const result = Number(sep === DOT ? s : `${s.slice(0, fraction - 1)}.${s.slice(fraction)}`);
  if (result === 0 && start === 1) out.canonical = false; // "-0.0"
  return result;
}

/** true, false, or undefined when the value is not one of the boolean words. */
export function readBoolean(s: string): boolean | undefined {
  const n = s.length;
  if (n < 2 || n > 6) return undefined; // 6: a decomposed "sí" is 3, "false" 5
  // The usual spellings first: no lower-casing copy on the hot path.
  if (s === "true") return true;
  if (s === "false") return false;
  // NFC so that an `í` written as `i` + combining acute matches too.
  switch (s.toLowerCase().normalize("NFC")) {
    case "true":
    case "si":
    case "sí":
    case "yes":
      return true;
    case "false":
    case "no":
      return false;
    default:
      return undefined;
  }
}

const DAY_MS = 86_400_000;

/**
 * Days since 1970-01-01 of a YYYYMMDD number, by integer arithmetic (H. Hinnant's
 * days_from_civil): `Date.UTC` per value was a tenth of the profile's time.
 */
function epochDay(date: number): number {
  let year = Math.floor(date / 10000);
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  if (month <= 2) year--;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function digits(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

/**
 * Milliseconds since midnight of a time `HH:MM[:SS[.fff]][zone]` starting at `i`, or -1.
 * The zone (Z, ±HH, ±HHMM, ±HH:MM) is validated and dropped: the wall-clock time as
 * written, never shifted, as the ETL reads dates.
 */
function timeOfDay(s: string, i: number): number {
  const n = s.length;
  if (n - i < 5 || s.charCodeAt(i + 2) !== 58) return -1;
  const hours = digits(s, i, 2);
  const minutes = digits(s, i + 3, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return -1;
  let ms = (hours * 60 + minutes) * 60_000;
  i += 5;
  if (i < n && s.charCodeAt(i) === 58) {
    const seconds = digits(s, i + 1, 2);
    if (i + 3 > n || seconds < 0 || seconds > 60) return -1; // 60: a leap second, as the ETL allows
    ms += seconds * 1000;
    i += 3;
    if (i < n && (s.charCodeAt(i) === DOT || s.charCodeAt(i) === COMMA)) {
      const start = ++i;
      let scale = 100;
      while (i < n && isDigit(s.charCodeAt(i))) {
        ms += (s.charCodeAt(i) - 48) * scale;
        scale /= 10;
        i++;
      }
      if (i === start) return -1;
      ms = Math.floor(ms);
    }
  }
  if (i === n) return ms;
  const zone = s.charCodeAt(i);
  if (zone === 90 || zone === 122) return i + 1 === n ? ms : -1;
  if (zone !== 43 && zone !== MINUS) return -1;
  const rest = n - i - 1;
  const offsetHours = digits(s, i + 1, 2);
  if (rest < 2 || offsetHours < 0 || offsetHours > 23) return -1;
  if (rest === 2) return ms;
  const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
  if (rest !== 4 + colon) return -1;
  const offsetMinutes = digits(s, i + 3 + colon, 2);
  return offsetMinutes >= 0 && offsetMinutes <= 59 ? ms : -1;
}

/** A date or date-time reading: ms since the epoch (wall clock as UTC) and whether a time was given. */
export interface DateReading {
  ms: number;
  time: boolean;
  /** Written as `isoDate` / `isoDateTime` would write it (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`). */
  canonical: boolean;
}

/**
 * Reads one of the ETL's date forms, with a time after `YYYY-MM-DD` + `T`/space, into
 * `out`; false when the value is not a date. The date part is the ETL's own parser.
 */
export function readDate(s: string, out: DateReading): boolean {
  const n = s.length;
  if (n < 8 || !isDigit(s.charCodeAt(0))) return false;
  if (n >= 10 && s.charCodeAt(4) === MINUS && s.charCodeAt(7) === MINUS) return readIsoDate(s, out);
  if (n <= 10) {
    const date = parseDate(s);
    if (date === INVALID) return false;
    out.ms = epochDay(date) * DAY_MS;
    out.time = false;
    out.canonical = n === 10 && s.charCodeAt(4) === MINUS && s.charCodeAt(7) === MINUS;
    return true;
  }
  const t = s.charCodeAt(10);
  if (s.charCodeAt(4) !== MINUS || !(t === 84 || t === 116 || t === 32)) return false;
  const date = parseDate(s.slice(0, 10));
  if (date === INVALID) return false;
  const time = timeOfDay(s, 11);
  if (time < 0) return false;
  out.ms = epochDay(date) * DAY_MS + time;
  out.time = true;
  // `YYYY-MM-DD HH:MM:SS`, but not `HH:MM+01` (also 19 long) nor a leap second `:60`.
  out.canonical = n === 19 && t === 32 && s.charCodeAt(16) === 58 && s.charCodeAt(17) !== 54;
  return true;
}

/**
 * The `YYYY-MM-DD[…]` form, by far the most common, without the general parser's copies:
 * the same checks as `parseDate` (a real calendar date; a time only after `T` or a space).
 */
function readIsoDate(s: string, out: DateReading): boolean {
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return false;
  const dayMs = epochDay(year * 10000 + month * 100 + day) * DAY_MS;
  const n = s.length;
  if (n === 10) {
    out.ms = dayMs;
    out.time = false;
    out.canonical = true;
    return true;
  }
  const t = s.charCodeAt(10);
  if (!(t === 84 || t === 116 || t === 32)) return false;
  const time = timeOfDay(s, 11);
  if (time < 0) return false;
  out.ms = dayMs + time;
  out.time = true;
  // `YYYY-MM-DD HH:MM:SS`, but not `HH:MM+01` (also 19 long) nor a leap second `:60`.
  out.canonical = n === 19 && t === 32 && s.charCodeAt(16) === 58 && s.charCodeAt(17) !== 54;
  return true;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `YYYY-MM-DD` of a day's milliseconds. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:MM:SS[.fff]` of wall-clock milliseconds. */
export function isoDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.endsWith(".000Z") ? iso.slice(11, 19) : iso.slice(11, 23)}`;
}

/** Null after trimming: empty, `NULL`, `null` or `N/A`. `s` is already trimmed. */
export function isNullText(s: string): boolean {
  const n = s.length;
  if (n === 0) return true;
  if (n === 4) return s === "NULL" || s === "null";
  return n === 3 && s === "N/A";
}
