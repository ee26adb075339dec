import type { ReasonCode } from "./normalize/result.js";
import type { Delimiter, Encoding } from "./read/sniff.js";
import type { TableName } from "./tables.js";

/** What happened to one input file in a run. */
export interface FileReport {
  table: TableName;
  file: string;
  sha256: string;
  bytes: number;
  encoding: Encoding;
  delimiter: Delimiter;
  read: number;
  loaded: number;
  rejected: number;
  reasons: Partial<Record<ReasonCode, number>>;
  extraColumns: string[];
  /**
   * Records (the header included) of a UTF-8 file read as Windows-1252 because they hold
   * bytes that are not UTF-8 (contract v1.1).
   */
  recodedRecords: number;
  startedAt: string;
  finishedAt: string;
}

export interface EtlReport {
  runId: string;
  dataDir: string;
  dbPath: string;
  startedAt: string;
  finishedAt: string;
  files: FileReport[];
}

/** The `--json` document of `npm run etl` (contract section 5), plus a few extra facts. */
export function reportJson(report: EtlReport): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const file of report.files) {
    files[file.table] = {
      read: file.read,
      loaded: file.loaded,
      rejected: file.rejected,
      reasons: file.reasons,
      recoded_records: file.recodedRecords,
      file: file.file,
      encoding: file.encoding,
      delimiter: file.delimiter,
      sha256: file.sha256,
    };
  }
  return {
    run_id: report.runId,
    status: "ok",
    db: report.dbPath,
    started_at: report.startedAt,
    finished_at: report.finishedAt,
    files,
  };
}

/** One readable summary line for a file. */
export function summaryLine(file: FileReport): string {
  const reasons = Object.entries(file.reasons)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(", ");
  const recoded = file.recodedRecords;
  const recodedNote =
    recoded > 0 ? `; ${recoded} record${recoded > 1 ? "s" : ""} read as Windows-1252` : "";
  return `${file.file}: read ${file.read}, loaded ${file.loaded}, rejected ${file.rejected}${reasons ? ` (${reasons})` : ""}${recodedNote}`;
}
