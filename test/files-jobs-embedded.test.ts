import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  createJobSystem,
  FileConsumedError,
  FileInUseError,
  type JobSystem,
  UnknownFileError,
} from "../src/files/jobs/index.js";
import type { JobEvent, JobRecord, JobState, StoredFile } from "../src/files/types.js";
import { tempDir } from "./helpers/tmp.js";

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

interface Setup {
  root: string;
  controlDb: string;
  tempDir: string;
  resultsDir: string;
}

function setup(): Setup {
  const root = tempDir("files-jobs-");
  return {
    root,
    controlDb: join(root, "control.db"),
    tempDir: join(root, "temp"),
    resultsDir: join(root, "resultados"),
  };
}

let fileCounter = 0;
/** Writes an upload's temp copy and records it, as the upload route does. */
function upload(system: JobSystem, text: string, name = "ventas.csv"): StoredFile {
  const file: StoredFile = {
    file_id: `f${++fileCounter}-${process.pid}`,
    name,
    bytes: Buffer.byteLength(text),
    encoding: "utf-8",
    delimiter: ",",
    columns: text.slice(0, text.indexOf("\n")).split(","),
    created_at: new Date().toISOString(),
  };
  mkdirSync(join(system.files.pathOf(file.file_id), ".."), { recursive: true });
  writeFileSync(system.files.pathOf(file.file_id), text);
  system.files.add(file);
  return file;
}

/** Polls until `check` returns a value (not undefined/false); generous timeout. */
async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function recorder(system: JobSystem, jobId: string) {
  const events: (JobEvent & { at: number })[] = [];
  const unsubscribe = system.queue.subscribe(jobId, (event) =>
    events.push({ ...event, at: Date.now() }),
  );
  return {
    events,
    unsubscribe,
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

const systems: JobSystem[] = [];
async function open(s: Setup, extra: Partial<Parameters<typeof createJobSystem>[0]> = {}) {
  const system = await createJobSystem({
    controlDb: s.controlDb,
    tempDir: s.tempDir,
    resultsDir: s.resultsDir,
    chunkSize: 1000,
    ...extra,
  });
  systems.push(system);
  return system;
}
afterEach(async () => {
  for (const system of systems.splice(0)) await system.close();
});

describe("file jobs, embedded queue (control database + worker threads)", () => {
  it("runs a job: queued, processing with progress, completed with its outputs; the temp copy goes", async () => {
    const s = setup();
    const system = await open(s);
    expect(system.queue.kind).toBe("embedded");
    const file = upload(system, csvText(200_000));
    const queued = await system.queue.enqueue(file);
    expect(queued).toMatchObject({
      file_id: file.file_id,
      name: "ventas.csv",
      state: "queued",
      rows_processed: 0,
      percent: 0,
      total_bytes: file.bytes,
      outputs: null,
      error: null,
    });
    const seen = recorder(system, queued.job_id);
    const done = await finalState(system, queued.job_id, "completed");

    expect(seen.states()).toEqual(["processing", "completed"]);
    const progress = seen.progress();
    expect(progress.length).toBeGreaterThan(0);
    for (const event of progress) {
      expect(event.job.state).toBe("processing");
      expect(event.job.percent).toBeGreaterThan(0);
      expect(event.job.percent).toBeLessThanOrEqual(100);
      expect(event.job.rows_processed).toBeGreaterThan(0);
    }
    // At most 4 progress events a second.
    const times = progress.map((event) => event.at);
    for (const [i, at] of times.entries())
      if (i > 0) expect(at - (times[i - 1] as number)).toBeGreaterThanOrEqual(200);

    expect(done).toMatchObject({
      state: "completed",
      percent: 100,
      rows_processed: 200_000,
      bytes_processed: file.bytes,
      eta_s: 0,
      error: null,
      outputs: {
        resumen: `/api/jobs/${done.job_id}/outputs/resumen`,
        columnas: `/api/jobs/${done.job_id}/outputs/columnas`,
        muestra: `/api/jobs/${done.job_id}/outputs/muestra`,
      },
    });
    expect(done.started_at).not.toBeNull();
    expect(done.finished_at).not.toBeNull();
    for (const name of ["resumen", "columnas", "muestra"] as const) {
      const path = system.outputPath(done.job_id, name);
      expect(path).toBe(join(s.resultsDir, done.job_id, `ventas_${name}.parquet`));
      expect(existsSync(path as string)).toBe(true);
    }
    const profile = JSON.parse(readFileSync(system.profilePath(done.job_id) as string, "utf8"));
    expect(profile.resumen).toMatchObject({ archivo: "ventas.csv", filas: 200_000, columnas: 5 });

    // The job ended: its upload's temp copy is gone, and a second job is refused.
    // (removeTempCopy deletes the file, then, once that await resumes, its record.)
    await waitFor(
      "temp copy and its record removed",
      () => !existsSync(system.files.pathOf(file.file_id)) && !system.files.get(file.file_id),
    );
    expect(system.files.get(file.file_id)).toBeUndefined();
    await expect(system.queue.enqueue(file)).rejects.toBeInstanceOf(FileConsumedError);
    expect((await system.queue.list()).map((j) => j.job_id)).toEqual([done.job_id]);
  });

  it("refuses a job for an unknown upload (404) and a second one while the first runs (409)", async () => {
    const s = setup();
    const system = await open(s);
    const missing: StoredFile = {
      file_id: "nope",
      name: "x.csv",
      bytes: 1,
      encoding: "utf-8",
      delimiter: ",",
      columns: ["a"],
      created_at: new Date().toISOString(),
    };
    const unknown = await system.queue.enqueue(missing).catch((error) => error);
    expect(unknown).toBeInstanceOf(UnknownFileError);
    expect(unknown).toMatchObject({ httpStatus: 404, code: "unknown_file" });
    await expect(system.queue.enqueue({ ...missing, file_id: "../x" })).rejects.toBeInstanceOf(
      UnknownFileError,
    );

    const file = upload(system, csvText(1000));
    const first = await system.queue.enqueue(file);
    const busy = await system.queue.enqueue(file).catch((error) => error);
    expect(busy).toBeInstanceOf(FileInUseError);
    expect(busy).toMatchObject({ httpStatus: 409, code: "file_in_use", jobId: first.job_id });
    await finalState(system, first.job_id, "completed");
    const consumed = await system.queue.enqueue(file).catch((error) => error);
    expect(consumed).toMatchObject({ httpStatus: 409, code: "file_consumed" });
  });

  it("runs JOB_CONCURRENCY jobs at once, the others wait queued", async () => {
    const s = setup();
    const system = await open(s, { concurrency: 2 });
    const files = [1, 2, 3].map((i) => upload(system, csvText(5000), `f${i}.csv`));
    const jobs = [];
    for (const file of files) jobs.push(await system.queue.enqueue(file));
    let most = 0;
    const watch = setInterval(async () => {
      const list = await system.queue.list();
      most = Math.max(most, list.filter((j) => j.state === "processing").length);
    }, 5);
    try {
      for (const job of jobs) await finalState(system, job.job_id, "completed");
    } finally {
      clearInterval(watch);
    }
    expect(most).toBeLessThanOrEqual(2);
    // Newest first.
    expect((await system.queue.list()).map((j) => j.name)).toEqual(["f3.csv", "f2.csv", "f1.csv"]);
  });

  it("cancels a queued job and a processing one: cancelled, partial outputs and temp copies gone", async () => {
    const s = setup();
    const system = await open(s, { chunkSize: 100 });
    const big = upload(system, csvText(BIG_ROWS), "grande.csv");
    const small = upload(system, csvText(100), "pequeno.csv");
    const running = await system.queue.enqueue(big);
    const seen = recorder(system, running.job_id);
    const waiting = await system.queue.enqueue(small); // concurrency 1: it waits
    await waitFor("a progress event", () => seen.progress().length > 0);
    expect((await system.queue.get(waiting.job_id))?.state).toBe("queued");

    const cancelledWaiting = await system.queue.cancel(waiting.job_id);
    expect(cancelledWaiting?.state).toBe("cancelled");
    const cancelled = await system.queue.cancel(running.job_id);
    expect(cancelled).toMatchObject({ state: "cancelled", outputs: null });
    expect(cancelled?.finished_at).not.toBeNull();
    expect(seen.states()).toEqual(["processing", "cancelled"]);
    expect(existsSync(join(s.resultsDir, running.job_id))).toBe(false);
    expect(existsSync(system.files.pathOf(big.file_id))).toBe(false);
    expect(existsSync(system.files.pathOf(small.file_id))).toBe(false);
    expect(await system.queue.cancel("no-such-job")).toBeUndefined();
    // Cancelling an ended job changes nothing.
    expect((await system.queue.cancel(running.job_id))?.state).toBe("cancelled");
  });

  it("fails a job whose file has a quote never closed, naming the file and line", async () => {
    const s = setup();
    const system = await open(s);
    const file = upload(system, 'a,b\n1,2\n3,4\n5,"abc\n6,7\n', "roto.csv");
    const job = await system.queue.enqueue(file);
    const failed = await finalState(system, job.job_id, "failed");
    expect(failed.error).toMatch(/^roto\.csv:4: .*quote/);
    expect(failed.error).not.toContain(s.tempDir);
    expect(failed.outputs).toBeNull();
    expect(existsSync(join(s.resultsDir, job.job_id))).toBe(false);
    await waitFor("temp copy removed", () => !existsSync(system.files.pathOf(file.file_id)));
  });

  it("runs again a job interrupted by a restart (close) or a crash (left processing)", async () => {
    const s = setup();
    const first = await open(s, { chunkSize: 100 });
    const file = upload(first, csvText(BIG_ROWS), "grande.csv");
    const job = await first.queue.enqueue(file);
    const seen = recorder(first, job.job_id);
    await waitFor("a progress event", () => seen.progress().length > 0);
    await first.close();
    // A restart: back to queued, nothing left of the partial run.
    const db = new Sqlite(s.controlDb);
    const row = () =>
      db.prepare("SELECT state, rows_processed FROM file_jobs WHERE job_id = ?").get(job.job_id);
    expect(row()).toEqual({ state: "queued", rows_processed: 0 });
    expect(existsSync(join(s.resultsDir, job.job_id))).toBe(false);
    expect(existsSync(first.files.pathOf(file.file_id))).toBe(true);

    // A crash: the row stays `processing`, owned by a process that is gone, with partial outputs.
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    db.prepare(
      "UPDATE file_jobs SET state = 'processing', owner = ?, rows_processed = 5, started_at = ? WHERE job_id = ?",
    ).run(`${deadPid}:gone`, new Date().toISOString(), job.job_id);
    mkdirSync(join(s.resultsDir, job.job_id), { recursive: true });
    writeFileSync(join(s.resultsDir, job.job_id, "grande_resumen.parquet.tmp"), "partial");
    db.close();

    const second = await open(s, { chunkSize: 10_000 });
    const done = await finalState(second, job.job_id, "completed");
    expect(done.rows_processed).toBe(BIG_ROWS);
    expect(existsSync(join(s.resultsDir, job.job_id, "grande_resumen.parquet.tmp"))).toBe(false);
    expect(existsSync(second.outputPath(job.job_id, "muestra") as string)).toBe(true);
  });

  it("sweeps temp copies never processed after TEMP_TTL and results after RESULTS_TTL", async () => {
    const s = setup();
    const hour = 3600 * 1000;
    const system = await open(s, { tempTtlMs: 24 * hour, resultsTtlMs: 7 * 24 * hour });
    // A completed job whose results will be old.
    const done = await system.queue.enqueue(upload(system, csvText(100), "viejo.csv"));
    await finalState(system, done.job_id, "completed");

    const old = upload(system, csvText(10), "antiguo.csv");
    const fresh = upload(system, csvText(10), "nuevo.csv");
    const twoDaysAgo = new Date(Date.now() - 48 * hour);
    utimesSync(system.files.pathOf(old.file_id), twoDaysAgo, twoDaysAgo);
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * hour);
    utimesSync(join(s.resultsDir, done.job_id), eightDaysAgo, eightDaysAgo);
    mkdirSync(join(s.resultsDir, "reciente"));

    expect(await system.sweep()).toEqual({ temp_files: 1, uploads: 0, results_dirs: 1 });
    expect(existsSync(system.files.pathOf(old.file_id))).toBe(false);
    expect(system.files.get(old.file_id)).toBeUndefined();
    expect(existsSync(system.files.pathOf(fresh.file_id))).toBe(true);
    expect(system.files.get(fresh.file_id)?.name).toBe("nuevo.csv");
    expect(existsSync(join(s.resultsDir, done.job_id))).toBe(false);
    expect(existsSync(join(s.resultsDir, "reciente"))).toBe(true);
    // The job stays in the history, without outputs.
    const expired = await system.queue.get(done.job_id);
    expect(expired).toMatchObject({ state: "completed", outputs: null });
    expect(system.outputPath(done.job_id, "resumen")).toBeUndefined();
    expect(await system.sweep()).toEqual({ temp_files: 0, uploads: 0, results_dirs: 0 });
  });
});
