import { sql } from "kysely";
import type { SqliteDatabase } from "./open.js";
import { all, first, query } from "./query.js";

// Here for its callers; it lives apart so that the ETL does not load kysely to use it.
export { addHistoryColumns } from "./history-columns.js";

export interface TableQuality {
  table: string;
  read: number;
  loaded: number;
  rejected: number;
  /** loaded / read, as a percentage with one decimal (100 when nothing was read). */
  percent: number;
}

export interface DataQuality {
  etlRunId: string;
  finishedAt: string;
  tables: TableQuality[];
}

/** The last committed ETL run (the data's identity), or undefined before the first one. */
export function latestEtlRun(
  db: SqliteDatabase,
): { run_id: string; finished_at: string } | undefined {
  return first(
    db,
    query
      .selectFrom("etl_runs")
      .select(["run_id", "finished_at"])
      .orderBy("finished_at", "desc")
      .orderBy(sql`rowid`, "desc")
      .limit(1),
  );
}

/** Rows loaded out of read, per table, from the last committed ETL run (null if none). */
export function lastEtlQuality(db: SqliteDatabase): DataQuality | null {
  try {
    const run = latestEtlRun(db);
    if (!run) return null;
    const files = all(
      db,
      query
        .selectFrom("etl_run_files")
        .select(["table_name", "rows_read", "rows_loaded", "rows_rejected"])
        .where("run_id", "=", run.run_id)
        .orderBy(sql`rowid`),
    );
    return {
      etlRunId: run.run_id,
      finishedAt: run.finished_at,
      tables: files.map((file) => ({
        table: file.table_name,
        read: file.rows_read,
        loaded: file.rows_loaded,
        rejected: file.rows_rejected,
        percent:
          file.rows_read === 0 ? 100 : Math.round((1000 * file.rows_loaded) / file.rows_read) / 10,
      })),
    };
  } catch {
    return null; // no run history (a database loaded by other means)
  }
}

/** "Ventas: 5,407/5,500 (98.3%)" */
export function qualityLine(quality: TableQuality): string {
  const name = quality.table.charAt(0).toUpperCase() + quality.table.slice(1);
  return `${name}: ${quality.loaded.toLocaleString("en-US")}/${quality.read.toLocaleString("en-US")} (${quality.percent.toFixed(1)}%)`;
}
