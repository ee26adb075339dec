import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JobRecord } from "../../src/files/types.js";
import { createLogger } from "../../src/log.js";
import type { SimulationDetail } from "../../src/simulation/service.js";
import { startTestConsole, type TestConsole } from "./browser.js";
import { uploadFile } from "./files.js";

/** The contract's example model (`modelos/ejemplo.ini`). */
export const EXAMPLE_MODEL = readFileSync(
  join(import.meta.dirname, "..", "..", "modelos", "ejemplo.ini"),
  "utf8",
);

/**
 * The example model made slow without codigo (as in the simulations' browser test): the
 * same result plus 0·(many calls of sin, cos, exp, log), so a run of a few hundred
 * thousand scenarios lasts seconds.
 */
export function slowModel(): string {
  const terms = Array.from(
    { length: 80 },
    (_, i) => `sin(x*${i + 1})+cos(y*${i + 1})+exp(-abs(z*${i + 1}))+log(1+abs(w*${i + 1}))`,
  ).join("+");
  return EXAMPLE_MODEL.replace(
    "expresion = x**2 + y*z - w + v/(n+1)",
    `expresion = x**2 + y*z - w + v/(n+1) + 0*(${terms})`,
  );
}

/**
 * The console on a free port of 127.0.0.1 over `root` with both the file jobs (uploads in
 * `root/temp`, results in `root/resultados`) and the simulations (`root/simulaciones`, two
 * worker threads), every file of it in `root`.
 */
export async function startWorkConsole(
  root: string,
  files: { chunkSize?: number; concurrency?: number } = {},
): Promise<TestConsole> {
  // A logger closed with the console: its file handle is not left for the GC.
  const log = createLogger("ui", { dir: join(root, "logs"), console: false });
  const ui = await startTestConsole(root, {
    files: { tempDir: join(root, "temp"), resultsDir: join(root, "resultados"), ...files },
    simulations: { simDir: join(root, "simulaciones"), workers: 2 },
    log,
  });
  return {
    ...ui,
    async close() {
      await ui.close();
      await log.flushFile();
    },
  };
}

async function ok<T>(res: Response, status: number): Promise<T> {
  const body = await res.json();
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body as T;
}

/** Uploads `csv` as `name` and queues its job, through the console's API; the job's id. */
export async function startJob(ui: TestConsole, csv: string | Uint8Array, name: string) {
  const file = await ok<{ file_id: string }>(await uploadFile(ui.url, csv, name), 201);
  const job = await ok<{ job_id: string }>(
    await fetch(`${ui.url}/api/files/${file.file_id}/jobs`, { method: "POST" }),
    202,
  );
  return job.job_id;
}

/** Asks for a job until it is in one of `states` (a state, not a delay). */
export async function jobIn(ui: TestConsole, id: string, states: string[]): Promise<JobRecord> {
  for (;;) {
    const job = await ok<JobRecord>(await fetch(`${ui.url}/api/jobs/${id}`), 200);
    if (states.includes(job.state)) return job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a simulation of `model` through the console's API; its run id. */
export async function startSimulation(
  ui: TestConsole,
  model: string,
  scenarios: number,
  name = "ejemplo.ini",
): Promise<string> {
  const form = new FormData();
  form.set("model", new Blob([model]), name);
  form.set("scenarios", String(scenarios));
  form.set("seed", "7");
  const run = await ok<{ run_id: string }>(
    await fetch(`${ui.url}/api/simulations`, { method: "POST", body: form }),
    202,
  );
  return run.run_id;
}

/** Asks for a run until it is in one of `states`. */
export async function simulationIn(
  ui: TestConsole,
  id: string,
  states: string[],
): Promise<SimulationDetail> {
  for (;;) {
    const run = await ok<SimulationDetail>(await fetch(`${ui.url}/api/simulations/${id}`), 200);
    if (states.includes(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
