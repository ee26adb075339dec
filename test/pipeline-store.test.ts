import { describe, expect, it } from "vitest";
import { DatasetStore, describeValue, previewValue } from "../src/pipeline/store.js";

/** Shaped like an Apache Arrow Table: numRows, schema.fields, slice().toArray() of rows with toJSON. */
function arrowLike(rows: Record<string, unknown>[]) {
  const table = {
    numRows: rows.length,
    schema: { fields: Object.keys(rows[0] ?? {}).map((name) => ({ name })) },
    slice: (begin: number, end: number) => ({
      toArray: () => rows.slice(begin, end).map((row) => ({ toJSON: () => ({ ...row }) })),
    }),
  };
  return table;
}

describe("what the memory shows of a dataset", () => {
  it("arrays of objects and Arrow-like tables are tables, with rows, columns and a size", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, nombre: `cliente ${i}` }));
    const described = describeValue(rows);
    expect(described).toMatchObject({ type: "table", rows: 1000, columns: ["id", "nombre"] });
    const exact = Buffer.byteLength(JSON.stringify(rows));
    expect(described.bytes).toBeGreaterThan(exact * 0.8);
    expect(described.bytes).toBeLessThan(exact * 1.2);
    expect(describeValue(arrowLike(rows))).toMatchObject({
      type: "table",
      rows: 1000,
      columns: ["id", "nombre"],
    });
    expect(previewValue(arrowLike(rows), 2)).toEqual([
      { id: 0, nombre: "cliente 0" },
      { id: 1, nombre: "cliente 1" },
    ]);
    expect(describeValue([])).toMatchObject({ type: "table", rows: 0, columns: [] });
  });

  it("anything else by its type name", () => {
    expect(describeValue(42)).toEqual({ type: "number", rows: null, columns: null, bytes: 2 });
    expect(describeValue("hola")).toMatchObject({ type: "string", bytes: 4 });
    expect(describeValue(null)).toMatchObject({ type: "null" });
    expect(describeValue([1, 2, 3])).toMatchObject({ type: "array", rows: 3 });
    expect(describeValue(new Map([["a", 1]]))).toMatchObject({ type: "Map", rows: 1 });
    expect(describeValue(new Set([1, 2]))).toMatchObject({ type: "Set", rows: 2 });
    expect(describeValue({ a: 1 })).toMatchObject({ type: "object", rows: null });
    expect(describeValue(new Uint8Array(10))).toMatchObject({ type: "Uint8Array", bytes: 10 });
    class Informe {
      total = 1;
    }
    expect(describeValue(new Informe())).toMatchObject({ type: "Informe" });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(describeValue(cycle)).toMatchObject({ type: "object", bytes: 0 });
  });

  it("previews are JSON-safe: bigints as text, dates as ISO, long text cut", () => {
    const preview = previewValue(
      [{ n: 10n, when: new Date("2025-01-02T00:00:00Z"), text: "x".repeat(2000) }],
      5,
    );
    expect(JSON.parse(JSON.stringify(preview))).toEqual([
      { n: "10", when: "2025-01-02T00:00:00.000Z", text: `${"x".repeat(1000)}…` },
    ]);
    expect(previewValue(new Map([["k", 1]]), 5)).toEqual([{ key: "k", value: 1 }]);
    expect(previewValue({ total: 3 }, 5)).toEqual([{ total: 3 }]);
  });

  it("the store keeps values by name with their producer and run", () => {
    const store = new DatasetStore();
    store.set("ventas", [{ id: 1 }], "ventas", "run-1");
    store.set("total", 5, "total", "run-1");
    expect(store.list().map((d) => [d.name, d.producer, d.run_id, d.type, d.rows])).toEqual([
      ["total", "total", "run-1", "number", null],
      ["ventas", "ventas", "run-1", "table", 1],
    ]);
    expect(store.preview("ventas", 1)).toEqual([{ id: 1 }]);
    expect(store.clear()).toEqual(["ventas", "total"]);
    expect(store.list()).toEqual([]);
  });
});
