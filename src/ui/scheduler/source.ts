import { existsSync, type Stats, statSync } from "node:fs";
import { type ControlDatabase, ensureSchema, openControlDb } from "../../control/db.js";
import { describeError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { ConsoleError } from "../http/errors.js";
import type { SseEvent } from "../http/sse.js";
import type {
  DaemonView,
  JobView,
  LastRun,
  SchedulerRun,
  SchedulerSnapshot,
  SchedulerSummary,
  SchedulerView,
} from "../views/scheduler-model.js";
import { TIMELINE_HOURS, TIMELINE_MAX_RUNS } from "../views/scheduler-model.js";
import {
  DEFAULT_SCHEDULE_FILE,
  DEFAULT_STATUS_FILE,
  daemonAlive,
  type MasterStatus,
  nextByClock,
  type RunRow,
  readSchedule,
  readStatus,
  recentRuns,
  requestRun,
  SCHEDULER_DDL,
  type ScheduleFile,
} from "./daemon.js";

export interface SchedulerSourceOptions {
  /** The daemon's status file (`MASTER_STATUS_FILE`, default `logs/run_master_status.json`). */
  statusFile?: string;
  /** The schedule file (`SCHEDULE_FILE`, default `schedule.json`). */
  scheduleFile?: string;
  /** The control database (`CONTROL_DB`): `scheduler_runs` and `scheduler_requests`. */
  controlDb: string;
  log?: Pick<Logger, "info" | "warn" | "error" | "debug">;
  /** How often the files and tables are looked at while a page watches (ms, default 250). */
  pollMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** What the console needs from the scheduler: its page's JSON, Run now, live events. */
export interface SchedulerSource {
  /** `GET /api/scheduler`. */
  view(): SchedulerView;
  /** The page's state: the view and the last 24 hours of runs. */
  snapshot(): SchedulerSnapshot;
  /** `GET /api/scheduler/runs`: newest first, with their output tails. */
  runs(query: { job?: string; limit: number }): SchedulerRun[];
  /** One run with its output tail, or undefined. */
  run(id: number): SchedulerRun | undefined;
  /** Asks the daemon to run `job` now (a `scheduler_requests` row). */
  requestRun(job: string): { request_id: number; job: string; requested_at: string };
  /** The overview's card. */
  summary(): SchedulerSummary;
  /** Live events (`scheduler`, `run`); returns the unsubscribe. */
  subscribe(listener: (event: SseEvent) => void): () => void;
  close(): void;
}

/** Runs per job the success rate is computed over. */
const RATE_WINDOW = 100;
const FAILED = new Set(["failed", "timeout", "killed"]);

function statKey(path: string): string {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return "none";
  }
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

function withoutOutput(row: RunRow): SchedulerRun {
  const { output_tail: _, ...rest } = row;
  return rest;
}

/**
 * The scheduler as the console shows it, from what the daemon leaves behind: its status
 * file, the schedule file, and its tables in the control database. The console never
 * talks to the daemon: Run now is a row the daemon picks up. While a page watches, the
 * files' modification times, the control database's `data_version` and the daemon's pid
 * are looked at every `pollMs` (a few system calls), and a change is read and pushed.
 */
class SchedulerWatcher implements SchedulerSource {
  readonly statusFile: string;
  readonly scheduleFile: string;
  private db: ControlDatabase | null = null;
  private dbProblem: string | null = null;
  private readonly listeners = new Set<(event: SseEvent) => void>();
  private poller: NodeJS.Timeout | null = null;
  private closed = false;
  /** Change detection for the poll. */
  private signature = "";
  private lastViewJson = "";
  private lastRunId = 0;
  /** Writes through this connection, which its own `data_version` does not count. */
  private ownWrites = 0;
  /** When each running job was first seen running (the status file's `updated_at`). */
  private readonly runningSeen = new Map<string, string>();
  private scheduleCache: { key: string; file: ScheduleFile } | null = null;
  private statusCache: {
    key: string;
    read: { status: MasterStatus | null; problem: string | null };
  } | null = null;
  private readonly now: () => number;

  constructor(private readonly options: SchedulerSourceOptions) {
    this.statusFile = options.statusFile ?? DEFAULT_STATUS_FILE;
    this.scheduleFile = options.scheduleFile ?? DEFAULT_SCHEDULE_FILE;
    this.now = options.now ?? Date.now;
  }

  // ── The control database ──────────────────────────────────────────────────────────

  /**
   * The control database with the scheduler's tables, opened once the file exists (a page
   * view never creates the database; Run now does); null while there is none.
   */
  private history(create = false): ControlDatabase | null {
    if (!this.db) {
      if (!create && !existsSync(this.options.controlDb)) return null;
      try {
        const db = openControlDb(this.options.controlDb);
        try {
          ensureSchema(db, "scheduler", SCHEDULER_DDL);
        } catch (error) {
          db.close();
          throw error;
        }
        this.db = db;
        this.dbProblem = null;
      } catch (error) {
        if (this.dbProblem === null)
          this.options.log?.error(`scheduler history: ${describeError(error)}`);
        this.dbProblem = "the control database cannot be opened; see the console's log";
        return null;
      }
    }
    return this.db;
  }

  /** Runs a read of the history; a failure is told once in the log and shown as a problem. */
  private read<T>(what: string, fallback: T, query: (db: ControlDatabase) => T): T {
    const db = this.history();
    if (!db) return fallback;
    try {
      return query(db);
    } catch (error) {
      this.options.log?.warn(`scheduler ${what}: ${describeError(error)}`);
      return fallback;
    }
  }

  // ── The status and schedule files ─────────────────────────────────────────────────

  /** The status file, read again only when it changed (the daemon replaces it as a whole). */
  private status(): { status: MasterStatus | null; problem: string | null } {
    const key = statKey(this.statusFile);
    if (this.statusCache?.key === key) return this.statusCache.read;
    let read: { status: MasterStatus | null; problem: string | null };
    try {
      read = { status: readStatus(this.statusFile), problem: null };
    } catch (error) {
      const why = describeError(error).split(`${this.statusFile}: `).join("");
      read = { status: null, problem: `the status file cannot be read (${why.slice(0, 120)})` };
    }
    this.statusCache = { key, read };
    return read;
  }

  private schedule(): ScheduleFile {
    const key = statKey(this.scheduleFile);
    if (this.scheduleCache?.key !== key)
      this.scheduleCache = { key, file: readSchedule(this.scheduleFile) };
    return this.scheduleCache.file;
  }

  private daemon(status: MasterStatus | null, problem: string | null): DaemonView {
    const base: DaemonView = {
      state: "not_running",
      status_file: this.statusFile,
      pid: null,
      started_at: null,
      updated_at: null,
      reason: null,
      stale: false,
      cycle: null,
      stats: null,
    };
    if (!status)
      return {
        ...base,
        reason: problem ?? "no status file yet: the daemon has not run with this status file",
      };
    const view: DaemonView = {
      ...base,
      state: status.state,
      pid: status.pid,
      started_at: status.started_at ?? null,
      updated_at: status.updated_at ?? null,
      cycle: status.cycle ?? null,
      stats: status.stats ?? null,
    };
    if (status.state === "stopped") return view;
    if (!daemonAlive(this.statusFile, status.pid))
      return {
        ...view,
        state: "not_running",
        reason: `process ${status.pid} is gone without stopping (killed or crashed)`,
      };
    const length = status.cycle?.length_s ?? 0;
    const updated = Date.parse(status.updated_at);
    view.stale =
      length > 0 && Number.isFinite(updated) && this.now() - updated > 2 * length * 1000 + 30_000;
    return view;
  }

  // ── Jobs ──────────────────────────────────────────────────────────────────────────

  /** Each job's last up-to-100 runs, newest first (one indexed read per job). */
  private jobRuns(names: string[]): Map<string, RunRow[]> {
    return this.read("runs", new Map<string, RunRow[]>(), (db) => {
      const map = new Map<string, RunRow[]>();
      for (const name of names) map.set(name, recentRuns(db, { job: name, limit: RATE_WINDOW }));
      return map;
    });
  }

  private requests(): Map<string, { id: number; requested_at: string }> {
    return this.read("requests", new Map(), (db) => {
      const rows = db
        .prepare(
          "SELECT id, job, requested_at FROM scheduler_requests WHERE picked_at IS NULL ORDER BY id",
        )
        .all() as { id: number; job: string; requested_at: string }[];
      const map = new Map<string, { id: number; requested_at: string }>();
      for (const row of rows)
        if (!map.has(row.job)) map.set(row.job, { id: row.id, requested_at: row.requested_at });
      return map;
    });
  }

  view(): SchedulerView {
    const { status, problem } = this.status();
    const daemon = this.daemon(status, problem);
    const live = daemon.state === "running" || daemon.state === "stopping";
    const schedule = this.schedule();
    const statusJobs = live && status ? status.jobs : {};
    const names = [...schedule.jobs.map((job) => job.name)];
    for (const name of Object.keys(statusJobs)) if (!names.includes(name)) names.push(name);
    const runs = this.jobRuns(names);
    const requested = this.requests();
    const jobs = names.map((name): JobView => {
      const listed = schedule.jobs.find((job) => job.name === name);
      const current = statusJobs[name];
      const history = runs.get(name) ?? [];
      const attempts = history.filter((run) => run.status !== "skipped");
      const latest = history[0];
      const last: LastRun | null = latest
        ? {
            id: latest.id,
            started_at: latest.started_at,
            finished_at: latest.finished_at,
            ms: latest.ms,
            status: latest.status,
            exit_code: latest.exit_code,
          }
        : current?.last
          ? { id: null, ...current.last }
          : null;
      const state = current?.state ?? null;
      // The daemon records a run when it ends; the status file is rewritten when one starts,
      // so its `updated_at` when the job is first seen running is when it started (or, for
      // a console started mid-run, a little after).
      let since: string | null = null;
      if (state === "running") {
        since = this.runningSeen.get(name) ?? status?.updated_at ?? null;
        if (since) this.runningSeen.set(name, since);
      } else this.runningSeen.delete(name);
      const clockNext = !live && listed ? nextByClock(listed, this.now()) : null;
      let streak = 0;
      for (const run of attempts) {
        if (!FAILED.has(run.status as string)) break;
        streak++;
      }
      return {
        name,
        schedule: current?.schedule ?? listed?.schedule ?? "",
        command: listed?.command ?? "",
        enabled: listed?.enabled ?? true,
        in_schedule: listed !== undefined,
        state,
        running_since: since,
        requested: requested.get(name) ?? null,
        next_at: current ? current.next_at : clockNext,
        next_from: current?.next_at ? "daemon" : clockNext ? "schedule" : null,
        last,
        success:
          attempts.length > 0
            ? { ok: attempts.filter((run) => run.status === "ok").length, of: attempts.length }
            : null,
        avg_ms:
          current?.avg_ms ??
          (attempts.length > 0
            ? attempts.reduce((sum, run) => sum + (run.ms ?? 0), 0) / attempts.length
            : null),
        consecutive_failures: current?.consecutive_failures ?? streak,
      };
    });
    return {
      daemon,
      schedule: { file: this.scheduleFile, timezone: schedule.timezone, problem: schedule.problem },
      history_problem: this.dbProblem,
      jobs,
    };
  }

  /** The runs of the last 24 hours, newest first, without their output. */
  private timeline(): { runs: SchedulerRun[]; truncated: boolean } {
    const from = this.now() - TIMELINE_HOURS * 3_600_000;
    const rows = this.read("timeline", [] as RunRow[], (db) =>
      recentRuns(db, { limit: TIMELINE_MAX_RUNS + 1 }),
    );
    const runs = rows
      .filter((row) => Date.parse(row.started_at) >= from)
      .slice(0, TIMELINE_MAX_RUNS)
      .map(withoutOutput);
    return { runs, truncated: rows.length > TIMELINE_MAX_RUNS && runs.length >= TIMELINE_MAX_RUNS };
  }

  snapshot(): SchedulerSnapshot {
    return { scheduler: this.view(), ...this.timeline() };
  }

  runs(query: { job?: string; limit: number }): SchedulerRun[] {
    if (!this.history() && this.dbProblem) throw this.databaseError();
    return this.read("runs", [] as RunRow[], (db) => recentRuns(db, query));
  }

  run(id: number): SchedulerRun | undefined {
    if (!this.history() && this.dbProblem) throw this.databaseError();
    return this.read("run", undefined as RunRow | undefined, (db) =>
      db
        .prepare(
          "SELECT id, job, attempt, started_at, finished_at, status, exit_code, output_tail, ms FROM scheduler_runs WHERE id = ?",
        )
        .get(id),
    ) as RunRow | undefined;
  }

  private databaseError(): ConsoleError {
    return new ConsoleError(
      500,
      "control_database",
      "the control database cannot be opened; see the console's log",
    );
  }

  requestRun(job: string): { request_id: number; job: string; requested_at: string } {
    if (this.closed) throw new ConsoleError(503, "shutting_down", "the console is shutting down");
    const view = this.view();
    const found = view.jobs.find((j) => j.name === job);
    if (!found)
      throw new ConsoleError(
        404,
        "job_not_found",
        `no job ${JSON.stringify(job.slice(0, 80))} in the schedule (jobs: ${
          view.jobs
            .map((j) => j.name)
            .slice(0, 20)
            .join(", ") || "none"
        })`,
      );
    const daemon = view.daemon;
    if (daemon.state === "stopping")
      throw new ConsoleError(
        409,
        "daemon_stopping",
        "the scheduler daemon is stopping: it starts nothing new",
      );
    if (daemon.state !== "running")
      throw new ConsoleError(
        409,
        "daemon_not_running",
        "the scheduler daemon is not running, so nothing would pick the run up; start it with npm run scheduler",
      );
    if (found.state === "running" || found.state === "queued")
      throw new ConsoleError(
        409,
        "job_running",
        `${job} is ${found.state === "running" ? "running now" : "queued to run"}; wait for it to finish`,
      );
    if (found.requested)
      return {
        request_id: found.requested.id,
        job,
        requested_at: found.requested.requested_at,
      };
    const db = this.history(true);
    if (!db) throw this.databaseError();
    try {
      const id = requestRun(db, job);
      this.ownWrites++;
      const requestedAt = db
        .prepare("SELECT requested_at FROM scheduler_requests WHERE id = ?")
        .pluck()
        .get(id) as string;
      this.poll();
      return { request_id: id, job, requested_at: requestedAt };
    } catch (error) {
      if (error instanceof ConsoleError) throw error;
      this.options.log?.error(`cannot request a run of ${job}: ${describeError(error)}`);
      throw this.databaseError();
    }
  }

  summary(): SchedulerSummary {
    const view = this.view();
    const { state, pid, reason, stale, cycle, updated_at } = view.daemon;
    const failures = this.read("failures", [] as RunRow[], (db) =>
      db
        .prepare(
          `SELECT id, job, attempt, started_at, finished_at, status, exit_code, ms
           FROM scheduler_runs WHERE status IN ('failed', 'timeout', 'killed') ORDER BY id DESC LIMIT 5`,
        )
        .all(),
    ) as RunRow[];
    return {
      daemon: { state, pid, reason, stale, cycle, updated_at },
      jobs: view.jobs.length,
      running: view.jobs
        .filter((job) => job.state === "running")
        .map((job) => ({ job: job.name, since: job.running_since })),
      failures: failures.map(withoutOutput),
    };
  }

  // ── Live ──────────────────────────────────────────────────────────────────────────

  private emit(event: SseEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.log?.warn(`a live stream failed: ${describeError(error)}`);
      }
    }
  }

  /**
   * What the poll compares: the files, the control database's `data_version` (it changes
   * when another connection commits), the daemon's pid being alive, and the half-minute
   * (the stale flag depends on the time).
   */
  private currentSignature(): string {
    const { status } = this.status();
    const alive = status ? daemonAlive(this.statusFile, status.pid) : false;
    return [this.fileSignature(), alive, Math.floor(this.now() / 30_000)].join("|");
  }

  private fileSignature(): string {
    const db = this.history();
    let version = "none";
    if (db) {
      try {
        version = String(db.pragma("data_version", { simple: true }));
      } catch {
        version = "error";
      }
    }
    return [statKey(this.statusFile), statKey(this.scheduleFile), version, this.ownWrites].join(
      "|",
    );
  }

  /** Runs recorded since the last look (the daemon records a run when it ends), oldest first. */
  private newRuns(): SchedulerRun[] {
    return this.read("runs", [] as SchedulerRun[], (db) => {
      const rows = db
        .prepare(
          "SELECT id, job, attempt, started_at, finished_at, status, exit_code, ms FROM scheduler_runs WHERE id > ? ORDER BY id LIMIT 1000",
        )
        .all(this.lastRunId) as SchedulerRun[];
      for (const row of rows) this.lastRunId = Math.max(this.lastRunId, row.id);
      return rows;
    });
  }

  /**
   * One look: when a file, the database or the daemon's liveness changed, the runs that
   * are new or finished go out as `run`, and the page's JSON as `scheduler` if it differs.
   */
  private poll(): void {
    if (this.listeners.size === 0) return;
    try {
      const signature = this.currentSignature();
      if (signature === this.signature) return;
      this.signature = signature;
      for (const run of this.newRuns()) this.emit({ event: "run", data: run });
      const view = this.view();
      const json = JSON.stringify(view);
      if (json !== this.lastViewJson) {
        this.lastViewJson = json;
        this.emit({ event: "scheduler", data: view });
      }
    } catch (error) {
      this.options.log?.warn(`scheduler poll: ${describeError(error)}`);
    }
  }

  subscribe(listener: (event: SseEvent) => void): () => void {
    if (this.listeners.size === 0) {
      // Start from now: a new subscriber gets a snapshot of everything before.
      this.lastViewJson = JSON.stringify(this.view());
      this.lastRunId = this.read("runs", 0, (db) =>
        Number(db.prepare("SELECT coalesce(max(id), 0) FROM scheduler_runs").pluck().get()),
      );
      this.signature = this.currentSignature();
    }
    this.listeners.add(listener);
    if (!this.poller && !this.closed) {
      this.poller = setInterval(() => this.poll(), this.options.pollMs ?? 250);
      this.poller.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.poller) {
        clearInterval(this.poller);
        this.poller = null;
      }
    };
  }

  close(): void {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    this.listeners.clear();
    this.db?.close();
    this.db = null;
  }
}

/**
 * The console's scheduler source over the daemon's status file, the schedule file and the
 * control database.
 *
 * @example
 * const scheduler = createSchedulerSource({ controlDb: "database/control.db" });
 * scheduler.view().daemon.state; // "running", "stopping", "stopped" or "not_running"
 */
export function createSchedulerSource(options: SchedulerSourceOptions): SchedulerSource {
  return new SchedulerWatcher(options);
}
