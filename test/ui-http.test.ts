import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { createLogger } from "../src/log.js";
import { sseResponse } from "../src/ui/http/sse.js";
import { createConsoleApp, loadAssets } from "../src/ui/index.js";
import { createPipelineSource } from "../src/ui/pipeline/adapter.js";
import type { PipelineSource } from "../src/ui/pipeline/source.js";
import { createSchedulerSource, type SchedulerSource } from "../src/ui/scheduler/source.js";
import type { PipelineView, RunDetail } from "../src/ui/views/pipeline-model.js";
import { runValidation } from "../src/validation/run.js";
import { stepFile, stepGates, writeSteps } from "./helpers/browser.js";
import { writeDataset } from "./helpers/dataset.js";
import { tempDir } from "./helpers/tmp.js";

const sources: PipelineSource[] = [];
const schedulers: SchedulerSource[] = [];
afterEach(async () => {
  for (const scheduler of schedulers.splice(0)) scheduler.close();
  await Promise.all(sources.splice(0).map((source) => source.close(0)));
});

interface Setup {
  app: Hono;
  root: string;
  stepsDir: string;
  controlDb: string;
  dbPath: string;
}

async function setup(
  options: { loopbackOnly?: boolean; controlDb?: string; steps?: Record<string, string> } = {},
): Promise<Setup> {
  const root = tempDir("empresa-ui-");
  const stepsDir = writeSteps(join(root, "steps"), options.steps);
  const controlDb = options.controlDb ?? join(root, "control.db");
  const dbPath = join(root, "empresa.db");
  const log = createLogger("ui", { dir: join(root, "logs"), console: false });
  const pipeline = await createPipelineSource({ stepsDir, controlDb, dbPath, log });
  sources.push(pipeline);
  // The scheduler's files in the temporary folder (none there: no daemon, no schedule).
  const scheduler = createSchedulerSource({
    controlDb,
    statusFile: join(root, "status.json"),
    scheduleFile: join(root, "schedule.json"),
  });
  schedulers.push(scheduler);
  const app = createConsoleApp({
    assets: await loadAssets(),
    pipeline,
    scheduler,
    dbPath,
    loopbackOnly: options.loopbackOnly ?? true,
    log,
  });
  return { app, root, stepsDir, controlDb, dbPath };
}

const json = (body: unknown) => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

/** Waits for a run to end by asking for it (a state, not a delay). */
async function finished(app: Hono, runId: string): Promise<RunDetail> {
  for (;;) {
    const run = (await (await app.request(`/api/pipeline/runs/${runId}`)).json()) as RunDetail;
    if (run.status !== "running") return run;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function view(app: Hono): Promise<PipelineView> {
  return (await (await app.request("/api/pipeline")).json()) as PipelineView;
}

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  const message = (body as { error: { message: string } }).error.message;
  expect(message).not.toMatch(/\n\s+at |\/tmp\/|node_modules|\.ts:\d/);
}

describe("console pages", () => {
  it("serves every section with the navigation bar, the current one marked", async () => {
    const { app } = await setup();
    const pages: [string, string][] = [
      ["/", "Overview"],
      ["/pipeline", "Pipeline"],
      ["/scheduler", "Scheduler"],
      ["/files", "Files"],
      ["/simulations", "Simulations"],
      ["/simulations/sim-42", "Simulations"],
    ];
    for (const [path, label] of pages) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
      const html = await res.text();
      for (const href of ["/", "/pipeline", "/scheduler", "/files", "/simulations"])
        expect(html).toContain(`href="${href}"`);
      expect(html).toMatch(new RegExp(`aria-current="page">${label}<`));
      expect(html).not.toContain("Not built yet");
      // Every asset is the console's own.
      for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g))
        expect(url?.startsWith("/"), `${path}: ${url}`).toBe(true);
    }
  });

  it("sends the API's security headers with a CSP that allows only the console itself", async () => {
    const { app } = await setup();
    const res = await app.request("/pipeline");
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("renders the pipeline page from the same JSON its script gets, escaped", async () => {
    const { app } = await setup();
    const html = await (await app.request("/pipeline")).text();
    const state = /<script type="application\/json" id="initial-state">(.*?)<\/script>/s.exec(html);
    const embedded = JSON.parse(state?.[1] ?? "null") as PipelineView;
    // Producers first, as the graph reads left to right.
    expect(embedded.steps.map((s) => s.name)).toEqual([
      "clientes",
      "pedidos",
      "resumen",
      "informe",
    ]);
    expect(html).toContain('<svg id="graph-svg"');
    expect(html.match(/class="graph-node /g)).toHaveLength(8);
    expect(html).toMatch(
      /<script type="module" src="\/assets\/pipeline-[0-9a-f]{12}\.js"><\/script>/,
    );
  });

  it("serves the client scripts, the stylesheet and the icon, content-addressed", async () => {
    const { app } = await setup();
    const html = await (await app.request("/pipeline")).text();
    const script = /src="(\/assets\/pipeline-[0-9a-f]{12}\.js)"/.exec(html)?.[1] as string;
    const css = /href="(\/assets\/console-[0-9a-f]{12}\.css)"/.exec(html)?.[1] as string;
    const js = await app.request(script);
    expect(js.status).toBe(200);
    expect(js.headers.get("Content-Type")).toMatch(/^text\/javascript/);
    expect(js.headers.get("Cache-Control")).toContain("immutable");
    expect(await js.text()).toContain("/api/pipeline/events");
    expect((await app.request(css)).headers.get("Content-Type")).toMatch(/^text\/css/);
    expect((await app.request("/assets/favicon.svg")).status).toBe(200);
    const missing = await app.request("/assets/nothing.js");
    expect(missing.status).toBe(404);
    expectError(await missing.json(), "not_found");
  });
});

describe("GET /api/overview", () => {
  it("says the sales database is missing before the first ETL run", async () => {
    const { app } = await setup();
    const body = await (await app.request("/api/overview")).json();
    expect(body).toMatchObject({
      sales: { database: "missing", etl: null, validation: null },
      pipeline: { steps: 4, datasets: 0, running: [], recent: [] },
      scheduler: { daemon: { state: "not_running" }, jobs: 0, running: [], failures: [] },
      // This console runs without the file jobs and the simulations: their cards say so.
      files: { available: false, queue: null, running: [], recent: [], total: 0, error: null },
      simulations: { available: false, running: [], recent: [], total: 0 },
    });
    const html = await (await app.request("/")).text();
    expect(html).toContain("No ETL run yet");
    expect(html).toContain("No file jobs in this console");
    expect(html).toContain("No simulations in this console");
    expect(html).not.toContain("not built yet");
  });

  it("shows the last ETL run with its files and the last validation", async () => {
    const { app, root, dbPath } = await setup();
    await runEtl({ dataDir: writeDataset(join(root, "data")), dbPath });
    const report = await runValidation({ dbPath, asOf: "2024-02-01", thresholds: {} } as never);
    const body = (await (await app.request("/api/overview")).json()) as {
      sales: {
        etl: { files: { table: string; read: number; loaded: number }[] };
        validation: { status: string };
      };
    };
    expect(body.sales).toMatchObject({ database: "ok" });
    expect(body.sales.etl.files.map((f) => f.table).sort()).toEqual([
      "clientes",
      "inventario",
      "productos",
      "ventas",
    ]);
    expect(body.sales.etl.files.find((f) => f.table === "ventas")).toMatchObject({
      read: 2,
      loaded: 2,
    });
    expect(body.sales.validation.status).toBe(report.status);
    const html = await (await app.request("/")).text();
    expect(html).toContain("Last ETL run");
    expect(html).toContain(`pill ${report.status}`);
  });
});

describe("the pipeline endpoints", () => {
  it("GET /api/pipeline: steps, no states yet, empty memory, a left-to-right graph", async () => {
    const { app } = await setup();
    const body = await view(app);
    expect(body.steps.map((s) => [s.name, s.consumes, s.produces, s.file, s.state])).toEqual([
      ["clientes", [], ["clientes"], "clientes.mjs", null],
      ["pedidos", [], ["pedidos"], "pedidos.mjs", null],
      ["resumen", ["pedidos", "clientes"], ["resumen"], "resumen.mjs", null],
      ["informe", ["resumen"], ["informe"], "informe.mjs", null],
    ]);
    expect(body.datasets).toEqual([]);
    expect(body.runs).toEqual([]);
    expect(body.problems).toEqual([]);
    const { nodes, edges } = body.graph;
    expect(nodes).toHaveLength(8); // four steps, four datasets
    expect(edges).toHaveLength(7); // producer → dataset ×4, dataset → consumer ×3
    const x = (id: string) => nodes.find((n) => n.id === id)?.x as number;
    for (const edge of edges) {
      expect(x(edge.from), `${edge.from} → ${edge.to}`).toBeLessThan(x(edge.to));
      expect(edge.points.length).toBeGreaterThanOrEqual(2);
    }
    for (const node of nodes) {
      expect(node.x - node.width / 2).toBeGreaterThanOrEqual(0);
      expect(node.x + node.width / 2).toBeLessThanOrEqual(body.graph.width);
    }
  });

  it("POST /api/pipeline/runs runs the leaf and its producers once each; the datasets stay in memory", async () => {
    const { app } = await setup();
    const res = await app.request(
      "/api/pipeline/runs",
      json({ targets: ["informe"], force: false }),
    );
    expect(res.status).toBe(202);
    const { run_id } = (await res.json()) as { run_id: string };
    expect(res.headers.get("Location")).toBe(`/api/pipeline/runs/${run_id}`);
    const run = await finished(app, run_id);
    expect(run).toMatchObject({
      run_id,
      status: "ok",
      targets: ["informe"],
      force: false,
      error: null,
    });
    expect(run.steps.map((s) => s.name).slice(-2)).toEqual(["resumen", "informe"]);
    expect(run.steps.map((s) => s.status)).toEqual(["done", "done", "done", "done"]);
    expect(run.datasets.informe).toEqual({ producer: "informe", type: "object", rows: null });
    const after = await view(app);
    expect(after.steps.every((s) => s.state === "done")).toBe(true);
    expect(after.runs.map((r) => [r.run_id, r.status, r.steps])).toEqual([[run_id, "ok", 4]]);
    const pedidos = after.datasets.find((d) => d.name === "pedidos");
    expect(pedidos).toMatchObject({ producer: "pedidos", type: "table", rows: 3 });
    expect(pedidos?.bytes).toBeGreaterThan(0);
    expect(pedidos?.preview).toEqual({
      kind: "table",
      columns: ["pedido_id", "cliente_id", "importe"],
      rows: [
        [1, 1, 120.5],
        [2, 2, 80],
        [3, 1, 42.25],
      ],
    });
    expect(after.datasets.find((d) => d.name === "informe")?.preview).toMatchObject({
      kind: "text",
    });

    // The target runs again; its producer is in memory (reused), so nothing before it is planned.
    const again = (await (
      await app.request("/api/pipeline/runs", json({ targets: ["informe"] }))
    ).json()) as { run_id: string };
    const second = await finished(app, again.run_id);
    expect(Object.fromEntries(second.steps.map((s) => [s.name, s.status]))).toEqual({
      resumen: "reused",
      informe: "done",
    });
    // Datasets in the HTML are escaped.
    const html = await (await app.request("/pipeline")).text();
    expect(html).toContain("Ana &lt;b&gt;Gómez&lt;/b&gt;");
    expect(html).not.toContain("Ana <b>");
  });

  it("two requests that need the same producer at the same time run it once", async () => {
    const { app } = await setup();
    const gates = stepGates();
    gates.hold("pedidos");
    const first = (await (
      await app.request("/api/pipeline/runs", json({ targets: ["resumen"] }))
    ).json()) as {
      run_id: string;
    };
    const second = (await (
      await app.request("/api/pipeline/runs", json({ targets: ["pedidos"] }))
    ).json()) as {
      run_id: string;
    };
    gates.releaseAll();
    const a = await finished(app, first.run_id);
    const b = await finished(app, second.run_id);
    const ran = [...a.steps, ...b.steps].filter((s) => s.name === "pedidos" && s.status === "done");
    expect(ran).toHaveLength(1);
    expect(a.status).toBe("ok");
    expect(b.status).toBe("ok");
  });

  it("GET /api/pipeline/runs/:id answers 404 for an unknown run", async () => {
    const { app } = await setup();
    const res = await app.request("/api/pipeline/runs/no-such-run");
    expect(res.status).toBe(404);
    expectError(await res.json(), "run_not_found");
  });

  it("POST /api/pipeline/clear empties the memory and says how much it held", async () => {
    const { app } = await setup();
    const { run_id } = (await (
      await app.request("/api/pipeline/runs", json({ targets: ["resumen"] }))
    ).json()) as {
      run_id: string;
    };
    await finished(app, run_id);
    expect((await view(app)).datasets).toHaveLength(3);
    const res = await app.request("/api/pipeline/clear", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ cleared: 3 });
    expect((await view(app)).datasets).toEqual([]);
    const again = await app.request("/api/pipeline/clear", json({}));
    expect(await again.json()).toEqual({ cleared: 0 });
  });

  it("a step file added to the folder is there on the next request", async () => {
    const { app, stepsDir } = await setup();
    writeFileSync(
      join(stepsDir, "nuevo.mjs"),
      stepFile({ consumes: ["informe"], produces: ["nuevo"] }),
    );
    const body = await view(app);
    expect(body.steps.map((s) => s.name)).toContain("nuevo");
    expect(body.graph.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining(["step:nuevo", "dataset:nuevo"]),
    );
    rmSync(join(stepsDir, "nuevo.mjs"));
    expect((await view(app)).steps.map((s) => s.name)).not.toContain("nuevo");
  });
});

describe("errors", () => {
  const cases: [string, RequestInit, number, string][] = [
    [
      "no Content-Type",
      { method: "POST", body: '{"targets":["informe"]}' },
      415,
      "unsupported_media_type",
    ],
    [
      "text/plain",
      { method: "POST", headers: { "Content-Type": "text/plain" }, body: "informe" },
      415,
      "unsupported_media_type",
    ],
    [
      "not JSON",
      { method: "POST", headers: { "Content-Type": "application/json" }, body: "{targets:" },
      400,
      "invalid_json",
    ],
    ["an array", json(["informe"]), 400, "invalid_body"],
    ["no targets", json({}), 400, "invalid_targets"],
    ["empty targets", json({ targets: [] }), 400, "invalid_targets"],
    ["a target that is not a name", json({ targets: [3] }), 400, "invalid_targets"],
    ["force not a boolean", json({ targets: ["informe"], force: "yes" }), 400, "invalid_force"],
    ["an unknown field", json({ targets: ["informe"], forse: true }), 400, "invalid_body"],
    ["an unknown step", json({ targets: ["informe", "nada"] }), 400, "unknown_step"],
    [
      "a body over 64 KB",
      json({ targets: ["informe"], padding: "x".repeat(70_000) }),
      413,
      "body_too_large",
    ],
  ];
  for (const [what, init, status, code] of cases) {
    it(`POST /api/pipeline/runs with ${what}: ${status} ${code}, nothing runs`, async () => {
      const { app } = await setup();
      const res = await app.request("/api/pipeline/runs", init);
      expect(res.status).toBe(status);
      expectError(await res.json(), code);
      expect((await view(app)).runs).toEqual([]);
    });
  }

  it("a definition error in the steps folder: 409 naming it, and the page shows it", async () => {
    const { app, stepsDir } = await setup();
    writeFileSync(join(stepsDir, "roto.mjs"), stepFile({ consumes: ["nada"], produces: ["roto"] }));
    const res = await app.request("/api/pipeline/runs", json({ targets: ["informe"] }));
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toEqual({
      code: "definition_error",
      message: 'no step produces "nada" (consumed by "roto")',
    });
    expect((await view(app)).problems).toEqual(['no step produces "nada" (consumed by "roto")']);
    const page = await (await app.request("/pipeline")).text();
    expect(page).toContain("A definition error in the steps folder");
    expect(page).toContain("no step produces &quot;nada&quot; (consumed by &quot;roto&quot;)");
    expect(page.match(/data-run="[a-z]+" disabled/g)).toHaveLength(5); // every Run button
  });

  it("a control database that cannot be opened: 500 without its path", async () => {
    const root = tempDir("empresa-ui-");
    const notADb = join(root, "dir.db");
    mkdirSync(notADb);
    const { app } = await setup({ controlDb: notADb });
    const res = await app.request("/api/pipeline/runs", json({ targets: ["pedidos"] }));
    expect(res.status).toBe(500);
    const body = await res.json();
    expectError(body, "control_database");
    expect(JSON.stringify(body)).not.toContain(root);
  });

  it("405 with Allow for a method a path does not take; OPTIONS says what it takes, without CORS", async () => {
    const { app } = await setup();
    const cases: [string, string, string][] = [
      ["GET", "/api/pipeline/runs", "POST, OPTIONS"],
      ["GET", "/api/pipeline/clear", "POST, OPTIONS"],
      ["DELETE", "/api/pipeline", "GET, HEAD, OPTIONS"],
      ["PUT", "/api/pipeline/runs/x", "GET, HEAD, OPTIONS"],
      ["POST", "/pipeline", "GET, HEAD, OPTIONS"],
      ["POST", "/api/pipeline/events", "GET, HEAD, OPTIONS"],
      ["PATCH", "/", "GET, HEAD, OPTIONS"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("Allow")).toBe(allow);
      expectError(await res.json(), "method_not_allowed");
    }
    const options = await app.request("/api/pipeline/runs", {
      method: "OPTIONS",
      headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "POST" },
    });
    expect(options.status).toBe(204);
    expect(options.headers.get("Allow")).toBe("POST, OPTIONS");
    expect(options.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(options.headers.get("Access-Control-Allow-Methods")).toBeNull();
  });

  it("404 as JSON for an unknown path", async () => {
    const { app } = await setup();
    const res = await app.request("/api/nothing/here");
    expect(res.status).toBe(404);
    expectError(await res.json(), "not_found");
  });
});

describe("cross-site requests", () => {
  const refused: [string, Record<string, string>][] = [
    ["another origin", { Origin: "http://evil.example" }],
    ["another port of localhost", { Origin: "http://localhost:9999" }],
    ["an opaque origin", { Origin: "null" }],
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "Sec-Fetch-Site": "same-site" }],
    [
      "a same origin but a cross-site fetch",
      { Origin: "http://localhost", "Sec-Fetch-Site": "cross-site" },
    ],
  ];
  for (const [what, headers] of refused) {
    it(`refuses a state change from ${what} (403) and changes nothing`, async () => {
      const { app } = await setup();
      const { run_id } = (await (
        await app.request("/api/pipeline/runs", json({ targets: ["pedidos"] }))
      ).json()) as {
        run_id: string;
      };
      await finished(app, run_id);
      for (const path of ["/api/pipeline/clear", "/api/pipeline/runs"]) {
        const res = await app.request(path, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...headers },
          body: JSON.stringify({ targets: ["informe"] }),
        });
        expect(res.status, path).toBe(403);
        expectError(await res.json(), "cross_site_request");
      }
      const after = await view(app);
      expect(after.datasets.map((d) => d.name)).toEqual(["pedidos"]);
      expect(after.runs).toHaveLength(1);
    });
  }

  it("accepts the console's own page (same origin) and programs that send neither header", async () => {
    const { app } = await setup();
    const own = await app.request("/api/pipeline/clear", {
      method: "POST",
      headers: { Origin: "http://localhost", "Sec-Fetch-Site": "same-origin" },
    });
    expect(own.status).toBe(200);
    expect((await app.request("/api/pipeline/clear", { method: "POST" })).status).toBe(200);
  });

  it("on loopback, answers only requests addressed to a loopback name (DNS rebinding)", async () => {
    const { app } = await setup();
    for (const host of ["localhost:8501", "127.0.0.1:8501", "[::1]:8501"]) {
      const res = await app.request("http://x/api/pipeline", { headers: { Host: host } });
      expect(res.status, host).toBe(200);
    }
    const res = await app.request("http://x/api/pipeline", {
      headers: { Host: "evil.example:8501" },
    });
    expect(res.status).toBe(403);
    expectError(await res.json(), "host_not_allowed");
    const open = await setup({ loopbackOnly: false });
    const served = await open.app.request("http://x/api/pipeline", {
      headers: { Host: "console.lan:8501" },
    });
    expect(served.status).toBe(200);
  });
});

describe("the SSE helper", () => {
  function sseApp(closing: AbortSignal, log: string[]) {
    const app = new Hono();
    app.get("/events", (c) =>
      sseResponse(c, { heartbeatMs: 60_000, closing }, ({ send }) => {
        log.push("subscribed");
        send({ event: "hello", data: { n: 1 } });
        return () => log.push("unsubscribed");
      }),
    );
    return app;
  }

  it("unsubscribes as soon as the client goes away", async () => {
    const log: string[] = [];
    const res = await sseApp(new AbortController().signal, log).request("/events");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes("event: hello"))
      text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('data: {"n":1}');
    expect(log).toEqual(["subscribed"]);
    await reader.cancel();
    while (log.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(["subscribed", "unsubscribed"]);
  });

  it("ends every stream when the console shuts down", async () => {
    const log: string[] = [];
    const closing = new AbortController();
    const res = await sseApp(closing.signal, log).request("/events");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    closing.abort();
    for (;;) if ((await reader.read()).done) break;
    expect(log).toEqual(["subscribed", "unsubscribed"]);
  });
});
