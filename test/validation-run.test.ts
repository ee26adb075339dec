import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import type { RuleResult } from "../src/validation/evaluate.js";
import { RULES } from "../src/validation/rules.js";
import { runValidation, type ValidationReport } from "../src/validation/run.js";
import { writeDataset } from "./helpers/dataset.js";
import { tempDir } from "./helpers/tmp.js";

const HEADER = "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario";
const CLEAN = ["1,2024-01-05,1,1,2,10.00", "2,2024-01-06,2,2,1,5.50", "3,2024-01-07,1,2,4,10.00"];
/** Load A: one sale of an unknown product, one return. */
const LOAD_A = [...CLEAN, "10,2024-02-01,11,1,3,2.00", "11,2024-02-02,1,1,0,1.00"];
/** Load B: other anomalies (two unknown products, a negative quantity, a future date), more rows. */
const LOAD_B = [
  ...CLEAN,
  "20,2024-03-01,12,1,1,1.00",
  "21,2024-03-01,13,1,1,1.00",
  "22,2024-03-02,1,1,-5,1.00",
  "23,2025-06-01,1,2,1,1.00",
];

function dataDir(root: string, name: string, sales: string[]): string {
  return writeDataset(join(root, name), { ventas: [HEADER, ...sales].join("\n") });
}

/** What a result says about the data (not when or in which run it was found). */
const findings = (results: RuleResult[]) =>
  results.map(({ rule, passed, affected, distinct, sample, impact, message }) => ({
    rule,
    passed,
    affected,
    distinct,
    sample,
    impact,
    message,
  }));

function history(dbPath: string): { runs: number; results: number; etlRunIds: unknown[] } {
  const db = new Sqlite(dbPath, { readonly: true });
  try {
    if (!db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'validation_runs'").get())
      return { runs: 0, results: 0, etlRunIds: [] };
    return {
      runs: db.prepare("SELECT count(*) FROM validation_runs").pluck().get() as number,
      results: db.prepare("SELECT count(*) FROM validation_results").pluck().get() as number,
      etlRunIds: db.prepare("SELECT etl_run_id FROM validation_runs ORDER BY rowid").pluck().all(),
    };
  } finally {
    db.close();
  }
}

describe("one validation run reads one load", () => {
  it("an ETL commit between two rules changes nothing the run reports or records", async () => {
    const root = tempDir();
    const asOf = "2024-12-31";

    // What load A alone gives, on a database of its own.
    const reference = join(root, "reference.db");
    await runEtl({ dataDir: dataDir(root, "a", LOAD_A), dbPath: reference });
    const expected = await runValidation({ dbPath: reference, asOf });

    const dbPath = join(root, "empresa.db");
    const loadA = await runEtl({ dataDir: join(root, "a"), dbPath });
    const dirB = dataDir(root, "b", LOAD_B);
    let loadB: Awaited<ReturnType<typeof runEtl>> | undefined;
    const seen: string[] = [];
    const report = await runValidation({
      dbPath,
      asOf,
      async onRuleDone(result, index) {
        seen.push(result.rule);
        // A new load commits from another connection while the run is between rules.
        if (index === 0) loadB = await runEtl({ dataDir: dirB, dbPath });
      },
    });

    expect(seen).toEqual(RULES.map((rule) => rule.id));
    expect(loadB?.runId).toBeTypeOf("string");
    expect(findings(report.results)).toEqual(findings(expected.results));
    expect(report.status).toBe(expected.status);
    expect(report.dataQuality?.etlRunId).toBe(loadA.runId);
    expect(report.dataQuality?.tables.find((t) => t.table === "ventas")?.read).toBe(LOAD_A.length);
    expect(history(dbPath).etlRunIds).toEqual([loadA.runId]);

    // Load B did commit: the next run sees it, and records it.
    const next = await runValidation({ dbPath, asOf });
    expect(next.dataQuality?.etlRunId).toBe(loadB?.runId);
    expect(next.results.find((r) => r.rule === "producto_fk")?.affected).toBe(2);
    expect(next.results.find((r) => r.rule === "fecha_not_future")?.affected).toBe(1);
    expect(history(dbPath).etlRunIds).toEqual([loadA.runId, loadB?.runId]);
  });
});

describe("runValidation and an AbortSignal", () => {
  async function loaded(): Promise<{ dbPath: string; first: ValidationReport }> {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    await runEtl({ dataDir: dataDir(root, "a", LOAD_A), dbPath });
    const first = await runValidation({ dbPath, asOf: "2024-12-31" });
    return { dbPath, first };
  }

  it("an abort between rules stops before the next rule, rejects with an AbortError and records nothing", async () => {
    const { dbPath } = await loaded();
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      runValidation({
        dbPath,
        asOf: "2024-12-31",
        signal: controller.signal,
        onRuleDone(_result, index) {
          seen.push(index);
          if (index === 3) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(history(dbPath)).toMatchObject({ runs: 1, results: RULES.length });

    // Nothing is left open or locked: the next run records normally.
    await runValidation({ dbPath, asOf: "2024-12-31" });
    expect(history(dbPath)).toMatchObject({ runs: 2, results: 2 * RULES.length });
  });

  it("an abort from the event loop (a signal handler, a timer) is seen before the next rule", async () => {
    const { dbPath } = await loaded();
    const controller = new AbortController();
    const seen: number[] = [];
    const run = runValidation({
      dbPath,
      asOf: "2024-12-31",
      signal: controller.signal,
      onRuleDone(_result, index) {
        seen.push(index);
        // Not from inside the run: queued on the event loop, as SIGTERM's handler would be.
        if (index === 2) setImmediate(() => controller.abort(new Error("SIGTERM")));
      },
    });
    await expect(run).rejects.toThrow("SIGTERM");
    expect(seen).toEqual([0, 1, 2]);
    expect(history(dbPath).runs).toBe(1);
  });

  it("an already aborted signal opens nothing and runs no rule", async () => {
    const { dbPath } = await loaded();
    let rules = 0;
    await expect(
      runValidation({
        dbPath,
        asOf: "2024-12-31",
        signal: AbortSignal.abort(),
        onRuleDone: () => void rules++,
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(rules).toBe(0);
    expect(history(dbPath).runs).toBe(1);
  });

  it("a malformed as-of day is refused before anything runs", async () => {
    const { dbPath } = await loaded();
    await expect(runValidation({ dbPath, asOf: "2024-02-30" })).rejects.toThrow(
      'asOf: must be a real date as YYYY-MM-DD, got "2024-02-30"',
    );
    expect(history(dbPath).runs).toBe(1);
  });
});
