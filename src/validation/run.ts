import { randomUUID } from "node:crypto";
import { type DataQuality, lastEtlQuality } from "../db/etl-history.js";
import { openOursForUpdate } from "../db/open.js";
import { describeError, UsageError } from "../errors.js";
import { asOfProblem } from "./as-of.js";
import { evaluateRule, type RuleResult } from "./evaluate.js";
import { markStates, passRates, previousOutcomes, recordValidation } from "./history.js";
import { RULES, type Rule } from "./rules.js";
import type { Thresholds } from "./thresholds.js";

export type Status = "ok" | "warning" | "attention" | "critical";

export interface ValidationReport {
  runId: string;
  asOf: string;
  status: Status;
  dbPath: string;
  startedAt: string;
  finishedAt: string;
  results: (RuleResult & { passRate?: { runs: number; rate: number } })[];
  dataQuality: DataQuality | null;
  /** Set when the history could not be written (a read-only file, say). */
  historyError?: string;
}

/** `critical` if a CRITICAL rule failed, `attention` for ERROR, `warning` for WARNING, else `ok`. */
export function overallStatus(results: readonly RuleResult[]): Status {
  const failed = new Set(results.filter((r) => !r.passed).map((r) => r.severity));
  if (failed.has("CRITICAL")) return "critical";
  if (failed.has("ERROR")) return "attention";
  if (failed.has("WARNING")) return "warning";
  return "ok";
}

export interface ValidationOptions {
  dbPath: string;
  /** The day treated as today, `YYYY-MM-DD` (see `parseAsOf`). */
  asOf: string;
  /** Per-rule severity and threshold (`resolveThresholds`); by default each rule's own severity, failing above 0 rows. */
  thresholds?: Thresholds;
  rules?: readonly Rule[];
  /** Checked before and between rules: an abort rejects with the signal's reason and records nothing. */
  signal?: AbortSignal;
  /**
   * Called after each rule, before the next one starts (progress; awaited). It runs inside
   * the run's read transaction: what another connection commits meanwhile is not seen by
   * this run (in WAL mode, which the ETL sets, such a commit does not wait for it).
   */
  onRuleDone?: (result: RuleResult, index: number) => void | Promise<void>;
}

/** Lets the event loop run (an abort from a signal handler or a timer), then checks the signal. */
async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  signal?.throwIfAborted();
}

/**
 * Runs every rule (each one, whatever the others found) against an existing database of
 * ours, marks each result against the previous run and records the run in the history.
 * Every rule and the data-quality line read one snapshot (one read transaction); the
 * history is written after it, in its own write transaction. `signal` is checked before
 * the first rule, between rules (the event loop runs there) and before the history is
 * written: an abort rejects with the signal's reason and records nothing.
 *
 * @example
 * const report = await runValidation({ dbPath: "database/empresa.db", asOf: "2025-01-01" });
 * report.status; // "attention"
 */
export async function runValidation(options: ValidationOptions): Promise<ValidationReport> {
  const rules = options.rules ?? RULES;
  const { signal } = options;
  signal?.throwIfAborted();
  const asOfError = asOfProblem(options.asOf);
  if (asOfError) throw new UsageError(`asOf: ${asOfError}`);
  const db = openOursForUpdate(options.dbPath);
  try {
    const runId = randomUUID();
    const startedAt = new Date().toISOString();
    // One snapshot for every read below: after BEGIN, the first read fixes what this
    // connection sees until COMMIT. In WAL mode an ETL run may commit meanwhile (it does
    // not wait for us); its load is simply not in this run, and the etl_run_id recorded
    // is the one the rules read.
    db.exec("BEGIN");
    db.prepare("SELECT count(*) FROM sqlite_schema").get();
    const results: RuleResult[] = [];
    for (const [index, rule] of rules.entries()) {
      const result = evaluateRule(
        db,
        rule,
        options.thresholds?.[rule.id] ?? { severity: rule.severity, failAbove: 0 },
        options.asOf,
      );
      results.push(result);
      await options.onRuleDone?.(result, index);
      await checkpoint(signal);
    }
    markStates(results, previousOutcomes(db));
    const status = overallStatus(results);
    const dataQuality = lastEtlQuality(db);
    db.exec("COMMIT"); // the read transaction: nothing was written
    const finishedAt = new Date().toISOString();
    const report: ValidationReport = {
      runId,
      asOf: options.asOf,
      status,
      dbPath: options.dbPath,
      startedAt,
      finishedAt,
      results,
      dataQuality,
    };
    signal?.throwIfAborted(); // the last point where an abort leaves no trace
    try {
      recordValidation(db, {
        runId,
        asOf: options.asOf,
        startedAt,
        finishedAt,
        status,
        etlRunId: dataQuality?.etlRunId ?? null,
        results,
      });
      const rates = passRates(db);
      report.results = results.map((result) => ({ ...result, passRate: rates.get(result.rule) }));
    } catch (error) {
      report.historyError = describeError(error);
    }
    return report;
  } finally {
    if (db.inTransaction) db.exec("ROLLBACK");
    db.close();
  }
}

/** The `--json` document (contract section 5), plus the data quality of the last load. */
export function validationJson(report: ValidationReport): Record<string, unknown> {
  return {
    run_id: report.runId,
    as_of: report.asOf,
    status: report.status,
    db: report.dbPath,
    results: report.results.map((r) => ({
      rule: r.rule,
      severity: r.severity,
      passed: r.passed,
      affected: r.affected,
      ...(r.distinct ? { distinct: r.distinct.count, distinct_of: r.distinct.of } : {}),
      sample: r.sample,
      message: r.message,
      runbook: r.runbook,
      ...(r.impact ? { impact: r.impact } : {}),
      fail_above: r.failAbove,
      state: r.state,
      ...(r.passRate
        ? { pass_rate: Math.round(r.passRate.rate * 1000) / 1000, runs: r.passRate.runs }
        : {}),
    })),
    data_quality: report.dataQuality
      ? {
          etl_run_id: report.dataQuality.etlRunId,
          finished_at: report.dataQuality.finishedAt,
          tables: Object.fromEntries(
            report.dataQuality.tables.map((t) => [
              t.table,
              { read: t.read, loaded: t.loaded, rejected: t.rejected, percent: t.percent },
            ]),
          ),
        }
      : null,
  };
}
