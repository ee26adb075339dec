import { existsSync } from "node:fs";
import Sqlite from "better-sqlite3";

/** One input file of the last ETL run. */
export interface EtlFileStatus {
  table: string;
  file: string;
  read: number;
  loaded: number;
  rejected: number;
}

/** What the overview says about the sales database (`DB_PATH`). */
export interface SalesStatus {
  /** `missing`: no file yet; `unreadable`: not a database the console can read. */
  database: "ok" | "missing" | "unreadable";
  etl: {
    run_id: string;
    started_at: string;
    finished_at: string;
    files: EtlFileStatus[];
  } | null;
  validation: {
    run_id: string;
    as_of: string;
    finished_at: string;
    /** ok | warning | attention | critical */
    status: string;
    /** Rules that did not pass, by severity. */
    failing: Record<string, number>;
  } | null;
}

function hasTable(db: Sqlite.Database, name: string): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !==
    undefined
  );
}

/**
 * The last ETL run (with its files) and the last validation, read from the sales database
 * opened read-only for this one call (the ETL replaces the file as a whole, so a
 * connection is never kept). A missing or unreadable file is a status, not an error.
 */
export function readSalesStatus(dbPath: string): SalesStatus {
  if (!existsSync(dbPath)) return { database: "missing", etl: null, validation: null };
  let db: Sqlite.Database;
  try {
    db = new Sqlite(dbPath, { readonly: true, fileMustExist: true, timeout: 2000 });
  } catch {
    return { database: "unreadable", etl: null, validation: null };
  }
  try {
    const status: SalesStatus = { database: "ok", etl: null, validation: null };
    if (hasTable(db, "etl_runs")) {
      const run = db
        .prepare(
          "SELECT run_id, started_at, finished_at FROM etl_runs ORDER BY finished_at DESC, rowid DESC LIMIT 1",
        )
        .get() as { run_id: string; started_at: string; finished_at: string } | undefined;
      if (run) {
        const files = hasTable(db, "etl_run_files")
          ? (db
              .prepare(
                `SELECT table_name AS "table", file, rows_read AS read, rows_loaded AS loaded, rows_rejected AS rejected
                 FROM etl_run_files WHERE run_id = ? ORDER BY rowid`,
              )
              .all(run.run_id) as EtlFileStatus[])
          : [];
        status.etl = { ...run, files };
      }
    }
    if (hasTable(db, "validation_runs")) {
      const run = db
        .prepare(
          "SELECT run_id, as_of, finished_at, status FROM validation_runs ORDER BY finished_at DESC, rowid DESC LIMIT 1",
        )
        .get() as
        | { run_id: string; as_of: string; finished_at: string; status: string }
        | undefined;
      if (run) {
        const failing = hasTable(db, "validation_results")
          ? (db
              .prepare(
                "SELECT severity, count(*) AS n FROM validation_results WHERE run_id = ? AND passed = 0 GROUP BY severity",
              )
              .all(run.run_id) as { severity: string; n: number }[])
          : [];
        status.validation = {
          ...run,
          failing: Object.fromEntries(failing.map((row) => [row.severity, row.n])),
        };
      }
    }
    return status;
  } catch {
    return { database: "unreadable", etl: null, validation: null };
  } finally {
    db.close();
  }
}
