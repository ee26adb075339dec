import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defineCommand } from "../cli/command.js";
import { type ControlDatabase, ensureSchema, openControlDb } from "../control/db.js";
import { AppError, describeError, UsageError } from "../errors.js";
import { type Logger, parseLevel } from "../log.js";
import { Calendar, type CycleMode } from "./calendar.js";
import { Scheduler } from "./daemon.js";
import { describeSchedule, nextRuns } from "./describe.js";
import { formatDuration, parseDuration } from "./duration.js";
import { SCHEDULER_DDL, type SchedulerRun } from "./history.js";
import { holderAlive, lockPathOf, readHolder, takeDaemonLock } from "./lock.js";
import { SCHEDULER_OPTIONS } from "./options.js";
import { loadSchedule, type Schedule, ScheduleError, type StepCatalog } from "./schedule.js";
import { readStatus, type SchedulerStatus } from "./status.js";
import { isoInZone } from "./time.js";

export interface DryRunJob {
  name: string;
  schedule: string;
  run: string;
  enabled: boolean;
  timeout_s: number;
  retries: number;
  next_runs: string[];
}

export type SchedulerResult =
  | {
      kind: "dry-run";
      file: string;
      timezone: string;
      now: string;
      mode: CycleMode;
      length_s: number;
      working_day: boolean;
      holiday: string | null;
      jobs: DryRunJob[];
    }
  | { kind: "daemon"; stats: SchedulerStatus["stats"] }
  | { kind: "once"; ok: boolean; runs: Omit<SchedulerRun, "id">[]; stats: SchedulerStatus["stats"] }
  | { kind: "status"; file: string; alive: boolean; status: SchedulerStatus };

/** The project's `scripts/launch.mjs` (from the sources or a build), which runs a step job. */
export function findLauncher(from = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "scripts", "launch.mjs");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return resolve("scripts/launch.mjs");
  }
}

/**
 * The pipeline's step catalog of a folder, asked of the pipeline itself
 * (`pipeline list --json` through the launcher, in a process of its own: the daemon never
 * loads the steps' code). Only when a job names a step.
 */
function stepCatalog(stepsDir: string): Promise<StepCatalog> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [findLauncher(), "pipeline", "list", "--json", "--steps-dir", resolve(stepsDir)],
      { env: { ...process.env, LOG_LEVEL: "error" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.resume();
    child.on("error", (error) =>
      done({ problem: `cannot run the pipeline: ${describeError(error)}` }),
    );
    child.on("close", (code) => {
      try {
        const body = JSON.parse(stdout) as { name: string }[] | { error?: { message?: string } };
        if (code === 0 && Array.isArray(body))
          return done({ names: new Set(body.map((s) => s.name)), note: `in ${stepsDir}` });
        const message = Array.isArray(body) ? undefined : body.error?.message;
        done({ problem: message ?? `pipeline list exited ${code}` });
      } catch {
        done({ problem: `pipeline list exited ${code} without a list` });
      }
    });
  });
}

const aborted = (signal: AbortSignal): Promise<void> =>
  signal.aborted
    ? Promise.resolve()
    : new Promise((r) => signal.addEventListener("abort", () => r(), { once: true }));

function logProblems(log: Logger, error: unknown): void {
  if (error instanceof ScheduleError && error.problems.length > 1)
    for (const problem of error.problems) log.error(problem);
}

const pad = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

function dryRunText(result: Extract<SchedulerResult, { kind: "dry-run" }>): string {
  const lines = [
    `${result.file}: ${result.jobs.length} jobs, time zone ${result.timezone}`,
    `now ${result.now}: ${result.mode.replace(/_/g, " ")} cycle of ${formatDuration(result.length_s * 1000)}${result.holiday ? ` (holiday: ${result.holiday})` : result.working_day ? "" : " (not a working day)"}`,
    "",
  ];
  for (const job of result.jobs) {
    lines.push(
      `${job.name}: ${job.schedule} — ${job.run} (timeout ${formatDuration(job.timeout_s * 1000)}${job.retries ? `, ${job.retries} ${job.retries === 1 ? "retry" : "retries"}` : ""})`,
    );
    lines.push(
      job.next_runs.length ? `  next: ${job.next_runs.join(", ")}` : "  next: never (disabled)",
    );
  }
  return `${lines.join("\n")}\n`;
}

function statusText(result: Extract<SchedulerResult, { kind: "status" }>): string {
  const s = result.status;
  const alive = result.alive
    ? `${s.state}`
    : `not running (last state ${s.state}${s.state === "stopped" ? "" : `; pid ${s.pid} is gone`})`;
  const st = s.stats;
  const lines = [
    `scheduler pid ${s.pid}: ${alive}; started ${s.started_at}, updated ${s.updated_at}`,
    `cycle ${s.cycle.number}: ${s.cycle.mode.replace(/_/g, " ")}, ${s.cycle.length_s} s${s.cycle.next_at ? `, next at ${s.cycle.next_at}` : ""}`,
    `${st.runs} runs in ${st.cycles} cycles: ${st.ok} ok, ${st.failed} failed, ${st.timeout} timeout, ${st.skipped} skipped, ${st.killed} killed`,
    "",
    `${pad("JOB", 18)} ${pad("SCHEDULE", 34)} ${pad("STATE", 8)} ${pad("LAST", 16)} ${pad("AVG", 9)} ${pad("RUNS", 6)} NEXT`,
  ];
  for (const [name, job] of Object.entries(s.jobs)) {
    const last = job.last
      ? `${job.last.status}${job.last.exit_code !== null && job.last.status !== "ok" ? ` (${job.last.exit_code})` : ""}`
      : "-";
    const failures = job.consecutive_failures ? ` ${job.consecutive_failures}✗` : "";
    lines.push(
      `${pad(name, 18)} ${job.schedule.padEnd(34)} ${pad(job.state, 8)} ${pad(last + failures, 16)} ${pad(job.avg_ms === null ? "-" : `${job.avg_ms} ms`, 9)} ${pad(String(job.runs), 6)} ${job.next_at ?? "-"}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function onceText(result: Extract<SchedulerResult, { kind: "once" }>): string {
  const lines = result.runs.map(
    (r) =>
      `${r.job}: ${r.status}${r.exit_code !== null ? ` (exit ${r.exit_code})` : ""}${r.ms !== null ? ` in ${r.ms} ms` : ""}${r.attempt > 1 ? `, attempt ${r.attempt}` : ""}`,
  );
  lines.push(result.runs.length === 0 ? "nothing was due" : result.ok ? "all ok" : "not all ok");
  return `${lines.join("\n")}\n`;
}

function statusOf(config: { statusFile: string }): SchedulerResult {
  const file = config.statusFile;
  let status: SchedulerStatus | null;
  try {
    status = readStatus(file);
  } catch (error) {
    throw new AppError(
      `${file}: cannot read the status file: ${describeError(error)}`,
      "status",
      3,
    );
  }
  if (!status)
    throw new AppError(
      `${file}: no status file (no scheduler has run with this MASTER_STATUS_FILE)`,
      "not-running",
      3,
    );
  const holder = readHolder(lockPathOf(file));
  const alive = status.state !== "stopped" && holder?.pid === status.pid && holderAlive(holder);
  return { kind: "status", file, alive, status };
}

function dryRun(schedule: Schedule, at: number): SchedulerResult {
  const calendar = new Calendar(schedule.cycle, schedule.timezone);
  const mode = calendar.modeAt(at);
  return {
    kind: "dry-run",
    file: schedule.file,
    timezone: schedule.timezone,
    now: isoInZone(at, schedule.timezone),
    mode,
    length_s: Math.round(calendar.lengthOf(mode) / 1000),
    working_day: calendar.isWorkingDay(at),
    holiday: calendar.holidayAt(at),
    jobs: schedule.jobs.map((job) => ({
      name: job.name,
      schedule: describeSchedule(job),
      run: job.step ? `pipeline run ${job.step}` : (job.command as string[]).join(" "),
      enabled: job.enabled,
      timeout_s: Math.round(job.timeout_ms / 1000),
      retries: job.retries,
      next_runs: nextRuns(job, 3, at).map((d) => isoInZone(d.getTime(), schedule.timezone)),
    })),
  };
}

/**
 * `npm run scheduler` as a library value: the daemon, `--dry-run`, `--once`, `status`.
 *
 * @example
 * const result = await schedulerCommand.run(
 *   { config: { ...defaults, dryRun: true }, args: [] },
 *   { log, signal, progress },
 * );
 */
export const schedulerCommand = defineCommand({
  name: "scheduler",
  summary:
    "Runs the jobs of the schedule file on cycles (day, night, non-working days), daily times\n" +
    "and cron expressions, each in its own process group with a timeout, never two runs of one\n" +
    "job at once; writes the status file and the history (control database).\n" +
    "  (no argument)            the daemon, until SIGTERM/SIGINT (SIGHUP re-reads the file)\n" +
    "  --dry-run [--json]       check the file; the cycle mode now, each job's next 3 runs\n" +
    "  --once [--json]          one cycle, then exit 0 if every job ran ok, 1 if not\n" +
    "  status [--json]          the status file; exit 0 if its daemon is alive, 3 if not\n" +
    "Exit 2 for an invalid schedule file (naming the job and field) or option, 5 when another\n" +
    "daemon runs on the same status file, 1 when the control database cannot be opened.",
  positionals: "[status]",
  options: {
    ...SCHEDULER_OPTIONS,
    at: {
      type: "string",
      flag: "at",
      arg: "ISO-TIME",
      help: "--dry-run: decide as if it were this instant (e.g. 2026-12-25T10:00:00+01:00)",
      check: (value: string) =>
        Number.isNaN(Date.parse(value))
          ? `"${value}" is not a date and time (ISO 8601)`
          : undefined,
    },
  },
  logFile: "scheduler",
  args: { min: 0, max: 1 },
  interruptedNote: "running jobs were given the shutdown grace, then terminated",
  async run({ config, args }, { log, signal }): Promise<SchedulerResult> {
    const [sub] = args;
    if (sub !== undefined && sub !== "status")
      throw new UsageError(`unknown subcommand "${sub}" (the only one is status; see --help)`);
    const modes = [
      sub === "status" && "status",
      config.dryRun && "--dry-run",
      config.once && "--once",
    ].filter(Boolean);
    if (modes.length > 1) throw new UsageError(`${modes.join(" and ")} cannot be used together`);
    if (config.json && modes.length === 0)
      throw new UsageError("--json applies to --dry-run, --once and status");
    if (config.at !== undefined && !config.dryRun)
      throw new UsageError("--at applies to --dry-run only");
    if (config.verbose) log.level = "debug";
    else if (config.masterLogLevel)
      log.level = parseLevel(config.masterLogLevel, "MASTER_LOG_LEVEL");

    if (sub === "status") return statusOf(config);

    const overrides = {
      cycleDay: parseDuration(config.cycleDay),
      cycleNight: parseDuration(config.cycleNight),
      cycleNonWorkingDay: parseDuration(config.cycleNonWorkingDay),
      timeout: parseDuration(config.scriptTimeout),
    };
    const load = () =>
      loadSchedule(config.scheduleFile, {
        overrides,
        steps: () => stepCatalog(config.stepsDir),
      });
    let schedule: Schedule;
    try {
      schedule = await load();
    } catch (error) {
      logProblems(log, error);
      throw error;
    }
    if (config.dryRun) return dryRun(schedule, config.at ? Date.parse(config.at) : Date.now());

    const lock = takeDaemonLock(config.statusFile);
    let db: ControlDatabase | null = null;
    let scheduler: Scheduler | null = null;
    // A second signal exits at once (runCli): the jobs go with the daemon, the lock too.
    const onExit = () => {
      scheduler?.exitNow();
      lock.release();
    };
    const onHup = () => {
      log.info(`SIGHUP: reading ${config.scheduleFile} again`);
      load().then(
        (fresh) => scheduler?.reload(fresh),
        (error: unknown) => {
          logProblems(log, error);
          log.error(`SIGHUP: ${describeError(error)}; keeping the schedule loaded before`);
        },
      );
    };
    try {
      db = openControlDb(config.controlDb);
      ensureSchema(db, "scheduler", SCHEDULER_DDL);
      const instance = new Scheduler({
        schedule,
        statusFile: config.statusFile,
        db,
        log,
        maxParallel: config.maxParallel,
        shutdownGraceMs: parseDuration(config.shutdownGrace) ?? 30_000,
        jobLogDir: join(config.logDir, "jobs"),
        logMaxBytes: Math.round(config.logMaxSizeMb * 1024 * 1024),
        logFiles: config.logMaxFiles,
        alert: config.webhookUrl
          ? {
              url: config.webhookUrl,
              timeoutMs: config.webhookTimeoutMs,
              retries: config.webhookRetries,
            }
          : null,
        steps: {
          launcher: findLauncher(),
          stepsDir: resolve(config.stepsDir),
          controlDb: resolve(config.controlDb),
        },
      });
      scheduler = instance;
      process.on("exit", onExit);
      const stop = () => void instance.stop();
      signal.addEventListener("abort", stop, { once: true });
      if (config.once) {
        const runs: Omit<SchedulerRun, "id">[] = [];
        instance.on("run-finished", (run) => runs.push(run));
        const ok = signal.aborted ? false : await instance.runOnce();
        await instance.stop();
        return { kind: "once", ok, runs, stats: instance.status().stats };
      }
      process.on("SIGHUP", onHup);
      instance.start();
      await aborted(signal);
      await instance.stop();
      return { kind: "daemon", stats: instance.status().stats };
    } finally {
      process.off("SIGHUP", onHup);
      process.off("exit", onExit);
      db?.close();
      lock.release();
    }
  },
  exitCode(result) {
    if (result.kind === "once") return result.ok ? 0 : 1;
    if (result.kind === "status") return result.alive ? 0 : 3;
    return 0;
  },
  json(result) {
    switch (result.kind) {
      case "status":
        return result.status;
      case "dry-run": {
        const { kind: _kind, mode, length_s, working_day, holiday, ...rest } = result;
        return {
          status: "ok",
          ...rest,
          cycle: { mode, length_s, working_day, holiday },
        };
      }
      case "once":
        return { status: result.ok ? "ok" : "failed", runs: result.runs, stats: result.stats };
      case "daemon":
        return { status: "stopped", stats: result.stats };
    }
  },
  report(result) {
    switch (result.kind) {
      case "status":
        return statusText(result);
      case "dry-run":
        return dryRunText(result);
      case "once":
        return onceText(result);
      case "daemon":
        return "";
    }
  },
});
