import { access } from "node:fs/promises";
import { Queue, QueueEvents, type RedisOptions } from "bullmq";
import { Redis } from "ioredis";
import { describeError, UsageError } from "../../errors.js";
import type { JobEvent, JobQueue, JobRecord, StoredFile } from "../types.js";
import {
  createJobRow,
  type JobEvents,
  type JobLog,
  removeDir,
  removeTempCopy,
  resultDirOf,
  tempPathOf,
} from "./common.js";
import { RedisUnreachableError } from "./errors.js";
import { finalRate, progressFields, type RunProgress, Throttle } from "./progress.js";
import type { JobRow, JobStore, OutputFiles } from "./store.js";

/** The BullMQ queue of the file jobs. */
export const QUEUE_NAME = "archivos";
/** The name of each BullMQ job (one kind: profile a file). */
export const JOB_NAME = "perfil";
/** Pub/sub channel on which the console asks the workers to stop an active job (its id). */
export const CANCEL_CHANNEL = `${QUEUE_NAME}:cancelar`;
/** Set when a job is cancelled, so a worker that takes it later (after a stall) skips it. */
export const cancelKey = (jobId: string) => `${QUEUE_NAME}:cancelado:${jobId}`;
const CANCEL_KEY_TTL_S = 7 * 24 * 3600;
/** Finished BullMQ jobs are kept this long in Redis (the console's record is the history). */
const KEEP_FINISHED_S = 7 * 24 * 3600;
/** How long a cancel waits for the worker to stop the job and remove its partial outputs. */
const CANCEL_WAIT_MS = 15_000;

/**
 * What a BullMQ job carries. Paths are relative to the shared folders, so a worker on
 * another machine resolves them against its own `TEMP_DIR` and `RESULTS_DIR`.
 */
export interface FileJobData {
  job_id: string;
  file_id: string;
  /** The original file name (`resumen.archivo`, the outputs' NAME). */
  name: string;
  /** The upload's temp copy, relative to `TEMP_DIR`. */
  file: string;
  /** The job's output folder, relative to `RESULTS_DIR`. */
  out: string;
}

/** What a worker reports with `job.updateProgress` (at most 4 times a second). */
export interface FileJobProgress {
  rows: number;
  bytes: number;
  total: number;
  elapsed_ms: number;
}

/** A worker's return value. */
export interface FileJobResult {
  /** File names inside `RESULTS_DIR/out`. */
  outputs: OutputFiles;
  rows: number;
  elapsed_ms: number;
}

/**
 * ioredis options for a `redis://[user:password@]host[:port][/db]` (or `rediss://`) URL.
 * `blocking` connections (workers, queue events) retry forever, as BullMQ requires
 * (`maxRetriesPerRequest: null`); the console's queue fails a command after a few tries,
 * so an upload's request gets an error instead of waiting for Redis forever.
 */
export function redisOptions(url: string, blocking: boolean): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError("REDIS_URL: not a URL (expected redis://host:port)");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    throw new UsageError(`REDIS_URL: expected redis:// or rediss://, got ${parsed.protocol}//`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new UsageError("REDIS_URL: the path must be a database number (redis://host:port/0)");
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db,
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    maxRetriesPerRequest: blocking ? null : 3,
  };
}

/** How long the queue and a worker wait for Redis's first answer at start. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Logs connection errors once per distinct message a minute (ioredis retries every second
 * while Redis is away).
 */
export function redisErrorLog(log: JobLog): (error: Error) => void {
  const said = new Map<string, number>();
  return (error) => {
    const message = describeError(error);
    const now = Date.now();
    if ((said.get(message) ?? 0) > now - 60_000) return;
    said.set(message, now);
    log.warn(`Redis: ${message}`);
  };
}

/**
 * Connects once and pings, failing fast with `RedisUnreachableError` (connection refused,
 * a wrong password, no answer within `CONNECT_TIMEOUT_MS`). BullMQ's own connections retry
 * forever, which is right once running (Redis restarting) but would hang a start.
 */
export async function probeRedis(options: RedisOptions): Promise<void> {
  const probe = new Redis({
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  let cause: unknown;
  probe.on("error", (error) => {
    cause = error;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    // "Connection is closed" says less than the socket's error before it.
    throw new RedisUnreachableError(
      `${options.host}:${options.port}`,
      describeError(cause ?? error),
    );
  } finally {
    probe.disconnect();
  }
}

/** A progress value as it comes through BullMQ (an object, or its JSON). */
function parseJson<T>(value: unknown): T | undefined {
  if (typeof value === "string")
    try {
      return JSON.parse(value) as T;
    } catch {
      return undefined;
    }
  return value && typeof value === "object" ? (value as T) : undefined;
}

export interface BullmqQueueOptions {
  store: JobStore;
  events: JobEvents;
  tempDir: string;
  resultsDir: string;
  redisUrl: string;
  log: JobLog;
  /** Another queue name (tests); default `archivos`. */
  queueName?: string;
}

/**
 * The console's side of the BullMQ queue: jobs are added to the `archivos` queue and kept
 * as rows of the control database, which follow BullMQ's events (`active`, `progress`,
 * `completed`, `failed`, a stalled job's `waiting`). `npm run worker` processes them.
 */
export class BullmqQueue implements JobQueue {
  readonly kind = "bullmq";
  private readonly queue: Queue<FileJobData, FileJobResult>;
  private readonly queueEvents: QueueEvents;
  private readonly redis: Redis;
  private readonly throttles = new Map<string, Throttle<FileJobProgress>>();
  /** Jobs whose cancel is under way: their workers' last events change nothing. */
  private readonly cancelling = new Set<string>();
  /** Event handlers still writing (awaited by `close`). */
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  private constructor(private readonly options: BullmqQueueOptions) {
    const name = options.queueName ?? QUEUE_NAME;
    this.queue = new Queue(name, { connection: redisOptions(options.redisUrl, false) });
    this.queueEvents = new QueueEvents(name, { connection: redisOptions(options.redisUrl, true) });
    this.redis = new Redis(redisOptions(options.redisUrl, false));
    const onError = redisErrorLog(options.log);
    this.queue.on("error", onError);
    this.queueEvents.on("error", onError);
    this.redis.on("error", onError);
  }

  /** Connects, follows the queue's events and brings the unfinished jobs' rows up to date. */
  static async open(options: BullmqQueueOptions): Promise<BullmqQueue> {
    await probeRedis(redisOptions(options.redisUrl, false));
    const queue = new BullmqQueue(options);
    try {
      await queue.start();
    } catch (error) {
      await queue.close().catch(() => undefined);
      throw error;
    }
    return queue;
  }

  private async start(): Promise<void> {
    await Promise.all([this.queue.waitUntilReady(), this.queueEvents.waitUntilReady()]);
    const { store, events, log } = this.options;
    this.queueEvents.on("active", ({ jobId }) => {
      if (this.cancelling.has(jobId)) return;
      if (store.start(jobId)) {
        log.info(`job ${jobId}: processing`);
        events.emit("state", store.record(jobId));
      }
    });
    const backToQueue = ({ jobId }: { jobId: string }) => {
      // A stalled job (its worker died) or one a stopping worker handed back waits for
      // another worker: queued again, to start over.
      if (this.cancelling.has(jobId) || store.row(jobId)?.state !== "processing") return;
      this.dropThrottle(jobId);
      if (store.requeue(jobId)) {
        log.warn(`job ${jobId}: its worker stopped; queued for another`);
        events.emit("state", store.record(jobId));
      }
    };
    this.queueEvents.on("stalled", backToQueue);
    this.queueEvents.on("waiting", backToQueue);
    this.queueEvents.on("progress", ({ jobId, data }) => {
      const progress = parseJson<FileJobProgress>(data);
      if (!progress || this.cancelling.has(jobId)) return;
      let throttle = this.throttles.get(jobId);
      if (!throttle) {
        throttle = new Throttle((p) => {
          const fields = progressFields({
            rowsProcessed: p.rows,
            bytesProcessed: p.bytes,
            totalBytes: p.total,
            elapsedMs: p.elapsed_ms,
          } satisfies RunProgress);
          if (store.progress(jobId, fields)) events.emit("progress", store.record(jobId));
        });
        this.throttles.set(jobId, throttle);
      }
      throttle.push(progress);
    });
    this.queueEvents.on("completed", ({ jobId, returnvalue }) => {
      if (this.cancelling.has(jobId)) return;
      this.track(this.completed(jobId, parseJson<FileJobResult>(returnvalue)));
    });
    this.queueEvents.on("failed", ({ jobId, failedReason }) => {
      if (this.cancelling.has(jobId)) return;
      this.track(this.failed(jobId, failedReason));
    });
    this.queueEvents.on("removed", ({ jobId }) => {
      // Removed from Redis by someone else while queued: nothing will run it.
      if (this.cancelling.has(jobId) || store.row(jobId)?.state !== "queued") return;
      this.track(this.failed(jobId, "removed from the queue"));
    });
    await this.reconcile();
  }

  /** What happened to the unfinished jobs while the console was away. */
  private async reconcile(): Promise<void> {
    const { store, events, log } = this.options;
    for (const row of store.unfinished("bullmq")) {
      const job = await this.queue.getJob(row.job_id);
      if (!job) {
        // Redis lost it (emptied, restarted without persistence): add it again if we can.
        if (await exists(tempPathOf(this.options.tempDir, row.file_id))) {
          if (row.state === "processing" && store.requeue(row.job_id))
            events.emit("state", store.record(row.job_id));
          await this.add(row);
          log.warn(`job ${row.job_id}: missing from the queue; added again`);
        } else await this.failed(row.job_id, "lost from the queue, and its temp copy is gone");
        continue;
      }
      const state = await job.getState();
      if (state === "completed") await this.completed(row.job_id, parseJson(job.returnvalue));
      else if (state === "failed") await this.failed(row.job_id, job.failedReason);
      else if (state === "active") {
        if (row.state === "queued" && store.start(row.job_id))
          events.emit("state", store.record(row.job_id));
      } else if (row.state === "processing" && store.requeue(row.job_id))
        events.emit("state", store.record(row.job_id));
    }
  }

  private add(row: Pick<JobRow, "job_id" | "file_id" | "name">): Promise<unknown> {
    const data: FileJobData = {
      job_id: row.job_id,
      file_id: row.file_id,
      name: row.name,
      file: row.file_id,
      out: row.job_id,
    };
    return this.queue.add(JOB_NAME, data, {
      jobId: row.job_id,
      attempts: 1, // a file that fails to process fails again; a stalled job is retried anyway
      removeOnComplete: { age: KEEP_FINISHED_S },
      removeOnFail: { age: KEEP_FINISHED_S },
    });
  }

  private async completed(jobId: string, result: FileJobResult | undefined): Promise<void> {
    const { store, events, log } = this.options;
    this.dropThrottle(jobId);
    const row = store.row(jobId);
    if (!row) return;
    const changed = result?.outputs
      ? store.complete(jobId, {
          rows: result.rows,
          rows_per_s: finalRate(result.rows, result.elapsed_ms),
          outputs: result.outputs,
        })
      : store.fail(jobId, "the worker returned no outputs");
    if (changed) {
      log.info(`job ${jobId}: ${store.row(jobId)?.state}`);
      events.emit("state", store.record(jobId));
    }
    await removeTempCopy(store, this.options.tempDir, row.file_id);
  }

  private async failed(jobId: string, reason: string): Promise<void> {
    const { store, events, log } = this.options;
    this.dropThrottle(jobId);
    const row = store.row(jobId);
    if (!row) return;
    if (store.fail(jobId, reason)) {
      log.warn(`job ${jobId}: failed: ${reason}`);
      events.emit("state", store.record(jobId));
    }
    await removeTempCopy(store, this.options.tempDir, row.file_id);
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work
      .catch((error) => {
        this.options.log.error(`job event: ${describeError(error)}`);
      })
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private dropThrottle(jobId: string): void {
    this.throttles.get(jobId)?.cancel();
    this.throttles.delete(jobId);
  }

  async enqueue(file: StoredFile): Promise<JobRecord> {
    if (this.closed) throw new Error("the job queue is closed");
    const { store, events } = this.options;
    const jobId = await createJobRow(store, this.options.tempDir, file, "bullmq");
    const row = store.row(jobId) as JobRow;
    try {
      await this.add(row);
    } catch (error) {
      store.deleteJob(jobId); // the upload stays usable
      throw new Error(`cannot add the job to the queue (Redis): ${describeError(error)}`);
    }
    const record = store.toRecord(row);
    events.emit("state", record);
    return record;
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    return this.options.store.record(jobId);
  }

  async list(): Promise<JobRecord[]> {
    return this.options.store.list();
  }

  /**
   * A waiting job is removed from the queue; an active one is stopped by its worker (told on
   * `archivos:cancelar`; a key marks it cancelled for any worker that takes it later), which
   * removes its partial outputs. Resolves once they are gone (at most ~15 s if no worker
   * answers), with the job `cancelled`.
   */
  async cancel(jobId: string): Promise<JobRecord | undefined> {
    const { store, events, log, resultsDir, tempDir } = this.options;
    const row = store.row(jobId);
    if (!row) return undefined;
    if ((row.state !== "queued" && row.state !== "processing") || this.cancelling.has(jobId))
      return store.toRecord(row);
    this.cancelling.add(jobId);
    this.dropThrottle(jobId);
    try {
      await this.redis.set(cancelKey(jobId), "1", "EX", CANCEL_KEY_TTL_S);
      const removed = await this.queue.remove(jobId);
      if (!removed) {
        // Active (locked by its worker): ask the workers to stop it and wait until it is out.
        await this.redis.publish(CANCEL_CHANNEL, jobId);
        const until = Date.now() + CANCEL_WAIT_MS;
        while ((await this.queue.getJobState(jobId)) === "active" && Date.now() < until)
          await new Promise((resolve) => setTimeout(resolve, 100));
        await this.queue.remove(jobId).catch(() => 0);
      }
      await removeDir(resultDirOf(resultsDir, jobId));
      if (store.cancel(jobId)) {
        log.info(`job ${jobId}: cancelled`);
        events.emit("state", store.record(jobId));
      }
      await removeTempCopy(store, tempDir, row.file_id);
    } finally {
      this.cancelling.delete(jobId);
    }
    return store.record(jobId);
  }

  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    return this.options.events.subscribe(jobId, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const throttle of this.throttles.values()) throttle.cancel();
    this.throttles.clear();
    await Promise.allSettled([this.queueEvents.close(), this.queue.close()]);
    await Promise.allSettled([...this.pending]);
    this.redis.disconnect();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
