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
import {
  abortOpenUploads,
  describeS3Error,
  headObject,
  isConfigurationError,
  isTransient,
  MultipartTracker,
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
  timeZone?: string;
  now?: () => Date;
  /**
   * The file's hash, started before the run (the command starts it first thing). Used only
   * if the file is unchanged since; else the run stops with exit 4, as for a file that
   * changes during the stability window. Ignored with `snapshotDb`.
   */
  prehashed?: Promise<FileHash>;
  /** Aborted on SIGTERM/SIGINT: the run aborts its multipart upload and exits 6. */
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
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

function abortedError(signal: AbortSignal): UploadError {
  const reason =
    signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "aborted");
  return new UploadError(
    EXIT.failed,
    "aborted",
    `upload aborted (${reason}); no incomplete multipart upload left`,
  );
}

/**
 * One cron run: configuration, lock, freshness, idempotency, multipart upload with
 * retries, verification. Throws an `UploadError` whose exit code says what went wrong.
 *
 * @example
 * const outcome = await runUpload({ file: "exports/ventas.csv", bucket: "acme", region: "eu-west-1", … });
 */
export async function runUpload(options: UploadOptions): Promise<UploadOutcome> {
  const bucket = required(options.bucket, "S3_BUCKET");
  const region = required(options.region, "AWS_REGION");
  if (!Number.isFinite(options.partSizeMb) || options.partSizeMb < 5) {
    throw new UploadError(
      EXIT.usage,
      "config",
      `UPLOAD_PART_SIZE_MB must be at least 5 (S3's minimum part size), got ${options.partSizeMb}`,
    );
  }
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new UploadError(
      EXIT.usage,
      "config",
      `UPLOAD_CONCURRENCY must be a whole number ≥ 1, got ${options.concurrency}`,
    );
  }
  const now = options.now ?? (() => new Date());
  const controller = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, controller.signal])
    : controller.signal;

  const lock = await takeLock(options.file, options.lockDir, options.lockStaleMs, (error) => {
    controller.abort(new Error(`the lock was compromised: ${error.message}`));
  });
  let snapshotDir: string | null = null;
  try {
    const source = checkFresh(options.file, fileState(options.file), now(), options.timeZone);
    if (options.snapshotDb) snapshotDir = mkdtempSync(join(tmpdir(), "empresa-snapshot-"));
    const key =
      options.key ?? defaultKey(options.prefix, basename(options.file), now(), options.timeZone);
    const partSize = Math.round(options.partSizeMb * MB);
    const tracker = new MultipartTracker();
    const client = s3Client(
      {
        bucket,
        region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        maxAttempts: options.requestAttempts,
      },
      tracker,
    );
    try {
      // HeadObject goes out while the file is hashed; its answer is needed only after.
      const head = headObject(client, bucket, key);
      head.catch(() => undefined); // a failure is reported where it is awaited
      const { path, bytes, sha256 } = await prepareFile(options, source, snapshotDir, signal);
      if (signal.aborted) throw abortedError(signal);
      const base = {
        bucket,
        key,
        bytes,
        sha256,
        parts: Math.max(1, Math.ceil(bytes / partSize)),
      };
      const stored = await head;
      if (stored && stored.size === bytes && stored.sha256 === sha256)
        return { ...base, parts: 0, outcome: "already_uploaded", attempts: 0 };
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
              size: bytes,
              sha256,
              partSize,
              concurrency: options.concurrency,
              onProgress: options.onProgress,
            },
            signal,
          );
          const verified = await headObject(client, bucket, key);
          if (!verified || verified.size !== bytes || verified.sha256 !== sha256) {
            throw new UploadError(
              EXIT.failed,
              "verify",
              `s3://${bucket}/${key}: the stored object does not match (size ${verified?.size ?? "none"} vs ${bytes}, sha256 ${verified?.sha256 ?? "none"})`,
            );
          }
          return { ...base, outcome: "uploaded", attempts: attempt };
        } catch (error) {
          const leftovers = await abortOpenUploads(client, tracker, bucket, key);
          if (leftovers.length > 0)
            options.onRetry?.(
              attempt,
              0,
              new Error(`could not abort multipart uploads ${leftovers.join(", ")}`),
            );
          if (signal.aborted) throw abortedError(signal);
          if (
            error instanceof UploadError ||
            isConfigurationError(error) ||
            !isTransient(error) ||
            attempt > options.retries
          ) {
            const why = isTransient(error)
              ? ` after ${attempt} attempts`
              : " (not retried: not a transient error)";
            throw asUploadError(error, `upload to s3://${bucket}/${key} failed${why}`);
          }
          const delay = Math.round(
            options.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() * 0.5),
          );
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
    await lock.release();
    if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
  }
}
