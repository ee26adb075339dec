import { createHash } from "node:crypto";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { ROOT, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

/** A database loaded from the bundled sample data, in a fresh folder. */
async function sampleDatabase(): Promise<{ root: string; dbPath: string }> {
  const root = tempDir();
  const dbPath = join(root, "database", "empresa.db");
  await runEtl({ dataDir: join(ROOT, "data"), dbPath });
  return { root, dbPath };
}

describe("npm run validate on the bundled sample data", () => {
  it("flags product 11 and the future-dated sales: status attention, exit 1", async () => {
    const { root } = await sampleDatabase();
    const run = await runCli("validate", ["--as-of", "2025-01-01", "--json"], { cwd: root });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(report).toMatchObject({ as_of: "2025-01-01", status: "attention" });
    const byRule = Object.fromEntries(report.results.map((r: { rule: string }) => [r.rule, r]));
    expect(Object.keys(byRule)).toEqual([
      "schema_structure",
      "venta_id_unique",
      "producto_fk",
      "cliente_fk",
      "cantidad_non_negative",
      "cantidad_zero",
      "precio_non_negative",
      "fecha_not_future",
      "stock_non_negative",
    ]);
    expect(byRule.producto_fk).toMatchObject({
      severity: "ERROR",
      passed: false,
      affected: 40,
      distinct: 1,
      state: "new",
    });
    expect(byRule.producto_fk.sample.every((s: { value: number }) => s.value === 11)).toBe(true);
    expect(byRule.producto_fk.sample).toHaveLength(10);
    expect(byRule.fecha_not_future).toMatchObject({
      severity: "WARNING",
      passed: false,
      affected: 1479,
    });
    expect(byRule.schema_structure.passed).toBe(true);
    expect(report.data_quality.tables.ventas).toEqual({
      read: 5500,
      loaded: 5407,
      rejected: 93,
      percent: 98.3,
    });
    expect(run.stderr).toContain("Ventas: 5,407/5,500 (98.3%)");

    const alerts = readFileSync(join(root, "logs", "alertas.log"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(alerts.map((a) => a.rule)).toEqual(
      report.results
        .filter((r: { passed: boolean }) => !r.passed)
        .map((r: { rule: string }) => r.rule),
    );
    expect(alerts[0]).toMatchObject({
      run_id: report.run_id,
      rule: "producto_fk",
      severity: "ERROR",
      affected: 40,
    });
    expect(typeof alerts[0].timestamp).toBe("string");
    expect(typeof alerts[0].runbook).toBe("string");
  });

  it("without --as-of nothing is in the future (the sample is dated 2024-2025): exit 1 for the ERROR rules only", async () => {
    const { root } = await sampleDatabase();
    const run = await runCli("validate", [], { cwd: root, env: { TZ: "America/Bogota" } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/PASS\s+fecha_not_future/);
    expect(run.stdout).toMatch(/ERROR\s+producto_fk\s+40 sales/);
    expect(run.stdout).toContain("Status: ATTENTION");
  });

  it("rejects a malformed --as-of (or AS_OF) with exit 2, naming where it came from", async () => {
    const { root } = await sampleDatabase();
    for (const bad of ["2025-02-30", "01/01/2025", "tomorrow"]) {
      const run = await runCli("validate", ["--as-of", bad], { cwd: root });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--as-of: must be a real date as YYYY-MM-DD, got "${bad}"`);
    }
    const fromEnv = await runCli("validate", [], { cwd: root, env: { AS_OF: "2025-13-01" } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('AS_OF: must be a real date as YYYY-MM-DD, got "2025-13-01"');
  });
});

describe("npm run validate on bad input: exit 2, nothing written", () => {
  const hash = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

  it("a missing database is not created", async () => {
    const root = tempDir();
    const run = await runCli("validate", ["--db", "nope.db"], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("nope.db: no database at this path");
    expect(existsSync(join(root, "nope.db"))).toBe(false);
    expect(existsSync(join(root, "logs", "alertas.log"))).toBe(false);
  });

  it.each([
    ["an empty database", (path: string) => writeFileSync(path, ""), "the database is empty"],
    [
      "another application's database",
      (path: string) => {
        const db = new Sqlite(path);
        db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (7);");
        db.close();
      },
      "not a database of this project",
    ],
    [
      "a corrupt file",
      (path: string) => writeFileSync(path, Buffer.alloc(8192, 0x5a)),
      "not a readable SQLite database",
    ],
  ])("%s", async (_name, make, message) => {
    const root = tempDir();
    const path = join(root, "x.db");
    make(path);
    const before = hash(path);
    const run = await runCli("validate", ["--db", "x.db", "--json"], { cwd: root });
    expect(run.code).toBe(2);
    // With --json, stdout holds exactly one JSON document, a failure included.
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "error", error: { code: "database" } });
    expect(JSON.parse(run.stdout).error.message).toContain(message);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(hash(path)).toBe(before);
  });
});

describe("alert webhook", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    server = undefined;
  });

  async function receiver(
    handle: (body: string, req: IncomingMessage, respond: (status: number) => void) => void,
  ): Promise<string> {
    const listening = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () =>
        handle(body, req, (status) => {
          res.statusCode = status;
          res.end();
        }),
      );
    });
    server = listening;
    await new Promise<void>((r) => listening.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(listening.address() as AddressInfo).port}/hook`;
  }

  it("posts a Slack-compatible text plus the failed results", async () => {
    const { root } = await sampleDatabase();
    const bodies: Record<string, unknown>[] = [];
    const url = await receiver((body, _req, respond) => {
      bodies.push(JSON.parse(body));
      respond(200);
    });
    const run = await runCli("validate", ["--as-of", "2025-01-01"], {
      cwd: root,
      env: { ALERT_WEBHOOK_URL: url },
    });
    expect(run.code).toBe(1);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.text).toMatch(/^\*empresa-etl validation: ATTENTION\*/);
    expect(bodies[0]?.text).toContain("`producto_fk`");
    expect((bodies[0]?.results as { rule: string }[] | undefined)?.map((r) => r.rule)).toContain(
      "fecha_not_future",
    );
    expect(run.stderr).toContain("alert webhook delivered");
  });

  it("a failing receiver is retried, logged, and changes nothing else", async () => {
    const { root } = await sampleDatabase();
    let attempts = 0;
    const url = await receiver((_body, _req, respond) => {
      attempts++;
      respond(503);
    });
    const run = await runCli("validate", ["--as-of", "2025-01-01", "--json"], {
      cwd: root,
      env: { ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_RETRIES: "2" },
    });
    expect(run.code).toBe(1);
    expect(attempts).toBe(3);
    expect(JSON.parse(run.stdout).status).toBe("attention");
    expect(run.stderr).toContain("alert webhook failed after 3 attempts: HTTP 503");
  });

  it("a hanging receiver times out", async () => {
    const { root } = await sampleDatabase();
    let attempts = 0;
    const url = await receiver(() => {
      attempts++; // never answers
    });
    const run = await runCli("validate", ["--as-of", "2025-01-01"], {
      cwd: root,
      env: { ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_TIMEOUT_MS: "300", ALERT_WEBHOOK_RETRIES: "1" },
    });
    expect(run.code).toBe(1);
    expect(attempts).toBe(2);
    expect(run.stderr).toContain("alert webhook failed after 2 attempts: no answer within 300 ms");
  });

  it("sends nothing when every rule passes", async () => {
    const root = tempDir();
    cpSync(join(ROOT, "data"), join(root, "data"), { recursive: true });
    let attempts = 0;
    const url = await receiver((_b, _r, respond) => {
      attempts++;
      respond(200);
    });
    await runEtl({ dataDir: join(root, "data"), dbPath: join(root, "database", "empresa.db") });
    const all = [
      "PRODUCTO_FK",
      "CLIENTE_FK",
      "CANTIDAD_NON_NEGATIVE",
      "CANTIDAD_ZERO",
      "PRECIO_NON_NEGATIVE",
      "FECHA_NOT_FUTURE",
      "STOCK_NON_NEGATIVE",
    ];
    const env = Object.fromEntries(all.map((id) => [`VALIDATION_${id}_FAIL_ABOVE`, "100000"]));
    const run = await runCli("validate", ["--as-of", "2025-01-01"], {
      cwd: root,
      env: { ...env, ALERT_WEBHOOK_URL: url },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Status: OK");
    expect(attempts).toBe(0);
  });
});
