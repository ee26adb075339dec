import type { Rng } from "./rng.js";

/** Renders values in the many forms real exports use, all of which the ETL accepts. */

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** An ID in a random accepted form: `prod001`, `PROD-007`, `P_12`, `V 19`, `15`. */
export function messyId(rng: Rng, prefix: string, id: number): string {
  switch (rng.int(0, 5)) {
    case 0:
      return `${prefix.toLowerCase()}${pad(id, 3)}`;
    case 1:
      return `${prefix.toUpperCase()}-${pad(id, 3)}`;
    case 2:
      return `${prefix.toUpperCase()}_${id}`;
    case 3:
      return `${prefix} ${id}`;
    case 4:
      return ` ${prefix.toLowerCase()}${id} `;
    default:
      return String(id);
  }
}

export interface Ymd {
  year: number;
  month: number;
  day: number;
}

/** A date in a random accepted form (ISO most often, as in real exports). */
export function messyDate(rng: Rng, { year, month, day }: Ymd): string {
  const y = pad(year, 4);
  const m = pad(month, 2);
  const d = pad(day, 2);
  const hh = pad(rng.int(0, 23), 2);
  const mm = pad(rng.int(0, 59), 2);
  switch (rng.int(0, 15)) {
    case 0:
      return `${y}/${m}/${d}`;
    case 1:
      return `${y}.${m}.${d}`;
    case 2:
      return `${y}${m}${d}`;
    case 3:
      return `${d}/${m}/${y}`;
    case 4:
      return `${d}-${m}-${y}`;
    case 5:
      return `${d}.${m}.${y}`;
    case 6:
      return `${y}-${m}-${d}T${hh}:${mm}:00`;
    case 7:
      return `${y}-${m}-${d} ${hh}:${mm}`;
    case 8:
      return `${y}-${m}-${d}T${hh}:${mm}:07.250Z`;
    case 9:
      return `${y}-${m}-${d}T23:30:00-05:00`;
    default:
      return `${y}-${m}-${d}`;
  }
}

function groupThousands(units: number, separator: string): string {
  return String(units).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/**
 * How a column writes its decimals (contract v1.1): `thousands` as in Colombia (`1.299,00`,
 * `$1.299`, `25,50`), `decimal_point` as in the US (`1,299.00`, `25.50`, `25.500`). A
 * column keeps to one, so that its dot-grouped values (`1.299`, `25.500`) have a convention.
 */
export type AmountStyle = "thousands" | "decimal_point";

/**
 * An amount in cents in a random accepted form of the column's style (one draw of `rng`
 * whatever the style, so the rest of the sample does not depend on it).
 */
export function messyAmount(rng: Rng, cents: number, style: AmountStyle): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100);
  const fraction = pad(abs % 100, 2);
  const form = rng.int(0, 7);
  if (style === "thousands") {
    const dotted = groupThousands(units, ".");
    switch (form) {
      case 0:
        return `${sign}${dotted},${fraction}`;
      case 1:
        return `$${sign}${dotted},${fraction}`;
      case 2:
        return `${sign}${units},${fraction}`;
      case 3:
        return `€${sign}${dotted},${fraction}`;
      case 4:
        return fraction === "00" ? `$${sign}${dotted}` : `${sign}${units},${fraction}`;
      case 5:
        if (fraction === "00") return `${sign}${dotted}`;
        return fraction.endsWith("0")
          ? `${sign}${units},${fraction[0]}`
          : `${sign}${units},${fraction}`;
      default:
        return `${sign}${units},${fraction}`;
    }
  }
  const commas = groupThousands(units, ",");
  switch (form) {
    case 0:
      return `${sign}${commas}.${fraction}`;
    case 1:
      return `$${sign}${commas}.${fraction}`;
    case 2:
      return `${sign}${units}.${fraction}00`;
    case 3:
      return `€${sign}${units}.${fraction}`;
    case 4:
      return fraction === "00" && units >= 1000
        ? `${sign}${commas}`
        : `${sign}${units}.${fraction}`;
    case 5:
      // Three decimals: `25.500` is dot-grouped (the column's decimal point reads it 25.50).
      return `${sign}${commas}.${fraction}0`;
    default:
      return `${sign}${units}.${fraction}`;
  }
}

/** An integer in a random accepted form: `3`, `3.0`, `3.00`, ` 3 `. */
export function messyInteger(rng: Rng, value: number): string {
  switch (rng.int(0, 5)) {
    case 0:
      return `${value}.0`;
    case 1:
      return ` ${value} `;
    case 2:
      return `${value}.00`;
    default:
      return String(value);
  }
}

/**
 * An integer in a column whose convention is thousands: `12`, ` 12 `, `12.500`,
 * `1.250.000`, sometimes `12500` (never `12.0`, which would be decimal-point evidence).
 */
export function messyGroupedInteger(rng: Rng, value: number): string {
  const form = rng.int(0, 5);
  if (form === 0) return ` ${value} `;
  if (form === 1 || Math.abs(value) < 1000) return String(value);
  return groupThousands(value, ".");
}

/** `value` with dots between groups of three digits: `1.500`, `1.000.000`. */
export function dotGrouped(value: number): string {
  return groupThousands(value, ".");
}

/** Text with random surrounding and inner whitespace and letter case. */
export function messyText(rng: Rng, text: string, changeCase: boolean): string {
  let out = text;
  if (changeCase) {
    const mode = rng.int(0, 3);
    if (mode === 0) out = out.toUpperCase();
    else if (mode === 1) out = out.toLowerCase();
  }
  if (rng.chance(0.2)) out = `  ${out}`;
  if (rng.chance(0.2)) out = `${out} `;
  if (rng.chance(0.1)) out = out.replace(" ", "   ");
  return out;
}
