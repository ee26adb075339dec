import { spawnSync } from "node:child_process";
import {
  closeSync,
  cpSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { ROOT } from "./helpers/cli.js";
import { writeDataset } from "./helpers/dataset.js";
import { query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

const VENTAS_HEADER = "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario";
const MB = 2 ** 20;

/** Writes `header` then `line` repeated until the file holds about `bytes` bytes. */
function writeRepeated(path: string, header: string, line: string, bytes: number): number {
  const block = line.repeat(Math.ceil(MB / line.length));
  const fd = openSync(path, "w");
  let written = writeSync(fd, header);
  let rows = 0;
  while (written < bytes) {
    written += writeSync(fd, block);
    rows += block.length / line.length;
  }
  closeSync(fd);
  return rows;
}

/**
 * Builds the ETL command into `out` as plain JavaScript, as `npm run etl` runs it (the tsx
 * loader's own threads would add tens of MB of noise to the measure): the command and its
 * reader thread, each bundled with its own sources only.
 */
async function buildInto(out: string): Promise<string> {
  await build({
    entryPoints: {
      "etl/cli": join(ROOT, "src/etl/cli.ts"),
      // Where the reader thread's code (bundled into cli.js) looks for them.
      "etl/worker": join(ROOT, "src/etl/read/worker.ts"),
    },
    bundle: true,
    packages: "external",
    outdir: out,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error",
  });
  cpSync(join(ROOT, "src/etl/read/boot.mjs"), join(out, "etl/boot.mjs"));
  writeFileSync(
    join(out, "package.json"),
    '{"name":"etl-memory-test","version":"0.0.0","type":"module"}',
  );
  symlinkSync(join(ROOT, "node_modules"), join(out, "node_modules"));
  return join(out, "etl", "cli.js");
}

/** Peak RSS (MB) of the ETL command as a real process on `dataDir`; checks every row was kept. */
function peakRssMb(cli: string, root: string, dataDir: string, rows: number): number {
  const rssFile = join(root, "rss");
  const dbPath = join(root, `${rows}.db`);
  const probe = pathToFileURL(resolve(ROOT, "bench/rss-probe.mjs")).href;
  const result = spawnSync(
    process.execPath,
    ["--import", probe, cli, "--data-dir", dataDir, "--db", dbPath],
    { cwd: root, encoding: "utf8", env: { ...process.env, RSS_PROBE_FILE: rssFile } },
  );
  expect(result.stderr).toContain(`ventas.csv: read ${rows}, loaded 0, rejected ${rows}`);
  expect(result.status).toBe(0);
  expect(query(dbPath, "SELECT count(*) n FROM rejected_rows")).toEqual([{ n: rows }]);
  return Number(readFileSync(rssFile, "utf8")) / MB;
}

describe("rejected rows and the reader's memory bound", () => {
  it("keeps peak memory flat however many bad rows a file holds (a real process)", async () => {
    // Rows of 20 KB that all fail (field_count): the reader produces them much faster than
    // the database stores them. Without the bound they piled up between the threads: on
    // 150 MB the peak was about 330 MB above the 15 MB file's (708 MB on a 355 MB file).
    // With it, both peaks are the process at work (Node, tsx, SQLite, two heaps).
    const root = tempDir();
    const cli = await buildInto(root);
    const line = `bad row ${"x".repeat(20_000)}\n`;
    const peaks: number[] = [];
    for (const size of [15 * MB, 150 * MB]) {
      const dataDir = writeDataset(join(root, `data-${size}`));
      const rows = writeRepeated(join(dataDir, "ventas.csv"), `${VENTAS_HEADER}\n`, line, size);
      peaks.push(peakRssMb(cli, root, dataDir, rows));
    }
    const [small, big] = peaks as [number, number];
    expect(big - small).toBeLessThan(150);
  });

  it("stores at most 65,536 characters of a rejected row's text, marked as truncated", async () => {
    const root = tempDir();
    const long = `V1,2024-01-01,1,1,1,${"9".repeat(100_000)}`; // invalid_number, 100,020 characters
    // A character outside the BMP straddling the cut is not split in half.
    const emoji = `V2,${"é".repeat(65_532)}😀😀,1,1,1,1`;
    const dbPath = join(root, "empresa.db");
    await runEtl({
      dataDir: writeDataset(join(root, "data"), {
        ventas: `${VENTAS_HEADER}\n${long}\n${emoji}\nV3,2024-01-01,1,1,1,${"1".repeat(50)}x\n`,
      }),
      dbPath,
    });
    const raws = query(dbPath, "SELECT line, raw_text FROM rejected_rows ORDER BY line").map(
      (r) => r.raw_text as string,
    );
    expect(raws[0]).toBe(`${long.slice(0, 65_536)}…[truncated, 100020 characters in all]`);
    expect(raws[1]).toBe(
      `${emoji.slice(0, 65_535)}…[truncated, ${emoji.length} characters in all]`,
    );
    expect(raws[2]).toBe(`V3,2024-01-01,1,1,1,${"1".repeat(50)}x`);
  });
});
