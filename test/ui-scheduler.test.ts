import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import { createConsoleApp, loadAssets } from "../src/ui/index.js";
import { createPipelineSource } from "../src/ui/pipeline/adapter.js";
import type { PipelineSource } from "../src/ui/pipeline/source.js";
import { createSchedulerSource, type SchedulerSource } from "../src/ui/scheduler/source.js";
import type { OverviewView } from "../src/ui/views/overview.js";
import type {
  SchedulerRun,
  SchedulerSnapshot,
  SchedulerView,
} from "../src/ui/views/scheduler-model.js";
import { startTestConsole, type TestConsole, writeSteps } from "./helpers/browser.js";
import { tempDir } from "./helpers/tmp.js";
import { deadPid, type SchedulerFixture, schedulerFixture } from "./helpers/ui-scheduler.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  app: Hono;
  fx: SchedulerFixture;
  scheduler: SchedulerSource;
}

/** The console app over a temporary folder: no steps, the scheduler's files written by the test. */
async function setup(): Promise<Setup> {
  const root = tempDir("empresa-ui-scheduler-");
  const fx = schedulerFixture(root);
  cleanups.push(() => fx.close());
  const log = createLogger("ui", { dir: join(root, "logs"), console: false });
  const pipeline: PipelineSource = await createPipelineSource({
    stepsDir: writeSteps(join(root, "steps"), {}),
    controlDb: fx.controlDb,
    dbPath: join(root, "empresa.db"),
    log,
  });
  cleanups.push(() => pipeline.close(0));
  const scheduler = createSchedulerSource({
    controlDb: fx.controlDb,
    statusFile: fx.statusFile,
    scheduleFile: fx.scheduleFile,
    log,
  });
  cleanups.push(() => scheduler.close());
  const app = createConsoleApp({
    assets: await loadAssets(),
    pipeline,
    scheduler,
    dbPath: join(root, "empresa.db"),
    loopbackOnly: true,
    log,
  });
  return { app, fx, scheduler };
}

async function view(app: Hono): Promise<SchedulerView> {
  const res = await app.request("/api/scheduler");
  expect(res.status).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return (await res.json()) as SchedulerView;
}

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  const message = (body as { error: { message: string } }).error.message;
  expect(message).not.toMatch(/\n\s+at |\/tmp\/|node_modules|\.ts:\d/);
}

const post = (headers: Record<string, string> = {}, body?: string) => ({
  method: "POST",
  headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
  body,
});

describe("GET /api/scheduler", () => {
  it("with nothing there: not running (no status file), the schedule file missing, no jobs", async () => {
    const { app } = await setup();
    const body = await view(app);
    expect(body.daemon).toMatchObject({
      state: "not_running",
      pid: null,
      cycle: null,
      stats: null,
      reason: expect.stringContaining("no status file"),
    });
    expect(body.schedule.problem).toMatch(/^no schedule file at /);
    expect(body.jobs).toEqual([]);
    expect(body.history_problem).toBeNull();
  });

  it("a running daemon: its cycle and counts, each job's schedule in words, state, last run, next run, success rate", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    const nextAt = new Date(Date.now() + 240_000).toISOString();
    fx.status({
      jobs: {
        email_services: { state: "running", next_at: nextAt, avg_ms: 900 },
        riesgos: { state: "idle", next_at: nextAt, consecutive_failures: 2 },
        upload: { state: "queued", next_at: nextAt },
      },
    });
    fx.run("email_services", "ok");
    fx.run("email_services", "failed");
    fx.run("email_services", "skipped");
    const last = fx.run("email_services", "ok", { ms: 800 });
    fx.run("riesgos", "timeout", { exit_code: null });
    fx.run("riesgos", "failed", { exit_code: 3 });

    const body = await view(app);
    expect(body.daemon).toMatchObject({
      state: "running",
      pid: process.pid,
      reason: null,
      stale: false,
      cycle: { number: 12, mode: "day", length_s: 300 },
      stats: { cycles: 12 },
    });
    expect(body.schedule).toMatchObject({ timezone: "Europe/Madrid", problem: null });
    expect(body.jobs.map((job) => [job.name, job.schedule, job.state])).toEqual([
      ["email_services", "every cycle", "running"],
      ["riesgos", "every cycle", "idle"], // the status file's words win: the daemon's schedule
      ["upload", "every cycle", "queued"],
    ]);
    const email = body.jobs[0];
    expect(email).toMatchObject({
      command: "node -e console.log('<b>sent</b>')",
      enabled: true,
      in_schedule: true,
      next_at: nextAt,
      next_from: "daemon",
      requested: null,
      last: { id: last, status: "ok", ms: 800, exit_code: 0 },
      // skipped runs aside: 2 of 3 ok
      success: { ok: 2, of: 3 },
      avg_ms: 900,
    });
    expect(email?.running_since).toEqual(expect.any(String));
    expect(body.jobs[1]).toMatchObject({
      last: { status: "failed", exit_code: 3 },
      success: { ok: 0, of: 2 },
      consecutive_failures: 2,
    });
    expect(body.jobs[2]).toMatchObject({ last: null, success: null });
  });

  it("without a daemon the schedule file's words, and a cron or daily job's next time by the clock", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    const body = await view(app);
    expect(body.jobs.map((job) => [job.name, job.schedule, job.state, job.next_from])).toEqual([
      ["email_services", "every cycle", null, null],
      ["riesgos", "daily at 06:30", null, "schedule"],
      ["upload", "at 02:30 every day", null, "schedule"],
    ]);
    const upload = body.jobs[2]?.next_at as string;
    expect(Date.parse(upload)).toBeGreaterThan(Date.now());
    expect(Date.parse(upload) - Date.now()).toBeLessThanOrEqual(25 * 3_600_000);
    // 02:30 in Madrid
    expect(
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Madrid",
        hour: "2-digit",
        minute: "2-digit",
      }).format(new Date(upload)),
    ).toBe("02:30");
  });

  it("a status file whose process is gone is not running (killed or crashed); stopped is stopped", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    fx.status({ pid: deadPid(), jobs: { email_services: { state: "running" } } });
    let body = await view(app);
    expect(body.daemon).toMatchObject({
      state: "not_running",
      reason: expect.stringMatching(/^process \d+ is gone without stopping/),
      cycle: { number: 12 },
    });
    // A dead daemon's job states are not shown as if they were current.
    expect(body.jobs.map((job) => job.state)).toEqual([null, null, null]);

    fx.status({ state: "stopped", pid: deadPid() });
    body = await view(app);
    expect(body.daemon).toMatchObject({ state: "stopped", reason: null });
    fx.status({ state: "stopping", jobs: { email_services: { state: "running" } } });
    body = await view(app);
    expect(body.daemon.state).toBe("stopping");
    expect(body.jobs[0]?.state).toBe("running");
  });

  it("a pid reused by another process is not the daemon: its lock's start time says so", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    fx.status(); // this test's own pid: alive
    // The daemon's lock names the pid and the process's start time; another start time
    // means the pid now belongs to another process.
    writeFileSync(`${fx.statusFile}.lock`, `${process.pid} 1\n`);
    expect((await view(app)).daemon).toMatchObject({
      state: "not_running",
      reason: expect.stringContaining("gone"),
    });
    const stat = readFileSync("/proc/self/stat", "utf8");
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    writeFileSync(`${fx.statusFile}.lock`, `${process.pid} ${start}\n`);
    expect((await view(app)).daemon.state).toBe("running");
  });

  it("a daemon alive but silent for over two cycles is flagged stale", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    fx.status({ updatedAt: new Date(Date.now() - 11 * 60_000).toISOString() });
    expect((await view(app)).daemon).toMatchObject({ state: "running", stale: true });
  });

  it("a status file that is not JSON, and an invalid schedule file, are shown as problems", async () => {
    const { app, fx } = await setup();
    writeFileSync(fx.statusFile, "{half");
    fx.schedule([{ name: "roto", command: ["true"], cron: "99 * * * *" }]);
    const body = await view(app);
    expect(body.daemon).toMatchObject({
      state: "not_running",
      reason: expect.stringContaining("the status file cannot be read"),
    });
    expect(body.schedule.problem).toContain("roto");
    expect(body.schedule.problem).toContain("cron");
    expect(body.jobs).toEqual([]);
  });

  it("a job the running daemon has but the file does not is listed, marked as not in the file", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    fx.status({ jobs: { viejo: { state: "idle", schedule: "daily at 05:00" } } });
    const body = await view(app);
    expect(body.jobs.map((job) => [job.name, job.in_schedule])).toEqual([
      ["email_services", true],
      ["riesgos", true],
      ["upload", true],
      ["viejo", false],
    ]);
  });
});

describe("GET /api/scheduler/runs", () => {
  it("the latest runs, newest first, with their output; one job's; a limit", async () => {
    const { app, fx } = await setup();
    const ids = [
      fx.run("email_services", "ok", { output_tail: "first" }),
      fx.run("upload", "failed", { output_tail: "Error: S3 is down" }),
      fx.run("email_services", "timeout"),
    ];
    let res = await app.request("/api/scheduler/runs");
    expect(res.status).toBe(200);
    const { runs } = (await res.json()) as { runs: SchedulerRun[] };
    expect(runs.map((run) => run.id)).toEqual([...ids].reverse());
    expect(runs[1]).toMatchObject({
      job: "upload",
      attempt: 1,
      status: "failed",
      exit_code: 1,
      output_tail: "Error: S3 is down",
      ms: 1200,
    });
    res = await app.request("/api/scheduler/runs?job=email_services&limit=1");
    expect(((await res.json()) as { runs: SchedulerRun[] }).runs.map((r) => r.id)).toEqual([
      ids[2],
    ]);
    res = await app.request("/api/scheduler/runs?job=nadie");
    expect(await res.json()).toEqual({ runs: [] });

    res = await app.request(`/api/scheduler/runs/${ids[1]}`);
    expect(await res.json()).toMatchObject({ id: ids[1], output_tail: "Error: S3 is down" });
  });

  it("refuses bad parameters with 400 and a JSON error", async () => {
    const { app } = await setup();
    const cases: [string, string][] = [
      ["limit=0", "invalid_limit"],
      ["limit=1001", "invalid_limit"],
      ["limit=abc", "invalid_limit"],
      ["limit=2.5", "invalid_limit"],
      ["limit=", "invalid_limit"],
      ["job=", "invalid_job"],
      ["job=Upper", "invalid_job"],
      ["job=a%20b", "invalid_job"],
      [`job=${"a".repeat(101)}`, "invalid_job"],
      ["since=yesterday", "invalid_query"],
      ["job=a&job=b", "invalid_query"],
    ];
    for (const [query, code] of cases) {
      const res = await app.request(`/api/scheduler/runs?${query}`);
      expect(res.status, query).toBe(400);
      expectError(await res.json(), code);
    }
    for (const id of ["999", "abc", "-1", "1e3"]) {
      const res = await app.request(`/api/scheduler/runs/${id}`);
      expect(res.status, id).toBe(404);
      expectError(await res.json(), "run_not_found");
    }
  });

  it("answers an empty list before the control database exists, and creates nothing", async () => {
    const root = tempDir("empresa-ui-scheduler-");
    const scheduler = createSchedulerSource({
      controlDb: join(root, "control.db"),
      statusFile: join(root, "status.json"),
      scheduleFile: join(root, "schedule.json"),
    });
    cleanups.push(() => scheduler.close());
    expect(scheduler.runs({ limit: 10 })).toEqual([]);
    expect(scheduler.snapshot()).toMatchObject({ runs: [], truncated: false });
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(root, "control.db"))).toBe(false);
  });
});

describe("POST /api/scheduler/jobs/:name/run", () => {
  it("202 with the request id: a row in scheduler_requests for the daemon to pick up", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    fx.status({ jobs: { upload: { state: "idle" } } });
    const res = await app.request("/api/scheduler/jobs/upload/run", post());
    expect(res.status).toBe(202);
    const body = (await res.json()) as { request_id: number; job: string; requested_at: string };
    expect(body).toEqual({
      request_id: expect.any(Number),
      job: "upload",
      requested_at: expect.any(String),
    });
    expect(fx.requests()).toEqual([
      { id: body.request_id, job: "upload", requested_at: body.requested_at, picked_at: null },
    ]);
    // The page shows it as requested until the daemon picks it up.
    expect((await view(app)).jobs[2]?.requested).toEqual({
      id: body.request_id,
      requested_at: body.requested_at,
    });
    // Asked again before that: the same request, not a second run.
    const again = await app.request(
      "/api/scheduler/jobs/upload/run",
      post({ Origin: "http://localhost", "Sec-Fetch-Site": "same-origin" }, "{}"),
    );
    expect(again.status).toBe(202);
    expect(((await again.json()) as { request_id: number }).request_id).toBe(body.request_id);
    expect(fx.requests()).toHaveLength(1);
    // Picked up: a new Run now is a new request.
    fx.db.prepare("UPDATE scheduler_requests SET picked_at = ?").run(new Date().toISOString());
    expect((await view(app)).jobs[2]?.requested).toBeNull();
    expect((await app.request("/api/scheduler/jobs/upload/run", post())).status).toBe(202);
    expect(fx.requests()).toHaveLength(2);
  });

  it("404 for a job the schedule does not have, 409 when no daemon would pick it up or the job runs", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    let res = await app.request("/api/scheduler/jobs/nadie/run", post());
    expect(res.status).toBe(404);
    expectError(await res.json(), "job_not_found");
    res = await app.request("/api/scheduler/jobs/..%2F..%2Fetc/run", post());
    expect(res.status).toBe(404);

    res = await app.request("/api/scheduler/jobs/upload/run", post());
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { message: string } };
    expectError(body, "daemon_not_running");
    expect(body.error.message).toContain("npm run scheduler");

    fx.status({ pid: deadPid() });
    expect((await app.request("/api/scheduler/jobs/upload/run", post())).status).toBe(409);
    fx.status({ state: "stopping" });
    res = await app.request("/api/scheduler/jobs/upload/run", post());
    expectError(await res.json(), "daemon_stopping");

    fx.status({ jobs: { upload: { state: "running" }, riesgos: { state: "queued" } } });
    for (const job of ["upload", "riesgos"]) {
      res = await app.request(`/api/scheduler/jobs/${job}/run`, post());
      expect(res.status, job).toBe(409);
      expectError(await res.json(), "job_running");
    }
    expect(fx.requests()).toEqual([]);
  });

  it("refuses cross-site requests and other methods; a body must be JSON", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    fx.status();
    const refused: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
      { Origin: "null" },
    ];
    for (const headers of refused) {
      const res = await app.request("/api/scheduler/jobs/upload/run", post(headers, "{}"));
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expectError(await res.json(), "cross_site_request");
    }
    const rebinding = await app.request("/api/scheduler/jobs/upload/run", {
      ...post(),
      headers: { Host: "evil.example" },
    });
    expect(rebinding.status).toBe(403);
    expectError(await rebinding.json(), "host_not_allowed");

    let res = await app.request("/api/scheduler/jobs/upload/run");
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST, OPTIONS");
    res = await app.request("/api/scheduler/jobs/upload/run", { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    res = await app.request("/api/scheduler", { method: "DELETE" });
    expect(res.status).toBe(405);
    res = await app.request("/api/scheduler/jobs/upload/run", {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "run",
    });
    expect(res.status).toBe(415);
    res = await app.request("/api/scheduler/jobs/upload/run", post({}, "{oops"));
    expect(res.status).toBe(400);
    expectError(await res.json(), "invalid_json");
    expect(fx.requests()).toEqual([]);
  });
});

describe("the /scheduler page and the overview", () => {
  it("renders the page from the same JSON its script gets, escaped, with its own script", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    fx.status({ jobs: { email_services: { state: "running" } } });
    fx.run("upload", "failed");
    const res = await app.request("/scheduler");
    expect(res.status).toBe(200);
    const html = await res.text();
    const state = /<script type="application\/json" id="initial-state">(.*?)<\/script>/s.exec(html);
    const embedded = JSON.parse(state?.[1] ?? "null") as SchedulerSnapshot;
    expect(embedded.scheduler.jobs.map((job) => job.name)).toEqual([
      "email_services",
      "riesgos",
      "upload",
    ]);
    expect(embedded.runs.map((run) => run.job)).toEqual(["upload"]);
    expect(html).toMatch(
      /<script type="module" src="\/assets\/scheduler-[0-9a-f]{12}\.js"><\/script>/,
    );
    expect(html).toContain('aria-current="page">Scheduler<');
    expect(html).not.toContain("Not built yet");
    // The command's markup is text.
    expect(html).toContain("console.log(&#39;&lt;b&gt;sent&lt;/b&gt;&#39;)");
    expect(html).not.toContain("<b>sent</b>");
    // One lane per job, and the run's mark in the upload lane.
    expect(html.match(/class="tl-lane" data-lane=/g)).toHaveLength(3);
    expect(html).toMatch(/data-lane="upload".*?class="tl-mark failed"/s);
    expect(html).toContain(
      'button type="button" class="btn btn-run btn-small" data-run-job="upload"',
    );
    const script = /src="(\/assets\/scheduler-[0-9a-f]{12}\.js)"/.exec(html)?.[1] as string;
    expect(await (await app.request(script)).text()).toContain("/api/scheduler/events");
  });

  it("says how to start the daemon when it is not running", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    const html = await (await app.request("/scheduler")).text();
    expect(html).toContain("The scheduler daemon is not running");
    expect(html).toContain("<code>npm run scheduler</code>");
    expect(
      html.match(/data-run-job="[a-z_]+" title="Run now: the daemon is not running" disabled/g),
    ).toHaveLength(3);
  });

  it("the overview shows the daemon's state, its running jobs and the latest failures", async () => {
    const { app, fx } = await setup();
    fx.schedule();
    fx.status({ jobs: { email_services: { state: "running" }, upload: { state: "idle" } } });
    fx.run("upload", "ok");
    const failed = fx.run("upload", "failed", { exit_code: 2 });
    const timeout = fx.run("riesgos", "timeout");
    fx.run("email_services", "skipped");
    const body = (await (await app.request("/api/overview")).json()) as OverviewView;
    expect(body.scheduler).toMatchObject({
      daemon: { state: "running", pid: process.pid, cycle: { mode: "day" } },
      jobs: 3,
      running: [{ job: "email_services", since: expect.any(String) }],
    });
    expect(body.scheduler.failures.map((run) => [run.id, run.status])).toEqual([
      [timeout, "timeout"],
      [failed, "failed"],
    ]);
    const html = await (await app.request("/")).text();
    expect(html).toContain('id="scheduler-card" data-state="running"');
    expect(html).toContain("day cycle #12");
    const card = /<section class="card" id="scheduler-card".*?<\/section>/s.exec(html)?.[0] ?? "";
    expect(card).toContain("email_services");
    expect(card).toContain("Latest failures");
    expect(card).not.toContain("not built yet");
  });
});

// ── A real server: the live stream ───────────────────────────────────────────────────

interface SseMessage {
  event: string;
  data: unknown;
}

/** Reads an SSE stream as it comes; `next` waits for a message that matches. */
async function openStream(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const messages: SseMessage[] = [];
  let retry: number | null = null;
  let wake = null as (() => void) | null;
  let ended = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
            else if (line.startsWith("retry: ")) retry = Number(line.slice(7));
          }
          if (data.length > 0) messages.push({ event, data: JSON.parse(data.join("\n")) });
        }
        wake?.();
      }
    } catch {
      // stopped
    }
    ended = true;
    wake?.();
  })();
  return {
    response,
    messages,
    retry: () => retry,
    async next(match: (m: SseMessage) => boolean, from = 0): Promise<SseMessage> {
      for (;;) {
        const found = messages.slice(from).find(match);
        if (found) return found;
        if (ended) throw new Error(`the stream ended: ${messages.map((m) => m.event).join(", ")}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    stop: () => controller.abort(),
  };
}

describe("GET /api/scheduler/events on a real server", () => {
  async function start(): Promise<{ ui: TestConsole; fx: SchedulerFixture }> {
    const root = tempDir("empresa-ui-scheduler-sse-");
    const fx = schedulerFixture(root);
    cleanups.push(() => fx.close());
    const ui = await startTestConsole(root, {
      steps: {},
      controlDb: fx.controlDb,
      statusFile: fx.statusFile,
      scheduleFile: fx.scheduleFile,
    });
    cleanups.push(() => ui.close());
    return { ui, fx };
  }

  it("starts with a snapshot, then pushes recorded runs and status changes as they happen", async () => {
    const { ui, fx } = await start();
    fx.schedule();
    fx.status({ jobs: { email_services: { state: "idle" } } });
    const earlier = fx.run("email_services", "ok");
    const stream = await openStream(`${ui.url}/api/scheduler/events`);
    cleanups.push(() => stream.stop());
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("Content-Type")).toBe("text/event-stream");
    const snapshot = (await stream.next((m) => m.event === "snapshot")).data as SchedulerSnapshot;
    expect(stream.retry()).toBe(1000);
    expect(snapshot.scheduler.daemon.state).toBe("running");
    expect(snapshot.runs.map((run) => run.id)).toEqual([earlier]);

    // A run recorded by the daemon: a `run` event (without its output), then the job's row.
    const started = Date.now();
    const id = fx.run("email_services", "failed", { output_tail: "boom" });
    const run = (await stream.next((m) => m.event === "run")).data as SchedulerRun;
    expect(run).toMatchObject({ id, job: "email_services", status: "failed" });
    expect(run).not.toHaveProperty("output_tail");
    const updated = await stream.next(
      (m) => m.event === "scheduler" && (m.data as SchedulerView).jobs[0]?.last?.id === id,
    );
    expect((updated.data as SchedulerView).jobs[0]?.success).toEqual({ ok: 1, of: 2 });
    expect(Date.now() - started).toBeLessThan(1000);

    // The status file says a job runs: pushed within a second.
    const mark = stream.messages.length;
    fx.status({ jobs: { email_services: { state: "running" } } });
    const running = await stream.next(
      (m) => m.event === "scheduler" && (m.data as SchedulerView).jobs[0]?.state === "running",
      mark,
    );
    expect((running.data as SchedulerView).jobs[0]?.running_since).toEqual(expect.any(String));

    // The daemon dies without a word: the console notices from its pid.
    fx.status({ pid: deadPid(), jobs: { email_services: { state: "running" } } });
    const gone = await stream.next(
      (m) => m.event === "scheduler" && (m.data as SchedulerView).daemon.state === "not_running",
    );
    expect((gone.data as SchedulerView).daemon.reason).toContain("gone");

    // The daemon is back; a Run now through the console (its own write, which the control
    // database's data_version does not count for the console's connection) is pushed too.
    fx.status({ jobs: { upload: { state: "idle" } } });
    await stream.next(
      (m) => m.event === "scheduler" && (m.data as SchedulerView).daemon.state === "running",
      stream.messages.length,
    );
    const before = stream.messages.length;
    const res = await fetch(`${ui.url}/api/scheduler/jobs/upload/run`, { method: "POST" });
    expect(res.status).toBe(202);
    const { request_id } = (await res.json()) as { request_id: number };
    const requested = await stream.next(
      (m) =>
        m.event === "scheduler" &&
        (m.data as SchedulerView).jobs.find((job) => job.name === "upload")?.requested !== null,
      before,
    );
    expect(
      (requested.data as SchedulerView).jobs.find((job) => job.name === "upload")?.requested?.id,
    ).toBe(request_id);
  });

  it("ends cleanly when the console closes", async () => {
    const { ui, fx } = await start();
    fx.schedule();
    const stream = await openStream(`${ui.url}/api/scheduler/events`);
    await stream.next((m) => m.event === "snapshot");
    await ui.close();
    await expect(stream.next(() => false)).rejects.toThrow(/the stream ended/);
  });
});
