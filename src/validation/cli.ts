import { isValid, parse } from "date-fns";
import { runCommand } from "../cli/command.js";
import { UsageError } from "../errors.js";
import { createLogger, useColour } from "../log.js";
import { localDay } from "../time.js";
import { consoleReport, writeAlerts } from "./alerts.js";
import { VALIDATE_OPTIONS as options } from "./options.js";
import { RULES } from "./rules.js";
import { runValidation, validationJson } from "./run.js";
import { resolveThresholds } from "./thresholds.js";
import { alertWorthy, sendWebhook } from "./webhook.js";

function parseAsOf(value: string | undefined): string {
  if (value === undefined) return localDay(new Date());
  const parsed = parse(value, "yyyy-MM-dd", new Date(2000, 0, 1));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isValid(parsed)) {
    throw new UsageError(`--as-of must be a real date as YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

await runCommand({
  name: "validate",
  summary:
    "Runs every business rule against the database, writes each failure as a JSON line to\n" +
    "logs/alertas.log and records the run in the database's history. Exit 0 when the status\n" +
    "is ok or warning, 1 for attention or critical, 2 when it could not run.",
  options,
  logFile: "validacion",
  internalErrorExit: 2,
  async run({ config, positionals }, { log }) {
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}" (see --help)`);
    const asOf = parseAsOf(config.asOf);
    const thresholds = resolveThresholds(RULES, config.config);
    const report = runValidation({ dbPath: config.dbPath, asOf, thresholds });

    writeAlerts(createLogger("validate", { file: "alertas", console: false }), report);
    const readable = consoleReport(
      report,
      useColour(config.json ? process.stderr : process.stdout),
    );
    if (config.json) {
      process.stderr.write(readable);
      process.stdout.write(`${JSON.stringify(validationJson(report))}\n`);
    } else process.stdout.write(readable);
    log.info(`validation ${report.runId}: ${report.status}`, {
      run_id: report.runId,
      as_of: asOf,
      status: report.status,
      failed: report.results.filter((r) => !r.passed).map((r) => r.rule),
    });
    if (report.historyError) log.warn(`history not recorded: ${report.historyError}`);

    if (config.webhookUrl && alertWorthy(report).length > 0) {
      const outcome = await sendWebhook(report, {
        url: config.webhookUrl,
        timeoutMs: config.webhookTimeoutMs,
        retries: config.webhookRetries,
      });
      if (outcome.sent) log.info("alert webhook delivered", { attempts: outcome.attempts });
      else
        log.warn(`alert webhook failed after ${outcome.attempts} attempts: ${outcome.error}`, {
          attempts: outcome.attempts,
        });
    }
    return report.status === "ok" || report.status === "warning" ? 0 : 1;
  },
});
