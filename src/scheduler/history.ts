import type Sqlite from "better-sqlite3";
import { type ControlDatabase, ensureSchema } from "../control/db.js";

/** The scheduler's tables in the control database (`CONTROL_DB`). */
export const SCHEDULER_DDL = `
CREATE TABLE IF NOT EXISTS scheduler_runs (
  id INTEGER PRIMARY KEY,
  job TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'timeout', 'skipped', 'killed')),
  exit_code INTEGER,
  output_tail TEXT,
  ms INTEGER
);
CREATE INDEX IF NOT EXISTS scheduler_runs_job ON scheduler_runs (job, id);
CREATE TABLE IF NOT EXISTS scheduler_requests (
  id INTEGER PRIMARY KEY,
  job TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  picked_at TEXT
);
CREATE INDEX IF NOT EXISTS scheduler_requests_pending ON scheduler_requests (picked_at) WHERE picked_at IS NULL;
`;

export type RunStatus = "ok" | "failed" | "timeout" | "skipped" | "killed";

/** One row of `scheduler_runs`: one attempt of a job (or one skipped start). */
export interface SchedulerRun {
  id: number;
  job: string;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  /** ISO 8601 with offset. */
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  exit_code: number | null;
  /** The last 4 KB of the run's stdout and stderr; why it was skipped for a skipped run. */
  output_tail: string | null;
  ms: number | null;
}

/** One row of `scheduler_requests`: a "Run now" asked for from the console. */
export interface SchedulerRequest {
  id: number;
  job: string;
  requested_at: string;
  picked_at: string | null;
}

const schema = (db: ControlDatabase) => ensureSchema(db, "scheduler", SCHEDULER_DDL);

const statements = new WeakMap<ControlDatabase, Map<string, Sqlite.Statement>>();

/** A prepared statement, kept per connection (the daemon runs some every second). */
function prepared(db: ControlDatabase, sql: string): Sqlite.Statement {
  schema(db);
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/** Records one run; returns its id. */
export function insertRun(db: ControlDatabase, run: Omit<SchedulerRun, "id">): number {
  const result = prepared(
    db,
    `INSERT INTO scheduler_runs (job, attempt, started_at, finished_at, status, exit_code, output_tail, ms)
     VALUES (@job, @attempt, @started_at, @finished_at, @status, @exit_code, @output_tail, @ms)`,
  ).run(run);
  return Number(result.lastInsertRowid);
}

/**
 * The latest runs, newest first (`job` to keep one job's; `limit` default 50, at most 10 000).
 *
 * @example
 * recentRuns(db, { job: "upload", limit: 20 });
 */
export function recentRuns(
  db: ControlDatabase,
  options: { job?: string | null; limit?: number } = {},
): SchedulerRun[] {
  schema(db);
  const limit = Math.max(1, Math.min(10_000, Math.floor(options.limit ?? 50)));
  if (options.job)
    return db
      .prepare("SELECT * FROM scheduler_runs WHERE job = ? ORDER BY id DESC LIMIT ?")
      .all(options.job, limit) as SchedulerRun[];
  return db
    .prepare("SELECT * FROM scheduler_runs ORDER BY id DESC LIMIT ?")
    .all(limit) as SchedulerRun[];
}

/**
 * Asks the running daemon to start a job now ("Run now"): it polls the table every second
 * and starts the job unless it is already running (then the start is recorded as skipped).
 * Returns the request's id.
 *
 * @example
 * requestRun(db, "upload"); // picked up within a second
 */
export function requestRun(
  db: ControlDatabase,
  job: string,
  now: Date | number = Date.now(),
): number {
  schema(db);
  const result = db
    .prepare("INSERT INTO scheduler_requests (job, requested_at) VALUES (?, ?)")
    .run(job, new Date(now).toISOString());
  return Number(result.lastInsertRowid);
}

/** Requests not yet picked up, oldest first. */
export function pendingRequests(db: ControlDatabase): SchedulerRequest[] {
  return prepared(
    db,
    "SELECT * FROM scheduler_requests WHERE picked_at IS NULL ORDER BY id LIMIT 100",
  ).all() as SchedulerRequest[];
}

/** Marks a request as picked up by the daemon. */
export function markPicked(db: ControlDatabase, id: number, at: string): void {
  prepared(db, "UPDATE scheduler_requests SET picked_at = ? WHERE id = ?").run(at, id);
}

/** A job's latest runs that actually ran (skipped ones left out), newest first. */
export function lastRealRuns(db: ControlDatabase, job: string, limit: number): SchedulerRun[] {
  schema(db);
  return db
    .prepare(
      "SELECT * FROM scheduler_runs WHERE job = ? AND status != 'skipped' ORDER BY id DESC LIMIT ?",
    )
    .all(job, limit) as SchedulerRun[];
}
