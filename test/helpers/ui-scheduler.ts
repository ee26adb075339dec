import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ControlDatabase, ensureSchema, openControlDb } from "../../src/control/db.js";
import {
  type JobStatus,
  type RunStatus,
  SCHEDULER_DDL,
  type SchedulerRun,
  type SchedulerStatus,
  writeStatus,
} from "../../src/scheduler/index.js";

/**
 * What the console's scheduler page reads, written by a test instead of the daemon: the
 * schedule file, the status file (atomically, with the daemon's own `writeStatus`) and
 * runs and requests in the control database.
 */
export interface SchedulerFixture {
  root: string;
  scheduleFile: string;
  statusFile: string;
  controlDb: string;
  db: ControlDatabase;
  /** Writes the schedule file (default: the three jobs below). */
  schedule(jobs?: unknown[], extra?: Record<string, unknown>): void;
  /** Writes the status file: a daemon `state` with process `pid` and these jobs. */
  status(options?: {
    state?: SchedulerStatus["state"];
    pid?: number;
    jobs?: Record<string, Partial<JobStatus>>;
    updatedAt?: string;
  }): SchedulerStatus;
  /** Records a run; returns its id. */
  run(job: string, status: RunStatus, options?: Partial<Omit<SchedulerRun, "id">>): number;
  /** The requests in `scheduler_requests`, oldest first. */
  requests(): { id: number; job: string; requested_at: string; picked_at: string | null }[];
  close(): void;
}

/** A schedule's jobs: one every cycle, one daily, one on a cron (two of them harmless commands). */
export const FIXTURE_JOBS = [
  {
    name: "email_services",
    command: ["node", "-e", "console.log('<b>sent</b>')"],
    every: "cycle",
  },
  { name: "riesgos", command: ["npm", "run", "validate"], daily: "06:30", timeout: "15m" },
  { name: "upload", command: ["npm", "run", "upload"], cron: "30 2 * * *" },
];

/** The pid of a process that has ended (a daemon killed without writing `stopped`). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid as number;
}

const counts = () => ({ runs: 0, ok: 0, failed: 0, timeout: 0, skipped: 0, killed: 0 });

export function schedulerFixture(root: string): SchedulerFixture {
  const scheduleFile = join(root, "schedule.json");
  const statusFile = join(root, "status.json");
  const controlDb = join(root, "control.db");
  const db = openControlDb(controlDb);
  ensureSchema(db, "scheduler", SCHEDULER_DDL);
  return {
    root,
    scheduleFile,
    statusFile,
    controlDb,
    db,
    schedule(jobs = FIXTURE_JOBS, extra = { timezone: "Europe/Madrid" }) {
      writeFileSync(scheduleFile, JSON.stringify({ ...extra, jobs }, null, 2));
    },
    status({ state = "running", pid = process.pid, jobs = {}, updatedAt } = {}) {
      const now = new Date();
      const document: SchedulerStatus = {
        pid,
        started_at: new Date(now.getTime() - 3_600_000).toISOString(),
        updated_at: updatedAt ?? now.toISOString(),
        state,
        cycle: {
          number: 12,
          mode: "day",
          length_s: 300,
          started_at: new Date(now.getTime() - 60_000).toISOString(),
          next_at: state === "running" ? new Date(now.getTime() + 240_000).toISOString() : null,
        },
        stats: { cycles: 12, ...counts() },
        jobs: Object.fromEntries(
          Object.entries(jobs).map(([name, job]) => [
            name,
            {
              schedule: "every cycle",
              state: "idle",
              next_at: null,
              ...counts(),
              consecutive_failures: 0,
              avg_ms: null,
              last: null,
              ...job,
            } satisfies JobStatus,
          ]),
        ),
      };
      writeStatus(statusFile, document);
      return document;
    },
    run(job, status, options = {}) {
      const started = options.started_at ?? new Date(Date.now() - 60_000).toISOString();
      const result = db
        .prepare(
          `INSERT INTO scheduler_runs (job, attempt, started_at, finished_at, status, exit_code, output_tail, ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          job,
          options.attempt ?? 1,
          started,
          options.finished_at ?? new Date(Date.parse(started) + 1200).toISOString(),
          status,
          options.exit_code ?? (status === "ok" ? 0 : status === "failed" ? 1 : null),
          options.output_tail ?? `${job} ${status}`,
          options.ms ?? 1200,
        );
      return Number(result.lastInsertRowid);
    },
    requests() {
      return db
        .prepare("SELECT id, job, requested_at, picked_at FROM scheduler_requests ORDER BY id")
        .all() as ReturnType<SchedulerFixture["requests"]>;
    },
    close() {
      db.close();
    },
  };
}
