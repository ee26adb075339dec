import { type ControlDatabase, ensureSchema } from "../control/db.js";
import type { RunRecord, RunStatus, StepRun, StepState } from "./types.js";

/** The pipeline's tables in the control database (created on first use). */
export const PIPELINE_DDL = `
CREATE TABLE IF NOT EXISTS pipeline_runs (
  run_id      TEXT PRIMARY KEY,
  targets     TEXT NOT NULL,     -- JSON array of step names
  force       INTEGER NOT NULL,  -- 0 or 1
  status      TEXT NOT NULL,     -- running, ok, failed, cancelled
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  error       TEXT,
  pid         INTEGER NOT NULL   -- the process that runs it
) STRICT;

CREATE INDEX IF NOT EXISTS pipeline_runs_started ON pipeline_runs (started_at);

CREATE TABLE IF NOT EXISTS pipeline_step_runs (
  run_id      TEXT NOT NULL REFERENCES pipeline_runs (run_id),
  step        TEXT NOT NULL,
  state       TEXT NOT NULL,     -- pending, running, done, reused, failed, skipped
  started_at  TEXT,
  finished_at TEXT,
  error       TEXT,
  ms          REAL,
  seq         INTEGER,           -- order in which the steps started (null: never started)
  position    INTEGER NOT NULL,  -- place in the plan, producers first
  consumes    TEXT NOT NULL,     -- JSON array of dataset names
  produces    TEXT NOT NULL,     -- JSON array of dataset names
  PRIMARY KEY (run_id, step)
) STRICT;
`;

interface RunRow {
  run_id: string;
  targets: string;
  force: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  pid: number;
}

interface StepRow {
  run_id: string;
  step: string;
  state: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  ms: number | null;
  consumes: string;
  produces: string;
}

/** Whether a process of this machine is alive (a run whose process died stays `running`). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The pipeline's run history in the control database: a run is written when it starts
 * (every step `pending`), each step as its state changes, and the run when it ends, so
 * another process (the console) sees a CLI run live and a killed run stays readable.
 */
export class RunHistory {
  private readonly insertRun;
  private readonly insertStep;
  private readonly updateStep;
  private readonly updateRun;

  constructor(private readonly db: ControlDatabase) {
    ensureSchema(db, "pipeline", PIPELINE_DDL);
    this.insertRun = db.prepare(
      `INSERT INTO pipeline_runs (run_id, targets, force, status, started_at, pid)
       VALUES (?, ?, ?, 'running', ?, ?)`,
    );
    this.insertStep = db.prepare(
      `INSERT INTO pipeline_step_runs (run_id, step, state, position, consumes, produces)
       VALUES (?, ?, 'pending', ?, ?, ?)`,
    );
    this.updateStep = db.prepare(
      `UPDATE pipeline_step_runs SET state = ?, started_at = ?, finished_at = ?, error = ?, ms = ?, seq = ?
       WHERE run_id = ? AND step = ?`,
    );
    this.updateRun = db.prepare(
      "UPDATE pipeline_runs SET status = ?, finished_at = ?, error = ? WHERE run_id = ?",
    );
  }

  begin(run: RunRecord): void {
    this.db.transaction(() => {
      this.insertRun.run(
        run.run_id,
        JSON.stringify(run.targets),
        run.force ? 1 : 0,
        run.started_at,
        process.pid,
      );
      run.steps.forEach((step, position) => {
        this.insertStep.run(
          run.run_id,
          step.name,
          position,
          JSON.stringify(step.consumes),
          JSON.stringify(step.produces),
        );
      });
    })();
  }

  step(runId: string, step: StepRun, seq: number | null): void {
    this.updateStep.run(
      step.status,
      step.started_at,
      step.finished_at,
      step.error,
      step.ms,
      seq,
      runId,
      step.name,
    );
  }

  finish(runId: string, status: RunStatus, finishedAt: string, error: string | null): void {
    this.updateRun.run(status, finishedAt, error, runId);
  }

  /** The latest runs, newest first, with their steps. */
  recent(limit: number): RunRecord[] {
    const runs = this.db
      .prepare("SELECT * FROM pipeline_runs ORDER BY started_at DESC, rowid DESC LIMIT ?")
      .all(limit) as RunRow[];
    return this.withSteps(runs);
  }

  get(runId: string): RunRecord | null {
    const run = this.db.prepare("SELECT * FROM pipeline_runs WHERE run_id = ?").get(runId) as
      | RunRow
      | undefined;
    return run ? (this.withSteps([run])[0] as RunRecord) : null;
  }

  private withSteps(runs: RunRow[]): RunRecord[] {
    if (runs.length === 0) return [];
    const steps = this.db
      .prepare(
        `SELECT * FROM pipeline_step_runs WHERE run_id IN (SELECT value FROM json_each(?))
         ORDER BY run_id, seq IS NULL, seq, position`,
      )
      .all(JSON.stringify(runs.map((run) => run.run_id))) as StepRow[];
    const byRun = new Map<string, StepRun[]>();
    for (const row of steps) {
      const list = byRun.get(row.run_id) ?? [];
      list.push({
        name: row.step,
        status: row.state as StepState,
        started_at: row.started_at,
        finished_at: row.finished_at,
        ms: row.ms,
        consumes: JSON.parse(row.consumes) as string[],
        produces: JSON.parse(row.produces) as string[],
        error: row.error,
      });
      byRun.set(row.run_id, list);
    }
    return runs.map((run) => {
      const gone = run.status === "running" && !alive(run.pid);
      return {
        run_id: run.run_id,
        status: gone ? "failed" : (run.status as RunStatus),
        targets: JSON.parse(run.targets) as string[],
        force: run.force === 1,
        started_at: run.started_at,
        finished_at: run.finished_at,
        error: gone ? `its process (pid ${run.pid}) ended before the run finished` : run.error,
        steps: byRun.get(run.run_id) ?? [],
      };
    });
  }
}
