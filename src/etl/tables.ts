/**
 * The four input files and their tables as data: the one source of truth for header
 * matching, value parsing, duplicate keys, the tables' DDL (src/db/ddl.ts) and their
 * kysely row types (src/db/schema.ts), and the generated documentation.
 */

/** How a column's text is normalized (contract section 2). */
export type ColumnKind = "id" | "date" | "integer" | "decimal" | "name" | "category" | "city";

export interface ColumnSpec {
  /** Header name after normalizing (trimmed, lower case, no accents). */
  readonly name: string;
  readonly kind: ColumnKind;
  /** The column may be absent from the file (its values are then NULL). */
  readonly optional?: boolean;
  /** An empty value is allowed (stored as NULL); otherwise it is `missing_value`. */
  readonly emptyAllowed?: boolean;
  /** The database column, when it differs from `name` (money is stored in cents). */
  readonly dbColumn?: string;
  /** A SQL condition on the column, for its CHECK constraint (`>= 1`). */
  readonly check?: string;
  /** The table whose key this column names (a declared, unenforced foreign key). */
  readonly references?: TableName;
}

export type TableName = "productos" | "clientes" | "ventas" | "inventario";

export interface TableSpec {
  readonly name: TableName;
  readonly file: string;
  readonly columns: readonly ColumnSpec[];
  /** Columns whose values identify a row: the first row with a key is kept. */
  readonly key: readonly string[];
}

export const TABLES = [
  {
    name: "productos",
    file: "productos.csv",
    columns: [
      { name: "producto_id", kind: "id", check: ">= 1" },
      { name: "nombre", kind: "name" },
      { name: "categoria", kind: "category" },
      {
        name: "precio",
        kind: "decimal",
        optional: true,
        emptyAllowed: true,
        dbColumn: "precio_centavos",
      },
    ],
    key: ["producto_id"],
  },
  {
    name: "clientes",
    file: "clientes.csv",
    columns: [
      { name: "cliente_id", kind: "id", check: ">= 1" },
      { name: "nombre", kind: "name" },
      { name: "ciudad", kind: "city", emptyAllowed: true },
    ],
    key: ["cliente_id"],
  },
  {
    name: "ventas",
    file: "ventas.csv",
    columns: [
      { name: "venta_id", kind: "id", check: ">= 1" },
      { name: "fecha", kind: "date" },
      { name: "producto_id", kind: "id", references: "productos" },
      { name: "cliente_id", kind: "id", references: "clientes" },
      { name: "cantidad", kind: "integer" },
      { name: "precio_unitario", kind: "decimal", dbColumn: "precio_unitario_centavos" },
    ],
    key: ["venta_id"],
  },
  {
    name: "inventario",
    file: "inventario.csv",
    columns: [
      { name: "producto_id", kind: "id", references: "productos" },
      { name: "fecha", kind: "date" },
      { name: "stock", kind: "integer" },
    ],
    key: ["producto_id", "fecha"],
  },
] as const satisfies readonly TableSpec[];

export function tableSpec(name: TableName): TableSpec {
  const spec = TABLES.find((table) => table.name === name);
  if (!spec) throw new Error(`unknown table ${name}`);
  return spec;
}

export const dbColumnOf = (column: ColumnSpec): string => column.dbColumn ?? column.name;

/** A column is NULL-able when it may be absent from its file or empty. */
export const nullable = (column: ColumnSpec): boolean =>
  column.optional === true || column.emptyAllowed === true;

/**
 * The position of each named column in a table's rows (spec order), so code that reads a
 * row says `values[at.categoria]`, never a bare index that a reordered spec would break.
 *
 * @example
 * const at = columnIndexes("ventas");
 * values[at.cantidad]; // the quantity of a ventas row
 */
export function columnIndexes<N extends TableName>(
  name: N,
): Record<Extract<(typeof TABLES)[number], { name: N }>["columns"][number]["name"], number> {
  const spec = tableSpec(name);
  return Object.fromEntries(spec.columns.map((column, index) => [column.name, index])) as never;
}
