import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { generate } from "../src/generate/generate.js";
import { runCli, spawnCli } from "./helpers/cli.js";
import { writeDataset } from "./helpers/dataset.js";
import { dumpDb, query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

/** Resolves when `path` exists and is larger than `bytes` (or the process ends first). */
async function growsPast(path: string, bytes: number, alive: () => boolean): Promise<void> {
  while (alive() && !(existsSync(path) && statSync(path).size > bytes))
    await new Promise((r) => setTimeout(r, 5));
}

function bigDataset(root: string): string {
  const dir = join(root, "big");
  generate({
    rows: 400_000,
    inventoryRows: 5000,
    seed: "conc",
    out: dir,
    referenceDate: "2025-01-01",
  });
  return dir;
}

describe("ETL runs on the same database", () => {
  it("a failing first run never removes the database another first run is writing", async () => {
    const root = tempDir();
    const dbPath = join(root, "new", "empresa.db");
    // The failing run reads 400,000 sales before it meets a quote that is never closed.
    const failingData = bigDataset(root);
    appendFileSync(join(failingData, "ventas.csv"), '\n9999999,"2024-01-01,1,1,1,1\n');
    const failing = spawnCli("etl", ["--data-dir", failingData, "--db", dbPath], { cwd: root });
    failing.stdout?.resume();
    let failingStderr = "";
    failing.stderr?.on("data", (chunk) => (failingStderr += chunk));
    let alive = true;
    const failingExit = new Promise<number | null>((done) =>
      failing.on("exit", (code) => {
        alive = false;
        done(code);
      }),
    );
    // The good run starts while the failing one is loading (its first file is done).
    while (alive && !failingStderr.includes("productos.csv: read"))
      await new Promise((r) => setTimeout(r, 5));
    const good = await runCli(
      "etl",
      ["--data-dir", writeDataset(join(root, "good")), "--db", dbPath],
      {
        cwd: root,
      },
    );
    expect(await failingExit).toBe(1);
    expect(failingStderr).toContain("a quote opened on this line is never closed");
    expect(good.code).toBe(0);
    expect(good.stderr).toContain("etl committed");

    expect(existsSync(dbPath)).toBe(true);
    expect(query(dbPath, "SELECT count(*) AS n FROM etl_runs")).toEqual([{ n: 1 }]);
    expect(query(dbPath, "SELECT count(*) AS n FROM ventas")).toEqual([{ n: 2 }]);
    // Nothing of the failed run is left beside it.
    expect(readdirSync(join(root, "new")).filter((n) => n.includes("loading"))).toEqual([]);
  });

  it("a run waits for another one loading the same database, and both commit", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    await runEtl({ dataDir: writeDataset(join(root, "small")), dbPath });
    const big = bigDataset(root);
    const first = spawnCli("etl", ["--data-dir", big, "--db", dbPath], { cwd: root });
    first.stdout?.resume();
    first.stderr?.resume();
    let alive = true;
    const firstExit = new Promise<number | null>((done) =>
      first.on("exit", (code) => {
        alive = false;
        done(code);
      }),
    );
    await growsPast(`${dbPath}-wal`, 2 ** 20, () => alive);
    const second = await runEtl({ dataDir: join(root, "small"), dbPath });
    expect(await firstExit).toBe(0);
    const runs = query(dbPath, "SELECT run_id FROM etl_runs ORDER BY finished_at");
    expect(runs).toHaveLength(3);
    // The second run waited for the first, so it committed last: its data is what is there.
    expect(runs[2]).toEqual({ run_id: second.runId });
    expect(query(dbPath, "SELECT count(*) AS n FROM ventas")).toEqual([{ n: 2 }]);
  });

  it("two first runs at the same moment: both loads are recorded, neither vanishes", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    const data = writeDataset(join(root, "data"));
    // Both see no database (the check is synchronous, before either awaits anything).
    const [a, b] = await Promise.all([
      runEtl({ dataDir: data, dbPath }),
      runEtl({ dataDir: data, dbPath }),
    ]);
    const runs = query(dbPath, "SELECT run_id FROM etl_runs ORDER BY finished_at").map(
      (r) => r.run_id,
    );
    expect(runs.sort()).toEqual([a.runId, b.runId].sort());
    expect(readdirSync(root).filter((name) => name.includes("loading"))).toEqual([]);
  });

  it("a failed first run leaves no file at the database path", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    const bad = writeDataset(join(root, "bad"), { ventas: 'venta_id,fecha\n1,"2024\n' });
    await expect(runEtl({ dataDir: bad, dbPath })).rejects.toThrow();
    expect(readdirSync(root).filter((name) => name.startsWith("empresa.db"))).toEqual([]);
  });
});

describe("a database of another application", () => {
  it("is refused before anything is set on it: journal mode and content unchanged", async () => {
    const root = tempDir();
    const dbPath = join(root, "other.db");
    const other = new Sqlite(dbPath);
    other.exec(
      "CREATE TABLE notas (id INTEGER PRIMARY KEY, texto TEXT); INSERT INTO notas VALUES (1, 'hola')",
    );
    other.close();
    const before = readFileSync(dbPath);
    // Byte 18-19 of the header: 1 = rollback journal, 2 = WAL.
    expect([before[18], before[19]]).toEqual([1, 1]);

    await expect(runEtl({ dataDir: writeDataset(join(root, "data")), dbPath })).rejects.toThrow(
      /belongs to another application/,
    );
    const after = readFileSync(dbPath);
    expect([after[18], after[19]]).toEqual([1, 1]);
    expect(after.equals(before)).toBe(true);
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
  });
});

describe("stopping a run", () => {
  it("an aborted signal stops runEtl and leaves the previous data", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    await runEtl({ dataDir: writeDataset(join(root, "small")), dbPath });
    const before = dumpDb(dbPath);
    const controller = new AbortController();
    const run = runEtl({
      dataDir: bigDataset(root),
      dbPath,
      signal: controller.signal,
      onProgress: () => controller.abort(new Error("stop now")),
    });
    await expect(run).rejects.toThrow("stop now");
    expect(dumpDb(dbPath)).toEqual(before);
  });

  it("SIGTERM to `etl` mid-load: one 'interrupted' line, exit 143, the previous data intact", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    await runEtl({ dataDir: writeDataset(join(root, "small")), dbPath });
    const before = dumpDb(dbPath);
    const child = spawnCli("etl", ["--data-dir", bigDataset(root), "--db", dbPath], { cwd: root });
    child.stdout?.resume();
    let stderr = "";
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    let alive = true;
    const exited = new Promise<number | null>((done) =>
      child.on("exit", (code) => {
        alive = false;
        done(code);
      }),
    );
    // Mid-load: clientes.csv is done, the 400,000 sales are being read.
    while (alive && !stderr.includes("clientes.csv: read"))
      await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(stderr).toContain("interrupted by SIGTERM; nothing changed");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(dumpDb(dbPath)).toEqual(before);
  });
});
