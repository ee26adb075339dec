import type Sqlite from "better-sqlite3";
import { type ControlDatabase, ensureSchema } from "../../control/db.js";
import type {
  FileDelimiter,
  FileEncoding,
  JobRecord,
  JobState,
  OutputName,
  StoredFile,
} from "../types.js";

/** The file system's tables in the control database (`CONTROL_DB`). */
export const FILES_DDL = `
CREATE TABLE IF NOT EXISTS file_uploads (
  file_id     TEXT PRIMARY KEY,
  name        TEXT NOT NULL,     -- the original name, only shown
  bytes       INTEGER NOT NULL,
  encoding    TEXT NOT NULL,
  delimiter   TEXT NOT NULL,
  columns     TEXT NOT NULL,     -- JSON array of the header's names
  created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS file_jobs (
  job_id          TEXT PRIMARY KEY,
  file_id         TEXT NOT NULL,
  name            TEXT NOT NULL,
  backend         TEXT NOT NULL,   -- embedded, bullmq
  state           TEXT NOT NULL CHECK (state IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  rows_processed  INTEGER NOT NULL DEFAULT 0,
  bytes_processed INTEGER NOT NULL DEFAULT 0,
  total_bytes     INTEGER NOT NULL,
  rows_per_s      REAL,
  eta_s           REAL,
  created_at      TEXT NOT NULL,
  started_at      TEXT,
  finished_at     TEXT,
  error           TEXT,
  outputs         TEXT,            -- JSON {resumen, columnas, muestra}: file names in RESULTS_DIR/job_id
  owner           TEXT,            -- embedded: "pid:instance" of the process running it
  expired_at      TEXT             -- when the sweep removed its results (RESULTS_TTL)
) STRICT;

CREATE INDEX IF NOT EXISTS file_jobs_file ON file_jobs (file_id);
CREATE INDEX IF NOT EXISTS file_jobs_state ON file_jobs (state, created_at);
`;

export type Backend = "embedded" | "bullmq";

export interface JobRow {
  job_id: string;
  file_id: string;
  name: string;
  backend: Backend;
  state: JobState;
  rows_processed: number;
  bytes_processed: number;
  total_bytes: number;
  rows_per_s: number | null;
  eta_s: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  outputs: string | null;
  owner: string | null;
  expired_at: string | null;
}

interface UploadRow {
  file_id: string;
  name: string;
  bytes: number;
  encoding: string;
  delimiter: string;
  columns: string;
  created_at: string;
}

/** What a progress report sets on a processing job. */
export interface ProgressFields {
  rows_processed: number;
  bytes_processed: number;
  rows_per_s: number | null;
  eta_s: number | null;
}

/** The output files of a completed job: names inside `RESULTS_DIR/job_id`. */
export type OutputFiles = Record<OutputName, string>;

export const ACTIVE_STATES: readonly JobState[] = ["queued", "processing"];

const now = () => new Date().toISOString();

/** Builds the URL of a job's output (`/api/jobs/:id/outputs/:name` unless told otherwise). */
export type UrlFor = (jobId: string, name: OutputName) => string;

export const defaultUrlFor: UrlFor = (jobId, name) =>
  `/api/jobs/${encodeURIComponent(jobId)}/outputs/${name}`;

/** `percent`: bytes processed over the file's size, 100 once completed; one decimal. */
export function percentOf(row: Pick<JobRow, "state" | "bytes_processed" | "total_bytes">): number {
  if (row.state === "completed") return 100;
  if (row.total_bytes <= 0) return 0;
  return Math.min(100, Math.round((row.bytes_processed / row.total_bytes) * 1000) / 10);
}

/**
 * The jobs and uploads of the large-CSV system in the control database. Every state change
 * is a guarded `UPDATE … WHERE state IN (…)`: an event that arrives late (a worker's
 * `completed` after the job was cancelled) changes nothing, and the caller learns so.
 */
export class JobStore {
  private readonly statements: {
    insertJob: Sqlite.Statement;
    job: Sqlite.Statement;
    list: Sqlite.Statement;
    activeFor: Sqlite.Statement;
    latestFor: Sqlite.Statement;
    claim: Sqlite.Statement;
    start: Sqlite.Statement;
    progress: Sqlite.Statement;
    complete: Sqlite.Statement;
    fail: Sqlite.Statement;
    cancel: Sqlite.Statement;
    requeue: Sqlite.Statement;
    unfinished: Sqlite.Statement;
    expire: Sqlite.Statement;
    deleteJob: Sqlite.Statement;
    insertUpload: Sqlite.Statement;
    upload: Sqlite.Statement;
    uploads: Sqlite.Statement;
    deleteUpload: Sqlite.Statement;
  };

  constructor(
    readonly db: ControlDatabase,
    private readonly urlFor: UrlFor = defaultUrlFor,
  ) {
    ensureSchema(db, "files", FILES_DDL);
    this.statements = {
      insertJob: db.prepare(
        `INSERT INTO file_jobs (job_id, file_id, name, backend, state, total_bytes, created_at)
         VALUES (@job_id, @file_id, @name, @backend, 'queued', @total_bytes, @created_at)`,
      ),
      job: db.prepare("SELECT * FROM file_jobs WHERE job_id = ?"),
      list: db.prepare("SELECT * FROM file_jobs ORDER BY created_at DESC, rowid DESC"),
      activeFor: db.prepare(
        "SELECT * FROM file_jobs WHERE file_id = ? AND state IN ('queued', 'processing') LIMIT 1",
      ),
      latestFor: db.prepare(
        "SELECT * FROM file_jobs WHERE file_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
      ),
      claim: db.prepare(
        `UPDATE file_jobs SET state = 'processing', started_at = @at, owner = @owner,
           rows_processed = 0, bytes_processed = 0, rows_per_s = NULL, eta_s = NULL
         WHERE job_id = (SELECT job_id FROM file_jobs WHERE state = 'queued' AND backend = @backend
                         ORDER BY created_at, rowid LIMIT 1)
           AND state = 'queued'
         RETURNING *`,
      ),
      start: db.prepare(
        `UPDATE file_jobs SET state = 'processing', started_at = @at,
           rows_processed = 0, bytes_processed = 0, rows_per_s = NULL, eta_s = NULL
         WHERE job_id = @job_id AND state IN ('queued', 'processing')`,
      ),
      progress: db.prepare(
        `UPDATE file_jobs SET rows_processed = @rows_processed, bytes_processed = @bytes_processed,
           rows_per_s = @rows_per_s, eta_s = @eta_s
         WHERE job_id = @job_id AND state = 'processing'`,
      ),
      complete: db.prepare(
        `UPDATE file_jobs SET state = 'completed', finished_at = @at, rows_processed = @rows,
           bytes_processed = total_bytes, rows_per_s = @rows_per_s, eta_s = 0, outputs = @outputs,
           error = NULL, owner = NULL
         WHERE job_id = @job_id AND state IN ('queued', 'processing')`,
      ),
      fail: db.prepare(
        `UPDATE file_jobs SET state = 'failed', finished_at = @at, error = @error, eta_s = NULL,
           owner = NULL
         WHERE job_id = @job_id AND state IN ('queued', 'processing')`,
      ),
      cancel: db.prepare(
        `UPDATE file_jobs SET state = 'cancelled', finished_at = @at, eta_s = NULL, owner = NULL
         WHERE job_id = @job_id AND state IN ('queued', 'processing')`,
      ),
      requeue: db.prepare(
        `UPDATE file_jobs SET state = 'queued', started_at = NULL, owner = NULL,
           rows_processed = 0, bytes_processed = 0, rows_per_s = NULL, eta_s = NULL
         WHERE job_id = @job_id AND state IN ('queued', 'processing')`,
      ),
      unfinished: db.prepare(
        `SELECT * FROM file_jobs WHERE backend = ? AND state IN ('queued', 'processing')
         ORDER BY created_at, rowid`,
      ),
      expire: db.prepare(
        "UPDATE file_jobs SET expired_at = @at WHERE job_id = @job_id AND expired_at IS NULL",
      ),
      deleteJob: db.prepare("DELETE FROM file_jobs WHERE job_id = ?"),
      insertUpload: db.prepare(
        `INSERT OR REPLACE INTO file_uploads (file_id, name, bytes, encoding, delimiter, columns, created_at)
         VALUES (@file_id, @name, @bytes, @encoding, @delimiter, @columns, @created_at)`,
      ),
      upload: db.prepare("SELECT * FROM file_uploads WHERE file_id = ?"),
      uploads: db.prepare("SELECT * FROM file_uploads"),
      deleteUpload: db.prepare("DELETE FROM file_uploads WHERE file_id = ?"),
    };
  }

  // ── Jobs ────────────────────────────────────────────────────────────────────────────

  insertJob(job: {
    job_id: string;
    file_id: string;
    name: string;
    backend: Backend;
    total_bytes: number;
  }): void {
    this.statements.insertJob.run({ ...job, created_at: now() });
  }

  row(jobId: string): JobRow | undefined {
    return this.statements.job.get(jobId) as JobRow | undefined;
  }

  record(jobId: string): JobRecord | undefined {
    const row = this.row(jobId);
    return row && this.toRecord(row);
  }

  list(): JobRecord[] {
    return (this.statements.list.all() as JobRow[]).map((row) => this.toRecord(row));
  }

  /** The queued or processing job of an upload, if any. */
  activeJobFor(fileId: string): JobRow | undefined {
    return this.statements.activeFor.get(fileId) as JobRow | undefined;
  }

  /** The newest job of an upload, whatever its state. */
  latestJobFor(fileId: string): JobRow | undefined {
    return this.statements.latestFor.get(fileId) as JobRow | undefined;
  }

  unfinished(backend: Backend): JobRow[] {
    return this.statements.unfinished.all(backend) as JobRow[];
  }

  /** Takes the oldest queued job of `backend` for `owner`: now `processing`. */
  claimNext(backend: Backend, owner: string): JobRow | undefined {
    return this.statements.claim.get({ backend, owner, at: now() }) as JobRow | undefined;
  }

  /** A (new) attempt started: `processing`, progress from zero. */
  start(jobId: string): boolean {
    return this.statements.start.run({ job_id: jobId, at: now() }).changes > 0;
  }

  progress(jobId: string, fields: ProgressFields): boolean {
    return this.statements.progress.run({ job_id: jobId, ...fields }).changes > 0;
  }

  complete(
    jobId: string,
    result: { rows: number; rows_per_s: number | null; outputs: OutputFiles },
  ): boolean {
    return (
      this.statements.complete.run({
        job_id: jobId,
        at: now(),
        rows: result.rows,
        rows_per_s: result.rows_per_s,
        outputs: JSON.stringify(result.outputs),
      }).changes > 0
    );
  }

  fail(jobId: string, error: string): boolean {
    return this.statements.fail.run({ job_id: jobId, at: now(), error }).changes > 0;
  }

  cancel(jobId: string): boolean {
    return this.statements.cancel.run({ job_id: jobId, at: now() }).changes > 0;
  }

  /** Back to `queued` (an interrupted run), progress from zero. */
  requeue(jobId: string): boolean {
    return this.statements.requeue.run({ job_id: jobId }).changes > 0;
  }

  /** The sweep removed the job's results: its outputs are no longer offered. */
  expire(jobId: string): void {
    this.statements.expire.run({ job_id: jobId, at: now() });
  }

  /** Forgets a job that never reached its queue. */
  deleteJob(jobId: string): void {
    this.statements.deleteJob.run(jobId);
  }

  /** The output files of a completed job whose results are still there. */
  outputFiles(jobId: string): OutputFiles | undefined {
    const row = this.row(jobId);
    if (row?.state !== "completed" || row.expired_at || !row.outputs) return undefined;
    return JSON.parse(row.outputs) as OutputFiles;
  }

  toRecord(row: JobRow): JobRecord {
    const files = row.state === "completed" && !row.expired_at && row.outputs !== null;
    return {
      job_id: row.job_id,
      file_id: row.file_id,
      name: row.name,
      state: row.state,
      rows_processed: row.rows_processed,
      bytes_processed: row.bytes_processed,
      total_bytes: row.total_bytes,
      percent: percentOf(row),
      rows_per_s: row.rows_per_s,
      eta_s: row.eta_s,
      created_at: row.created_at,
      started_at: row.started_at,
      finished_at: row.finished_at,
      error: row.error,
      outputs: files
        ? {
            resumen: this.urlFor(row.job_id, "resumen"),
            columnas: this.urlFor(row.job_id, "columnas"),
            muestra: this.urlFor(row.job_id, "muestra"),
          }
        : null,
    };
  }

  // ── Uploads ─────────────────────────────────────────────────────────────────────────

  addUpload(file: StoredFile): void {
    this.statements.insertUpload.run({ ...file, columns: JSON.stringify(file.columns) });
  }

  upload(fileId: string): StoredFile | undefined {
    const row = this.statements.upload.get(fileId) as UploadRow | undefined;
    return row && toStoredFile(row);
  }

  uploads(): StoredFile[] {
    return (this.statements.uploads.all() as UploadRow[]).map(toStoredFile);
  }

  deleteUpload(fileId: string): void {
    this.statements.deleteUpload.run(fileId);
  }
}

function toStoredFile(row: UploadRow): StoredFile {
  return {
    file_id: row.file_id,
    name: row.name,
    bytes: row.bytes,
    encoding: row.encoding as FileEncoding,
    delimiter: row.delimiter as FileDelimiter,
    columns: JSON.parse(row.columns) as string[],
    created_at: row.created_at,
  };
}
