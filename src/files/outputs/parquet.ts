/**
 * The three Parquet outputs of a profile run (`../shared/contracts/files.md`, "What it
 * computes"): `NAME_resumen.parquet`, `NAME_columnas.parquet` and `NAME_muestra.parquet`,
 * written with hyparquet-writer against explicit schemas, so a file's types never depend on
 * its data (an all-null column keeps its type; an empty sample still has its columns).
 *
 * Types:
 * - Every count (`bytes`, `filas`, `columnas`, `posicion`, `no_nulos`, `longitud_min`…) is
 *   INT64, so no count can overflow and readers see one integer type throughout.
 * - `resumen.procesado_en` is TIMESTAMP(MILLIS, adjusted to UTC): an instant (DuckDB reads it
 *   as TIMESTAMP WITH TIME ZONE, pyarrow as timestamp[ms, tz=UTC]).
 * - A `datetime` sample column is TIMESTAMP(MILLIS, not adjusted to UTC): the wall-clock time
 *   as written in the CSV, whose zone is ignored (DuckDB: TIMESTAMP; pyarrow: timestamp[ms]).
 * - A `date` sample column is DATE (INT32 days); `integer` INT64; `decimal` DOUBLE; `boolean`
 *   BOOLEAN; `text` and `empty` UTF8.
 * - Strings are BYTE_ARRAY with both the UTF8 converted type and the STRING logical type.
 */

import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SchemaElement } from "hyparquet";
import { type ColumnSource, parquetWriteBuffer } from "hyparquet-writer";
import type { Columna, ColumnType, OutputName, OutputPaths, Profile, Resumen } from "../types.js";
import {
  isNullToken,
  parseBooleanText,
  parseDateText,
  parseDateTimeText,
  parseDecimalText,
  parseIntegerText,
} from "./values.js";

type Kind = "string" | "int64" | "double" | "boolean" | "date" | "timestamp" | "timestamp_utc";

interface Column {
  name: string;
  kind: Kind;
  nullable: boolean;
  values: unknown[];
}

function schemaElement({ name, kind, nullable }: Column): SchemaElement {
  const repetition_type = nullable ? "OPTIONAL" : "REQUIRED";
  switch (kind) {
    case "string":
      return {
        name,
        type: "BYTE_ARRAY",
        converted_type: "UTF8",
        logical_type: { type: "STRING" },
        repetition_type,
      };
    case "int64":
      return { name, type: "INT64", repetition_type };
    case "double":
      return { name, type: "DOUBLE", repetition_type };
    case "boolean":
      return { name, type: "BOOLEAN", repetition_type };
    case "date":
      return {
        name,
        type: "INT32",
        converted_type: "DATE",
        logical_type: { type: "DATE" },
        repetition_type,
      };
    case "timestamp_utc":
      return {
        name,
        type: "INT64",
        converted_type: "TIMESTAMP_MILLIS",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
        repetition_type,
      };
    case "timestamp":
      // No converted type: TIMESTAMP_MILLIS would mean "adjusted to UTC" to older readers.
      return {
        name,
        type: "INT64",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MILLIS" },
        repetition_type,
      };
  }
}

/** The Parquet bytes of a table with these columns (all of the same length). */
function encode(columns: Column[]): ArrayBuffer {
  const schema: SchemaElement[] = [
    { name: "root", num_children: columns.length },
    ...columns.map(schemaElement),
  ];
  const columnData: ColumnSource[] = columns.map((column) => ({
    name: column.name,
    data: column.values as ColumnSource["data"],
  }));
  return parquetWriteBuffer({
    columnData,
    schema,
    // One row group: these tables are small (a sample of 1,000 rows at most).
    rowGroupSize: Number.MAX_SAFE_INTEGER,
    createdBy: "empresa-etl files (hyparquet-writer)",
  });
}

/** A column of `resumen` or `columnas`: a field of the shared shape, its Parquet kind. */
type Field<T> = readonly [name: keyof T & string, kind: Kind, nullable: boolean];

/** `NAME_resumen.parquet`'s columns, in the contract's order. */
const RESUMEN_FIELDS: readonly Field<Resumen>[] = [
  ["archivo", "string", false],
  ["bytes", "int64", false],
  ["encoding", "string", false],
  ["delimitador", "string", false],
  ["filas", "int64", false],
  ["columnas", "int64", false],
  ["filas_malformadas", "int64", false],
  ["memoria_estimada_bytes", "int64", false],
  ["duracion_s", "double", false],
  ["procesado_en", "timestamp_utc", false],
];

/** `NAME_columnas.parquet`'s columns, in the contract's order. */
const COLUMNAS_FIELDS: readonly Field<Columna>[] = [
  ["posicion", "int64", false],
  ["nombre", "string", false],
  ["tipo", "string", false],
  ["no_nulos", "int64", false],
  ["nulos", "int64", false],
  ["unicos", "int64", false],
  ["unicos_aproximado", "boolean", false],
  ["minimo", "string", true],
  ["maximo", "string", true],
  ["media", "double", true],
  ["desviacion", "double", true],
  ["p25", "double", true],
  ["p50", "double", true],
  ["p75", "double", true],
  ["longitud_min", "int64", true],
  ["longitud_max", "int64", true],
  ["top_valores", "string", false],
];

/**
 * A profile field's value as the writer takes it; a TypeError for a value the column cannot
 * hold (a missing required value, a count that is not a finite number, a bad ISO instant).
 */
function cell(value: unknown, kind: Kind, nullable: boolean, field: string): unknown {
  if (value === null || value === undefined) {
    if (nullable) return null;
    throw new TypeError(`${field}: missing value`);
  }
  switch (kind) {
    case "int64":
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new TypeError(`${field}: not a finite number: ${String(value)}`);
      }
      return BigInt(Math.round(value));
    case "timestamp_utc": {
      const ms = Date.parse(String(value));
      if (Number.isNaN(ms)) throw new TypeError(`${field}: not an ISO date-time: ${String(value)}`);
      return BigInt(ms);
    }
    default:
      return value;
  }
}

function tableColumns<T>(records: readonly T[], fields: readonly Field<T>[]): Column[] {
  return fields.map(([name, kind, nullable]) => ({
    name,
    kind,
    nullable,
    values: records.map((record) => cell(record[name], kind, nullable, name)),
  }));
}

const resumenColumns = (profile: Profile) => tableColumns([profile.resumen], RESUMEN_FIELDS);
const columnasColumns = (profile: Profile) => tableColumns(profile.columnas, COLUMNAS_FIELDS);

/**
 * The sample's Parquet column names: the CSV header names made unique, as DuckDB's CSV
 * reader does (suffix `_N`), since readers need distinct names and DuckDB compares them
 * case-insensitively. An empty (or blank) name becomes `columna_N` (N its 1-based
 * position). A name equal (ignoring case) to an earlier column's becomes `name_K`, with the
 * smallest K ≥ 1 that is neither a name already given nor any column's own name, so names
 * that are unique in the header are always kept: `[id, id, ID, ""]` →
 * `[id, id_1, ID_2, columna_4]`; `[a, a, a_1]` → `[a, a_2, a_1]`.
 */
export function uniqueColumnNames(names: readonly string[]): string[] {
  const wanted = names.map((name, i) => (name.trim() === "" ? `columna_${i + 1}` : name));
  // Every column's own name is reserved, so a later `x_1` in the header keeps its name.
  const reserved = new Set(wanted.map((name) => name.toLowerCase()));
  const taken = new Set<string>();
  return wanted.map((name) => {
    let unique = name;
    if (taken.has(name.toLowerCase())) {
      const free = (candidate: string) =>
        !reserved.has(candidate.toLowerCase()) && !taken.has(candidate.toLowerCase());
      let k = 1;
      while (!free(`${name}_${k}`)) k++;
      unique = `${name}_${k}`;
    }
    taken.add(unique.toLowerCase());
    return unique;
  });
}

const SAMPLE_KINDS: Record<ColumnType, Kind> = {
  integer: "int64",
  decimal: "double",
  boolean: "boolean",
  date: "date",
  datetime: "timestamp",
  text: "string",
  empty: "string",
};

/**
 * A sample cell typed by its column's type (the parsers of `values.ts`); null when it is a
 * null token, missing (a short row) or does not fit. Text is kept as written, untrimmed.
 */
function sampleValue(text: string | null | undefined, type: ColumnType, decimalComma: boolean) {
  if (text === null || text === undefined || isNullToken(text)) return null;
  switch (type) {
    case "integer":
      return parseIntegerText(text);
    case "decimal":
      return parseDecimalText(text, decimalComma);
    case "boolean":
      return parseBooleanText(text);
    case "date":
      return parseDateText(text);
    case "datetime": {
      const ms = parseDateTimeText(text);
      return ms === null ? null : BigInt(ms);
    }
    case "text":
      return text;
    case "empty":
      return null;
  }
}

function muestraColumns(profile: Profile): Column[] {
  const decimalComma = profile.resumen.delimitador === ";";
  const names = uniqueColumnNames(profile.columnas.map((c) => c.nombre));
  const rows = profile.muestra.rows;
  return profile.columnas.map((c, i) => ({
    name: names[i] as string,
    kind: SAMPLE_KINDS[c.tipo],
    nullable: true,
    values: rows.map((row) => sampleValue(row[i], c.tipo, decimalComma)),
  }));
}

const OUTPUTS: readonly [OutputName, (profile: Profile) => Column[]][] = [
  ["resumen", resumenColumns],
  ["columnas", columnasColumns],
  ["muestra", muestraColumns],
];

const SAFE_BASE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Writes `dir/NAME_resumen.parquet`, `dir/NAME_columnas.parquet` and
 * `dir/NAME_muestra.parquet` for a profile (`dir` must exist) and returns their paths. Each
 * file is written under a temporary name in `dir` and renamed into place, so a reader never
 * sees a partial file; on any failure every file this call wrote (temporary or in place) is
 * removed and the error rethrown.
 *
 * @param baseName NAME, as `outputBaseName` makes it (`[A-Za-z0-9_-]+`, else a TypeError).
 * @example
 * const paths = await writeOutputs(profile, "resultados/job1", outputBaseName("ventas.csv"));
 * // paths.resumen === "resultados/job1/ventas_resumen.parquet"
 */
export async function writeOutputs(
  profile: Profile,
  dir: string,
  baseName: string,
): Promise<OutputPaths> {
  if (!SAFE_BASE_NAME.test(baseName)) {
    throw new TypeError(`output base name must match [A-Za-z0-9_-]+: ${JSON.stringify(baseName)}`);
  }
  const paths = {} as OutputPaths;
  const written: string[] = [];
  try {
    for (const [output, columns] of OUTPUTS) {
      const bytes = new Uint8Array(encode(columns(profile)));
      const path = join(dir, `${baseName}_${output}.parquet`);
      const temp = join(dir, `.${baseName}_${output}.${randomBytes(6).toString("hex")}.tmp`);
      written.push(temp);
      await writeFile(temp, bytes, { flag: "wx" });
      await rename(temp, path);
      written.push(path);
      paths[output] = path;
    }
    return paths;
  } catch (error) {
    await Promise.all(written.map((file) => rm(file, { force: true }).catch(() => {})));
    throw error;
  }
}
