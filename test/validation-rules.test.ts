import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import type { RuleResult } from "../src/validation/evaluate.js";
import { RULES } from "../src/validation/rules.js";
import { overallStatus, runValidation } from "../src/validation/run.js";
import { resolveThresholds } from "../src/validation/thresholds.js";
import { writeDataset } from "./helpers/dataset.js";
import { tempDir } from "./helpers/tmp.js";

const HEADER = "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario";
const CLEAN_SALES = [
  HEADER,
  "1,2024-01-05,1,1,2,10.00",
  "2,2024-01-06,2,2,1,5.50",
  "3,2024-01-07,1,2,4,10.00",
];

/** Builds a database through the real ETL from sales lines (products 1-2, clients 1-2). */
async function database(extraSales: string[] = [], inventory?: string): Promise<string> {
  const root = tempDir();
  const dataDir = writeDataset(join(root, "data"), {
    ventas: [...CLEAN_SALES, ...extraSales].join("\n"),
    ...(inventory ? { inventario: inventory } : {}),
  });
  const dbPath = join(root, "empresa.db");
  await runEtl({ dataDir, dbPath });
  return dbPath;
}

async function validate(dbPath: string, asOf = "2024-12-31", env: Record<string, string> = {}) {
  return runValidation({ dbPath, asOf, thresholds: resolveThresholds(RULES, undefined, env) });
}

type Reported = RuleResult & { passRate?: { runs: number; rate: number } };
const result = (results: Reported[], rule: string) =>
  results.find((r) => r.rule === rule) as Reported;

describe("each rule", () => {
  it("passes on a clean database: status ok", async () => {
    const report = await validate(await database());
    expect(report.results.map((r) => [r.rule, r.passed, r.affected])).toEqual(
      RULES.map((rule) => [rule.id, true, 0]),
    );
    expect(report.status).toBe("ok");
  });

  it("producto_fk: counts sales of unknown products, their distinct ids and impact", async () => {
    const report = await validate(
      await database([
        "10,2024-02-01,11,1,3,2.00",
        "11,2024-02-02,11,2,1,2.00",
        "12,2024-02-03,12,1,1,1.00",
      ]),
    );
    expect(result(report.results, "producto_fk")).toMatchObject({
      passed: false,
      severity: "ERROR",
      affected: 3,
      distinct: { count: 2, of: "producto_id" },
      sample: [
        { key: 10, value: 11 },
        { key: 11, value: 11 },
        { key: 12, value: 12 },
      ],
      impact: { unidades: 5, importe: 9 },
    });
    expect(report.status).toBe("attention");
  });

  it("cliente_fk: a WARNING, so the status is warning", async () => {
    const report = await validate(await database(["10,2024-02-01,1,7,1,1.00"]));
    expect(result(report.results, "cliente_fk")).toMatchObject({
      passed: false,
      severity: "WARNING",
      affected: 1,
      sample: [{ key: 10, value: 7 }],
    });
    expect(report.results.filter((r) => !r.passed).map((r) => r.rule)).toEqual(["cliente_fk"]);
    expect(report.status).toBe("warning");
  });

  it("cantidad_non_negative and cantidad_zero tell negative quantities from returns", async () => {
    const report = await validate(
      await database([
        "10,2024-02-01,1,1,-2,1.00",
        "11,2024-02-01,1,1,0,1.00",
        "12,2024-02-01,1,1,-1,1.00",
      ]),
    );
    expect(result(report.results, "cantidad_non_negative")).toMatchObject({
      passed: false,
      affected: 2,
      sample: [
        { key: 10, value: -2 },
        { key: 12, value: -1 },
      ],
      impact: { unidades: -3, importe: -3 },
    });
    expect(result(report.results, "cantidad_zero")).toMatchObject({
      passed: false,
      severity: "WARNING",
      affected: 1,
      sample: [{ key: 11, value: 0 }],
    });
  });

  it("precio_non_negative reports the price as a decimal", async () => {
    const report = await validate(await database(["10,2024-02-01,1,1,2,-3.25"]));
    expect(result(report.results, "precio_non_negative")).toMatchObject({
      passed: false,
      affected: 1,
      sample: [{ key: 10, value: -3.25 }],
      impact: { unidades: 2, importe: -6.5 },
    });
  });

  it("fecha_not_future is relative to the as-of day (that day itself is not future)", async () => {
    const dbPath = await database(["10,2025-01-01,1,1,1,1.00", "11,2025-01-02,1,1,1,1.00"]);
    expect(
      result((await validate(dbPath, "2025-01-01")).results, "fecha_not_future"),
    ).toMatchObject({
      passed: false,
      affected: 1,
      sample: [{ key: 11, value: "2025-01-02" }],
    });
    expect(result((await validate(dbPath, "2025-01-02")).results, "fecha_not_future").passed).toBe(
      true,
    );
    expect(
      result((await validate(dbPath, "2024-12-31")).results, "fecha_not_future").affected,
    ).toBe(2);
  });

  it("stock_non_negative names product and day", async () => {
    const report = await validate(
      await database([], "producto_id,fecha,stock\n1,2024-01-01,5\n2,2024-01-02,-4\n"),
    );
    expect(result(report.results, "stock_non_negative")).toMatchObject({
      passed: false,
      affected: 1,
      sample: [{ key: "2 @ 2024-01-02", value: -4 }],
    });
  });

  it("venta_id_unique catches copies in a sales table that lost its primary key", async () => {
    const dbPath = await database();
    const db = new Sqlite(dbPath);
    db.exec(`
      CREATE TABLE ventas_copy AS SELECT * FROM ventas;
      DROP VIEW ventas_enriquecidas;
      DROP TABLE ventas;
      ALTER TABLE ventas_copy RENAME TO ventas;
      INSERT INTO ventas SELECT * FROM ventas WHERE venta_id IN (1, 2);
      INSERT INTO ventas SELECT * FROM ventas WHERE venta_id = 1;`);
    db.close();
    const report = await validate(dbPath);
    expect(result(report.results, "venta_id_unique")).toMatchObject({
      passed: false,
      affected: 6,
      distinct: { count: 2, of: "venta_id" },
    });
    expect(result(report.results, "schema_structure")).toMatchObject({
      passed: false,
      affected: 1,
      sample: [{ key: "missing view ventas_enriquecidas", value: null }],
    });
    expect(report.status).toBe("critical");
  });

  it("schema_structure lists every missing table, view and column at once, and other rules still run", async () => {
    const dbPath = await database(["10,2024-02-01,11,1,1,1.00"]);
    const db = new Sqlite(dbPath);
    db.exec(
      "DROP VIEW ventas_enriquecidas; DROP TABLE inventario; ALTER TABLE clientes DROP COLUMN ciudad;",
    );
    db.close();
    const report = await validate(dbPath);
    expect(result(report.results, "schema_structure")).toMatchObject({
      passed: false,
      severity: "CRITICAL",
      affected: 3,
      sample: [
        { key: "missing column clientes.ciudad", value: null },
        { key: "missing table inventario", value: null },
        { key: "missing view ventas_enriquecidas", value: null },
      ],
    });
    expect(result(report.results, "producto_fk")).toMatchObject({ passed: false, affected: 1 });
    expect(result(report.results, "stock_non_negative")).toMatchObject({
      passed: false,
      affected: 0,
    });
    expect(result(report.results, "stock_non_negative").message).toMatch(
      /could not run: no such table: inventario/,
    );
    expect(report.status).toBe("critical");
  });
});

describe("thresholds and status", () => {
  it("a rule may fail only above N rows, or with another severity", async () => {
    const dbPath = await database([
      "10,2024-02-01,11,1,1,1.00",
      "11,2024-02-01,11,1,1,1.00",
      "12,2024-02-01,1,9,1,1.00",
    ]);
    const relaxed = await validate(dbPath, "2024-12-31", {
      VALIDATION_PRODUCTO_FK_FAIL_ABOVE: "2",
      VALIDATION_CLIENTE_FK_SEVERITY: "error",
    });
    expect(result(relaxed.results, "producto_fk")).toMatchObject({
      passed: true,
      affected: 2,
      failAbove: 2,
    });
    expect(result(relaxed.results, "producto_fk").message).toMatch(/within the threshold of 2/);
    expect(result(relaxed.results, "cliente_fk")).toMatchObject({
      passed: false,
      severity: "ERROR",
    });
    expect(relaxed.status).toBe("attention");
  });

  it("rejects a bad threshold setting", () => {
    expect(() =>
      resolveThresholds(RULES, undefined, { VALIDATION_CLIENTE_FK_SEVERITY: "loud" }),
    ).toThrow(/severity must be one of/);
    expect(() =>
      resolveThresholds(RULES, undefined, { VALIDATION_CLIENTE_FK_FAIL_ABOVE: "-1" }),
    ).toThrow(/fail_above/);
  });

  it("maps failed severities to the overall status", () => {
    const r = (severity: RuleResult["severity"], passed: boolean) =>
      ({ severity, passed }) as RuleResult;
    expect(overallStatus([r("CRITICAL", true), r("ERROR", true)])).toBe("ok");
    expect(overallStatus([r("WARNING", false), r("INFO", false)])).toBe("warning");
    expect(overallStatus([r("WARNING", false), r("ERROR", false)])).toBe("attention");
    expect(overallStatus([r("CRITICAL", false), r("ERROR", false)])).toBe("critical");
    expect(overallStatus([r("INFO", false)])).toBe("ok");
  });
});

describe("history", () => {
  it("marks failures new, persisting or resolved against the previous run, and keeps pass rates", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    const load = async (sales: string[]) =>
      runEtl({
        dataDir: writeDataset(join(root, `d${Math.random()}`), {
          ventas: [...CLEAN_SALES, ...sales].join("\n"),
        }),
        dbPath,
      });
    await load(["10,2024-02-01,11,1,1,1.00", "11,2024-02-01,1,1,0,1.00"]);
    const first = await validate(dbPath);
    expect(result(first.results, "producto_fk").state).toBe("new");
    expect(result(first.results, "cantidad_zero").state).toBe("new");

    await load(["10,2024-02-01,11,1,1,1.00", "12,2024-02-01,1,1,-1,1.00"]);
    const second = await validate(dbPath);
    expect(result(second.results, "producto_fk").state).toBe("persisting");
    expect(result(second.results, "cantidad_zero").state).toBe("resolved");
    expect(result(second.results, "cantidad_non_negative").state).toBe("new");
    expect(result(second.results, "schema_structure").state).toBe("passing");
    expect(result(second.results, "cantidad_zero").passRate).toEqual({ runs: 2, rate: 0.5 });

    const db = new Sqlite(dbPath, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM validation_runs").pluck().get()).toBe(2);
    expect(db.prepare("SELECT count(*) FROM validation_results").pluck().get()).toBe(
      RULES.length * 2,
    );
    db.close();
  });
});
