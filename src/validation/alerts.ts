import { qualityLine } from "../db/etl-history.js";
import type { Logger } from "../log.js";
import type { RuleResult } from "./evaluate.js";
import type { Severity } from "./rules.js";
import type { ValidationReport } from "./run.js";

/** Writes each failed rule as one JSON line (winston adds the time) to `logs/alertas.log`. */
export function writeAlerts(alerts: Logger, report: ValidationReport): void {
  for (const r of report.results.filter((result) => !result.passed)) {
    alerts.log(r.severity === "WARNING" || r.severity === "INFO" ? "warn" : "error", r.message, {
      run_id: report.runId,
      as_of: report.asOf,
      rule: r.rule,
      severity: r.severity,
      affected: r.affected,
      ...(r.distinct ? { distinct: r.distinct.count } : {}),
      sample: r.sample,
      runbook: r.runbook,
      state: r.state,
      ...(r.impact ? { impact: r.impact } : {}),
    });
  }
}

const COLOURS: Record<Severity | "OK", string> = {
  OK: "\x1b[32m",
  INFO: "\x1b[36m",
  WARNING: "\x1b[33m",
  ERROR: "\x1b[31m",
  CRITICAL: "\x1b[1;41;37m",
};

function paint(text: string, key: Severity | "OK", colour: boolean): string {
  return colour ? `${COLOURS[key]}${text}\x1b[0m` : text;
}

function sampleText(result: RuleResult): string {
  if (result.sample.length === 0) return "";
  const keys = result.sample.map((s) => (s.value === null ? String(s.key) : `${s.key}=${s.value}`));
  return ` e.g. ${keys.slice(0, 5).join(", ")}${result.affected > 5 ? ", …" : ""}`;
}

/** The readable report for a terminal (or a cron mail), one line per rule. */
export function consoleReport(report: ValidationReport, colour: boolean): string {
  const lines: string[] = [`Validation ${report.runId} of ${report.dbPath}, as of ${report.asOf}`];
  if (report.dataQuality) {
    lines.push(
      `Data quality (etl run ${report.dataQuality.etlRunId.slice(0, 8)}): ${report.dataQuality.tables.map(qualityLine).join(", ")}`,
    );
  }
  const width = Math.max(...report.results.map((r) => r.rule.length));
  for (const r of report.results) {
    const tag = r.passed
      ? paint("PASS    ", "OK", colour)
      : paint(r.severity.padEnd(8), r.severity, colour);
    const state = r.state && r.state !== "passing" ? ` [${r.state}]` : "";
    lines.push(
      `${tag} ${r.rule.padEnd(width)}  ${r.message}${r.passed ? "" : sampleText(r)}${state}`,
    );
  }
  const statusKey: Record<string, Severity | "OK"> = {
    ok: "OK",
    warning: "WARNING",
    attention: "ERROR",
    critical: "CRITICAL",
  };
  const failed = report.results.filter((r) => !r.passed).length;
  lines.push(
    `Status: ${paint(report.status.toUpperCase(), statusKey[report.status] ?? "OK", colour)} (${failed} of ${report.results.length} rules failed)`,
  );
  if (report.historyError) lines.push(`(history not recorded: ${report.historyError})`);
  return `${lines.join("\n")}\n`;
}
