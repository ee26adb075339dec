import { join } from "node:path";
import { defineCommand } from "../cli/command.js";
import { readDotEnv } from "../config.js";
import { InterruptedError } from "../errors.js";
import { createLogger } from "../log.js";
import { consoleReport, writeAlerts } from "./alerts.js";
import { parseAsOf } from "./as-of.js";
import { VALIDATE_OPTIONS } from "./options.js";
import { RULES } from "./rules.js";
import { runValidation, type ValidationReport, validationJson } from "./run.js";
import { resolveThresholds } from "./thresholds.js";
import { alertWorthy, sendWebhook, type WebhookOutcome } from "./webhook.js";

/** What `npm run validate` did: the report, where the alerts went, the webhook's outcome. */
export interface ValidateResult {
  report: ValidationReport;
  /** Set when `logs/alertas.log` could not be written (the run's main output). */
  alertsError?: string;
  webhook?: WebhookOutcome;
}

/**
 * `npm run validate` as a library value.
 *
 * @example
 * const { report } = await validateCommand.run({ config, args: [] }, { log, signal, progress });
 */
export const validateCommand = defineCommand({
  name: "validate",
  summary:
    "Runs every business rule against the database, writes each failure as a JSON line to\n" +
    "logs/alertas.log and records the run in the database's history. Exit 0 when the status\n" +
    "is ok or warning, 1 for attention or critical, 2 when it could not run or could not\n" +
    "write logs/alertas.log.",
  options: VALIDATE_OPTIONS,
  logFile: "validacion",
  internalErrorExit: 2,
  interruptedNote: "no validation run was recorded",
  async run({ config }, { log, signal }): Promise<ValidateResult> {
    const asOf = parseAsOf(config.asOf);
    // Per-rule settings (VALIDATION_<RULE>_FAIL_ABOVE, …_SEVERITY) come from the environment
    // or .env like every other setting; the environment wins.
    const thresholds = resolveThresholds(RULES, config.config, { ...readDotEnv(), ...process.env });
    const report = await runValidation({ dbPath: config.dbPath, asOf, thresholds, signal });

    const alerts = createLogger("validate", {
      file: "alertas",
      dir: config.logDir,
      console: false,
      maxSizeMb: config.logMaxSizeMb,
      maxFiles: config.logMaxFiles,
    });
    writeAlerts(alerts, report);
    await alerts.flushFile();
    const result: ValidateResult = { report };
    const alertsError = alerts.fileError();
    if (alertsError) {
      result.alertsError = `cannot write ${join(config.logDir, "alertas.log")} (${alertsError}): the alerts of this run are only in this output`;
      log.error(result.alertsError);
    }
    log.info(`validation ${report.runId}: ${report.status}`, {
      run_id: report.runId,
      as_of: asOf,
      status: report.status,
      failed: report.results.filter((r) => !r.passed).map((r) => r.rule),
    });
    if (report.historyError) log.warn(`history not recorded: ${report.historyError}`);

    if (config.webhookUrl && alertWorthy(report).length > 0) {
      try {
        result.webhook = await sendWebhook(report, {
          url: config.webhookUrl,
          timeoutMs: config.webhookTimeoutMs,
          retries: config.webhookRetries,
          signal,
        });
      } catch (error) {
        if (!signal.aborted) throw error;
        const reason = signal.reason as { signal?: string; exitCode?: number } | undefined;
        throw new InterruptedError(
          reason?.signal ?? "abort",
          reason?.exitCode ?? 130,
          `validation ${report.runId} recorded (${report.status}); the alert webhook was interrupted`,
        );
      }
      const outcome = result.webhook;
      if (outcome.sent) log.info("alert webhook delivered", { attempts: outcome.attempts });
      else
        log.warn(`alert webhook failed after ${outcome.attempts} attempts: ${outcome.error}`, {
          attempts: outcome.attempts,
        });
    }
    return result;
  },
  exitCode: ({ report, alertsError }) =>
    alertsError ? 2 : report.status === "ok" || report.status === "warning" ? 0 : 1,
  json: ({ report }) => validationJson(report),
  report: ({ report }, colour) => consoleReport(report, colour),
});
