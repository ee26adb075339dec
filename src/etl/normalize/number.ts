import { AMBIGUOUS, INVALID, type Normalized } from "./result.js";

const isDigit = (c: number) => c >= 48 && c <= 57;
const DOT = 46;
const COMMA = 44;
const ZERO = 48;

/**
 * How a lone dot followed by exactly three digits (`1.500`) is read: as a thousands
 * separator or as a decimal point. It is the convention of the value's column in its file.
 */
export type DotReading = "thousands" | "decimal";

/** Evidence bits a valid value gives about its column's convention (contract v1.1). */
export const THOUSANDS_EVIDENCE = 1; // a decimal comma, or several dot groups
export const DECIMAL_POINT_EVIDENCE = 2; // a dot followed by 1, 2 or 4+ digits, or a comma grouping

/** Where a normalizer records the evidence of each valid value (bits, OR-ed in). */
export interface EvidenceSink {
  evidence: number;
}

export type NumberResult = Normalized<number> | typeof AMBIGUOUS;

/**
 * Whether `s[from, to)` can be the first group of a number grouped in thousands: 1 to 3
 * digits, not starting with a zero (`0.500` and `1234.500` cannot be thousands).
 */
function canLeadGroup(s: string, from: number, to: number): boolean {
  return to > from && to - from <= 3 && s.charCodeAt(from) !== ZERO;
}

/**
 * An integer: `-?digits`, optionally `.0` or `.00`. A dot-grouped value is read in
 * thousands: `1.000.000` always, `1.000` when `reading` is `"thousands"`; with
 * `"decimal"` it has three decimals, which an integer does not take (INVALID); with no
 * reading it is AMBIGUOUS. A valid value's evidence goes to `sink`.
 *
 * @example
 * normalizeInteger("2.0");                // 2
 * normalizeInteger("1.000.000");          // 1000000
 * normalizeInteger("1.000");              // AMBIGUOUS
 * normalizeInteger("1.000", "thousands"); // 1000
 * normalizeInteger("2.5");                // INVALID
 */
export function normalizeInteger(
  text: string,
  reading?: DotReading,
  sink?: EvidenceSink,
): NumberResult {
  const s = text.trim();
  const n = s.length;
  const negative = s.charCodeAt(0) === 45;
  const start = negative ? 1 : 0;
  let dots = 0;
  let last = -1;
  let value = 0;
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) {
      dots++;
      last = i;
    } else if (isDigit(c)) value = value * 10 + (c - 48);
    else return INVALID;
  }
  if (n === start || last === start) return INVALID;
  if (dots === 1) {
    const decimals = n - last - 1;
    if (decimals === 3 && canLeadGroup(s, start, last)) {
      if (reading === undefined) return AMBIGUOUS;
      if (reading === "decimal") return INVALID;
    } else {
      if (decimals !== 1 && decimals !== 2) return INVALID;
      for (let i = last + 1; i < n; i++) if (s.charCodeAt(i) !== ZERO) return INVALID;
      value = decimals === 1 ? (value - (value % 10)) / 10 : (value - (value % 100)) / 100;
      if (sink) sink.evidence |= DECIMAL_POINT_EVIDENCE;
    }
  } else if (dots > 1) {
    if (!isGrouped(s, start, n, DOT)) return INVALID;
    if (sink) sink.evidence |= THOUSANDS_EVIDENCE;
  }
  if (value > Number.MAX_SAFE_INTEGER) return INVALID;
  return negative && value !== 0 ? -value : value;
}

/** Whether `s[from, to)` is digits in groups: 1-3 digits (no leading zero), then groups of 3. */
function isGrouped(s: string, from: number, to: number, separator: number): boolean {
  let group = 0;
  let groups = 0;
  for (let j = from; j < to; j++) {
    if (s.charCodeAt(j) === separator) {
      if (groups === 0 ? !canLeadGroup(s, j - group, j) : group !== 3) return false;
      groups++;
      group = 0;
    } else group++;
  }
  return group === 3 || groups === 0;
}

/**
 * A decimal amount, returned as an integer number of cents (exact, no floating point).
 * Optional `$` or `€`, optional sign, digits with optional thousands separators. When both
 * `.` and `,` appear, the one that appears last is the decimal separator. A lone `,`
 * followed by 1 or 2 digits is a decimal comma; followed by groups of exactly 3 digits it
 * separates thousands. A lone `.` is a decimal point, except in a dot-grouped value
 * (`1.500`: one dot followed by exactly three digits, after a possible first group), which
 * `reading` decides: AMBIGUOUS without one. Several dots are thousands (`1.000.000`). A
 * first group never starts with a zero. More than two decimals are accepted only when the
 * extra ones are zeros. A valid value's evidence about its column goes to `sink`.
 *
 * @example
 * normalizeCents("$1,299.00");           // 129900
 * normalizeCents("1.299,00");            // 129900
 * normalizeCents("12,50");               // 1250
 * normalizeCents("1,299");               // 129900
 * normalizeCents("1.500");               // AMBIGUOUS
 * normalizeCents("1.500", "thousands");  // 150000
 * normalizeCents("1.500", "decimal");    // 150
 * normalizeCents("0,123");               // INVALID (a group never starts with a zero)
 */
export function normalizeCents(
  text: string,
  reading?: DotReading,
  sink?: EvidenceSink,
): NumberResult {
  const s = text.trim();
  const n = s.length;
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 36 /* $ */ || first === 0x20ac /* € */) i++;
  let negative = false;
  const sign = s.charCodeAt(i);
  if (sign === 45 || sign === 43) {
    negative = sign === 45;
    i++;
  }
  if (i === n) return INVALID;

  // One pass to find the separators: which kinds appear, how often, and the last one.
  let dots = 0;
  let commas = 0;
  let last = -1;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === DOT) {
      dots++;
      last = j;
    } else if (c === COMMA) {
      commas++;
      last = j;
    } else if (!isDigit(c)) return INVALID;
  }

  let decimalSeparator = -1; // char code, or -1 when the number has no decimal part
  let thousandsSeparator = -1;
  let evidence = 0;
  if (dots > 0 && commas > 0) {
    decimalSeparator = s.charCodeAt(last);
    thousandsSeparator = decimalSeparator === DOT ? COMMA : DOT;
    if ((decimalSeparator === DOT ? dots : commas) !== 1) return INVALID;
    evidence = decimalSeparator === COMMA ? THOUSANDS_EVIDENCE : DECIMAL_POINT_EVIDENCE;
  } else if (commas === 1) {
    const decimals = n - last - 1;
    if (decimals === 1 || decimals === 2) {
      decimalSeparator = COMMA;
      evidence = THOUSANDS_EVIDENCE;
    } else {
      thousandsSeparator = COMMA;
      evidence = DECIMAL_POINT_EVIDENCE;
    }
  } else if (commas > 1) {
    thousandsSeparator = COMMA;
    evidence = DECIMAL_POINT_EVIDENCE;
  } else if (dots === 1) {
    if (n - last - 1 === 3 && canLeadGroup(s, i, last)) {
      // Dot-grouped: the column's convention decides.
      if (reading === undefined) return AMBIGUOUS;
      if (reading === "thousands") thousandsSeparator = DOT;
      else decimalSeparator = DOT;
    } else {
      decimalSeparator = DOT;
      // 0.500 and 1234.500 read the same in both conventions: they are no evidence.
      if (n - last - 1 !== 3) evidence = DECIMAL_POINT_EVIDENCE;
    }
  } else if (dots > 1) {
    thousandsSeparator = DOT;
    evidence = THOUSANDS_EVIDENCE;
  }

  const end = decimalSeparator === -1 ? n : last;
  if (end === i) return INVALID;
  if (thousandsSeparator !== -1 && !isGrouped(s, i, end, thousandsSeparator)) return INVALID;
  let units = 0;
  for (let j = i; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c !== thousandsSeparator) units = units * 10 + (c - 48);
  }

  let cents = units * 100;
  if (decimalSeparator !== -1) {
    if (end === n - 1) return INVALID;
    for (let j = end + 1, place = 0; j < n; j++, place++) {
      const c = s.charCodeAt(j);
      if (place === 0) cents += (c - 48) * 10;
      else if (place === 1) cents += c - 48;
      else if (c !== ZERO) return INVALID;
    }
  }
  if (cents > Number.MAX_SAFE_INTEGER) return INVALID;
  if (sink && evidence !== 0) sink.evidence |= evidence;
  return negative && cents !== 0 ? -cents : cents;
}
