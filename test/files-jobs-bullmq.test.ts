import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createJobSystem, type JobSystem, RedisUnreachableError } from "../src/files/jobs/index.js";
import type { JobEvent, JobRecord, JobState, StoredFile } from "../src/files/types.js";
import { describeWithRedis, type RunningRedis, startRedis } from "./helpers/redis.js";
import { tempDir } from "./helpers/tmp.js";

const ROOT = resolve(import.meta.dirname, "..");
const WORKER_CLI = join(ROOT, "src/files/worker-cli.ts");
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

/** A CSV of `rows` data rows (about 45 bytes each): integers, text, decimals, dates, booleans. */
function csvText(rows: number): string {
  const lines = ["id,nombre,importe,fecha,activo"];
  for (let i = 1; i <= rows; i++)
    lines.push(
      `${i},cliente ${i % 997},${((i * 37) % 10_000) / 100},2024-0${1 + (i % 9)}-1${i % 10},${i % 3 ? "si" : "no"}`,
    );
  return `${lines.join("\n")}\n`;
}

/** Large enough that a job runs for a while (about 20 MB), so it can be stopped midway. */
const BIG_ROWS = 450_000;

async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Setup {
  root: string;
  controlDb: string;
  tempDir: string;
  resultsDir: string;
}

function setup(): Setup {
  const root = tempDir("files-bullmq-");
  return {
    root,
    controlDb: join(root, "control.db"),
    tempDir: join(root, "temp"),
    resultsDir: join(root, "resultados"),
  };
}

let fileCounter = 0;
function upload(system: JobSystem, text: string, name = "ventas.csv"): StoredFile {
  const file: StoredFile = {
    file_id: `b${++fileCounter}-${process.pid}`,
    name,
    bytes: Buffer.byteLength(text),
    encoding: "utf-8",
    delimiter: ",",
    columns: text.slice(0, text.indexOf("\n")).split(","),
    created_at: new Date().toISOString(),
  };
  writeFileSync(system.files.pathOf(file.file_id), text);
  system.files.add(file);
  return file;
}

function recorder(system: JobSystem, jobId: string) {
  const events: JobEvent[] = [];
  system.queue.subscribe(jobId, (event) => events.push(event));
  return {
    events,
    states: () => events.filter((e) => e.type === "state").map((e) => e.job.state),
    progress: () => events.filter((e) => e.type === "progress"),
  };
}

async function finalState(system: JobSystem, jobId: string, state: JobState): Promise<JobRecord> {
  return waitFor(`job ${jobId} ${state}`, async () => {
    const job = await system.queue.get(jobId);
    if (job && ["completed", "failed", "cancelled"].includes(job.state) && job.state !== state)
      throw new Error(`job ended ${job.state}, not ${state}: ${job.error ?? ""}`);
    return job?.state === state ? job : undefined;
  });
}

/** A profile.json without what differs from one run to the next. */
function stableProfile(path: string): unknown {
  const profile = JSON.parse(readFileSync(path, "utf8")) as {
    resumen: { duracion_s?: number; procesado_en?: string };
  };
  delete profile.resumen.duracion_s;
  delete profile.resumen.procesado_en;
  return profile;
}

interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const workers: WorkerProcess[] = [];
const systems: JobSystem[] = [];

/** `npm run worker` from the sources, as a real process, with short locks (2 s) for the tests. */
async function startWorker(s: Setup, redisUrl: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", TSX, WORKER_CLI], {
    cwd: s.root,
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      TEMP_DIR: s.tempDir,
      RESULTS_DIR: s.resultsDir,
      CHUNK_SIZE: "100",
      JOB_LOCK_MS: "2000",
      JOB_STALLED_CHECK_MS: "1000",
      LOG_DIR: join(s.root, "logs"),
      LOG_LEVEL: "info",
      NO_COLOR: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  const worker: WorkerProcess = { child, output: () => output, exited };
  workers.push(worker);
  await Promise.race([
    waitFor(`worker ${child.pid} ready`, () => output.includes("ready:"), 60_000),
    exited.then(({ code }) => {
      throw new Error(`the worker exited (${code}) before it was ready:\n${output}`);
    }),
  ]);
  return worker;
}

afterEach(async () => {
  for (const system of systems.splice(0)) await system.close();
  for (const worker of workers.splice(0)) {
    if (worker.child.exitCode === null && worker.child.signalCode === null)
      worker.child.kill("SIGKILL");
    await worker.exited;
  }
});

describe("npm run worker, without Redis", () => {
  it("--help lists its settings; a missing REDIS_URL is a usage error (exit 2)", () => {
    const root = tempDir("files-worker-cli-");
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_DIR: join(root, "logs"), NO_COLOR: "1" };
    delete env.REDIS_URL;
    const help = spawnSync(process.execPath, ["--import", TSX, WORKER_CLI, "--help"], {
      cwd: root,
      env,
      encoding: "utf8",
    });
    expect(help.status).toBe(0);
    for (const name of ["REDIS_URL", "TEMP_DIR", "RESULTS_DIR", "CHUNK_SIZE", "JOB_CONCURRENCY"])
      expect(help.stdout).toContain(name);
    const missing = spawnSync(process.execPath, ["--import", TSX, WORKER_CLI], {
      cwd: root,
      env,
      encoding: "utf8",
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("REDIS_URL is required");
  });

  it("a Redis that cannot be reached: the worker exits 1 and the console's queue refuses to start, both at once", async () => {
    const root = tempDir("files-worker-cli-");
    const unreachable = "redis://127.0.0.1:1"; // nothing listens on port 1
    const worker = spawnSync(process.execPath, ["--import", TSX, WORKER_CLI], {
      cwd: root,
      env: { ...process.env, REDIS_URL: unreachable, LOG_DIR: join(root, "logs"), NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(worker.status).toBe(1);
    expect(worker.stderr).toContain("REDIS_URL 127.0.0.1:1: cannot connect to Redis");
    const s = setup();
    const refused = await createJobSystem({
      controlDb: s.controlDb,
      tempDir: s.tempDir,
      resultsDir: s.resultsDir,
      redisUrl: unreachable,
    }).catch((error) => error);
    expect(refused).toBeInstanceOf(RedisUnreachableError);
    await expect(createJobSystem({ ...s, redisUrl: "http://127.0.0.1:6379" })).rejects.toThrow(
      /REDIS_URL: expected redis:\/\//,
    );
  });
});

describeWithRedis("file jobs, BullMQ on a real Redis with npm run worker processes", () => {
  let redis: RunningRedis;
  let database = 0;
  /** Each test on a database of its own: no job of one test reaches another's workers. */
  const redisUrl = () => `${redis.url}/${++database}`;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function open(s: Setup, url: string) {
    const system = await createJobSystem({
      controlDb: s.controlDb,
      tempDir: s.tempDir,
      resultsDir: s.resultsDir,
      redisUrl: url,
    });
    systems.push(system);
    return system;
  }

  it("a worker processes the job: processing, progress, completed; the same profile as the embedded queue", async () => {
    const s = setup();
    const url = redisUrl();
    const system = await open(s, url);
    expect(system.queue.kind).toBe("bullmq");
    await startWorker(s, url);
    const text = csvText(150_000);
    const file = upload(system, text, "ventas.csv");
    const job = await system.queue.enqueue(file);
    expect(job).toMatchObject({ state: "queued", file_id: file.file_id, percent: 0 });
    const seen = recorder(system, job.job_id);
    const done = await finalState(system, job.job_id, "completed");
    // "processing" comes from BullMQ's `active` event on a Redis stream; when the console's
    // periodic reconciliation reads the job as completed first (a busy machine), the job
    // goes from queued to completed and its `active` event, read later, changes nothing.
    const states = seen.states();
    expect([["processing", "completed"], ["completed"]]).toContainEqual(states);
    if (states.length === 2) expect(seen.progress().length).toBeGreaterThan(0);
    for (const event of seen.progress()) expect(event.job.state).toBe("processing");
    expect(done).toMatchObject({
      percent: 100,
      rows_processed: 150_000,
      bytes_processed: file.bytes,
      error: null,
      outputs: { resumen: `/api/jobs/${job.job_id}/outputs/resumen` },
    });
    for (const name of ["resumen", "columnas", "muestra"] as const)
      expect(existsSync(system.outputPath(job.job_id, name) as string)).toBe(true);
    await waitFor("temp copy removed", () => !existsSync(system.files.pathOf(file.file_id)));
    expect(await system.queue.list()).toHaveLength(1);

    // The same file through the embedded queue: the same profile.
    const e = setup();
    const embedded = await createJobSystem({
      controlDb: e.controlDb,
      tempDir: e.tempDir,
      resultsDir: e.resultsDir,
    });
    systems.push(embedded);
    const local = await embedded.queue.enqueue(upload(embedded, text, "ventas.csv"));
    await finalState(embedded, local.job_id, "completed");
    expect(stableProfile(system.profilePath(job.job_id) as string)).toEqual(
      stableProfile(embedded.profilePath(local.job_id) as string),
    );
  });

  it("a worker killed mid-job (SIGKILL): the job is retried on the other worker and completes", async () => {
    const s = setup();
    const url = redisUrl();
    const system = await open(s, url);
    const one = await startWorker(s, url);
    const two = await startWorker(s, url);
    const text = csvText(BIG_ROWS);
    const job = await system.queue.enqueue(upload(system, text, "grande.csv"));
    const seen = recorder(system, job.job_id);
    const started = `job ${job.job_id}: processing`;
    const first = await waitFor("a worker taking the job", () =>
      [one, two].find((w) => w.output().includes(started)),
    );
    const other = first === one ? two : one;
    first.child.kill("SIGKILL");
    await first.exited;
    expect(first.output()).not.toContain(`job ${job.job_id}: completed`);

    const done = await finalState(system, job.job_id, "completed");
    expect(other.output()).toContain(`job ${job.job_id}: completed`);
    expect(done.rows_processed).toBe(BIG_ROWS);
    // Processing on the first worker, back in the queue when its lock expired, then the other.
    expect(seen.states()).toEqual(["processing", "queued", "processing", "completed"]);

    const e = setup();
    const embedded = await createJobSystem({
      controlDb: e.controlDb,
      tempDir: e.tempDir,
      resultsDir: e.resultsDir,
    });
    systems.push(embedded);
    const local = await embedded.queue.enqueue(upload(embedded, text, "grande.csv"));
    await finalState(embedded, local.job_id, "completed");
    expect(stableProfile(system.profilePath(job.job_id) as string)).toEqual(
      stableProfile(embedded.profilePath(local.job_id) as string),
    );
  });

  it("cancels a waiting job and an active one: the worker stops, its partial outputs are removed", async () => {
    const s = setup();
    const url = redisUrl();
    const system = await open(s, url);
    const worker = await startWorker(s, url);
    const big = upload(system, csvText(BIG_ROWS), "grande.csv");
    const active = await system.queue.enqueue(big);
    const seen = recorder(system, active.job_id);
    await waitFor("the worker taking the job", () =>
      worker.output().includes(`job ${active.job_id}: processing`),
    );
    const small = upload(system, csvText(100), "pequeno.csv");
    const waiting = await system.queue.enqueue(small); // one at a time: it waits
    expect((await system.queue.cancel(waiting.job_id))?.state).toBe("cancelled");
    const cancelled = await system.queue.cancel(active.job_id);
    expect(cancelled).toMatchObject({ state: "cancelled", outputs: null });
    expect(seen.states().at(-1)).toBe("cancelled");
    expect(existsSync(join(s.resultsDir, active.job_id))).toBe(false);
    expect(existsSync(system.files.pathOf(big.file_id))).toBe(false);
    expect(existsSync(system.files.pathOf(small.file_id))).toBe(false);
    await waitFor("the worker's word", () =>
      worker.output().includes(`job ${active.job_id}: cancelled`),
    );
    // The cancelled job's late events change nothing; the worker goes on with the next job.
    const next = await system.queue.enqueue(upload(system, csvText(1000), "otro.csv"));
    await finalState(system, next.job_id, "completed");
    expect((await system.queue.get(active.job_id))?.state).toBe("cancelled");
    expect((await system.queue.get(waiting.job_id))?.state).toBe("cancelled");
    expect(existsSync(join(s.resultsDir, active.job_id))).toBe(false);
  });

  it("fails a job whose file has a quote never closed, naming the file and line", async () => {
    const s = setup();
    const url = redisUrl();
    const system = await open(s, url);
    await startWorker(s, url);
    const file = upload(system, 'a,b\n1,2\n3,4\n5,"abc\n6,7\n', "roto.csv");
    const job = await system.queue.enqueue(file);
    const failed = await finalState(system, job.job_id, "failed");
    expect(failed.error).toMatch(/^roto\.csv:4: .*quote/);
    expect(failed.outputs).toBeNull();
    expect(existsSync(join(s.resultsDir, job.job_id))).toBe(false);
    await waitFor("temp copy removed", () => !existsSync(system.files.pathOf(file.file_id)));
  });

  it("SIGTERM: the worker hands its running job back and exits 0; another worker completes it", async () => {
    const s = setup();
    const url = redisUrl();
    const system = await open(s, url);
    const first = await startWorker(s, url);
    const job = await system.queue.enqueue(upload(system, csvText(BIG_ROWS), "grande.csv"));
    await waitFor("the worker taking the job", () =>
      first.output().includes(`job ${job.job_id}: processing`),
    );
    first.child.kill("SIGTERM");
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain(`job ${job.job_id}: handed back`);
    await waitFor("the job queued again", async () =>
      (await system.queue.get(job.job_id))?.state === "queued" ? true : undefined,
    );
    const second = await startWorker(s, url);
    const done = await finalState(system, job.job_id, "completed");
    expect(done.rows_processed).toBe(BIG_ROWS);
    expect(second.output()).toContain(`job ${job.job_id}: completed`);
  });

  it("a console restarted while a worker ran the job finds it completed", async () => {
    const s = setup();
    const url = redisUrl();
    const first = await open(s, url);
    const file = upload(first, csvText(1000), "corto.csv");
    const job = await first.queue.enqueue(file);
    await first.close();
    systems.splice(systems.indexOf(first), 1);
    const worker = await startWorker(s, url);
    await waitFor("the worker finishing", () =>
      worker.output().includes(`job ${job.job_id}: completed`),
    );
    mkdirSync(s.tempDir, { recursive: true });
    const second = await open(s, url);
    const done = await finalState(second, job.job_id, "completed");
    expect(done.outputs).not.toBeNull();
    await waitFor("temp copy removed", () => !existsSync(second.files.pathOf(file.file_id)));
  });
});
