/**
 * The shapes shared by the large-CSV system (`../shared/contracts/files.md`): the profile a
 * run computes, the stored upload, the job record the API returns and the queue that runs
 * jobs. Domain field names stay in Spanish, as in the contract and the Parquet files.
 */

export type ColumnType = "integer" | "decimal" | "boolean" | "date" | "datetime" | "text" | "empty";
export type FileEncoding = "utf-8" | "windows-1252";
export type FileDelimiter = "," | ";";

/** `NAME_resumen.parquet`: one row describing the file. */
export interface Resumen {
  archivo: string;
  bytes: number;
  encoding: FileEncoding;
  delimitador: FileDelimiter;
  /** The rows profiled (malformed ones not included). */
  filas: number;
  columnas: number;
  filas_malformadas: number;
  memoria_estimada_bytes: number;
  duracion_s: number;
  /** ISO 8601 UTC, e.g. `2026-11-23T02:00:00.000Z` (a TIMESTAMP in Parquet). */
  procesado_en: string;
}

/** `NAME_columnas.parquet`: one row per column. */
export interface Columna {
  posicion: number;
  nombre: string;
  tipo: ColumnType;
  no_nulos: number;
  nulos: number;
  unicos: number;
  unicos_aproximado: boolean;
  minimo: string | null;
  maximo: string | null;
  media: number | null;
  desviacion: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  longitud_min: number | null;
  longitud_max: number | null;
  /** JSON text: up to 5 `[value, count]`, most frequent first. */
  top_valores: string;
}

/** A numeric column's histogram, for the console's small charts (not in the Parquet files). */
export interface Histogram {
  /** `counts.length + 1` bin edges, ascending. */
  edges: number[];
  counts: number[];
}

/**
 * `NAME_muestra.parquet`: the first 1,000 data rows as text; the writer types each column
 * by `columnas[i].tipo` (a value that does not fit its type is written as null).
 */
export interface Muestra {
  rows: (string | null)[][];
}

/** Everything one run computes. */
export interface Profile {
  resumen: Resumen;
  columnas: Columna[];
  muestra: Muestra;
  /** By column name: numeric columns only. */
  histogramas: Record<string, Histogram>;
}

/** What the profile endpoint and `profile.json` hold (the sample lives only in Parquet). */
export type ProfileDocument = Omit<Profile, "muestra">;

export interface ProfileProgress {
  rowsProcessed: number;
  bytesProcessed: number;
  totalBytes: number;
}

export interface ProfileOptions {
  /** Rows per chunk (`CHUNK_SIZE`, default 10,000): progress is reported after each. */
  chunkSize?: number;
  /** The name shown in `resumen.archivo` (default: the path's base name). */
  name?: string;
  signal?: AbortSignal;
  onProgress?: (progress: ProfileProgress) => void;
  /** Threads reading parts of a large file at once (default: the cores, at most 4). */
  threads?: number;
}

export type OutputName = "resumen" | "columnas" | "muestra";
export type OutputPaths = Record<OutputName, string>;

/** An upload kept in `TEMP_DIR` under its id. */
export interface StoredFile {
  file_id: string;
  /** The original file name, only shown, never used as a path. */
  name: string;
  bytes: number;
  encoding: FileEncoding;
  delimiter: FileDelimiter;
  columns: string[];
  created_at: string;
}

export type JobState = "queued" | "processing" | "completed" | "failed" | "cancelled";

/** `GET /api/jobs/:id` */
export interface JobRecord {
  job_id: string;
  file_id: string;
  name: string;
  state: JobState;
  rows_processed: number;
  bytes_processed: number;
  total_bytes: number;
  percent: number;
  rows_per_s: number | null;
  eta_s: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  /** URLs, present once the job is completed (else null). */
  outputs: Record<OutputName, string> | null;
}

export type JobEvent = { type: "progress" | "state"; job: JobRecord };

/**
 * Where jobs run: the embedded queue (control database + worker threads) or BullMQ on
 * Redis. The HTTP routes and the page see only this.
 */
export interface JobQueue {
  readonly kind: "embedded" | "bullmq";
  enqueue(file: StoredFile): Promise<JobRecord>;
  get(jobId: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(): Promise<JobRecord[]>;
  /** Cancels a queued or processing job (its partial outputs removed); undefined if unknown. */
  cancel(jobId: string): Promise<JobRecord | undefined>;
  /** Progress (at most 4 a second) and state events of one job; returns the unsubscribe. */
  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void;
  close(): Promise<void>;
}
