import { HISTORY_DDL } from "../db/ddl.js";
import type { SqliteDatabase } from "../db/open.js";
import type { RuleResult } from "./evaluate.js";

export interface ValidationRunRecord {
  runId: string;
  asOf: string;
  startedAt: string;
  finishedAt: string;
  status: string;
  etlRunId: string | null;
  results: RuleResult[];
}

/** The previous run's pass/fail per rule (empty on the first run). */
export function previousOutcomes(db: SqliteDatabase): Map<string, boolean> {
  const hasHistory = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'validation_runs'").get();
  if (!hasHistory) return new Map();
  const rows = db
    .prepare(
      `SELECT rule, passed FROM validation_results
       WHERE run_id = (SELECT run_id FROM validation_runs ORDER BY finished_at DESC, rowid DESC LIMIT 1)`,
    )
    .all() as { rule: string; passed: number }[];
  return new Map(rows.map((row) => [row.rule, row.passed === 1]));
}

/** Marks each result `new`, `persisting`, `resolved` or `passing` against the previous run. */
export function markStates(results: RuleResult[], previous: Map<string, boolean>): void {
  for (const result of results) {
    const before = previous.get(result.rule);
    if (result.passed) result.state = before === false ? "resolved" : "passing";
    else result.state = before === false ? "persisting" : "new";
  }
}

/**
 * Records the run and every rule's result (passes too), in one write transaction, begun
 * IMMEDIATE: it waits for another writer (busy timeout) instead of failing on a snapshot
 * that a commit made stale.
 */
export function recordValidation(db: SqliteDatabase, run: ValidationRunRecord): void {
  const insertResult = db.prepare(
    `INSERT INTO validation_results (run_id, rule, severity, passed, affected, distinct_count, sample, message, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    db.exec(HISTORY_DDL);
    db.prepare(
      "INSERT INTO validation_runs (run_id, as_of, started_at, finished_at, status, etl_run_id) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(run.runId, run.asOf, run.startedAt, run.finishedAt, run.status, run.etlRunId);
    for (const r of run.results) {
      insertResult.run(
        run.runId,
        r.rule,
        r.severity,
        r.passed ? 1 : 0,
        r.affected,
        r.distinct?.count ?? null,
        JSON.stringify(r.sample),
        r.message,
        r.state ?? "passing",
      );
    }
  }).immediate();
}

/** Share of recorded runs in which each rule passed (this run included). */
export function passRates(db: SqliteDatabase): Map<string, { runs: number; rate: number }> {
  const rows = db
    .prepare(
      "SELECT rule, count(*) AS runs, avg(passed) AS rate FROM validation_results GROUP BY rule",
    )
    .all() as { rule: string; runs: number; rate: number }[];
  return new Map(rows.map((row) => [row.rule, { runs: row.runs, rate: row.rate }]));
}
