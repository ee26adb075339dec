/**
 * The cron-safe S3 upload as a library: lock, freshness, verified multipart upload.
 *
 * @example
 * import { runUpload } from "empresa-etl/upload";
 *
 * const controller = new AbortController();
 * process.once("SIGTERM", () => controller.abort(new Error("SIGTERM")));
 * const outcome = await runUpload({
 *   file: "exports/ventas.csv",
 *   bucket: "acme-sales",
 *   region: "eu-west-1",
 *   prefix: "exports",
 *   signal: controller.signal,
 *   // …the other settings of UploadOptions (part size, concurrency, lock folder, retries)
 * });
 * console.log(outcome.outcome, `s3://${outcome.bucket}/${outcome.key}`);
 */
export { EXIT, UploadError } from "./errors.js";
export { UPLOAD_COMMAND } from "./options.js";
export { defaultKey, runUpload, type UploadOptions, type UploadOutcome } from "./run.js";
