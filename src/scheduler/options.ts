import { JSON_OPTION } from "../cli/options.js";
import type { OptionSpecs } from "../config.js";
import { DEFAULT_CONTROL_DB } from "../control/db.js";
import { LEVELS } from "../levels.js";
import { VALIDATE_OPTIONS } from "../validation/options.js";
import { durationProblem } from "./duration.js";
import { DEFAULT_STATUS_FILE } from "./status.js";

const levelProblem = (value: string) =>
  (LEVELS as readonly string[]).includes(
    value
      .trim()
      .toLowerCase()
      .replace(/^warning$/, "warn"),
  )
    ? undefined
    : `unknown log level "${value}" (one of ${LEVELS.join(", ")})`;

const duration = (env: string, help: string, fallback?: string) =>
  ({
    type: "string",
    env,
    ...(fallback ? { default: fallback } : {}),
    arg: "DURATION",
    help,
    check: durationProblem,
  }) as const;

/** The options of `npm run scheduler`: flags, environment variables (`MASTER_*`), defaults. */
export const SCHEDULER_OPTIONS = {
  scheduleFile: {
    type: "string",
    flag: "schedule",
    env: "SCHEDULE_FILE",
    default: "schedule.json",
    arg: "FILE",
    help: "The schedule file (jobs, cycles, time zone)",
  },
  statusFile: {
    type: "string",
    flag: "status-file",
    env: "MASTER_STATUS_FILE",
    default: DEFAULT_STATUS_FILE,
    arg: "FILE",
    help: "The status file, replaced atomically at every change (one daemon per status file)",
  },
  dryRun: {
    type: "boolean",
    flag: "dry-run",
    help: "Check the file, print the cycle mode now, each job's schedule in words and its next 3 runs; run nothing",
  },
  once: {
    type: "boolean",
    flag: "once",
    help: "Run one cycle (every-cycle jobs, daily jobs that are due) and exit 0 if all ok, 1 if not",
  },
  json: JSON_OPTION,
  verbose: { type: "boolean", flag: "verbose", help: "Debug logs (each cycle, each queued job)" },
  cycleDay: duration("MASTER_CYCLE_DAY", "Cycle length by day (wins over the file's cycle.day)"),
  cycleNight: duration("MASTER_CYCLE_NIGHT", "Cycle length by night (wins over cycle.night)"),
  cycleNonWorkingDay: duration(
    "MASTER_CYCLE_NON_WORKING_DAY",
    "Cycle length on non-working days (wins over cycle.non_working_day)",
  ),
  scriptTimeout: duration(
    "MASTER_SCRIPT_TIMEOUT",
    "Timeout of a job without its own (wins over the file's defaults.timeout)",
  ),
  masterLogLevel: {
    type: "string",
    env: "MASTER_LOG_LEVEL",
    arg: "LEVEL",
    help: `The daemon's log level (wins over LOG_LEVEL; --verbose wins over it): ${LEVELS.join(", ")}`,
    check: levelProblem,
  },
  maxParallel: {
    type: "number",
    env: "MASTER_MAX_PARALLEL",
    default: 4,
    min: 1,
    max: 1024,
    integer: true,
    arg: "N",
    help: "Jobs running at once; the others wait their turn (queued)",
  },
  shutdownGrace: duration(
    "MASTER_SHUTDOWN_GRACE",
    "On SIGTERM/SIGINT, how long running jobs get to finish before they are terminated",
    "30s",
  ),
  controlDb: {
    type: "string",
    flag: "control-db",
    env: "CONTROL_DB",
    default: DEFAULT_CONTROL_DB,
    arg: "PATH",
    help: "Control database: run history (scheduler_runs) and run-now requests",
  },
  stepsDir: {
    type: "string",
    flag: "steps-dir",
    env: "STEPS_DIR",
    default: "steps",
    arg: "DIR",
    help: "The pipeline's steps folder (step jobs are checked against it)",
  },
  webhookUrl: {
    ...VALIDATE_OPTIONS.webhookUrl,
    help: "POST an alert here after alert_after failures in a row of a job, and one when it recovers (https; http only to 127.0.0.1/localhost)",
  },
  webhookTimeoutMs: VALIDATE_OPTIONS.webhookTimeoutMs,
  webhookRetries: VALIDATE_OPTIONS.webhookRetries,
} as const satisfies OptionSpecs;
