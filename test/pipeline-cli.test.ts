import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import { runEtl } from "../src/etl/run.js";
import { Pipeline } from "../src/pipeline/pipeline.js";
import { loadModel } from "../src/simulation/model/index.js";
import { type CliResult, ROOT, runCli, spawnCli } from "./helpers/cli.js";
import { query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

const STEPS = join(ROOT, "steps");
const BUNDLED = [
  "clientes",
  "clientes_activos",
  "informe_mensual",
  "modelo_margen",
  "ventas",
  "ventas_por_mes",
];

/** A working folder with the sample data loaded at the default `database/empresa.db`. */
async function sampleRoot(): Promise<string> {
  const root = tempDir();
  await runEtl({ dataDir: join(ROOT, "data"), dbPath: join(root, "database", "empresa.db") });
  return root;
}

/** The bundled steps report as of this day, so their figures are stable. */
const AS_OF = "2025-01-01";

const pipeline = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  runCli("pipeline", args, { cwd, env: { STEPS_DIR: STEPS, AS_OF, ...env } });

const opened: Pipeline[] = [];
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
});

/** Runs the bundled steps in process up to `informe_mensual`; returns the run and the report. */
async function informe(root: string, env: Record<string, string | undefined>) {
  const p = new Pipeline({
    stepsDir: STEPS,
    log: winston.createLogger({ silent: true }),
    env: { DB_PATH: join(root, "database", "empresa.db"), ...env },
  });
  opened.push(p);
  const report = await (await p.start(["informe_mensual"])).done;
  const rows = (p.preview("informe_mensual", 20) ?? []) as { indicador: string; valor: unknown }[];
  return { report, informe: Object.fromEntries(rows.map((r) => [r.indicador, r.valor])) };
}

/** `npm run pipeline` as npm runs it: the launcher, from the build, plain Node (no tsx). */
function launched(args: string[], cwd: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts/launch.mjs"), "pipeline", ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** A folder of small steps: `a` → `b`, with `b` failing when `ROMPER=1`. */
function smallSteps(): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, "a.mjs"),
    'export default { description: "first", consumes: [], produces: ["x"], run: () => ({ x: [{ n: 1 }, { n: 2 }] }) };\n',
  );
  writeFileSync(
    join(dir, "b.mjs"),
    `export default { consumes: ["x"], produces: ["y"], run(inputs, ctx) {
  if (ctx.env.ROMPER === "1") throw new Error("b is broken");
  return { y: inputs.x.length };
} };\n`,
  );
  writeFileSync(
    join(dir, "c.mjs"),
    'export default { consumes: [], produces: ["z"], run: () => ({ z: "independent" }) };\n',
  );
  return dir;
}

describe("npm run pipeline on the bundled steps and the sample data", () => {
  it("run informe_mensual --json right after the ETL: every step done, the exact report", async () => {
    const root = await sampleRoot();
    const result = await pipeline(["run", "informe_mensual", "--json"], root);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(["status", "targets", "steps", "datasets"]);
    expect(report.status).toBe("ok");
    expect(report.targets).toEqual(["informe_mensual"]);
    expect(report.steps).toHaveLength(5);
    for (const step of report.steps) {
      expect(Object.keys(step)).toEqual([
        "name",
        "status",
        "started_at",
        "finished_at",
        "ms",
        "consumes",
        "produces",
        "error",
      ]);
      expect(step).toMatchObject({ status: "done", error: null });
      expect(typeof step.ms).toBe("number");
      expect(new Date(step.started_at).toISOString()).toBe(step.started_at);
    }
    const order = report.steps.map((s: { name: string }) => s.name);
    expect(order.indexOf("ventas")).toBeLessThan(order.indexOf("ventas_por_mes"));
    expect(order.indexOf("clientes")).toBeLessThan(order.indexOf("clientes_activos"));
    expect(order.at(-1)).toBe("informe_mensual");
    const dbPath = join(root, "database", "empresa.db");
    const [sales] = query(dbPath, "SELECT count(*) AS n FROM ventas_enriquecidas");
    const [clients] = query(dbPath, "SELECT count(*) AS n FROM clientes");
    const [months] = query(
      dbPath,
      "SELECT count(DISTINCT substr(fecha, 1, 7)) AS n FROM ventas_enriquecidas",
    );
    // Known clients with a sale in the 90 days up to AS_OF (not future sales, not unknown ids).
    const [active] = query(
      dbPath,
      `SELECT count(DISTINCT cliente_id) AS n FROM ventas_enriquecidas
       WHERE cliente_id IN (SELECT cliente_id FROM clientes) AND fecha BETWEEN '2024-10-04' AND ?`,
      AS_OF,
    );
    expect(active?.n).toBe(20);
    expect(report.datasets).toEqual({
      ventas: { producer: "ventas", type: "table", rows: sales?.n },
      clientes: { producer: "clientes", type: "table", rows: clients?.n },
      ventas_por_mes: { producer: "ventas_por_mes", type: "table", rows: months?.n },
      clientes_activos: expect.objectContaining({
        producer: "clientes_activos",
        type: "table",
        rows: active?.n,
      }),
      informe_mensual: { producer: "informe_mensual", type: "table", rows: 9 },
    });
    // Recorded in the control database at its default place.
    const control = join(root, "database", "control.db");
    expect(query(control, "SELECT targets, status FROM pipeline_runs")).toEqual([
      { targets: '["informe_mensual"]', status: "ok" },
    ]);
    expect(
      query(control, "SELECT step, state FROM pipeline_step_runs ORDER BY seq").map((r) => r.step),
    ).toEqual(order);
  });

  it("informe_mensual covers the last complete month on or before AS_OF and the one before", async () => {
    const root = await sampleRoot();
    const dbPath = join(root, "database", "empresa.db");
    const month = (mes: string) =>
      query(
        dbPath,
        `SELECT count(*) AS ventas, sum(cantidad) AS unidades, round(sum(importe), 2) AS importe
         FROM ventas_enriquecidas WHERE substr(fecha, 1, 7) = ?`,
        mes,
      )[0] as { ventas: number; unidades: number; importe: number };
    const dic = month("2024-12");
    const nov = month("2024-11");
    const { report, informe: jan1 } = await informe(root, { AS_OF });
    expect(report.status).toBe("ok");
    expect(jan1).toEqual({
      mes: "2024-12",
      ventas: 339,
      unidades: 1924,
      importe: 377436.69,
      ticket_medio: Math.round((dic.importe / dic.ventas) * 100) / 100,
      variacion_importe_pct: 26.03,
      clientes_activos: 20,
      importe_clientes_activos: 973361.73,
      mejor_cliente: "Andrés López (78571.14)",
    });
    expect([jan1.ventas, jan1.unidades, jan1.importe]).toEqual([
      dic.ventas,
      dic.unidades,
      dic.importe,
    ]);
    expect(jan1.variacion_importe_pct).toBe(
      Math.round(((100 * (dic.importe - nov.importe)) / nov.importe) * 100) / 100,
    );
    // The month's last day completes it; the day before does not.
    expect((await informe(root, { AS_OF: "2025-01-31" })).informe.mes).toBe("2025-01");
    expect((await informe(root, { AS_OF: "2025-01-30" })).informe.mes).toBe("2024-12");
    // The sample's last, partial month (up to 2025-04-01) is never the report's.
    expect((await informe(root, { AS_OF: "2025-04-01" })).informe.mes).toBe("2025-03");
    // A month without sales is reported as such, not skipped.
    const empty = (await informe(root, { AS_OF: "2030-02-01" })).informe;
    expect(empty).toMatchObject({ mes: "2030-01", ventas: 0, importe: 0, clientes_activos: 0 });
    // Default: today (local), like validate --as-of.
    const now = new Date();
    const last = new Date(now.getFullYear(), now.getMonth(), 0);
    const lastMonth = `${last.getFullYear()}-${String(last.getMonth() + 1).padStart(2, "0")}`;
    const endOfMonth = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate();
    const byDefault = (await informe(root, { AS_OF: undefined })).informe.mes;
    if (now.getDate() !== endOfMonth) expect(byDefault).toBe(lastMonth);
  });

  it("a bad AS_OF fails the steps that use it, naming it", async () => {
    const root = await sampleRoot();
    const { report } = await informe(root, { AS_OF: "2025-02-30" });
    expect(report.status).toBe("failed");
    expect(report.steps.find((s) => s.name === "clientes_activos")?.error).toBe(
      'AS_OF must be a real date as YYYY-MM-DD, got "2025-02-30"',
    );
  });

  it("modelo_margen writes a simulation model fitted to the sales, which loads and runs", async () => {
    const root = await sampleRoot();
    const result = await pipeline(["run", "modelo_margen", "--json"], root);
    expect(result.code, result.stderr).toBe(0);
    const path = join(root, "modelos", "margen_ventas.ini");
    const { definition } = await loadModel(path);
    const byName = Object.fromEntries(definition.variables.map((v) => [v.name, v]));
    // The sample's prices (positive, 1st–99th percentile) are 12.50–1,299: a median in between.
    const precio = byName.precio?.params as { mu: number; sigma: number };
    expect(Math.exp(precio.mu)).toBeGreaterThan(12.5);
    expect(Math.exp(precio.mu)).toBeLessThan(1299);
    expect(precio.sigma).toBeGreaterThan(0);
    expect(byName.cantidad).toMatchObject({ type: "int", distribution: "poisson" });
    expect(byName.coste).toMatchObject({ distribution: "triangular" });
    const run = await runCli("simulate", [path, "--scenarios", "2000", "--json"], { cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.completed).toBe(2000);
    expect(summary.outputs.resultado.mean).toBeGreaterThan(0);
  });

  it("the built command (npm run's launcher, no tsx) loads the .ts and .mjs steps", async () => {
    const root = await sampleRoot();
    const result = await launched(["run", "informe_mensual"], root, { STEPS_DIR: STEPS, AS_OF });
    expect(result.code, result.stderr).toBe(0);
    // informe_mensual needs every bundled step but modelo_margen (a leaf of its own).
    for (const step of BUNDLED.filter((name) => name !== "modelo_margen"))
      expect(result.stdout).toMatch(new RegExp(`^done +${step} `, "m"));
    expect(result.stdout).toMatch(/^ok: 5 done, 0 reused in \d+ ms \(run [0-9a-f-]{36}\)$/m);
  });

  it("a missing sales database fails the step that reads it, naming the path: exit 1", async () => {
    const root = tempDir();
    const result = await pipeline(["run", "ventas", "--json", "--db", "nada/empresa.db"], root);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe("failed");
    expect(report.steps[0].error).toMatch(
      /^nada\/empresa\.db: cannot read the sales database \(.+\); run `npm run etl` first$/,
    );
  });

  it("list and graph show the bundled steps", async () => {
    const root = tempDir();
    const list = await pipeline(["list", "--json"], root);
    expect(list.code, list.stderr).toBe(0);
    const steps = JSON.parse(list.stdout);
    expect(steps.map((s: { name: string }) => s.name)).toEqual(BUNDLED);
    for (const step of steps) {
      expect(Object.keys(step)).toEqual(["name", "description", "consumes", "produces", "file"]);
      expect(step.description).not.toBe("");
    }
    expect(steps.find((s: { name: string }) => s.name === "informe_mensual")).toEqual({
      name: "informe_mensual",
      description:
        "The last complete month up to AS_OF (default today) against the one before, and the active clients",
      consumes: ["ventas_por_mes", "clientes_activos"],
      produces: ["informe_mensual"],
      file: join(STEPS, "informe_mensual.ts"),
    });
    const text = await pipeline(["graph"], root);
    expect(text.stdout).toBe(
      [
        "level 1",
        "  clientes          — → clientes",
        "  ventas            — → ventas",
        "level 2",
        "  clientes_activos  ventas, clientes → clientes_activos",
        "  modelo_margen     ventas → modelo_margen",
        "  ventas_por_mes    ventas → ventas_por_mes",
        "level 3",
        "  informe_mensual   ventas_por_mes, clientes_activos → informe_mensual",
        "",
      ].join("\n"),
    );
  });
});

describe("npm run pipeline: output formats and exit codes", () => {
  it("graph --format json, mermaid and dot", async () => {
    const root = tempDir();
    const env = { STEPS_DIR: smallSteps() };
    const json = await pipeline(["graph", "--format", "json"], root, env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      nodes: [
        { id: "step:a", kind: "step", name: "a" },
        { id: "step:b", kind: "step", name: "b" },
        { id: "step:c", kind: "step", name: "c" },
        { id: "dataset:x", kind: "dataset", name: "x" },
        { id: "dataset:y", kind: "dataset", name: "y" },
        { id: "dataset:z", kind: "dataset", name: "z" },
      ],
      edges: [
        { from: "step:a", to: "dataset:x" },
        { from: "dataset:x", to: "step:b" },
        { from: "step:b", to: "dataset:y" },
        { from: "step:c", to: "dataset:z" },
      ],
    });
    const asJson = await pipeline(["graph", "--json"], root, env);
    expect(JSON.parse(asJson.stdout)).toEqual(JSON.parse(json.stdout));
    const mermaid = await pipeline(["graph", "--format", "mermaid"], root, env);
    expect(mermaid.stdout).toMatch(/^flowchart LR\n {2}s0\["a"\]:::step\n/);
    expect(mermaid.stdout).toContain("  s0 --> d3\n  d3 --> s1\n");
    const dot = await pipeline(["graph", "--format", "dot"], root, env);
    expect(dot.stdout).toMatch(/^digraph pipeline \{\n {2}rankdir=LR;\n/);
    expect(dot.stdout).toContain('  "step:a" -> "dataset:x";\n');
    expect(dot.stdout).toContain('  "dataset:x" [label="x", shape=cylinder];\n');
    const bad = await pipeline(["graph", "--format", "svg"], root, env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--format: unknown format "svg" (one of text, mermaid, dot, json)',
    );
  });

  it("a failed step: exit 1, the report says which, dependents skipped, independent done", async () => {
    const root = tempDir();
    const result = await pipeline(["run", "b", "c", "--json"], root, {
      STEPS_DIR: smallSteps(),
      ROMPER: "1",
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe("failed");
    expect(
      report.steps.map((s: { name: string; status: string; error: string | null }) => [
        s.name,
        s.status,
        s.error,
      ]),
    ).toEqual([
      ["a", "done", null],
      ["c", "done", null],
      ["b", "failed", "b is broken"],
    ]);
    expect(result.stderr).toContain("b failed: b is broken");
    const text = await pipeline(["run", "b"], root, { STEPS_DIR: smallSteps(), ROMPER: "1" });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^failed +b +[\d.]+ ms +b is broken$/m);
    expect(text.stdout).toMatch(/^failed: 1 done, 0 reused, 1 failed in \d+ ms/m);
  });

  it("definition and usage errors: exit 2, nothing run, the --json error document", async () => {
    const root = tempDir();
    const dir = smallSteps();
    writeFileSync(
      join(dir, "d.mjs"),
      'export default { consumes: ["w"], produces: ["v"], run() {} };\n',
    );
    const definition = await pipeline(["run", "a", "--json"], root, { STEPS_DIR: dir });
    expect(definition.code).toBe(2);
    expect(JSON.parse(definition.stdout)).toEqual({
      status: "error",
      error: { code: "definition", message: 'no step produces "w" (consumed by "d")' },
    });
    expect(definition.stderr).toContain('error [pipeline] no step produces "w" (consumed by "d")');
    const list = await pipeline(["list"], root, { STEPS_DIR: dir });
    expect(list.code).toBe(2);
    const unknown = await pipeline(["run", "zz", "--json"], root, { STEPS_DIR: smallSteps() });
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout).error.message).toBe('unknown step "zz"; did you mean "a"?');
    const usages: [string[], string][] = [
      [[], "missing subcommand: one of run, list, graph, clear, or --ui"],
      [["frob"], 'unknown subcommand "frob" (one of run, list, graph, clear, or --ui)'],
      [["run"], "run needs at least one STEP (see `npm run pipeline -- list`)"],
      [["list", "--force"], "--force only applies to run"],
      [["list", "extra"], 'unexpected argument "extra" (see --help)'],
      [["run", "a", "--format", "dot"], "--format only applies to graph"],
      [["run", "a", "--concurrency", "0"], "--concurrency: must be at least 1, got 0"],
    ];
    for (const [args, message] of usages) {
      const result = await pipeline(args, root, { STEPS_DIR: smallSteps() });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
    }
    // Nothing ran: not even the control database was opened.
    expect(existsSync(join(root, "database", "control.db"))).toBe(false);
  });

  it("list --json and the readable list", async () => {
    const root = tempDir();
    const dir = smallSteps();
    const list = await pipeline(["list", "--json"], root, { STEPS_DIR: dir });
    expect(JSON.parse(list.stdout)).toEqual([
      { name: "a", description: "first", consumes: [], produces: ["x"], file: join(dir, "a.mjs") },
      { name: "b", description: "", consumes: ["x"], produces: ["y"], file: join(dir, "b.mjs") },
      { name: "c", description: "", consumes: [], produces: ["z"], file: join(dir, "c.mjs") },
    ]);
    const text = await pipeline(["list"], root, { STEPS_DIR: dir });
    expect(text.stdout.split("\n")[0]).toMatch(/^step +consumes +produces +file +description$/);
    expect(text.stdout).toMatch(/^a +— +x +\S+a\.mjs +first$/m);
  });
});

describe("npm run pipeline -- clear", () => {
  it("with no console running, says so and exits 0", async () => {
    const root = tempDir();
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
    const { port } = free.address() as AddressInfo;
    await new Promise((resolve) => free.close(resolve));
    const result = await pipeline(["clear"], root, { UI_URL: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `no console running at http://127.0.0.1:${port}: nothing to clear\n`,
    );
    const json = await pipeline(["clear", "--json"], root, { UI_URL: `http://127.0.0.1:${port}` });
    expect(JSON.parse(json.stdout)).toEqual({
      status: "ok",
      console: false,
      url: `http://127.0.0.1:${port}`,
      cleared: null,
    });
  });

  it("posts to the running console's /api/pipeline/clear", async () => {
    const seen: { method?: string; url?: string; headers?: IncomingHttpHeaders }[] = [];
    const server = createServer((request, response) => {
      seen.push({ method: request.method, url: request.url, headers: request.headers });
      response.writeHead(200, { "content-type": "application/json" });
      response.end('{"cleared": 3}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await pipeline(["clear", "--json"], tempDir(), { UI_URL: url });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ status: "ok", console: true, url, cleared: 3 });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        method: "POST",
        url: "/api/pipeline/clear",
        headers: expect.objectContaining({ "content-type": "application/json" }),
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a console that answers with an error: exit 1 with its answer", async () => {
    const server = createServer((_request, response) => {
      response.writeHead(403, { "content-type": "application/json" });
      response.end('{"error":{"code":"forbidden","message":"cross-site"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await pipeline(["clear"], tempDir(), { UI_URL: url });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${url}/api/pipeline/clear answered 403:`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** Resolves with the stderr seen so far once it matches `pattern`. */
function stderrMatches(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, fail) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk;
      if (pattern.test(seen)) {
        child.stderr?.off("data", onData);
        resolve(seen);
      }
    };
    child.stderr?.on("data", onData);
    child.on("close", () => fail(new Error(`ended before ${pattern}: ${seen}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));

describe("npm run pipeline: signals and the console", () => {
  it("SIGTERM during a run cancels the step under way, records the run as cancelled: exit 143", async () => {
    const root = tempDir();
    const dir = tempDir();
    writeFileSync(
      join(dir, "lento.mjs"),
      'export default { consumes: [], produces: ["x"], run: () => new Promise(() => {}) };\n',
    );
    writeFileSync(
      join(dir, "despues.mjs"),
      'export default { consumes: ["x"], produces: ["y"], run: ({ x }) => ({ y: x }) };\n',
    );
    const child = spawnCli("pipeline", ["run", "despues", "--log-level", "debug"], {
      cwd: root,
      env: { STEPS_DIR: dir },
    });
    const code = exited(child);
    await stderrMatches(child, /lento running/);
    child.kill("SIGTERM");
    expect(await code).toBe(143);
    const control = join(root, "database", "control.db");
    expect(query(control, "SELECT status, error FROM pipeline_runs")).toEqual([
      { status: "cancelled", error: "cancelled: interrupted by SIGTERM" },
    ]);
    expect(
      query(control, "SELECT step, state, error FROM pipeline_step_runs ORDER BY position"),
    ).toEqual([
      { step: "lento", state: "failed", error: "cancelled: interrupted by SIGTERM" },
      { step: "despues", state: "skipped", error: 'not run: "lento" failed' },
    ]);
  });

  it("--ui starts the console on /pipeline with this pipeline; SIGTERM stops it: exit 0", async () => {
    const root = tempDir();
    const child = spawnCli("pipeline", ["--ui"], {
      cwd: root,
      env: { STEPS_DIR: smallSteps(), UI_PORT: "0" },
    });
    const code = exited(child);
    const seen = await stderrMatches(child, /console on (http:\/\/\S+\/pipeline)|error/);
    const url = /console on (http:\/\/\S+)\/pipeline/.exec(seen)?.[1];
    expect(url, seen).toBeDefined();
    try {
      const page = await fetch(`${url}/pipeline`);
      expect(page.status).toBe(200);
      const state = (await (await fetch(`${url}/api/pipeline`)).json()) as {
        steps: { name: string }[];
      };
      expect(state.steps.map((s) => s.name).sort()).toEqual(["a", "b", "c"]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await code).toBe(0);
  });
});
