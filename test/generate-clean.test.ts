import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { generate } from "../src/generate/generate.js";
import { runCli } from "./helpers/cli.js";
import { query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

const NUMBER_COLUMNS: Record<string, Record<string, string>> = {
  productos: { precio: "precio_centavos" },
  ventas: { cantidad: "cantidad", precio_unitario: "precio_unitario_centavos" },
  inventario: { stock: "stock" },
};

describe("npm run generate -- --clean (the clean series of bench:etl)", () => {
  it("writes plain, valid rows only: the ETL loads every one and agrees with the manifest", async () => {
    const out = join(tempDir(), "limpio");
    const manifest = generate({
      rows: 3000,
      inventoryRows: 400,
      seed: "clean",
      out,
      referenceDate: "2025-01-01",
      clean: true,
    });
    const sales = readFileSync(join(out, "ventas.csv"), "utf8").split("\n");
    expect(sales[0]).toBe("venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario");
    expect(sales.at(-1)).toBe("");
    for (const line of sales.slice(1, -1))
      expect(line).toMatch(/^\d+,\d{4}-\d{2}-\d{2},\d+,\d+,\d+,\d+\.\d{2}$/);

    const dbPath = join(tempDir(), "empresa.db");
    const report = await runEtl({ dataDir: out, dbPath });
    for (const file of report.files) {
      const expected = manifest.files[file.table];
      expect(file).toMatchObject({
        read: expected.read,
        loaded: expected.read,
        rejected: 0,
        reasons: {},
        recodedRecords: 0,
        encoding: "utf-8",
        delimiter: ",",
      });
      for (const [name, dbColumn] of Object.entries(NUMBER_COLUMNS[file.table] ?? {})) {
        const [{ n }] = query(dbPath, `SELECT sum(${dbColumn}) n FROM ${file.table}`) as [
          { n: number },
        ];
        expect(n, `${file.table}.${name}`).toBe(expected.numbers[name]?.loaded_sum);
      }
    }
    expect(manifest.files.ventas.read).toBe(3000);
    expect(Object.values(manifest.loaded_breaches).filter((v) => typeof v === "number")).toEqual(
      Array(7).fill(0),
    );
    expect(query(dbPath, "SELECT count(*) n FROM rejected_rows")).toEqual([{ n: 0 }]);
    const summary = Object.fromEntries(
      query(
        dbPath,
        "SELECT categoria, sum(cantidad) n FROM ventas_enriquecidas WHERE categoria IS NOT NULL GROUP BY 1 ORDER BY 1",
      ).map((r) => [r.categoria, r.n]),
    );
    expect(summary).toEqual(manifest.resumen_por_categoria);
    expect(
      query(
        dbPath,
        "SELECT count(*) n FROM ventas WHERE fecha > '2025-01-01' OR cantidad <= 0 OR cliente_id NOT IN (SELECT cliente_id FROM clientes) OR producto_id NOT IN (SELECT producto_id FROM productos)",
      ),
    ).toEqual([{ n: 0 }]);
  });

  it("is a flag of the command, described in its --help", async () => {
    const cwd = tempDir();
    const help = await runCli("generate", ["--help"], { cwd });
    expect(help.stdout).toMatch(/--clean +Write clean files/);
    const run = await runCli(
      "generate",
      ["--clean", "--rows", "40", "--inventory-rows", "30", "--out", "d"],
      { cwd },
    );
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(cwd, "d", "manifest.json"), "utf8"));
    expect(manifest.files.ventas).toMatchObject({ read: 40, loaded: 40, rejected: 0 });
  });
});
