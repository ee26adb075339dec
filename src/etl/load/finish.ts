import type { SqliteDatabase } from "../../db/open.js";
import type { FileReport } from "../report.js";

/** Rebuilds the per-day summary that the API reads instead of scanning every sale. */
export function rebuildDailySummary(db: SqliteDatabase): void {
  db.exec(`
    INSERT INTO ventas_resumen_diario (fecha, categoria, ciudad, ventas, unidades, importe_centavos)
    SELECT v.fecha,
           p.categoria,
           COALESCE(c.ciudad, 'ciudad_desconocida'),
           count(*),
           sum(v.cantidad),
           sum(v.cantidad * v.precio_unitario_centavos)
    FROM ventas v
    LEFT JOIN productos p ON p.producto_id = v.producto_id
    LEFT JOIN clientes c ON c.cliente_id = v.cliente_id
    GROUP BY 1, 2, 3
  `);
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
  db.prepare(
    "INSERT INTO etl_runs (run_id, started_at, finished_at, data_dir) VALUES (?, ?, ?, ?)",
  ).run(run.runId, run.startedAt, run.finishedAt, run.dataDir);
  const insert = db.prepare(`
    INSERT INTO etl_run_files (run_id, table_name, file, sha256, bytes, encoding, delimiter,
      rows_read, rows_loaded, rows_rejected, reasons, started_at, finished_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
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
      file.startedAt,
      file.finishedAt,
    );
  }
}
