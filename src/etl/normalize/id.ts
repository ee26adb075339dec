import { INVALID, type Normalized } from "./result.js";

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * An ID: optional ASCII letters, optional one of `-` `_` or space, then digits.
 * Returns the integer value of the digits, which must be at least 1.
 *
 * @example
 * normalizeId("prod001"); // 1
 * normalizeId("PROD-007"); // 7
 * normalizeId("prod000"); // INVALID
 */
export function normalizeId(text: string): Normalized<number> {
  const s = text.trim();
  const n = s.length;
  let i = 0;
  while (i < n && isLetter(s.charCodeAt(i))) i++;
  if (i < n) {
    const c = s.charCodeAt(i);
    if (c === 45 || c === 95 || c === 32) i++;
  }
  if (i === n) return INVALID;
  let value = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return INVALID;
    value = value * 10 + (c - 48);
  }
  if (value < 1 || value > Number.MAX_SAFE_INTEGER) return INVALID;
  return value;
}
