/**
 * The four input files as data: one source of truth for header matching, value parsing,
 * the database columns, duplicate keys and the generated documentation.
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
}

export type TableName = "productos" | "clientes" | "ventas" | "inventario";

export interface TableSpec {
  readonly name: TableName;
  readonly file: string;
  readonly columns: readonly ColumnSpec[];
  /** Columns whose values identify a row: the first row with a key is kept. */
  readonly key: readonly string[];
}

export const TABLES: readonly TableSpec[] = [
  {
    name: "productos",
    file: "productos.csv",
    columns: [
      { name: "producto_id", kind: "id" },
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
      { name: "cliente_id", kind: "id" },
      { name: "nombre", kind: "name" },
      { name: "ciudad", kind: "city", emptyAllowed: true },
    ],
    key: ["cliente_id"],
  },
  {
    name: "ventas",
    file: "ventas.csv",
    columns: [
      { name: "venta_id", kind: "id" },
      { name: "fecha", kind: "date" },
      { name: "producto_id", kind: "id" },
      { name: "cliente_id", kind: "id" },
      { name: "cantidad", kind: "integer" },
      { name: "precio_unitario", kind: "decimal", dbColumn: "precio_unitario_centavos" },
    ],
    key: ["venta_id"],
  },
  {
    name: "inventario",
    file: "inventario.csv",
    columns: [
      { name: "producto_id", kind: "id" },
      { name: "fecha", kind: "date" },
      { name: "stock", kind: "integer" },
    ],
    key: ["producto_id", "fecha"],
  },
];

export function tableSpec(name: TableName): TableSpec {
  const spec = TABLES.find((table) => table.name === name);
  if (!spec) throw new Error(`unknown table ${name}`);
  return spec;
}

export const dbColumnOf = (column: ColumnSpec): string => column.dbColumn ?? column.name;
