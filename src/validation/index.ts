/**
 * The validations as a library: run every business rule against a database loaded by the
 * ETL, get a typed report (and the `--json` document), record the run in the database's
 * history, optionally post the failures to a webhook.
 *
 * All rules and the data-quality line read one snapshot of the database (a load that
 * commits meanwhile is seen by the next run); the history is written after, in its own
 * transaction. An `AbortSignal` is checked between rules: an abort rejects and records
 * nothing. A database that is missing, empty or not ours is a `DatabaseError` (the CLI's
 * exit 2), a bad `asOf` or threshold a `UsageError`.
 *
 * @example
 * import {
 *   parseAsOf,
 *   resolveThresholds,
 *   RULES,
 *   runValidation,
 *   validationJson,
 * } from "empresa-etl/validation";
 *
 * const controller = new AbortController();
 * process.once("SIGTERM", () => controller.abort());
 * const report = await runValidation({
 *   dbPath: "database/empresa.db",
 *   asOf: parseAsOf("2025-01-01"), // parseAsOf(undefined): today, in TZ
 *   thresholds: resolveThresholds(RULES, undefined, { VALIDATION_CLIENTE_FK_FAIL_ABOVE: "5" }),
 *   signal: controller.signal,
 * });
 * for (const result of report.results.filter((r) => !r.passed))
 *   console.log(`${result.severity} ${result.rule}: ${result.message}`);
 * console.log(validationJson(report).status); // "attention": an ERROR rule failed
 *
 * @module
 */
export type { DataQuality, TableQuality } from "../db/etl-history.js";
export { AppError, DatabaseError, UsageError } from "../errors.js";
export { consoleReport } from "./alerts.js";
export { parseAsOf } from "./as-of.js";
export { type ValidateResult, validateCommand } from "./command.js";
export type { RuleResult, SampleRow } from "./evaluate.js";
export { VALIDATE_OPTIONS } from "./options.js";
export {
  RULES,
  type Rule,
  type SchemaRule,
  SEVERITIES,
  type Severity,
  type SqlRule,
} from "./rules.js";
export {
  overallStatus,
  runValidation,
  type Status,
  type ValidationOptions,
  type ValidationReport,
  validationJson,
} from "./run.js";
export { resolveThresholds, type Threshold, type Thresholds } from "./thresholds.js";
export {
  alertWorthy,
  sendWebhook,
  type WebhookOptions,
  type WebhookOutcome,
  webhookUrlProblem,
} from "./webhook.js";
