import { randomUUID } from "node:crypto";
import { existsSync, linkSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { SqliteDatabase } from "../db/open.js";
import { openForWrite } from "../db/open.js";
import { createIndexes, prepareForLoad } from "../db/prepare.js";
import { AppError, DatabaseError, InputError, throwIfAborted } from "../errors.js";
import { DailySummary } from "./load/daily-summary.js";
import { recordRun, writeDailySummary } from "./load/finish.js";
import { rejectWriter, tableWriter } from "./load/writer.js";
import type { ReadJob } from "./read/protocol.js";
import { readInWorker } from "./read/reader-thread.js";
import type { Batch, ReadStats } from "./read/table-reader.js";
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
  /** Stops the run (nothing changes in the database): `npm run etl` aborts it on SIGTERM/SIGINT. */
  signal?: AbortSignal;
  /** How long to wait for another ETL run writing the same database (ms, default 10 minutes). */
  lockWaitMs?: number;
  /** Called as rows are read (about every 65,536 rows per file). */
  onProgress?: (progress: EtlProgress) => void;
  /** Called when a file is finished, before the run commits. */
  onFile?: (file: FileReport) => void;
  /** Called when a file has header columns that match nothing (once per file). */
  onWarning?: (message: string, fields: Record<string, unknown>) => void;
}

/** Checks that every input file is there and readable before anything is touched. */
function inputJobs(dataDir: string): ReadJob[] {
  if (!existsSync(dataDir))
    throw new AppError(
      `data folder ${dataDir} does not exist (--data-dir, DATA_DIR)`,
      "missing_folder",
      1,
    );
  if (!statSync(dataDir).isDirectory())
    throw new AppError(
      `data folder ${dataDir} is not a folder (--data-dir, DATA_DIR)`,
      "missing_folder",
      1,
    );
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

const TEMP_MARK = ".loading-";

/** Removes the temporary databases of first runs that were killed (their process is gone). */
function removeAbandonedTemps(dbPath: string): void {
  const dir = dirname(dbPath);
  const prefix = `${basename(dbPath)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH")
        rmSync(join(dir, name), { force: true });
    }
  }
}

/**
 * Takes the write lock (`BEGIN IMMEDIATE`), waiting for another writer up to `waitMs` in
 * short steps, so the wait can be interrupted by the signal.
 */
async function beginWrite(
  db: SqliteDatabase,
  dbPath: string,
  waitMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  db.pragma("busy_timeout = 200");
  for (;;) {
    throwIfAborted(signal);
    try {
      db.exec("BEGIN IMMEDIATE");
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
      if (Date.now() >= deadline)
        throw new DatabaseError(
          `${dbPath}: another process (another ETL run?) kept the database locked for ${Math.round(waitMs / 1000)} s; nothing changed`,
        );
      await sleep(100);
    }
  }
  db.pragma("busy_timeout = 30000");
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
  const { signal } = options;
  throwIfAborted(signal);
  const jobs = inputJobs(options.dataDir);
  removeAbandonedTemps(options.dbPath);
  // A first run builds the database under a temporary name and renames it into place at
  // the end: a failed or killed first run leaves nothing at the path, and can never
  // remove a database that another run is writing there.
  const fresh = !existsSync(options.dbPath);
  const writePath = fresh
    ? `${options.dbPath}${TEMP_MARK}${process.pid}-${runId.slice(0, 8)}`
    : options.dbPath;
  const db = openForWrite(writePath, undefined, { build: fresh });
  const files: FileReport[] = [];
  try {
    await beginWrite(db, options.dbPath, options.lockWaitMs ?? 600_000, signal);
    prepareForLoad(db, options.dbPath);
    const writers = new Map<TableName, (batch: Batch) => void>(
      TABLES.map((spec) => [spec.name, tableWriter(db, spec)]),
    );
    const writeRejects = rejectWriter(db, runId);
    const summary = new DailySummary();
    const pending = new Map<TableName, Omit<FileReport, keyof ReadStats | "finishedAt">>();
    const labels = new Map(jobs.map((job) => [job.table, job.label]));
    const labelOf = (table: TableName) => labels.get(table) ?? table;

    // Every handler checks the signal: throwing from one stops the reader thread.
    await readInWorker(jobs, {
      start(table, facts, fileStartedAt) {
        throwIfAborted(signal);
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
        throwIfAborted(signal);
        (writers.get(table) as (batch: Batch) => void)(batch);
        summary.addBatch(table, batch);
      },
      rejects(table, rows) {
        throwIfAborted(signal);
        writeRejects(labelOf(table), rows);
      },
      progress(table, read, bytes, totalBytes) {
        throwIfAborted(signal);
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
        if (stats.loaded === 0) {
          const why = Object.entries(stats.reasons)
            .map(([reason, count]) => `${reason} ${count}`)
            .join(", ");
          options.onWarning?.(
            stats.read === 0
              ? `${report.file}: no rows after the header: table ${table} will be empty`
              : `${report.file}: none of its ${stats.read} rows loaded (${why}): table ${table} will be empty`,
            { file: report.file, read: stats.read },
          );
        }
        if (stats.recodedRecords > 0) {
          options.onWarning?.(
            `${report.file}: ${stats.recodedRecords} record(s) not valid UTF-8, read as Windows-1252`,
            { file: report.file, recoded_records: stats.recodedRecords },
          );
        }
        files.push(report);
        options.onFile?.(report);
      },
      end() {
        throwIfAborted(signal);
        writeDailySummary(db, summary.rows());
      },
    });

    createIndexes(db);
    const finishedAt = new Date().toISOString();
    const dataDir = resolve(options.dataDir);
    recordRun(db, { runId, startedAt, finishedAt, dataDir, files });
    throwIfAborted(signal);
    db.exec("COMMIT");
    if (fresh) {
      // Built with its journal in memory (see openForWrite): from now on, WAL like any other.
      db.pragma("journal_mode = WAL");
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.close();
      // A hard link, unlike a rename, never replaces: if another first run put a database
      // at the path meanwhile, this run loads into that one instead (waiting for its turn),
      // so neither load vanishes.
      try {
        linkSync(writePath, options.dbPath);
      } catch (error) {
        removeDatabaseFiles(writePath);
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        return runEtl(options);
      }
      removeDatabaseFiles(writePath);
    }
    return { runId, dataDir, dbPath: options.dbPath, startedAt, finishedAt, files };
  } catch (error) {
    if (db.open && db.inTransaction) db.exec("ROLLBACK");
    if (db.open) db.close();
    if (fresh) removeDatabaseFiles(writePath);
    throw error;
  } finally {
    if (db.open) {
      db.pragma("wal_checkpoint(PASSIVE)");
      db.close();
    }
  }
}
