import { runCommand } from "../cli/command.js";
import { formatCount, ProgressLine } from "../cli/progress.js";
import type { OptionSpecs } from "../config.js";
import { AppError, describeError } from "../errors.js";
import { EXIT, UploadError } from "./errors.js";
import { runUpload } from "./run.js";
import { describeS3Error } from "./s3.js";

const options = {
  key: {
    type: "string",
    flag: "key",
    arg: "KEY",
    help: "Object key, exactly as given [default: S3_PREFIX/YYYY/MM/DD/<file name>]",
  },
  dryRun: {
    type: "boolean",
    flag: "dry-run",
    help: "Check configuration, lock, freshness and the stored object; upload nothing",
  },
  snapshotDb: {
    type: "boolean",
    flag: "snapshot-db",
    help: "FILE is a SQLite database: upload a consistent copy made with SQLite's backup API",
  },
  bucket: { type: "string", env: "S3_BUCKET", help: "Bucket to upload to (required)" },
  prefix: { type: "string", env: "S3_PREFIX", default: "", help: "Key prefix for the default key" },
  region: { type: "string", env: "AWS_REGION", help: "AWS region (required)" },
  endpoint: { type: "string", env: "S3_ENDPOINT", help: "Endpoint of an S3-compatible server" },
  forcePathStyle: {
    type: "boolean",
    env: "S3_FORCE_PATH_STYLE",
    default: false,
    help: "Path-style URLs (S3-compatible servers)",
  },
  partSizeMb: {
    type: "number",
    env: "UPLOAD_PART_SIZE_MB",
    default: 8,
    help: "Multipart part size in MB (≥ 5)",
  },
  concurrency: {
    type: "number",
    env: "UPLOAD_CONCURRENCY",
    default: 4,
    help: "Parts uploaded at once",
  },
  lockDir: {
    type: "string",
    env: "LOCK_DIR",
    default: "locks",
    help: "Folder for the upload locks",
  },
  lockStaleMs: {
    type: "number",
    env: "LOCK_STALE_MS",
    default: 60000,
    help: "A lock not refreshed for this long (its run died) is taken over",
  },
  stableMs: {
    type: "number",
    env: "UPLOAD_STABLE_MS",
    default: 2000,
    help: "The file must not change during this window before upload",
  },
  retries: {
    type: "number",
    env: "UPLOAD_RETRIES",
    default: 3,
    help: "Whole-run retries for transient failures",
  },
  retryBaseMs: {
    type: "number",
    env: "UPLOAD_RETRY_BASE_MS",
    default: 2000,
    help: "First retry delay; doubles each time, with jitter",
  },
  requestAttempts: {
    type: "number",
    env: "UPLOAD_REQUEST_ATTEMPTS",
    default: 3,
    help: "Attempts per S3 request (the SDK's own retries)",
  },
} satisfies OptionSpecs;

await runCommand({
  name: "upload",
  positionals: "FILE",
  summary:
    "Cron-safe upload of one file to S3: takes a lock, checks the file exists and was modified today,\n" +
    "uploads it with multipart upload, retries transient faults, verifies the stored object, and\n" +
    "aborts the multipart upload on any failure. Credentials: the AWS SDK's default chain only.\n" +
    "Exit: 0 uploaded (or already there), 2 usage/configuration, 3 no such file, 4 not modified today\n" +
    "(or empty, or still being written), 5 another run holds the lock, 6 upload failed.",
  options,
  logFile: "upload",
  internalErrorExit: EXIT.failed,
  async run({ config, positionals }, { log }) {
    if (positionals.length !== 1)
      throw new UploadError(EXIT.usage, "usage", "give exactly one FILE to upload (see --help)");
    const file = positionals[0] as string;
    // The SDK's notice that its 2027 releases need Node 22 would land in every cron mail;
    // the README says it once.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const controller = new AbortController();
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        log.warn(`${signal}: aborting the upload`);
        controller.abort(new Error(signal));
      });
    }
    const progress = new ProgressLine();
    const started = Date.now();
    const summary = (fields: Record<string, unknown>) =>
      log.info(`summary: ${fields.outcome} (exit ${fields.exit_code})`, {
        file,
        ...fields,
        duration_ms: Date.now() - started,
      });
    try {
      const outcome = await runUpload({
        ...config,
        file,
        signal: controller.signal,
        timeZone: process.env.TZ || undefined,
        onProgress: (loaded, total) =>
          progress.update(
            `${file}: ${formatCount(loaded / 2 ** 20)} / ${formatCount(total / 2 ** 20)} MB (${Math.floor((100 * loaded) / total)}%)`,
          ),
        onRetry: (attempt, delay, error) => {
          progress.clear();
          log.warn(
            `attempt ${attempt} failed: ${describeS3Error(error)}${delay ? `; retrying in ${delay} ms` : ""}`,
          );
        },
      });
      progress.clear();
      const where = `s3://${outcome.bucket}/${outcome.key}`;
      if (outcome.outcome === "already_uploaded")
        log.info(`already uploaded: ${where} has the same size and SHA-256`);
      if (outcome.outcome === "dry_run")
        log.info(
          `dry run: would upload ${file} (${outcome.bytes} bytes, sha256 ${outcome.sha256}) to ${where}`,
        );
      if (outcome.outcome === "uploaded")
        log.info(
          `uploaded ${file} to ${where} (${outcome.bytes} bytes, ${outcome.parts} parts, verified)`,
        );
      summary({
        key: outcome.key,
        bytes: outcome.bytes,
        parts: outcome.parts,
        sha256: outcome.sha256,
        outcome: outcome.outcome,
        attempts: outcome.attempts,
        exit_code: 0,
      });
      return EXIT.uploaded;
    } catch (error) {
      progress.clear();
      const exitCode = error instanceof AppError ? error.exitCode : EXIT.failed;
      summary({
        outcome: error instanceof AppError ? error.code : "failed",
        exit_code: exitCode,
        error: describeError(error),
      });
      throw error;
    }
  },
});
