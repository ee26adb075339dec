import type { CommandSpec, OptionSpecs } from "../config.js";

// The upload command's options, in a module of their own: the entry (cli.ts) parses them
// before the AWS SDK loads, to start hashing the file at once.

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

export const UPLOAD_COMMAND = {
  name: "upload",
  positionals: "FILE",
  summary:
    "Cron-safe upload of one file to S3: takes a lock, checks the file exists and was modified today,\n" +
    "uploads it with multipart upload, retries transient faults, verifies the stored object, and\n" +
    "aborts the multipart upload on any failure. Credentials: the AWS SDK's default chain only.\n" +
    "Exit: 0 uploaded (or already there), 2 usage/configuration, 3 no such file, 4 not modified today\n" +
    "(or empty, or still being written), 5 another run holds the lock, 6 upload failed.",
  options,
} satisfies CommandSpec<typeof options>;
