import { runCommand } from "../cli/command.js";
import { formatCount, ProgressLine } from "../cli/progress.js";
import { AppError, describeError } from "../errors.js";
import { EXIT, UploadError } from "./errors.js";
import type { FileHash } from "./file.js";
import { UPLOAD_COMMAND } from "./options.js";
import { runUpload } from "./run.js";
import { describeS3Error } from "./s3.js";

/** `npm run upload`: `prehashed` is the hash of FILE the entry started (see cli.ts), if any. */
export function uploadCommand(prehashed: Promise<FileHash> | null): Promise<never> {
  return runCommand({
    ...UPLOAD_COMMAND,
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
          prehashed: prehashed ?? undefined,
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
}
