import { type Job, UnrecoverableError, WaitingError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { describeError } from "../../errors.js";
import {
  CANCEL_CHANNEL,
  cancelKey,
  type FileJobData,
  type FileJobProgress,
  type FileJobResult,
  probeRedis,
  QUEUE_NAME,
  redisErrorLog,
  redisOptions,
} from "./bullmq.js";
import { type JobLog, removeDir, resultDirOf, silentLog, tempPathOf } from "./common.js";
import { type RunProgress, Throttle } from "./progress.js";
import { processInThread } from "./run-thread.js";

/** Production lock settings: a worker that dies loses its job to another in 30-45 s. */
export const DEFAULT_LOCK_DURATION_MS = 30_000;
export const DEFAULT_STALLED_INTERVAL_MS = 15_000;

export interface FileWorkerOptions {
  redisUrl: string;
  tempDir: string;
  resultsDir: string;
  /** Rows per chunk (`CHUNK_SIZE`). */
  chunkSize: number;
  /** Jobs at once, each on a thread of its own (`JOB_CONCURRENCY`). */
  concurrency: number;
  /** How long a job's lock lasts without renewal (renewed every half of it). */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (their lock expired). */
  stalledIntervalMs?: number;
  log?: JobLog;
  /** Another queue name (tests); default `archivos`. */
  queueName?: string;
}

export interface FileWorkerStats {
  completed: number;
  failed: number;
  cancelled: number;
  /** Jobs given back to the queue because this worker was stopping. */
  handed_back: number;
}

export interface FileWorker {
  readonly stats: FileWorkerStats;
  /**
   * Stops: the running jobs' threads are stopped and the jobs handed back to the queue
   * (another worker starts them over at once), then the BullMQ worker is closed.
   */
  close(): Promise<void>;
}

/**
 * A BullMQ worker of the `archivos` queue (`npm run worker`): each job's `processFile`
 * runs on a worker thread of its own, so this thread stays free to renew the job's lock
 * and hear cancels. A job whose worker dies (SIGKILL, a lost machine) is found stalled by
 * another worker once its lock expires and starts over there (once: a second stall fails it).
 */
export async function startFileWorker(options: FileWorkerOptions): Promise<FileWorker> {
  const log = options.log ?? silentLog;
  const connection = redisOptions(options.redisUrl, true);
  const stats: FileWorkerStats = { completed: 0, failed: 0, cancelled: 0, handed_back: 0 };
  const stopping = new AbortController();
  await probeRedis(connection);
  const redis = new Redis(connection);
  const subscriber = new Redis(connection);
  const onError = redisErrorLog(log);
  redis.on("error", onError);
  subscriber.on("error", onError);

  const processor = async (
    job: Job<FileJobData, FileJobResult>,
    token?: string,
    cancelSignal?: AbortSignal,
  ): Promise<FileJobResult> => {
    const data = job.data;
    const outDir = resultDirOf(options.resultsDir, data.out);
    if (await redis.exists(cancelKey(data.job_id))) {
      stats.cancelled += 1;
      await removeDir(outDir);
      throw new UnrecoverableError("cancelled");
    }
    log.info(`job ${data.job_id}: processing ${data.name} (worker pid ${process.pid})`);
    const signals = [stopping.signal, ...(cancelSignal ? [cancelSignal] : [])];
    const throttle = new Throttle<RunProgress>((p) => {
      const progress: FileJobProgress = {
        rows: p.rowsProcessed,
        bytes: p.bytesProcessed,
        total: p.totalBytes,
        elapsed_ms: Math.round(p.elapsedMs),
      };
      job.updateProgress(progress).catch(onError);
    });
    try {
      await removeDir(outDir); // what an attempt on a worker that died left
      const outcome = await processInThread(
        {
          path: tempPathOf(options.tempDir, data.file),
          name: data.name,
          outDir,
          chunkSize: options.chunkSize,
        },
        { signal: AbortSignal.any(signals), onProgress: (p) => throttle.push(p) },
      );
      throttle.cancel();
      stats.completed += 1;
      log.info(`job ${data.job_id}: completed, ${outcome.rows} rows`);
      return { outputs: outcome.outputs, rows: outcome.rows, elapsed_ms: outcome.elapsedMs };
    } catch (error) {
      throttle.cancel();
      await removeDir(outDir);
      if (cancelSignal?.aborted) {
        stats.cancelled += 1;
        log.info(`job ${data.job_id}: cancelled`);
        throw new UnrecoverableError("cancelled");
      }
      if (stopping.signal.aborted) {
        stats.handed_back += 1;
        log.info(`job ${data.job_id}: handed back to the queue (this worker is stopping)`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      stats.failed += 1;
      log.warn(`job ${data.job_id}: failed: ${describeError(error)}`);
      throw new UnrecoverableError(describeError(error));
    }
  };

  const worker = new Worker<FileJobData, FileJobResult>(
    options.queueName ?? QUEUE_NAME,
    processor,
    {
      connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
      stalledInterval: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
      maxStalledCount: 1,
      autorun: false,
    },
  );
  worker.on("error", onError);
  subscriber.on("message", (_channel: string, jobId: string) => {
    if (worker.cancelJob(jobId, "cancelled")) log.info(`job ${jobId}: cancel asked`);
  });
  try {
    await subscriber.subscribe(CANCEL_CHANNEL);
    await worker.waitUntilReady();
  } catch (error) {
    await worker.close(true).catch(() => undefined);
    redis.disconnect();
    subscriber.disconnect();
    throw error;
  }
  void worker.run().catch(onError);

  let closing: Promise<void> | undefined;
  return {
    stats,
    close() {
      closing ??= (async () => {
        stopping.abort();
        await worker.close();
        subscriber.disconnect();
        redis.disconnect();
      })();
      return closing;
    },
  };
}
