import type { Hono } from "hono";
import { createLogger, type Logger, parseLevel } from "../log.js";
import type { AccessLogMode } from "./access-log.js";
import { createApp } from "./app.js";
import type { ApiConfig } from "./options.js";
import { SalesStore } from "./sales-store.js";

/** What `setupApi` reads from the command's config (`API_OPTIONS` and the log settings). */
export type ApiSetupConfig = Pick<
  ApiConfig,
  | "dbPath"
  | "logLevel"
  | "logDir"
  | "logMaxSizeMb"
  | "logMaxFiles"
  | "accessLog"
  | "accessLogSample"
  | "slowMs"
  | "cacheEntries"
>;

export interface ApiContext {
  /** The command's logger: database problems, unhandled errors, `→` lines at debug. */
  log: Logger;
  /** Shown in the OpenAPI document. */
  version: string;
}

export interface ApiParts {
  app: Hono;
  store: SalesStore;
  /**
   * Request lines (level `http`), as `accessLog` says, in `<logDir>/api-access.log`
   * (rotated like every log file). Call `flushFile()` before the process exits.
   */
  accessLog: Logger;
}

/**
 * The app as `npm run api` serves it, from the command's config: its store (with the
 * configured cache), request lines in their own file through the shared logger (rotation
 * and all), diagnostics to the command's `log`.
 *
 * @example
 * const { app, store, accessLog } = setupApi(config, { log, version: "1.0.0" });
 */
export function setupApi(config: ApiSetupConfig, context: ApiContext): ApiParts {
  const { log, version } = context;
  const accessLog = createLogger("api", {
    dir: config.logDir,
    file: "api-access",
    level: "http",
    consoleLevel: parseLevel(config.logLevel),
    maxSizeMb: config.logMaxSizeMb,
    maxFiles: config.logMaxFiles,
  });
  return assemble(config, log, accessLog, version);
}

function assemble(
  config: ApiSetupConfig,
  log: Logger,
  accessLog: Logger,
  version: string,
): ApiParts {
  const store = new SalesStore(config.dbPath, {
    onError: (error) => log.warn(`database: ${(error as Error).message}`),
    cacheEntries: config.cacheEntries,
  });
  const app = createApp({
    store,
    log,
    accessLog: {
      log: accessLog,
      mode: config.accessLog.toLowerCase() as AccessLogMode,
      sampleEvery: config.accessLogSample,
      slowMs: config.slowMs,
    },
    version,
  });
  return { app, store, accessLog };
}
