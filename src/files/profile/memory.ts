import type { Columna } from "../types.js";
import type { ColumnState } from "./column.js";

/**
 * `memoria_estimada_bytes`: the size of the table in memory with the inferred types, in
 * the Arrow columnar layout (what pandas with the pyarrow backend, Polars and DuckDB's
 * vectors use): 8 bytes a value for integer, decimal and datetime, 4 for date, a bit for
 * boolean, and for text a 4-byte offset a row plus its characters; a validity bit a row
 * for every column that has nulls. Text characters are counted as UTF-16 code units, one
 * byte each (exact for ASCII, low by the extra bytes of other characters in UTF-8).
 */
export function estimateMemory(columnas: Columna[], states: ColumnState[], rows: number): number {
  let total = 0;
  columnas.forEach((columna, i) => {
    const state = states[i] as ColumnState;
    if (columna.nulos > 0) total += Math.ceil(rows / 8);
    switch (columna.tipo) {
      case "integer":
      case "decimal":
      case "datetime":
        total += 8 * rows;
        break;
      case "date":
        total += 4 * rows;
        break;
      case "boolean":
        total += Math.ceil(rows / 8);
        break;
      case "text":
        total += 4 * (rows + 1) + state.chars;
        break;
      case "empty":
        break;
    }
  });
  return total;
}
