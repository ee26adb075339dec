import type { OptionSpecs } from "../../config.js";
import { parseDuration } from "../../scheduler/duration.js";

const DAYS = /^(\d{1,6})d$/;

/**
 * Milliseconds of a retention period: the scheduler's durations (`500ms`, `30s`, `30m`,
 * `24h`) plus whole days (`7d`); undefined when it is not one.
 *
 * @example
 * parseTtl("7d"); // 604800000
 */
export function parseTtl(text: string): number | undefined {
  const days = DAYS.exec(text.trim());
  if (days) return Number(days[1]) * 86_400_000;
  return parseDuration(text);
}

/** Why a retention period is refused (for option specs), or undefined. */
export function ttlProblem(text: string): string | undefined {
  const ms = parseTtl(text);
  if (ms === undefined)
    return `"${text}" is not a duration (a whole number and a unit: 30m, 24h, 7d)`;
  if (ms <= 0) return `"${text}": must be longer than zero`;
  return undefined;
}

/**
 * The large-CSV settings of the console (`npm run ui`): where uploads and results go, the
 * size limit, the queue and the retention periods (`../shared/contracts/files.md`).
 */
export const FILES_OPTIONS = {
  tempDir: {
    type: "string",
    env: "TEMP_DIR",
    default: "temp",
    arg: "DIR",
    help: "Folder of the uploaded CSV files (/files), kept until their job ends or TEMP_TTL",
  },
  resultsDir: {
    type: "string",
    env: "RESULTS_DIR",
    default: "resultados",
    arg: "DIR",
    help: "Folder of the file jobs' results: JOB_ID/NAME_resumen.parquet etc.",
  },
  maxFileSizeMb: {
    type: "number",
    env: "MAX_FILE_SIZE_MB",
    default: 200,
    min: 0.001,
    max: 1_048_576,
    help: "Largest CSV upload accepted on /files, in MiB (larger: 413)",
  },
  chunkSize: {
    type: "number",
    env: "CHUNK_SIZE",
    default: 10000,
    min: 1,
    max: 10_000_000,
    integer: true,
    help: "Rows a file job reads per chunk (progress is reported after each)",
  },
  jobConcurrency: {
    type: "number",
    env: "JOB_CONCURRENCY",
    default: 1,
    min: 1,
    max: 64,
    integer: true,
    help: "File jobs running at once on the console's worker threads (no REDIS_URL)",
  },
  redisUrl: {
    type: "string",
    env: "REDIS_URL",
    arg: "URL",
    secret: true,
    help: "Redis for the file jobs' BullMQ queue (npm run worker processes them); none: embedded",
  },
  tempTtl: {
    type: "string",
    env: "TEMP_TTL",
    default: "24h",
    arg: "DURATION",
    check: ttlProblem,
    help: "An upload never processed is removed after this long (30m, 24h, 7d)",
  },
  resultsTtl: {
    type: "string",
    env: "RESULTS_TTL",
    default: "7d",
    arg: "DURATION",
    check: ttlProblem,
    help: "A job's results are removed after this long (30m, 24h, 7d)",
  },
} as const satisfies OptionSpecs;
