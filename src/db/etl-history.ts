import type { SqliteDatabase } from "./open.js";

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

/** Rows loaded out of read, per table, from the last committed ETL run (null if none). */
export function lastEtlQuality(db: SqliteDatabase): DataQuality | null {
  try {
    const run = db
      .prepare(
        "SELECT run_id, finished_at FROM etl_runs ORDER BY finished_at DESC, rowid DESC LIMIT 1",
      )
      .get() as { run_id: string; finished_at: string } | undefined;
    if (!run) return null;
    const files = db
      .prepare(
        "SELECT table_name, rows_read, rows_loaded, rows_rejected FROM etl_run_files WHERE run_id = ? ORDER BY rowid",
      )
      .all(run.run_id) as {
      table_name: string;
      rows_read: number;
      rows_loaded: number;
      rows_rejected: number;
    }[];
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
