import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import Sqlite from "better-sqlite3";
import { describeError } from "../errors.js";
import { localDay } from "../time.js";
import { EXIT, UploadError } from "./errors.js";
import { type FileHash, sha256File } from "./file.js";
import { checkFresh, checkStable, type FileState, fileState } from "./freshness.js";
import { takeLock } from "./lock.js";
import { UPLOAD_COMMAND } from "./options.js";
import {
  abortOpenUploads,
  describeS3Error,
  headObject,
  isConfigurationError,
  isForbidden,
  isTransient,
  MultipartTracker,
  type StoredObject,
  s3Client,
  uploadFile,
} from "./s3.js";

export interface UploadOptions {
  file: string;
  key?: string;
  dryRun: boolean;
  /** Treat `file` as a SQLite database and upload a consistent copy (backup API). */
  snapshotDb: boolean;
  bucket?: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  forcePathStyle: boolean;
  partSizeMb: number;
  concurrency: number;
  lockDir: string;
  lockStaleMs: number;
  stableMs: number;
  /** Whole-run retries after the first attempt, for transient failures. */
  retries: number;
  retryBaseMs: number;
  requestAttempts: number;
  /** Connection timeout per request (default 10 s). */
  connectTimeoutMs?: number;
  /** Idle-socket timeout per request (default 60 s). */
  socketTimeoutMs?: number;
  /** Timeout per request, from its start to the response head (default 5 min). */
  requestTimeoutMs?: number;
  /**
   * The whole run is aborted (exit 6, nothing left behind) this long after it started.
   * Default: 15 minutes plus 2 s per MB of the file, at most 20 hours (see `defaultDeadlineMs`).
   */
  deadlineMs?: number;
  /** On abort, how long requests in flight are waited for before they are cancelled (default 5 s). */
  abortWaitMs?: number;
  timeZone?: string;
  now?: () => Date;
  /**
   * The file's hash, started before the run (the command starts it first thing). Used only
   * if the file is unchanged since; else the run stops with exit 4, as for a file that
   * changes during the stability window. Ignored with `snapshotDb`.
   */
  prehashed?: Promise<FileHash>;
  /**
   * Aborts the run (the command aborts it on SIGTERM/SIGINT): it stops at once, waits at
   * most `abortWaitMs` for requests in flight, aborts its multipart upload, releases its
   * locks and rejects with exit 6.
   */
  signal?: AbortSignal;
  onProgress?: (loaded: number, total: number) => void;
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export interface UploadOutcome {
  outcome: "uploaded" | "already_uploaded" | "dry_run";
  bucket: string;
  key: string;
  bytes: number;
  parts: number;
  sha256: string;
  attempts: number;
  /** Things the caller should pass on as warnings (e.g. a pre-check refused with 403). */
  notes: string[];
}

const MB = 1024 * 1024;

function required(value: string | undefined, name: string): string {
  if (!value)
    throw new UploadError(
      EXIT.usage,
      "config",
      `${name} is not set (see npm run upload -- --help)`,
    );
  return value;
}

/** `S3_PREFIX/YYYY/MM/DD/<file name>` for the day of the run (local time, or TZ). */
export function defaultKey(prefix: string, name: string, now: Date, timeZone?: string): string {
  const day = localDay(now, timeZone).replaceAll("-", "/");
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return `${trimmed ? `${trimmed}/` : ""}${day}/${name}`;
}

interface PreparedFile {
  /** What is uploaded: the file itself, or its snapshot. */
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * The file as it will be uploaded, with its SHA-256: a consistent copy of the database
 * made with SQLite's backup API into `snapshotDir`, or the file itself once it stayed
 * unchanged for the stability window (hashed meanwhile, as the window is idle time and a
 * file that changes during it is refused anyway).
 */
async function prepareFile(
  options: UploadOptions,
  source: FileState,
  snapshotDir: string | null,
  signal: AbortSignal,
): Promise<PreparedFile> {
  if (snapshotDir === null) {
    const [, hashed] = await Promise.all([
      checkStable(options.file, source, options.stableMs, (ms) => sleep(ms, signal)),
      options.prehashed ?? sha256File(options.file),
    ]);
    if (hashed.size !== source.size || hashed.mtimeMs !== source.mtimeMs) {
      throw new UploadError(
        EXIT.notFresh,
        "changing",
        `${options.file}: still being written (it changed while it was hashed)`,
      );
    }
    return { path: options.file, bytes: hashed.size, sha256: hashed.sha256 };
  }
  const path = join(snapshotDir, basename(options.file));
  const db = new Sqlite(options.file, { readonly: true, fileMustExist: true });
  try {
    await db.backup(path);
  } catch (error) {
    throw new UploadError(
      EXIT.notFresh,
      "snapshot",
      `${options.file}: cannot snapshot the database: ${describeError(error)}`,
    );
  } finally {
    db.close();
  }
  const { size, sha256 } = await sha256File(path);
  return { path, bytes: size, sha256 };
}

/** Waits `ms`, or until `signal` is aborted. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Any failure of the S3 part of a run as its UploadError: exit 2 for configuration, else 6. */
function asUploadError(error: unknown, context: string): UploadError {
  if (error instanceof UploadError) return error;
  if (isConfigurationError(error)) {
    return new UploadError(
      EXIT.usage,
      "config",
      `S3 refused the configuration: ${describeS3Error(error)}`,
    );
  }
  return new UploadError(EXIT.failed, "upload", `${context}: ${describeS3Error(error)}`);
}

function abortedError(signal: AbortSignal, leftovers: string[] = []): UploadError {
  const reason =
    signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "aborted");
  const left =
    leftovers.length === 0
      ? "no incomplete multipart upload left"
      : `multipart uploads ${leftovers.join(", ")} could not be aborted (the bucket's lifecycle rule removes them)`;
  return new UploadError(EXIT.failed, "aborted", `upload aborted (${reason}); ${left}`);
}

/** `promise`, or the run's aborted error as soon as `signal` is aborted (whichever first). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const MINUTE = 60_000;

/**
 * The run's deadline when UPLOAD_DEADLINE_MS is not set: 15 minutes plus 2 s per MB
 * (enough at 0.5 MB/s, 4 Mbit/s, for the hash, the upload and the retries), at most 20 hours
 * so that a daily run ends before the next one starts. 1 GB: 49 minutes.
 */
export function defaultDeadlineMs(bytes: number): number {
  return Math.min(15 * MINUTE + Math.ceil((2000 * bytes) / MB), 20 * 60 * MINUTE);
}

type NumericSetting = {
  [K in keyof typeof UPLOAD_COMMAND.options]: (typeof UPLOAD_COMMAND.options)[K] extends {
    type: "number";
  }
    ? K
    : never;
}[keyof typeof UPLOAD_COMMAND.options];

/**
 * A numeric setting checked against the range of its option spec (the CLI checks them
 * when parsing; `runUpload` is also called as a library), or its default when not given.
 */
function setting(options: UploadOptions, name: NumericSetting): number {
  const spec = UPLOAD_COMMAND.options[name] as {
    env: string;
    default?: number;
    min?: number;
    max?: number;
    integer?: boolean;
  };
  const value = (options[name] as number | undefined) ?? spec.default;
  const bad = (why: string) =>
    new UploadError(EXIT.usage, "config", `${spec.env} ${why}, got ${value}`);
  if (value === undefined) throw bad("is not set");
  if (!Number.isFinite(value)) throw bad("must be a number");
  if (spec.integer && !Number.isInteger(value)) throw bad("must be a whole number");
  if (spec.min !== undefined && value < spec.min) throw bad(`must be at least ${spec.min}`);
  if (spec.max !== undefined && value > spec.max) throw bad(`must be at most ${spec.max}`);
  return value;
}

/**
 * One cron run: configuration, locks, freshness, idempotency, multipart upload with
 * retries, verification, all within a deadline. Throws an `UploadError` whose exit code
 * says what went wrong.
 *
 * @example
 * const outcome = await runUpload({ file: "exports/ventas.csv", bucket: "acme", region: "eu-west-1", … });
 */
export async function runUpload(options: UploadOptions): Promise<UploadOutcome> {
  const startedAt = Date.now();
  const bucket = required(options.bucket, "S3_BUCKET");
  const region = required(options.region, "AWS_REGION");
  const partSize = Math.round(setting(options, "partSizeMb") * MB);
  const concurrency = setting(options, "concurrency");
  const lockStaleMs = setting(options, "lockStaleMs");
  const stableMs = setting(options, "stableMs");
  const retries = setting(options, "retries");
  const retryBaseMs = setting(options, "retryBaseMs");
  const abortWaitMs = setting(options, "abortWaitMs");
  const s3Settings = {
    bucket,
    region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    maxAttempts: setting(options, "requestAttempts"),
    connectTimeoutMs: setting(options, "connectTimeoutMs"),
    socketTimeoutMs: setting(options, "socketTimeoutMs"),
    requestTimeoutMs: setting(options, "requestTimeoutMs"),
  };
  if (options.deadlineMs !== undefined) setting(options, "deadlineMs");

  const now = options.now ?? (() => new Date());
  const controller = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, controller.signal])
    : controller.signal;
  if (signal.aborted) throw abortedError(signal);
  const key =
    options.key ?? defaultKey(options.prefix, basename(options.file), now(), options.timeZone);

  const lock = await takeLock(
    { file: options.file, bucket, key },
    options.lockDir,
    lockStaleMs,
    (error) => {
      controller.abort(new Error(`the lock was compromised: ${error.message}`));
    },
  );
  let deadline: NodeJS.Timeout | undefined;
  let snapshotDir: string | null = null;
  try {
    const source = checkFresh(options.file, fileState(options.file), now(), options.timeZone);
    const deadlineMs = options.deadlineMs ?? defaultDeadlineMs(source.size);
    const deadlineText =
      options.deadlineMs === undefined
        ? `the run's deadline (${deadlineMs} ms for ${Math.ceil(source.size / MB)} MB; UPLOAD_DEADLINE_MS) passed`
        : `the run's deadline (UPLOAD_DEADLINE_MS = ${deadlineMs} ms) passed`;
    deadline = setTimeout(
      () => controller.abort(new Error(deadlineText)),
      Math.max(0, deadlineMs - (Date.now() - startedAt)),
    );
    if (options.snapshotDb) snapshotDir = mkdtempSync(join(tmpdir(), "empresa-snapshot-"));
    const tracker = new MultipartTracker();
    const client = s3Client(s3Settings, tracker);
    const notes: string[] = [];
    try {
      // HeadObject goes out while the file is hashed; its answer is needed only after. A
      // 403 is "unknown": without s3:ListBucket, S3 answers 403 for a key that is not there.
      const head: Promise<StoredObject | null | "unknown"> = headObject(
        client,
        bucket,
        key,
        signal,
      ).catch((error: unknown) => {
        if (isForbidden(error)) return "unknown";
        throw error;
      });
      head.catch(() => undefined); // a failure is reported where it is awaited
      const { path, bytes, sha256 } = await untilAborted(
        prepareFile({ ...options, stableMs }, source, snapshotDir, signal),
        signal,
      );
      if (signal.aborted) throw abortedError(signal);
      const base = {
        bucket,
        key,
        bytes,
        sha256,
        parts: Math.max(1, Math.ceil(bytes / partSize)),
        notes,
      };
      const stored = await untilAborted(head, signal);
      if (stored === "unknown") {
        notes.push(
          `HeadObject of s3://${bucket}/${key} was refused (403), so whether it is already there is unknown and it is uploaded; grant s3:ListBucket on the bucket (docs/upload.md) to get 404 for a missing key`,
        );
      } else if (stored && stored.size === bytes && stored.sha256 === sha256) {
        return { ...base, parts: 0, outcome: "already_uploaded", attempts: 0 };
      }
      if (options.dryRun) return { ...base, outcome: "dry_run", attempts: 0 };

      let attempt = 0;
      for (;;) {
        attempt++;
        try {
          if (signal.aborted) throw abortedError(signal);
          await uploadFile(
            client,
            tracker,
            {
              bucket,
              key,
              file: path,
              name: options.file,
              size: bytes,
              sha256,
              partSize,
              concurrency,
              onProgress: options.onProgress,
            },
            signal,
          );
          const verified = await headObject(client, bucket, key, signal);
          if (!verified || verified.size !== bytes || verified.sha256 !== sha256) {
            throw new UploadError(
              EXIT.failed,
              "verify",
              `s3://${bucket}/${key}: the stored object does not match (size ${verified?.size ?? "none"} vs ${bytes}, sha256 ${verified?.sha256 ?? "none"})`,
            );
          }
          return { ...base, outcome: "uploaded", attempts: attempt };
        } catch (error) {
          const leftovers = await abortOpenUploads(client, tracker, bucket, key, abortWaitMs);
          if (signal.aborted) throw abortedError(signal, leftovers);
          if (leftovers.length > 0)
            options.onRetry?.(
              attempt,
              0,
              new Error(`could not abort multipart uploads ${leftovers.join(", ")}`),
            );
          if (
            error instanceof UploadError ||
            isConfigurationError(error) ||
            !isTransient(error) ||
            attempt > retries
          ) {
            const why = isTransient(error)
              ? ` after ${attempt} attempts`
              : " (not retried: not a transient error)";
            throw asUploadError(error, `upload to s3://${bucket}/${key} failed${why}`);
          }
          const delay = Math.round(retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() * 0.5));
          options.onRetry?.(attempt, delay, error);
          await sleep(delay, signal);
        }
      }
    } catch (error) {
      throw asUploadError(error, `s3://${bucket}/${key}`);
    } finally {
      client.destroy();
    }
  } finally {
    clearTimeout(deadline);
    await lock.release();
    if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
  }
}
