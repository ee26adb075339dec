import { runCommand } from "../cli/command.js";
import { UsageError } from "../errors.js";
import { packageVersion } from "../version.js";
import { API_OPTIONS as options } from "./options.js";
import { listen, shutdown } from "./server.js";
import { setupApi } from "./setup.js";

const version = packageVersion();

await runCommand({
  name: "api",
  summary:
    "Serves GET /ventas/resumen_por_categoria (and /health, /ready, /openapi.json, /docs) over the\n" +
    "sales database, read-only, always answering from the last committed ETL run.\n" +
    "SIGTERM or SIGINT: stop accepting, finish in-flight requests, close the database, exit 0.",
  options,
  logFile: "api",
  async run({ config, positionals }, { log }) {
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}" (see --help)`);
    if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535)
      throw new UsageError(`--port must be 0-65535, got ${config.port}`);
    // Request logs (level http) go to logs/api.log in batches; stderr shows info and above.
    const { app, store } = setupApi(config.dbPath, version);
    const { server, port } = await listen(app, config.port, config.host);
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
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    });
    log.info(`${signal}: finishing in-flight requests (up to ${config.shutdownMs} ms)`);
    await shutdown(server, config.shutdownMs, log, () => store.close());
    log.info("stopped");
    return 0;
  },
});
