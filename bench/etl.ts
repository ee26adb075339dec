/**
 * `npm run bench:etl [-- --sizes 1000000,10000000 --rounds 3 --series clean,messy]`
 *
 * Two series of sales files, each written once per size by the generator:
 *
 * - `clean`: `generate --clean`, every row valid and plain (`17,2024-03-05,3,12,2,1299.00`),
 *   nothing rejected: the files a user mostly has, and the fair comparison with `.import`;
 * - `messy`: the generator's usual sample (every kind of mess the ETL accepts or rejects,
 *   about 1.7 % of the sales rejected and 2.5 % waiting for their column's convention).
 *
 * Each round runs the ETL command (`node dist/etl/cli.js`, a real process into a fresh
 * database: wall time and peak RSS of all its threads) and `sqlite3 DB ".import --csv
 * ventas.csv ventas"` of the same ventas.csv into a fresh database, back to back, in
 * alternating order, so both see the same load on the machine. Per size it prints the
 * median of each time, the ratio (median of the rounds' ratios, with their min and max),
 * rows per second, the largest peak RSS, and the load average before and after (the
 * figures move with a neighbour's load: compare ratios, and only from a quiet machine).
 * Targets (issue 14), for the clean series at 1M and at 10M rows: ratio ≤ 2.0, peak RSS ≤
 * 200 MB, and time linear in rows (10M/1M time ≈ 10). Needs `apt-get install -y sqlite3`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { flag, fmt, type Measured, printTable, ROOT, rate, timed, timedNode } from "./measure.js";

const sizes = flag("sizes", "1000000,10000000").split(",").map(Number);
const rounds = Math.max(1, Number(flag("rounds", "3")));
const series = flag("series", "clean,messy").split(",") as ("clean" | "messy")[];
const TARGET_RATIO = 2.0;
const TARGET_RSS_MB = 200;

const work = mkdtempSync(join(tmpdir(), "bench-etl-"));
timed(process.execPath, ["scripts/build.mjs"]);
try {
  timed("sqlite3", ["-version"]);
} catch {
  console.error("sqlite3 is needed for the reference (.import): apt-get install -y sqlite3");
  process.exit(2);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");

interface Result {
  series: string;
  size: number;
  etl: number[];
  reference: number[];
  ratios: number[];
  rss: number[];
  loaded: number;
  rejected: number;
}

function runEtl(data: string, db: string): Measured & { loaded: number; rejected: number } {
  rmSync(db, { force: true });
  const measured = timedNode("dist/etl/cli.js", ["--data-dir", data, "--db", db, "--json"]);
  const ventas = JSON.parse(measured.stdout).files.ventas as { loaded: number; rejected: number };
  rmSync(db, { force: true });
  return { ...measured, loaded: ventas.loaded, rejected: ventas.rejected };
}

function runImport(data: string, db: string): Measured {
  rmSync(db, { force: true });
  const measured = timed("sqlite3", [db], {
    input: `.import --csv ${join(data, "ventas.csv")} ventas\n`,
  });
  rmSync(db, { force: true });
  return measured;
}

const results: Result[] = [];
const loadBefore = load();
try {
  for (const kind of series) {
    for (const size of sizes) {
      const data = join(work, `${kind}-${size}`);
      timed(process.execPath, [
        "dist/generate/cli.js",
        "--rows",
        String(size),
        "--out",
        data,
        ...(kind === "clean" ? ["--clean"] : []),
      ]);
      const result: Result = {
        series: kind,
        size,
        etl: [],
        reference: [],
        ratios: [],
        rss: [],
        loaded: 0,
        rejected: 0,
      };
      for (let round = 0; round < rounds; round++) {
        // Alternate which goes first, so a change of load hits both alike.
        let etl: ReturnType<typeof runEtl>;
        let reference: Measured;
        if (round % 2 === 0) {
          etl = runEtl(data, join(work, "etl.db"));
          reference = runImport(data, join(work, "import.db"));
        } else {
          reference = runImport(data, join(work, "import.db"));
          etl = runEtl(data, join(work, "etl.db"));
        }
        result.etl.push(etl.seconds);
        result.reference.push(reference.seconds);
        result.ratios.push(etl.seconds / reference.seconds);
        result.rss.push(etl.peakRssMb ?? 0);
        result.loaded = etl.loaded;
        result.rejected = etl.rejected;
        console.error(
          `${kind} ${size} round ${round + 1}/${rounds}: etl ${fmt(etl.seconds)} s, .import ${fmt(reference.seconds)} s, ratio ${fmt(etl.seconds / reference.seconds)}, peak RSS ${Math.round(etl.peakRssMb ?? 0)} MB (load ${load()})`,
        );
      }
      rmSync(data, { recursive: true, force: true });
      results.push(result);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

printTable(
  [
    "series",
    "sales rows",
    "etl (median)",
    "etl rows/s",
    "sqlite3 .import (median)",
    ".import rows/s",
    "ratio median (min–max)",
    "etl peak RSS (max)",
    "loaded / rejected",
  ],
  results.map((r) => [
    r.series,
    r.size.toLocaleString("en-US"),
    `${fmt(median(r.etl))} s`,
    rate(r.size, median(r.etl)),
    `${fmt(median(r.reference))} s`,
    rate(r.size, median(r.reference)),
    `**${fmt(median(r.ratios))}** (${fmt(Math.min(...r.ratios))}–${fmt(Math.max(...r.ratios))})`,
    `${Math.round(Math.max(...r.rss))} MB`,
    `${r.loaded.toLocaleString("en-US")} / ${r.rejected.toLocaleString("en-US")}`,
  ]),
);

console.log(
  `\n${rounds} round(s) per size; load average (1, 5, 15 min) before ${loadBefore}, after ${load()} (${ROOT})`,
);
console.log(
  `Targets (issue 14), clean series at 1M and 10M rows: ratio ≤ ${TARGET_RATIO.toFixed(1)}, peak RSS ≤ ${TARGET_RSS_MB} MB, time linear in rows.`,
);
for (const kind of series) {
  const mine = results.filter((r) => r.series === kind);
  for (const r of mine) {
    const ratio = median(r.ratios);
    const rss = Math.max(...r.rss);
    const verdict =
      kind === "clean"
        ? ` (${ratio <= TARGET_RATIO ? "met" : "NOT met"} / ${rss <= TARGET_RSS_MB ? "met" : "NOT met"})`
        : "";
    console.log(
      `  ${kind} ${r.size.toLocaleString("en-US")}: ratio ${fmt(ratio)}, peak RSS ${Math.round(rss)} MB${verdict}`,
    );
  }
  const first = mine[0];
  const last = mine.at(-1);
  if (first && last && last !== first) {
    const scale = median(last.etl) / median(first.etl);
    console.log(
      `  ${kind}: ×${fmt(last.size / first.size, 0)} rows took ×${fmt(scale, 1)} the time (etl), ×${fmt(median(last.reference) / median(first.reference), 1)} (.import)`,
    );
  }
}
