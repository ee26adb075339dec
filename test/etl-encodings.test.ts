import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { runCli } from "./helpers/cli.js";
import { type Dataset, writeDataset } from "./helpers/dataset.js";
import { query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

/** Contract v1.1: encodings record by record, the byte-order mark always removed. */

const utf8 = (text: string) => Buffer.from(text, "utf8");
/** Windows-1252 bytes of text (every character used here exists in it). */
const cp1252 = (text: string) =>
  Buffer.from(
    [...text].map((ch) => {
      const special: Record<string, number> = { "€": 0x80, "“": 0x93, "”": 0x94 };
      return special[ch] ?? (ch.charCodeAt(0) < 256 ? ch.charCodeAt(0) : 0x3f);
    }),
  );

async function load(files: Dataset) {
  const root = tempDir();
  const dataDir = writeDataset(join(root, "data"), files);
  const dbPath = join(root, "empresa.db");
  const report = await runEtl({ dataDir, dbPath });
  return { root, dataDir, dbPath, file: (t: string) => report.files.find((f) => f.table === t) };
}

describe("a UTF-8 file with a few bytes that are not UTF-8", () => {
  it("stays UTF-8: only the records holding invalid bytes are read as Windows-1252, and counted", async () => {
    const clientes = Buffer.concat([
      utf8("cliente_id,nombre,ciudad\n1,Ana,Bogotá\n2,Luis,bogotá\n"),
      cp1252("3,“Café” Pérez,Medellín\n"),
      utf8("4,Eva,Bogotá\n"),
    ]);
    const { dbPath, file } = await load({ clientes });
    expect(query(dbPath, "SELECT * FROM clientes ORDER BY cliente_id")).toEqual([
      { cliente_id: 1, nombre: "Ana", ciudad: "Bogotá" },
      { cliente_id: 2, nombre: "Luis", ciudad: "Bogotá" },
      { cliente_id: 3, nombre: "“Café” Pérez", ciudad: "Medellín" },
      { cliente_id: 4, nombre: "Eva", ciudad: "Bogotá" },
    ]);
    expect(file("clientes")).toMatchObject({ encoding: "utf-8", recodedRecords: 1 });
    expect(file("ventas")).toMatchObject({ encoding: "utf-8", recodedRecords: 0 });
    expect(
      query(dbPath, "SELECT table_name, recoded_records FROM etl_run_files ORDER BY 1"),
    ).toEqual([
      { table_name: "clientes", recoded_records: 1 },
      { table_name: "inventario", recoded_records: 0 },
      { table_name: "productos", recoded_records: 0 },
      { table_name: "ventas", recoded_records: 0 },
    ]);
  });

  it("decodes a rejected row's original text the same way", async () => {
    const clientes = Buffer.concat([
      utf8("cliente_id,nombre,ciudad\n1,Ana,Bogotá\n"),
      cp1252("2,José,Medellín,extra\n"),
      utf8("3,Ñoño,Bogotá,extra\n"),
    ]);
    const { dbPath, file } = await load({ clientes });
    expect(query(dbPath, "SELECT line, raw_text FROM rejected_rows ORDER BY line")).toEqual([
      { line: 3, raw_text: "2,José,Medellín,extra" },
      { line: 4, raw_text: "3,Ñoño,Bogotá,extra" },
    ]);
    expect(file("clientes")?.recodedRecords).toBe(1);
  });

  it("counts a header holding invalid bytes as a recoded record and still matches it", async () => {
    const productos = Buffer.concat([
      cp1252("producto_id,nombre,Categoría\n"),
      utf8("1,Café,Electrónicos\n"),
    ]);
    const { dbPath, file } = await load({ productos });
    expect(query(dbPath, "SELECT nombre, categoria FROM productos")).toEqual([
      { nombre: "Café", categoria: "Electronicos" },
    ]);
    expect(file("productos")).toMatchObject({ encoding: "utf-8", recodedRecords: 1 });
  });

  it("keeps multi-byte characters intact across read buffers in a large mixed file", async () => {
    const lines = ["cliente_id,nombre,ciudad"];
    for (let i = 1; i <= 60_000; i++) lines.push(`${i},Ñandú ${i},Bogotá — Cundinamarca`);
    const clientes = Buffer.concat([
      utf8(`${lines.join("\n")}\n`),
      cp1252("60001,Último,Medellín\n"),
    ]);
    expect(clientes.length).toBeGreaterThan(2 * 2 ** 20);
    const { dbPath, file } = await load({ clientes });
    expect(file("clientes")).toMatchObject({ loaded: 60_001, recodedRecords: 1 });
    expect(
      query(
        dbPath,
        "SELECT count(*) n FROM clientes WHERE ciudad = 'Bogotá — Cundinamarca' AND nombre = 'Ñandú ' || cliente_id",
      ),
    ).toEqual([{ n: 60_000 }]);
    expect(query(dbPath, "SELECT nombre, ciudad FROM clientes WHERE cliente_id = 60001")).toEqual([
      { nombre: "Último", ciudad: "Medellín" },
    ]);
  });
});

describe("Windows-1252 files and the byte-order mark", () => {
  it("removes a BOM from a Windows-1252 file (the header used to fail)", async () => {
    const clientes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      cp1252("cliente_id,nombre,ciudad\n1,José,Medellín\n"),
    ]);
    const { dbPath, file } = await load({ clientes });
    expect(query(dbPath, "SELECT nombre, ciudad FROM clientes")).toEqual([
      { nombre: "José", ciudad: "Medellín" },
    ]);
    expect(file("clientes")).toMatchObject({ encoding: "windows-1252", recodedRecords: 0 });
  });

  it("reads a file with no valid multi-byte UTF-8 sequence at all as Windows-1252 as a whole", async () => {
    const clientes = cp1252("cliente_id,nombre,ciudad\n1,“Ana”,Bogotá\n2,Luis,Cali\n");
    const { dbPath, file } = await load({ clientes });
    expect(query(dbPath, "SELECT nombre, ciudad FROM clientes ORDER BY cliente_id")).toEqual([
      { nombre: "“Ana”", ciudad: "Bogotá" },
      { nombre: "Luis", ciudad: "Cali" },
    ]);
    expect(file("clientes")).toMatchObject({ encoding: "windows-1252", recodedRecords: 0 });
  });
});

describe("the run history of an existing database", () => {
  it("gains the recoded_records column on the next run and keeps its rows", async () => {
    const { dataDir, dbPath } = await load({});
    // Put etl_run_files back to its v1.0 layout (no recoded_records), as an older run left it.
    const db = new Sqlite(dbPath);
    db.exec(`
      CREATE TABLE old_files (
        run_id TEXT NOT NULL REFERENCES etl_runs (run_id), table_name TEXT NOT NULL,
        file TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, encoding TEXT NOT NULL,
        delimiter TEXT NOT NULL, rows_read INTEGER NOT NULL, rows_loaded INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL, reasons TEXT NOT NULL, started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL, PRIMARY KEY (run_id, table_name)) STRICT;
      INSERT INTO old_files SELECT run_id, table_name, file, sha256, bytes, encoding, delimiter,
        rows_read, rows_loaded, rows_rejected, reasons, started_at, finished_at FROM etl_run_files;
      DROP TABLE etl_run_files;
      ALTER TABLE old_files RENAME TO etl_run_files;`);
    db.close();
    const clientes = Buffer.concat([
      utf8("cliente_id,nombre,ciudad\n1,Ana,Bogotá\n"),
      cp1252("2,Jo,Cúcuta\n"),
    ]);
    writeDataset(dataDir, { clientes });
    await runEtl({ dataDir, dbPath });
    expect(
      query(
        dbPath,
        "SELECT recoded_records r, count(*) n FROM etl_run_files WHERE table_name = 'clientes' GROUP BY 1 ORDER BY 1",
      ),
    ).toEqual([
      { r: 0, n: 1 },
      { r: 1, n: 1 },
    ]);
  });
});

describe("npm run etl --json", () => {
  it("reports recoded_records in each file's entry and ambiguous_number among the reasons", async () => {
    const root = tempDir();
    writeDataset(join(root, "data"), {
      clientes: Buffer.concat([
        utf8("cliente_id,nombre,ciudad\n1,Ana,Bogotá\n"),
        cp1252("2,José,Medellín\n"),
      ]),
      ventas:
        "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario\n1,2024-01-01,1,1,1,1.500\n2,2024-01-01,1,1,1,2\n",
    });
    const result = await runCli("etl", ["--json"], { cwd: root });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.files.clientes).toMatchObject({ read: 2, loaded: 2, recoded_records: 1 });
    expect(report.files.ventas).toMatchObject({
      read: 2,
      loaded: 1,
      rejected: 1,
      reasons: { ambiguous_number: 1 },
      recoded_records: 0,
    });
    expect(result.stderr).toContain("clientes.csv: read 2, loaded 2, rejected 0");
    expect(result.stderr).toMatch(/clientes\.csv: .*1 record read as Windows-1252/);
  });
});
