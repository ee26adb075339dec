import type { Generated } from "kysely";
import type { TABLES, TableName } from "../etl/tables.js";

/**
 * The typed description of `empresa.db` for kysely. Domain tables and columns keep their
 * Spanish names (they are part of the contract); the bookkeeping tables are English.
 * Money is stored as integer cents (`*_centavos`); the view exposes decimal amounts.
 */
export interface Database {
  productos: ProductosTable;
  clientes: ClientesTable;
  ventas: VentasTable;
  inventario: InventarioTable;
  ventas_enriquecidas: VentasEnriquecidasView;
  ventas_resumen_diario: VentasResumenDiarioTable;
  etl_runs: EtlRunsTable;
  etl_run_files: EtlRunFilesTable;
  rejected_rows: RejectedRowsTable;
  validation_runs: ValidationRunsTable;
  validation_results: ValidationResultsTable;
}

/** The spec of one data table (src/etl/tables.ts), by name. */
type SpecOf<N extends TableName> = Extract<(typeof TABLES)[number], { name: N }>;
type ColumnOf<N extends TableName> = SpecOf<N>["columns"][number];

/** The stored column name: `dbColumn` when the spec gives one, else `name`. */
type StoredName<C> = C extends { dbColumn: infer D extends string }
  ? D
  : C extends { name: infer N extends string }
    ? N
    : never;

/** IDs, integers and money (cents) are numbers; dates (`YYYY-MM-DD`) and text are strings. */
type StoredType<C> = C extends { kind: "id" | "integer" | "decimal" } ? number : string;
type NullOf<C> = C extends { optional: true } | { emptyAllowed: true } ? null : never;

/**
 * The row type of a data table, derived from its column specs: the same specs generate the
 * table's DDL, so the types, the schema and the parsing cannot drift apart.
 */
export type RowOf<N extends TableName> = {
  [C in ColumnOf<N> as StoredName<C>]: StoredType<C> | NullOf<C>;
};

export type ProductosTable = RowOf<"productos">;
export type ClientesTable = RowOf<"clientes">;
export type VentasTable = RowOf<"ventas">;
export type InventarioTable = RowOf<"inventario">;

/** The contract's read view (section 4). */
export interface VentasEnriquecidasView {
  venta_id: number;
  fecha: string;
  producto_id: number;
  cliente_id: number;
  cantidad: number;
  precio_unitario: number;
  importe: number;
  /** NULL for a sale of an unknown product. */
  categoria: string | null;
  /** `ciudad_desconocida` when the client is unknown or has no city. */
  ciudad: string;
}

/** Sales summed per day, category and city; rebuilt by every ETL run for fast reads. */
export interface VentasResumenDiarioTable {
  fecha: string;
  categoria: string | null;
  ciudad: string;
  ventas: number;
  unidades: number;
  importe_centavos: number;
}

export interface EtlRunsTable {
  run_id: string;
  started_at: string;
  finished_at: string;
  data_dir: string;
}

export interface EtlRunFilesTable {
  run_id: string;
  table_name: string;
  file: string;
  sha256: string;
  bytes: number;
  encoding: string;
  delimiter: string;
  rows_read: number;
  rows_loaded: number;
  rows_rejected: number;
  /** JSON object: reason code → count. */
  reasons: string;
  started_at: string;
  finished_at: string;
  /** Records read as Windows-1252 in a UTF-8 file (contract v1.1); 0 in older runs. */
  recoded_records: Generated<number>;
}

export interface RejectedRowsTable {
  id: Generated<number>;
  run_id: string;
  file: string;
  line: number;
  reason: string;
  column_name: string | null;
  raw_text: string;
}

export interface ValidationRunsTable {
  run_id: string;
  as_of: string;
  started_at: string;
  finished_at: string;
  /** ok | warning | attention | critical */
  status: string;
  etl_run_id: string | null;
}

export interface ValidationResultsTable {
  run_id: string;
  rule: string;
  severity: string;
  /** 1 or 0 */
  passed: number;
  affected: number;
  distinct_count: number | null;
  /** JSON array of {key, value} */
  sample: string;
  message: string;
  /** new | persisting | resolved | passing */
  state: string;
}
