import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import winston from "winston";
import { Pipeline, type PipelineOptions } from "../src/pipeline/pipeline.js";
import type { RunReport, StepRun, StepState } from "../src/pipeline/types.js";
import { query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

/** What the test steps share with the test: call counts, gates they wait on, what they saw. */
interface Hooks {
  calls: Record<string, number>;
  gates: Record<string, Promise<void>>;
  seen: Record<string, unknown>;
  running: number;
  maxRunning: number;
}

declare global {
  var __pipelineTest: Hooks;
}

const quiet = winston.createLogger({ silent: true });
const opened: Pipeline[] = [];

beforeEach(() => {
  globalThis.__pipelineTest = { calls: {}, gates: {}, seen: {}, running: 0, maxRunning: 0 };
});

afterEach(() => {
  for (const pipeline of opened.splice(0)) pipeline.close();
});

/** A gate a step waits on (`await T.gates.name`) until the test opens it. */
function gate(name: string): () => void {
  let open!: () => void;
  globalThis.__pipelineTest.gates[name] = new Promise<void>((resolve) => {
    open = resolve;
  });
  return open;
}

interface Spec {
  consumes?: string[];
  produces?: string[];
  /** The body of `run(inputs, ctx)`; `T` is the hooks. Default: each produced dataset is `{ by, from }`. */
  body?: string;
  extra?: string;
}

/** Writes `.mjs` steps into a folder: `{ a: { produces: ["x"] }, b: { consumes: ["x"], … } }`. */
function writeSteps(dir: string, specs: Record<string, Spec>): string {
  for (const [name, spec] of Object.entries(specs)) {
    const produces = spec.produces ?? [];
    const body =
      spec.body ??
      `return Object.fromEntries(${JSON.stringify(produces)}.map((d) => [d, { by: ${JSON.stringify(name)}, from: inputs }]));`;
    writeFileSync(
      join(dir, `${name}.mjs`),
      `export default {
  consumes: ${JSON.stringify(spec.consumes ?? [])},
  produces: ${JSON.stringify(produces)},
  ${spec.extra ?? ""}
  async run(inputs, ctx) {
    const T = globalThis.__pipelineTest;
    T.calls[${JSON.stringify(name)}] = (T.calls[${JSON.stringify(name)}] ?? 0) + 1;
    ${body}
  },
};
`,
    );
  }
  return dir;
}

function pipelineOver(dir: string, options: Partial<PipelineOptions> = {}): Pipeline {
  const pipeline = new Pipeline({ stepsDir: dir, log: quiet, env: {}, ...options });
  opened.push(pipeline);
  return pipeline;
}

async function runToEnd(
  pipeline: Pipeline,
  targets: string[],
  options: { force?: boolean } = {},
): Promise<RunReport> {
  const { done } = await pipeline.start(targets, options);
  return done;
}

/** Resolves at the first `step` event of `name` reaching `status` (subscribe before starting). */
function stepReaches(pipeline: Pipeline, name: string, status: StepState): Promise<StepRun> {
  return new Promise((resolve) => {
    const listener = ({ step }: { step: StepRun }) => {
      if (step.name !== name || step.status !== status) return;
      pipeline.off("step", listener);
      resolve(step);
    };
    pipeline.on("step", listener);
  });
}

const statuses = (report: RunReport) =>
  Object.fromEntries(report.steps.map((s) => [s.name, s.status]));
const errorOf = (report: RunReport, name: string) =>
  report.steps.find((s) => s.name === name)?.error;
const calls = () => globalThis.__pipelineTest.calls;

describe("the runner", () => {
  it("runs a chain producers first and passes the data in memory", async () => {
    const dir = writeSteps(tempDir(), {
      a: { produces: ["numeros"], body: "return { numeros: [1, 2, 3] };" },
      b: {
        consumes: ["numeros"],
        produces: ["dobles"],
        body: "return { dobles: inputs.numeros.map((n) => n * 2) };",
      },
      c: {
        consumes: ["dobles"],
        produces: ["suma"],
        body: "return { suma: inputs.dobles.reduce((s, n) => s + n, 0) };",
      },
    });
    const pipeline = pipelineOver(dir);
    const report = await runToEnd(pipeline, ["c"]);
    expect(report.status).toBe("ok");
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ["a", "done"],
      ["b", "done"],
      ["c", "done"],
    ]);
    expect(report.datasets).toEqual({
      numeros: { producer: "a", type: "array", rows: 3 },
      dobles: { producer: "b", type: "array", rows: 3 },
      suma: { producer: "c", type: "number", rows: null },
    });
    for (const step of report.steps) {
      expect(step.ms).toBeGreaterThanOrEqual(0);
      expect(Date.parse(step.finished_at as string)).toBeGreaterThanOrEqual(
        Date.parse(step.started_at as string),
      );
    }
    expect(pipeline.preview("dobles")).toEqual([2, 4, 6]);
    expect(pipeline.preview("suma")).toEqual([12]);
    expect(pipeline.preview("nada")).toBeNull();
    expect(pipeline.datasets().map((d) => [d.name, d.producer, d.type, d.rows])).toEqual([
      ["dobles", "b", "array", 3],
      ["numeros", "a", "array", 3],
      ["suma", "c", "number", null],
    ]);
  });

  it("runs a diamond's shared producer once, and both sides before the step that joins them", async () => {
    const dir = writeSteps(tempDir(), {
      base: { produces: ["ventas"] },
      izquierda: { consumes: ["ventas"], produces: ["por_mes"] },
      derecha: { consumes: ["ventas"], produces: ["por_cliente"] },
      informe: { consumes: ["por_mes", "por_cliente"], produces: ["informe"] },
    });
    const report = await runToEnd(pipelineOver(dir), ["informe"]);
    expect(report.status).toBe("ok");
    expect(calls()).toEqual({ base: 1, izquierda: 1, derecha: 1, informe: 1 });
    const order = report.steps.map((s) => s.name);
    expect(order[0]).toBe("base");
    expect(order[3]).toBe("informe");
    expect(new Set(order.slice(1, 3))).toEqual(new Set(["izquierda", "derecha"]));
    expect(report.datasets.informe).toEqual({ producer: "informe", type: "object", rows: null });
  });

  it("a failed step skips what depends on it; independent steps still run", async () => {
    const dir = writeSteps(tempDir(), {
      a: { produces: ["x"], body: 'throw new Error("the source is gone");' },
      b: { consumes: ["x"], produces: ["y"] },
      c: { consumes: ["y"], produces: ["z"] },
      libre: { produces: ["w"] },
    });
    const report = await runToEnd(pipelineOver(dir), ["c", "libre"]);
    expect(report.status).toBe("failed");
    expect(statuses(report)).toEqual({ a: "failed", b: "skipped", c: "skipped", libre: "done" });
    expect(errorOf(report, "a")).toBe("the source is gone");
    expect(errorOf(report, "b")).toBe('not run: "a" failed');
    expect(errorOf(report, "c")).toBe('not run: "b" was skipped');
    expect(calls()).toEqual({ a: 1, libre: 1 });
    // Skipped steps come last, never started.
    expect(report.steps.slice(-2).map((s) => s.name)).toEqual(["b", "c"]);
    expect(report.steps.find((s) => s.name === "b")).toMatchObject({
      started_at: null,
      finished_at: null,
      ms: null,
    });
    expect(Object.keys(report.datasets)).toEqual(["w"]);
  });

  it("a step that throws something else than an Error, or throws at once, fails with it", async () => {
    const dir = writeSteps(tempDir(), {
      cadena: { produces: ["x"], body: 'throw "plain text";' },
    });
    writeFileSync(
      join(dir, "sincrona.mjs"),
      'export default { consumes: [], produces: ["y"], run() { throw new Error("at once"); } };',
    );
    const report = await runToEnd(pipelineOver(dir), ["cadena", "sincrona"]);
    expect(errorOf(report, "cadena")).toBe("plain text");
    expect(errorOf(report, "sincrona")).toBe("at once");
  });

  it("a step that never settles fails at its timeout, its signal aborted; the run does not wait for it", async () => {
    const dir = writeSteps(tempDir(), {
      lento: {
        produces: ["x"],
        extra: "timeout_ms: 50,",
        body: `ctx.signal.addEventListener("abort", () => { T.seen.aborted = String(ctx.signal.reason?.message); });
               return new Promise(() => {});`,
      },
      despues: { consumes: ["x"], produces: ["y"] },
      libre: { produces: ["w"] },
    });
    const report = await runToEnd(pipelineOver(dir), ["despues", "libre"]);
    expect(statuses(report)).toEqual({ lento: "failed", despues: "skipped", libre: "done" });
    expect(errorOf(report, "lento")).toBe("timed out after 50 ms");
    expect(globalThis.__pipelineTest.seen.aborted).toBe("timed out after 50 ms");
  });

  it("STEP_TIMEOUT_MS (stepTimeoutMs) applies to steps without their own timeout_ms", async () => {
    const dir = writeSteps(tempDir(), {
      colgado: { produces: ["x"], body: "return new Promise(() => {});" },
      propio: {
        produces: ["y"],
        extra: "timeout_ms: 30,",
        body: "return new Promise(() => {});",
      },
    });
    const report = await runToEnd(pipelineOver(dir, { stepTimeoutMs: 40 }), ["colgado", "propio"]);
    expect(errorOf(report, "colgado")).toBe("timed out after 40 ms");
    expect(errorOf(report, "propio")).toBe("timed out after 30 ms");
  });

  it("a step must return exactly its declared datasets", async () => {
    const dir = writeSteps(tempDir(), {
      falta: { produces: ["x", "y"], body: "return { x: 1 };" },
      sobra: { produces: ["z"], body: "return { z: 1, extra: 2 };" },
      ambos: { produces: ["p", "q"], body: "return { p: 1, r: 2 };" },
      numero: { produces: ["n"], body: "return 42;" },
      nada: { produces: ["m"], body: "return;" },
      indefinido: { produces: ["u"], body: "return { u: undefined };" },
      sumidero: { consumes: [], produces: [], body: "return;" },
    });
    const report = await runToEnd(pipelineOver(dir), [
      "falta",
      "sobra",
      "ambos",
      "numero",
      "nada",
      "indefinido",
      "sumidero",
    ]);
    expect(errorOf(report, "falta")).toBe('did not return "y" (produces: "x", "y")');
    expect(errorOf(report, "sobra")).toBe(
      'returned "extra", which it does not declare (produces: "z")',
    );
    expect(errorOf(report, "ambos")).toBe(
      'did not return "q" and returned "r", which it does not declare (produces: "p", "q")',
    );
    expect(errorOf(report, "numero")).toBe("returned a number instead of { n }");
    expect(errorOf(report, "nada")).toBe("returned undefined instead of { m }");
    expect(errorOf(report, "indefinido")).toBe('did not return "u" (produces: "u")');
    expect(statuses(report).sumidero).toBe("done");
  });

  it("producers in memory are reused, targets run again, --force re-runs the plan, clear empties memory", async () => {
    const dir = writeSteps(tempDir(), {
      a: { produces: ["x"] },
      b: { consumes: ["x"], produces: ["y"] },
    });
    const pipeline = pipelineOver(dir);
    expect(statuses(await runToEnd(pipeline, ["b"]))).toEqual({ a: "done", b: "done" });
    const again = await runToEnd(pipeline, ["b"]);
    expect(statuses(again)).toEqual({ a: "reused", b: "done" });
    expect(again.steps[0]).toMatchObject({ name: "a", ms: 0, error: null });
    expect(again.datasets.x).toEqual({ producer: "a", type: "object", rows: null });
    expect(calls()).toEqual({ a: 1, b: 2 });
    expect(statuses(await runToEnd(pipeline, ["a"]))).toEqual({ a: "done" });
    expect(calls().a).toBe(2);
    expect(statuses(await runToEnd(pipeline, ["b"], { force: true }))).toEqual({
      a: "done",
      b: "done",
    });
    expect(calls()).toEqual({ a: 3, b: 3 });
    pipeline.clear();
    expect(pipeline.datasets()).toEqual([]);
    expect(statuses(await runToEnd(pipeline, ["b"]))).toEqual({ a: "done", b: "done" });
    expect(calls()).toEqual({ a: 4, b: 4 });
  });

  it("two runs that need the same producer at the same time run it once", async () => {
    const dir = writeSteps(tempDir(), {
      origen: { produces: ["x"], body: "await T.gates.origen; return { x: [{ n: 1 }] };" },
      uno: { consumes: ["x"], produces: ["y"] },
      dos: { consumes: ["x"], produces: ["z"] },
    });
    const open = gate("origen");
    const pipeline = pipelineOver(dir);
    const running = stepReaches(pipeline, "origen", "running");
    const first = await pipeline.start(["uno"]);
    await running;
    const second = await pipeline.start(["dos"]);
    expect(pipeline.state().running.map((r) => r.run_id)).toEqual([first.runId, second.runId]);
    expect(pipeline.state().running[1]?.steps).toEqual({ origen: "pending", dos: "pending" });
    open();
    const [one, two] = await Promise.all([first.done, second.done]);
    expect(calls()).toEqual({ origen: 1, uno: 1, dos: 1 });
    expect(statuses(one)).toEqual({ origen: "done", uno: "done" });
    expect(statuses(two)).toEqual({ origen: "reused", dos: "done" });
    expect(two.datasets.x).toEqual({ producer: "origen", type: "table", rows: 1 });
    expect(pipeline.state().running).toEqual([]);
  });

  it("a run that joined a producer that fails fails it too, and skips its dependents", async () => {
    const dir = writeSteps(tempDir(), {
      origen: { produces: ["x"], body: 'await T.gates.origen; throw new Error("no data");' },
      uno: { consumes: ["x"], produces: ["y"] },
      dos: { consumes: ["x"], produces: ["z"] },
    });
    const open = gate("origen");
    const pipeline = pipelineOver(dir);
    const running = stepReaches(pipeline, "origen", "running");
    const first = await pipeline.start(["uno"]);
    await running;
    const second = await pipeline.start(["dos"]);
    open();
    const [, two] = await Promise.all([first.done, second.done]);
    expect(calls()).toEqual({ origen: 1 });
    expect(statuses(two)).toEqual({ origen: "failed", dos: "skipped" });
    expect(errorOf(two, "origen")).toBe(`failed in run ${first.runId}: no data`);
  });

  it("runs independent steps concurrently, at most `concurrency` at once", async () => {
    const specs: Record<string, Spec> = {};
    for (const name of ["p1", "p2", "p3", "p4"])
      specs[name] = {
        produces: [`d_${name}`],
        body: `T.running++; T.maxRunning = Math.max(T.maxRunning, T.running);
               await T.gates[${JSON.stringify(name)}]; T.running--; return { d_${name}: 1 };`,
      };
    const dir = writeSteps(tempDir(), specs);
    const opens = ["p1", "p2", "p3", "p4"].map(gate);
    const pipeline = pipelineOver(dir, { concurrency: 2 });
    const twoRunning = Promise.all([
      stepReaches(pipeline, "p1", "running"),
      stepReaches(pipeline, "p2", "running"),
    ]);
    const { done } = await pipeline.start(["p1", "p2", "p3", "p4"]);
    await twoRunning;
    expect(pipeline.state().running[0]?.steps).toEqual({
      p1: "running",
      p2: "running",
      p3: "pending",
      p4: "pending",
    });
    const third = stepReaches(pipeline, "p3", "running");
    opens[0]?.();
    await third;
    expect(pipeline.state().running[0]?.steps).toMatchObject({ p1: "done", p3: "running" });
    for (const open of opens) open();
    expect((await done).status).toBe("ok");
    expect(globalThis.__pipelineTest.maxRunning).toBe(2);
  });

  it("cancelling a run aborts the running steps and skips the rest", async () => {
    const dir = writeSteps(tempDir(), {
      largo: {
        produces: ["x"],
        body: "await T.gates.largo; return { x: 1 };",
      },
      despues: { consumes: ["x"], produces: ["y"] },
    });
    gate("largo");
    const pipeline = pipelineOver(dir);
    const controller = new AbortController();
    const running = stepReaches(pipeline, "largo", "running");
    const { done } = await pipeline.start(["despues"], { signal: controller.signal });
    await running;
    controller.abort(new Error("stopped by the test"));
    const report = await done;
    expect(report.status).toBe("cancelled");
    expect(report.error).toBe("cancelled: stopped by the test");
    expect(statuses(report)).toEqual({ largo: "failed", despues: "skipped" });
    expect(errorOf(report, "largo")).toBe("cancelled: stopped by the test");
    expect(errorOf(report, "despues")).toBe('not run: "largo" failed');
  });

  it("emits run, step, progress and memory events", async () => {
    const dir = writeSteps(tempDir(), {
      a: {
        produces: ["x"],
        body: "ctx.progress(1, 2); ctx.progress(2, 2); return { x: [{ v: 1 }] };",
      },
      b: { consumes: ["x"], produces: ["y"] },
    });
    const pipeline = pipelineOver(dir);
    const events: string[] = [];
    pipeline.on("run-started", (run) => events.push(`started ${run.steps.map((s) => s.status)}`));
    pipeline.on("step", ({ step }) => events.push(`${step.name} ${step.status}`));
    pipeline.on("progress", ({ step, done, total }) => events.push(`${step} ${done}/${total}`));
    pipeline.on("memory", ({ change, names }) => events.push(`memory ${change} ${names}`));
    pipeline.on("run-finished", (report) => events.push(`finished ${report.status}`));
    const { runId, done } = await pipeline.start(["b"]);
    await done;
    pipeline.clear();
    expect(events).toEqual([
      "started pending,pending",
      "a running",
      "a 1/2",
      "a 2/2",
      "memory stored x",
      "a done",
      "b running",
      "memory stored y",
      "b done",
      "finished ok",
      "memory cleared x,y",
    ]);
    expect(pipeline.state().steps).toEqual({ a: "done", b: "done" });
    expect(pipeline.run(runId)?.status).toBe("ok");
    expect(pipeline.recentRuns(5).map((r) => r.run_id)).toEqual([runId]);
  });

  it("a listener that throws does not break the run", async () => {
    const dir = writeSteps(tempDir(), { a: { produces: ["x"] } });
    const pipeline = pipelineOver(dir);
    pipeline.on("step", () => {
      throw new Error("a broken console");
    });
    expect((await runToEnd(pipeline, ["a"])).status).toBe("ok");
  });

  it("gives steps their context: env, step, run id, a logger", async () => {
    const dir = writeSteps(tempDir(), {
      a: {
        produces: ["x"],
        body: `ctx.log.info("hello from a");
               return { x: { env: ctx.env.DB_PATH, step: ctx.step, runId: ctx.runId, aborted: ctx.signal.aborted } };`,
      },
    });
    const pipeline = pipelineOver(dir, { env: { DB_PATH: "ventas.db" } });
    const { runId, done } = await pipeline.start(["a"]);
    await done;
    expect(pipeline.preview("x")).toEqual([{ env: "ventas.db", step: "a", runId, aborted: false }]);
  });
});

describe("the run history in the control database", () => {
  it("records every run and every step's state, error and time", async () => {
    const root = tempDir();
    const dir = writeSteps(join(root), {
      a: { produces: ["x"] },
      b: { consumes: ["x"], produces: ["y"], body: 'throw new Error("b broke");' },
      c: { consumes: ["y"], produces: ["z"] },
    });
    const controlDb = join(tempDir(), "nested", "control.db");
    const pipeline = pipelineOver(dir, { controlDb });
    const first = await runToEnd(pipeline, ["c"]);
    const second = await runToEnd(pipeline, ["a"]);
    const runs = query(controlDb, "SELECT * FROM pipeline_runs ORDER BY rowid");
    expect(runs).toEqual([
      {
        run_id: first.run_id,
        targets: '["c"]',
        force: 0,
        status: "failed",
        started_at: first.started_at,
        finished_at: first.finished_at,
        error: null,
        pid: process.pid,
      },
      expect.objectContaining({ run_id: second.run_id, targets: '["a"]', status: "ok" }),
    ]);
    const steps = query(
      controlDb,
      "SELECT step, state, error, ms IS NOT NULL AS timed, started_at IS NOT NULL AS started FROM pipeline_step_runs WHERE run_id = ? ORDER BY position",
      first.run_id,
    );
    expect(steps).toEqual([
      { step: "a", state: "done", error: null, timed: 1, started: 1 },
      { step: "b", state: "failed", error: "b broke", timed: 1, started: 1 },
      { step: "c", state: "skipped", error: 'not run: "b" failed', timed: 0, started: 0 },
    ]);
    // Read back through the library, from a second pipeline (as the console would).
    const reader = pipelineOver(dir, { controlDb });
    expect(reader.recentRuns(10).map((r) => [r.run_id, r.status])).toEqual([
      [second.run_id, "ok"],
      [first.run_id, "failed"],
    ]);
    const { datasets: _d, ...recorded } = first;
    expect(reader.run(first.run_id)).toEqual(recorded);
    expect(reader.run("no-such-run")).toBeNull();
  });

  it("a control database that is another database is refused before anything runs", async () => {
    const dir = writeSteps(tempDir(), { a: { produces: ["x"] } });
    const other = join(tempDir(), "other.db");
    const { default: Sqlite } = await import("better-sqlite3");
    const db = new Sqlite(other);
    db.exec("CREATE TABLE ventas (id INTEGER)");
    db.close();
    const pipeline = pipelineOver(dir, { controlDb: other });
    await expect(pipeline.start(["a"])).rejects.toThrow(
      `${other}: not a control database (it has other tables); set CONTROL_DB to another path`,
    );
    expect(calls()).toEqual({});
  });
});
