import type { ColumnKind, ColumnSpec, TableSpec } from "../tables.js";
import { parseDate } from "./date.js";
import { normalizeId } from "./id.js";
import { NumberColumn } from "./number-column.js";
import { AMBIGUOUS, INVALID, type ReasonCode } from "./result.js";
import { normalizeCategory, normalizeCity, normalizeName } from "./text.js";

/** A normalized value; dates are YYYYMMDD numbers here (see `dateText`). */
export type Value = string | number | null;

type TextNormalizer = (text: string) => Value | typeof INVALID;

const NORMALIZERS: Record<Exclude<ColumnKind, "integer" | "decimal">, TextNormalizer> = {
  id: normalizeId,
  date: parseDate,
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
 * What `normalize` returns for a row holding a dot-grouped number (`1.500`) whose column's
 * convention is not known yet: the row must wait for the end of the file.
 */
export const DEFER: unique symbol = Symbol("defer");

export interface RowNormalizer {
  /**
   * Normalizes one record into the values of its table's columns, in spec order: `null`
   * when clean, the first rejection found, or `DEFER` (until `resolve`). After a `DEFER`,
   * `keyKnown(position)` tells whether the value at that position was normalized cleanly.
   */
  normalize(record: readonly string[], out: Value[]): Rejection | null | typeof DEFER;
  /** Whether the value at spec position `position` was clean in the last deferred row. */
  keyKnown(position: number): boolean;
  /**
   * Fixes each number column's convention from the evidence of the whole file; from then
   * on `normalize` never defers (an undecided value is `ambiguous_number`).
   */
  resolve(): void;
}

/**
 * Builds the row normalizer of a table for one file's column layout. `indexes[i]` is the
 * position in the record of spec column i, or -1 when the (optional) column is absent.
 * Number columns keep the evidence of every valid value they see (in any row whose field
 * count is right, rejected or not): the convention of the column in this file.
 *
 * @example
 * const rows = rowNormalizer(tableSpec("clientes"), [0, 1, 2], 3);
 * const out: Value[] = [];
 * rows.normalize(["C_12", " Ana ", " medellín "], out); // null; out = [12, "Ana", "Medellín"]
 */
export function rowNormalizer(
  spec: TableSpec,
  indexes: readonly number[],
  fieldCount: number,
): RowNormalizer {
  const columns: readonly ColumnSpec[] = spec.columns;
  const width = columns.length;
  const numbers = columns.map((column) =>
    column.kind === "integer" || column.kind === "decimal" ? new NumberColumn(column.kind) : null,
  );
  const normalizers = columns.map((column) =>
    column.kind === "integer" || column.kind === "decimal" ? null : NORMALIZERS[column.kind],
  );
  let resolved = false;
  /** In the last deferred row, the first column that failed for another reason. */
  let failedAt = width;

  /** Lets the number columns after `from` see a row that is rejected or deferred anyway. */
  const collectEvidence = (record: readonly string[], from: number) => {
    for (let i = from; i < width; i++) {
      const number = numbers[i];
      const index = indexes[i] as number;
      if (number && index >= 0) number.normalize(record[index] as string);
    }
  };

  /**
   * The slow path of `normalize`, for column `i` whose text is empty or whose value is
   * INVALID or AMBIGUOUS: the rejection, or null when the row goes on (an allowed empty
   * value, or a value that waits for its column's convention: `deferred` is then set).
   */
  let deferred = false;
  const problem = (
    i: number,
    text: string,
    value: Value | typeof INVALID | typeof AMBIGUOUS,
    out: Value[],
  ): Rejection | null => {
    const column = columns[i] as ColumnSpec;
    if (text.length === 0 || text.trim().length === 0) {
      if (!column.emptyAllowed) return { reason: "missing_value", column: column.name };
      out[i] = null;
      return null;
    }
    if (value === INVALID) return { reason: REASON_OF[column.kind], column: column.name };
    if (!resolved && !(numbers[i] as NumberColumn).undecided) {
      deferred = true;
      return null;
    }
    return { reason: "ambiguous_number", column: column.name };
  };

  const normalize = (record: readonly string[], out: Value[]): Rejection | null | typeof DEFER => {
    if (record.length !== fieldCount) return { reason: "field_count", column: null };
    deferred = false;
    for (let i = 0; i < width; i++) {
      const index = indexes[i] as number;
      const text = index < 0 ? "" : (record[index] as string);
      const number = numbers[i] as NumberColumn | null;
      const value =
        text.length === 0 || text.trim().length === 0
          ? INVALID
          : number === null
            ? (normalizers[i] as TextNormalizer)(text)
            : number.normalize(text);
      if (value !== INVALID && value !== AMBIGUOUS) {
        out[i] = value;
        continue;
      }
      const rejection = problem(i, text, value, out);
      if (rejection === null) continue;
      collectEvidence(record, i + 1);
      if (!deferred) return rejection;
      failedAt = i;
      return DEFER;
    }
    if (!deferred) return null;
    failedAt = width;
    return DEFER;
  };

  return {
    normalize,
    keyKnown: (position) => position < failedAt && numbers[position] === null,
    resolve() {
      resolved = true;
      for (const number of numbers) number?.resolve();
    },
  };
}
