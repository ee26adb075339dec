import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { generate } from "../src/generate/generate.js";
import { spawnCli } from "./helpers/cli.js";
import { writeDataset } from "./helpers/dataset.js";
import { dumpDb, query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

describe("a killed etl run", () => {
  it("leaves the previous data intact and readable, and the next run succeeds", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    const small = writeDataset(join(root, "small"));
    await runEtl({ dataDir: small, dbPath });
    const before = dumpDb(dbPath);

    const big = join(root, "big");
    generate({
      rows: 600_000,
      inventoryRows: 5000,
      seed: "kill",
      out: big,
      referenceDate: "2025-01-01",
    });
    const child = spawnCli("etl", ["--data-dir", big, "--db", dbPath], { cwd: root });
    child.stdout?.resume();
    child.stderr?.resume();
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
      child.on("exit", (code, signal) => done({ code, signal })),
    );
    // Kill it once it is demonstrably mid-load: its uncommitted transaction has spilled
    // pages into the write-ahead log. (An event to wait for, not a time.)
    const wal = `${dbPath}-wal`;
    let alive = true;
    void exited.then(() => (alive = false));
    while (alive && !(existsSync(wal) && statSync(wal).size > 4 * 2 ** 20)) {
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL");
    const outcome = await exited;
    expect(outcome.signal).toBe("SIGKILL"); // it was killed, not finished

    expect(dumpDb(dbPath)).toEqual(before);
    expect(query(dbPath, "SELECT count(*) n FROM ventas_enriquecidas")).toEqual([{ n: 2 }]);

    const report = await runEtl({ dataDir: big, dbPath });
    expect(report.files.find((f) => f.table === "ventas")?.read).toBe(600_000);
    expect(query(dbPath, "SELECT count(*) n FROM etl_runs")).toEqual([{ n: 2 }]);
  });
});
