import { EventEmitter } from "node:events";
import { isAbsolute, join, resolve } from "node:path";
import type { Cron } from "croner";
import type { Logger as WinstonLogger } from "winston";
import type { ControlDatabase } from "../control/db.js";
import { describeError } from "../errors.js";
import { type AlertSettings, alertBody, postAlert } from "./alert.js";
import { Calendar, type CycleMode } from "./calendar.js";
import { cronOf, describeSchedule } from "./describe.js";
import { formatDuration } from "./duration.js";
import {
  insertRun,
  lastRealRuns,
  markPicked,
  pendingRequests,
  type RunStatus,
  type SchedulerRun,
} from "./history.js";
import { JobProcess, type ProcessOutcome } from "./runner.js";
import type { Job, Schedule } from "./schedule.js";
import {
  emptyCounts,
  type JobStatus,
  type LastRun,
  type RunCounts,
  type SchedulerStatus,
  writeStatus,
} from "./status.js";
import { type Clock, type ClockTimer, isoInZone, localDate, systemClock } from "./time.js";

export interface SchedulerOptions {
  schedule: Schedule;
  /** `MASTER_STATUS_FILE`. */
  statusFile: string;
  /** The control database (history, run-now requests); null: nothing recorded. */
  db: ControlDatabase | null;
  log: WinstonLogger;
  clock?: Clock;
  /** `MASTER_MAX_PARALLEL` (default 4). */
  maxParallel?: number;
  /** `MASTER_SHUTDOWN_GRACE` in ms (default 30 s). */
  shutdownGraceMs?: number;
  /** Folder of the job logs (`logs/jobs`). */
  jobLogDir: string;
  logMaxBytes?: number;
  logFiles?: number;
  /** `ALERT_WEBHOOK_URL` and its settings, or null: no alerts. */
  alert?: AlertSettings | null;
  /** The working folder of the runs (default: the process's). */
  cwd?: string;
  /** How a step job is started: the launcher (`scripts/launch.mjs`) and its settings. */
  steps?: { launcher: string; stepsDir: string; controlDb: string };
  /** How often run-now requests are looked for (real ms, default 1000). */
  pollMs?: number;
  /** The status file is rewritten at least this often (real ms, default 60 s). */
  heartbeatMs?: number;
  /** SIGKILL this long after SIGTERM (ms, default 5000). */
  killGraceMs?: number;
}

type Busy = null | "queued" | "running" | "retry";

interface JobRuntime {
  job: Job;
  description: string;
  cron: Cron | null;
  busy: Busy;
  attempt: number;
  reason: string;
  process: JobProcess | null;
  startedAt: number;
  dueAt: number | null;
  timer: ClockTimer | null;
  nextAt: number | null;
  retryTimer: ClockTimer | null;
  retryAt: number | null;
  counts: RunCounts;
  totalMs: number;
  timedRuns: number;
  consecutiveFailures: number;
  alerted: boolean;
  last: LastRun | null;
  /** When a run of this job last started (any trigger), for the daily catch-up. */
  lastStartedAt: number | null;
  removed: boolean;
}

/** Events of a `Scheduler`. */
export interface SchedulerEvents {
  /** A run started: `due_at` is when it was due (null for a manual run or a retry). */
  "run-started": [{ job: string; attempt: number; started_at: number; due_at: number | null }];
  /** A run (or a skipped start) was recorded. */
  "run-finished": [Omit<SchedulerRun, "id">];
  /** A job ended for good (after its retries). */
  "job-done": [{ job: string; status: RunStatus }];
  cycle: [{ number: number; mode: CycleMode; started_at: number; next_at: number }];
}

const FAILURE: ReadonlySet<RunStatus> = new Set(["failed", "timeout"]);

/**
 * The scheduler daemon as a library: cycles, daily and cron jobs, a bounded number of runs
 * at once, no overlap, retries, alerts, history, run-now requests and the status file.
 * Every time decision goes through `clock`. The CLI (`src/scheduler/command.ts`) adds the
 * lock, the signals and the schedule file.
 */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  private schedule: Schedule;
  private calendar: Calendar;
  private readonly clock: Clock;
  private readonly log: WinstonLogger;
  private readonly jobs = new Map<string, JobRuntime>();
  private readonly queue: JobRuntime[] = [];
  private running = 0;
  private state: SchedulerStatus["state"] = "running";
  private readonly startedAt: number;
  private cycle = { number: 0, mode: "day" as CycleMode, length: 0, startedAt: 0, nextAt: 0 };
  private cycleTimer: ClockTimer | null = null;
  private readonly stats = { cycles: 0, ...emptyCounts() };
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private writeScheduled = false;
  private statusProblem: string | null = null;
  private dbProblem: string | null = null;
  private stopping: Promise<void> | null = null;
  private oneCycle: { pending: Set<string>; ok: boolean; resolve: (ok: boolean) => void } | null =
    null;

  constructor(private readonly options: SchedulerOptions) {
    super();
    this.schedule = options.schedule;
    this.calendar = new Calendar(options.schedule.cycle, options.schedule.timezone);
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    this.startedAt = this.clock.now();
    for (const job of options.schedule.jobs) this.jobs.set(job.name, this.runtime(job));
  }

  private get maxParallel(): number {
    return this.options.maxParallel ?? 4;
  }

  private iso(ms: number): string {
    return isoInZone(ms, this.schedule.timezone);
  }

  private runtime(job: Job): JobRuntime {
    const rt: JobRuntime = {
      job,
      description: describeSchedule(job),
      cron: cronOf(job),
      busy: null,
      attempt: 1,
      reason: "",
      process: null,
      startedAt: 0,
      dueAt: null,
      timer: null,
      nextAt: null,
      retryTimer: null,
      retryAt: null,
      counts: emptyCounts(),
      totalMs: 0,
      timedRuns: 0,
      consecutiveFailures: 0,
      alerted: false,
      last: null,
      lastStartedAt: null,
      removed: false,
    };
    this.loadHistory(rt);
    return rt;
  }

  /** The last run, the failures in a row and the last start, from the history. */
  private loadHistory(rt: JobRuntime): void {
    const db = this.options.db;
    if (!db) return;
    try {
      const rows = lastRealRuns(db, rt.job.name, 100);
      const latest = rows[0];
      if (!latest) return;
      rt.last = {
        started_at: latest.started_at,
        finished_at: latest.finished_at,
        ms: latest.ms,
        status: latest.status,
        exit_code: latest.exit_code,
      };
      rt.lastStartedAt = Date.parse(latest.started_at);
      let failures = 0;
      for (const row of rows) {
        if (row.status === "ok") break;
        if (FAILURE.has(row.status)) failures++;
      }
      rt.consecutiveFailures = failures;
      rt.alerted = rt.job.alert_after > 0 && failures >= rt.job.alert_after;
    } catch (error) {
      this.dbFailed(error);
    }
  }

  private dbFailed(error: unknown): void {
    const problem = describeError(error);
    if (problem !== this.dbProblem)
      this.log.error(`control database: ${problem} (the history misses this run)`);
    this.dbProblem = problem;
  }

  /** Starts the daemon: the first cycle now, the cron and daily timers, run-now polling. */
  start(): void {
    this.log.info(
      `scheduler started with ${this.jobs.size} jobs (${this.schedule.file}, ${this.schedule.timezone}, at most ${this.maxParallel} at once)`,
      { pid: process.pid, jobs: this.jobs.size },
    );
    for (const rt of this.jobs.values()) this.armTimer(rt);
    this.pollTimer = setInterval(() => this.pollRequests(), this.options.pollMs ?? 1000);
    this.heartbeat = setInterval(() => this.markDirty(), this.options.heartbeatMs ?? 60_000);
    this.startCycle();
  }

  /**
   * One cycle and no more: the every-cycle jobs and the daily jobs that are due, with their
   * retries. Resolves true when every one ended ok.
   */
  runOnce(): Promise<boolean> {
    return new Promise((resolveOnce) => {
      this.oneCycle = { pending: new Set(), ok: true, resolve: resolveOnce };
      this.startCycle();
      if (this.oneCycle.pending.size === 0) resolveOnce(true);
    });
  }

  private armTimer(rt: JobRuntime, from = this.clock.now()): void {
    rt.timer?.cancel();
    rt.timer = null;
    rt.nextAt = null;
    if (!rt.cron || !rt.job.enabled || rt.removed || this.state !== "running") return;
    const next = rt.cron.nextRun(new Date(from))?.getTime();
    if (next === undefined) return;
    rt.nextAt = next;
    rt.timer = this.clock.at(next, () => {
      rt.timer = null;
      if ("cron" in rt.job.schedule) this.trigger(rt, "cron", next);
      else if (this.dailyDue(rt, this.clock.now())) this.trigger(rt, "daily", next);
      // Missed times (a blocked event loop, a clock set forward) are not made up.
      this.armTimer(rt, Math.max(next, this.clock.now() - 1));
      this.markDirty();
    });
  }

  /** A daily job whose time today has come and that has not started since. */
  private dailyDue(rt: JobRuntime, now: number): boolean {
    if (!("daily" in rt.job.schedule) || !rt.cron || !rt.job.enabled) return false;
    const previous = rt.cron.previousRuns(1, new Date(now + 1))[0]?.getTime();
    if (previous === undefined) return false;
    if (localDate(previous, this.schedule.timezone) !== localDate(now, this.schedule.timezone))
      return false;
    return (rt.lastStartedAt ?? Number.NEGATIVE_INFINITY) < previous;
  }

  /** A cycle starts: at `planned` (the previous cycle's end, so cycles do not drift) or now. */
  private startCycle(planned?: number): void {
    if (this.state !== "running") return;
    const now =
      planned !== undefined && Math.abs(this.clock.now() - planned) < 1000
        ? planned
        : this.clock.now();
    const mode = this.calendar.modeAt(now);
    const nextAt = this.oneCycle ? now : this.calendar.cycleEnd(now);
    this.cycle = {
      number: this.cycle.number + 1,
      mode,
      length: this.calendar.lengthOf(mode),
      startedAt: now,
      nextAt,
    };
    this.stats.cycles++;
    this.log.debug(
      `cycle ${this.cycle.number}: ${mode.replace(/_/g, " ")} (${formatDuration(this.cycle.length)}), next at ${this.iso(nextAt)}`,
    );
    this.emit("cycle", { number: this.cycle.number, mode, started_at: now, next_at: nextAt });
    for (const rt of this.jobs.values()) {
      if (!rt.job.enabled || rt.removed) continue;
      const s = rt.job.schedule;
      if ("every" in s) this.trigger(rt, "cycle", now);
      else if ("daily" in s && this.dailyDue(rt, now)) this.trigger(rt, "daily", now);
    }
    if (!this.oneCycle) this.cycleTimer = this.clock.at(nextAt, () => this.startCycle(nextAt));
    this.markDirty();
  }

  /** A job is due: started, queued, or recorded as skipped when a run of it is under way. */
  private trigger(rt: JobRuntime, reason: string, dueAt: number | null): void {
    if (this.state !== "running" || rt.removed) return;
    if (rt.busy) {
      const why =
        rt.busy === "running"
          ? "still running"
          : rt.busy === "queued"
            ? "still running (queued, waiting for a free slot)"
            : "still running (waiting to retry)";
      const now = this.clock.now();
      this.log.warn(`${rt.job.name}: due (${reason}) but ${why}: skipped`, { job: rt.job.name });
      this.record(rt, {
        job: rt.job.name,
        attempt: 1,
        started_at: this.iso(now),
        finished_at: this.iso(now),
        status: "skipped",
        exit_code: null,
        output_tail: why,
        ms: null,
      });
      return;
    }
    rt.attempt = 1;
    rt.reason = reason;
    rt.dueAt = dueAt;
    this.oneCycle?.pending.add(rt.job.name);
    this.enqueue(rt);
  }

  private enqueue(rt: JobRuntime): void {
    if (this.running < this.maxParallel && this.queue.length === 0) this.launch(rt);
    else {
      rt.busy = "queued";
      this.queue.push(rt);
      this.log.debug(
        `${rt.job.name}: queued (${this.running} running, at most ${this.maxParallel})`,
      );
      this.markDirty();
    }
  }

  private drain(): void {
    while (this.state === "running" && this.running < this.maxParallel && this.queue.length > 0)
      this.launch(this.queue.shift() as JobRuntime);
  }

  private argvOf(job: Job): { argv: string[]; env: NodeJS.ProcessEnv } {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...job.env,
      SCHEDULER_JOB: job.name,
    };
    if (job.step) {
      const steps = this.options.steps;
      if (!steps) throw new Error("step jobs need the launcher (steps option)");
      env.STEPS_DIR = steps.stepsDir;
      env.CONTROL_DB = steps.controlDb;
      return { argv: [process.execPath, steps.launcher, "pipeline", "run", job.step], env };
    }
    const argv = [...(job.command as string[])];
    // "node" is the Node running the daemon (a service's PATH may have none, or another).
    if (argv[0] === "node") argv[0] = process.execPath;
    return { argv, env };
  }

  private launch(rt: JobRuntime): void {
    const job = rt.job;
    const now = this.clock.now();
    rt.busy = "running";
    rt.startedAt = now;
    rt.lastStartedAt = now;
    this.running++;
    const base = this.options.cwd ?? process.cwd();
    const cwd = job.cwd ? (isAbsolute(job.cwd) ? job.cwd : resolve(base, job.cwd)) : base;
    let argv: string[];
    let env: NodeJS.ProcessEnv;
    try {
      ({ argv, env } = this.argvOf(job));
    } catch (error) {
      argv = [];
      env = {};
      this.log.error(`${job.name}: ${describeError(error)}`);
    }
    env.SCHEDULER_ATTEMPT = String(rt.attempt);
    const shown = job.step ? `pipeline run ${job.step}` : (job.command as string[]).join(" ");
    rt.process = new JobProcess({
      argv: argv.length ? argv : ["/nonexistent"],
      cwd,
      env,
      logFile: join(this.options.jobLogDir, `${job.name}.log`),
      timeoutMs: job.timeout_ms,
      header: `=== ${this.iso(now)} ${job.name} attempt ${rt.attempt} (${rt.reason}): ${shown} ===\n`,
      logMaxBytes: this.options.logMaxBytes,
      logFiles: this.options.logFiles,
      killGraceMs: this.options.killGraceMs,
    });
    this.log.info(
      `${job.name}: started${rt.attempt > 1 ? ` (attempt ${rt.attempt})` : ""} (${rt.reason}), pid ${rt.process.pid ?? "-"}`,
      { job: job.name, attempt: rt.attempt, pid: rt.process.pid },
    );
    this.emit("run-started", {
      job: job.name,
      attempt: rt.attempt,
      started_at: now,
      due_at: rt.attempt === 1 ? rt.dueAt : null,
    });
    rt.process.done.then(
      (outcome) => this.finished(rt, outcome),
      (error: unknown) => this.log.error(`${job.name}: ${describeError(error)}`),
    );
    this.markDirty();
  }

  private record(rt: JobRuntime | null, run: Omit<SchedulerRun, "id">): void {
    const status = run.status;
    this.stats.runs++;
    this.stats[status]++;
    if (rt) {
      rt.counts.runs++;
      rt.counts[status]++;
      if (status !== "skipped" && run.ms !== null) {
        rt.totalMs += run.ms;
        rt.timedRuns++;
      }
    }
    if (this.options.db)
      try {
        insertRun(this.options.db, run);
        this.dbProblem = null;
      } catch (error) {
        this.dbFailed(error);
      }
    this.emit("run-finished", run);
    this.markDirty();
  }

  private finished(rt: JobRuntime, outcome: ProcessOutcome): void {
    this.running--;
    rt.process = null;
    const job = rt.job;
    const now = this.clock.now();
    const last: LastRun = {
      started_at: this.iso(rt.startedAt),
      finished_at: this.iso(now),
      ms: outcome.ms,
      status: outcome.status,
      exit_code: outcome.exit_code,
    };
    rt.last = last;
    this.record(rt, { job: job.name, attempt: rt.attempt, ...last, output_tail: outcome.tail });
    const said = `${job.name}: ${outcome.status}${outcome.exit_code !== null ? ` (exit ${outcome.exit_code})` : outcome.signal ? ` (${outcome.signal})` : ""} in ${outcome.ms} ms${rt.attempt > 1 ? `, attempt ${rt.attempt}` : ""}`;
    const fields = { job: job.name, attempt: rt.attempt, status: outcome.status, ms: outcome.ms };
    if (outcome.status === "ok") this.log.info(said, fields);
    else this.log.warn(said, fields);

    if (FAILURE.has(outcome.status)) {
      rt.consecutiveFailures++;
      if (job.alert_after > 0 && rt.consecutiveFailures >= job.alert_after && !rt.alerted) {
        rt.alerted = true;
        this.sendAlert("failing", rt);
      }
    } else if (outcome.status === "ok") {
      if (rt.alerted) this.sendAlert("recovered", rt);
      rt.alerted = false;
      rt.consecutiveFailures = 0;
    }

    if (FAILURE.has(outcome.status) && rt.attempt <= job.retries && this.state === "running") {
      const delay = job.retry_delay_ms * 2 ** (rt.attempt - 1);
      rt.attempt++;
      rt.busy = "retry";
      rt.retryAt = now + delay;
      this.log.info(`${job.name}: attempt ${rt.attempt} in ${formatDuration(delay)}`, {
        job: job.name,
      });
      rt.retryTimer = this.clock.at(rt.retryAt, () => {
        rt.retryTimer = null;
        rt.retryAt = null;
        if (this.state !== "running" || rt.removed) {
          rt.busy = null;
          this.jobDone(rt, outcome.status);
          return;
        }
        rt.busy = null;
        rt.reason = "retry";
        this.enqueue(rt);
      });
    } else {
      rt.busy = null;
      this.jobDone(rt, outcome.status);
    }
    if (rt.removed && !rt.busy) this.jobs.delete(job.name);
    this.drain();
    this.markDirty();
  }

  private jobDone(rt: JobRuntime, status: RunStatus): void {
    this.emit("job-done", { job: rt.job.name, status });
    const once = this.oneCycle;
    if (once?.pending.delete(rt.job.name)) {
      if (status !== "ok") once.ok = false;
      if (once.pending.size === 0) once.resolve(once.ok);
    }
  }

  private sendAlert(event: "failing" | "recovered", rt: JobRuntime): void {
    const settings = this.options.alert;
    const failures = rt.consecutiveFailures;
    const message =
      event === "failing"
        ? `${rt.job.name}: ${failures} failures in a row`
        : `${rt.job.name}: recovered after ${failures} failures`;
    if (!settings) {
      this.log.warn(`${message} (no ALERT_WEBHOOK_URL: no alert sent)`, { job: rt.job.name });
      return;
    }
    void postAlert(settings, alertBody(event, rt.job.name, failures, rt.last)).then((outcome) => {
      if (outcome.sent) this.log.info(`${message}: alert sent`, { job: rt.job.name, event });
      else
        this.log.error(`${message}: the alert could not be sent (${outcome.error})`, {
          job: rt.job.name,
          event,
        });
    });
  }

  /** Picks up "Run now" requests from the control database. */
  private pollRequests(): void {
    const db = this.options.db;
    if (!db || this.state !== "running") return;
    try {
      const requests = pendingRequests(db);
      for (const request of requests) {
        markPicked(db, request.id, this.iso(this.clock.now()));
        const rt = this.jobs.get(request.job);
        if (!rt || rt.removed) {
          this.log.warn(`run now: no job "${request.job}" in ${this.schedule.file}; ignored`);
          continue;
        }
        this.log.info(`${rt.job.name}: run now (request ${request.id})`, { job: rt.job.name });
        this.trigger(rt, "run now", null);
      }
      this.dbProblem = null;
    } catch (error) {
      this.dbFailed(error);
    }
  }

  /** Replaces the schedule (SIGHUP): jobs kept by name keep their counts and running runs. */
  reload(schedule: Schedule): void {
    this.schedule = schedule;
    this.calendar = new Calendar(schedule.cycle, schedule.timezone);
    const names = new Set(schedule.jobs.map((j) => j.name));
    for (const rt of this.jobs.values()) {
      if (names.has(rt.job.name)) continue;
      rt.removed = true;
      rt.timer?.cancel();
      rt.retryTimer?.cancel();
      const queued = this.queue.indexOf(rt);
      if (queued >= 0) this.queue.splice(queued, 1);
      if (rt.busy !== "running") this.jobs.delete(rt.job.name);
    }
    for (const job of schedule.jobs) {
      const rt = this.jobs.get(job.name);
      if (rt) {
        rt.job = job;
        rt.removed = false;
        rt.description = describeSchedule(job);
        rt.cron = cronOf(job);
      } else this.jobs.set(job.name, this.runtime(job));
      const current = this.jobs.get(job.name) as JobRuntime;
      if (!this.oneCycle) this.armTimer(current);
    }
    // The cycle under way ends by the new lengths.
    if (this.cycleTimer && this.state === "running") {
      this.cycleTimer.cancel();
      const nextAt = Math.min(
        this.calendar.cycleEnd(this.cycle.startedAt),
        Math.max(this.cycle.nextAt, this.clock.now()),
      );
      this.cycle.nextAt = nextAt;
      this.cycleTimer = this.clock.at(nextAt, () => this.startCycle(nextAt));
    }
    this.log.info(`schedule reloaded: ${schedule.jobs.length} jobs`, {
      jobs: schedule.jobs.length,
    });
    this.markDirty();
  }

  /**
   * Stops: state `stopping`, nothing new starts (queued runs and pending retries are
   * dropped), running jobs get `shutdownGraceMs` to finish and are then terminated
   * (SIGTERM to the group, SIGKILL 5 s later; recorded `killed`); then `stopped`.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    this.state = "stopping";
    this.cycleTimer?.cancel();
    this.cycleTimer = null;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const rt of this.jobs.values()) {
      rt.timer?.cancel();
      rt.timer = null;
      rt.nextAt = null;
      if (rt.busy === "retry" || rt.busy === "queued") {
        rt.retryTimer?.cancel();
        rt.retryTimer = null;
        rt.retryAt = null;
        rt.busy = null;
        this.jobDone(rt, "killed");
      }
    }
    this.queue.length = 0;
    this.flushStatus();
    const running = [...this.jobs.values()].filter((rt) => rt.process);
    if (running.length > 0) {
      const grace = this.options.shutdownGraceMs ?? 30_000;
      this.log.info(
        `stopping: waiting up to ${formatDuration(grace)} for ${running.map((rt) => rt.job.name).join(", ")}`,
      );
      const all = Promise.all(running.map((rt) => rt.process?.done));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((r) => (timer = setTimeout(r, grace)))]);
      clearTimeout(timer);
      for (const rt of running)
        if (rt.process) {
          this.log.warn(`${rt.job.name}: still running after the grace: terminating`, {
            job: rt.job.name,
          });
          rt.process.terminate("killed");
        }
      await all;
      // Let the `finished` handlers of the last runs record them.
      await new Promise((r) => setImmediate(r));
    }
    this.state = "stopped";
    this.flushStatus();
    this.log.info(
      `scheduler stopped after ${this.stats.cycles} cycles and ${this.stats.runs} runs`,
    );
  }

  /**
   * The daemon is exiting now (a second signal): every running group gets SIGKILL, the runs
   * are recorded `killed` and the status written `stopped`, synchronously.
   */
  exitNow(): void {
    if (this.state === "stopped") return;
    const now = this.clock.now();
    for (const rt of this.jobs.values()) {
      if (!rt.process) continue;
      rt.process.killNow();
      this.record(rt, {
        job: rt.job.name,
        attempt: rt.attempt,
        started_at: this.iso(rt.startedAt),
        finished_at: this.iso(now),
        status: "killed",
        exit_code: null,
        output_tail: "the scheduler exited at once (a second signal)",
        ms: Math.max(0, now - rt.startedAt),
      });
      rt.process = null;
    }
    this.state = "stopped";
    this.flushStatus();
  }

  /** The status document (what the status file holds). */
  status(): SchedulerStatus {
    const jobs: Record<string, JobStatus> = {};
    const cycleNext = this.state === "running" && !this.oneCycle ? this.cycle.nextAt : null;
    for (const rt of [...this.jobs.values()].sort((a, b) => a.job.name.localeCompare(b.job.name))) {
      if (rt.removed) continue;
      let next: number | null = null;
      if (this.state === "running" && rt.job.enabled) {
        if (rt.busy === "retry") next = rt.retryAt;
        else if ("every" in rt.job.schedule) next = cycleNext;
        else if ("daily" in rt.job.schedule && this.dailyDue(rt, this.clock.now()))
          next = cycleNext;
        else next = rt.nextAt ?? rt.cron?.nextRun(new Date(this.clock.now()))?.getTime() ?? null;
      }
      jobs[rt.job.name] = {
        schedule: rt.description,
        state: rt.busy === "running" ? "running" : rt.busy === "queued" ? "queued" : "idle",
        next_at: next === null ? null : this.iso(next),
        ...rt.counts,
        consecutive_failures: rt.consecutiveFailures,
        avg_ms: rt.timedRuns ? Math.round(rt.totalMs / rt.timedRuns) : null,
        last: rt.last,
      };
    }
    return {
      pid: process.pid,
      started_at: this.iso(this.startedAt),
      updated_at: this.iso(this.clock.now()),
      state: this.state,
      cycle: {
        number: this.cycle.number,
        mode: this.cycle.number ? this.cycle.mode : this.calendar.modeAt(this.clock.now()),
        length_s: Math.round(
          (this.cycle.number
            ? this.cycle.length
            : this.calendar.lengthOf(this.calendar.modeAt(this.clock.now()))) / 1000,
        ),
        started_at: this.cycle.number ? this.iso(this.cycle.startedAt) : null,
        next_at: cycleNext === null ? null : this.iso(cycleNext),
      },
      stats: { ...this.stats },
      jobs,
    };
  }

  /** Schedules a status write (coalesced: many changes in one turn, one write). */
  private markDirty(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      this.flushStatus();
    });
  }

  /** Writes the status file now. */
  flushStatus(): void {
    try {
      writeStatus(this.options.statusFile, this.status());
      if (this.statusProblem) this.log.info(`${this.options.statusFile}: written again`);
      this.statusProblem = null;
    } catch (error) {
      const problem = describeError(error);
      if (problem !== this.statusProblem)
        this.log.error(`${this.options.statusFile}: cannot write the status file: ${problem}`);
      this.statusProblem = problem;
    }
  }
}
