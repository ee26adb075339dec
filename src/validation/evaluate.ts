import type { SqliteDatabase } from "../db/open.js";
import { schemaMismatches } from "../db/schema-check.js";
import { describeError } from "../errors.js";
import type { Rule, Severity } from "./rules.js";
import type { Threshold } from "./thresholds.js";

export const SAMPLE_SIZE = 10;

export interface SampleRow {
  key: string | number;
  value: string | number | null;
}

/** What one rule found. `state` is filled in against the previous run's results. */
export interface RuleResult {
  rule: string;
  severity: Severity;
  passed: boolean;
  affected: number;
  /** Distinct offending keys or values, where that differs from rows. */
  distinct?: { count: number; of: string };
  sample: SampleRow[];
  message: string;
  runbook: string;
  /** For rules on sales: the units and revenue of the offending sales. */
  impact?: { unidades: number; importe: number };
  failAbove: number;
  state?: "new" | "persisting" | "resolved" | "passing";
}

const count = (n: number) => n.toLocaleString("en-US");
const money = (cents: number) =>
  (cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function describeResult(rule: Rule, result: Omit<RuleResult, "message" | "runbook">): string {
  if (result.affected === 0) return `no ${rule.unit} where ${rule.checks}`;
  let text = `${count(result.affected)} ${rule.unit}: ${rule.checks}`;
  if (result.distinct) text += ` (${count(result.distinct.count)} distinct ${result.distinct.of})`;
  if (result.impact)
    text += `; ${count(result.impact.unidades)} units, ${money(result.impact.importe * 100)} in revenue`;
  if (result.passed) text += ` (within the threshold of ${count(result.failAbove)})`;
  return text;
}

/**
 * Runs one rule against the database. A query that cannot run (a missing table, say)
 * makes the rule fail with that message instead of stopping the other rules.
 */
export function evaluateRule(
  db: SqliteDatabase,
  rule: Rule,
  threshold: Threshold,
  asOf: string,
): RuleResult {
  const base = {
    rule: rule.id,
    severity: threshold.severity,
    failAbove: threshold.failAbove,
    runbook: rule.runbook,
  };
  if (rule.kind === "schema") {
    const mismatches = schemaMismatches(db);
    const partial = {
      ...base,
      passed: mismatches.length <= threshold.failAbove,
      affected: mismatches.length,
      sample: mismatches.slice(0, SAMPLE_SIZE).map((text) => ({ key: text, value: null })),
    };
    const message =
      mismatches.length === 0
        ? "the schema has every table, view and column"
        : `schema mismatches: ${mismatches.join("; ")}`;
    return { ...partial, message };
  }
  try {
    const params = rule.sql.includes(":as_of") ? { as_of: asOf } : {};
    const distinctColumn = rule.distinct ? `count(DISTINCT ${rule.distinct.of})` : "NULL";
    const totals = db
      .prepare(
        `SELECT count(*) AS affected, ${distinctColumn} AS distinct_count,
                ${rule.salesImpact ? "coalesce(sum(unidades), 0)" : "NULL"} AS unidades,
                ${rule.salesImpact ? "coalesce(sum(importe_centavos), 0)" : "NULL"} AS importe_centavos
         FROM (${rule.sql})`,
      )
      .get(params) as {
      affected: number;
      distinct_count: number | null;
      unidades: number | null;
      importe_centavos: number | null;
    };
    const sample =
      totals.affected === 0
        ? []
        : (db
            .prepare(`SELECT key, value FROM (${rule.sql}) LIMIT ${SAMPLE_SIZE}`)
            .all(params) as SampleRow[]);
    const partial: Omit<RuleResult, "message" | "runbook"> = {
      ...base,
      passed: totals.affected <= threshold.failAbove,
      affected: totals.affected,
      sample,
      ...(rule.distinct && totals.distinct_count !== null
        ? { distinct: { count: totals.distinct_count, of: rule.distinct.noun } }
        : {}),
      ...(rule.salesImpact
        ? {
            impact: {
              unidades: totals.unidades ?? 0,
              importe: (totals.importe_centavos ?? 0) / 100,
            },
          }
        : {}),
    };
    return { ...partial, runbook: rule.runbook, message: describeResult(rule, partial) };
  } catch (error) {
    return {
      ...base,
      passed: false,
      affected: 0,
      sample: [],
      message: `the check could not run: ${describeError(error)}`,
    };
  }
}
