import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseSchedule, ScheduleError } from "../src/scheduler/schedule.js";
import { type CliResult, ROOT, runCli, spawnCli } from "./helpers/cli.js";

/** The daemon on an invalid file: it must exit at once; killed after 20 s if it does not. */
function run(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawnCli("scheduler", args, { cwd });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A working folder with `schedule.json` (text or value) and a small steps folder. */
function folder(schedule: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "scheduler-file-"));
  made.push(dir);
  writeFileSync(
    join(dir, "schedule.json"),
    typeof schedule === "string" ? schedule : JSON.stringify(schedule, null, 2),
  );
  mkdirSync(join(dir, "steps"));
  writeFileSync(
    join(dir, "steps", "informe.mjs"),
    'export default { consumes: [], produces: ["informe"], run: () => ({ informe: 1 }) };\n',
  );
  return dir;
}

const ok = { name: "ok", command: ["true"], every: "cycle" };
const withJob = (job: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  timezone: "UTC",
  jobs: [ok, job],
  ...extra,
});

/** Every invalid case: the file, the job and the field named, exit 2, nothing run. */
const INVALID: [string, unknown, RegExp][] = [
  [
    "an unknown field",
    withJob({ name: "a", command: ["true"], every: "cycle", timout: "5m" }),
    /schedule\.json: job "a": unknown field "timout" \(did you mean "timeout"\?\)/,
  ],
  [
    "two schedules",
    withJob({ name: "a", command: ["true"], daily: "06:30", cron: "0 2 * * *" }),
    /schedule\.json: job "a": daily and cron: two schedules/,
  ],
  [
    "no schedule",
    withJob({ name: "a", command: ["true"] }),
    /schedule\.json: job "a": schedule: none/,
  ],
  [
    "a bad cron expression",
    withJob({ name: "a", command: ["true"], cron: "61 * * * *" }),
    /schedule\.json: job "a": cron: "61 \* \* \* \*" is not a valid cron expression/,
  ],
  [
    "a cron expression with 4 fields",
    withJob({ name: "a", command: ["true"], cron: "* * * *" }),
    /schedule\.json: job "a": cron: "\* \* \* \*" has 4 fields/,
  ],
  [
    "a cron expression with 7 fields",
    withJob({ name: "a", command: ["true"], cron: "0 0 0 * * * 2030" }),
    /schedule\.json: job "a": cron: .* has 7 fields/,
  ],
  [
    "a bad duration",
    withJob({ name: "a", command: ["true"], every: "cycle", timeout: "5 minutes" }),
    /schedule\.json: job "a": timeout: "5 minutes" is not a duration/,
  ],
  [
    "a bad retry_delay",
    withJob({ name: "a", command: ["true"], every: "cycle", retry_delay: "1.5s" }),
    /schedule\.json: job "a": retry_delay: "1\.5s" is not a duration/,
  ],
  [
    "an unknown step",
    withJob({ name: "a", step: "informe_mensul", every: "cycle" }),
    /schedule\.json: job "a": step: unknown step "informe_mensul" in steps/,
  ],
  [
    "a duplicate name",
    { timezone: "UTC", jobs: [ok, { ...ok, command: ["false"] }] },
    /schedule\.json: job "ok" \(jobs\[1\]\): name: duplicate name "ok" \(also jobs\[0\]\)/,
  ],
  [
    "an empty command",
    withJob({ name: "a", command: [], every: "cycle" }),
    /schedule\.json: job "a": command: empty/,
  ],
  [
    "an empty program name",
    withJob({ name: "a", command: [""], every: "cycle" }),
    /schedule\.json: job "a": command: empty program name/,
  ],
  [
    "a command given as one string",
    withJob({ name: "a", command: "npm run etl", every: "cycle" }),
    /schedule\.json: job "a": command: expected an argv array/,
  ],
  [
    "both command and step",
    withJob({ name: "a", command: ["true"], step: "informe", every: "cycle" }),
    /schedule\.json: job "a": command and step: give exactly one/,
  ],
  [
    "a bad name",
    withJob({ name: "Sales Report", command: ["true"], every: "cycle" }),
    /schedule\.json: jobs\[1\]: name: "Sales Report" is not a job name/,
  ],
  [
    "a bad daily time",
    withJob({ name: "a", command: ["true"], daily: "25:00" }),
    /schedule\.json: job "a": daily: expected a time of day HH:MM/,
  ],
  [
    "every something else than cycle",
    withJob({ name: "a", command: ["true"], every: "5m" }),
    /schedule\.json: job "a": every: expected "cycle"/,
  ],
  [
    "a bad cycle duration",
    { timezone: "UTC", cycle: { day: "fast" }, jobs: [ok] },
    /schedule\.json: cycle: day: "fast" is not a duration/,
  ],
  [
    "an unknown cycle field",
    { timezone: "UTC", cycle: { nights: "1h" }, jobs: [ok] },
    /schedule\.json: cycle: unknown field "nights" \(did you mean "night"\?\)/,
  ],
  [
    "an unknown holidays code",
    { timezone: "UTC", cycle: { holidays: "XX" }, jobs: [ok] },
    /schedule\.json: cycle: holidays: unknown holidays code "XX"/,
  ],
  [
    "an unknown time zone",
    { timezone: "Europe/Madird", jobs: [ok] },
    /schedule\.json: timezone: unknown time zone "Europe\/Madird"/,
  ],
  [
    "an unknown top-level field",
    { timezone: "UTC", job: [], jobs: [ok] },
    /schedule\.json: top level: unknown field "job"/,
  ],
  ["not JSON", '{"jobs": [', /schedule\.json: not valid JSON/],
];

describe("the schedule file", () => {
  it.each(INVALID)("%s is found by the parser", (_name, schedule, message) => {
    const text = typeof schedule === "string" ? schedule : JSON.stringify(schedule);
    let caught: unknown;
    try {
      parseSchedule(text, "schedule.json", {
        stepNames: new Set(["informe"]),
        stepsNote: "in steps",
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScheduleError);
    expect((caught as ScheduleError).exitCode).toBe(2);
    expect((caught as ScheduleError).problems.join("\n")).toMatch(message);
  });

  it.concurrent.each(INVALID)(
    "%s: the daemon exits 2 naming the file, job and field, and runs nothing",
    async (_name, schedule, message) => {
      const dir = folder(
        typeof schedule === "string"
          ? schedule
          : {
              ...(schedule as Record<string, unknown>),
              jobs: [
                ...((schedule as { jobs: unknown[] }).jobs ?? []),
                { name: "witness", command: ["sh", "-c", "touch ran"], every: "cycle" },
              ],
            },
      );
      const result = await run([], dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(join(dir, "ran"))).toBe(false);
      expect(existsSync(join(dir, "logs", "run_master_status.json"))).toBe(false);
    },
  );

  it("lists every problem at once, one line each in the log", async () => {
    const dir = folder({
      timezone: "UTC",
      jobs: [
        { name: "a", command: [], every: "cycle" },
        { name: "b", command: ["true"], cron: "bad cron" },
      ],
    });
    const result = await runCli("scheduler", ["--dry-run", "--json"], { cwd: dir });
    expect(result.code).toBe(2);
    const body = JSON.parse(result.stdout);
    expect(body.status).toBe("error");
    expect(body.error.code).toBe("schedule");
    expect(body.error.message).toMatch(
      /2 schedule errors: .*job "a": command: empty.*job "b": cron:/,
    );
    expect(result.stderr).toMatch(/job "a": command: empty[^\n]*\n[^\n]*job "b": cron/);
  });

  it("a missing file, and a bad MASTER_* setting, are exit 2 too", async () => {
    const dir = folder({ jobs: [ok] });
    const missing = await runCli("scheduler", ["--dry-run"], {
      cwd: dir,
      env: { SCHEDULE_FILE: "nope.json" },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read the schedule file \(no such file/);
    const bad = await runCli("scheduler", ["--dry-run"], {
      cwd: dir,
      env: { MASTER_CYCLE_DAY: "soon" },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/MASTER_CYCLE_DAY: "soon" is not a duration/);
    const parallel = await runCli("scheduler", ["--dry-run"], {
      cwd: dir,
      env: { MASTER_MAX_PARALLEL: "0" },
    });
    expect(parallel.code).toBe(2);
    expect(parallel.stderr).toMatch(/MASTER_MAX_PARALLEL: must be at least 1/);
  });

  it("defaults, then the file, then MASTER_* overrides", () => {
    const schedule = parseSchedule(
      JSON.stringify({
        timezone: "Europe/Madrid",
        cycle: { day: "2m", holidays: "ES-MD" },
        defaults: { retries: 2, retry_delay: "0s" },
        jobs: [
          { name: "a", command: ["node", "x.mjs"], every: "cycle" },
          { name: "b", step: "informe", daily: "06:30", timeout: "15m", enabled: false },
        ],
      }),
      "schedule.json",
      { overrides: { cycleNight: 120_000, timeout: 90_000 }, stepNames: new Set(["informe"]) },
    );
    expect(schedule.cycle).toMatchObject({
      day: 120_000,
      night: 120_000,
      non_working_day: 3_600_000,
      holidays: "ES-MD",
      working_days: ["mon", "tue", "wed", "thu", "fri"],
    });
    expect(schedule.jobs[0]).toMatchObject({
      timeout_ms: 90_000,
      retries: 2,
      retry_delay_ms: 0,
      alert_after: 3,
      enabled: true,
      timezone: "Europe/Madrid",
    });
    expect(schedule.jobs[1]).toMatchObject({
      step: "informe",
      timeout_ms: 900_000,
      enabled: false,
    });
  });

  it("the bundled schedule.json checks, with its steps, on a fresh clone", async () => {
    const result = await runCli(
      "scheduler",
      ["--dry-run", "--json", "--at", "2026-11-25T12:00:00+01:00"],
      {
        cwd: ROOT,
        env: { STEPS_DIR: join(ROOT, "steps") },
      },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe("ok");
    expect(report.timezone).toBe("Europe/Madrid");
    expect(["day", "night", "non_working_day"]).toContain(report.cycle.mode);
    const names = report.jobs.map((j: { name: string }) => j.name);
    expect(names).toEqual(expect.arrayContaining(["etl", "validate", "upload", "informe_mensual"]));
    for (const job of report.jobs) {
      expect(job.next_runs).toHaveLength(3);
      for (const time of job.next_runs)
        expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    }
    const [etl, validate, upload] = ["etl", "validate", "upload"].map(
      (name) => report.jobs.find((j: { name: string }) => j.name === name).next_runs[0],
    );
    // The sales routine in order: the ETL, then the validation, then the upload.
    expect(Date.parse(etl)).toBeLessThan(Date.parse(validate));
    expect(Date.parse(validate)).toBeLessThan(Date.parse(upload));
  });
});
