/**
 * Simulation runs in the control database (`CONTROL_DB`): one row per run, written by
 * whoever runs it (`npm run simulate`, the console) and read by the console.
 */
import { hostname } from "node:os";
import { type ControlDatabase, ensureSchema } from "../../control/db.js";
import type { RunState, SimulationMode, SimulationResult } from "./types.js";

export const SIMULATION_DDL = `
CREATE TABLE IF NOT EXISTS simulation_runs (
  run_id         TEXT PRIMARY KEY,
  model_name     TEXT,              -- [MODELO] nombre (null until the model is read)
  model_version  TEXT,
  model_sha256   TEXT,
  model_file     TEXT,              -- the model's file or upload name
  mode           TEXT NOT NULL CHECK (mode IN ('embedded', 'rabbitmq')),
  state          TEXT NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  scenarios      INTEGER,
  seed           INTEGER,
  workers        INTEGER,
  completed      INTEGER NOT NULL DEFAULT 0,   -- scenarios with a result
  errors         INTEGER NOT NULL DEFAULT 0,   -- scenarios that failed
  created_at     TEXT NOT NULL,
  started_at     TEXT,
  finished_at    TEXT,
  duration_s     REAL,
  error          TEXT,              -- why it failed or was cancelled
  summary        TEXT,              -- JSON: the SimulationResult (simulate --json) once completed
  files          TEXT,              -- JSON {results, summary}: the output paths
  owner          TEXT               -- host:pid of the process running it
) STRICT;

CREATE INDEX IF NOT EXISTS simulation_runs_created ON simulation_runs (created_at);
`;

/** A run as stored, JSON columns parsed. */
export interface SimulationRun {
  run_id: string;
  model_name: string | null;
  model_version: string | null;
  model_sha256: string | null;
  model_file: string | null;
  mode: SimulationMode;
  state: RunState;
  scenarios: number | null;
  seed: number | null;
  workers: number | null;
  completed: number;
  errors: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_s: number | null;
  error: string | null;
  summary: SimulationResult | null;
  files: { results: string; summary: string } | null;
  /** `host:pid` of the process that recorded it (null for runs recorded before it existed). */
  owner: string | null;
}

/** The columns a caller sets (all but `run_id` and `created_at` optional). */
export type SimulationRunFields = Partial<Omit<SimulationRun, "run_id" | "created_at">>;

const COLUMNS = [
  "model_name",
  "model_version",
  "model_sha256",
  "model_file",
  "mode",
  "state",
  "scenarios",
  "seed",
  "workers",
  "completed",
  "errors",
  "started_at",
  "finished_at",
  "duration_s",
  "error",
  "summary",
  "files",
] as const;

type Row = Omit<SimulationRun, "summary" | "files"> & {
  summary: string | null;
  files: string | null;
};

function parse(row: Row | undefined): SimulationRun | undefined {
  if (!row) return undefined;
  return {
    ...row,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as SimulationResult),
    files: row.files === null ? null : (JSON.parse(row.files) as SimulationRun["files"]),
  };
}

function toColumn(key: (typeof COLUMNS)[number], value: unknown): unknown {
  if (value === undefined) return undefined;
  if ((key === "summary" || key === "files") && value !== null) return JSON.stringify(value);
  return value;
}

const migrated = new WeakSet<ControlDatabase>();

function ready(db: ControlDatabase): ControlDatabase {
  ensureSchema(db, "simulation", SIMULATION_DDL);
  if (!migrated.has(db)) {
    // Databases made before `owner` existed.
    const columns = db.prepare("PRAGMA table_info(simulation_runs)").all() as { name: string }[];
    if (!columns.some((column) => column.name === "owner"))
      db.exec("ALTER TABLE simulation_runs ADD COLUMN owner TEXT");
    migrated.add(db);
  }
  return db;
}

/** This process, as the `owner` of the runs it records. */
export const OWNER = `${hostname()}:${process.pid}`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Runs left `queued` or `running` by a process of this host that is gone (killed, crashed):
 * recorded as failed, with why. Returns their ids (their folders are the caller's to remove).
 */
export function reapOrphans(db: ControlDatabase): string[] {
  const rows = ready(db)
    .prepare(
      "SELECT run_id, owner FROM simulation_runs WHERE state IN ('queued', 'running') AND owner IS NOT NULL",
    )
    .all() as { run_id: string; owner: string }[];
  const reaped: string[] = [];
  const host = `${hostname()}:`;
  for (const { run_id, owner } of rows) {
    if (!owner.startsWith(host)) continue; // another machine's: it cannot be checked from here
    const pid = Number(owner.slice(host.length));
    if (!Number.isInteger(pid) || alive(pid)) continue;
    const reason = `its process (${owner}) ended before the run finished`;
    if (
      updateRun(
        db,
        run_id,
        { state: "failed", error: reason, finished_at: new Date().toISOString() },
        ["queued", "running"],
      )
    )
      reaped.push(run_id);
  }
  return reaped;
}

/** Records a new run (state `queued` unless given). Throws if `run_id` exists. */
export function createRun(
  db: ControlDatabase,
  run: { run_id: string; mode: SimulationMode } & SimulationRunFields,
): SimulationRun {
  const fields: Record<string, unknown> = {
    run_id: run.run_id,
    created_at: new Date().toISOString(),
    state: "queued",
    owner: OWNER,
  };
  for (const key of COLUMNS) {
    const value = toColumn(key, run[key]);
    if (value !== undefined) fields[key] = value;
  }
  const keys = Object.keys(fields);
  ready(db)
    .prepare(
      `INSERT INTO simulation_runs (${keys.join(", ")}) VALUES (${keys.map((k) => `@${k}`).join(", ")})`,
    )
    .run(fields);
  return getRun(db, run.run_id) as SimulationRun;
}

/**
 * Sets some fields of a run. With `onlyIf`, only when its state is one of those (a late
 * update never revives a cancelled run). Returns whether a row changed.
 */
export function updateRun(
  db: ControlDatabase,
  runId: string,
  fields: SimulationRunFields,
  onlyIf?: readonly RunState[],
): boolean {
  const values: Record<string, unknown> = { run_id: runId };
  const sets: string[] = [];
  for (const key of COLUMNS) {
    const value = toColumn(key, fields[key]);
    if (value === undefined) continue;
    values[key] = value;
    sets.push(`${key} = @${key}`);
  }
  if (sets.length === 0) return false;
  let where = "run_id = @run_id";
  if (onlyIf && onlyIf.length > 0) {
    where += ` AND state IN (${onlyIf.map((_, i) => `@state_${i}`).join(", ")})`;
    onlyIf.forEach((state, i) => {
      values[`state_${i}`] = state;
    });
  }
  const info = ready(db)
    .prepare(`UPDATE simulation_runs SET ${sets.join(", ")} WHERE ${where}`)
    .run(values);
  return info.changes > 0;
}

/** One run, or undefined. */
export function getRun(db: ControlDatabase, runId: string): SimulationRun | undefined {
  return parse(
    ready(db).prepare("SELECT * FROM simulation_runs WHERE run_id = ?").get(runId) as
      | Row
      | undefined,
  );
}

/** The runs, newest first (at most `limit`, default 100). */
export function listRuns(db: ControlDatabase, options: { limit?: number } = {}): SimulationRun[] {
  const rows = ready(db)
    .prepare("SELECT * FROM simulation_runs ORDER BY created_at DESC, run_id DESC LIMIT ?")
    .all(options.limit ?? 100) as Row[];
  return rows.map((row) => parse(row) as SimulationRun);
}
