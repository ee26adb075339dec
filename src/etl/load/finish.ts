import { addHistoryColumns } from "../../db/history-columns.js";
import type { SqliteDatabase } from "../../db/open.js";
import type { FileReport } from "../report.js";
import type { DailySummaryRow } from "./daily-summary.js";
import { dateFormatter } from "./writer.js";

/** Writes the per-day summary (summed from the loaded batches) that the API reads. */
export function writeDailySummary(db: SqliteDatabase, rows: readonly DailySummaryRow[]): void {
  const insert = db.prepare(`
    INSERT INTO ventas_resumen_diario (fecha, categoria, ciudad, ventas, unidades, importe_centavos)
    VALUES (@fecha, @categoria, @ciudad, @ventas, @unidades, @importe_centavos)`);
  const formatDate = dateFormatter();
  for (const row of rows) insert.run({ ...row, fecha: formatDate(row.fecha) });
}

export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt: string;
  dataDir: string;
  files: FileReport[];
}

/** Records the run and its per-file figures in the history tables. */
export function recordRun(db: SqliteDatabase, run: RunRecord): void {
  addHistoryColumns(db);
  db.prepare(
    "INSERT INTO etl_runs (run_id, started_at, finished_at, data_dir) VALUES (?, ?, ?, ?)",
  ).run(run.runId, run.startedAt, run.finishedAt, run.dataDir);
  const insert = db.prepare(`
    INSERT INTO etl_run_files (run_id, table_name, file, sha256, bytes, encoding, delimiter,
      rows_read, rows_loaded, rows_rejected, reasons, recoded_records, started_at, finished_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const file of run.files) {
    insert.run(
      run.runId,
      file.table,
      file.file,
      file.sha256,
      file.bytes,
      file.encoding,
      file.delimiter,
      file.read,
      file.loaded,
      file.rejected,
      JSON.stringify(file.reasons),
      file.recodedRecords,
      file.startedAt,
      file.finishedAt,
    );
  }
}
