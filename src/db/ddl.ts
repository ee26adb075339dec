/**
 * The SQL that creates `empresa.db`. `PRAGMA application_id` marks the file as ours, and
 * `PRAGMA user_version` is the schema version, so a run never writes into another
 * application's database and knows when to rebuild an older layout.
 */
import {
  type ColumnKind,
  type ColumnSpec,
  dbColumnOf,
  nullable,
  TABLES,
  type TableSpec,
} from "../etl/tables.js";

export const APPLICATION_ID = 0x454d5052; // "EMPR"
export const SCHEMA_VERSION = 1;

const DATE_CHECK = "GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'";

/** The SQL type each kind of column is stored as (money and IDs as integers, dates as text). */
const SQL_TYPE: Record<ColumnKind, "INTEGER" | "TEXT"> = {
  id: "INTEGER",
  date: "TEXT",
  integer: "INTEGER",
  decimal: "INTEGER",
  name: "TEXT",
  category: "TEXT",
  city: "TEXT",
};

/** One column's definition, from its spec. */
function columnDdl(table: TableSpec, column: ColumnSpec, width: number): string {
  const name = dbColumnOf(column);
  const parts = [name.padEnd(width), SQL_TYPE[column.kind]];
  const soleKey = table.key.length === 1 && table.key[0] === column.name;
  if (soleKey) parts.push("PRIMARY KEY");
  else if (!nullable(column)) parts.push("NOT NULL");
  if (column.references) parts.push(`REFERENCES ${column.references} (${column.name})`);
  if (column.check) parts.push(`CHECK (${name} ${column.check})`);
  if (column.kind === "date") parts.push(`CHECK (${name} ${DATE_CHECK})`);
  return parts.join(" ");
}

/**
 * `CREATE TABLE` of a data table, generated from its column specs (src/etl/tables.ts): an
 * INTEGER PRIMARY KEY for a one-column key, a WITHOUT ROWID table for a composite one.
 */
export function tableDdl(table: TableSpec): string {
  const width = Math.max(...table.columns.map((column) => dbColumnOf(column).length));
  const lines = table.columns.map((column) => `  ${columnDdl(table, column, width)}`);
  const composite = table.key.length > 1;
  if (composite) lines.push(`  PRIMARY KEY (${table.key.join(", ")})`);
  return `CREATE TABLE ${table.name} (\n${lines.join(",\n")}\n) STRICT${composite ? ", WITHOUT ROWID" : ""};`;
}

/** Tables and views that hold the loaded data; a run replaces their content as a whole. */
export const DATA_DDL = `
${TABLES.map(tableDdl).join("\n\n")}

CREATE TABLE ventas_resumen_diario (
  fecha            TEXT NOT NULL,
  categoria        TEXT,
  ciudad           TEXT NOT NULL,
  ventas           INTEGER NOT NULL,
  unidades         INTEGER NOT NULL,
  importe_centavos INTEGER NOT NULL
) STRICT;

CREATE VIEW ventas_enriquecidas AS
SELECT v.venta_id,
       v.fecha,
       v.producto_id,
       v.cliente_id,
       v.cantidad,
       v.precio_unitario_centavos / 100.0 AS precio_unitario,
       (v.cantidad * v.precio_unitario_centavos) / 100.0 AS importe,
       p.categoria,
       COALESCE(c.ciudad, 'ciudad_desconocida') AS ciudad
FROM ventas v
LEFT JOIN productos p ON p.producto_id = v.producto_id
LEFT JOIN clientes c ON c.cliente_id = v.cliente_id;
`;

/**
 * Indexes on the data tables. The validations' foreign-key checks read the two full
 * indexes instead of the table; the partial indexes hold only the anomalous sales
 * (usually none), and the rules that look for those sales read almost nothing. A query
 * uses a partial index when its WHERE clause repeats the index's condition.
 *
 * The partial indexes are created before the bulk load (`LOAD_INDEX_DDL`): keeping them
 * costs one comparison per row, where creating them afterwards costs a scan of the whole
 * table each. The full ones are created after the rows are in (`INDEX_DDL`: one sort,
 * much faster than keeping them up to date row by row).
 */
export const LOAD_INDEX_DDL = `
CREATE INDEX ventas_cantidad_no_positiva ON ventas (cantidad) WHERE cantidad <= 0;
CREATE INDEX ventas_precio_negativo ON ventas (precio_unitario_centavos) WHERE precio_unitario_centavos < 0;
CREATE INDEX inventario_stock_negativo ON inventario (stock) WHERE stock < 0;
`;

export const INDEX_DDL = `
CREATE INDEX ventas_producto ON ventas (producto_id);
CREATE INDEX ventas_cliente ON ventas (cliente_id);
-- The API's summary (src/api/sales-store.ts summarySql): one covering seek per category.
CREATE INDEX ventas_resumen_categoria ON ventas_resumen_diario (categoria, fecha, unidades);
CREATE INDEX ventas_resumen_ciudad ON ventas_resumen_diario (ciudad, categoria, fecha, unidades);
`;

/** Bookkeeping that outlives a run: the run history and the rows the last run rejected. */
export const HISTORY_DDL = `
CREATE TABLE IF NOT EXISTS etl_runs (
  run_id      TEXT PRIMARY KEY,
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  data_dir    TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS etl_run_files (
  run_id        TEXT NOT NULL REFERENCES etl_runs (run_id),
  table_name    TEXT NOT NULL,
  file          TEXT NOT NULL,
  sha256        TEXT NOT NULL,
  bytes         INTEGER NOT NULL,
  encoding      TEXT NOT NULL,
  delimiter     TEXT NOT NULL,
  rows_read     INTEGER NOT NULL,
  rows_loaded   INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  reasons       TEXT NOT NULL,
  started_at    TEXT NOT NULL,
  finished_at   TEXT NOT NULL,
  recoded_records INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, table_name)
) STRICT;

CREATE TABLE IF NOT EXISTS validation_runs (
  run_id      TEXT PRIMARY KEY,
  as_of       TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  status      TEXT NOT NULL,
  etl_run_id  TEXT
) STRICT;

CREATE TABLE IF NOT EXISTS validation_results (
  run_id         TEXT NOT NULL REFERENCES validation_runs (run_id),
  rule           TEXT NOT NULL,
  severity       TEXT NOT NULL,
  passed         INTEGER NOT NULL,
  affected       INTEGER NOT NULL,
  distinct_count INTEGER,
  sample         TEXT NOT NULL,
  message        TEXT NOT NULL,
  state          TEXT NOT NULL,
  PRIMARY KEY (run_id, rule)
) STRICT;

CREATE TABLE IF NOT EXISTS rejected_rows (
  id          INTEGER PRIMARY KEY,
  run_id      TEXT NOT NULL,
  file        TEXT NOT NULL,
  line        INTEGER NOT NULL,
  reason      TEXT NOT NULL,
  column_name TEXT,
  raw_text    TEXT NOT NULL
) STRICT;
`;

/**
 * Columns added to the history tables after their first release: a database created
 * before gets them (with their default) on its next load, since `CREATE TABLE IF NOT
 * EXISTS` leaves an existing table as it is. Append only; never reorder.
 */
export const HISTORY_ADDED_COLUMNS: readonly { table: string; column: string; ddl: string }[] = [
  {
    table: "etl_run_files",
    column: "recoded_records",
    ddl: "recoded_records INTEGER NOT NULL DEFAULT 0",
  },
];

/** The data objects, in the order to drop them. */
export const DATA_OBJECTS: readonly { type: "table" | "view"; name: string }[] = [
  { type: "view", name: "ventas_enriquecidas" },
  { type: "table", name: "ventas_resumen_diario" },
  { type: "table", name: "inventario" },
  { type: "table", name: "ventas" },
  { type: "table", name: "clientes" },
  { type: "table", name: "productos" },
];
