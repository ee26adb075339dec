import { INVALID, type Normalized } from "./result.js";

const isDigit = (c: number) => c >= 48 && c <= 57;

function digits(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The date as the number YYYYMMDD when the parts make a real calendar date, else INVALID. */
function dateNumber(year: number, month: number, day: number): Normalized<number> {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return INVALID;
  return year * 10000 + month * 100 + day;
}

/** Formats a YYYYMMDD number as `YYYY-MM-DD`. */
export function dateText(date: number): string {
  const year = Math.floor(date / 10000);
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  return `${String(year).padStart(4, "0")}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`;
}

/** Validates the time that may follow `YYYY-MM-DD` + `T` or space, from `i` to the end. */
function isTime(s: string, i: number): boolean {
  const n = s.length;
  if (n - i < 5 || s.charCodeAt(i + 2) !== 58) return false;
  const hours = digits(s, i, 2);
  const minutes = digits(s, i + 3, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return false;
  i += 5;
  if (i < n && s.charCodeAt(i) === 58) {
    const seconds = digits(s, i + 1, 2);
    if (i + 3 > n || seconds < 0 || seconds > 60) return false;
    i += 3;
    if (i < n && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
      const start = ++i;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      if (i === start) return false;
    }
  }
  if (i === n) return true;
  const zone = s.charCodeAt(i);
  if (zone === 90 /* Z */ || zone === 122 /* z */) return i + 1 === n;
  if (zone !== 43 && zone !== 45) return false;
  // ±HH, ±HHMM or ±HH:MM
  const rest = n - i - 1;
  const offsetHours = digits(s, i + 1, 2);
  if (rest < 2 || offsetHours < 0 || offsetHours > 23) return false;
  if (rest === 2) return true;
  const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
  if (rest !== 4 + colon) return false;
  const offsetMinutes = digits(s, i + 3 + colon, 2);
  return offsetMinutes >= 0 && offsetMinutes <= 59;
}

/**
 * A calendar date in one of the accepted forms, returned as `YYYY-MM-DD`, exactly the date
 * as written (a time and zone, when present, are validated and dropped, never shifted).
 * Day comes before month in the `DD?MM?YYYY` forms. Two-digit years are rejected.
 *
 * @example
 * normalizeDate("2024/03/05");           // "2024-03-05"
 * normalizeDate("05.03.2024");           // "2024-03-05"
 * normalizeDate("2024-03-05T23:30:00-05:00"); // "2024-03-05"
 * normalizeDate("2024-02-30");           // INVALID
 */
export function normalizeDate(text: string): Normalized<string> {
  const date = parseDate(text);
  return date === INVALID ? INVALID : dateText(date);
}

/**
 * The date of `normalizeDate` as the number YYYYMMDD: what the ETL's hot path passes
 * between threads (a number travels in a Float64Array; a string must be copied).
 */
export function parseDate(text: string): Normalized<number> {
  const s = text.trim();
  const n = s.length;
  if (n === 8) {
    const year = digits(s, 0, 4);
    const month = digits(s, 4, 2);
    const day = digits(s, 6, 2);
    if (year < 0 || month < 0 || day < 0) return INVALID;
    return dateNumber(year, month, day);
  }
  if (n < 10) return INVALID;
  const c2 = s.charCodeAt(2);
  const c4 = s.charCodeAt(4);
  if (c4 === 45 || c4 === 47 || c4 === 46) {
    // YYYY?MM?DD, with the same separator twice; a time only after the dash form.
    if (s.charCodeAt(7) !== c4) return INVALID;
    const year = digits(s, 0, 4);
    const month = digits(s, 5, 2);
    const day = digits(s, 8, 2);
    if (year < 0 || month < 0 || day < 0) return INVALID;
    if (n > 10) {
      const t = s.charCodeAt(10);
      if (c4 !== 45 || !(t === 84 || t === 116 || t === 32) || !isTime(s, 11)) return INVALID;
    }
    return dateNumber(year, month, day);
  }
  if (n === 10 && (c2 === 47 || c2 === 45 || c2 === 46) && s.charCodeAt(5) === c2) {
    const day = digits(s, 0, 2);
    const month = digits(s, 3, 2);
    const year = digits(s, 6, 4);
    if (year < 0 || month < 0 || day < 0) return INVALID;
    return dateNumber(year, month, day);
  }
  return INVALID;
}
