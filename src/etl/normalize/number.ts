import { INVALID, type Normalized } from "./result.js";

const isDigit = (c: number) => c >= 48 && c <= 57;
const DOT = 46;
const COMMA = 44;

/**
 * An integer: `-?digits`, optionally followed by `.` and one or more zeros (`2.0`).
 *
 * @example
 * normalizeInteger("2.0"); // 2
 * normalizeInteger("2.5"); // INVALID
 */
export function normalizeInteger(text: string): Normalized<number> {
  const s = text.trim();
  const n = s.length;
  let i = 0;
  const negative = s.charCodeAt(0) === 45;
  if (negative) i++;
  const start = i;
  let value = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    value = value * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  if (i === start) return INVALID;
  if (i < n) {
    if (s.charCodeAt(i) !== DOT || i === n - 1) return INVALID;
    for (i++; i < n; i++) if (s.charCodeAt(i) !== 48) return INVALID;
  }
  if (value > Number.MAX_SAFE_INTEGER) return INVALID;
  return negative && value !== 0 ? -value : value;
}

/**
 * A decimal amount, returned as an integer number of cents (exact, no floating point).
 * Optional `$` or `€`, optional sign, digits with optional thousands separators. When both
 * `.` and `,` appear, the one that appears last is the decimal separator. A lone `,`
 * followed by 1 or 2 digits is a decimal comma; followed by groups of exactly 3 digits it
 * separates thousands. A lone `.` is a decimal point. More than two decimals are accepted
 * only when the extra ones are zeros.
 *
 * @example
 * normalizeCents("$1,299.00"); // 129900
 * normalizeCents("1.299,00");  // 129900
 * normalizeCents("12,50");     // 1250
 * normalizeCents("1,299");     // 129900
 * normalizeCents("1.299");     // INVALID (not exact to the cent)
 */
export function normalizeCents(text: string): Normalized<number> {
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
  if (dots > 0 && commas > 0) {
    decimalSeparator = s.charCodeAt(last);
    thousandsSeparator = decimalSeparator === DOT ? COMMA : DOT;
    if ((decimalSeparator === DOT ? dots : commas) !== 1) return INVALID;
  } else if (commas === 1) {
    const decimals = n - last - 1;
    if (decimals === 1 || decimals === 2) decimalSeparator = COMMA;
    else thousandsSeparator = COMMA;
  } else if (commas > 1) {
    thousandsSeparator = COMMA;
  } else if (dots === 1) {
    decimalSeparator = DOT;
  } else if (dots > 1) {
    thousandsSeparator = DOT;
  }

  const end = decimalSeparator === -1 ? n : last;
  // Integer part: digits, optionally grouped as 1-3 digits then groups of exactly 3.
  let units = 0;
  let group = 0;
  let groups = 0;
  for (let j = i; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c === thousandsSeparator) {
      if (group === 0 || (groups === 0 ? group > 3 : group !== 3)) return INVALID;
      groups++;
      group = 0;
    } else if (isDigit(c)) {
      units = units * 10 + (c - 48);
      group++;
    } else return INVALID;
  }
  if (group === 0 || (groups > 0 && group !== 3)) return INVALID;

  let cents = units * 100;
  if (decimalSeparator !== -1) {
    if (end === n - 1) return INVALID;
    for (let j = end + 1, place = 0; j < n; j++, place++) {
      const c = s.charCodeAt(j);
      if (!isDigit(c)) return INVALID;
      if (place === 0) cents += (c - 48) * 10;
      else if (place === 1) cents += c - 48;
      else if (c !== 48) return INVALID;
    }
  }
  if (cents > Number.MAX_SAFE_INTEGER) return INVALID;
  return negative && cents !== 0 ? -cents : cents;
}
