import type { SqliteDatabase } from "../../db/open.js";
import { dateText } from "../normalize/date.js";
import type { Batch, BatchColumn, RejectedRow } from "../read/table-reader.js";
import { dbColumnOf, type TableSpec } from "../tables.js";

/** Rows per INSERT statement: one statement per 32 rows is about 1.8× faster than per row. */
const ROWS_PER_STATEMENT = 32;

type Cell = string | number | null;

function cell(column: BatchColumn, row: number): Cell {
  const value = column[row];
  return value === undefined || (typeof value === "number" && Number.isNaN(value)) ? null : value;
}

/** `dateText` with a memo: a file has few distinct days, so each is formatted once. */
export function dateFormatter(): (date: number) => string {
  const memo = new Map<number, string>();
  return (date) => {
    let text = memo.get(date);
    if (text === undefined) {
      text = dateText(date);
      memo.set(date, text);
    }
    return text;
  };
}

/**
 * Inserts batches of normalized rows into a table with prepared multi-row statements.
 * Runs inside the load transaction; keys were already de-duplicated by the reader.
 */
export function tableWriter(db: SqliteDatabase, spec: TableSpec): (batch: Batch) => void {
  const names = spec.columns.map(dbColumnOf);
  const width = names.length;
  const tuple = `(${names.map(() => "?").join(", ")})`;
  const sql = (rows: number) =>
    `INSERT INTO ${spec.name} (${names.join(", ")}) VALUES ${Array(rows).fill(tuple).join(", ")}`;
  const many = db.prepare(sql(ROWS_PER_STATEMENT));
  const one = db.prepare(sql(1));
  const manyArgs: Cell[] = new Array(width * ROWS_PER_STATEMENT);
  const oneArgs: Cell[] = new Array(width);
  const isDate = spec.columns.map((column) => column.kind === "date");
  const formatDate = dateFormatter();
  const fill = (args: Cell[], at: number, columns: BatchColumn[], row: number) => {
    for (let c = 0; c < width; c++) {
      const value = cell(columns[c] as BatchColumn, row);
      args[at + c] = isDate[c] && value !== null ? formatDate(value as number) : value;
    }
  };
  return ({ columns, count }) => {
    let row = 0;
    for (; row + ROWS_PER_STATEMENT <= count; row += ROWS_PER_STATEMENT) {
      for (let r = 0; r < ROWS_PER_STATEMENT; r++) fill(manyArgs, r * width, columns, row + r);
      many.run(manyArgs);
    }
    for (; row < count; row++) {
      fill(oneArgs, 0, columns, row);
      one.run(oneArgs);
    }
  };
}

/** Inserts rejected rows, tagged with the run and the file they came from. */
export function rejectWriter(
  db: SqliteDatabase,
  runId: string,
): (file: string, rows: readonly RejectedRow[]) => void {
  const insert = db.prepare(
    "INSERT INTO rejected_rows (run_id, file, line, reason, column_name, raw_text) VALUES (?, ?, ?, ?, ?, ?)",
  );
  return (file, rows) => {
    for (const row of rows) insert.run(runId, file, row.line, row.reason, row.column, row.raw);
  };
}
