/**
 * Large CSV files as a library (`npm run profile`, `npm run worker`, the console's `/files`;
 * reference: docs/files.md).
 *
 * @example
 * import { processFile, profileFile, createJobSystem } from "empresa-etl/files";
 *
 * // The profile alone (any CSV; types, counts, exact statistics and quantiles):
 * const profile = await profileFile("export.csv", { onProgress: (p) => console.log(p.rowsProcessed) });
 * // The profile and the three Parquet files:
 * const { outputs } = await processFile("export.csv", { outDir: "resultados" });
 * // The jobs behind the console (embedded queue; BullMQ with `redisUrl`):
 * const jobs = await createJobSystem({ controlDb: "database/control.db", tempDir: "temp", resultsDir: "resultados" });
 */

export {
  createJobSystem,
  FileConsumedError,
  FileInUseError,
  FileJobError,
  type FileRegistry,
  type JobSystem,
  type JobSystemOptions,
  QUEUE_NAME,
  RedisUnreachableError,
  type SweepReport,
  startFileWorker,
  UnknownFileError,
} from "./jobs/index.js";
export { workerCommand } from "./jobs/worker-command.js";
export { outputBaseName } from "./outputs/name.js";
export { writeOutputs } from "./outputs/parquet.js";
export { PROFILE_JSON, type ProcessOptions, type ProcessResult, processFile } from "./process.js";
export {
  type CsvBytes,
  DEFAULT_CHUNK_SIZE,
  profileFile,
  SAMPLE_ROWS,
  sniffCsv,
} from "./profile/index.js";
export { type ProfileCommandResult, profileCommand } from "./profile-command.js";
export type * from "./types.js";
