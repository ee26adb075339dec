import type { SqliteDatabase } from "../../db/open.js";
import type { Batch, RejectedRow } from "../read/table-reader.js";
import { dbColumnOf, type TableSpec } from "../tables.js";

/**
 * Inserts batches of normalized rows into a table with one prepared statement. Runs
 * inside the load transaction; keys were already de-duplicated by the reader.
 */
export function tableWriter(db: SqliteDatabase, spec: TableSpec): (batch: Batch) => void {
  const names = spec.columns.map(dbColumnOf);
  const insert = db.prepare(
    `INSERT INTO ${spec.name} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
  );
  const width = names.length;
  const args: (string | number | null)[] = new Array(width);
  return (batch) => {
    const { columns, count } = batch;
    for (let row = 0; row < count; row++) {
      for (let c = 0; c < width; c++) {
        const value = (columns[c] as Batch["columns"][number])[row];
        args[c] =
          value === undefined || (typeof value === "number" && Number.isNaN(value)) ? null : value;
      }
      insert.run(args);
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
