import { randomUUID } from "node:crypto";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../log.js";
import type { JobEvent, JobRecord, StoredFile } from "../types.js";
import { FileConsumedError, FileInUseError, UnknownFileError } from "./errors.js";
import type { Backend, JobStore } from "./store.js";

export type JobLog = Pick<Logger, "info" | "warn" | "error" | "debug">;

export const silentLog: JobLog = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
} as unknown as JobLog;

/** An id that is safe as a file name: letters, digits, `_`, `-` and `.` (not `.` or `..`). */
export function checkId(id: string, what: string): string {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(id) || id === "." || id === "..")
    throw new UnknownFileError(id, `not a valid ${what} id`);
  return id;
}

/** Where an upload's temp copy lives: `TEMP_DIR/file_id`. */
export function tempPathOf(tempDir: string, fileId: string): string {
  return join(tempDir, checkId(fileId, "file"));
}

/** Where a job's outputs go: `RESULTS_DIR/job_id`. */
export function resultDirOf(resultsDir: string, jobId: string): string {
  return join(resultsDir, checkId(jobId, "job"));
}

/** Removes a folder and what is in it; a folder already gone is fine. */
export function removeDir(path: string): Promise<void> {
  return rm(path, { recursive: true, force: true, maxRetries: 3 });
}

/** Listeners of each job's events; a listener that throws does not stop the others. */
export class JobEvents {
  private readonly listeners = new Map<string, Set<(event: JobEvent) => void>>();

  constructor(private readonly log: JobLog) {}

  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    let set = this.listeners.get(jobId);
    if (!set) {
      set = new Set();
      this.listeners.set(jobId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(jobId) === set) this.listeners.delete(jobId);
    };
  }

  emit(type: JobEvent["type"], job: JobRecord | undefined): void {
    if (!job) return;
    for (const listener of [...(this.listeners.get(job.job_id) ?? [])]) {
      try {
        listener({ type, job });
      } catch (error) {
        this.log.warn(`a listener of job ${job.job_id} failed: ${String(error)}`);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/**
 * Creates a job for an upload, `queued`: refused when the upload is unknown or its temp copy
 * gone (`UnknownFileError`), already has a job in progress (`FileInUseError`) or had one
 * that ended, taking the temp copy with it (`FileConsumedError`).
 */
export async function createJobRow(
  store: JobStore,
  tempDir: string,
  file: StoredFile,
  backend: Backend,
): Promise<string> {
  const path = tempPathOf(tempDir, file.file_id);
  const refuseIfTaken = () => {
    const latest = store.latestJobFor(file.file_id);
    if (!latest) return;
    if (latest.state === "queued" || latest.state === "processing")
      throw new FileInUseError(file.file_id, latest.job_id);
    throw new FileConsumedError(file.file_id, latest.job_id);
  };
  refuseIfTaken();
  let bytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UnknownFileError(file.file_id, "its temp copy is not a file");
    bytes = info.size;
  } catch (error) {
    if (error instanceof UnknownFileError) throw error;
    throw new UnknownFileError(file.file_id, "its temp copy is gone (removed after TEMP_TTL?)");
  }
  const jobId = randomUUID();
  store.db
    .transaction(() => {
      refuseIfTaken(); // another request may have created one while we looked at the file
      if (!store.upload(file.file_id)) store.addUpload(file);
      store.insertJob({
        job_id: jobId,
        file_id: file.file_id,
        name: file.name,
        backend,
        total_bytes: bytes,
      });
    })
    .immediate();
  return jobId;
}

/** A job ended: its upload's temp copy and upload row go (the contract's cleanup). */
export async function removeTempCopy(
  store: JobStore,
  tempDir: string,
  fileId: string,
): Promise<void> {
  await rm(tempPathOf(tempDir, fileId), { force: true });
  store.deleteUpload(fileId);
}
