/**
 * `npm run bench:pipeline`: the runner's own overhead per step, against calling the same
 * step functions directly in a loop, for a chain of 1,000 trivial steps (each consumes
 * the previous one's dataset) and a wide graph of 1,000 independent ones; and the time to
 * check and plan a 10,000-step chain. Targets: ≤ 1 ms of overhead per step, planning
 * ≤ 100 ms. Step files are written to a temporary folder and loaded once before timing
 * (loading is not the runner's per-step cost); the run history is off (no control
 * database), as it is for a CLI run without CONTROL_DB.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createLogger } from "../src/log.js";
import { Pipeline } from "../src/pipeline/pipeline.js";
import { indexSteps, type PlanStep, planRun } from "../src/pipeline/plan.js";
import { printTable } from "./measure.js";

const STEPS = 1000;
const ROUNDS = 5;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** A trivial step: adds one to its input (or starts at 0). */
function stepSource(consumes: string[], produces: string): string {
  const input = consumes[0];
  return `export default { consumes: ${JSON.stringify(consumes)}, produces: ["${produces}"], run(inputs) { return { ${produces}: ${input ? `inputs.${input} + 1` : "0"} }; } };\n`;
}

async function measure(kind: "chain" | "wide"): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), `bench-pipeline-${kind}-`));
  try {
    const names: string[] = [];
    for (let i = 0; i < STEPS; i++) {
      const name = `s${i}`;
      names.push(name);
      const consumes = kind === "chain" && i > 0 ? [`d${i - 1}`] : [];
      writeFileSync(join(dir, `${name}.mjs`), stepSource(consumes, `d${i}`));
    }
    // Direct: the same step functions, imported and called in order, in a loop.
    const modules = await Promise.all(
      names.map((name) => import(pathToFileURL(join(dir, `${name}.mjs`)).href)),
    );
    const direct: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const memory: Record<string, unknown> = {};
      for (const module of modules) {
        const step = module.default as {
          consumes: string[];
          run(i: unknown): Promise<unknown> | unknown;
        };
        const inputs = Object.fromEntries(step.consumes.map((d) => [d, memory[d]]));
        Object.assign(memory, await step.run(inputs));
      }
      direct.push(performance.now() - started);
    }
    // The runner: plan, schedule (concurrency 4), contexts, timeouts, events, memory.
    const log = createLogger("bench", { console: false, dir: join(dir, "logs") });
    const pipeline = new Pipeline({ stepsDir: dir, log });
    await pipeline.catalog(); // load the files once, outside the timing
    const targets = kind === "chain" ? [`s${STEPS - 1}`] : names;
    const runner: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      pipeline.clear();
      const started = performance.now();
      const { done } = await pipeline.start(targets);
      const report = await done;
      runner.push(performance.now() - started);
      if (report.status !== "ok") throw new Error(`the ${kind} run ended ${report.status}`);
    }
    pipeline.close();
    const overhead = (median(runner) - median(direct)) / STEPS;
    return {
      graph: `${kind} of ${STEPS.toLocaleString("en-US")}`,
      runner: `${median(runner).toFixed(1)} ms`,
      "direct loop": `${median(direct).toFixed(1)} ms`,
      "overhead per step": `**${overhead.toFixed(3)} ms** (target ≤ 1)`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function planning(): Record<string, string> {
  const chain: PlanStep[] = Array.from({ length: 10_000 }, (_, i) => ({
    name: `s${i}`,
    consumes: i === 0 ? [] : [`d${i - 1}`],
    produces: [`d${i}`],
  }));
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const { index, problems } = indexSteps(chain);
    const { entries } = planRun(index, ["s9999"], { inMemory: () => false });
    times.push(performance.now() - started);
    if (problems.length > 0 || entries.length !== 10_000) throw new Error("planning went wrong");
  }
  return {
    graph: "chain of 10,000: check and plan",
    runner: `**${median(times).toFixed(1)} ms** (target ≤ 100)`,
    "direct loop": "—",
    "overhead per step": `${(median(times) / 10_000).toFixed(4)} ms`,
  };
}

const rows = [await measure("chain"), await measure("wide"), planning()];
const header = Object.keys(rows[0] as Record<string, string>);
printTable(
  header,
  rows.map((row) => header.map((key) => row[key] as string)),
);
