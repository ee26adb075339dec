import { defineCommand } from "../cli/command.js";
import { formatCount } from "../cli/progress.js";
import { AppError, describeError } from "../errors.js";
import { EXIT } from "./errors.js";
import type { FileHash } from "./file.js";
import { UPLOAD_COMMAND } from "./options.js";
import { runUpload, type UploadOutcome } from "./run.js";
import { describeS3Error } from "./s3.js";

/**
 * `npm run upload` as a library value. `prehashed` is the hash of FILE that the entry
 * started before anything else loaded (see cli.ts), if any.
 *
 * @example
 * const outcome = await uploadCommand().run({ config, args: ["exports/ventas.csv"] }, { log, signal, progress });
 */
export function uploadCommand(prehashed: Promise<FileHash> | null = null) {
  return defineCommand({
    ...UPLOAD_COMMAND,
    logFile: "upload",
    args: { min: 1, max: 1 },
    internalErrorExit: EXIT.failed,
    async run({ config, args }, { log, signal, progress }): Promise<UploadOutcome> {
      const file = args[0] as string;
      // The SDK's notice that its 2027 releases need Node 22 would land in every cron mail;
      // docs/upload.md says it once.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
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
          prehashed: prehashed ?? undefined,
          signal,
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
        for (const note of outcome.notes) log.warn(note);
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
        return outcome;
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
}
