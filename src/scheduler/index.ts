/**
 * The scheduler daemon as a library (`npm run scheduler`; reference: docs/scheduler.md).
 * What the console's `/scheduler` page uses:
 *
 * @example
 * import { openControlDb } from "../control/db.js";
 * import { readStatus, recentRuns, requestRun, describeSchedule, nextRuns } from "../scheduler/index.js";
 *
 * const status = readStatus("logs/run_master_status.json"); // the status file, or null
 * const db = openControlDb("database/control.db");
 * recentRuns(db, { job: "upload", limit: 50 }); // scheduler_runs rows, newest first
 * requestRun(db, "upload"); // "Run now": the daemon picks it up within a second
 *
 * - `readStatus(path)` — the status file as the daemon last wrote it (`SchedulerStatus`),
 *   null when there is none.
 * - `recentRuns(db, { job?, limit })` — `SchedulerRun` rows: id, job, attempt, started_at,
 *   finished_at, status (`ok|failed|timeout|skipped|killed`), exit_code, output_tail, ms.
 * - `requestRun(db, job)` — inserts into `scheduler_requests(id, job, requested_at,
 *   picked_at)`; returns the request's id.
 * - `SCHEDULER_DDL` — both tables (`ensureSchema(db, "scheduler", SCHEDULER_DDL)`; the
 *   functions above call it themselves).
 * - `describeSchedule(job)` — "every cycle", "daily at 06:30", "at 02:30 every day", …
 * - `nextRuns(job, n, now)` — the next `n` run times (`Date[]`) of a job of `loadSchedule`.
 */

export { type AlertBody, type AlertSettings, alertBody, postAlert } from "./alert.js";
export { Calendar, type CycleMode, type CycleSpec, holidaysProblem } from "./calendar.js";
export { type SchedulerResult, schedulerCommand } from "./command.js";
export { Scheduler, type SchedulerEvents, type SchedulerOptions } from "./daemon.js";
export { cronInWords, describeSchedule, nextRuns } from "./describe.js";
export { durationProblem, formatDuration, parseDuration } from "./duration.js";
export {
  pendingRequests,
  type RunStatus,
  recentRuns,
  requestRun,
  SCHEDULER_DDL,
  type SchedulerRequest,
  type SchedulerRun,
} from "./history.js";
export { EXIT_LOCKED, holderAlive, lockPathOf, readHolder, takeDaemonLock } from "./lock.js";
export { SCHEDULER_OPTIONS } from "./options.js";
export { JobProcess, KILL_GRACE_MS, type ProcessOutcome, TAIL_BYTES } from "./runner.js";
export {
  cronProblem,
  type Job,
  type JobSchedule,
  loadSchedule,
  parseSchedule,
  type Schedule,
  ScheduleError,
  type ScheduleOverrides,
} from "./schedule.js";
export {
  DEFAULT_STATUS_FILE,
  type JobStatus,
  type LastRun,
  type RunCounts,
  readStatus,
  type SchedulerStatus,
  writeStatus,
} from "./status.js";
export { type Clock, fixedClock, isoInZone, scaledClock, systemClock } from "./time.js";
