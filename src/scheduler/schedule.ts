import { readFileSync } from "node:fs";
import { Cron } from "croner";
import { AppError, describeError } from "../errors.js";
import { suggest as nearest } from "../suggest.js";
import { type CycleSpec, holidaysProblem, parseTimeOfDay, WEEKDAY_NAMES } from "./calendar.js";
import { formatDuration, parseDuration } from "./duration.js";
import { machineTimeZone, timeZoneProblem } from "./time.js";

/** A job's one schedule, as the file writes it. */
export type JobSchedule = { every: "cycle" } | { daily: string } | { cron: string };

/** A job of the schedule file, checked, with the defaults and overrides applied. */
export interface Job {
  name: string;
  /** The argv run without a shell, or null for a step job. */
  command: string[] | null;
  /** The pipeline step run (`pipeline run STEP`), or null for a command job. */
  step: string | null;
  /** The working folder of the run (relative to the daemon's), or null: the daemon's. */
  cwd: string | null;
  /** Added to the daemon's environment. */
  env: Record<string, string>;
  schedule: JobSchedule;
  timeout_ms: number;
  retries: number;
  retry_delay_ms: number;
  /** Consecutive failures that post an alert; 0: never. */
  alert_after: number;
  enabled: boolean;
  /** The schedule's time zone and cycle (so a job alone can say when it runs next). */
  timezone: string;
  cycle: CycleSpec;
}

/** A schedule file, checked. */
export interface Schedule {
  file: string;
  timezone: string;
  cycle: CycleSpec;
  jobs: Job[];
}

/** Settings from the environment that win over the file (`MASTER_*`), in ms. */
export interface ScheduleOverrides {
  cycleDay?: number;
  cycleNight?: number;
  cycleNonWorkingDay?: number;
  /** The default timeout of a job (`MASTER_SCRIPT_TIMEOUT`). */
  timeout?: number;
}

/**
 * The schedule file is not usable: found before anything runs, exit 2. `problems` has one
 * line per problem, each naming the file, the job and the field.
 */
export class ScheduleError extends AppError {
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? (problems[0] as string)
        : `${problems.length} schedule errors: ${problems.join("; ")}`,
      "schedule",
      2,
    );
  }
}

export const DEFAULT_CYCLE: CycleSpec = {
  day: 5 * 60_000,
  night: 30 * 60_000,
  non_working_day: 60 * 60_000,
  day_starts: "07:00",
  night_starts: "21:00",
  working_days: ["mon", "tue", "wed", "thu", "fri"],
  holidays: null,
};

const DEFAULTS = { timeout: 10 * 60_000, retries: 0, retry_delay: 10_000, alert_after: 3 };

const TOP_FIELDS = ["timezone", "cycle", "defaults", "jobs"];
const CYCLE_FIELDS = [
  "day",
  "night",
  "non_working_day",
  "day_starts",
  "night_starts",
  "working_days",
  "holidays",
];
const DEFAULT_FIELDS = ["timeout", "retries", "retry_delay", "alert_after"];
const JOB_FIELDS = [
  "name",
  "command",
  "step",
  "cwd",
  "env",
  "every",
  "daily",
  "cron",
  "timeout",
  "retries",
  "retry_delay",
  "alert_after",
  "enabled",
];
const SCHEDULES = ["every", "daily", "cron"] as const;
export const JOB_NAME = /^[a-z0-9_-]+$/;

/** ` (did you mean "timeout"?)`, or the known names when no candidate is near. */
function suggest(name: string, known: readonly string[]): string {
  const best = nearest(name.toLowerCase(), known);
  return best ? ` (did you mean "${best}"?)` : ` (known: ${known.join(", ")})`;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const shown = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

/** Why a cron expression is refused (5 fields, or 6 with seconds first), or undefined. */
export function cronProblem(expression: unknown, timezone?: string): string | undefined {
  if (typeof expression !== "string")
    return `expected a cron expression string, got ${shown(expression)}`;
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6)
    return `"${expression}" has ${fields.length} field${fields.length === 1 ? "" : "s"}; a cron expression has 5 (minute hour day month weekday) or 6 (seconds first)`;
  try {
    const cron = new Cron(fields.join(" "), { timezone, paused: true });
    if (!cron.nextRun()) return `"${expression}" never runs`;
  } catch (error) {
    return `"${expression}" is not a valid cron expression (${describeError(error).replace(/^CronPattern: /, "")})`;
  }
  return undefined;
}

/** Collects the problems of one file; every message starts with the file's name. */
class Problems {
  readonly list: string[] = [];
  constructor(readonly file: string) {}
  add(where: string, message: string): void {
    this.list.push(`${this.file}: ${where}: ${message}`);
  }
}

function durationField(
  value: unknown,
  where: string,
  field: string,
  problems: Problems,
  allowZero = false,
): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) {
    problems.add(
      where,
      `${field}: ${shown(value)} is not a duration (a whole number and a unit: 500ms, 30s, 5m, 2h)`,
    );
    return undefined;
  }
  if (ms === 0 && !allowZero) {
    problems.add(where, `${field}: must be longer than zero`);
    return undefined;
  }
  return ms;
}

function countField(
  value: unknown,
  where: string,
  field: string,
  problems: Problems,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    problems.add(where, `${field}: expected a whole number from 0 to ${max}, got ${shown(value)}`);
    return undefined;
  }
  return value;
}

function unknownFields(
  object: Record<string, unknown>,
  known: readonly string[],
  where: string,
  problems: Problems,
): void {
  for (const key of Object.keys(object))
    if (!known.includes(key)) problems.add(where, `unknown field "${key}"${suggest(key, known)}`);
}

/**
 * Parses and checks a schedule file's text. Throws a `ScheduleError` (exit 2) listing every
 * problem found, each naming the file, the job and the field. `stepNames` (the pipeline's
 * step catalog) checks `step` jobs; without it steps are not checked.
 *
 * @example
 * const schedule = parseSchedule(readFileSync("schedule.json", "utf8"), "schedule.json", {
 *   stepNames: new Set(["informe_mensual"]),
 * });
 */
export function parseSchedule(
  text: string,
  file: string,
  options: {
    overrides?: ScheduleOverrides;
    /** The pipeline's step names; null or absent: steps are not checked. */
    stepNames?: ReadonlySet<string> | null;
    /** Said after "unknown step" (where the steps were looked for). */
    stepsNote?: string;
    /** The steps could not be listed: every step job is a problem, with this reason. */
    stepsProblem?: string;
  } = {},
): Schedule {
  const problems = new Problems(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ScheduleError([`${file}: not valid JSON (${describeError(error)})`]);
  }
  if (!isObject(raw)) throw new ScheduleError([`${file}: expected a JSON object with "jobs"`]);
  unknownFields(raw, TOP_FIELDS, "top level", problems);

  let timezone = machineTimeZone();
  if (raw.timezone !== undefined) {
    const problem =
      typeof raw.timezone === "string" ? timeZoneProblem(raw.timezone) : "expected a string";
    if (problem) problems.add("timezone", problem);
    else timezone = raw.timezone as string;
  }

  const cycle: CycleSpec = { ...DEFAULT_CYCLE, working_days: [...DEFAULT_CYCLE.working_days] };
  if (raw.cycle !== undefined && !isObject(raw.cycle)) problems.add("cycle", "expected an object");
  else if (isObject(raw.cycle)) {
    const c = raw.cycle;
    unknownFields(c, CYCLE_FIELDS, "cycle", problems);
    for (const key of ["day", "night", "non_working_day"] as const) {
      const ms = durationField(c[key], "cycle", key, problems);
      if (ms !== undefined) cycle[key] = ms;
    }
    for (const key of ["day_starts", "night_starts"] as const) {
      if (c[key] === undefined) continue;
      if (parseTimeOfDay(c[key]) === undefined)
        problems.add(
          "cycle",
          `${key}: expected a time of day HH:MM (00:00 to 23:59), got ${shown(c[key])}`,
        );
      else cycle[key] = c[key] as string;
    }
    if (c.day_starts !== undefined && c.day_starts === c.night_starts)
      problems.add(
        "cycle",
        "day_starts and night_starts are the same time: there would be no day or no night",
      );
    if (c.working_days !== undefined) {
      const days = c.working_days;
      if (
        !Array.isArray(days) ||
        !days.every(
          (d) =>
            typeof d === "string" && (WEEKDAY_NAMES as readonly string[]).includes(d.toLowerCase()),
        )
      )
        problems.add(
          "cycle",
          `working_days: expected a list of ${WEEKDAY_NAMES.join(", ")}, got ${shown(days)}`,
        );
      else cycle.working_days = [...new Set((days as string[]).map((d) => d.toLowerCase()))];
    }
    if (c.holidays !== undefined && c.holidays !== null) {
      const problem =
        typeof c.holidays === "string"
          ? holidaysProblem(c.holidays)
          : "expected a code such as ES or ES-MD";
      if (problem) problems.add("cycle", `holidays: ${problem}`);
      else cycle.holidays = c.holidays as string;
    }
  }
  const o = options.overrides ?? {};
  if (o.cycleDay !== undefined) cycle.day = o.cycleDay;
  if (o.cycleNight !== undefined) cycle.night = o.cycleNight;
  if (o.cycleNonWorkingDay !== undefined) cycle.non_working_day = o.cycleNonWorkingDay;

  const defaults = { ...DEFAULTS };
  if (raw.defaults !== undefined && !isObject(raw.defaults))
    problems.add("defaults", "expected an object");
  else if (isObject(raw.defaults)) {
    const d = raw.defaults;
    unknownFields(d, DEFAULT_FIELDS, "defaults", problems);
    defaults.timeout =
      durationField(d.timeout, "defaults", "timeout", problems) ?? defaults.timeout;
    defaults.retries =
      countField(d.retries, "defaults", "retries", problems, 100) ?? defaults.retries;
    defaults.retry_delay =
      durationField(d.retry_delay, "defaults", "retry_delay", problems, true) ??
      defaults.retry_delay;
    defaults.alert_after =
      countField(d.alert_after, "defaults", "alert_after", problems, 1_000_000) ??
      defaults.alert_after;
  }
  if (o.timeout !== undefined) defaults.timeout = o.timeout;

  const jobs: Job[] = [];
  if (!Array.isArray(raw.jobs)) {
    problems.add(
      "jobs",
      raw.jobs === undefined ? "missing (a list of jobs)" : "expected a list of jobs",
    );
    throw new ScheduleError(problems.list);
  }
  const seen = new Map<string, number>();
  raw.jobs.forEach((entry: unknown, index: number) => {
    const position = `jobs[${index}]`;
    if (!isObject(entry)) {
      problems.add(position, "expected an object with name, a command or step, and a schedule");
      return;
    }
    const name = entry.name;
    let where = position;
    if (typeof name !== "string" || !JOB_NAME.test(name)) {
      problems.add(
        position,
        name === undefined
          ? "name: missing"
          : `name: ${shown(name)} is not a job name (lower-case letters, digits, _ and -)`,
      );
    } else {
      where = `job "${name}"`;
      const before = seen.get(name);
      if (before !== undefined)
        problems.add(
          `${where} (${position})`,
          `name: duplicate name "${name}" (also jobs[${before}])`,
        );
      else seen.set(name, index);
    }
    unknownFields(entry, JOB_FIELDS, where, problems);

    let command: string[] | null = null;
    let step: string | null = null;
    const hasCommand = entry.command !== undefined;
    const hasStep = entry.step !== undefined;
    if (hasCommand && hasStep)
      problems.add(where, "command and step: give exactly one (an argv array, or a pipeline step)");
    else if (!hasCommand && !hasStep)
      problems.add(where, 'command: missing (give "command": ["argv", …] or "step": "name")');
    if (hasCommand) {
      const c = entry.command;
      if (!Array.isArray(c) || c.length === 0)
        problems.add(
          where,
          Array.isArray(c)
            ? 'command: empty (an argv array such as ["node", "jobs/x.mjs"])'
            : `command: expected an argv array of strings (run without a shell), got ${shown(c)}`,
        );
      else if (!c.every((a) => typeof a === "string") || (c[0] as string).trim() === "")
        problems.add(
          where,
          (c[0] as unknown) === "" || (typeof c[0] === "string" && c[0].trim() === "")
            ? "command: empty program name (the first element)"
            : `command: every element must be a string, got ${shown(c)}`,
        );
      else command = c as string[];
    }
    if (hasStep) {
      const s = entry.step;
      if (typeof s !== "string" || s.trim() === "")
        problems.add(where, `step: expected a step name, got ${shown(s)}`);
      else if (options.stepsProblem)
        problems.add(where, `step: cannot check "${s}" against the steps: ${options.stepsProblem}`);
      else if (options.stepNames && !options.stepNames.has(s))
        problems.add(
          where,
          `step: unknown step "${s}"${options.stepsNote ? ` ${options.stepsNote}` : ""}${suggest(s, [...options.stepNames].sort())}`,
        );
      else step = s;
    }
    let cwd: string | null = null;
    if (entry.cwd !== undefined) {
      if (typeof entry.cwd !== "string" || entry.cwd === "")
        problems.add(where, `cwd: expected a folder path, got ${shown(entry.cwd)}`);
      else cwd = entry.cwd;
    }
    const env: Record<string, string> = {};
    if (entry.env !== undefined) {
      if (!isObject(entry.env) || !Object.values(entry.env).every((v) => typeof v === "string"))
        problems.add(where, `env: expected an object of string values, got ${shown(entry.env)}`);
      else Object.assign(env, entry.env);
    }

    const given = SCHEDULES.filter((key) => entry[key] !== undefined);
    let schedule: JobSchedule | null = null;
    if (given.length === 0)
      problems.add(
        where,
        'schedule: none (give one of "every": "cycle", "daily": "HH:MM" or "cron")',
      );
    else if (given.length > 1)
      problems.add(
        where,
        `${given.join(" and ")}: two schedules (give exactly one of every, daily, cron)`,
      );
    else if (given[0] === "every") {
      if (entry.every !== "cycle")
        problems.add(where, `every: expected "cycle", got ${shown(entry.every)}`);
      else schedule = { every: "cycle" };
    } else if (given[0] === "daily") {
      if (parseTimeOfDay(entry.daily) === undefined)
        problems.add(
          where,
          `daily: expected a time of day HH:MM (00:00 to 23:59), got ${shown(entry.daily)}`,
        );
      else schedule = { daily: entry.daily as string };
    } else {
      const problem = cronProblem(entry.cron, timezone);
      if (problem) problems.add(where, `cron: ${problem}`);
      else schedule = { cron: (entry.cron as string).trim().split(/\s+/).join(" ") };
    }
    const timeout = durationField(entry.timeout, where, "timeout", problems);
    const retries = countField(entry.retries, where, "retries", problems, 100);
    const retryDelay = durationField(entry.retry_delay, where, "retry_delay", problems, true);
    const alertAfter = countField(entry.alert_after, where, "alert_after", problems, 1_000_000);
    if (entry.enabled !== undefined && typeof entry.enabled !== "boolean")
      problems.add(where, `enabled: expected true or false, got ${shown(entry.enabled)}`);
    if (typeof name === "string" && schedule && (command || step))
      jobs.push({
        name,
        command,
        step,
        cwd,
        env,
        schedule,
        timeout_ms: timeout ?? defaults.timeout,
        retries: retries ?? defaults.retries,
        retry_delay_ms: retryDelay ?? defaults.retry_delay,
        alert_after: alertAfter ?? defaults.alert_after,
        enabled: entry.enabled !== false,
        timezone,
        cycle,
      });
  });
  if (problems.list.length > 0) throw new ScheduleError(problems.list);
  return { file, timezone, cycle, jobs };
}

/** The steps a schedule's text names (before it is checked), to load the catalog only when needed. */
export function stepsNamed(text: string): string[] {
  try {
    const raw = JSON.parse(text) as { jobs?: unknown };
    if (!Array.isArray(raw.jobs)) return [];
    return raw.jobs
      .map((j) => (isObject(j) && typeof j.step === "string" ? j.step : null))
      .filter((s): s is string => s !== null);
  } catch {
    return [];
  }
}

/** A step catalog: the step names and where they were found, or why they could not be listed. */
export type StepCatalog = { names: ReadonlySet<string>; note: string } | { problem: string };

/**
 * Reads and checks a schedule file. The pipeline's step catalog (`steps`) is asked for
 * only when a job names a step.
 */
export async function loadSchedule(
  file: string,
  options: { overrides?: ScheduleOverrides; steps?: () => Promise<StepCatalog> } = {},
): Promise<Schedule> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScheduleError([
      `${file}: cannot read the schedule file (${code === "ENOENT" ? "no such file; set SCHEDULE_FILE or --schedule" : (code ?? describeError(error))})`,
    ]);
  }
  let catalog: StepCatalog | null = null;
  if (stepsNamed(text).length > 0 && options.steps) catalog = await options.steps();
  return parseSchedule(text, file, {
    overrides: options.overrides,
    stepNames: catalog && "names" in catalog ? catalog.names : null,
    stepsNote: catalog && "note" in catalog ? catalog.note : undefined,
    stepsProblem: catalog && "problem" in catalog ? catalog.problem : undefined,
  });
}

/** A job's settings in words, for `--dry-run` and logs. */
export function jobSettings(job: Job): string {
  return `timeout ${formatDuration(job.timeout_ms)}, retries ${job.retries}${job.retries ? ` (from ${formatDuration(job.retry_delay_ms)})` : ""}`;
}
