import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/errors.js";
import { runEtl } from "../src/etl/run.js";
import { runCli } from "./helpers/cli.js";
import { type Dataset, writeDataset } from "./helpers/dataset.js";
import { dumpDb, query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

const VENTAS_HEADER = "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario";

async function load(files: Dataset = {}) {
  const root = tempDir();
  const dataDir = writeDataset(join(root, "data"), files);
  const dbPath = join(root, "empresa.db");
  const report = await runEtl({ dataDir, dbPath });
  return {
    root,
    dataDir,
    dbPath,
    report,
    file: (table: string) => report.files.find((f) => f.table === table),
  };
}

describe("etl on crafted files", () => {
  it("loads clean files into typed tables and the view", async () => {
    const { dbPath, report } = await load();
    expect(report.files.map((f) => [f.table, f.read, f.loaded, f.rejected])).toEqual([
      ["productos", 2, 2, 0],
      ["clientes", 2, 2, 0],
      ["ventas", 2, 2, 0],
      ["inventario", 2, 2, 0],
    ]);
    expect(query(dbPath, "SELECT * FROM ventas_enriquecidas ORDER BY venta_id")).toEqual([
      {
        venta_id: 1,
        fecha: "2024-01-05",
        producto_id: 1,
        cliente_id: 1,
        cantidad: 2,
        precio_unitario: 1299,
        importe: 2598,
        categoria: "Electronicos",
        ciudad: "Medellín",
      },
      {
        venta_id: 2,
        fecha: "2024-01-06",
        producto_id: 2,
        cliente_id: 2,
        cantidad: 3,
        precio_unitario: 15.99,
        importe: 47.97,
        categoria: "Ropa",
        ciudad: "Bogotá",
      },
    ]);
    expect(
      query(
        dbPath,
        "SELECT typeof(fecha) t, typeof(precio_unitario_centavos) p FROM ventas LIMIT 1",
      ),
    ).toEqual([{ t: "text", p: "integer" }]);
  });

  it("rejects each bad row with its reason, column, line and original text", async () => {
    const ventas = [
      VENTAS_HEADER,
      "V001,2024-01-05,prod001,C_1,2,10.00", // line 2: loaded
      "V002,2024-01-05,prod001,C_1,2", // 3: field_count
      "V003,,prod001,C_1,2,10.00", // 4: missing_value fecha
      "V004,2024-01-05,prod000,C_1,2,10.00", // 5: invalid_id producto_id
      "V005,2024-02-30,prod001,C_1,2,10.00", // 6: invalid_date
      "V006,2024-01-05,prod001,C_1,2.5,10.00", // 7: invalid_number cantidad
      'V007,2024-01-05,prod001,C_1,2,"1,2345"', // 8: invalid_number precio_unitario
      "v-1,05/01/2024,prod001,C_1,1,10.00", // 9: duplicate_key of V001
      "",
      "V008,2024-01-05,prod001,C_1,2,10.00,extra", // 11: field_count
      "   ,2024-01-05,prod001,C_1,2,10.00", // 12: missing_value venta_id
    ].join("\n");
    const { dbPath, file } = await load({ ventas });
    expect(file("ventas")).toMatchObject({
      read: 10,
      loaded: 1,
      rejected: 9,
      reasons: {
        field_count: 2,
        missing_value: 2,
        invalid_id: 1,
        invalid_date: 1,
        invalid_number: 2,
        duplicate_key: 1,
      },
    });
    expect(
      query(
        dbPath,
        "SELECT file, line, reason, column_name, raw_text FROM rejected_rows ORDER BY line",
      ),
    ).toEqual([
      {
        file: "ventas.csv",
        line: 3,
        reason: "field_count",
        column_name: null,
        raw_text: "V002,2024-01-05,prod001,C_1,2",
      },
      {
        file: "ventas.csv",
        line: 4,
        reason: "missing_value",
        column_name: "fecha",
        raw_text: "V003,,prod001,C_1,2,10.00",
      },
      {
        file: "ventas.csv",
        line: 5,
        reason: "invalid_id",
        column_name: "producto_id",
        raw_text: "V004,2024-01-05,prod000,C_1,2,10.00",
      },
      {
        file: "ventas.csv",
        line: 6,
        reason: "invalid_date",
        column_name: "fecha",
        raw_text: "V005,2024-02-30,prod001,C_1,2,10.00",
      },
      {
        file: "ventas.csv",
        line: 7,
        reason: "invalid_number",
        column_name: "cantidad",
        raw_text: "V006,2024-01-05,prod001,C_1,2.5,10.00",
      },
      {
        file: "ventas.csv",
        line: 8,
        reason: "invalid_number",
        column_name: "precio_unitario",
        raw_text: 'V007,2024-01-05,prod001,C_1,2,"1,2345"',
      },
      {
        file: "ventas.csv",
        line: 9,
        reason: "duplicate_key",
        column_name: "venta_id",
        raw_text: "v-1,05/01/2024,prod001,C_1,1,10.00",
      },
      {
        file: "ventas.csv",
        line: 11,
        reason: "field_count",
        column_name: null,
        raw_text: "V008,2024-01-05,prod001,C_1,2,10.00,extra",
      },
      {
        file: "ventas.csv",
        line: 12,
        reason: "missing_value",
        column_name: "venta_id",
        raw_text: "   ,2024-01-05,prod001,C_1,2,10.00",
      },
    ]);
  });

  it("keys: the first valid row wins, an invalid row takes no key, inventario's key is (producto_id, fecha)", async () => {
    const ventas = [
      VENTAS_HEADER,
      "V1,2024-13-01,1,1,1,1",
      "V1,2024-01-01,1,1,5,1",
      "V1,2024-01-02,1,1,9,1",
    ].join("\n");
    const inventario =
      "producto_id,fecha,stock\n1,2024-01-05,1\n1,05/01/2024,2\n2,2024-01-05,3\n1,2024-01-06,4\n";
    const { dbPath, file } = await load({ ventas, inventario });
    expect(file("ventas")?.reasons).toEqual({ invalid_date: 1, duplicate_key: 1 });
    expect(query(dbPath, "SELECT venta_id, cantidad FROM ventas")).toEqual([
      { venta_id: 1, cantidad: 5 },
    ]);
    expect(file("inventario")?.reasons).toEqual({ duplicate_key: 1 });
    expect(query(dbPath, "SELECT producto_id, fecha, stock FROM inventario ORDER BY 1, 2")).toEqual(
      [
        { producto_id: 1, fecha: "2024-01-05", stock: 1 },
        { producto_id: 1, fecha: "2024-01-06", stock: 4 },
        { producto_id: 2, fecha: "2024-01-05", stock: 3 },
      ],
    );
  });

  it("reads BOM, CRLF, `;`, Windows-1252, reordered and extra columns, quoted fields and blank lines", async () => {
    const clientes = Buffer.concat([
      Buffer.from("Ciudad;NOMBRE; Cliente_ID ;telefono\r\n", "latin1"),
      Buffer.from("  medellín ;José   Pérez;C 7;555\r\n\r\n", "latin1"),
      Buffer.from(";Sin Ciudad;8;556\r\n", "latin1"),
    ]);
    const productos = `\uFEFFnombre,Categoría,PRODUCTO_ID\n"Camisa, talla M",  ropa de  HOMBRE ,P-3\n"Monitor 27""",electrónicos,4\n"Dos\nlíneas",Ropa,5\nÚltimo,Ropa,6\n`;
    const { dbPath, file } = await load({ clientes, productos });
    expect(file("clientes")).toMatchObject({
      encoding: "windows-1252",
      delimiter: ";",
      read: 2,
      loaded: 2,
      extraColumns: ["telefono"],
    });
    expect(file("productos")).toMatchObject({
      encoding: "utf-8",
      delimiter: ",",
      read: 4,
      loaded: 4,
    });
    expect(query(dbPath, "SELECT * FROM clientes ORDER BY cliente_id")).toEqual([
      { cliente_id: 7, nombre: "José Pérez", ciudad: "Medellín" },
      { cliente_id: 8, nombre: "Sin Ciudad", ciudad: null },
    ]);
    expect(query(dbPath, "SELECT * FROM productos ORDER BY producto_id")).toEqual([
      {
        producto_id: 3,
        nombre: "Camisa, talla M",
        categoria: "Ropa De Hombre",
        precio_centavos: null,
      },
      { producto_id: 4, nombre: 'Monitor 27"', categoria: "Electronicos", precio_centavos: null },
      { producto_id: 5, nombre: "Dos líneas", categoria: "Ropa", precio_centavos: null },
      { producto_id: 6, nombre: "Último", categoria: "Ropa", precio_centavos: null },
    ]);
  });

  it("counts lines after multi-line fields and blank lines in rejected rows", async () => {
    const productos = 'producto_id,nombre,categoria\n1,"a\nb",Ropa\n\n\n2,x\n';
    const { dbPath } = await load({ productos });
    expect(query(dbPath, "SELECT line, reason FROM rejected_rows")).toEqual([
      { line: 6, reason: "field_count" },
    ]);
  });

  it("loads rows that break business rules: the validations report them", async () => {
    const ventas = [VENTAS_HEADER, "1,2099-01-01,11,99,-2,-5.00", "2,2024-01-01,1,1,0,10"].join(
      "\n",
    );
    const { dbPath } = await load({ ventas });
    expect(
      query(
        dbPath,
        "SELECT venta_id, categoria, ciudad, importe FROM ventas_enriquecidas ORDER BY 1",
      ),
    ).toEqual([
      { venta_id: 1, categoria: null, ciudad: "ciudad_desconocida", importe: 10 },
      { venta_id: 2, categoria: "Electronicos", ciudad: "Medellín", importe: 0 },
    ]);
  });

  it("keeps the per-day summary equal to the view grouped by day, category and city", async () => {
    const ventas = [
      VENTAS_HEADER,
      "1,2024-01-01,1,1,2,10",
      "2,2024-01-01,1,1,3,10.50",
      "3,2024-01-01,11,9,1,1",
      "4,2024-01-02,2,2,1,1",
    ].join("\n");
    const { dbPath } = await load({ ventas });
    const expected = query(
      dbPath,
      `SELECT fecha, categoria, ciudad, count(*) ventas, sum(cantidad) unidades, CAST(round(sum(importe) * 100) AS INTEGER) importe_centavos
       FROM ventas_enriquecidas GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    expect(query(dbPath, "SELECT * FROM ventas_resumen_diario ORDER BY 1, 2, 3")).toEqual(expected);
    expect(expected).toHaveLength(3);
  });

  it("is idempotent: two runs on the same input leave identical tables", async () => {
    const { dataDir, dbPath } = await load({
      ventas: `${VENTAS_HEADER}\n1,2024-01-01,1,1,2,10\n1,2024-01-01,1,1,2,10\n`,
    });
    const strip = (dump: ReturnType<typeof dumpDb>) => {
      const { etl_runs: _r, etl_run_files: _f, ...data } = dump ?? {};
      data.rejected_rows = (data.rejected_rows ?? []).map(
        ({ id: _i, run_id: _run, ...row }) => row,
      );
      return data;
    };
    const first = strip(dumpDb(dbPath));
    await runEtl({ dataDir, dbPath });
    expect(strip(dumpDb(dbPath))).toEqual(first);
    expect(query(dbPath, "SELECT count(*) n FROM etl_runs")).toEqual([{ n: 2 }]);
  });
});

describe("etl fatal errors change nothing", () => {
  const cases: [string, Dataset | ((dir: string) => void), string, number | undefined][] = [
    ["a missing input file", { inventario: null }, "inventario.csv", undefined],
    [
      "a missing required column",
      { ventas: "venta_id,fecha,producto_id,cliente_id,cantidad\n1,2024-01-01,1,1,1\n" },
      "ventas.csv",
      1,
    ],
    [
      "an unclosed quote",
      {
        ventas: `${VENTAS_HEADER}\n1,2024-01-01,1,1,1,1\n2,"2024-01-01,1,1,1,1\n3,2024-01-01,1,1,1,1\n`,
      },
      "ventas.csv",
      3,
    ],
    ["an empty file", { clientes: "" }, "clientes.csv", 1],
    [
      "a column given twice",
      { clientes: "cliente_id,nombre,ciudad,Ciudad\n1,a,b,c\n" },
      "clientes.csv",
      1,
    ],
    [
      "a folder where a file should be",
      (dir) => mkdirSync(join(dir, "productos.csv")),
      "productos.csv",
      undefined,
    ],
  ];

  it.each(cases)("%s", async (_name, breakage, fileName, line) => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    const good = writeDataset(join(root, "good"));
    await runEtl({ dataDir: good, dbPath });
    const before = dumpDb(dbPath);

    const bad = join(root, "bad");
    if (typeof breakage === "function") {
      writeDataset(bad, { productos: null });
      breakage(bad);
    } else writeDataset(bad, breakage);
    const error = await runEtl({ dataDir: bad, dbPath }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).file).toBe(fileName);
    expect((error as InputError).line).toBe(line);
    expect(
      (error as Error).message.startsWith(line ? `${fileName}:${line}: ` : `${fileName}: `),
    ).toBe(true);
    expect(dumpDb(dbPath)).toEqual(before);
  });

  it("leaves no database file behind when the first run fails", async () => {
    const root = tempDir();
    const dataDir = writeDataset(join(root, "data"), { ventas: "nope\n" });
    const dbPath = join(root, "db", "empresa.db");
    await expect(runEtl({ dataDir, dbPath })).rejects.toThrow(
      /ventas.csv:1: missing required columns/,
    );
    expect(existsSync(dbPath)).toBe(false);
  });

  it("refuses to write into another application's database", async () => {
    const root = tempDir();
    const dbPath = join(root, "other.db");
    const other = new Sqlite(dbPath);
    other.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (1)");
    other.close();
    const dataDir = writeDataset(join(root, "data"));
    await expect(runEtl({ dataDir, dbPath })).rejects.toThrow(/another application/);
    expect(dumpDb(dbPath)).toEqual({ invoices: [{ id: 1 }] });
  });
});

describe("npm run etl (the command)", () => {
  it("prints exactly one JSON document with --json and exits 0", async () => {
    const root = tempDir();
    writeDataset(join(root, "data"), {
      ventas: `${VENTAS_HEADER}\n1,2024-01-01,1,1,1,1\n1,2024-01-01,1,1,1,1\n`,
    });
    const result = await runCli("etl", ["--json"], { cwd: root });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    expect(report).toMatchObject({
      status: "ok",
      files: {
        productos: { read: 2, loaded: 2, rejected: 0, reasons: {} },
        clientes: { read: 2, loaded: 2, rejected: 0, reasons: {} },
        ventas: { read: 2, loaded: 1, rejected: 1, reasons: { duplicate_key: 1 } },
        inventario: { read: 2, loaded: 2, rejected: 0, reasons: {} },
      },
    });
    expect(typeof report.run_id).toBe("string");
    expect(existsSync(join(root, "database", "empresa.db"))).toBe(true);
    expect(existsSync(join(root, "logs", "procesamiento.log"))).toBe(true);
    expect(result.stderr).toContain("ventas.csv: read 2, loaded 1, rejected 1 (duplicate_key 1)");
  });

  it("takes options from flags over the environment over .env", async () => {
    const root = tempDir();
    writeDataset(join(root, "from-env-file"));
    writeFileSync(join(root, ".env"), "DATA_DIR=from-env-file\nDB_PATH=env-file.db\n");
    const viaDotEnv = await runCli("etl", [], { cwd: root });
    expect(viaDotEnv.code).toBe(0);
    expect(existsSync(join(root, "env-file.db"))).toBe(true);
    const viaFlag = await runCli("etl", ["--db", "flag.db"], {
      cwd: root,
      env: { DB_PATH: "env.db" },
    });
    expect(viaFlag.code).toBe(0);
    expect(existsSync(join(root, "flag.db"))).toBe(true);
    expect(existsSync(join(root, "env.db"))).toBe(false);
  });

  it("exits 1 on a fatal error with one line naming the file and line, no stack trace", async () => {
    const root = tempDir();
    writeDataset(join(root, "data"), { ventas: `${VENTAS_HEADER}\n1,"2024-01-01,1,1,1,1\n` });
    const result = await runCli("etl", ["--json"], { cwd: root });
    expect(result.code).toBe(1);
    // stdout holds exactly one JSON document, the error.
    expect(JSON.parse(result.stdout)).toEqual({
      status: "error",
      error: { code: "unclosed_quote", message: expect.stringContaining("ventas.csv:2:") },
    });
    expect(result.stderr).toContain("ventas.csv:2: a quote opened on this line is never closed");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("answers --help and rejects unknown flags with exit 2", async () => {
    const root = tempDir();
    const help = await runCli("etl", ["--help"], { cwd: root });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--data-dir DIR");
    expect(help.stdout).toContain("env DB_PATH");
    const bad = await runCli("etl", ["--nope"], { cwd: root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--nope");
  });
});
