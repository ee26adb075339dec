import { randomUUID } from "node:crypto";
import { existsSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { openForWrite } from "../db/open.js";
import { createIndexes, prepareForLoad } from "../db/prepare.js";
import { DatabaseError, InputError } from "../errors.js";
import { recordRun, writeDailySummary } from "./load/finish.js";
import { rejectWriter, tableWriter } from "./load/writer.js";
import type { ReadJob } from "./read/protocol.js";
import { readInWorker } from "./read/reader-thread.js";
import type { Batch } from "./read/table-reader.js";
import type { EtlReport, FileReport } from "./report.js";
import { TABLES, type TableName } from "./tables.js";

export interface EtlProgress {
  table: TableName;
  file: string;
  read: number;
  bytes: number;
  totalBytes: number;
}

export interface EtlOptions {
  dataDir: string;
  dbPath: string;
  /** Called as rows are read (about every 65,536 rows per file). */
  onProgress?: (progress: EtlProgress) => void;
  /** Called when a file is finished, before the run commits. */
  onFile?: (file: FileReport) => void;
  /** Called when a file has header columns that match nothing (once per file). */
  onWarning?: (message: string, fields: Record<string, unknown>) => void;
}

/** Checks that every input file is there and readable before anything is touched. */
function inputJobs(dataDir: string): ReadJob[] {
  return TABLES.map((spec) => {
    const path = join(dataDir, spec.file);
    if (!existsSync(path)) {
      throw new InputError(
        spec.file,
        undefined,
        `input file not found (looked for ${path})`,
        "missing_file",
      );
    }
    if (!statSync(path).isFile()) {
      throw new InputError(spec.file, undefined, `${path} is not a regular file`, "unreadable");
    }
    return { table: spec.name, path, label: spec.file };
  });
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"])
    rmSync(`${path}${suffix}`, { force: true });
}

/**
 * Loads the four CSV files of `dataDir` into the database at `dbPath`, replacing its data
 * as a whole in one transaction: readers see the old data until the commit and the new
 * data after it, and a run that fails or is killed leaves the old data in place.
 *
 * @example
 * const report = await runEtl({ dataDir: "data", dbPath: "database/empresa.db" });
 * report.files.find((f) => f.table === "ventas")?.loaded; // 5407
 */
export async function runEtl(options: EtlOptions): Promise<EtlReport> {
  const runId = randomUUID();
  const startedAt = new Date().toISOString();
  const jobs = inputJobs(options.dataDir);
  const existed = existsSync(options.dbPath);
  const db = openForWrite(options.dbPath);
  const files: FileReport[] = [];
  try {
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
      throw new DatabaseError(
        `${options.dbPath}: another process kept the database locked for 30 s (another ETL run?); nothing changed`,
      );
    }
    prepareForLoad(db, options.dbPath);
    const writers = new Map<TableName, (batch: Batch) => void>(
      TABLES.map((spec) => [spec.name, tableWriter(db, spec)]),
    );
    const writeRejects = rejectWriter(db, runId);
    const pending = new Map<
      TableName,
      Omit<FileReport, "read" | "loaded" | "rejected" | "reasons" | "extraColumns" | "finishedAt">
    >();
    const labels = new Map(jobs.map((job) => [job.table, job.label]));
    const labelOf = (table: TableName) => labels.get(table) ?? table;

    await readInWorker(jobs, {
      start(table, facts, fileStartedAt) {
        pending.set(table, {
          table,
          file: labelOf(table),
          sha256: facts.sha256,
          bytes: facts.bytes,
          encoding: facts.encoding,
          delimiter: facts.delimiter,
          startedAt: fileStartedAt,
        });
        if (facts.encoding !== "utf-8") {
          options.onWarning?.(`${labelOf(table)}: not valid UTF-8, read as Windows-1252`, {
            file: labelOf(table),
          });
        }
      },
      batch(table, batch) {
        (writers.get(table) as (batch: Batch) => void)(batch);
      },
      rejects(table, rows) {
        writeRejects(labelOf(table), rows);
      },
      progress(table, read, bytes, totalBytes) {
        options.onProgress?.({ table, file: labelOf(table), read, bytes, totalBytes });
      },
      done(table, stats, finishedAt) {
        const base = pending.get(table);
        if (!base) throw new Error(`reader finished ${table} before starting it`);
        const report: FileReport = { ...base, ...stats, finishedAt };
        if (stats.extraColumns.length > 0) {
          options.onWarning?.(
            `${report.file}: ignoring extra columns ${stats.extraColumns.join(", ")}`,
            {
              file: report.file,
              columns: stats.extraColumns,
            },
          );
        }
        files.push(report);
        options.onFile?.(report);
      },
      summary(rows) {
        writeDailySummary(db, rows);
      },
    });

    createIndexes(db);
    const finishedAt = new Date().toISOString();
    const dataDir = resolve(options.dataDir);
    recordRun(db, { runId, startedAt, finishedAt, dataDir, files });
    db.exec("COMMIT");
    return { runId, dataDir, dbPath: options.dbPath, startedAt, finishedAt, files };
  } catch (error) {
    if (db.inTransaction) db.exec("ROLLBACK");
    db.close();
    if (!existed) removeDatabaseFiles(options.dbPath);
    throw error;
  } finally {
    if (db.open) {
      db.pragma("wal_checkpoint(PASSIVE)");
      db.close();
    }
  }
}
