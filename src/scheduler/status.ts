import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { CycleMode } from "./calendar.js";
import type { RunStatus } from "./history.js";

/** Counts of recorded runs: `runs = ok + failed + timeout + skipped + killed`. */
export interface RunCounts {
  runs: number;
  ok: number;
  failed: number;
  timeout: number;
  skipped: number;
  killed: number;
}

export interface LastRun {
  started_at: string;
  finished_at: string | null;
  ms: number | null;
  status: RunStatus;
  exit_code: number | null;
}

export interface JobStatus extends RunCounts {
  schedule: string;
  state: "idle" | "queued" | "running";
  next_at: string | null;
  consecutive_failures: number;
  avg_ms: number | null;
  last: LastRun | null;
}

/** The status file (`MASTER_STATUS_FILE`), exactly as the contract shapes it. */
export interface SchedulerStatus {
  pid: number;
  started_at: string;
  updated_at: string;
  state: "running" | "stopping" | "stopped";
  cycle: {
    number: number;
    mode: CycleMode;
    length_s: number;
    started_at: string | null;
    next_at: string | null;
  };
  stats: RunCounts & { cycles: number };
  jobs: Record<string, JobStatus>;
}

export const DEFAULT_STATUS_FILE = "logs/run_master_status.json";

export const emptyCounts = (): RunCounts => ({
  runs: 0,
  ok: 0,
  failed: 0,
  timeout: 0,
  skipped: 0,
  killed: 0,
});

/**
 * Replaces the status file in one step: written to a temporary file in the same folder,
 * then renamed over it, so a reader sees the old document or the new one, never half.
 */
export function writeStatus(path: string, status: SchedulerStatus): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(status, null, 2)}\n`);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * The status file as the daemon last wrote it, or null when there is none. Throws when it
 * exists but is not a status document.
 *
 * @example
 * const status = readStatus("logs/run_master_status.json");
 * status?.jobs.upload?.last?.status; // "ok"
 */
export function readStatus(path: string = DEFAULT_STATUS_FILE): SchedulerStatus | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const status = JSON.parse(text) as SchedulerStatus;
  if (
    typeof status !== "object" ||
    status === null ||
    typeof status.pid !== "number" ||
    !status.jobs
  )
    throw new Error(`${path}: not a scheduler status file`);
  return status;
}
