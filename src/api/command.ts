import { defineCommand, stoppedBy as stopReason, untilAborted } from "../cli/command.js";
import { packageVersion } from "../version.js";
import { API_OPTIONS } from "./options.js";
import { listen, shutdown } from "./server.js";
import { setupApi } from "./setup.js";

/** How a run of the server ended. */
export interface ApiRunResult {
  /** The port it listened on. */
  port: number;
  /** What stopped it: the signal's name (`SIGTERM`, `SIGINT`) or `abort`. */
  stoppedBy: string;
}

/**
 * `npm run api` as a library value: serves until its signal is aborted (SIGTERM or SIGINT
 * through the CLI edge), then stops accepting, lets in-flight requests finish (up to
 * `shutdownMs`), closes the database, writes out the request log and returns.
 *
 * @example
 * const controller = new AbortController();
 * const done = apiCommand.run(
 *   { config: { ...defaults, dbPath: "database/empresa.db", port: 0 }, args: [] },
 *   { log, signal: controller.signal, progress },
 * );
 * // … later
 * controller.abort();
 * await done;
 */
export const apiCommand = defineCommand({
  name: "api",
  summary:
    "Serves GET /ventas/resumen_por_categoria (and /health, /ready, /openapi.json, /docs) over the\n" +
    "sales database, read-only, always answering from the last committed ETL run.\n" +
    "SIGTERM or SIGINT: stop accepting, finish in-flight requests, close the database, exit 0.",
  options: API_OPTIONS,
  logFile: "api",
  async run({ config }, { log, signal }): Promise<ApiRunResult> {
    const { app, store, accessLog } = setupApi(config, { log, version: packageVersion() });
    let listening: Awaited<ReturnType<typeof listen>>;
    try {
      listening = await listen(app, config.port, config.host);
    } catch (error) {
      store.close();
      await accessLog.flushFile();
      throw error;
    }
    const { server, port } = listening;
    log.info(`listening on http://${config.host}:${port} (database ${config.dbPath})`, {
      port,
      db: config.dbPath,
    });
    try {
      const { quality } = store.readiness();
      log.info(`ready: serving etl run ${quality.etlRunId} of ${quality.finishedAt}`);
    } catch (error) {
      log.warn(
        `not ready yet: ${(error as Error).message}; /ready answers 503 until a database is loaded`,
      );
    }
    await untilAborted(signal);
    const stoppedBy = stopReason(signal);
    log.info(`${stoppedBy}: finishing in-flight requests (up to ${config.shutdownMs} ms)`);
    await shutdown(server, config.shutdownMs, log, () => store.close());
    await accessLog.flushFile();
    log.info("stopped");
    return { port, stoppedBy };
  },
});
