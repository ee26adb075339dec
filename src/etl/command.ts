import { defineCommand } from "../cli/command.js";
import { dbPathOption, JSON_OPTION } from "../cli/options.js";
import { formatCount } from "../cli/progress.js";
import type { OptionSpecs } from "../config.js";
import { type EtlReport, reportJson, summaryLine } from "./report.js";
import { runEtl } from "./run.js";

export const ETL_OPTIONS = {
  dataDir: {
    type: "string",
    flag: "data-dir",
    env: "DATA_DIR",
    default: "data",
    arg: "DIR",
    help: "Folder with productos.csv, clientes.csv, ventas.csv, inventario.csv",
  },
  dbPath: dbPathOption("SQLite database to (re)load"),
  json: JSON_OPTION,
  lockWaitMs: {
    type: "number",
    env: "ETL_LOCK_WAIT_MS",
    default: 600_000,
    min: 0,
    integer: true,
    help: "How long to wait for another ETL run loading the same database (ms)",
  },
} as const satisfies OptionSpecs;

/**
 * `npm run etl` as a library value: the pipeline and the scheduler call `run` directly.
 *
 * @example
 * const report = await etlCommand.run(
 *   { config: { ...defaults, dataDir: "data", dbPath: "database/empresa.db" }, args: [] },
 *   { log, signal, progress },
 * );
 */
export const etlCommand = defineCommand({
  name: "etl",
  summary:
    "Normalizes the four sales CSV files into the SQLite database, replacing its data as a whole.\n" +
    "Every row read is loaded or kept as a rejected row (file, line, reason). Exit 0 when the\n" +
    "load committed, 1 on a fatal input or database error (nothing changed), 2 on a usage error,\n" +
    "130/143 when interrupted by SIGINT/SIGTERM (nothing changed).",
  options: ETL_OPTIONS,
  logFile: "procesamiento",
  interruptedNote: "nothing changed in the database",
  async run({ config }, { log, signal, progress }): Promise<EtlReport> {
    const began = new Map<string, number>();
    log.info("etl started", { data_dir: config.dataDir, db: config.dbPath });
    const report = await runEtl({
      dataDir: config.dataDir,
      dbPath: config.dbPath,
      lockWaitMs: config.lockWaitMs,
      signal,
      onProgress(p) {
        if (!began.has(p.file)) began.set(p.file, Date.now());
        const seconds = (Date.now() - (began.get(p.file) ?? Date.now())) / 1000;
        const rate = seconds > 0 ? `${formatCount(p.read / seconds)} rows/s` : "";
        const percent = p.totalBytes > 0 ? `${Math.floor((100 * p.bytes) / p.totalBytes)}%` : "";
        progress.update(`${p.file}: ${formatCount(p.read)} rows ${percent} ${rate}`);
      },
      onWarning(message, fields) {
        progress.clear();
        log.warn(message, fields);
      },
      onFile(file) {
        progress.clear();
        log.info(summaryLine(file), {
          file: file.file,
          read: file.read,
          loaded: file.loaded,
          rejected: file.rejected,
          reasons: file.reasons,
        });
      },
    });
    progress.clear();
    const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
    log.info(`etl committed run ${report.runId} in ${seconds.toFixed(1)} s`, {
      run_id: report.runId,
      db: report.dbPath,
    });
    return report;
  },
  json: reportJson,
});
