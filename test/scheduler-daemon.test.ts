import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openControlDb } from "../src/control/db.js";
import { recentRuns, requestRun, type SchedulerRun } from "../src/scheduler/history.js";
import { readStatus, type SchedulerStatus } from "../src/scheduler/status.js";
import { type CliResult, ROOT, runCli, spawnCli } from "./helpers/cli.js";

const made: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A working folder with a schedule file (UTC unless said, cycles of an hour unless said). */
function folder(schedule: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "scheduler-daemon-"));
  made.push(dir);
  writeSchedule(dir, schedule);
  return dir;
}

function writeSchedule(dir: string, schedule: Record<string, unknown>): void {
  writeFileSync(
    join(dir, "schedule.json"),
    JSON.stringify({
      timezone: "UTC",
      cycle: { day: "1h", night: "1h", non_working_day: "1h" },
      ...schedule,
    }),
  );
}

interface Daemon {
  child: ChildProcess;
  pid: number;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(dir: string, env: Record<string, string> = {}, args: string[] = []): Daemon {
  const child = spawnCli("scheduler", args, { cwd: dir, env });
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on("close", (code, signal) => done({ code, signal })),
  );
  return { child, pid: child.pid as number, stderr: () => stderr, exited };
}

const scheduler = (
  args: string[],
  dir: string,
  env: Record<string, string> = {},
): Promise<CliResult> => runCli("scheduler", args, { cwd: dir, env });

/** Polls until `check` returns something truthy (or throws with what was awaited). */
async function until<T>(
  what: string,
  check: () => T | null | undefined | false,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    let value: T | null | undefined | false = null;
    try {
      value = check();
    } catch {
      // not there yet
    }
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statusOf = (dir: string): SchedulerStatus | null =>
  readStatus(join(dir, "logs", "run_master_status.json"));

function runsOf(dir: string, job?: string): SchedulerRun[] {
  const path = join(dir, "database", "control.db");
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return recentRuns(db, { job, limit: 1000 }).reverse();
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/** Whether a process is gone (or a zombie only waiting to be reaped). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

function countsAddUp(status: SchedulerStatus): void {
  const s = status.stats;
  expect(s.runs).toBe(s.ok + s.failed + s.timeout + s.skipped + s.killed);
  let total = 0;
  for (const job of Object.values(status.jobs)) {
    expect(job.runs).toBe(job.ok + job.failed + job.timeout + job.skipped + job.killed);
    total += job.runs;
  }
  expect(total).toBe(s.runs);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}([+-]\d\d:\d\d)$/;
const YEARLY = "0 0 1 1 *";

describe.concurrent("the scheduler daemon, with real processes", () => {
  it("a job that overruns its cycle is skipped, never doubled", async () => {
    const dir = folder({
      cycle: { day: "1s", night: "1s", non_working_day: "1s" },
      jobs: [{ name: "slow", command: ["sleep", "2.5"], every: "cycle" }],
    });
    const daemon = start(dir);
    const rows = await until("two skipped starts and a finished run", () => {
      const r = runsOf(dir, "slow");
      return (
        r.filter((x) => x.status === "skipped").length >= 2 && r.some((x) => x.status === "ok") && r
      );
    });
    for (const row of rows.filter((r) => r.status === "skipped")) {
      expect(row.output_tail).toBe("still running");
      expect(row.attempt).toBe(1);
    }
    const ran = rows.filter((r) => r.status === "ok");
    for (let i = 1; i < ran.length; i++)
      expect(Date.parse(ran[i]?.started_at as string)).toBeGreaterThanOrEqual(
        Date.parse(ran[i - 1]?.finished_at as string),
      );
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
    const status = statusOf(dir) as SchedulerStatus;
    expect(status.state).toBe("stopped");
    countsAddUp(status);
  });

  it("a timed-out job is terminated with its whole group: the grandchild that ignores SIGTERM is gone", async () => {
    const dir = folder({
      jobs: [
        {
          name: "hang",
          command: ["sh", "-c", "sh -c 'trap \"\" TERM; echo $$ > gc.pid; exec sleep 60' & wait"],
          every: "cycle",
          timeout: "1s",
        },
      ],
    });
    const daemon = start(dir);
    const grandchild = Number(
      await until("the grandchild's pid", () => readFileSync(join(dir, "gc.pid"), "utf8").trim()),
    );
    expect(gone(grandchild)).toBe(false);
    const [row] = await until("the timed-out run", () => {
      const r = runsOf(dir, "hang").filter((x) => x.status !== "skipped");
      return r.length > 0 && r;
    });
    expect(row?.status).toBe("timeout");
    // SIGTERM at 1 s, SIGKILL 5 s later: the run ends when nothing of its group is left.
    expect(row?.ms).toBeGreaterThanOrEqual(1000);
    expect(row?.ms).toBeLessThan(15_000);
    expect(gone(grandchild)).toBe(true);
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
  });

  it("retries back off exponentially (one row per attempt); alerts after alert_after failures and on recovery; run now is picked up", async () => {
    const alerts: { event: string; job: string; consecutive_failures: number }[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        alerts.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const port = (receiver.address() as AddressInfo).port;
    const dir = folder({
      jobs: [
        {
          name: "flaky",
          command: ["sh", "-c", "test -f ok || { echo not yet >&2; exit 4; }"],
          every: "cycle",
          retries: 2,
          retry_delay: "300ms",
          alert_after: 2,
        },
      ],
    });
    const daemon = start(dir, { ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hook` });
    const rows = await until("three failed attempts", () => {
      const r = runsOf(dir, "flaky");
      return r.length >= 3 && r;
    });
    expect(rows.map((r) => [r.attempt, r.status, r.exit_code])).toEqual([
      [1, "failed", 4],
      [2, "failed", 4],
      [3, "failed", 4],
    ]);
    expect(rows[0]?.output_tail).toBe("not yet\n");
    const gap = (a: SchedulerRun, b: SchedulerRun) =>
      Date.parse(b.started_at) - Date.parse(a.finished_at as string);
    const [first, second, third] = rows as [SchedulerRun, SchedulerRun, SchedulerRun];
    expect(gap(first, second)).toBeGreaterThanOrEqual(290);
    expect(gap(second, third)).toBeGreaterThanOrEqual(590);
    expect(gap(second, third)).toBeLessThan(10_000);
    await until("the failure alert", () => alerts.length >= 1);
    expect(alerts).toMatchObject([{ event: "failing", job: "flaky", consecutive_failures: 2 }]);
    await until(
      "three failures in a row in the status",
      () => statusOf(dir)?.jobs.flaky?.consecutive_failures === 3,
    );

    // Fixed, and run now from the console: picked up within a second or so.
    writeFileSync(join(dir, "ok"), "");
    const db = openControlDb(join(dir, "database", "control.db"));
    const asked = Date.now();
    const id = requestRun(db, "flaky");
    const ok = await until("the run-now run", () =>
      runsOf(dir, "flaky").find((r) => r.status === "ok"),
    );
    expect(Date.parse(ok.started_at) - asked).toBeLessThan(10_000);
    const request = db.prepare("SELECT * FROM scheduler_requests WHERE id = ?").get(id) as {
      picked_at: string | null;
    };
    expect(request.picked_at).toMatch(ISO);
    db.close();
    await until("the recovery alert", () => alerts.length >= 2);
    expect(alerts[1]).toMatchObject({ event: "recovered", job: "flaky" });
    const recovered = await until("the recovery in the status", () => {
      const job = statusOf(dir)?.jobs.flaky;
      return job?.ok === 1 && job;
    });
    expect(recovered).toMatchObject({ consecutive_failures: 0, failed: 3, ok: 1 });
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
    receiver.close();
    expect(alerts).toHaveLength(2);
  });

  it("one daemon per status file: a second exits 5 naming the pid; a killed daemon's lock is taken over; status says who is alive", async () => {
    const dir = folder({ jobs: [{ name: "yearly", command: ["true"], cron: YEARLY }] });
    expect((await scheduler(["status"], dir)).code).toBe(3); // no status file yet
    const first = start(dir);
    await until("the first daemon running", () => statusOf(dir)?.pid === first.pid);
    const second = await scheduler([], dir);
    expect(second.code).toBe(5);
    expect(second.stderr).toContain(
      `another scheduler is running on logs/run_master_status.json (pid ${first.pid}`,
    );
    const alive = await scheduler(["status", "--json"], dir);
    expect(alive.code).toBe(0);
    const asIs = JSON.parse(alive.stdout) as SchedulerStatus;
    expect(asIs).toMatchObject({
      pid: first.pid,
      state: "running",
      started_at: statusOf(dir)?.started_at,
    });
    const table = await scheduler(["status"], dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/yearly\s+at 00:00, on the 1st of the month, in January\s+idle/);

    first.child.kill("SIGKILL");
    await first.exited;
    const dead = await scheduler(["status"], dir);
    expect(dead.code).toBe(3);
    expect(dead.stdout).toContain(`not running (last state running; pid ${first.pid} is gone)`);
    const third = start(dir);
    await until("the lock taken over", () => statusOf(dir)?.pid === third.pid);
    expect((await scheduler(["status"], dir)).code).toBe(0);
    third.child.kill("SIGTERM");
    expect((await third.exited).code).toBe(0);
    const stopped = await scheduler(["status", "--json"], dir);
    expect(stopped.code).toBe(3);
    expect(JSON.parse(stopped.stdout).state).toBe("stopped");
    expect(existsSync(join(dir, "logs", "run_master_status.json.lock"))).toBe(false);
  });

  it("SIGTERM mid-job: nothing new starts, a job that ends within the grace is ok, one that does not is killed; stopped, exit 0", async () => {
    const dir = folder({
      jobs: [
        { name: "quick", command: ["sleep", "1"], every: "cycle" },
        { name: "long", command: ["sleep", "60"], every: "cycle" },
      ],
    });
    const daemon = start(dir, { MASTER_SHUTDOWN_GRACE: "2s" });
    await until(
      "both jobs running",
      () =>
        statusOf(dir)?.jobs.quick?.state === "running" &&
        statusOf(dir)?.jobs.long?.state === "running",
    );
    const longPid = Number(
      await until(
        "the long job's pid in the log",
        () => /long: started \(cycle\), pid (\d+)/.exec(daemon.stderr())?.[1],
      ),
    );
    const sent = Date.now();
    daemon.child.kill("SIGTERM");
    await until("state stopping", () => statusOf(dir)?.state !== "running");
    const { code } = await daemon.exited;
    expect(code).toBe(0);
    expect(Date.now() - sent).toBeLessThan(2000 + 5000 + 5000);
    const byJob = Object.fromEntries(runsOf(dir).map((r) => [r.job, r.status]));
    expect(byJob).toEqual({ quick: "ok", long: "killed" });
    const status = statusOf(dir) as SchedulerStatus;
    expect(status.state).toBe("stopped");
    expect(status.jobs.long).toMatchObject({ state: "idle", killed: 1, runs: 1 });
    countsAddUp(status);
    expect(longPid).toBeGreaterThan(0);
    expect(gone(longPid)).toBe(true);
  });

  it("a second SIGTERM exits at once and takes the running jobs with it", async () => {
    const dir = folder({ jobs: [{ name: "long", command: ["sleep", "60"], every: "cycle" }] });
    const daemon = start(dir, { MASTER_SHUTDOWN_GRACE: "1h" });
    const pid = Number(
      await until(
        "the job's pid in the log",
        () => /long: started \(cycle\), pid (\d+)/.exec(daemon.stderr())?.[1],
      ),
    );
    daemon.child.kill("SIGTERM");
    await until("state stopping", () => statusOf(dir)?.state === "stopping");
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(143);
    expect(gone(pid)).toBe(true);
    expect(runsOf(dir).map((r) => [r.job, r.status])).toEqual([["long", "killed"]]);
    const status = statusOf(dir) as SchedulerStatus;
    expect(status.state).toBe("stopped");
    countsAddUp(status);
    expect(existsSync(join(dir, "logs", "run_master_status.json.lock"))).toBe(false);
  });

  it("SIGHUP re-reads the file: a bad one is logged and the old one kept; a good one replaces it", async () => {
    const dir = folder({ jobs: [{ name: "first", command: ["true"], cron: YEARLY }] });
    const daemon = start(dir);
    await until("the daemon running", () => statusOf(dir)?.jobs.first);
    writeSchedule(dir, { jobs: [{ name: "first", command: ["true"], cron: "every minute" }] });
    daemon.child.kill("SIGHUP");
    await until("the reload refused", () =>
      daemon.stderr().includes("keeping the schedule loaded before"),
    );
    expect(daemon.stderr()).toMatch(/schedule\.json: job "first": cron:/);
    expect(statusOf(dir)).toMatchObject({
      state: "running",
      jobs: { first: { schedule: "at 00:00, on the 1st of the month, in January" } },
    });
    writeSchedule(dir, { jobs: [{ name: "second", command: ["true"], daily: "23:59" }] });
    daemon.child.kill("SIGHUP");
    const status = await until(
      "the new schedule",
      () => statusOf(dir)?.jobs.second && statusOf(dir),
    );
    expect(Object.keys(status.jobs)).toEqual(["second"]);
    expect(status.jobs.second?.schedule).toBe("daily at 23:59");
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
  });

  it("the status file is always whole JSON of the contract's shape, and its counts add up", async () => {
    const dir = folder({
      cycle: { day: "200ms", night: "200ms", non_working_day: "200ms" },
      jobs: [
        { name: "yes", command: ["true"], every: "cycle" },
        { name: "no", command: ["false"], every: "cycle" },
        { name: "slow", command: ["sleep", "0.5"], every: "cycle" },
        { name: "sec", command: ["true"], cron: "* * * * * *" },
      ],
    });
    const daemon = start(dir);
    await until("the status file", () => statusOf(dir));
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const text = readFileSync(join(dir, "logs", "run_master_status.json"), "utf8");
      const status = JSON.parse(text) as SchedulerStatus;
      countsAddUp(status);
      seen.add(status.updated_at);
      if (i % 50 === 0) {
        expect(Object.keys(status)).toEqual([
          "pid",
          "started_at",
          "updated_at",
          "state",
          "cycle",
          "stats",
          "jobs",
        ]);
        expect(Object.keys(status.cycle)).toEqual([
          "number",
          "mode",
          "length_s",
          "started_at",
          "next_at",
        ]);
        expect(Object.keys(status.stats)).toEqual([
          "cycles",
          "runs",
          "ok",
          "failed",
          "timeout",
          "skipped",
          "killed",
        ]);
        for (const job of Object.values(status.jobs)) {
          expect(Object.keys(job)).toEqual([
            "schedule",
            "state",
            "next_at",
            "runs",
            "ok",
            "failed",
            "timeout",
            "skipped",
            "killed",
            "consecutive_failures",
            "avg_ms",
            "last",
          ]);
          if (job.last) expect(job.last.started_at).toMatch(ISO);
        }
        expect(status.started_at).toMatch(ISO);
        expect(status.updated_at).toMatch(ISO);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(seen.size).toBeGreaterThan(10);
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
    const final = statusOf(dir) as SchedulerStatus;
    countsAddUp(final);
    expect(final.stats.ok).toBeGreaterThan(0);
    expect(final.stats.failed).toBeGreaterThan(0);
    expect(final.stats.skipped).toBeGreaterThan(0);
    // The history holds exactly what the status counted.
    expect(runsOf(dir).length).toBe(final.stats.runs);
  });

  it("--once runs the every-cycle jobs and the due daily jobs, then exits 0 if all ok, 1 if not", async () => {
    const dir = folder({
      jobs: [
        { name: "each", command: ["true"], every: "cycle" },
        { name: "morning", command: ["true"], daily: "00:00" },
        { name: "yearly", command: ["sh", "-c", "touch cron-ran"], cron: YEARLY },
      ],
    });
    const once = await scheduler(["--once", "--json"], dir);
    expect(once.code).toBe(0);
    const report = JSON.parse(once.stdout);
    expect(report.status).toBe("ok");
    expect(report.runs.map((r: SchedulerRun) => [r.job, r.status]).sort()).toEqual([
      ["each", "ok"],
      ["morning", "ok"],
    ]);
    expect(existsSync(join(dir, "cron-ran"))).toBe(false);
    expect(statusOf(dir)?.state).toBe("stopped");
    // The daily job already ran today: the next --once runs only the every-cycle job.
    const again = await scheduler(["--once", "--json"], dir);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).runs.map((r: SchedulerRun) => r.job)).toEqual(["each"]);

    writeSchedule(dir, {
      jobs: [
        { name: "each", command: ["true"], every: "cycle" },
        { name: "broken", command: ["sh", "-c", "exit 7"], every: "cycle" },
        { name: "missing", command: ["no-such-program-xyz"], every: "cycle" },
        { name: "nowhere", command: ["true"], cwd: "no-such-folder", every: "cycle" },
      ],
    });
    const failing = await scheduler(["--once"], dir);
    expect(failing.code).toBe(1);
    const cannot = runsOf(dir).filter((r) => r.job === "missing" || r.job === "nowhere");
    expect(cannot.map((r) => [r.job, r.status, r.exit_code, r.output_tail]).sort()).toEqual([
      [
        "missing",
        "failed",
        null,
        "cannot start no-such-program-xyz: spawn no-such-program-xyz ENOENT",
      ],
      [
        "nowhere",
        "failed",
        null,
        `cannot start true: its folder ${join(dir, "no-such-folder")} does not exist`,
      ],
    ]);
    expect(failing.stdout).toMatch(/broken: failed \(exit 7\)/);
    expect(failing.stdout).toMatch(/not all ok/);
  });

  it("a step job runs the pipeline step (through the launcher) and is checked against the steps folder", async () => {
    const dir = folder({ jobs: [{ name: "report", step: "informe", every: "cycle" }] });
    mkdirSync(join(dir, "steps"));
    writeFileSync(
      join(dir, "steps", "informe.mjs"),
      'export default { consumes: [], produces: ["informe"], run: (_, ctx) => { ctx.log.info("informe hecho"); return { informe: [1] }; } };\n',
    );
    // Project commands started together do not disturb each other (two pipeline runs
    // recording in one control database, a listing, from the same build).
    writeSchedule(dir, {
      jobs: [
        { name: "report", step: "informe", every: "cycle" },
        { name: "report-too", step: "informe", every: "cycle" },
        {
          name: "list",
          command: ["node", join(ROOT, "scripts", "launch.mjs"), "pipeline", "list", "--json"],
          every: "cycle",
        },
      ],
    });
    const once = await scheduler(["--once", "--json"], dir);
    expect(once.code).toBe(0);
    expect(
      JSON.parse(once.stdout)
        .runs.map((r: SchedulerRun) => [r.job, r.status, r.exit_code])
        .sort(),
    ).toEqual([
      ["list", "ok", 0],
      ["report", "ok", 0],
      ["report-too", "ok", 0],
    ]);
    expect(readFileSync(join(dir, "logs", "jobs", "list.log"), "utf8")).toMatch(/"name":"informe"/);
    expect(readFileSync(join(dir, "logs", "jobs", "report.log"), "utf8")).toMatch(
      /pipeline run informe/,
    );
    writeFileSync(join(dir, "steps", "roto.mjs"), "export default 42;\n");
    const broken = await scheduler(["--dry-run"], dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(
      /schedule\.json: job "report": step: cannot check "informe" against the steps: .*roto\.mjs/,
    );
  });

  it("MASTER_MAX_PARALLEL bounds the runs at once: the others wait in the queue", async () => {
    const jobs = ["a", "b", "c"].map((name) => ({
      name,
      command: ["sh", "-c", "sleep 0.4"],
      every: "cycle",
    }));
    const dir = folder({ jobs });
    const daemon = start(dir, { MASTER_MAX_PARALLEL: "1" });
    const queued = await until("two jobs queued", () => {
      const s = statusOf(dir);
      return s && Object.values(s.jobs).filter((j) => j.state === "queued").length === 2 && s;
    });
    expect(Object.values(queued.jobs).filter((j) => j.state === "running")).toHaveLength(1);
    const rows = await until("the three runs", () => {
      const r = runsOf(dir);
      return r.length === 3 && r;
    });
    const spans = rows
      .map((r) => [Date.parse(r.started_at), Date.parse(r.finished_at as string)] as const)
      .sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++)
      expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] as number);
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
  });

  it("--dry-run --json runs nothing and prints the cycle and the next runs", async () => {
    const dir = folder({
      timezone: "Europe/Madrid",
      cycle: { day: "5m", night: "30m", non_working_day: "1h", holidays: "ES" },
      jobs: [
        { name: "each", command: ["sh", "-c", "touch ran"], every: "cycle" },
        { name: "reporte", command: ["true"], cron: "0 */2 * * 1-5" },
      ],
    });
    const result = await scheduler(
      ["--dry-run", "--json", "--at", "2026-12-25T10:00:00+01:00"],
      dir,
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      status: "ok",
      timezone: "Europe/Madrid",
      now: "2026-12-25T10:00:00.000+01:00",
      cycle: { mode: "non_working_day", length_s: 3600, working_day: false, holiday: "Navidad" },
    });
    expect(report.jobs[1]).toMatchObject({
      name: "reporte",
      schedule: "every 2 hours at minute 0, Monday to Friday",
      next_runs: [
        // Christmas is a Friday: cron says Monday to Friday, holidays are for cycles only.
        "2026-12-25T12:00:00.000+01:00",
        "2026-12-25T14:00:00.000+01:00",
        "2026-12-25T16:00:00.000+01:00",
      ],
    });
    expect(report.jobs[0].next_runs[0]).toBe("2026-12-25T10:00:00.000+01:00");
    expect(existsSync(join(dir, "ran"))).toBe(false);
    expect(existsSync(join(dir, "logs", "run_master_status.json"))).toBe(false);
  });
});
