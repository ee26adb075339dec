/**
 * empresa-etl as a library: the same functions the commands run.
 *
 * @example
 * import { runEtl, runValidation } from "empresa-etl";
 *
 * await runEtl({ dataDir: "data", dbPath: "database/empresa.db" });
 * const report = await runValidation({ dbPath: "database/empresa.db", asOf: "2025-01-01", thresholds: {} });
 * console.log(report.status); // "attention"
 */
export { createApp, SalesStore } from "./api/index.js";
export { defineCommand, runCli } from "./cli/index.js";
export { AppError, InterruptedError, UsageError } from "./errors.js";
export { etlCommand, runEtl } from "./etl/index.js";
export { defineStep, Pipeline } from "./pipeline/index.js";
export { runUpload } from "./upload/index.js";
export { validateCommand } from "./validation/command.js";
export { RULES } from "./validation/rules.js";
export { runValidation, validationJson } from "./validation/run.js";
