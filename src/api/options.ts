import type { CommandConfig } from "../cli/command.js";
import { dbPathOption, hostOption, portOption } from "../cli/options.js";
import type { OptionSpecs } from "../config.js";
import { ACCESS_LOG_MODES } from "./access-log.js";

const oneOf = (allowed: readonly string[]) => (value: string) =>
  allowed.includes(value.toLowerCase())
    ? undefined
    : `must be one of ${allowed.join(", ")}, got ${JSON.stringify(value.slice(0, 40))}`;

/**
 * The options of `npm run api`: flags, environment variables, defaults. The log settings
 * (`LOG_LEVEL`, `LOG_DIR`, `LOG_MAX_SIZE_MB`, `LOG_MAX_FILES`) are every command's
 * (`LOG_OPTIONS` in src/cli/options.ts), added by the CLI edge.
 */
export const API_OPTIONS = {
  port: portOption("PORT", 5000),
  host: hostOption("HOST", "Address to listen on (0.0.0.0 for every interface)"),
  dbPath: dbPathOption("SQLite database to serve (opened read-only)"),
  shutdownMs: {
    type: "number",
    env: "SHUTDOWN_TIMEOUT_MS",
    default: 10000,
    min: 0,
    max: 3_600_000,
    integer: true,
    help: "How long in-flight requests may run after SIGTERM/SIGINT, in ms",
  },
  accessLog: {
    type: "string",
    env: "ACCESS_LOG",
    default: "sample",
    check: oneOf(ACCESS_LOG_MODES),
    help: "Request lines in logs/api-access.log: off, sample (one in ACCESS_LOG_SAMPLE) or all; 5xx and slow requests are always logged",
  },
  accessLogSample: {
    type: "number",
    env: "ACCESS_LOG_SAMPLE",
    default: 100,
    min: 1,
    max: 1_000_000,
    integer: true,
    help: "With ACCESS_LOG=sample, log one request in N (the 1st, the N+1st, …)",
  },
  slowMs: {
    type: "number",
    env: "ACCESS_LOG_SLOW_MS",
    default: 1000,
    min: 0,
    max: 3_600_000,
    help: "A request taking at least this many ms is always logged",
  },
  cacheEntries: {
    type: "number",
    env: "SUMMARY_CACHE_ENTRIES",
    default: 1000,
    min: 0,
    max: 1_000_000,
    integer: true,
    help: "Summary answers kept in memory (least recently used out first; 0: none)",
  },
} satisfies OptionSpecs;

/** The resolved options of `npm run api`, the log settings included. */
export type ApiConfig = CommandConfig<typeof API_OPTIONS>;
