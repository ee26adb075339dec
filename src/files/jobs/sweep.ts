import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { describeError } from "../../errors.js";
import { type JobLog, removeDir } from "./common.js";
import type { JobStore } from "./store.js";

export interface SweepReport {
  /** Temp copies of uploads never processed, older than `TEMP_TTL`. */
  temp_files: number;
  /** Upload rows whose temp copy is gone (removed by the sweep or by hand). */
  uploads: number;
  /** Job folders older than `RESULTS_TTL`. */
  results_dirs: number;
}

export interface SweepOptions {
  store: JobStore;
  tempDir: string;
  resultsDir: string;
  tempTtlMs: number;
  resultsTtlMs: number;
  log: JobLog;
}

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Last modified, in ms since the epoch; undefined when it is gone. */
async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Removes what has outlived its time: temp copies older than `tempTtlMs` (by modification
 * time) that no queued or processing job needs, with their upload rows, and job folders in
 * `RESULTS_DIR` older than `resultsTtlMs` whose job is not running (the job's record stays,
 * without outputs).
 */
export async function sweep(options: SweepOptions): Promise<SweepReport> {
  const { store, tempDir, resultsDir, log } = options;
  const report: SweepReport = { temp_files: 0, uploads: 0, results_dirs: 0 };
  const now = Date.now();
  const busy = (fileId: string) => store.activeJobFor(fileId) !== undefined;

  for (const entry of await entries(tempDir)) {
    if (!entry.isFile()) continue;
    const path = join(tempDir, entry.name);
    const mtime = await mtimeOf(path);
    if (mtime === undefined || now - mtime <= options.tempTtlMs || busy(entry.name)) continue;
    try {
      await rm(path, { force: true });
      report.temp_files += 1;
      store.deleteUpload(entry.name);
    } catch (error) {
      log.warn(`sweep: cannot remove ${path}: ${describeError(error)}`);
    }
  }
  // Upload rows whose temp copy is gone and that no job waits for.
  for (const upload of store.uploads()) {
    if (busy(upload.file_id)) continue;
    if ((await mtimeOf(join(tempDir, upload.file_id))) !== undefined) continue;
    store.deleteUpload(upload.file_id);
    report.uploads += 1;
  }

  for (const entry of await entries(resultsDir)) {
    if (!entry.isDirectory()) continue;
    const path = join(resultsDir, entry.name);
    const mtime = await mtimeOf(path);
    if (mtime === undefined || now - mtime <= options.resultsTtlMs) continue;
    const job = store.row(entry.name);
    if (job && (job.state === "queued" || job.state === "processing")) continue;
    try {
      await removeDir(path);
      report.results_dirs += 1;
      if (job) store.expire(job.job_id);
    } catch (error) {
      log.warn(`sweep: cannot remove ${path}: ${describeError(error)}`);
    }
  }
  if (report.temp_files || report.uploads || report.results_dirs)
    log.info(
      `sweep: removed ${report.temp_files} temp files, ${report.uploads} upload records, ${report.results_dirs} result folders`,
    );
  return report;
}
