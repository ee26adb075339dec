/**
 * Generated CSV files and an independent profile of them computed by DuckDB, for the
 * large-CSV profiler's tests (`test/files-profile.test.ts`). The expected statistics are
 * plain SQL over `read_csv(..., all_varchar=true)` following the rules of
 * `../shared/contracts/files.md` ("What it computes"), never the profiler's own code.
 */

import { closeSync, openSync, writeSync } from "node:fs";
import type { DuckDBConnection, DuckDBInstance, Json } from "@duckdb/node-api";
import type { ColumnType } from "../../src/files/types.js";

/** mulberry32: a small seeded PRNG, so every run writes the same files. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

export const int = (random: () => number, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

/** A field as RFC 4180 writes it: quoted when it holds the delimiter, a quote or a line break. */
export function csvField(value: string, delimiter = ","): string {
  return value.includes(delimiter) ||
    value.includes('"') ||
    value.includes("\n") ||
    value.includes("\r")
    ? `"${value.replaceAll('"', '""')}"`
    : value;
}

export interface WriteOptions {
  delimiter?: string;
  eol?: string;
  bom?: boolean;
  /** Each record's fields written as they are (no quoting): for hand-made broken records. */
  raw?: boolean;
}

/**
 * Writes `header` and the records (arrays of fields, quoted as needed) to `path`, in
 * pieces, and returns the bytes written.
 */
export function writeCsv(
  path: string,
  header: string[],
  records: Iterable<string[]>,
  options: WriteOptions = {},
): number {
  const delimiter = options.delimiter ?? ",";
  const eol = options.eol ?? "\n";
  const fd = openSync(path, "w");
  let bytes = 0;
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    const buffer = Buffer.from(pending.join(""), "utf8");
    writeSync(fd, buffer);
    bytes += buffer.length;
    pending = [];
    size = 0;
  };
  try {
    if (options.bom) {
      writeSync(fd, Buffer.from([0xef, 0xbb, 0xbf]));
      bytes += 3;
    }
    const line = (fields: string[]) =>
      (options.raw ? fields : fields.map((f) => csvField(f, delimiter))).join(delimiter) + eol;
    pending.push(line(header));
    for (const record of records) {
      const text = line(record);
      pending.push(text);
      size += text.length;
      if (size > 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** A column as the contract describes it, from DuckDB. */
export interface ExpectedColumn {
  nombre: string;
  tipo: ColumnType;
  no_nulos: number;
  nulos: number;
  unicos: number;
  minimo: string | null;
  maximo: string | null;
  media: number | null;
  desviacion: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  longitud_min: number | null;
  longitud_max: number | null;
  top: [string, number][];
}

const quoteId = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** `read_csv` of the whole file as text, the header's names kept. */
export function readCsvSql(path: string, delimiter = ","): string {
  return `read_csv(${quoteText(path)}, all_varchar=true, header=true, delim=${quoteText(delimiter)}, quote='"', escape='"', auto_detect=true)`;
}

const DATE_FORMATS = "['%Y-%m-%d', '%d/%m/%Y', '%Y/%m/%d', '%d.%m.%Y', '%d-%m-%Y']";
const DATE_FORM =
  "(\\d{4}-\\d{2}-\\d{2}|\\d{2}/\\d{2}/\\d{4}|\\d{4}/\\d{2}/\\d{2}|\\d{2}\\.\\d{2}\\.\\d{4}|\\d{2}-\\d{2}-\\d{4})";
/** `YYYY-MM-DD` + `T` or space + `HH:MM[:SS[.f]]` + an optional zone. */
const DATETIME_FORM =
  "\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?([Zz]|[+-]\\d{2}(:?\\d{2})?)?";
const TRUE_WORDS = "('true', 'si', 'sí', 'yes')";
const BOOLEAN_WORDS = "('true', 'false', 'si', 'sí', 'yes', 'no')";

async function rows(c: DuckDBConnection, sql: string): Promise<Record<string, Json>[]> {
  return (await c.runAndReadAll(sql)).getRowObjectsJson();
}

const num = (v: Json | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);

/**
 * Every column's profile computed by DuckDB from the CSV text: nulls after trimming, the
 * narrowest contract type every non-null value fits, and that type's statistics.
 */
export async function duckProfile(
  c: DuckDBConnection,
  path: string,
  delimiter = ",",
): Promise<ExpectedColumn[]> {
  const source = `profile_source_${++tables}`;
  await c.run(`CREATE TEMP TABLE ${source} AS SELECT * FROM ${readCsvSql(path, delimiter)}`);
  try {
    return await profileTable(c, source, delimiter);
  } finally {
    await c.run(`DROP TABLE ${source}`);
  }
}

let tables = 0;

async function profileTable(
  c: DuckDBConnection,
  source: string,
  delimiter: string,
): Promise<ExpectedColumn[]> {
  const names = (await rows(c, `DESCRIBE SELECT * FROM ${source}`)).map((r) =>
    String(r.column_name),
  );
  const decimalPattern = delimiter === ";" ? "-?\\d+([.,]\\d+)?" : "-?\\d+(\\.\\d+)?";
  const out: ExpectedColumn[] = [];
  for (const [position, name] of names.entries()) {
    const nonNull = `${source}_${position}`;
    try {
      out.push(await profileColumn(c, source, nonNull, name, decimalPattern));
    } finally {
      await c.run(`DROP TABLE IF EXISTS ${nonNull}`);
    }
  }
  return out;
}

/** One column: its trimmed non-null values in table `nonNull`, then its type and statistics. */
async function profileColumn(
  c: DuckDBConnection,
  source: string,
  nonNull: string,
  name: string,
  decimalPattern: string,
): Promise<ExpectedColumn> {
  {
    const values = `(SELECT trim(${quoteId(name)}, ' \t\r\n') AS x FROM ${source})`;
    await c.run(
      `CREATE TEMP TABLE ${nonNull} AS SELECT x FROM ${values} WHERE x IS NOT NULL AND x NOT IN ('', 'NULL', 'null', 'N/A')`,
    );
    const [counts] = await rows(
      c,
      `SELECT (SELECT count(*) FROM ${nonNull}) AS no_nulos,
        (SELECT count(*) FROM ${source}) - (SELECT count(*) FROM ${nonNull}) AS nulos`,
    );
    const no_nulos = Number(counts?.no_nulos);
    const nulos = Number(counts?.nulos);
    const every = async (condition: string) =>
      (await rows(c, `SELECT bool_and(${condition}) AS ok FROM ${nonNull}`))[0]?.ok === true;
    const isDate = `CASE WHEN regexp_full_match(x, '${DATE_FORM}') THEN try_strptime(x, ${DATE_FORMATS}) IS NOT NULL ELSE false END`;
    const isDateTime = `CASE WHEN regexp_full_match(x, '${DATETIME_FORM}') THEN try_strptime(left(x, 10), '%Y-%m-%d') IS NOT NULL ELSE ${isDate} END`;
    const tipo: ColumnType =
      no_nulos === 0
        ? "empty"
        : (await every("regexp_full_match(x, '-?\\d+')"))
          ? "integer"
          : (await every(`regexp_full_match(x, '${decimalPattern}')`))
            ? "decimal"
            : (await every(`lower(x) IN ${BOOLEAN_WORDS}`))
              ? "boolean"
              : (await every(isDate))
                ? "date"
                : (await every(isDateTime))
                  ? "datetime"
                  : "text";
    const base: ExpectedColumn = {
      nombre: name,
      tipo,
      no_nulos,
      nulos,
      unicos: 0,
      minimo: null,
      maximo: null,
      media: null,
      desviacion: null,
      p25: null,
      p50: null,
      p75: null,
      longitud_min: null,
      longitud_max: null,
      top: [],
    };
    if (tipo === "empty") return base;
    let typed: string;
    let text: string;
    if (tipo === "integer" || tipo === "decimal") {
      typed = `(SELECT CAST(replace(x, ',', '.') AS DOUBLE) AS v FROM ${nonNull})`;
      text = "v";
    } else if (tipo === "boolean") {
      typed = `(SELECT CASE WHEN lower(x) IN ${TRUE_WORDS} THEN 'true' ELSE 'false' END AS v FROM ${nonNull})`;
      text = "v";
    } else if (tipo === "date") {
      typed = `(SELECT CAST(try_strptime(x, ${DATE_FORMATS}) AS DATE) AS v FROM ${nonNull})`;
      text = "strftime(v, '%Y-%m-%d')";
    } else if (tipo === "datetime") {
      // The wall clock as written: the zone is dropped, never applied.
      const wall = `CASE WHEN length(x) <= 10 THEN CAST(try_strptime(x, ${DATE_FORMATS}) AS TIMESTAMP)
        ELSE CAST(regexp_replace(replace(replace(x, 'T', ' '), 't', ' '), '([Zz]|[+-]\\d{2}(:?\\d{2})?)$', '') AS TIMESTAMP) END`;
      typed = `(SELECT ${wall} AS v FROM ${nonNull})`;
      text =
        "CASE WHEN microsecond(v) % 1000000 = 0 THEN strftime(v, '%Y-%m-%d %H:%M:%S') ELSE strftime(v, '%Y-%m-%d %H:%M:%S.%g') END";
    } else {
      typed = `(SELECT x AS v FROM ${nonNull})`;
      text = "v";
    }
    const numeric = tipo === "integer" || tipo === "decimal";
    const [stats] = await rows(
      c,
      `SELECT count(DISTINCT v) AS unicos, ${numeric ? "min(v)" : `min(${text})`} AS minimo, ${numeric ? "max(v)" : `max(${text})`} AS maximo
        ${
          numeric
            ? `, avg(v) AS media, stddev_samp(v) AS desviacion, quantile_cont(v, 0.25) AS p25,
               quantile_cont(v, 0.5) AS p50, quantile_cont(v, 0.75) AS p75`
            : ""
        }
        ${tipo === "text" ? ", min(length(v)) AS lmin, max(length(v)) AS lmax" : ""}
        FROM ${typed}`,
    );
    const s = stats as Record<string, Json>;
    const top = await rows(
      c,
      `SELECT ${text} AS t, count(*) AS n FROM ${typed} GROUP BY v ORDER BY n DESC, v ASC LIMIT 5`,
    );
    return {
      ...base,
      unicos: Number(s.unicos),
      minimo: s.minimo === null ? null : String(s.minimo),
      maximo: s.maximo === null ? null : String(s.maximo),
      media: num(s.media),
      desviacion: num(s.desviacion),
      p25: num(s.p25),
      p50: num(s.p50),
      p75: num(s.p75),
      longitud_min: num(s.lmin),
      longitud_max: num(s.lmax),
      top: top.map((r) => [String(r.t), Number(r.n)]),
    };
  }
}

/** Rows DuckDB reads from the file (records, not lines). */
export async function duckRowCount(
  c: DuckDBConnection,
  path: string,
  delimiter = ",",
): Promise<number> {
  const [r] = await rows(c, `SELECT count(*) AS n FROM ${readCsvSql(path, delimiter)}`);
  return Number((r as Record<string, Json>).n);
}

export async function openDuck(): Promise<{ db: DuckDBInstance; c: DuckDBConnection }> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  // One thread: faster than several on a busy machine for these small tables.
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  return { db, c: await db.connect() };
}
