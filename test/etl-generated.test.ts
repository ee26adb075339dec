import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { generate, type Manifest } from "../src/generate/generate.js";
import { ROOT } from "./helpers/cli.js";
import { query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

/** The ETL's report and the database must agree with what the generator says it injected. */
async function expectAgreement(dataDir: string, manifest: Manifest) {
  const dbPath = join(tempDir(), "empresa.db");
  const report = await runEtl({ dataDir, dbPath });
  for (const file of report.files) {
    const expected = manifest.files[file.table];
    expect({
      table: file.table,
      read: file.read,
      loaded: file.loaded,
      rejected: file.rejected,
      reasons: file.reasons,
    }).toEqual({
      table: file.table,
      read: expected.read,
      loaded: expected.loaded,
      rejected: expected.rejected,
      reasons: expected.reasons,
    });
    expect(file.read).toBe(file.loaded + file.rejected);
    const [{ n: inTable }] = query(dbPath, `SELECT count(*) n FROM ${file.table}`) as [
      { n: number },
    ];
    expect(inTable).toBe(file.loaded);
    const byReason = Object.fromEntries(
      query(
        dbPath,
        "SELECT reason, count(*) n FROM rejected_rows WHERE file = ? GROUP BY reason",
        file.file,
      ).map((r) => [r.reason, r.n]),
    );
    expect(byReason).toEqual(file.reasons);
  }
  const breaches = manifest.loaded_breaches;
  const count = (sql: string, ...params: unknown[]) =>
    (query(dbPath, sql, ...params)[0] as { n: number }).n;
  expect(
    count(
      "SELECT count(*) n FROM ventas WHERE producto_id NOT IN (SELECT producto_id FROM productos)",
    ),
  ).toBe(breaches.unknown_product_sales);
  expect(
    count(
      "SELECT count(*) n FROM ventas WHERE cliente_id NOT IN (SELECT cliente_id FROM clientes)",
    ),
  ).toBe(breaches.unknown_client_sales);
  expect(count("SELECT count(*) n FROM ventas WHERE cantidad < 0")).toBe(
    breaches.negative_cantidad,
  );
  expect(count("SELECT count(*) n FROM ventas WHERE cantidad = 0")).toBe(breaches.zero_cantidad);
  expect(count("SELECT count(*) n FROM ventas WHERE precio_unitario_centavos < 0")).toBe(
    breaches.negative_precio,
  );
  expect(count("SELECT count(*) n FROM ventas WHERE fecha > ?", manifest.reference_date)).toBe(
    breaches.future_sales,
  );
  expect(count("SELECT count(*) n FROM inventario WHERE stock < 0")).toBe(breaches.negative_stock);
  const summary = Object.fromEntries(
    query(
      dbPath,
      "SELECT categoria, sum(cantidad) n FROM ventas_enriquecidas WHERE categoria IS NOT NULL GROUP BY 1 ORDER BY 1",
    ).map((r) => [r.categoria, r.n]),
  );
  expect(summary).toEqual(manifest.resumen_por_categoria);
  expect(query(dbPath, "SELECT * FROM ventas_resumen_diario ORDER BY 1, 2, 3")).toEqual(
    query(
      dbPath,
      `SELECT fecha, categoria, ciudad, count(*) ventas, sum(cantidad) unidades, CAST(round(sum(importe) * 100) AS INTEGER) importe_centavos
       FROM ventas_enriquecidas GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    ),
  );
  return { report, dbPath };
}

describe("etl on generated data", () => {
  it("agrees with the generator's manifest on 30,000 sales", async () => {
    const out = tempDir();
    const manifest = generate({
      rows: 30_000,
      inventoryRows: 7_000,
      seed: "agree",
      out,
      referenceDate: "2025-06-30",
    });
    expect(manifest.files.ventas.rejected).toBeGreaterThan(400);
    await expectAgreement(out, manifest);
  });

  it("the bundled data/ reproduces the original system's figures", async () => {
    const manifest = JSON.parse(
      readFileSync(join(ROOT, "data", "manifest.json"), "utf8"),
    ) as Manifest;
    const { report } = await expectAgreement(join(ROOT, "data"), manifest);
    const ventas = report.files.find((f) => f.table === "ventas");
    const inventario = report.files.find((f) => f.table === "inventario");
    expect([ventas?.read, ventas?.loaded, inventario?.read, inventario?.loaded]).toEqual([
      5500, 5407, 5000, 4900,
    ]);
    expect(report.files.find((f) => f.table === "productos")?.loaded).toBe(10);
    expect(report.files.find((f) => f.table === "clientes")?.loaded).toBe(20);
    expect(manifest.reference_date).toBe("2025-01-01");
    expect(manifest.loaded_breaches.future_sales).toBe(1479);
    expect(manifest.loaded_breaches.unknown_product_ids).toEqual([11]);
    expect(manifest.loaded_breaches.unknown_product_sales).toBeGreaterThan(0);
    expect(Object.keys(manifest.resumen_por_categoria)).toEqual([
      "Accesorios",
      "Almacenamiento",
      "Electronicos",
      "Ropa",
    ]);
  });

  it("the committed data/ is exactly the generator's default output", () => {
    const out = tempDir();
    generate({
      rows: 5500,
      inventoryRows: 5000,
      seed: "empresa",
      out,
      referenceDate: "2025-01-01",
    });
    const hash = (dir: string, name: string) =>
      createHash("sha256")
        .update(readFileSync(join(dir, name)))
        .digest("hex");
    for (const name of [
      "productos.csv",
      "clientes.csv",
      "ventas.csv",
      "inventario.csv",
      "manifest.json",
    ]) {
      expect(hash(out, name), name).toBe(hash(join(ROOT, "data"), name));
    }
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const a = tempDir();
    const b = tempDir();
    const c = tempDir();
    generate({ rows: 2000, inventoryRows: 500, seed: "s1", out: a, referenceDate: "2025-01-01" });
    generate({ rows: 2000, inventoryRows: 500, seed: "s1", out: b, referenceDate: "2025-01-01" });
    generate({ rows: 2000, inventoryRows: 500, seed: "s2", out: c, referenceDate: "2025-01-01" });
    const read = (dir: string) => readFileSync(join(dir, "ventas.csv"));
    expect(read(a).equals(read(b))).toBe(true);
    expect(read(a).equals(read(c))).toBe(false);
  });
});
