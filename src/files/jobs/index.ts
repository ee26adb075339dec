import { existsSync, mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { openControlDb } from "../../control/db.js";
import { describeError } from "../../errors.js";
import { PROFILE_JSON } from "../process.js";
import { DEFAULT_CHUNK_SIZE } from "../profile/index.js";
import type { JobQueue, OutputName, StoredFile } from "../types.js";
import { BullmqQueue } from "./bullmq.js";
import { JobEvents, type JobLog, resultDirOf, silentLog, tempPathOf } from "./common.js";
import { EmbeddedQueue } from "./embedded.js";
import { FileInUseError } from "./errors.js";
import { defaultUrlFor, JobStore, type UrlFor } from "./store.js";
import { type SweepReport, sweep } from "./sweep.js";

export { DEFAULT_CHUNK_SIZE } from "../profile/index.js";
export {
  CANCEL_CHANNEL,
  type FileJobData,
  type FileJobProgress,
  type FileJobResult,
  QUEUE_NAME,
} from "./bullmq.js";
export {
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_STALLED_INTERVAL_MS,
  type FileWorker,
  type FileWorkerOptions,
  type FileWorkerStats,
  startFileWorker,
} from "./bullmq-worker.js";
export {
  FileConsumedError,
  FileInUseError,
  FileJobError,
  RedisUnreachableError,
  UnknownFileError,
} from "./errors.js";
export { FILES_DDL, type UrlFor } from "./store.js";
export type { SweepReport } from "./sweep.js";
export const DEFAULT_TEMP_TTL_MS = 24 * 3600 * 1000;
export const DEFAULT_RESULTS_TTL_MS = 7 * 24 * 3600 * 1000;
export const SWEEP_INTERVAL_MS = 3600 * 1000;

export interface JobSystemOptions {
  /** The control database (`CONTROL_DB`): jobs and uploads live there in both modes. */
  controlDb: string;
  /** Where uploads are stored under their id (`TEMP_DIR`). */
  tempDir: string;
  /** Where each job's outputs go, in a folder named by its id (`RESULTS_DIR`). */
  resultsDir: string;
  /** BullMQ on this Redis (`REDIS_URL`); without it, the embedded queue. */
  redisUrl?: string;
  /** Embedded: jobs at once on worker threads (`JOB_CONCURRENCY`, default 1). */
  concurrency?: number;
  /** Embedded: rows per chunk (`CHUNK_SIZE`, default 10,000); workers have their own. */
  chunkSize?: number;
  /** A never-processed upload is removed after this (`TEMP_TTL`, default 24 h). */
  tempTtlMs?: number;
  /** A job's results are removed after this (`RESULTS_TTL`, default 7 days). */
  resultsTtlMs?: number;
  /** How often the sweep runs after the one at start (default hourly; 0: only at start). */
  sweepIntervalMs?: number;
  log?: JobLog;
  /** The URL of a job's output (default `/api/jobs/:id/outputs/:name`). */
  urlFor?: UrlFor;
  /** BullMQ: another queue name (tests); default `archivos`. */
  queueName?: string;
}

/** The uploads kept in `TEMP_DIR` (written there by the upload route, recorded here). */
export interface FileRegistry {
  /** Records an upload whose temp copy is at `pathOf(file.file_id)`. */
  add(file: StoredFile): void;
  get(fileId: string): StoredFile | undefined;
  /** `TEMP_DIR/file_id` (an id that is not a plain name throws `UnknownFileError`). */
  pathOf(fileId: string): string;
  /** Removes the temp copy and its record; `FileInUseError` while a job needs it. */
  remove(fileId: string): Promise<void>;
}

export interface JobSystem {
  queue: JobQueue;
  files: FileRegistry;
  /** Removes expired temp copies and results now (it also runs at start and hourly). */
  sweep(): Promise<SweepReport>;
  /** The Parquet file of a completed job's output; undefined if there is none (yet, any more). */
  outputPath(jobId: string, name: OutputName): string | undefined;
  /** A completed job's `profile.json` (the profile endpoint's document), if still there. */
  profilePath(jobId: string): string | undefined;
  /** Stops the queue (embedded: running jobs go back to `queued`), the sweep, the database. */
  close(): Promise<void>;
}

/**
 * The large-CSV job system: the uploads' registry, the queue (embedded, or BullMQ when
 * `redisUrl` is set), and the sweep of expired files, over one control database.
 *
 * @example
 * const jobs = await createJobSystem({ controlDb: "database/control.db", tempDir: "temp",
 *   resultsDir: "resultados", redisUrl: process.env.REDIS_URL });
 * const job = await jobs.queue.enqueue(jobs.files.get(fileId)!);
 */
export async function createJobSystem(options: JobSystemOptions): Promise<JobSystem> {
  const log = options.log ?? silentLog;
  const { tempDir, resultsDir } = options;
  mkdirSync(tempDir, { recursive: true });
  mkdirSync(resultsDir, { recursive: true });
  const db = openControlDb(options.controlDb);
  let queue: EmbeddedQueue | BullmqQueue;
  let store: JobStore;
  const events = new JobEvents(log);
  try {
    store = new JobStore(db, options.urlFor ?? defaultUrlFor);
    if (options.redisUrl)
      queue = await BullmqQueue.open({
        store,
        events,
        tempDir,
        resultsDir,
        redisUrl: options.redisUrl,
        log,
        queueName: options.queueName,
      });
    else {
      const embedded = new EmbeddedQueue({
        store,
        events,
        tempDir,
        resultsDir,
        concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
        chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
        log,
      });
      embedded.start();
      queue = embedded;
    }
  } catch (error) {
    db.close();
    throw error;
  }

  const sweeping = new Set<Promise<SweepReport>>();
  const runSweep = (): Promise<SweepReport> => {
    const running = sweep({
      store,
      tempDir,
      resultsDir,
      tempTtlMs: options.tempTtlMs ?? DEFAULT_TEMP_TTL_MS,
      resultsTtlMs: options.resultsTtlMs ?? DEFAULT_RESULTS_TTL_MS,
      log,
    }).finally(() => sweeping.delete(running));
    sweeping.add(running);
    return running;
  };
  const background = () =>
    runSweep().then(
      () => undefined,
      (error) => log.warn(`sweep failed: ${describeError(error)}`),
    );
  await background(); // at start: a directory listing, before anything is added
  const every = options.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
  const timer = every > 0 ? setInterval(() => void background(), every) : undefined;
  timer?.unref();

  const files: FileRegistry = {
    add: (file) => {
      tempPathOf(tempDir, file.file_id); // checks the id
      store.addUpload(file);
    },
    get: (fileId) => store.upload(fileId),
    pathOf: (fileId) => tempPathOf(tempDir, fileId),
    async remove(fileId) {
      const path = tempPathOf(tempDir, fileId);
      const active = store.activeJobFor(fileId);
      if (active) throw new FileInUseError(fileId, active.job_id);
      await rm(path, { force: true });
      store.deleteUpload(fileId);
    },
  };

  const inResults = (jobId: string, file: string): string | undefined => {
    const path = join(resultDirOf(resultsDir, jobId), file);
    return existsSync(path) ? path : undefined;
  };

  let closing: Promise<void> | undefined;
  return {
    queue,
    files,
    sweep: runSweep,
    outputPath(jobId, name) {
      const outputs = store.outputFiles(jobId);
      return outputs && inResults(jobId, outputs[name]);
    },
    profilePath(jobId) {
      return store.outputFiles(jobId) && inResults(jobId, PROFILE_JSON);
    },
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await queue.close();
        await Promise.allSettled([...sweeping]);
        events.clear();
        db.close();
      })();
      return closing;
    },
  };
}
