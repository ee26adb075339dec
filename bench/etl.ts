/**
 * `npm run bench:etl [-- --sizes 1000000,10000000]`
 *
 * For each size: generates the sample files, runs the ETL command (`node dist/etl/cli.js`,
 * a real process, peak RSS of all its threads), then `sqlite3 .import` of the same
 * ventas.csv into a fresh database in the same run, and prints both times, rows per second,
 * the ratio and the peak memory. Targets at 1M rows: ratio ≤ 2.5, peak RSS ≤ 300 MB.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { flag, fmt, printTable, ROOT, rate, timed, timedNode } from "./measure.js";

const sizes = flag("sizes", "1000000,10000000").split(",").map(Number);
const work = mkdtempSync(join(tmpdir(), "bench-etl-"));
timed(process.execPath, ["scripts/build.mjs"]);
try {
  timed("sqlite3", ["-version"]);
} catch {
  console.error("sqlite3 is needed for the reference (.import): apt-get install -y sqlite3");
  process.exit(2);
}

const rows: string[][] = [];
try {
  for (const size of sizes) {
    const data = join(work, `data-${size}`);
    timed(process.execPath, ["dist/generate/cli.js", "--rows", String(size), "--out", data]);
    const db = join(work, `etl-${size}.db`);
    const etl = timedNode("dist/etl/cli.js", ["--data-dir", data, "--db", db, "--json"]);
    const loaded = JSON.parse(etl.stdout).files.ventas.loaded as number;
    const importDb = join(work, `import-${size}.db`);
    const reference = timed("sqlite3", [importDb], {
      input: `.import --csv ${join(data, "ventas.csv")} ventas\n`,
    });
    rmSync(data, { recursive: true, force: true });
    rmSync(db, { force: true });
    rmSync(importDb, { force: true });
    const ratio = etl.seconds / reference.seconds;
    rows.push([
      size.toLocaleString("en-US"),
      `${fmt(etl.seconds)} s`,
      rate(size, etl.seconds),
      `${fmt(reference.seconds)} s`,
      rate(size, reference.seconds),
      fmt(ratio),
      `${Math.round(etl.peakRssMb ?? 0)} MB`,
      loaded.toLocaleString("en-US"),
    ]);
    console.error(
      `${size} rows: etl ${fmt(etl.seconds)} s, .import ${fmt(reference.seconds)} s, ratio ${fmt(ratio)}, peak RSS ${Math.round(etl.peakRssMb ?? 0)} MB`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
printTable(
  [
    "sales rows",
    "etl",
    "etl rows/s",
    "sqlite3 .import",
    ".import rows/s",
    "ratio",
    "etl peak RSS",
    "loaded",
  ],
  rows,
);
console.log(`\n(${ROOT}; target at 1M: ratio ≤ 2.5, peak RSS ≤ 300 MB)`);
