import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/errors.js";
import { sniffFile } from "../src/etl/read/sniff.js";
import { readTable } from "../src/etl/read/table-reader.js";
import { runEtl } from "../src/etl/run.js";
import { tableSpec } from "../src/etl/tables.js";
import { type Dataset, writeDataset } from "./helpers/dataset.js";
import { query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

/** Contract v1.1: numbers whose dots may be thousands separators, read per column and file. */

const VENTAS_HEADER = "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario";
const INVENTARIO_HEADER = "producto_id,fecha,stock";

/** A ventas.csv whose rows differ only in id, cantidad and precio_unitario. */
const ventas = (...rows: [id: string, cantidad: string, precio: string][]) =>
  [
    VENTAS_HEADER,
    ...rows.map(([id, cantidad, precio]) => `${id},2024-01-05,1,1,${cantidad},${precio}`),
  ].join("\n");

async function load(files: Dataset) {
  const root = tempDir();
  const dataDir = writeDataset(join(root, "data"), files);
  const dbPath = join(root, "empresa.db");
  const report = await runEtl({ dataDir, dbPath });
  const file = (table: string) => report.files.find((f) => f.table === table);
  for (const f of report.files) expect(f.read).toBe(f.loaded + f.rejected);
  return {
    dbPath,
    file,
    prices: () =>
      query(dbPath, "SELECT venta_id id, precio_unitario_centavos c FROM ventas ORDER BY 1").map(
        (r) => [r.id, r.c],
      ),
    rejected: () =>
      query(dbPath, "SELECT line, reason, column_name FROM rejected_rows ORDER BY line").map(
        (r) => [r.line, r.reason, r.column_name],
      ),
  };
}

describe("dot-grouped numbers follow their column's convention in the file", () => {
  it("reads a lone dot group as thousands when the column has a decimal comma elsewhere", async () => {
    const { prices, rejected } = await load({
      ventas: ventas(["V1", "1", "$1.500"], ["V2", "1", '"12,50"'], ["V3", "1", "€2.000"]),
    });
    expect(prices()).toEqual([
      [1, 150000],
      [2, 1250],
      [3, 200000],
    ]);
    expect(rejected()).toEqual([]);
  });

  it("reads it as thousands when the column has a value with several dot groups", async () => {
    const { prices } = await load({
      ventas: ventas(["V1", "1", "1.500"], ["V2", "1", "1.000.000"]),
    });
    expect(prices()).toEqual([
      [1, 150000],
      [2, 100000000],
    ]);
  });

  it("reads it as a decimal point when the column has a dot with 1, 2 or 4+ digits, or a comma grouping", async () => {
    for (const evidence of ["12.5", "12.50", "12.5000", '"1,299.00"', '"1,299"']) {
      const { prices } = await load({
        ventas: ventas(["V1", "1", "1.500"], ["V2", "1", evidence]),
      });
      expect(prices()[0]).toEqual([1, 150]);
    }
  });

  it("rejects it as ambiguous_number with no evidence, or with evidence both ways", async () => {
    const none = await load({
      ventas: ventas(["V1", "1", "1.500"], ["V2", "1", "10"], ["V3", "1", "$12.000"]),
    });
    expect(none.prices()).toEqual([[2, 1000]]);
    expect(none.rejected()).toEqual([
      [2, "ambiguous_number", "precio_unitario"],
      [4, "ambiguous_number", "precio_unitario"],
    ]);
    expect(none.file("ventas")?.reasons).toEqual({ ambiguous_number: 2 });

    // Evidence both ways, before and after the ambiguous values.
    const both = await load({
      ventas: ventas(
        ["V1", "1", "1.500"],
        ["V2", "1", "12.50"],
        ["V3", "1", "2.500"],
        ["V4", "1", '"12,50"'],
        ["V5", "1", "3.500"],
      ),
    });
    expect(both.prices()).toEqual([
      [2, 1250],
      [4, 1250],
    ]);
    expect(both.rejected().map((r) => r[1])).toEqual([
      "ambiguous_number",
      "ambiguous_number",
      "ambiguous_number",
    ]);
  });

  it("counts only valid numbers as evidence, per column and per file", async () => {
    // "1,2,50" and "12.3456" are invalid: no evidence, so 1.500 stays ambiguous.
    const { rejected, dbPath } = await load({
      ventas: ventas(["V1", "1", "1.500"], ["V2", "1", '"1,2,50"'], ["V3", "1", "12.3456"]),
      // Another file's (and another column's) decimal comma is no evidence for ventas.
      productos:
        'producto_id,nombre,categoria,precio\n1,a,Ropa,"12,50"\n2,b,Ropa,1.500\n3,c,Ropa,\n',
    });
    expect(rejected()).toEqual([
      [2, "ambiguous_number", "precio_unitario"],
      [3, "invalid_number", "precio_unitario"],
      [4, "invalid_number", "precio_unitario"],
    ]);
    expect(query(dbPath, "SELECT precio_centavos p FROM productos ORDER BY producto_id")).toEqual([
      { p: 1250 },
      { p: 150000 },
      { p: null },
    ]);
  });

  it("counts a valid value in a row rejected for another reason as evidence", async () => {
    const { prices, rejected } = await load({
      ventas: [VENTAS_HEADER, "V1,2024-01-05,1,1,1,1.500", 'V2,2024-02-30,1,1,1,"12,50"'].join(
        "\n",
      ),
    });
    expect(prices()).toEqual([[1, 150000]]);
    expect(rejected()).toEqual([[3, "invalid_date", "fecha"]]);
  });

  it("keeps the first row with a key in file order while a row waits for its column's convention", async () => {
    // V1's price is resolved at the end of the file: it is loaded and the later V1 is the duplicate.
    const resolved = await load({
      ventas: ventas(["V1", "1", "1.500"], ["V1", "2", "10"], ["V2", "1", '"12,50"']),
    });
    expect(resolved.prices()).toEqual([
      [1, 150000],
      [2, 1250],
    ]);
    expect(resolved.rejected()).toEqual([[3, "duplicate_key", "venta_id"]]);

    // V1's price stays ambiguous: the later V1 is the first valid one and takes the key.
    const unresolved = await load({
      ventas: ventas(["V1", "1", "1.500"], ["V1", "2", "10"], ["V1", "3", "20"]),
    });
    expect(unresolved.prices()).toEqual([[1, 1000]]);
    expect(unresolved.rejected()).toEqual([
      [2, "ambiguous_number", "precio_unitario"],
      [4, "duplicate_key", "venta_id"],
    ]);
    expect(query(unresolved.dbPath, "SELECT cantidad FROM ventas")).toEqual([{ cantidad: 2 }]);
  });

  it("re-checks the whole row: the first failing column still decides the reason", async () => {
    const { rejected } = await load({
      ventas: ventas(
        ["V1", "1.000", "abc"], // cantidad resolves (thousands), then precio is invalid
        ["V2", "1.000.000", "1"], // evidence: cantidad is a thousands column
        ["V3", "1", "1.500"], // precio has no evidence: ambiguous
        ["V4", "2.000", "1.500"], // cantidad resolves, then precio is ambiguous
      ),
    });
    expect(rejected()).toEqual([
      [2, "invalid_number", "precio_unitario"],
      [4, "ambiguous_number", "precio_unitario"],
      [5, "ambiguous_number", "precio_unitario"],
    ]);
  });

  it("applies the rule to integers: 1.000 is 1000 in a thousands column, invalid in a decimal one", async () => {
    const thousands = await load({
      inventario: [
        INVENTARIO_HEADER,
        "1,2024-01-01,1.000",
        "2,2024-01-01,1.000.000",
        "3,2024-01-01,7",
      ].join("\n"),
    });
    expect(query(thousands.dbPath, "SELECT producto_id, stock FROM inventario ORDER BY 1")).toEqual(
      [
        { producto_id: 1, stock: 1000 },
        { producto_id: 2, stock: 1000000 },
        { producto_id: 3, stock: 7 },
      ],
    );

    const decimal = await load({
      inventario: [INVENTARIO_HEADER, "1,2024-01-01,1.000", "2,2024-01-01,3.00"].join("\n"),
    });
    expect(decimal.rejected()).toEqual([[2, "invalid_number", "stock"]]);

    const none = await load({
      inventario: [INVENTARIO_HEADER, "1,2024-01-01,-2.000", "2,2024-01-01,3"].join("\n"),
    });
    expect(none.rejected()).toEqual([[2, "ambiguous_number", "stock"]]);
  });

  it("accepts .0 and .00 only after an integer, and no group starting with a zero", async () => {
    const { prices, rejected } = await load({
      ventas: ventas(
        ["V1", "2.0", "1"],
        ["V2", "2.00", "1"],
        ["V3", "2.0000", "1"], // invalid_number (was 2)
        ["V4", "1", '"0,123"'], // invalid_number (was 123.00)
        ["V5", "1", "0.123.456"], // invalid_number (was 123456.00)
        ["V6", "1", "0.500"], // cannot be thousands: 0.50
        ["V7", "1", "1299.000"], // a first group of four digits cannot be thousands: 1299.00
      ),
    });
    expect(prices()).toEqual([
      [1, 100],
      [2, 100],
      [6, 50],
      [7, 129900],
    ]);
    expect(rejected()).toEqual([
      [4, "invalid_number", "cantidad"],
      [5, "invalid_number", "precio_unitario"],
      [6, "invalid_number", "precio_unitario"],
    ]);
  });

  it("does not count 0.500 or 1299.000 as evidence: they read the same either way", async () => {
    const { rejected } = await load({
      ventas: ventas(["V1", "1", "0.500"], ["V2", "1", "1299.000"], ["V3", "1", "1.500"]),
    });
    expect(rejected()).toEqual([[4, "ambiguous_number", "precio_unitario"]]);
  });

  it("resolves many waiting rows across batches, in file order, with rows read = loaded + rejected", async () => {
    const rows: [string, string, string][] = [];
    for (let i = 1; i <= 30_000; i++) {
      // Every third row waits; every 1000th repeats the previous id (a duplicate).
      const id = i % 1000 === 0 ? `V${i - 1}` : `V${i}`;
      rows.push([id, "1", i % 3 === 0 ? `${(i % 900) + 1}.500` : "10"]);
    }
    rows.push(["V99999", "1", '"1,50"']);
    const { dbPath, file } = await load({ ventas: ventas(...rows) });
    expect(file("ventas")).toMatchObject({
      read: 30_001,
      loaded: 30_001 - 30,
      rejected: 30,
      reasons: { duplicate_key: 30 },
    });
    expect(
      query(
        dbPath,
        "SELECT precio_unitario_centavos c FROM ventas WHERE venta_id IN (3, 999) ORDER BY venta_id",
      ),
    ).toEqual([{ c: 450_000 }, { c: 10_050_000 }]);
    // V999 waits (999 % 3 = 0) and the V999 on line 1001 (row 1000) is its duplicate.
    expect(query(dbPath, "SELECT line FROM rejected_rows ORDER BY line LIMIT 1")).toEqual([
      { line: 1001 },
    ]);
  });

  it("the rows that waited come out the same held in memory or read again", async () => {
    const path = join(tempDir(), "ventas.csv");
    const lines = Array.from({ length: 200 }, (_, i) => [
      `V${i + 1}`,
      "1",
      i % 3 === 0 ? "1.500" : i % 3 === 1 ? "x" : `"${i},50"`,
    ]);
    writeFileSync(path, ventas(...(lines as [string, string, string][])));
    const outcome = async (heldChars?: number) => {
      const loaded: unknown[] = [];
      const rejected: unknown[] = [];
      const stats = await readTable(
        path,
        "ventas.csv",
        tableSpec("ventas"),
        await sniffFile(path, "v"),
        {
          batch(batch) {
            for (let r = 0; r < batch.count; r++) loaded.push(batch.columns.map((c) => c[r]));
          },
          rejects(rows) {
            rejected.push(...rows);
          },
        },
        8192,
        heldChars,
      );
      return { stats, loaded, rejected };
    };
    const held = await outcome();
    const reread = await outcome(0);
    expect(held.stats.loaded).toBeGreaterThan(0);
    expect(reread).toEqual(held);
  });

  it("stops with an error when the file changes before the rows that waited are read again", async () => {
    const path = join(tempDir(), "ventas.csv");
    const text = ventas(["V1", "1", "1.500"], ["V2", "1", "x"], ["V3", "1", '"2,50"']);
    writeFileSync(path, text);
    const read = readTable(
      path,
      "ventas.csv",
      tableSpec("ventas"),
      await sniffFile(path, "v"),
      {
        batch() {},
        rejects() {
          // Called after the first read: a line inserted at the top moves every row down.
          writeFileSync(path, text.replace("\n", "\nV0,2024-01-05,1,1,1,1\n"));
        },
      },
      8192,
      0,
    ); // hold no waiting row in memory: read them again

    const error = await read.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe("ventas.csv:2: the file changed while it was being read");
  });
});
