/**
 * The contract's number rules (v1.1, section 2), written from the contract for the
 * manifest. Deliberately independent of the ETL's normalizer (`src/etl/normalize`): the
 * manifest predicts what a correct ETL must do, so the two check each other.
 */

/** What a value says about its column's convention for dot-grouped numbers. */
export type Evidence = "thousands" | "decimal_point";

/**
 * How a column in a file reads a dot-grouped value such as `1.500`: by the evidence of
 * the column's other valid values; with none (`none`) or both ways (`both`), such a value
 * is `ambiguous_number`.
 */
export type Convention = Evidence | "both" | "none";

export type Reading =
  /** Not a number of this kind under any convention: `invalid_number`. */
  | { kind: "invalid" }
  /** A number whatever the convention (cents for a decimal, units for an integer). */
  | { kind: "value"; value: number; evidence: Evidence | null }
  /**
   * Only dots as separators, one dot followed by exactly three digits (`1.500`): read by
   * the column's convention. `null`: invalid when read that way, or (`decimalPoint` of an
   * integer) a reading the contract does not settle, which the generator never writes.
   */
  | { kind: "dot_grouped"; thousands: number | null; decimalPoint: number | null };

const INVALID: Reading = { kind: "invalid" };
const DIGITS = /^\d+$/;

/** `1`, `12`, `1.299`, `1.000.000` with `separator`: 1-3 digits then groups of exactly 3; a grouped number never starts with 0. */
function grouped(text: string, separator: string): number | null {
  if (!text.includes(separator)) return DIGITS.test(text) ? Number(text) : null;
  const groups = text.split(separator);
  const first = groups[0] as string;
  if (!DIGITS.test(first)) return null;
  if (groups.length > 1) {
    if (first.length > 3 || first.startsWith("0")) return null;
    for (let i = 1; i < groups.length; i++) {
      const group = groups[i] as string;
      if (group.length !== 3 || !DIGITS.test(group)) return null;
    }
  }
  return Number(groups.join(""));
}

/** Cents of a fraction's digits, exact to the cent (`5` → 50, `500` → 50, `505` → null). */
function fractionCents(digits: string): number | null {
  if (!DIGITS.test(digits)) return null;
  if (!/^0*$/.test(digits.slice(2))) return null;
  return Number(digits.slice(0, 2).padEnd(2, "0"));
}

const cents = (units: number | null, fraction: number | null): number | null =>
  units === null || fraction === null ? null : units * 100 + fraction;

/** `units.digits` with a decimal point, the integer part ungrouped. */
function decimalPoint(intPart: string, fraction: string): number | null {
  return DIGITS.test(intPart) ? cents(Number(intPart), fractionCents(fraction)) : null;
}

function count(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * Reads a decimal value (`precio`, `precio_unitario`) by the contract: optional `$` or `€`,
 * optional sign, digits with optional thousands separators and decimals.
 *
 * @example
 * readDecimal("1.299,00"); // { kind: "value", value: 129900, evidence: "thousands" }
 * readDecimal("$1.299");   // { kind: "dot_grouped", thousands: 129900, decimalPoint: null } (1.299 is not exact to the cent)
 */
export function readDecimal(text: string): Reading {
  const s = text.trim();
  let i = 0;
  if (s[0] === "$" || s[0] === "€") i++;
  let sign = 1;
  if (s[i] === "-" || s[i] === "+") {
    if (s[i] === "-") sign = -1;
    i++;
  }
  const body = s.slice(i);
  if (!/^\d[\d.,]*$/.test(body)) return INVALID;
  const signed = (v: number | null) => (v === null ? null : v === 0 ? 0 : sign * v);
  const value = (v: number | null, evidence: Evidence | null): Reading =>
    v === null ? INVALID : { kind: "value", value: signed(v) as number, evidence };
  const dots = count(body, ".");
  const commas = count(body, ",");
  if (dots > 0 && commas > 0) {
    const last = Math.max(body.lastIndexOf("."), body.lastIndexOf(","));
    const decimal = body[last] as string;
    if (count(body, decimal) !== 1) return INVALID;
    const units = grouped(body.slice(0, last), decimal === "." ? "," : ".");
    return value(
      cents(units, fractionCents(body.slice(last + 1))),
      decimal === "," ? "thousands" : "decimal_point",
    );
  }
  if (commas > 0) {
    const last = body.lastIndexOf(",");
    const after = body.length - last - 1;
    if (commas === 1 && (after === 1 || after === 2))
      return value(
        DIGITS.test(body.slice(0, last))
          ? cents(Number(body.slice(0, last)), fractionCents(body.slice(last + 1)))
          : null,
        "thousands",
      );
    return value(cents(grouped(body, ","), 0), "decimal_point");
  }
  if (dots === 1) {
    const last = body.indexOf(".");
    const after = body.length - last - 1;
    const point = decimalPoint(body.slice(0, last), body.slice(last + 1));
    if (after === 3)
      return {
        kind: "dot_grouped",
        thousands: signed(cents(grouped(body, "."), 0)),
        decimalPoint: signed(point),
      };
    return value(point, "decimal_point");
  }
  if (dots > 1) return value(cents(grouped(body, "."), 0), "thousands");
  return value(cents(Number(body), 0), null);
}

/**
 * Reads an integer value (`cantidad`, `stock`) by the contract: `-?digits`, optionally
 * `.0` or `.00`; dot-grouped values follow the column's convention.
 *
 * @example
 * readInteger("3.0");       // { kind: "value", value: 3, evidence: "decimal_point" }
 * readInteger("1.000.000"); // { kind: "value", value: 1000000, evidence: "thousands" }
 * readInteger("2.5");       // { kind: "invalid" }
 */
export function readInteger(text: string): Reading {
  const s = text.trim();
  const negative = s.startsWith("-");
  const body = negative ? s.slice(1) : s;
  const signed = (v: number) => (negative && v !== 0 ? -v : v);
  if (DIGITS.test(body)) return { kind: "value", value: signed(Number(body)), evidence: null };
  const zeros = /^(\d+)\.(0|00)$/.exec(body);
  if (zeros) return { kind: "value", value: signed(Number(zeros[1])), evidence: "decimal_point" };
  if (!/^\d+(\.\d{3})+$/.test(body)) return INVALID;
  const units = grouped(body, ".");
  if (count(body, ".") === 1)
    return {
      kind: "dot_grouped",
      thousands: units === null ? null : signed(units),
      decimalPoint: null,
    };
  return units === null ? INVALID : { kind: "value", value: signed(units), evidence: "thousands" };
}

/** The convention that evidence seen in a column makes. */
export function conventionOf(evidence: { thousands: boolean; decimalPoint: boolean }): Convention {
  if (evidence.thousands && evidence.decimalPoint) return "both";
  if (evidence.thousands) return "thousands";
  if (evidence.decimalPoint) return "decimal_point";
  return "none";
}
