import { AppError } from "../../errors.js";

/**
 * Why a job cannot be created for an upload. Each carries the HTTP status the routes answer
 * with (`httpStatus`) and a stable `code`:
 *
 * - `UnknownFileError` (404, `unknown_file`): no upload has this id, or its temp copy is gone
 *   (swept after `TEMP_TTL`, removed by hand).
 * - `FileInUseError` (409, `file_in_use`): the upload already has a queued or processing job
 *   (`jobId`); wait for it or cancel it.
 * - `FileConsumedError` (409, `file_consumed`): the upload's job (`jobId`) has ended, and with
 *   it the temp copy ("a file's temp copy is removed when its job ends"): upload it again.
 */
export class FileJobError extends AppError {
  constructor(
    message: string,
    code: string,
    readonly httpStatus: 404 | 409,
  ) {
    super(message, code, 1);
  }
}

export class UnknownFileError extends FileJobError {
  constructor(
    readonly fileId: string,
    why = "no upload has this id",
  ) {
    super(`file ${fileId}: ${why}`, "unknown_file", 404);
  }
}

export class FileInUseError extends FileJobError {
  constructor(
    readonly fileId: string,
    readonly jobId: string,
  ) {
    super(`file ${fileId} already has a job in progress (${jobId})`, "file_in_use", 409);
  }
}

export class FileConsumedError extends FileJobError {
  constructor(
    readonly fileId: string,
    readonly jobId: string,
  ) {
    super(
      `file ${fileId} was processed by job ${jobId} and its temp copy removed: upload it again`,
      "file_consumed",
      409,
    );
  }
}

/** Redis (`REDIS_URL`) cannot be reached when the queue or a worker starts. */
export class RedisUnreachableError extends AppError {
  constructor(where: string, detail: string) {
    super(`REDIS_URL ${where}: cannot connect to Redis (${detail})`, "redis_unreachable", 1);
  }
}
