import { defineCommand, untilAborted } from "../../cli/command.js";
import { JSON_OPTION } from "../../cli/options.js";
import type { OptionSpecs } from "../../config.js";
import { UsageError } from "../../errors.js";
import { QUEUE_NAME, redisOptions } from "./bullmq.js";
import {
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_STALLED_INTERVAL_MS,
  type FileWorkerStats,
  startFileWorker,
} from "./bullmq-worker.js";

/** The options of `npm run worker`: flags, environment variables, defaults. */
export const WORKER_OPTIONS = {
  redisUrl: {
    type: "string",
    flag: "redis-url",
    env: "REDIS_URL",
    arg: "URL",
    secret: true,
    help: "The Redis of the console's BullMQ queue (redis://host:port[/db]); required",
  },
  tempDir: {
    type: "string",
    flag: "temp-dir",
    env: "TEMP_DIR",
    default: "temp",
    arg: "DIR",
    help: "The uploads folder, shared with the console (jobs name files inside it)",
  },
  resultsDir: {
    type: "string",
    flag: "results-dir",
    env: "RESULTS_DIR",
    default: "resultados",
    arg: "DIR",
    help: "The results folder, shared with the console: JOB_ID/NAME_resumen.parquet etc.",
  },
  chunkSize: {
    type: "number",
    flag: "chunk-size",
    env: "CHUNK_SIZE",
    default: 10000,
    min: 1,
    max: 10_000_000,
    integer: true,
    arg: "N",
    help: "Rows read per chunk (progress is reported after each)",
  },
  concurrency: {
    type: "number",
    flag: "concurrency",
    env: "JOB_CONCURRENCY",
    default: 1,
    min: 1,
    max: 64,
    integer: true,
    arg: "N",
    help: "Jobs this worker runs at once, each on a thread of its own",
  },
  lockDurationMs: {
    type: "number",
    env: "JOB_LOCK_MS",
    default: DEFAULT_LOCK_DURATION_MS,
    min: 1000,
    integer: true,
    help: "A job's lock (ms), renewed while it runs: a worker that dies loses its job after it",
  },
  stalledIntervalMs: {
    type: "number",
    env: "JOB_STALLED_CHECK_MS",
    default: DEFAULT_STALLED_INTERVAL_MS,
    min: 500,
    integer: true,
    help: "How often (ms) this worker looks for jobs whose worker died, to run them again",
  },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

export interface WorkerResult {
  stats: FileWorkerStats;
}

/**
 * `npm run worker`: processes the console's file jobs from the BullMQ queue until
 * SIGTERM/SIGINT, then hands any running job back to the queue and exits 0.
 */
export const workerCommand = defineCommand({
  name: "worker",
  summary:
    `Processes the console's large-CSV jobs from the BullMQ queue "${QUEUE_NAME}" on Redis\n` +
    "(REDIS_URL): reads TEMP_DIR/FILE_ID, writes RESULTS_DIR/JOB_ID/NAME_{resumen,columnas,\n" +
    "muestra}.parquet and profile.json, reports progress and states to the console. Run as many\n" +
    "as you like, on any machine that shares TEMP_DIR and RESULTS_DIR. A worker that dies\n" +
    "mid-job loses the job to another once its lock expires (JOB_LOCK_MS). SIGTERM/SIGINT:\n" +
    "running jobs are handed back to the queue, then exit 0. Exit 2 for a missing REDIS_URL.",
  options: WORKER_OPTIONS,
  logFile: "worker",
  interruptedNote: "running jobs were handed back to the queue",
  async run({ config }, { log, signal }): Promise<WorkerResult> {
    if (!config.redisUrl)
      throw new UsageError("REDIS_URL is required (the Redis of the console's queue; see --help)");
    const connection = redisOptions(config.redisUrl, true);
    const worker = await startFileWorker({
      redisUrl: config.redisUrl,
      tempDir: config.tempDir,
      resultsDir: config.resultsDir,
      chunkSize: config.chunkSize,
      concurrency: config.concurrency,
      lockDurationMs: config.lockDurationMs,
      stalledIntervalMs: config.stalledIntervalMs,
      log,
    });
    log.info(
      `worker pid ${process.pid} ready: queue "${QUEUE_NAME}" on ${connection.host}:${connection.port}, ${config.concurrency} at a time`,
    );
    await untilAborted(signal);
    await worker.close();
    log.info(
      `worker stopped: ${worker.stats.completed} completed, ${worker.stats.failed} failed, ${worker.stats.cancelled} cancelled, ${worker.stats.handed_back} handed back`,
    );
    return { stats: worker.stats };
  },
  json: (result) => ({ status: "stopped", ...result.stats }),
});
