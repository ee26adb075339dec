import Sqlite from "better-sqlite3";
import { describe, expect, expectTypeOf, it } from "vitest";
import { DATA_DDL } from "../src/db/ddl.js";
import type { InventarioTable, ProductosTable, RowOf, VentasTable } from "../src/db/schema.js";
import { columnIndexes, dbColumnOf, nullable, TABLES } from "../src/etl/tables.js";

/** The column specs are the one source of the data tables' DDL and their kysely types. */
describe("the schema from the column specs", () => {
  it("creates each data table with exactly its specs' columns, types, nullability and key", () => {
    const db = new Sqlite(":memory:");
    db.exec(DATA_DDL);
    for (const spec of TABLES) {
      const info = db.pragma(`table_info(${spec.name})`) as {
        name: string;
        type: string;
        notnull: number;
        pk: number;
      }[];
      expect(info.map((c) => c.name)).toEqual(spec.columns.map(dbColumnOf));
      for (const [i, column] of spec.columns.entries()) {
        const stored = info[i] as (typeof info)[number];
        expect(stored.type).toBe(
          ["id", "integer", "decimal"].includes(column.kind) ? "INTEGER" : "TEXT",
        );
        const keyPosition = (spec.key as readonly string[]).indexOf(column.name) + 1;
        expect(stored.pk).toBe(keyPosition);
        // A lone INTEGER PRIMARY KEY is the rowid (never NULL, not flagged NOT NULL).
        if (keyPosition === 0 || spec.key.length > 1)
          expect(stored.notnull).toBe(nullable(column) ? 0 : 1);
      }
    }
    db.close();
  });

  it("derives the row types from the same specs", () => {
    expectTypeOf<ProductosTable>().toEqualTypeOf<{
      producto_id: number;
      nombre: string;
      categoria: string;
      precio_centavos: number | null;
    }>();
    expectTypeOf<VentasTable>().toEqualTypeOf<{
      venta_id: number;
      fecha: string;
      producto_id: number;
      cliente_id: number;
      cantidad: number;
      precio_unitario_centavos: number;
    }>();
    expectTypeOf<InventarioTable>().toEqualTypeOf<{
      producto_id: number;
      fecha: string;
      stock: number;
    }>();
    expectTypeOf<RowOf<"clientes">["ciudad"]>().toEqualTypeOf<string | null>();
  });

  it("names column positions instead of bare indexes", () => {
    const at = columnIndexes("ventas");
    expect(at).toEqual({
      venta_id: 0,
      fecha: 1,
      producto_id: 2,
      cliente_id: 3,
      cantidad: 4,
      precio_unitario: 5,
    });
    expectTypeOf(at).toEqualTypeOf<
      Record<
        "venta_id" | "fecha" | "producto_id" | "cliente_id" | "cantidad" | "precio_unitario",
        number
      >
    >();
  });
});
