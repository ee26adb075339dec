/**
 * What one trimmed, non-null value can be, tested byte by byte on the hot path (every
 * field of the file goes through here, straight from the read buffer: a number or a date
 * never becomes a string). The rules of `../shared/contracts/files.md`: `integer` `-?\d+`;
 * `decimal` `-?\d+(\.\d+)?` (or a decimal comma in a `;` file); `boolean` true/false,
 * si/no, sí/no, yes/no in any case; `date` and `datetime` the ETL's date forms (a time only
 * after `YYYY-MM-DD` and `T` or a space). The string forms (`readNumber`, `readDate`, …)
 * encode their argument as UTF-8 and read the bytes, so there is one implementation.
 */

type Bytes = Uint8Array;

const MINUS = 45;
const DOT = 46;
const COMMA = 44;
const COLON = 58;
const isDigit = (c: number) => c >= 48 && c <= 57;
const utf8 = (s: string): Bytes => Buffer.from(s, "utf8");

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

/** Powers of ten exactly representable as doubles (10^0 … 10^22). */
const POWERS = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Reads `-?\d+` or `-?\d+[.,]\d+` (the comma only when `decimalComma`) from `b[start, end)`,
 * else NaN. Sets `out.integer` and `out.canonical`. Up to 15 digits in all, the value is
 * the digits as an exact integer divided by an exact power of ten — one correctly rounded
 * operation, so the same double as `Number(text)` (Clinger's fast path); longer ones go
 * through `Number`.
 */
export function numberAt(
  b: Bytes,
  start: number,
  end: number,
  decimalComma: boolean,
  out: NumberReading,
): number {
  let i = b[start] === MINUS ? start + 1 : start;
  const first = i;
  let mantissa = 0;
  while (i < end) {
    const c = b[i] as number;
    if (!isDigit(c)) break;
    mantissa = mantissa * 10 + (c - 48);
    i++;
  }
  const intDigits = i - first;
  if (intDigits === 0) return Number.NaN;
  const negative = first > start;
  // A leading zero (`007`, `-0`; `0.5` is fine) or too many digits: not written as String() would.
  let canonical = intDigits <= 15 && !(intDigits > 1 && b[first] === 48);
  if (i === end) {
    out.integer = true;
    if (negative && mantissa === 0) canonical = false; // "-0"
    out.canonical = canonical;
    if (intDigits > 15)
      mantissa = Number(Buffer.from(b.buffer, b.byteOffset + first, intDigits).toString("latin1"));
    return negative ? -mantissa : mantissa;
  }
  const sep = b[i] as number;
  if (!(sep === DOT || (decimalComma && sep === COMMA))) return Number.NaN;
  const fraction = ++i;
  while (i < end) {
    const c = b[i] as number;
    if (!isDigit(c)) return Number.NaN;
    mantissa = mantissa * 10 + (c - 48);
    i++;
  }
  const fracDigits = end - fraction;
  if (fracDigits === 0) return Number.NaN;
  out.integer = false;
  const integerPartZero = intDigits === 1 && b[first] === 48;
  let value: number;
  if (intDigits + fracDigits <= 15) value = mantissa / (POWERS[fracDigits] as number);
  else {
    const text = Buffer.from(b.buffer, b.byteOffset + first, end - first).toString("latin1");
    value = Number(sep === DOT ? text : text.replace(",", "."));
  }
  out.canonical =
    canonical &&
    sep === DOT &&
    b[end - 1] !== 48 && // a trailing zero
    intDigits + fracDigits <= 15 &&
    // 0.000000x: String() writes an exponent
    !(integerPartZero && fracDigits >= 7 && allZeros(b, fraction, fraction + 6)) &&
    !(negative && value === 0); // "-0.0"
  return negative ? -value : value;
}

function allZeros(b: Bytes, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 48) return false;
  return true;
}

/** `numberAt` of a string. */
export function readNumber(s: string, decimalComma: boolean, out: NumberReading): number {
  const b = utf8(s);
  return b.length === 0 ? Number.NaN : numberAt(b, 0, b.length, decimalComma, out);
}

/**
 * true, false, or undefined when `b[start, end)` is not one of the boolean words. ASCII
 * spellings are compared without a copy; others (`sí`, `SÍ`, a decomposed `í`) go through
 * `text()`, lower-cased and NFC-normalized.
 */
export function booleanAt(
  b: Bytes,
  start: number,
  end: number,
  text: () => string,
): boolean | undefined {
  const n = end - start;
  if (n < 2 || n > 8) return undefined;
  let ascii = true;
  for (let i = start; i < end; i++) if ((b[i] as number) >= 0x80) ascii = false;
  if (!ascii) return booleanWord(text().toLowerCase().normalize("NFC"));
  const c = (i: number) => (b[start + i] as number) | 0x20; // ASCII letters lower-cased
  if (n === 4 && c(0) === 116 && c(1) === 114 && c(2) === 117 && c(3) === 101) return true; // true
  if (n === 5 && c(0) === 102 && c(1) === 97 && c(2) === 108 && c(3) === 115 && c(4) === 101)
    return false; // false
  if (n === 2 && c(0) === 115 && c(1) === 105) return true; // si
  if (n === 2 && c(0) === 110 && c(1) === 111) return false; // no
  if (n === 3 && c(0) === 121 && c(1) === 101 && c(2) === 115) return true; // yes
  return undefined;
}

function booleanWord(word: string): boolean | undefined {
  switch (word) {
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

/** `booleanAt` of a string. */
export function readBoolean(s: string): boolean | undefined {
  const b = utf8(s);
  return booleanAt(b, 0, b.length, () => s);
}

const DAY_MS = 86_400_000;

/**
 * Days since 1970-01-01 of a date, by integer arithmetic (H. Hinnant's days_from_civil):
 * exact for every year (`Date.UTC` maps 0–99 to 1900–1999) and cheap.
 */
function epochDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function digits(b: Bytes, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = b[i] as number;
    if (!isDigit(c)) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The day's milliseconds when the parts make a real calendar date, else NaN. */
function dayMs(year: number, month: number, day: number): number {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return Number.NaN;
  return epochDay(year, month, day) * DAY_MS;
}

/**
 * Milliseconds since midnight of a time `HH:MM[:SS[.fff]][zone]` in `b[i, end)`, or -1.
 * The zone (Z, ±HH, ±HHMM, ±HH:MM) is validated and dropped: the wall-clock time as
 * written, never shifted, as the ETL reads dates.
 */
function timeOfDay(b: Bytes, i: number, end: number): number {
  if (end - i < 5 || b[i + 2] !== COLON) return -1;
  const hours = digits(b, i, 2);
  const minutes = digits(b, i + 3, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return -1;
  let ms = (hours * 60 + minutes) * 60_000;
  i += 5;
  if (i < end && b[i] === COLON) {
    if (i + 3 > end) return -1;
    const seconds = digits(b, i + 1, 2);
    if (seconds < 0 || seconds > 60) return -1; // 60: a leap second, as the ETL allows
    ms += seconds * 1000;
    i += 3;
    if (i < end && (b[i] === DOT || b[i] === COMMA)) {
      const first = ++i;
      let scale = 100;
      while (i < end && isDigit(b[i] as number)) {
        ms += ((b[i] as number) - 48) * scale;
        scale /= 10;
        i++;
      }
      if (i === first) return -1;
      ms = Math.floor(ms);
    }
  }
  if (i === end) return ms;
  const zone = b[i] as number;
  if (zone === 90 || zone === 122) return i + 1 === end ? ms : -1;
  if (zone !== 43 && zone !== MINUS) return -1;
  const rest = end - i - 1;
  const offsetHours = digits(b, i + 1, 2);
  if (rest < 2 || offsetHours < 0 || offsetHours > 23) return -1;
  if (rest === 2) return ms;
  const colon = b[i + 3] === COLON ? 1 : 0;
  if (rest !== 4 + colon) return -1;
  const offsetMinutes = digits(b, i + 3 + colon, 2);
  return offsetMinutes >= 0 && offsetMinutes <= 59 ? ms : -1;
}

/** A date or date-time reading: ms since the epoch (wall clock as UTC) and whether a time was given. */
export interface DateReading {
  ms: number;
  time: boolean;
  /** Written as `isoDate` / `isoDateTime` would write it (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`). */
  canonical: boolean;
}

const isDateSeparator = (c: number | undefined) => c === MINUS || c === 47 || c === DOT;

/**
 * Reads one of the ETL's date forms (`normalizeDate` in src/etl/normalize/date.ts:
 * `YYYYMMDD`, `YYYY?MM?DD` and `DD?MM?YYYY` with `-`, `/` or `.` twice, a time only after
 * `YYYY-MM-DD` and `T` or a space) from `b[start, end)` into `out`; false when it is not one.
 */
export function dateAt(b: Bytes, start: number, end: number, out: DateReading): boolean {
  const n = end - start;
  if (n < 8 || !isDigit(b[start] as number)) return false;
  if (n === 8) {
    const ms = dayMs(digits(b, start, 4), digits(b, start + 4, 2), digits(b, start + 6, 2));
    if (Number.isNaN(ms)) return false;
    out.ms = ms;
    out.time = false;
    out.canonical = false;
    return true;
  }
  if (n < 10) return false;
  const c4 = b[start + 4];
  if (isDateSeparator(c4)) {
    if (b[start + 7] !== c4) return false;
    const ms = dayMs(digits(b, start, 4), digits(b, start + 5, 2), digits(b, start + 8, 2));
    if (Number.isNaN(ms)) return false;
    if (n === 10) {
      out.ms = ms;
      out.time = false;
      out.canonical = c4 === MINUS;
      return true;
    }
    const t = b[start + 10];
    if (c4 !== MINUS || !(t === 84 || t === 116 || t === 32)) return false;
    const time = timeOfDay(b, start + 11, end);
    if (time < 0) return false;
    out.ms = ms + time;
    out.time = true;
    // `YYYY-MM-DD HH:MM:SS`, but not `HH:MM+01` (also 19 long) nor a leap second `:60`.
    out.canonical = n === 19 && t === 32 && b[start + 16] === COLON && b[start + 17] !== 54;
    return true;
  }
  const c2 = b[start + 2];
  if (n === 10 && isDateSeparator(c2) && b[start + 5] === c2) {
    const ms = dayMs(digits(b, start + 6, 4), digits(b, start + 3, 2), digits(b, start, 2));
    if (Number.isNaN(ms)) return false;
    out.ms = ms;
    out.time = false;
    out.canonical = false;
    return true;
  }
  return false;
}

/** `dateAt` of a string. */
export function readDate(s: string, out: DateReading): boolean {
  const b = utf8(s);
  return dateAt(b, 0, b.length, out);
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

/** Null after trimming: empty, `NULL`, `null` or `N/A` (`b[start, end)` already trimmed). */
export function isNullAt(b: Bytes, start: number, end: number): boolean {
  const n = end - start;
  if (n === 0) return true;
  if (n === 4) {
    const c0 = b[start];
    if (c0 !== 78 && c0 !== 110) return false;
    const upper = c0 === 78;
    return upper
      ? b[start + 1] === 85 && b[start + 2] === 76 && b[start + 3] === 76 // NULL
      : b[start + 1] === 117 && b[start + 2] === 108 && b[start + 3] === 108; // null
  }
  return n === 3 && b[start] === 78 && b[start + 1] === 47 && b[start + 2] === 65; // N/A
}

/** `isNullAt` of a trimmed string. */
export function isNullText(s: string): boolean {
  const b = utf8(s);
  return isNullAt(b, 0, b.length);
}
