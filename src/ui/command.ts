import { defineCommand, stoppedBy as stopReason, untilAborted } from "../cli/command.js";
import { parseTtl } from "../files/http/options.js";
import { UI_OPTIONS } from "./options.js";
import { startConsole } from "./server.js";

/** How a run of the console ended. */
export interface UiRunResult {
  port: number;
  /** What stopped it: the signal's name (`SIGTERM`, `SIGINT`) or `abort`. */
  stoppedBy: string;
}

/**
 * `npm run ui` as a library value: serves the console until its signal is aborted
 * (SIGTERM or SIGINT through the CLI edge), then stops accepting, ends the live streams,
 * lets requests and pipeline runs in flight finish (up to `shutdownMs`) and returns: exit 0.
 */
export const uiCommand = defineCommand({
  name: "ui",
  summary:
    "The web console: the overview, the pipeline (live states, graph, Run, Clear memory,\n" +
    "datasets, runs), the scheduler (the daemon, jobs, last 24 hours, Run now), large CSV\n" +
    "files (upload, preview, background jobs, profile, Parquet) and the sections still to\n" +
    "come, on http://127.0.0.1:8501 by default.\n" +
    "SIGTERM or SIGINT: stop accepting, finish what is in flight, exit 0.",
  options: UI_OPTIONS,
  logFile: "ui",
  async run({ config }, { log, signal }): Promise<UiRunResult> {
    const ui = await startConsole({
      port: config.port,
      host: config.host,
      stepsDir: config.stepsDir,
      controlDb: config.controlDb,
      statusFile: config.statusFile,
      scheduleFile: config.scheduleFile,
      dbPath: config.dbPath,
      concurrency: config.concurrency,
      stepTimeoutMs: config.stepTimeoutMs ?? null,
      shutdownMs: config.shutdownMs,
      files: {
        tempDir: config.tempDir,
        resultsDir: config.resultsDir,
        maxFileSizeMb: config.maxFileSizeMb,
        chunkSize: config.chunkSize,
        concurrency: config.jobConcurrency,
        redisUrl: config.redisUrl || undefined,
        tempTtlMs: parseTtl(config.tempTtl),
        resultsTtlMs: parseTtl(config.resultsTtl),
      },
      simulations: {
        simDir: config.simDir,
        brokerUrl: config.amqpUrl || undefined,
        concurrency: config.simConcurrency,
        allowCode: config.simAllowCode,
      },
      log,
    });
    log.info(`listening on ${ui.url} (steps ${config.stepsDir}, control ${config.controlDb})`, {
      port: ui.port,
    });
    await untilAborted(signal);
    const stoppedBy = stopReason(signal);
    log.info(`${stoppedBy}: finishing requests and runs in flight (up to ${config.shutdownMs} ms)`);
    await ui.close();
    log.info("stopped");
    return { port: ui.port, stoppedBy };
  },
});
