import type { ColumnKind, ColumnSpec, TableSpec } from "../tables.js";
import { parseDate } from "./date.js";
import { normalizeId } from "./id.js";
import { normalizeCents, normalizeInteger } from "./number.js";
import { INVALID, type ReasonCode } from "./result.js";
import { normalizeCategory, normalizeCity, normalizeName } from "./text.js";

/** A normalized value; dates are YYYYMMDD numbers here (see `dateText`). */
export type Value = string | number | null;

const NORMALIZERS: Record<ColumnKind, (text: string) => Value | typeof INVALID> = {
  id: normalizeId,
  date: parseDate,
  integer: normalizeInteger,
  decimal: normalizeCents,
  name: normalizeName,
  category: normalizeCategory,
  city: normalizeCity,
};

const REASON_OF: Record<ColumnKind, ReasonCode> = {
  id: "invalid_id",
  date: "invalid_date",
  integer: "invalid_number",
  decimal: "invalid_number",
  name: "missing_value",
  category: "missing_value",
  city: "missing_value",
};

export interface Rejection {
  reason: ReasonCode;
  /** The column that failed, when one did. */
  column: string | null;
}

/**
 * Normalizes one record of a file into the values of its table's columns, in spec order.
 * `indexes[i]` is the position in the record of spec column i, or -1 when the (optional)
 * column is absent from the file. Returns the values, or the first rejection found.
 */
export type RowNormalizer = (record: readonly string[], out: Value[]) => Rejection | null;

/**
 * Builds the row normalizer of a table for one file's column layout.
 *
 * @example
 * const normalize = rowNormalizer(tableSpec("clientes"), [0, 1, 2], 3);
 * const out: Value[] = [];
 * normalize(["C_12", " Ana ", " medellín "], out); // null; out = [12, "Ana", "Medellín"]
 */
export function rowNormalizer(
  spec: TableSpec,
  indexes: readonly number[],
  fieldCount: number,
): RowNormalizer {
  const columns: readonly ColumnSpec[] = spec.columns;
  const normalizers = columns.map((column) => NORMALIZERS[column.kind]);
  return (record, out) => {
    if (record.length !== fieldCount) return { reason: "field_count", column: null };
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as ColumnSpec;
      const index = indexes[i] as number;
      const text = index < 0 ? "" : (record[index] as string);
      if (text.length === 0 || text.trim().length === 0) {
        if (column.emptyAllowed) {
          out[i] = null;
          continue;
        }
        return { reason: "missing_value", column: column.name };
      }
      const value = (normalizers[i] as (typeof NORMALIZERS)[ColumnKind])(text);
      if (value === INVALID) return { reason: REASON_OF[column.kind], column: column.name };
      out[i] = value;
    }
    return null;
  };
}
