import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reportJson } from "../src/etl/report.js";
import { runEtl } from "../src/etl/run.js";
import { CLIENTS, PRODUCTS } from "../src/generate/catalog.js";
import { generate, type Manifest } from "../src/generate/generate.js";
import { ROOT } from "./helpers/cli.js";
import { query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

/** The database column holding each number column of the manifest. */
const NUMBER_COLUMNS: Record<string, Record<string, string>> = {
  productos: { precio: "precio_centavos" },
  ventas: { cantidad: "cantidad", precio_unitario: "precio_unitario_centavos" },
  inventario: { stock: "stock" },
};

const collapse = (text: string) => text.trim().replace(/\s+/g, " ");

/** The ETL's report and the database must agree with what the generator says it injected. */
async function expectAgreement(dataDir: string, manifest: Manifest) {
  const dbPath = join(tempDir(), "empresa.db");
  const report = await runEtl({ dataDir, dbPath });
  const json = reportJson(report) as {
    files: Record<string, { encoding?: string; recoded_records?: number }>;
  };
  for (const file of report.files) {
    const expected = manifest.files[file.table];
    expect({
      table: file.table,
      read: file.read,
      loaded: file.loaded,
      rejected: file.rejected,
      reasons: file.reasons,
      encoding: json.files[file.table]?.encoding,
      recoded_records: json.files[file.table]?.recoded_records,
    }).toEqual({
      table: file.table,
      read: expected.read,
      loaded: expected.loaded,
      rejected: expected.rejected,
      reasons: expected.reasons,
      encoding: expected.encoding,
      recoded_records: expected.recoded_records,
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

    // Contract v1.1: dot-grouped numbers follow their column's convention, else they are
    // ambiguous_number naming the column; the sums show a value read 1,000 times too small.
    const ambiguous = Object.fromEntries(
      query(
        dbPath,
        "SELECT column_name, count(*) n FROM rejected_rows WHERE file = ? AND reason = 'ambiguous_number' GROUP BY 1",
        file.file,
      ).map((r) => [r.column_name, r.n]),
    );
    expect(ambiguous, `${file.file}: ambiguous_number per column`).toEqual(
      Object.fromEntries(
        Object.entries(expected.numbers)
          .filter(([, column]) => column.ambiguous > 0)
          .map(([name, column]) => [name, column.ambiguous]),
      ),
    );
    const sums = Object.fromEntries(
      Object.entries(NUMBER_COLUMNS[file.table] ?? {}).map(([name, dbColumn]) => [
        name,
        (
          query(dbPath, `SELECT coalesce(sum(${dbColumn}), 0) n FROM ${file.table}`)[0] as {
            n: number;
          }
        ).n,
      ]),
    );
    expect(sums, `${file.file}: sums of the loaded numbers`).toEqual(
      Object.fromEntries(
        Object.entries(expected.numbers).map(([name, column]) => [name, column.loaded_sum]),
      ),
    );
  }

  // Every sale of a known product carries that product's price (or its negative): a price
  // written `$1.299` in Colombia is 1,299.00, not 1.30 and not a rejected row.
  expect(
    query(
      dbPath,
      `SELECT v.venta_id, v.precio_unitario_centavos, p.precio_centavos FROM ventas v JOIN productos p USING (producto_id)
       WHERE abs(v.precio_unitario_centavos) <> p.precio_centavos LIMIT 5`,
    ),
  ).toEqual([]);
  expect(
    query(dbPath, "SELECT producto_id, nombre, precio_centavos FROM productos ORDER BY 1"),
  ).toEqual(
    PRODUCTS.map((p) => ({
      producto_id: p.id,
      nombre: collapse(p.nombre),
      precio_centavos: p.cents,
    })),
  );
  // Text decoded right: UTF-8 records, Windows-1252 records in a UTF-8 file, a
  // Windows-1252 file with a BOM (no `Ã¡`, no `ï»¿` in a header).
  expect(
    query(dbPath, "SELECT cliente_id, nombre, ciudad FROM clientes ORDER BY 1").map((r) => ({
      ...r,
      ciudad: typeof r.ciudad === "string" ? r.ciudad.toLowerCase() : r.ciudad,
    })),
  ).toEqual(
    CLIENTS.map((c) => ({
      cliente_id: c.id,
      nombre: collapse(c.nombre),
      ciudad: c.ciudad.trim() === "" ? null : collapse(c.ciudad).toLowerCase(),
    })),
  );

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

/** The v1.1 cases a manifest of a large enough sample must hold. */
function expectV11Cases(manifest: Manifest) {
  const { productos, clientes, ventas, inventario } = manifest.files;
  expect(manifest.contract).toBe("1.1");
  expect(productos).toMatchObject({ encoding: "windows-1252", bom: true, recoded_records: 0 });
  expect(clientes).toMatchObject({ encoding: "utf-8", bom: true });
  expect(clientes.recoded_records).toBeGreaterThan(0);
  expect(productos.numbers.precio?.convention).toBe("decimal_point");
  expect(ventas.numbers.precio_unitario?.convention).toBe("thousands");
  expect(inventario.numbers.stock?.convention).toBe("thousands");
  expect(ventas.numbers.cantidad?.convention).toBe("both");
  for (const column of [
    productos.numbers.precio,
    ventas.numbers.precio_unitario,
    inventario.numbers.stock,
  ])
    expect(column?.dot_grouped).toBeGreaterThan(0);
  expect(ventas.numbers.cantidad?.ambiguous).toBeGreaterThan(0);
  expect(ventas.reasons.ambiguous_number).toBe(ventas.numbers.cantidad?.ambiguous);
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
    expectV11Cases(manifest);
    await expectAgreement(out, manifest);
  });

  it("agrees with the manifest on the smallest samples too", async () => {
    for (const [rows, inventoryRows, seed] of [
      [20, 20, "tiny"],
      [333, 77, "small"],
    ] as const) {
      const out = tempDir();
      const manifest = generate({ rows, inventoryRows, seed, out, referenceDate: "2025-01-01" });
      await expectAgreement(out, manifest);
    }
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
    expect(manifest.resumen_por_categoria).toEqual({
      Accesorios: 5677,
      Almacenamiento: 6141,
      Electronicos: 8917,
      Ropa: 8634,
    });
    expectV11Cases(manifest);
  });

  it("the bundled data/ holds the v1.1 cases the contract names", () => {
    const raw = (name: string) => readFileSync(join(ROOT, "data", name));
    const text = (name: string) => raw(name).toString("latin1");
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    // Windows-1252 with a BOM: `Categoría` as one 0xED byte right after the BOM's line.
    expect(raw("productos.csv").subarray(0, 3)).toEqual(bom);
    expect(raw("productos.csv").includes(Buffer.from("Categor\xeda", "latin1"))).toBe(true);
    expect(text("productos.csv")).toContain(",25.500,");
    // UTF-8 with a BOM, and a record with `Pérez` as one 0xE9 byte.
    expect(raw("clientes.csv").subarray(0, 3)).toEqual(bom);
    expect(raw("clientes.csv").includes(Buffer.from("P\xe9rez", "latin1"))).toBe(true);
    expect(raw("clientes.csv").includes(Buffer.from("Gómez", "utf8"))).toBe(true);
    const ventas = raw("ventas.csv").toString("utf8");
    expect(ventas).toMatch(/,\$1\.299\r?\n/); // thousands: 1,299.00
    expect(ventas).toContain(',"1.299,00"');
    expect(ventas).toMatch(/,"?\$?[1-9]\.\d{3}\.\d{3}(,00)?"?\n/); // a price in millions
    expect(ventas).toMatch(/,[1-9]\.\d{3}\.\d{3},/); // a quantity in millions: thousands evidence
    expect(ventas).toMatch(/,\d+\.0,/); // and `.0`: evidence both ways
    expect(ventas).toMatch(/,\d+\.00,/);
    expect(ventas).toMatch(/,\d{1,2}\.\d{3},/); // so a dot-grouped quantity is ambiguous
    expect(ventas).toContain(',"0,123"'); // leading zero groups: invalid_number
    expect(ventas).toContain(",0.123.456");
    expect(ventas).toContain(",2.5,"); // an integer with decimals other than zeros
    const inventario = text("inventario.csv");
    expect(inventario).toMatch(/,[1-9]\.\d{3}\.\d{3}\r\n/);
    expect(inventario).toMatch(/,\d{1,2}\.\d{3}\r\n/);
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
    for (const name of ["ventas.csv", "inventario.csv", "clientes.csv", "manifest.json"]) {
      const read = (dir: string) => readFileSync(join(dir, name));
      expect(read(a).equals(read(b)), name).toBe(true);
    }
    const read = (dir: string) => readFileSync(join(dir, "ventas.csv"));
    expect(read(a).equals(read(c))).toBe(false);
  });
});
