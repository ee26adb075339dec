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
    min: 5,
    max: 5120,
    help: "Multipart part size in MB (S3 allows 5 to 5120)",
  },
  concurrency: {
    type: "number",
    env: "UPLOAD_CONCURRENCY",
    default: 4,
    min: 1,
    max: 64,
    integer: true,
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
    min: 2000,
    max: 3_600_000,
    integer: true,
    help: "A lock not refreshed for this long (its run died) is taken over",
  },
  stableMs: {
    type: "number",
    env: "UPLOAD_STABLE_MS",
    default: 2000,
    min: 0,
    max: 600_000,
    integer: true,
    help: "The file must not change during this window before upload",
  },
  retries: {
    type: "number",
    env: "UPLOAD_RETRIES",
    default: 3,
    min: 0,
    max: 20,
    integer: true,
    help: "Whole-run retries for transient failures",
  },
  retryBaseMs: {
    type: "number",
    env: "UPLOAD_RETRY_BASE_MS",
    default: 2000,
    min: 0,
    max: 600_000,
    integer: true,
    help: "First retry delay; doubles each time, with jitter",
  },
  requestAttempts: {
    type: "number",
    env: "UPLOAD_REQUEST_ATTEMPTS",
    default: 3,
    min: 1,
    max: 10,
    integer: true,
    help: "Attempts per S3 request (the SDK's own retries)",
  },
  connectTimeoutMs: {
    type: "number",
    env: "UPLOAD_CONNECT_TIMEOUT_MS",
    default: 10_000,
    min: 100,
    max: 600_000,
    integer: true,
    help: "A connection to S3 not established within this fails the request",
  },
  socketTimeoutMs: {
    type: "number",
    env: "UPLOAD_SOCKET_TIMEOUT_MS",
    default: 60_000,
    min: 100,
    max: 3_600_000,
    integer: true,
    help: "A request whose connection sends and receives nothing for this long fails",
  },
  requestTimeoutMs: {
    type: "number",
    env: "UPLOAD_REQUEST_TIMEOUT_MS",
    default: 300_000,
    min: 100,
    max: 3_600_000,
    integer: true,
    help: "A request not answered within this (its body sent included) fails",
  },
  deadlineMs: {
    type: "number",
    env: "UPLOAD_DEADLINE_MS",
    min: 1000,
    max: 7 * 24 * 3_600_000,
    integer: true,
    help: "The whole run is aborted (exit 6) after this [default: 15 min + 2 s per MB of the file, at most 20 h]",
  },
  abortWaitMs: {
    type: "number",
    env: "UPLOAD_ABORT_WAIT_MS",
    default: 5000,
    min: 0,
    max: 600_000,
    integer: true,
    help: "On abort, wait at most this for requests in flight before cancelling them",
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
