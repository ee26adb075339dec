import { InputError } from "../../errors.js";
import { normalizeHeader } from "../normalize/text.js";
import type { TableSpec } from "../tables.js";
import { excerpt } from "./excerpt.js";

/** Extra column names listed, each shortened to `NAME_CHARS` characters: a message stays short. */
const EXTRA_NAMES = 10;
const NAME_CHARS = 40;

export interface HeaderLayout {
  /** For each spec column, its position in the record, or -1 when absent (optional). */
  indexes: number[];
  fieldCount: number;
  /**
   * Header names that match no column of the table (ignored, one warning per file): at
   * most 10, each escaped and shortened (see `excerpt`), then `…and N more`.
   */
  extra: string[];
}

/**
 * Matches a file's header to its table's columns by name, in any order, after trimming,
 * lower-casing and stripping accents. A missing required column, or a column that appears
 * twice, stops the run: which one to load would be a guess. The messages quote the header
 * as a short escaped excerpt only (it may be anything, a binary file's bytes included).
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
      `missing required column${missing.length > 1 ? "s" : ""} ${list} (header: ${excerpt(header.map((h) => h.trim()).join(", "), 120)})`,
      "missing_column",
    );
  }
  const extra = header.filter((_, i) => !known.has(names[i] as string));
  const listed = extra.slice(0, EXTRA_NAMES).map((name) => excerpt(name.trim(), NAME_CHARS));
  if (extra.length > EXTRA_NAMES) listed.push(`…and ${extra.length - EXTRA_NAMES} more`);
  return { indexes, fieldCount: header.length, extra: listed };
}
