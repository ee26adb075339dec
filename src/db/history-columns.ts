import { HISTORY_ADDED_COLUMNS } from "./ddl.js";
import type { SqliteDatabase } from "./open.js";

/**
 * Adds the history columns a database created by an older version lacks (see
 * `HISTORY_ADDED_COLUMNS`). Runs in the load's write transaction, before the run is recorded.
 * (A module of its own, without kysely: the ETL's start does not pay for loading it.)
 */
export function addHistoryColumns(db: SqliteDatabase): void {
  for (const { table, column, ddl } of HISTORY_ADDED_COLUMNS) {
    const columns = db.prepare("SELECT name FROM pragma_table_info(?)").pluck().all(table);
    if (!columns.includes(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${ddl}`);
  }
}
