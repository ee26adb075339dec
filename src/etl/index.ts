/**
 * The ETL as a library: load the four CSV files into the SQLite database.
 *
 * @example
 * import { runEtl } from "empresa-etl/etl";
 *
 * const report = await runEtl({ dataDir: "data", dbPath: "database/empresa.db" });
 * for (const file of report.files) console.log(file.file, file.loaded, file.rejected);
 */
export { ETL_OPTIONS, etlCommand } from "./command.js";
export type { EtlReport, FileReport } from "./report.js";
export { reportJson } from "./report.js";
export type { EtlOptions, EtlProgress } from "./run.js";
export { runEtl } from "./run.js";
export type { ColumnKind, ColumnSpec, TableName, TableSpec } from "./tables.js";
export { TABLES } from "./tables.js";
