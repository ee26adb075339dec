import type { Server } from "node:http";
import { listen, shutdown } from "../api/server.js";
import { createJobSystem, type JobSystem } from "../files/jobs/index.js";
import { createLogger, type Logger } from "../log.js";
import { createSimulationService, type SimulationService } from "../simulation/service.js";
import { createConsoleApp } from "./app.js";
import { loadAssets } from "./assets/index.js";
import { errorBody } from "./http/errors.js";
import { isLoopback } from "./http/guard.js";
import { createPipelineSource, type PipelineSourceOptions } from "./pipeline/adapter.js";
import { createSchedulerSource } from "./scheduler/source.js";

/** The settings of `/files` (`../shared/contracts/files.md`); each has the contract's default. */
export interface ConsoleFilesOptions {
  /** Uploads (default `temp`). */
  tempDir?: string;
  /** Job results (default `resultados`). */
  resultsDir?: string;
  /** The largest upload, MiB (default 200). */
  maxFileSizeMb?: number;
  /** Rows per chunk (default 10,000). */
  chunkSize?: number;
  /** Jobs at once on worker threads (default 1). */
  concurrency?: number;
  /** BullMQ on this Redis instead of the embedded queue. */
  redisUrl?: string;
  /** An upload never processed is removed after this long (default 24 h). */
  tempTtlMs?: number;
  /** Results are removed after this long (default 7 days). */
  resultsTtlMs?: number;
  /** A job system of your own (tests); default: `createJobSystem` over the settings above. */
  jobs?: JobSystem;
}

/** The settings of `/simulations` (`../shared/contracts/simulation.md`). */
export interface ConsoleSimulationOptions {
  /** Outputs (default `simulaciones`). */
  simDir?: string;
  /** RabbitMQ: runs can be started in `rabbitmq` mode. */
  brokerUrl?: string;
  /** Runs at once (default 1); the others wait. */
  concurrency?: number;
  /** Run uploaded `codigo` models (default false: refused with a 400). */
  allowCode?: boolean;
  /** Worker threads of an embedded run (default: the cores). */
  workers?: number;
  /** A service of your own (tests); default: `createSimulationService` over the settings above. */
  service?: SimulationService;
}

export interface ConsoleOptions {
  /** Default 8501; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback: only this machine reaches the console). */
  host?: string;
  /** The pipeline's step folder (default `steps`), watched for new and changed files. */
  stepsDir?: string;
  /** The control database (default `database/control.db`): pipeline and scheduler runs. */
  controlDb?: string;
  /** The scheduler daemon's status file (default `MASTER_STATUS_FILE`, else `logs/run_master_status.json`). */
  statusFile?: string;
  /** The scheduler's schedule file (default `SCHEDULE_FILE`, else `schedule.json`). */
  scheduleFile?: string;
  /** The sales database the overview reads and the steps get as `DB_PATH` (default `database/empresa.db`). */
  dbPath?: string;
  /** Steps running at once across runs (`PIPELINE_CONCURRENCY`, default 4). */
  concurrency?: number;
  /** Timeout of a step without its own (`STEP_TIMEOUT_MS`); none by default. */
  stepTimeoutMs?: number | null;
  /** How long requests and pipeline runs in flight may go on at `close()` (default 10 s). */
  shutdownMs?: number;
  /** The large-CSV settings (`TEMP_DIR`, `RESULTS_DIR`, `MAX_FILE_SIZE_MB`…). */
  files?: ConsoleFilesOptions;
  /** The simulation settings (`SIM_DIR`, `AMQP_URL`, `SIM_CONCURRENCY`, `SIM_ALLOW_CODE`). */
  simulations?: ConsoleSimulationOptions;
  /** SSE heartbeat period (default 15 s). */
  heartbeatMs?: number;
  /** Default: a logger writing `logs/ui.log` and stderr. */
  log?: Logger;
  /** The pipeline to show (`npm run pipeline -- --ui` passes its own); default: one over `stepsDir`. */
  pipeline?: PipelineSourceOptions["pipeline"];
}

export interface RunningConsole {
  port: number;
  /** `http://host:port` (a wildcard host shown as 127.0.0.1). */
  url: string;
  /**
   * Graceful shutdown: stops accepting connections, ends the live streams, lets requests
   * and pipeline runs in flight finish (up to `shutdownMs`; runs still going are then
   * cancelled), puts file jobs still running back to `queued` (they run again at the next
   * start), cancels the simulations still queued or running, closes the control database. Safe to call twice. (Scheduler jobs belong
   * to the scheduler daemon, which goes on.)
   */
  close(): Promise<void>;
}

/**
 * Starts the console: builds its client scripts, opens the pipeline over the steps folder
 * and the control database, and listens. Used by `npm run ui` and `npm run pipeline -- --ui`.
 *
 * @example
 * const ui = await startConsole({ port: 0, stepsDir: "steps" });
 * console.log(`open ${ui.url}/pipeline`);
 * process.once("SIGTERM", () => void ui.close());
 */
export async function startConsole(options: ConsoleOptions = {}): Promise<RunningConsole> {
  const host = options.host ?? "127.0.0.1";
  const shutdownMs = options.shutdownMs ?? 10_000;
  const log = options.log ?? createLogger("ui");
  const dbPath = options.dbPath ?? "database/empresa.db";
  const controlDb = options.controlDb ?? "database/control.db";
  const assets = await loadAssets();
  const pipeline = await createPipelineSource({
    stepsDir: options.stepsDir ?? "steps",
    controlDb,
    dbPath,
    concurrency: options.concurrency,
    stepTimeoutMs: options.stepTimeoutMs,
    log,
    pipeline: options.pipeline,
  });
  const scheduler = createSchedulerSource({
    controlDb,
    statusFile: options.statusFile ?? (process.env.MASTER_STATUS_FILE || undefined),
    scheduleFile: options.scheduleFile ?? (process.env.SCHEDULE_FILE || undefined),
    log,
  });
  const filesOptions = options.files ?? {};
  const tempDir = filesOptions.tempDir ?? "temp";
  const resultsDir = filesOptions.resultsDir ?? "resultados";
  // It sweeps expired uploads and results itself, at start and hourly.
  let jobs: JobSystem;
  try {
    jobs =
      filesOptions.jobs ??
      (await createJobSystem({
        controlDb,
        tempDir,
        resultsDir,
        redisUrl: filesOptions.redisUrl,
        concurrency: filesOptions.concurrency ?? 1,
        chunkSize: filesOptions.chunkSize ?? 10_000,
        tempTtlMs: filesOptions.tempTtlMs ?? 86_400_000,
        resultsTtlMs: filesOptions.resultsTtlMs ?? 7 * 86_400_000,
        log,
      }));
  } catch (error) {
    scheduler.close();
    await pipeline.close(0);
    throw error;
  }
  const simOptions = options.simulations ?? {};
  const simConcurrency = simOptions.concurrency ?? 1;
  const simulations =
    simOptions.service ??
    createSimulationService({
      simDir: simOptions.simDir ?? "simulaciones",
      controlDb,
      brokerUrl: simOptions.brokerUrl,
      concurrency: simConcurrency,
      allowCode: simOptions.allowCode,
      workers: simOptions.workers,
      log,
    });
  const closing = new AbortController();
  const app = createConsoleApp({
    assets,
    pipeline,
    scheduler,
    dbPath,
    files: {
      queue: jobs.queue,
      files: jobs.files,
      outputPath: (jobId, name) => jobs.outputPath(jobId, name),
      profilePath: (jobId) => jobs.profilePath(jobId),
      tempDir,
      maxFileBytes: Math.floor((filesOptions.maxFileSizeMb ?? 200) * 2 ** 20),
    },
    simulations: { service: simulations, concurrency: simConcurrency },
    loopbackOnly: isLoopback(host),
    sse: { heartbeatMs: options.heartbeatMs ?? 15_000, closing: closing.signal },
    log,
  });
  let server: Server;
  let port: number;
  try {
    ({ server, port } = await listen(app, options.port ?? 8501, host, errorBody));
  } catch (error) {
    await jobs.close().catch(() => undefined);
    await simulations.close().catch(() => undefined);
    scheduler.close();
    await pipeline.close(0);
    throw error;
  }
  const shown =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    port,
    url: `http://${shown}:${port}`,
    close() {
      closed ??= (async () => {
        const stopped = shutdown(server, shutdownMs, log, () => undefined);
        closing.abort(); // live streams end, so their connections can close
        // Simulations still running are cancelled (a run is not resumed at the next start).
        await Promise.all([
          stopped,
          pipeline.close(shutdownMs),
          simulations
            .close()
            .catch((error) => log.warn(`simulations: ${(error as Error).message}`)),
        ]);
        await jobs.close().catch((error) => log.warn(`file jobs: ${(error as Error).message}`));
        scheduler.close();
      })();
      return closed;
    },
  };
}
