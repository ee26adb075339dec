import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import type { SimulationResult } from "../src/simulation/run/types.js";
import type { SimulationDetail, SimulationRun } from "../src/simulation/service.js";
import { startTestConsole, type TestConsole } from "./helpers/browser.js";
import { SseReader } from "./helpers/files.js";
import { tempDir } from "./helpers/tmp.js";

const EXAMPLE = readFileSync(join(import.meta.dirname, "..", "modelos", "ejemplo.ini"));

const consoles: TestConsole[] = [];
const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.stop();
  await Promise.all(consoles.splice(0).map((ui) => ui.close()));
});

async function start(
  simulations: { concurrency?: number; allowCode?: boolean } = {},
): Promise<TestConsole & { simDir: string }> {
  const root = tempDir("empresa-sim-http-");
  const simDir = join(root, "simulaciones");
  // A logger closed with the console: its file handle is not left for the GC.
  const log = createLogger("ui", { dir: join(root, "logs"), console: false });
  const ui = await startTestConsole(root, {
    steps: {},
    simulations: { simDir, workers: 2, ...simulations },
    log,
  });
  const closing = {
    ...ui,
    simDir,
    async close() {
      await ui.close();
      await log.flushFile();
    },
  };
  consoles.push(closing);
  return closing;
}

/** `POST /api/simulations` with a real multipart body. */
function post(
  url: string,
  model: string | Uint8Array | null,
  fields: Record<string, string> = {},
  name = "ejemplo.ini",
): Promise<Response> {
  const form = new FormData();
  if (model !== null) form.set("model", new Blob([model as BlobPart]), name);
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  return fetch(`${url}/api/simulations`, { method: "POST", body: form });
}

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message).not.toMatch(/\n\s+at |\/tmp\/|node_modules|\.ts:\d/);
  return body.error.message;
}

async function started(res: Response): Promise<{ run_id: string; state: string }> {
  const body = (await res.json()) as { run_id: string; state: string };
  expect(res.status, JSON.stringify(body)).toBe(202);
  expect(res.headers.get("location")).toBe(`/api/simulations/${body.run_id}`);
  return body;
}

async function detail(url: string, id: string): Promise<SimulationDetail> {
  const res = await fetch(`${url}/api/simulations/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SimulationDetail;
}

function events(url: string, id: string): SseReader {
  const reader = new SseReader(`${url}/api/simulations/${id}/events`);
  readers.push(reader);
  return reader;
}

const isState = (state: string) => (m: { event: string; data: unknown }) =>
  m.event === "state" && (m.data as SimulationRun).state === state;

describe("POST /api/simulations: the contract's example model, run from the console", () => {
  it("runs embedded, streams snapshot/state/progress/live, ends with the summary and its files", async () => {
    const ui = await start();
    const { run_id, state } = await started(
      await post(ui.url, EXAMPLE, { scenarios: "200000", seed: "7" }),
    );
    expect(["queued", "running"]).toContain(state);
    const reader = events(ui.url, run_id);
    expect((await reader.open()).headers.get("content-type")).toMatch(/^text\/event-stream/);

    const first = await reader.next(() => true);
    expect(first.event).toBe("snapshot");
    const snapshot = first.data as SimulationDetail;
    expect(snapshot).toMatchObject({
      run_id,
      file: "ejemplo.ini",
      mode: "embedded",
      scenarios: 200_000,
      seed: 7,
      model: {
        nombre: "margen_ventas",
        version: "1.0",
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      variables: ["x", "y", "z", "w", "v", "n"],
    });

    const done = await reader.next(isState("completed"));
    expect((done.data as SimulationRun).completed + (done.data as SimulationRun).errors).toBe(
      200_000,
    );
    const progress = reader.messages.filter((m) => m.event === "progress");
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]?.data).toMatchObject({
      run_id,
      total: 200_000,
      producer: { generated: expect.any(Number), state: expect.any(String) },
      consumers: expect.any(Array),
    });
    // Worker threads are the consumers of an embedded run.
    const consumers = (
      (progress.at(-1) as { data: unknown }).data as { consumers: { id: string; host: string }[] }
    ).consumers;
    expect(consumers.length).toBe(2);
    const live = reader.messages.filter((m) => m.event === "live");
    expect(live.length).toBeGreaterThan(0);
    const lastLive = (
      (live.at(-1) as { data: unknown }).data as { outputs: Record<string, { count: number }> }
    ).outputs;
    expect(Object.keys(lastLive)).toEqual(["resultado"]);
    // The events come in order: never a progress that goes back.
    const counts = progress.map((m) => (m.data as { completed: number }).completed);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);

    const run = await detail(ui.url, run_id);
    expect(run.state).toBe("completed");
    expect(run.duration_s).toBeGreaterThan(0);
    const result = run.result as SimulationResult;
    expect(result).toMatchObject({ run_id, mode: "embedded", scenarios: 200_000, seed: 7 });
    const summary = result.outputs.resultado;
    expect(summary).toBeDefined();
    expect(summary?.n).toBe(result.completed);
    expect(summary?.histogram.counts.reduce((a, b) => a + b, 0)).toBe(summary?.n);
    expect(Object.keys(summary?.sensitivity ?? {}).sort()).toEqual(["n", "v", "w", "x", "y", "z"]);
    // E[x² + y·z − w + v/(n+1)] = 1 + 5/1.5 − e^½ + 5·(1 − 2⁻¹¹)/5.5 ≈ 3.593.
    expect(summary?.mean).toBeGreaterThan(3.45);
    expect(summary?.mean).toBeLessThan(3.75);
    expect(summary?.p5).toBeLessThan(summary?.p50 as number);

    const list = (await (await fetch(`${ui.url}/api/simulations`)).json()) as {
      simulations: SimulationRun[];
    };
    expect(list.simulations.map((r) => r.run_id)).toEqual([run_id]);
    expect(list.simulations[0]).toMatchObject({ state: "completed", mode: "embedded" });

    const parquet = await fetch(`${ui.url}/api/simulations/${run_id}/files/resultados.parquet`);
    expect(parquet.status).toBe(200);
    expect(parquet.headers.get("content-type")).toBe("application/vnd.apache.parquet");
    expect(parquet.headers.get("content-disposition")).toMatch(
      /^attachment; filename="resultados_/,
    );
    const bytes = new Uint8Array(await parquet.arrayBuffer());
    expect(Buffer.from(bytes.slice(0, 4)).toString()).toBe("PAR1");
    const resumen = await fetch(`${ui.url}/api/simulations/${run_id}/files/resumen.json`);
    expect(resumen.status).toBe(200);
    expect(((await resumen.json()) as { run_id: string }).run_id).toBe(run_id);
    await expectError(
      await fetch(`${ui.url}/api/simulations/${run_id}/files/passwd`),
      404,
      "file_not_found",
    );
    await expectError(
      await fetch(`${ui.url}/api/simulations/${run_id}/files/..%2F..%2Fcontrol.db`),
      404,
      "file_not_found",
    );

    // Finished: no cancel.
    await expectError(
      await fetch(`${ui.url}/api/simulations/${run_id}`, { method: "DELETE" }),
      409,
      "simulation_finished",
    );
  });

  it("refuses a model with a definition error, naming its line, and queues nothing", async () => {
    const ui = await start();
    const bad = EXAMPLE.toString("utf8").replace(
      "z, float, exponential, lambda=1.5",
      "z, float, gamma, k=2",
    );
    const message = await expectError(
      await post(ui.url, bad, {}, "C:\\modelos\\malo.ini"),
      400,
      "model_definition",
    );
    expect(message).toMatch(/^malo\.ini:12: .*gamma/);

    const badExpression = EXAMPLE.toString("utf8").replace("x**2 + y*z", "x**2 + y*q");
    expect(await expectError(await post(ui.url, badExpression), 400, "model_definition")).toMatch(
      /^ejemplo\.ini:18: .*\bq\b/,
    );

    const code = EXAMPLE.toString("utf8").replace(
      "expresion = x**2 + y*z - w + v/(n+1)",
      'codigo = """\nfunction modelo(x, y, z, w, v, n) { return x + y; }\n"""',
    );
    expect(await expectError(await post(ui.url, code), 400, "model_definition")).toMatch(
      /^ejemplo\.ini:1[89]: codigo .*SIM_ALLOW_CODE/,
    );

    const list = (await (await fetch(`${ui.url}/api/simulations`)).json()) as {
      simulations: SimulationRun[];
    };
    expect(list.simulations).toEqual([]);
  });

  it("runs codigo when the console allows it", async () => {
    const ui = await start({ allowCode: true });
    const code = EXAMPLE.toString("utf8").replace(
      "expresion = x**2 + y*z - w + v/(n+1)",
      'codigo = """\nfunction modelo(x, y, z, w, v, n) { return { suma: x + y, producto: y * z }; }\n"""',
    );
    const { run_id } = await started(await post(ui.url, code, { scenarios: "5000" }));
    const reader = events(ui.url, run_id);
    await reader.open();
    await reader.next(isState("completed"));
    const run = await detail(ui.url, run_id);
    expect(Object.keys(run.result?.outputs ?? {})).toEqual(["suma", "producto"]);
  });

  it("a codigo model that never returns on its test scenario is a 400 after timeout_consumidor, and the console keeps answering meanwhile", async () => {
    const ui = await start({ allowCode: true });
    const looping = EXAMPLE.toString("utf8")
      .replace(
        "expresion = x**2 + y*z - w + v/(n+1)",
        'codigo = """\nfunction modelo(x, y, z, w, v, n) { for (;;) {} }\n"""',
      )
      .replace(/timeout_consumidor = \d+/, "timeout_consumidor = 2");
    const pending = post(ui.url, looping);
    // While the model loops on its thread, the console answers.
    const list = await fetch(`${ui.url}/api/simulations`);
    expect(list.status).toBe(200);
    expect(await expectError(await pending, 400, "model_definition")).toMatch(
      /codigo: modelo did not return on the test scenario within timeout_consumidor \(2 s\)/,
    );
  });

  it("refuses bad requests with the console's error shape", async () => {
    const ui = await start();
    await expectError(await post(ui.url, null, { scenarios: "10" }), 400, "no_model");
    await expectError(await post(ui.url, ""), 400, "empty_model");
    await expectError(await post(ui.url, EXAMPLE, { scenarios: "0" }), 400, "invalid_scenarios");
    await expectError(await post(ui.url, EXAMPLE, { scenarios: "1e3" }), 400, "invalid_scenarios");
    await expectError(await post(ui.url, EXAMPLE, { seed: "x" }), 400, "invalid_seed");
    await expectError(await post(ui.url, EXAMPLE, { mode: "cluster" }), 400, "invalid_mode");
    expect(
      await expectError(
        await post(ui.url, EXAMPLE, { mode: "rabbitmq" }),
        400,
        "rabbitmq_unavailable",
      ),
    ).toMatch(/AMQP_URL/);
    await expectError(
      await post(ui.url, `${EXAMPLE.toString("utf8")}\n# ${"x".repeat(1 << 20)}\n`),
      413,
      "model_too_large",
    );
    await expectError(
      await fetch(`${ui.url}/api/simulations`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      }),
      415,
      "unsupported_media_type",
    );
    // Another site's page may not start one.
    const form = new FormData();
    form.set("model", new Blob([EXAMPLE]), "ejemplo.ini");
    await expectError(
      await fetch(`${ui.url}/api/simulations`, {
        method: "POST",
        body: form,
        headers: { Origin: "https://evil.example" },
      }),
      403,
      "cross_site_request",
    );
  });

  it("answers 404 for an unknown run and 405 for other methods", async () => {
    const ui = await start();
    for (const path of ["", "/events", "/files/resumen.json"])
      await expectError(
        await fetch(`${ui.url}/api/simulations/nope${path}`),
        404,
        "simulation_not_found",
      );
    await expectError(
      await fetch(`${ui.url}/api/simulations/nope`, { method: "DELETE" }),
      404,
      "simulation_not_found",
    );
    const put = await fetch(`${ui.url}/api/simulations`, { method: "PUT" });
    expect(put.headers.get("allow")).toBe("GET, POST, HEAD, OPTIONS");
    await expectError(put, 405, "method_not_allowed");
    const patch = await fetch(`${ui.url}/api/simulations/nope`, { method: "PATCH" });
    expect(patch.headers.get("allow")).toBe("GET, DELETE, HEAD, OPTIONS");
    await expectError(patch, 405, "method_not_allowed");
    await expectError(
      await fetch(`${ui.url}/api/simulations/nope/events`, { method: "POST" }),
      405,
      "method_not_allowed",
    );
    const page = await fetch(`${ui.url}/simulations/nope`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("No simulation");
    expect((await fetch(`${ui.url}/simulations`)).status).toBe(200);
  });
});

describe("cancel and the queue", () => {
  it("cancels a running run (its files removed), starts the queued one, 409 once over", async () => {
    const ui = await start({ concurrency: 1 });
    const big = await started(await post(ui.url, EXAMPLE, { scenarios: "50000000" }));
    const next = await started(await post(ui.url, EXAMPLE, { scenarios: "3000" }));
    expect(next.state).toBe("queued");
    const reader = events(ui.url, big.run_id);
    await reader.open();
    await reader.next((m) => m.event === "progress");

    const res = await fetch(`${ui.url}/api/simulations/${big.run_id}`, { method: "DELETE" });
    const cancelled = (await res.json()) as SimulationRun;
    expect(res.status, JSON.stringify(cancelled)).toBe(200);
    expect(cancelled.state).toBe("cancelled");
    expect(cancelled.completed).toBeLessThan(50_000_000);
    await reader.next(isState("cancelled"));
    expect(existsSync(join(ui.simDir, big.run_id))).toBe(false);
    await expectError(
      await fetch(`${ui.url}/api/simulations/${big.run_id}`, { method: "DELETE" }),
      409,
      "simulation_finished",
    );
    await expectError(
      await fetch(`${ui.url}/api/simulations/${big.run_id}/files/resumen.json`),
      409,
      "simulation_not_completed",
    );

    // The one waiting runs now.
    const second = events(ui.url, next.run_id);
    await second.open();
    await second.next(isState("completed"));
    const list = (await (await fetch(`${ui.url}/api/simulations`)).json()) as {
      simulations: SimulationRun[];
    };
    expect(list.simulations.map((r) => [r.run_id, r.state])).toEqual([
      [next.run_id, "completed"],
      [big.run_id, "cancelled"],
    ]);
  });

  it("cancels a queued run without starting it, and cancels what runs when the console closes", async () => {
    const ui = await start({ concurrency: 1 });
    const big = await started(await post(ui.url, EXAMPLE, { scenarios: "50000000" }));
    const queued = await started(await post(ui.url, EXAMPLE, { scenarios: "1000" }));
    const res = await fetch(`${ui.url}/api/simulations/${queued.run_id}`, { method: "DELETE" });
    expect(((await res.json()) as SimulationRun).state).toBe("cancelled");
    expect((await detail(ui.url, queued.run_id)).started_at).toBeNull();

    const reader = events(ui.url, big.run_id);
    await reader.open();
    await reader.next((m) => m.event === "progress");
    const closing = Date.now();
    await ui.close();
    expect(Date.now() - closing).toBeLessThan(15_000);
    consoles.splice(consoles.indexOf(ui), 1);
  });
});
