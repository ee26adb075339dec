/**
 * Simulation runs (contract `simulation.md`, "Scenarios and results", "Commands"): the
 * embedded transport end to end — reproducibility whatever the workers and batches, a
 * known answer, errors, cancellation, the outputs read back by DuckDB, the summary streamed
 * above its in-memory limit, the control database and `npm run simulate`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type DuckDBConnection, DuckDBInstance, type Json } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openControlDb } from "../src/control/db.js";
import { loadModel, ModelDefinitionError } from "../src/simulation/model/index.js";
import { createScenarioStream } from "../src/simulation/random/index.js";
import {
  createRun,
  getRun,
  listRuns,
  runSimulation,
  type SimulationEvent,
  selectRanks,
  updateRun,
} from "../src/simulation/run/index.js";
import { summarizeOutput } from "../src/simulation/summary/index.js";
import { ROOT, runCli, spawnCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const EXAMPLE = resolve(ROOT, "modelos/ejemplo.ini");

let duck: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  duck = await DuckDBInstance.create(":memory:");
  connection = await duck.connect();
});

afterAll(() => {
  connection?.closeSync();
  duck?.closeSync();
});

async function query(sql: string): Promise<Record<string, Json>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson();
}

/** A model file in `dir` with these variables and this expression (or codigo block). */
function modelFile(dir: string, variables: string[], fn: string, scenarios = 10000): string {
  const path = join(dir, `model-${Math.random().toString(36).slice(2)}.ini`);
  writeFileSync(
    path,
    [
      "[MODELO]",
      "nombre = prueba",
      "version = 2",
      "",
      "[VARIABLES]",
      ...variables,
      "",
      "[FUNCION]",
      fn,
      "",
      "[SIMULACION]",
      `numero_escenarios = ${scenarios}`,
      "semilla_aleatoria = 7",
      "",
    ].join("\n"),
  );
  return path;
}

describe("runSimulation (embedded)", () => {
  it("gives identical results with 1 and 4 workers and any batch size (summary and resultados.parquet)", async () => {
    const dir = tempDir("sim-");
    const run = (workers: number, batch: number) =>
      runSimulation({ modelPath: EXAMPLE, scenarios: 30_000, workers, batch, simDir: dir });
    const one = await run(1, 1000);
    const four = await run(4, 700);
    expect(one.workers).toBe(1);
    expect(four.workers).toBe(4);
    expect(four.outputs).toEqual(one.outputs);
    expect([four.completed, four.errors, four.seed]).toEqual([30_000, 0, 42]);
    expect([one.completed, one.errors]).toEqual([30_000, 0]);
    expect(four.model).toEqual(one.model);

    const rows = async (path: string) =>
      query(`SELECT * EXCLUDE (consumidor) FROM read_parquet('${path}') ORDER BY escenario_id`);
    const a = await rows(one.files.results);
    const b = await rows(four.files.results);
    expect(a.length).toBe(30_000);
    expect(b).toEqual(a);
    // …and they are the single stream's draws, the expression computed on them: the
    // threads computed each scenario's values from the producer's tapes.
    const { definition } = await loadModel(EXAMPLE);
    const drawn = createScenarioStream(definition.variables, 42).batch(30_000).values;
    let same = 0;
    for (let i = 0; i < 30_000; i++) {
      const [x, y, z, w, v, n] = Array.from(drawn.subarray(i * 6, i * 6 + 6));
      const row = a[i] as Record<string, Json>;
      const expected = [
        x,
        y,
        z,
        w,
        v,
        n,
        (x as number) ** 2 +
          (y as number) * (z as number) -
          (w as number) +
          (v as number) / ((n as number) + 1),
      ];
      const got = ["x", "y", "z", "w", "v", "n", "resultado"].map((c) => Number(row[c]));
      if (got.every((value, j) => Object.is(value, expected[j]))) same++;
    }
    expect(same).toBe(30_000);
    const consumers = await query(
      `SELECT DISTINCT consumidor FROM read_parquet('${four.files.results}') ORDER BY 1`,
    );
    expect(consumers.map((row) => row.consumidor)).toEqual([
      "worker-1",
      "worker-2",
      "worker-3",
      "worker-4",
    ]);
    // resumen.json holds the same summary.
    const resumen = JSON.parse(readFileSync(four.files.summary, "utf8"));
    expect(resumen.run_id).toBe(four.run_id);
    expect(resumen.outputs.resultado.p95).toBe(four.outputs.resultado?.p95);
    expect(resumen.modelo.variables.map((v: { name: string }) => v.name)).toEqual([
      "x",
      "y",
      "z",
      "w",
      "v",
      "n",
    ]);
    // The spill file is gone: only the two outputs remain.
    expect(readdirSync(join(dir, four.run_id)).sort()).toEqual([
      "resultados.parquet",
      "resumen.json",
    ]);
  }, 60_000);

  it("knows the answer: E[x² + y·z − w + v/(n+1)] within 4.5 standard errors; resultados.parquet's columns, types and rows", async () => {
    const dir = tempDir("sim-");
    const n = 250_000;
    const result = await runSimulation({
      modelPath: EXAMPLE,
      scenarios: n,
      workers: 2,
      simDir: dir,
    });
    // E[x²] = 1, E[y]·E[z] = 5/1.5, E[w] = e^½, E[v]·E[1/(n+1)] = 5·(1 − ½¹¹)/(11·½).
    const expected = 1 + 5 / 1.5 - Math.exp(0.5) + (5 * (1 - 0.5 ** 11)) / (11 * 0.5);
    const s = result.outputs.resultado;
    if (!s) throw new Error("no resultado");
    expect(s.n).toBe(n);
    expect(Math.abs(s.mean - expected)).toBeLessThan((4.5 * s.std) / Math.sqrt(n));
    expect(s.ci95[0]).toBeLessThan(s.mean);
    expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(n);
    expect(s.convergence.length).toBe(100);
    expect(s.convergence.at(-1)).toEqual([n, s.mean]);
    // y·z dominates the spread; x² is symmetric in x, so x barely correlates in rank.
    expect(s.sensitivity.z).toBeGreaterThan(0.4);
    expect(Math.abs(s.sensitivity.x as number)).toBeLessThan(0.02);
    expect(result.scenarios_per_s).toBeGreaterThan(0);

    const path = result.files.results;
    const types = await query(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    expect(types.map((row) => [row.column_name, row.column_type])).toEqual([
      ["escenario_id", "BIGINT"],
      ["x", "DOUBLE"],
      ["y", "DOUBLE"],
      ["z", "DOUBLE"],
      ["w", "DOUBLE"],
      ["v", "DOUBLE"],
      ["n", "BIGINT"],
      ["resultado", "DOUBLE"],
      ["consumidor", "VARCHAR"],
    ]);
    const [stats] = await query(
      `SELECT count(*) AS rows, min(escenario_id) AS lo, max(escenario_id) AS hi,
              count(DISTINCT escenario_id) AS ids, avg(resultado) AS mean, count(resultado) AS results,
              max(abs(resultado - (x*x + y*z - w + v/(n+1)))) AS diff
       FROM read_parquet('${path}')`,
    );
    expect(stats).toMatchObject({ rows: "250000", lo: "1", hi: "250000", ids: "250000" });
    expect(Number(stats?.results)).toBe(n);
    expect(Number(stats?.diff)).toBeLessThan(1e-9);
    expect(Math.abs(Number(stats?.mean) - s.mean)).toBeLessThan(1e-9);
    // Several row groups (100,000 rows each).
    const groups = await query(
      `SELECT count(DISTINCT row_group_id) AS groups FROM parquet_metadata('${path}')`,
    );
    expect(groups[0]?.groups).toBe("3");
  }, 120_000);

  it("counts non-finite results as errors: log(x) with x normal fails about half the scenarios", async () => {
    const dir = tempDir("sim-");
    const model = modelFile(
      dir,
      ["x, float, normal, media=0, std=1"],
      "expresion = log(x)",
      20_000,
    );
    const events: SimulationEvent[] = [];
    const result = await runSimulation({
      modelPath: model,
      workers: 3,
      batch: 500,
      simDir: dir,
      onEvent: (event) => events.push(event),
    });
    expect(result.completed + result.errors).toBe(20_000);
    // Binomial(20000, ½): 5 standard deviations is ±354.
    expect(Math.abs(result.errors - 10_000)).toBeLessThan(354);
    expect(result.outputs.resultado?.n).toBe(result.completed);
    expect(result.outputs.resultado?.errors).toBe(result.errors);
    expect(result.error_samples.length).toBe(100);
    const ids = result.error_samples.map((e) => e.escenario_id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(result.error_samples[0]?.message).toBe("the result is NaN");
    // The errors are the scenarios with x < 0 (the ones DuckDB sees as null results).
    const [row] = await query(
      `SELECT count(*) FILTER (WHERE resultado IS NULL) AS nulls,
              count(*) FILTER (WHERE resultado IS NULL AND x >= 0) AS wrong,
              min(escenario_id) FILTER (WHERE resultado IS NULL) AS first
       FROM read_parquet('${result.files.results}')`,
    );
    expect(Number(row?.nulls)).toBe(result.errors);
    expect(Number(row?.wrong)).toBe(0);
    expect(Number(row?.first)).toBe(ids[0]);
    const resumen = JSON.parse(readFileSync(result.files.summary, "utf8"));
    expect(resumen.errors).toBe(result.errors);
    expect(resumen.error_samples).toEqual(result.error_samples);

    // Events: running then completed; progress and live along the way, throttled.
    const states = events.filter((e) => e.type === "state").map((e) => e.state);
    expect(states).toEqual(["running", "completed"]);
    const progress = events.filter((e) => e.type === "progress");
    const last = progress.at(-1);
    expect(last).toMatchObject({
      completed: result.completed,
      errors: result.errors,
      total: 20_000,
    });
    expect(last?.type === "progress" && last.consumers.length).toBe(3);
    const live = events.filter((e) => e.type === "live").at(-1);
    if (live?.type !== "live") throw new Error("no live event");
    const out = live.outputs.resultado;
    expect(out?.count).toBe(result.completed);
    expect(out?.errors).toBe(result.errors);
    expect(out?.histogram.counts.reduce((a, b) => a + b, 0)).toBe(result.completed);
    expect(out?.convergence.length).toBeGreaterThan(10);
  }, 60_000);

  it("several outputs from codigo (with permission): one column and one summary each", async () => {
    const dir = tempDir("sim-");
    const model = modelFile(
      dir,
      ["precio, float, uniform, min=10, max=20", "coste, float, constant, valor=12"],
      'codigo = """\nfunction modelo(precio, coste) {\n  return { margen: precio - coste, ratio: precio / coste };\n}\n"""',
      5000,
    );
    await expect(runSimulation({ modelPath: model, simDir: dir })).rejects.toThrow(
      ModelDefinitionError,
    );
    const result = await runSimulation({
      modelPath: model,
      allowCode: true,
      workers: 2,
      simDir: dir,
    });
    expect(Object.keys(result.outputs)).toEqual(["margen", "ratio"]);
    expect(Math.abs((result.outputs.margen?.mean as number) - 3)).toBeLessThan(0.25);
    const types = await query(`DESCRIBE SELECT * FROM read_parquet('${result.files.results}')`);
    expect(types.map((row) => row.column_name)).toEqual([
      "escenario_id",
      "precio",
      "coste",
      "margen",
      "ratio",
      "consumidor",
    ]);
  }, 60_000);

  it("a codigo model is tried on a thread of its own: an endless loop or process.exit() in its test scenario is a definition error, and this process goes on", async () => {
    const dir = tempDir("sim-");
    const write = (name: string, body: string) => {
      const path = join(dir, name);
      writeFileSync(
        path,
        [
          "[MODELO]",
          `nombre = ${name}`,
          "version = 1",
          "[VARIABLES]",
          "x, float, uniform, min=0, max=1",
          "[FUNCION]",
          'codigo = """',
          `function modelo(x) { ${body} }`,
          '"""',
          "[SIMULACION]",
          "numero_escenarios = 100",
          "semilla_aleatoria = 1",
          "[CONFIGURACION]",
          "timeout_consumidor = 1",
        ].join("\n"),
      );
      return path;
    };
    const loops = runSimulation({
      modelPath: write("bucle.ini", "for (;;) {}"),
      allowCode: true,
      simDir: dir,
    });
    await expect(loops).rejects.toBeInstanceOf(ModelDefinitionError);
    await expect(loops).rejects.toThrow(
      /bucle\.ini:7: codigo: modelo did not return on the test scenario within timeout_consumidor \(1 s\)/,
    );
    const exits = runSimulation({
      modelPath: write("salida.ini", "process.exit(3);"),
      allowCode: true,
      simDir: dir,
    });
    await expect(exits).rejects.toThrow(
      /salida\.ini:7: codigo: modelo ended its thread \(exit code 3\)/,
    );
    // A model that throws there still names its line, as before.
    await expect(
      runSimulation({
        modelPath: write("lanza.ini", 'throw new Error("no");'),
        allowCode: true,
        simDir: dir,
      }),
    ).rejects.toThrow(/lanza\.ini:8: codigo: modelo throws on the test scenario \(x=0\.5\): no/);
    // …and a good one runs.
    const ok = await runSimulation({
      modelPath: write("bien.ini", "return x * 2;"),
      allowCode: true,
      simDir: dir,
    });
    expect([ok.completed, ok.errors]).toEqual([100, 0]);
  }, 60_000);

  it("a batch that outlives timeout_consumidor: its scenarios are errors, its thread is replaced, the run goes on", async () => {
    const dir = tempDir("sim-");
    const model = join(dir, "lento.ini");
    writeFileSync(
      model,
      [
        "[MODELO]",
        "nombre = lento",
        "version = 1",
        "[VARIABLES]",
        "x, float, normal, media=0, std=1",
        "[FUNCION]",
        'codigo = """',
        "function modelo(x) { if (x > 3) { for (;;) {} } return x; }",
        '"""',
        "[SIMULACION]",
        "numero_escenarios = 3000",
        "semilla_aleatoria = 3",
        "[CONFIGURACION]",
        "timeout_consumidor = 1",
      ].join("\n"),
    );
    const result = await runSimulation({
      modelPath: model,
      allowCode: true,
      workers: 2,
      batch: 100,
      simDir: dir,
    });
    const [hung] = await query(
      `SELECT count(*) FILTER (WHERE x > 3) AS hung,
              count(DISTINCT (escenario_id - 1) // 100) FILTER (WHERE x > 3) AS batches,
              count(*) FILTER (WHERE resultado IS NULL) AS nulls
       FROM read_parquet('${result.files.results}')`,
    );
    expect(Number(hung?.hung)).toBeGreaterThan(0);
    expect(result.errors).toBe(Number(hung?.batches) * 100);
    expect(Number(hung?.nulls)).toBe(result.errors);
    expect(result.completed + result.errors).toBe(3000);
    expect(result.error_samples[0]?.message).toMatch(/timeout_consumidor \(1 s\)/);
  }, 60_000);

  it("streams the summary above its in-memory limit: the same numbers, sensitivity from a subsample", async () => {
    const dir = tempDir("sim-");
    const memory = await runSimulation({
      modelPath: EXAMPLE,
      scenarios: 24_000,
      simDir: dir,
      workers: 2,
    });
    const streamed = await runSimulation({
      modelPath: EXAMPLE,
      scenarios: 24_000,
      simDir: dir,
      workers: 2,
      summaryInMemoryMax: 5000,
    });
    const a = memory.outputs.resultado;
    const b = streamed.outputs.resultado;
    if (!a || !b) throw new Error("no resultado");
    const { sensitivity: sa, ...restA } = a;
    const { sensitivity: sb, ...restB } = b;
    expect(restB).toEqual(restA);
    for (const name of Object.keys(sa))
      expect(Math.abs((sb[name] as number) - (sa[name] as number))).toBeLessThan(0.06);

    // With errors (log of a normal) and integer-valued ties (a binomial).
    const model = modelFile(
      dir,
      ["x, float, normal, media=0, std=1", "k, int, binomial, n=4, p=0.5"],
      "expresion = if(x > 0, k, log(x))",
      9000,
    );
    const m2 = await runSimulation({ modelPath: model, simDir: dir, workers: 2 });
    const s2 = await runSimulation({
      modelPath: model,
      simDir: dir,
      workers: 2,
      summaryInMemoryMax: 1000,
    });
    const { sensitivity: _a, ...r1 } = m2.outputs.resultado as NonNullable<typeof a>;
    const { sensitivity: _b, ...r2 } = s2.outputs.resultado as NonNullable<typeof a>;
    expect(r2).toEqual(r1);
    expect(r1.errors).toBe(m2.errors);
  }, 60_000);

  it("selectRanks finds exact order statistics (negative values, −0 and 0, heavy ties) by the full radix path", () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = Float64Array.from({ length: 5000 }, (_, i) =>
      i % 5 === 0 ? Math.round(random() * 4) - 2 : i % 7 === 0 ? -0 : (random() - 0.5) * 1e6,
    );
    const sorted = Float64Array.from(values).sort();
    const ranks = [0, 1, 17, 2499, 2500, 4998, 4999];
    let last = new Map<number, number>();
    const found = (rank: number) => last.get(rank);
    for (const collectMax of [0, 100, 1 << 20]) {
      last = selectRanks(
        (fn) => {
          for (let i = 0; i < values.length; i += 777) fn(values.subarray(i, i + 777));
        },
        values.length,
        ranks,
        collectMax,
      );
      for (const rank of ranks) expect(Object.is(found(rank), sorted[rank])).toBe(true);
    }
    // The extremes are summarizeOutput's min and max.
    const reference = summarizeOutput(values, 0, [], []);
    expect([found(0), found(4999)]).toEqual([reference.min, reference.max]);
  });

  it("cancels: the workers stop, the partial outputs are removed, the run is recorded cancelled", async () => {
    const dir = tempDir("sim-");
    const controlDb = join(dir, "control.db");
    const controller = new AbortController();
    const events: SimulationEvent[] = [];
    const run = runSimulation({
      modelPath: EXAMPLE,
      scenarios: 50_000_000,
      workers: 2,
      simDir: join(dir, "out"),
      controlDb,
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.type === "progress" && event.completed > 20_000) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/aborted/);
    const states = events.filter((e) => e.type === "state").map((e) => e.state);
    expect(states).toEqual(["running", "cancelled"]);
    expect(readdirSync(join(dir, "out"))).toEqual([]);
    const db = openControlDb(controlDb);
    try {
      const [record] = listRuns(db);
      expect(record).toMatchObject({ state: "cancelled", scenarios: 50_000_000, mode: "embedded" });
      expect(record?.finished_at).not.toBeNull();
    } finally {
      db.close();
    }
  }, 60_000);

  it("cancels while the workers are still starting: nothing is left waiting, no outputs", async () => {
    const dir = tempDir("sim-");
    const controller = new AbortController();
    const run = runSimulation({
      modelPath: EXAMPLE,
      scenarios: 1_000_000,
      workers: 4,
      simDir: dir,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 5);
    await expect(run).rejects.toThrow(/aborted/);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it("records the run in the control database (and updates a record the console created first)", async () => {
    const dir = tempDir("sim-");
    const controlDb = join(dir, "control.db");
    const db = openControlDb(controlDb);
    createRun(db, { run_id: "from-console", mode: "embedded", model_file: "subida.ini" });
    expect(getRun(db, "from-console")).toMatchObject({ state: "queued", completed: 0 });
    db.close();
    const result = await runSimulation({
      modelSource: readFileSync(EXAMPLE),
      modelName: "subida.ini",
      scenarios: 3000,
      workers: 1,
      runId: "from-console",
      simDir: dir,
      controlDb,
    });
    const again = openControlDb(controlDb);
    try {
      const record = getRun(again, "from-console");
      expect(record).toMatchObject({
        state: "completed",
        model_name: "margen_ventas",
        model_version: "1.0",
        model_sha256: result.model.sha256,
        scenarios: 3000,
        seed: 42,
        workers: 1,
        completed: 3000,
        errors: 0,
        files: result.files,
      });
      expect(record?.summary?.outputs.resultado?.mean).toBe(result.outputs.resultado?.mean);
      // A late update never revives a finished run.
      expect(updateRun(again, "from-console", { state: "running" }, ["queued", "running"])).toBe(
        false,
      );
      expect(listRuns(again).map((r) => r.run_id)).toEqual(["from-console"]);
    } finally {
      again.close();
    }
  }, 60_000);

  it("a RabbitMQ run whose broker cannot be reached fails at once, naming it without its password", async () => {
    const dir = tempDir("sim-");
    const run = runSimulation({
      modelPath: EXAMPLE,
      brokerUrl: "amqp://user:secreto@127.0.0.1:1",
      mode: "rabbitmq",
      simDir: dir,
      scenarios: 100,
    });
    await expect(run).rejects.toThrow(
      /cannot reach RabbitMQ at amqp:\/\/user:\*\*\*@127\.0\.0\.1:1/,
    );
    await expect(run).rejects.toMatchObject({ exitCode: 1 });
    await expect(run).rejects.not.toThrow(/secreto/);
  });
});

describe("npm run simulate", () => {
  it("--json prints the contract's document; exit 0", async () => {
    const dir = tempDir("sim-cli-");
    const result = await runCli(
      "simulate",
      [EXAMPLE, "--scenarios", "5000", "--workers", "2", "--json"],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(Object.keys(doc)).toEqual([
      "run_id",
      "mode",
      "model",
      "scenarios",
      "seed",
      "workers",
      "completed",
      "errors",
      "duration_s",
      "scenarios_per_s",
      "outputs",
      "files",
      "error_samples",
    ]);
    expect(doc).toMatchObject({
      mode: "embedded",
      scenarios: 5000,
      seed: 42,
      workers: 2,
      completed: 5000,
      errors: 0,
    });
    expect(Object.keys(doc.model)).toEqual(["nombre", "version", "sha256"]);
    expect(Object.keys(doc.outputs.resultado)).toEqual([
      "n",
      "errors",
      "mean",
      "std",
      "min",
      "max",
      "p1",
      "p5",
      "p25",
      "p50",
      "p75",
      "p95",
      "p99",
      "ci95",
      "histogram",
      "sensitivity",
      "convergence",
    ]);
    expect(doc.files).toEqual({
      results: `simulaciones/${doc.run_id}/resultados.parquet`,
      summary: `simulaciones/${doc.run_id}/resumen.json`,
    });
    expect(existsSync(join(dir, doc.files.results))).toBe(true);
    // Recorded in CONTROL_DB's default place.
    const db = openControlDb(join(dir, "database/control.db"));
    try {
      expect(getRun(db, doc.run_id)?.state).toBe("completed");
    } finally {
      db.close();
    }
  }, 60_000);

  it("exit 1 when every scenario fails, 2 for a definition error naming its line, 2 for codigo without --allow-code", async () => {
    const dir = tempDir("sim-cli-");
    const failing = modelFile(
      dir,
      ["y, float, uniform, min=0, max=1"],
      "expresion = log(y - 2)",
      2000,
    );
    const all = await runCli("simulate", [failing, "--workers", "1", "--json"], { cwd: dir });
    expect(all.code).toBe(1);
    expect(JSON.parse(all.stdout)).toMatchObject({ completed: 0, errors: 2000 });

    const other = tempDir("sim-cli-");
    const bad = modelFile(other, ["x, float, normal, media=0, std=-1"], "expresion = x", 100);
    const definition = await runCli("simulate", [bad, "--json"], { cwd: other });
    expect(definition.code).toBe(2);
    expect(definition.stderr).toMatch(/:6: .*std/);
    expect(JSON.parse(definition.stdout)).toMatchObject({
      status: "error",
      error: { code: "definition" },
    });

    const code = modelFile(
      other,
      ["x, float, normal, media=0, std=1"],
      'codigo = """\nfunction modelo(x) { return x; }\n"""',
      100,
    );
    const refused = await runCli("simulate", [code], { cwd: other });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--allow-code/);
    expect(existsSync(join(other, "simulaciones"))).toBe(false);
  }, 60_000);

  it("SIGTERM mid-run: exit 143, no outputs left", async () => {
    const dir = tempDir("sim-cli-");
    const child = spawnCli("simulate", [EXAMPLE, "--scenarios", "50000000", "--workers", "2"], {
      cwd: dir,
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    // Wait until the run's folder exists (the workers are running), then stop it.
    const out = join(dir, "simulaciones");
    for (let i = 0; i < 200 && !(existsSync(out) && readdirSync(out).length > 0); i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(code).toBe(143);
    expect(stderr).toMatch(/interrupted by SIGTERM/);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  it("SIGKILL mid-run: the next run records the orphan as failed, with why, and removes its folder", async () => {
    const dir = tempDir("sim-cli-");
    const child = spawnCli("simulate", [EXAMPLE, "--scenarios", "50000000", "--workers", "2"], {
      cwd: dir,
    });
    const out = join(dir, "simulaciones");
    const controlDb = join(dir, "database", "control.db");
    // Until the run is recorded as running (its folder exists by then).
    let running = false;
    for (let i = 0; i < 400 && !running; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(controlDb) || !existsSync(out)) continue;
      const db = openControlDb(controlDb);
      try {
        running = listRuns(db).some((run) => run.state === "running");
      } finally {
        db.close();
      }
    }
    expect(running).toBe(true);
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    const [orphan] = readdirSync(out);
    expect(orphan).toBeDefined();

    const next = await runCli("simulate", [EXAMPLE, "--scenarios", "1000", "--json"], { cwd: dir });
    expect(next.code, next.stderr).toBe(0);
    const db = openControlDb(controlDb);
    try {
      const run = getRun(db, orphan as string);
      expect(run?.state).toBe("failed");
      expect(run?.error).toMatch(/its process \(.+:\d+\) ended before the run finished/);
      expect(run?.finished_at).not.toBeNull();
    } finally {
      db.close();
    }
    for (let i = 0; i < 100 && existsSync(join(out, orphan as string)); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(out, orphan as string))).toBe(false);
  }, 60_000);
});
