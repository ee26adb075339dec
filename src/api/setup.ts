import type { Hono } from "hono";
import { LOG_OPTIONS } from "../cli/options.js";
import { parseCommand } from "../config.js";
import { createLogger, type Logger, parseLevel } from "../log.js";
import type { AccessLogMode } from "./access-log.js";
import { createApp } from "./app.js";
import { API_OPTIONS, type ApiConfig } from "./options.js";
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
export function setupApi(config: ApiSetupConfig, context: ApiContext): ApiParts;
/**
 * @deprecated Transitional, while `src/api/cli.ts` still calls `setupApi(dbPath, version)`:
 * reads the other settings from the command line, the environment and `.env` through the
 * same option specs, and logs diagnostics with the request lines. Use `apiCommand`.
 */
export function setupApi(dbPath: string, version: string): ApiParts;
export function setupApi(
  configOrPath: ApiSetupConfig | string,
  contextOrVersion: ApiContext | string,
): ApiParts {
  if (typeof configOrPath === "string") return legacySetup(configOrPath, String(contextOrVersion));
  const config = configOrPath;
  const { log, version } = contextOrVersion as ApiContext;
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

/** The deprecated `setupApi(dbPath, version)`. */
function legacySetup(dbPath: string, version: string): ApiParts {
  const { config } = parseCommand(
    { name: "api", summary: "", options: { ...LOG_OPTIONS, ...API_OPTIONS } },
    process.argv.slice(2),
  );
  const level = parseLevel(config.logLevel);
  // One logger (one rotating stream) per file: diagnostics share the request lines' file
  // rather than opening a second stream on the command's api.log.
  const accessLog = createLogger("api", {
    dir: config.logDir,
    file: "api-access",
    level: ["debug", "silly", "verbose"].includes(level) ? level : "http",
    consoleLevel: level,
    maxSizeMb: config.logMaxSizeMb,
    maxFiles: config.logMaxFiles,
  });
  const parts = assemble({ ...config, dbPath }, accessLog, accessLog, version);
  // The caller closes the store at shutdown and awaits only its own log: start writing
  // out the request lines then.
  const close = parts.store.close.bind(parts.store);
  parts.store.close = () => {
    close();
    void accessLog.flushFile();
  };
  return parts;
}
