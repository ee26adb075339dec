import { afterEach, describe, expect, it } from "vitest";
import type { JobQueue } from "../src/files/types.js";
import { filesOverview } from "../src/ui/overview/work.js";
import { type OverviewView, overviewCards } from "../src/ui/views/overview.js";
import type { TestConsole } from "./helpers/browser.js";
import {
  EXAMPLE_MODEL,
  jobIn,
  simulationIn,
  slowModel,
  startJob,
  startSimulation,
  startWorkConsole,
} from "./helpers/overview.js";
import { tempDir } from "./helpers/tmp.js";

const consoles: TestConsole[] = [];
afterEach(async () => {
  await Promise.all(consoles.splice(0).map((ui) => ui.close()));
});

async function start(files: Parameters<typeof startWorkConsole>[1] = {}): Promise<TestConsole> {
  const ui = await startWorkConsole(tempDir("empresa-ui-overview-"), files);
  consoles.push(ui);
  return ui;
}

async function overview(ui: TestConsole): Promise<OverviewView> {
  const res = await fetch(`${ui.url}/api/overview`);
  expect(res.status).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return (await res.json()) as OverviewView;
}

/** One card of `/` as the server renders it. */
async function card(ui: TestConsole, id: string): Promise<string> {
  const html = await (await fetch(`${ui.url}/`)).text();
  const match = new RegExp(`<section class="card ov-card" id="${id}".*?</section>`, "s").exec(html);
  expect(match, id).not.toBeNull();
  return match?.[0] ?? "";
}

const SALES = "id,cliente,importe\n1,Ana,10.5\n2,Luis,20\n3,Marta,30\n4,Pedro,40\n5,Sofía,50\n";

describe("the overview's file jobs and simulations, through the real console", () => {
  it("says how to start one when there are none", async () => {
    const ui = await start();
    const body = await overview(ui);
    expect(body.files).toEqual({
      available: true,
      queue: "embedded",
      running: [],
      running_total: 0,
      recent: [],
      total: 0,
      error: null,
    });
    expect(body.simulations).toEqual({
      available: true,
      running: [],
      running_total: 0,
      recent: [],
      total: 0,
    });
    const files = await card(ui, "files-card");
    expect(files).toContain('data-state="empty"');
    expect(files).toContain("No file jobs yet");
    expect(files).toContain('<a href="/files">Files</a>');
    expect(files).toContain("<code>npm run profile -- ventas.csv</code>");
    const sims = await card(ui, "simulations-card");
    expect(sims).toContain("No simulations yet");
    expect(sims).toContain("<code>npm run simulate -- modelos/ejemplo.ini</code>");
    expect(sims).toContain('<a href="/simulations">open</a>');
  });

  it("lists a completed and a failed file job and a completed simulation", async () => {
    const ui = await start();
    const done = await jobIn(ui, await startJob(ui, SALES, "Ventas <2024> & 'Q1'.csv"), [
      "completed",
      "failed",
    ]);
    expect(done.state).toBe("completed");
    const bad = await jobIn(ui, await startJob(ui, 'a,b\n1,2\n"3,4\n5,6\n', "roto.csv"), [
      "completed",
      "failed",
    ]);
    expect(bad.state).toBe("failed");
    const runId = await startSimulation(ui, EXAMPLE_MODEL, 20_000);
    const run = await simulationIn(ui, runId, ["completed", "failed", "cancelled"]);
    expect(run.state).toBe("completed");
    const [firstName, firstSummary] = Object.entries(run.result?.outputs ?? {})[0] ?? [];

    const body = await overview(ui);
    expect(body.files).toMatchObject({ available: true, running: [], running_total: 0, total: 2 });
    // Newest finished first.
    expect(body.files.recent.map((job) => [job.job_id, job.state])).toEqual([
      [bad.job_id, "failed"],
      [done.job_id, "completed"],
    ]);
    expect(body.files.recent[1]).toEqual({
      job_id: done.job_id,
      name: "Ventas <2024> & 'Q1'.csv",
      state: "completed",
      percent: 100,
      rows_processed: 5,
      rows_per_s: expect.toSatisfy((n: unknown) => n === null || typeof n === "number"),
      eta_s: expect.toSatisfy((n: unknown) => n === null || typeof n === "number"),
      created_at: done.created_at,
      started_at: done.started_at,
      finished_at: done.finished_at,
      error: null,
    });
    expect(body.files.recent[0]?.error).toMatch(/^roto\.csv:3: .*never closed/);

    expect(body.simulations).toMatchObject({ available: true, running: [], total: 1 });
    expect(body.simulations.recent).toEqual([
      {
        run_id: runId,
        model: { nombre: "margen_ventas", version: "1.0" },
        file: "ejemplo.ini",
        mode: "embedded",
        state: "completed",
        scenarios: 20_000,
        completed: run.completed,
        errors: run.errors,
        percent: 100,
        rate: expect.any(Number),
        created_at: run.created_at,
        started_at: run.started_at,
        finished_at: run.finished_at,
        duration_s: run.duration_s,
        error: null,
        first_output: { name: firstName, mean: firstSummary?.mean },
      },
    ]);
    expect(typeof firstName).toBe("string");
    expect(Number.isFinite(firstSummary?.mean)).toBe(true);

    const files = await card(ui, "files-card");
    expect(files).toContain('data-state="idle"');
    expect(files).toContain("Nothing processing now");
    // The names are text, and a failed job's error reads as /files words it.
    expect(files).toContain("Ventas &lt;2024&gt; &amp; &#39;Q1&#39;.csv");
    expect(files).not.toContain("<2024>");
    expect(files).toMatch(/data-job-id="[^"]+" data-state="completed">.*?5 rows/s);
    expect(files).toMatch(/data-state="failed">.*?class="pill failed">failed<.*?line 3: /s);
    expect(files).toContain('<a href="/files">open</a>');
    const sims = await card(ui, "simulations-card");
    expect(sims).toContain(`href="/simulations/${runId}"`);
    expect(sims).toContain("margen_ventas");
    expect(sims).toContain("20,000 scenarios");
    expect(sims).toContain(`mean <span class="mono">${firstName}</span> = <strong>`);
    expect(sims).toContain('class="pill ok">completed<');
  });

  it("shows a simulation in progress with its percent and rate, then cancelled", async () => {
    const ui = await start();
    const runId = await startSimulation(ui, slowModel(), 2_000_000, "lento.ini");
    let body: OverviewView;
    for (;;) {
      body = await overview(ui);
      const run = body.simulations.running[0];
      if (run?.state === "running" && run.completed > 0 && run.rate !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const running = body.simulations.running[0];
    expect(running).toMatchObject({ run_id: runId, file: "lento.ini", first_output: null });
    expect(running?.percent).toBeGreaterThan(0);
    expect(running?.percent).toBeLessThan(100);
    expect(running?.rate).toBeGreaterThan(0);
    expect(body.simulations.running_total).toBe(1);
    const sims = await card(ui, "simulations-card");
    expect(sims).toContain('data-state="busy"');
    expect(sims).toMatch(/data-state="running">.*?class="bar ov-meter".*?role="progressbar"/s);
    expect(sims).toMatch(/\/s<span class="ov-sep">/);

    expect((await fetch(`${ui.url}/api/simulations/${runId}`, { method: "DELETE" })).status).toBe(
      200,
    );
    body = await overview(ui);
    expect(body.simulations.running).toEqual([]);
    expect(body.simulations.recent[0]).toMatchObject({ run_id: runId, state: "cancelled" });
    expect(await card(ui, "simulations-card")).toContain("cancelled at ");
  });
});

describe("the file jobs' card when the queue cannot be read", () => {
  it("says so instead of failing the overview", async () => {
    const queue = {
      kind: "bullmq",
      list: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379\n    at x")),
    } as unknown as JobQueue;
    const files = await filesOverview(queue);
    expect(files).toMatchObject({ available: true, queue: "bullmq", running: [], recent: [] });
    expect(files.error).toBe(
      "the job queue could not be read: connect ECONNREFUSED 127.0.0.1:6379",
    );
    const view = {
      sales: { db_path: "x.db", database: "missing", etl: null, validation: null },
      pipeline: { steps: 0, datasets: 0, running: [], recent: [] },
      scheduler: {
        daemon: { state: "not_running", reason: null, stale: false },
        jobs: 0,
        running: [],
        failures: [],
      },
      files,
      simulations: { available: false, running: [], running_total: 0, recent: [], total: 0 },
    } as unknown as OverviewView;
    const html = overviewCards(view).value;
    expect(html).toContain("The job queue cannot be read");
    expect(html).toContain("BullMQ queue");
    expect(html).toContain("No simulations in this console");
  });
});
