/**
 * The Parquet outputs of the large-CSV system (`NAME_resumen`, `NAME_columnas`,
 * `NAME_muestra`), their NAME and the per-type value parsing they share with the profiler.
 *
 * Every file is read back by two independent readers: DuckDB (`@duckdb/node-api`, a C++
 * Parquet reader) and hyparquet (a JavaScript one). The contract also names pyarrow, but it
 * is not available here (no PyPI access), so DuckDB stands in as the non-JavaScript reader.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance, type Json } from "@duckdb/node-api";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outputBaseName } from "../src/files/outputs/name.js";
import { uniqueColumnNames, writeOutputs } from "../src/files/outputs/parquet.js";
import {
  hasTimeOfDay,
  isNullToken,
  parseBooleanText,
  parseDateText,
  parseDateTimeText,
  parseDecimalText,
  parseIntegerText,
} from "../src/files/outputs/values.js";
import type { Columna, ColumnType, Profile } from "../src/files/types.js";
import { tempDir } from "./helpers/tmp.js";

let duck: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  duck = await DuckDBInstance.create(":memory:");
  connection = await duck.connect();
});

afterAll(() => {
  connection?.closeSync();
  duck?.closeSync();
});

async function query(sql: string): Promise<Record<string, Json>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson();
}

async function describeTypes(path: string): Promise<[string, string][]> {
  const rows = await query(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  return rows.map((row) => [String(row.column_name), String(row.column_type)]);
}

async function readHyparquet(path: string) {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { metadata: parquetMetadata(file), rows: await parquetReadObjects({ file }) };
}

function columna(posicion: number, nombre: string, tipo: ColumnType): Columna {
  return {
    posicion,
    nombre,
    tipo,
    no_nulos: 1000,
    nulos: 0,
    unicos: 1000,
    unicos_aproximado: false,
    minimo: null,
    maximo: null,
    media: null,
    desviacion: null,
    p25: null,
    p50: null,
    p75: null,
    longitud_min: null,
    longitud_max: null,
    top_valores: "[]",
  };
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const BASE = Date.UTC(2020, 0, 1);

/** The sample's columns: every type, a duplicate name, an empty name, a unicode name. */
const SAMPLE_COLUMNS: [string, ColumnType][] = [
  ["id", "integer"],
  ["importe", "decimal"],
  ["activo", "boolean"],
  ["fecha", "date"],
  ["momento", "datetime"],
  ["ciudad", "text"],
  ["id", "text"],
  ["", "empty"],
  ["Año ñ €", "integer"],
];

/** Rows whose cells are exceptional (nulls, values that do not fit, edge cases); by row index. */
const SPECIAL: Record<number, (string | null)[]> = {
  0: [" 42 ", "1,5", "Sí", "05/03/2024", "2024-03-05T10:20:30.123+05:00", "Málaga", "a", "", "-0"],
  1: ["", "2.25", " No ", "20240305", "2024-03-05 10:20", "東京 😀", "", "x", "1"],
  2: ["NULL", "-3", "YES", "2024/03/05", "05.03.2024", "  spaced  ", "NULL", null, "2"],
  3: [
    "9223372036854775807",
    "N/A",
    "maybe",
    "2024-02-30",
    "2024-03-05T23:59:59Z",
    "N/A",
    "n",
    "N/A",
    "3",
  ],
  4: ["9223372036854775808", "abc", "1", "1969-12-31", "not a date", "null", "z", "", "4"],
  5: [
    "-9223372036854775808",
    "1.5e3",
    "si",
    "0050-01-01",
    "2024-03-05T10:20:30,5",
    "",
    "q",
    "",
    "5",
  ],
  6: [
    "1.0",
    "1.234,5",
    "FALSE",
    "2024-03-05T08:00:00-03:00",
    "1969-12-31 23:59:59.999",
    "ok",
    "w",
    "",
    "6",
  ],
  7: [null, null, null, null, null, null, null, null, null],
  8: ["12", "7", "true"], // a short row: the missing cells are null
};

function generic(i: number): string[] {
  const day = isoDay(BASE + i * DAY);
  return [
    String(i),
    `${i},5`,
    i % 2 === 0 ? "true" : "false",
    day,
    `${day}T12:34:56`,
    `ciudad ${i}`,
    `t${i}`,
    "",
    String(-i),
  ];
}

const ROWS = Array.from({ length: 1000 }, (_, i) => SPECIAL[i] ?? generic(i));

function sampleProfile(): Profile {
  return {
    resumen: {
      archivo: "Ventas 2024 (final).CSV",
      bytes: 123_456_789_012,
      encoding: "windows-1252",
      delimitador: ";",
      filas: 1000,
      columnas: SAMPLE_COLUMNS.length,
      filas_malformadas: 3,
      memoria_estimada_bytes: 45_678,
      duracion_s: 1.25,
      procesado_en: "2026-11-23T02:00:00.000Z",
    },
    columnas: SAMPLE_COLUMNS.map(([nombre, tipo], i) => ({
      ...columna(i + 1, nombre, tipo),
      ...(i === 0
        ? {
            nulos: 3,
            no_nulos: 997,
            minimo: "-9223372036854775808",
            maximo: "9223372036854775807",
            media: 499.5,
            desviacion: 288.8194360957494,
            p25: 249.75,
            p50: 499.5,
            p75: 749.25,
            top_valores: '[["42",1],["1",1]]',
          }
        : {}),
      ...(tipo === "text"
        ? { longitud_min: 0, longitud_max: 12, unicos_aproximado: true, minimo: "Málaga" }
        : {}),
    })),
    muestra: { rows: ROWS },
    histogramas: {},
  };
}

/** The sample's expected cells as DuckDB's JSON shows them (BIGINT as text, DATE as text). */
function expectedDuckRow(i: number): Record<string, unknown> {
  const special: Record<number, unknown[]> = {
    0: ["42", 1.5, true, "2024-03-05", "2024-03-05 10:20:30.123", "Málaga", "a", null, "0"],
    1: [null, 2.25, false, "2024-03-05", "2024-03-05 10:20:00", "東京 😀", null, null, "1"],
    2: [null, -3, true, "2024-03-05", "2024-03-05 00:00:00", "  spaced  ", null, null, "2"],
    3: ["9223372036854775807", null, null, null, "2024-03-05 23:59:59", null, "n", null, "3"],
    4: [null, null, null, "1969-12-31", null, null, "z", null, "4"],
    5: [
      "-9223372036854775808",
      null,
      true,
      "0050-01-01",
      "2024-03-05 10:20:30.5",
      null,
      "q",
      null,
      "5",
    ],
    6: [null, null, false, "2024-03-05", "1969-12-31 23:59:59.999", "ok", "w", null, "6"],
    7: [null, null, null, null, null, null, null, null, null],
    8: ["12", 7, true, null, null, null, null, null, null],
  };
  const day = isoDay(BASE + i * DAY);
  const values = special[i] ?? [
    String(i),
    i + 0.5,
    i % 2 === 0,
    day,
    `${day} 12:34:56`,
    `ciudad ${i}`,
    `t${i}`,
    null,
    String(-i),
  ];
  return Object.fromEntries(SAMPLE_NAMES.map((name, c) => [name, values[c]]));
}

const SAMPLE_NAMES = [
  "id",
  "importe",
  "activo",
  "fecha",
  "momento",
  "ciudad",
  "id_1",
  "columna_8",
  "Año ñ €",
];

describe("writeOutputs", () => {
  let dir: string;
  let paths: Awaited<ReturnType<typeof writeOutputs>>;

  let root: string;

  beforeAll(async () => {
    // Shared by the tests of this block (the helper's tempDir is removed after each test).
    root = mkdtempSync(join(tmpdir(), "empresa-parquet-"));
    dir = join(root, "resultados");
    mkdirSync(dir);
    paths = await writeOutputs(sampleProfile(), dir, outputBaseName("Ventas 2024 (final).CSV"));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("writes the three files, and nothing else, under NAME_*.parquet", () => {
    expect(paths).toEqual({
      resumen: join(dir, "Ventas_2024_final_resumen.parquet"),
      columnas: join(dir, "Ventas_2024_final_columnas.parquet"),
      muestra: join(dir, "Ventas_2024_final_muestra.parquet"),
    });
    expect(readdirSync(dir).sort()).toEqual([
      "Ventas_2024_final_columnas.parquet",
      "Ventas_2024_final_muestra.parquet",
      "Ventas_2024_final_resumen.parquet",
    ]);
  });

  it("resumen: the contract's columns, types and one row (DuckDB)", async () => {
    expect(await describeTypes(paths.resumen)).toEqual([
      ["archivo", "VARCHAR"],
      ["bytes", "BIGINT"],
      ["encoding", "VARCHAR"],
      ["delimitador", "VARCHAR"],
      ["filas", "BIGINT"],
      ["columnas", "BIGINT"],
      ["filas_malformadas", "BIGINT"],
      ["memoria_estimada_bytes", "BIGINT"],
      ["duracion_s", "DOUBLE"],
      // An instant (adjusted to UTC): DuckDB's TIMESTAMP WITH TIME ZONE.
      ["procesado_en", "TIMESTAMP WITH TIME ZONE"],
    ]);
    expect(
      await query(
        `SELECT * EXCLUDE (procesado_en), epoch_ms(procesado_en) AS ms FROM read_parquet('${paths.resumen}')`,
      ),
    ).toEqual([
      {
        archivo: "Ventas 2024 (final).CSV",
        bytes: "123456789012",
        encoding: "windows-1252",
        delimitador: ";",
        filas: "1000",
        columnas: "9",
        filas_malformadas: "3",
        memoria_estimada_bytes: "45678",
        duracion_s: 1.25,
        ms: String(Date.parse("2026-11-23T02:00:00.000Z")),
      },
    ]);
  });

  it("resumen: the same through hyparquet, with the Parquet types", async () => {
    const { metadata, rows } = await readHyparquet(paths.resumen);
    expect(Number(metadata.num_rows)).toBe(1);
    const schema = metadata.schema.slice(1);
    expect(schema.map((e) => [e.name, e.type, e.converted_type ?? null])).toEqual([
      ["archivo", "BYTE_ARRAY", "UTF8"],
      ["bytes", "INT64", null],
      ["encoding", "BYTE_ARRAY", "UTF8"],
      ["delimitador", "BYTE_ARRAY", "UTF8"],
      ["filas", "INT64", null],
      ["columnas", "INT64", null],
      ["filas_malformadas", "INT64", null],
      ["memoria_estimada_bytes", "INT64", null],
      ["duracion_s", "DOUBLE", null],
      ["procesado_en", "INT64", "TIMESTAMP_MILLIS"],
    ]);
    expect(schema.at(-1)?.logical_type).toEqual({
      type: "TIMESTAMP",
      isAdjustedToUTC: true,
      unit: "MILLIS",
    });
    expect(rows).toEqual([
      {
        archivo: "Ventas 2024 (final).CSV",
        bytes: 123456789012n,
        encoding: "windows-1252",
        delimitador: ";",
        filas: 1000n,
        columnas: 9n,
        filas_malformadas: 3n,
        memoria_estimada_bytes: 45678n,
        duracion_s: 1.25,
        procesado_en: new Date("2026-11-23T02:00:00.000Z"),
      },
    ]);
  });

  it("columnas: one row per column, in order, with nulls (DuckDB and hyparquet)", async () => {
    expect(await describeTypes(paths.columnas)).toEqual([
      ["posicion", "BIGINT"],
      ["nombre", "VARCHAR"],
      ["tipo", "VARCHAR"],
      ["no_nulos", "BIGINT"],
      ["nulos", "BIGINT"],
      ["unicos", "BIGINT"],
      ["unicos_aproximado", "BOOLEAN"],
      ["minimo", "VARCHAR"],
      ["maximo", "VARCHAR"],
      ["media", "DOUBLE"],
      ["desviacion", "DOUBLE"],
      ["p25", "DOUBLE"],
      ["p50", "DOUBLE"],
      ["p75", "DOUBLE"],
      ["longitud_min", "BIGINT"],
      ["longitud_max", "BIGINT"],
      ["top_valores", "VARCHAR"],
    ]);
    const expected = sampleProfile().columnas;
    const duckRows = await query(`SELECT * FROM read_parquet('${paths.columnas}')`);
    const asDuck = (c: Columna) => ({
      ...c,
      posicion: String(c.posicion),
      no_nulos: String(c.no_nulos),
      nulos: String(c.nulos),
      unicos: String(c.unicos),
      longitud_min: c.longitud_min === null ? null : String(c.longitud_min),
      longitud_max: c.longitud_max === null ? null : String(c.longitud_max),
    });
    expect(duckRows).toEqual(expected.map(asDuck));
    // The header's names are kept as they are here (duplicates and empty ones included).
    expect(duckRows.map((r) => r.nombre)).toEqual(SAMPLE_COLUMNS.map(([name]) => name));
    expect(JSON.parse(String(duckRows[0]?.top_valores))).toEqual([
      ["42", 1],
      ["1", 1],
    ]);

    const { rows } = await readHyparquet(paths.columnas);
    const big = (n: number | null) => (n === null ? null : BigInt(n));
    expect(rows).toEqual(
      expected.map((c) => ({
        ...c,
        posicion: big(c.posicion),
        no_nulos: big(c.no_nulos),
        nulos: big(c.nulos),
        unicos: big(c.unicos),
        longitud_min: big(c.longitud_min),
        longitud_max: big(c.longitud_max),
      })),
    );
  });

  it("muestra: one typed column per CSV column, unique names, in order (DuckDB)", async () => {
    expect(await describeTypes(paths.muestra)).toEqual([
      ["id", "BIGINT"],
      ["importe", "DOUBLE"],
      ["activo", "BOOLEAN"],
      ["fecha", "DATE"],
      ["momento", "TIMESTAMP"],
      ["ciudad", "VARCHAR"],
      ["id_1", "VARCHAR"],
      ["columna_8", "VARCHAR"],
      ["Año ñ €", "BIGINT"],
    ]);
  });

  it("muestra: every value, nulls where a value is a null token or does not fit (DuckDB)", async () => {
    const rows = await query(
      `SELECT * REPLACE (strftime(momento, '%Y-%m-%d %H:%M:%S.%g') AS momento)
       FROM read_parquet('${paths.muestra}')`,
    );
    expect(rows).toHaveLength(1000);
    // DuckDB's %g is milliseconds; normalize the expected text the same way.
    const withMillis = (text: unknown) => {
      if (typeof text !== "string") return text;
      const [whole, fraction = ""] = text.split(".");
      return `${whole}.${fraction.padEnd(3, "0")}`;
    };
    const expected = ROWS.map((_, i) => {
      const row = expectedDuckRow(i);
      return { ...row, momento: withMillis(row.momento) };
    });
    expect(rows).toEqual(expected);
  });

  it("muestra: the same values through hyparquet, with DATE and a wall-clock TIMESTAMP", async () => {
    const { metadata, rows } = await readHyparquet(paths.muestra);
    expect(Number(metadata.num_rows)).toBe(1000);
    const schema = metadata.schema.slice(1);
    expect(schema.map((e) => e.name)).toEqual(SAMPLE_NAMES);
    expect(schema.map((e) => [e.type, e.logical_type?.type ?? null])).toEqual([
      ["INT64", null],
      ["DOUBLE", null],
      ["BOOLEAN", null],
      ["INT32", "DATE"],
      ["INT64", "TIMESTAMP"],
      ["BYTE_ARRAY", "STRING"],
      ["BYTE_ARRAY", "STRING"],
      ["BYTE_ARRAY", "STRING"],
      ["INT64", null],
    ]);
    expect(schema[4]?.logical_type).toEqual({
      type: "TIMESTAMP",
      isAdjustedToUTC: false,
      unit: "MILLIS",
    });
    expect(schema.every((e) => e.repetition_type === "OPTIONAL")).toBe(true);

    const expected = ROWS.map((_, i) => {
      const row = expectedDuckRow(i);
      const id = row.id as string | null;
      const other = row["Año ñ €"] as string | null;
      const fecha = row.fecha as string | null;
      const momento = row.momento as string | null;
      return {
        ...row,
        id: id === null ? null : BigInt(id),
        "Año ñ €": other === null ? null : BigInt(other),
        fecha: fecha === null ? null : new Date(`${fecha}T00:00:00Z`),
        // Wall-clock time as written, read as if it were UTC (never shifted by a zone).
        momento: momento === null ? null : new Date(`${momento.replace(" ", "T")}Z`),
      };
    });
    expect(rows).toEqual(expected);
  });

  it("files are standard: one row group, SNAPPY, sane parquet_metadata/parquet_schema", async () => {
    for (const [name, path] of Object.entries(paths)) {
      const meta = await query(
        `SELECT DISTINCT row_group_id, compression FROM parquet_metadata('${path}')`,
      );
      expect(meta, name).toEqual([{ row_group_id: "0", compression: "SNAPPY" }]);
      const schema = await query(`SELECT name FROM parquet_schema('${path}')`);
      expect(schema.length, name).toBeGreaterThan(1);
    }
    const counts = await query(
      `SELECT (SELECT count(*) FROM read_parquet('${paths.resumen}')) AS r,
              (SELECT count(*) FROM read_parquet('${paths.columnas}')) AS c,
              (SELECT count(*) FROM read_parquet('${paths.muestra}')) AS m`,
    );
    expect(counts).toEqual([{ r: "1", c: "9", m: "1000" }]);
  });
});

describe("writeOutputs edge cases", () => {
  it("an empty sample still has its typed columns; an all-null column keeps its type", async () => {
    const dir = tempDir();
    const profile = sampleProfile();
    profile.muestra.rows = [];
    const paths = await writeOutputs(profile, dir, "vacio");
    expect((await describeTypes(paths.muestra)).map(([, type]) => type)).toEqual([
      "BIGINT",
      "DOUBLE",
      "BOOLEAN",
      "DATE",
      "TIMESTAMP",
      "VARCHAR",
      "VARCHAR",
      "VARCHAR",
      "BIGINT",
    ]);
    expect(await query(`SELECT count(*) AS n FROM read_parquet('${paths.muestra}')`)).toEqual([
      { n: "0" },
    ]);
    expect((await readHyparquet(paths.muestra)).rows).toEqual([]);
  });

  it("a decimal comma is only read in a `;` file", async () => {
    const dir = tempDir();
    const profile = sampleProfile();
    profile.resumen.delimitador = ",";
    profile.muestra.rows = [
      ["1", "1,5"],
      ["2", "2.5"],
    ];
    const paths = await writeOutputs(profile, dir, "coma");
    expect(await query(`SELECT importe FROM read_parquet('${paths.muestra}') ORDER BY id`)).toEqual(
      [{ importe: null }, { importe: 2.5 }],
    );
  });

  it("a wide 1,000-row sample writes (and reads back) in one go", async () => {
    const dir = tempDir();
    const profile = sampleProfile();
    const width = 60;
    profile.columnas = Array.from({ length: width }, (_, c) =>
      columna(c + 1, `col ${c}`, c % 2 === 0 ? "integer" : "text"),
    );
    profile.muestra.rows = Array.from({ length: 1000 }, (_, r) =>
      Array.from({ length: width }, (_, c) => (c % 2 === 0 ? String(r * c) : "x".repeat(200))),
    );
    const paths = await writeOutputs(profile, dir, "ancho");
    expect(
      await query(`SELECT count(*) AS n, sum("col 58") AS s FROM read_parquet('${paths.muestra}')`),
    ).toEqual([{ n: "1000", s: String(58 * 499_500) }]);
  });

  it("a failure midway (the third file cannot be put in place) leaves nothing of its own", async () => {
    const dir = tempDir();
    // A non-empty folder where the sample should go: the rename onto it fails.
    const blocker = join(dir, "x_muestra.parquet");
    mkdirSync(blocker);
    writeFileSync(join(blocker, "keep"), "");
    await expect(writeOutputs(sampleProfile(), dir, "x")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["x_muestra.parquet"]);
    expect(readdirSync(blocker)).toEqual(["keep"]);
  });

  it("a profile that cannot be written (NaN count) removes the files already written", async () => {
    const dir = tempDir();
    const profile = sampleProfile();
    const first = profile.columnas[0] as Columna;
    first.unicos = Number.NaN;
    await expect(writeOutputs(profile, dir, "x")).rejects.toThrow(/unicos/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("rejects a missing required value or a bad procesado_en before writing anything", async () => {
    const dir = tempDir();
    const missing = sampleProfile();
    (missing.columnas[2] as { top_valores: string | null }).top_valores = null;
    await expect(writeOutputs(missing, dir, "x")).rejects.toThrow(/top_valores: missing/);
    const badInstant = sampleProfile();
    badInstant.resumen.procesado_en = "yesterday";
    await expect(writeOutputs(badInstant, dir, "x")).rejects.toThrow(/procesado_en/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("fails, writing nothing, when dir is a file or missing, or NAME is not safe", async () => {
    const dir = tempDir();
    const file = join(dir, "file");
    writeFileSync(file, "");
    await expect(writeOutputs(sampleProfile(), file, "x")).rejects.toThrow();
    await expect(writeOutputs(sampleProfile(), join(dir, "missing"), "x")).rejects.toThrow();
    await expect(writeOutputs(sampleProfile(), dir, "../x")).rejects.toThrow(TypeError);
    await expect(writeOutputs(sampleProfile(), dir, "")).rejects.toThrow(TypeError);
    expect(readdirSync(dir)).toEqual(["file"]);
  });

  it("replaces the outputs of an earlier run of the same name", async () => {
    const dir = tempDir();
    const profile = sampleProfile();
    await writeOutputs(profile, dir, "x");
    profile.resumen.filas = 7;
    const paths = await writeOutputs(profile, dir, "x");
    expect(await query(`SELECT filas FROM read_parquet('${paths.resumen}')`)).toEqual([
      { filas: "7" },
    ]);
    expect(readdirSync(dir)).toHaveLength(3);
  });
});

describe("uniqueColumnNames", () => {
  it.each([
    [
      ["a", "b"],
      ["a", "b"],
    ],
    [
      ["id", "id", "ID", ""],
      ["id", "id_1", "ID_2", "columna_4"],
    ],
    [
      ["a", "a", "a_1"],
      ["a", "a_2", "a_1"],
    ],
    [
      ["", " ", "columna_1"],
      ["columna_1", "columna_2", "columna_1_1"],
    ],
  ])("%j → %j", (names, expected) => {
    expect(uniqueColumnNames(names)).toEqual(expected);
  });
});

describe("outputBaseName", () => {
  it.each([
    ["../../etc/passwd.csv", "passwd"],
    ["..\\..\\Windows\\win.ini", "win"],
    ["Ventas 2024 (final).CSV", "Ventas_2024_final"],
    ["C:\\datos\\Año café.csv", "Ano_cafe"],
    ["straße  ØRE.tar.csv", "strasse_OREtar"], // only the last extension goes,
    ["  datos  .csv", "datos"],
    ["a-b_c.d.csv", "a-b_cd"],
    [".csv", "csv"],
    ["sin_extension", "sin_extension"],
    ["東京.csv", "archivo"],
    ["???.csv", "archivo"],
    ["", "archivo"],
    ["..", "archivo"],
    ["dir/", "archivo"],
  ])("%j → %j", (name, expected) => {
    expect(outputBaseName(name)).toBe(expected);
  });

  it("is at most 100 characters and always safe", () => {
    expect(outputBaseName(`${"a".repeat(300)}.csv`)).toBe("a".repeat(100));
    for (const name of ["/", "\\", "...", "a/../b", "%2e%2e%2f", "\u0000.csv"]) {
      expect(outputBaseName(name)).toMatch(/^[A-Za-z0-9_-]{1,100}$/);
    }
  });
});

describe("value parsing", () => {
  it("null tokens", () => {
    for (const s of ["", "  ", "NULL", " null ", "N/A", "\tN/A\t"])
      expect(isNullToken(s)).toBe(true);
    for (const s of ["Null", "n/a", "NA", "0", "-", "nil"]) expect(isNullToken(s)).toBe(false);
  });

  it("integers: -?\\d+ within INT64", () => {
    expect(parseIntegerText(" -42 ")).toBe(-42n);
    expect(parseIntegerText("007")).toBe(7n);
    expect(parseIntegerText("9223372036854775807")).toBe(9223372036854775807n);
    expect(parseIntegerText("-9223372036854775808")).toBe(-9223372036854775808n);
    for (const s of [
      "9223372036854775808",
      "-9223372036854775809",
      "+1",
      "1.0",
      "1e3",
      "",
      "-",
      "1 000",
    ]) {
      expect(parseIntegerText(s), s).toBeNull();
    }
  });

  it("decimals: a point, or a comma in `;` files", () => {
    expect(parseDecimalText("3.25", false)).toBe(3.25);
    expect(parseDecimalText("-3", false)).toBe(-3);
    expect(parseDecimalText("1,5", true)).toBe(1.5);
    expect(parseDecimalText("1.5", true)).toBe(1.5);
    for (const s of ["1,5", ".5", "5.", "1e3", "1.234,5", "+1", "NaN", "Infinity", ""]) {
      expect(parseDecimalText(s, false), s).toBeNull();
    }
    for (const s of ["1.234,5", "1,2,3", ",5"]) expect(parseDecimalText(s, true), s).toBeNull();
  });

  it("booleans: true/false, si/no, sí/no, yes/no, any case", () => {
    for (const s of ["true", "TRUE", " Si ", "sí", "SÍ", "si\u0301", "Yes"]) {
      expect(parseBooleanText(s), s).toBe(true);
    }
    for (const s of ["false", "No", "NO "]) expect(parseBooleanText(s), s).toBe(false);
    for (const s of ["1", "0", "y", "n", "verdadero", ""])
      expect(parseBooleanText(s), s).toBeNull();
  });

  it("dates: the ETL's forms, as days since 1970-01-01", () => {
    expect(parseDateText("1970-01-01")).toBe(0);
    expect(parseDateText("1969-12-31")).toBe(-1);
    const march5 = Date.UTC(2024, 2, 5) / DAY;
    for (const s of [
      "2024-03-05",
      "2024/03/05",
      "2024.03.05",
      "20240305",
      "05/03/2024",
      "05-03-2024",
      "05.03.2024",
      "2024-03-05T23:30:00-05:00",
    ]) {
      expect(parseDateText(s), s).toBe(march5);
    }
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 0, 1); // Date.UTC would read 50 as 1950
    expect(parseDateText("0050-01-01")).toBe(year50.getTime() / DAY);
    expect(parseDateText("2000-02-29")).toBe(Date.UTC(2000, 1, 29) / DAY);
    for (const s of ["2024-02-30", "1900-02-29", "24-03-05", "2024-3-5", "x"]) {
      expect(parseDateText(s), s).toBeNull();
    }
  });

  it("date-times: wall clock as written, zone ignored, date-only at midnight", () => {
    const at = (iso: string) => Date.parse(`${iso}Z`);
    expect(parseDateTimeText("2024-03-05T10:20:30.123+05:00")).toBe(at("2024-03-05T10:20:30.123"));
    expect(parseDateTimeText("2024-03-05 10:20")).toBe(at("2024-03-05T10:20:00"));
    expect(parseDateTimeText("2024-03-05t10:20:30Z")).toBe(at("2024-03-05T10:20:30"));
    expect(parseDateTimeText("2024-03-05T10:20:30,5")).toBe(at("2024-03-05T10:20:30.500"));
    expect(parseDateTimeText("2024-03-05T10:20:30.123456-0300")).toBe(
      at("2024-03-05T10:20:30.123"),
    );
    expect(parseDateTimeText("05/03/2024")).toBe(at("2024-03-05T00:00:00"));
    expect(parseDateTimeText("1969-12-31 23:59:59.999")).toBe(-1);
    for (const s of [
      "2024-03-05 24:00",
      "2024-03-05 10",
      "2024-03-05T10:20+25",
      "2024/03/05 10:20",
    ]) {
      expect(parseDateTimeText(s), s).toBeNull();
    }
    expect(hasTimeOfDay("2024-03-05 10:20")).toBe(true);
    expect(hasTimeOfDay(" 2024-03-05 ")).toBe(false);
    expect(hasTimeOfDay("05/03/2024")).toBe(false);
    expect(hasTimeOfDay("2024-03-05 99:99")).toBe(false);
  });
});
