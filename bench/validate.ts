/**
 * `npm run bench:validate [-- --sizes 1000000,10000000]`
 *
 * For each size: generates and loads the sample data, then times every rule (the library's
 * `runValidation`, as the command runs it, history included) next to one full scan of the
 * sales table (`SELECT sum(cantidad) FROM ventas`) on the same database in the same run.
 * Each figure is the median of 5 runs after one warm-up. Target: all rules ≤ 3 × one scan.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { RULES } from "../src/validation/rules.js";
import { runValidation } from "../src/validation/run.js";
import { resolveThresholds } from "../src/validation/thresholds.js";
import { buildDatabase, flag, fmt, printTable } from "./measure.js";

const sizes = flag("sizes", "1000000,10000000").split(",").map(Number);
const work = mkdtempSync(join(tmpdir(), "bench-validate-"));
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
async function time(fn: () => unknown): Promise<number> {
  await fn(); // warm-up
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await fn();
    runs.push(performance.now() - started);
  }
  return median(runs);
}

const rows: string[][] = [];
try {
  for (const size of sizes) {
    const db = buildDatabase(size, work);
    const thresholds = resolveThresholds(RULES, undefined, {});
    const sqlite = new Sqlite(db, { readonly: true });
    const scanMs = await time(() => sqlite.prepare("SELECT sum(cantidad) FROM ventas").get());
    sqlite.close();
    let failed = 0;
    const rulesMs = await time(async () => {
      const report = await runValidation({ dbPath: db, asOf: "2025-01-01", thresholds });
      failed = report.results.filter((r) => !r.passed).length;
    });
    const ratio = rulesMs / scanMs;
    rows.push([
      size.toLocaleString("en-US"),
      `${fmt(rulesMs, 1)} ms`,
      `${fmt(scanMs, 1)} ms`,
      fmt(ratio),
      `${failed} of ${RULES.length}`,
    ]);
    console.error(
      `${size}: all rules ${fmt(rulesMs, 1)} ms, one scan ${fmt(scanMs, 1)} ms, ratio ${fmt(ratio)}`,
    );
    rmSync(db, { force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
printTable(
  ["sales rows", "all 9 rules (history included)", "one scan of ventas", "ratio", "rules failing"],
  rows,
);
console.log("\n(as of 2025-01-01, so 27% of sales are future-dated; target: ratio ≤ 3)");
