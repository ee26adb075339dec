/**
 * The JSON shapes of the `/scheduler` page: what `GET /api/scheduler` and
 * `GET /api/scheduler/runs` answer, what the SSE events carry, and what the page renders
 * (server and client alike).
 */

/** A run's outcome (contract: `ok|failed|timeout|skipped|killed`). */
export type SchedulerRunStatus = "ok" | "failed" | "timeout" | "skipped" | "killed";

export type CycleMode = "day" | "night" | "non_working_day";

/**
 * The daemon as the console sees it: the status file's `state`, or `not_running` when
 * there is no status file, it cannot be read, or its pid is gone without a `stopped`.
 */
export type DaemonState = "running" | "stopping" | "stopped" | "not_running";

export interface RunCounts {
  runs: number;
  ok: number;
  failed: number;
  timeout: number;
  skipped: number;
  killed: number;
}

export interface DaemonView {
  state: DaemonState;
  /** The status file as configured (`MASTER_STATUS_FILE`). */
  status_file: string;
  pid: number | null;
  started_at: string | null;
  updated_at: string | null;
  /** Why it is not running (no status file, the pid is gone, an unreadable file), else null. */
  reason: string | null;
  /** Alive, but the status file has not changed for over two cycles (a hung daemon). */
  stale: boolean;
  cycle: {
    number: number;
    mode: CycleMode;
    length_s: number;
    started_at: string | null;
    next_at: string | null;
  } | null;
  stats: (RunCounts & { cycles: number }) | null;
}

/** A finished (or recorded) run's outcome, as the job list and the overview show it. */
export interface LastRun {
  /** The `scheduler_runs` id, when the run is in the history. */
  id: number | null;
  started_at: string;
  finished_at: string | null;
  ms: number | null;
  status: SchedulerRunStatus | null;
  exit_code: number | null;
}

export interface JobView {
  name: string;
  /** The schedule in words ("every cycle", "daily at 06:30", …). */
  schedule: string;
  /** What it runs ("npm run validate", "pipeline step informe"), or "" when unknown. */
  command: string;
  enabled: boolean;
  /** Listed in the schedule file (false: only the running daemon or the history knows it). */
  in_schedule: boolean;
  /** `idle`, `queued`, `running` from the running daemon's status file; null when no daemon runs. */
  state: "idle" | "queued" | "running" | null;
  /** When the current run started (while `running`), as far as the console can tell. */
  running_since: string | null;
  /** A Run now waiting for the daemon to pick it up. */
  requested: { id: number; requested_at: string } | null;
  /** The next run: the running daemon's plan, or (no daemon) a daily or cron job's next time. */
  next_at: string | null;
  next_from: "daemon" | "schedule" | null;
  last: LastRun | null;
  /** Of the job's last (up to 100) recorded runs, skipped ones aside: how many were ok. */
  success: { ok: number; of: number } | null;
  avg_ms: number | null;
  consecutive_failures: number;
}

/** `GET /api/scheduler`. */
export interface SchedulerView {
  daemon: DaemonView;
  schedule: {
    /** The schedule file as configured (`SCHEDULE_FILE`). */
    file: string;
    timezone: string | null;
    /** Why the file could not be read, or null. */
    problem: string | null;
  };
  /** The control database's problem (it cannot be opened), or null. */
  history_problem: string | null;
  jobs: JobView[];
}

/** One row of `scheduler_runs` (`GET /api/scheduler/runs`: with its output's last 4 KB). */
export interface SchedulerRun {
  id: number;
  job: string;
  attempt: number;
  started_at: string;
  finished_at: string | null;
  status: SchedulerRunStatus | null;
  exit_code: number | null;
  ms: number | null;
  output_tail?: string | null;
}

/** The page's state: the SSE `snapshot`, and what the page is first rendered from. */
export interface SchedulerSnapshot {
  scheduler: SchedulerView;
  /** The runs of the last 24 hours, newest first (at most `TIMELINE_MAX_RUNS`). */
  runs: SchedulerRun[];
  /** More runs than were sent happened in the last 24 hours. */
  truncated: boolean;
}

/** The most runs the timeline gets. */
export const TIMELINE_MAX_RUNS = 5000;
/** The timeline's span. */
export const TIMELINE_HOURS = 24;

/** What the overview shows of the scheduler. */
export interface SchedulerSummary {
  daemon: Pick<DaemonView, "state" | "pid" | "reason" | "stale" | "cycle" | "updated_at">;
  jobs: number;
  running: { job: string; since: string | null }[];
  /** The latest failed, timed-out or killed runs, newest first (up to 5). */
  failures: SchedulerRun[];
}
