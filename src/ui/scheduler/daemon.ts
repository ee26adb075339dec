import { readFileSync } from "node:fs";
import { describeError } from "../../errors.js";
import {
  describeSchedule,
  holderAlive,
  type Job,
  lockPathOf,
  nextRuns,
  parseSchedule,
  readHolder,
  ScheduleError,
} from "../../scheduler/index.js";

/**
 * The console's one doorway to the scheduler daemon's module (src/scheduler): its status
 * file, its tables and its schedule file, read the daemon's own way. Everything else
 * under src/ui/scheduler goes through here.
 */
export {
  DEFAULT_STATUS_FILE,
  type RunStatus,
  readStatus,
  recentRuns,
  requestRun,
  SCHEDULER_DDL,
  type SchedulerRun as RunRow,
  type SchedulerStatus as MasterStatus,
} from "../../scheduler/index.js";

export const DEFAULT_SCHEDULE_FILE = "schedule.json";

/** One job of the schedule file, as much as the console shows of it. */
export interface ScheduledJob {
  name: string;
  /** The schedule in words ("every cycle", "daily at 06:30", "at 02:30 every day"). */
  schedule: string;
  /** What it runs: the argv joined, or "pipeline step NAME". */
  command: string;
  enabled: boolean;
  /** Whether it runs on a clock (`daily`, `cron`), so its next time is known without the daemon. */
  timed: boolean;
  /** The daemon's job, for `nextRuns`. */
  job: Job;
}

/** The schedule file as the console reads it: its jobs, or why it could not. */
export interface ScheduleFile {
  timezone: string | null;
  jobs: ScheduledJob[];
  /** Why the file could not be read or is invalid (the daemon's own words), or null. */
  problem: string | null;
}

/**
 * The jobs of the schedule file (`SCHEDULE_FILE`), checked as the daemon checks them
 * (pipeline steps aside: the daemon checks those against the steps folder). A file that
 * cannot be used is a problem to show, not an error.
 */
export function readSchedule(path: string): ScheduleFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      timezone: null,
      jobs: [],
      problem: code === "ENOENT" ? `no schedule file at ${path}` : `${path} cannot be read`,
    };
  }
  try {
    const schedule = parseSchedule(text, path);
    return {
      timezone: schedule.timezone,
      jobs: schedule.jobs.map((job) => ({
        name: job.name,
        schedule: describeSchedule({ schedule: job.schedule }),
        command: job.step !== null ? `pipeline step ${job.step}` : (job.command ?? []).join(" "),
        enabled: job.enabled,
        timed: !("every" in job.schedule),
        job,
      })),
      problem: null,
    };
  } catch (error) {
    const problem =
      error instanceof ScheduleError ? error.problems.join("; ") : describeError(error);
    return { timezone: null, jobs: [], problem: problem.slice(0, 1000) };
  }
}

/** When a clock-driven job runs next by its schedule (without a daemon to ask), or null. */
export function nextByClock(job: ScheduledJob, now: number): string | null {
  if (!job.timed || !job.enabled) return null;
  try {
    const [next] = nextRuns(job.job, 1, now);
    return next ? next.toISOString() : null;
  } catch {
    return null;
  }
}

/**
 * Whether the daemon that wrote the status file is alive: its lock (`<status file>.lock`)
 * names its pid and start time, so a pid reused by another process does not count; without
 * the lock (or another pid in it), whether a process with the status file's pid exists.
 */
export function daemonAlive(statusFile: string, pid: number): boolean {
  const holder = readHolder(lockPathOf(statusFile));
  if (holder && holder.pid === pid) return holderAlive(holder);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
