import { InputError } from "../../errors.js";
import { normalizeHeader } from "../normalize/text.js";
import type { TableSpec } from "../tables.js";

export interface HeaderLayout {
  /** For each spec column, its position in the record, or -1 when absent (optional). */
  indexes: number[];
  fieldCount: number;
  /** Header names that match no column of the table (ignored, one warning per file). */
  extra: string[];
}

/**
 * Matches a file's header to its table's columns by name, in any order, after trimming,
 * lower-casing and stripping accents. A missing required column, or a column that appears
 * twice, stops the run: which one to load would be a guess.
 */
export function matchHeader(
  spec: TableSpec,
  header: readonly string[],
  file: string,
): HeaderLayout {
  const names = header.map(normalizeHeader);
  const known = new Set(spec.columns.map((column) => column.name));
  const indexes = spec.columns.map((column) => {
    const first = names.indexOf(column.name);
    if (first !== -1 && names.indexOf(column.name, first + 1) !== -1) {
      throw new InputError(
        file,
        1,
        `column "${column.name}" appears more than once in the header`,
        "duplicate_column",
      );
    }
    return first;
  });
  const missing = spec.columns.filter((column, i) => indexes[i] === -1 && !column.optional);
  if (missing.length > 0) {
    const list = missing.map((column) => `"${column.name}"`).join(", ");
    throw new InputError(
      file,
      1,
      `missing required column${missing.length > 1 ? "s" : ""} ${list} (header: ${header.map((h) => h.trim()).join(", ")})`,
      "missing_column",
    );
  }
  const extra = header.filter((_, i) => !known.has(names[i] as string)).map((name) => name.trim());
  return { indexes, fieldCount: header.length, extra };
}
