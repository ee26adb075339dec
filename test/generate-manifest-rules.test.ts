import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conventionOf, readDecimal, readInteger } from "../src/generate/contract-numbers.js";
import { CsvFileWriter } from "../src/generate/file-writer.js";
import { NumberColumnLedger } from "../src/generate/number-ledger.js";
import { tempDir } from "./helpers/tmp.js";

/**
 * The generator's own reading of the contract (v1.1), from which the manifest predicts
 * what the ETL must do. Checked here against the contract's examples, not against the ETL.
 */
describe("the manifest's reading of the contract's numbers", () => {
  it("decimals: the contract's examples", () => {
    const value = (v: number, evidence: string | null) => ({ kind: "value", value: v, evidence });
    const dotGrouped = (thousands: number | null, decimalPoint: number | null) => ({
      kind: "dot_grouped",
      thousands,
      decimalPoint,
    });
    const cases: [string, unknown][] = [
      ["1,299.00", value(129900, "decimal_point")],
      ["1.299,00", value(129900, "thousands")],
      ["12,50", value(1250, "thousands")],
      ["12,5", value(1250, "thousands")],
      ["1,299", value(129900, "decimal_point")],
      ["12.5", value(1250, "decimal_point")],
      ["12.50", value(1250, "decimal_point")],
      ["12.5000", value(1250, "decimal_point")],
      ["1.000.000", value(100000000, "thousands")],
      ["$1.500", dotGrouped(150000, 150)],
      ["$12.000", dotGrouped(1200000, 1200)],
      ["1.299", dotGrouped(129900, null)], // 1.299 is not exact to the cent
      ["25.500", dotGrouped(2550000, 2550)],
      ["€-25,50", value(-2550, "thousands")],
      ["$-1.299", dotGrouped(-129900, null)],
      [" 249 ", value(24900, null)],
      ["0,123", { kind: "invalid" }],
      ["0.123.456", { kind: "invalid" }],
      ["12.5.3", { kind: "invalid" }],
      ["1,2345", { kind: "invalid" }],
      ["1.299.00,5", { kind: "invalid" }],
      ["-$5", { kind: "invalid" }],
      ["12 €", { kind: "invalid" }],
      [".50", { kind: "invalid" }],
      ["12.505", dotGrouped(1250500, null)],
      ["12.345", dotGrouped(1234500, null)],
      ["abc", { kind: "invalid" }],
      ["$", { kind: "invalid" }],
    ];
    for (const [text, expected] of cases) expect(readDecimal(text), text).toEqual(expected);
  });

  it("integers: .0 and .00 only, dot groups by convention, no leading zero group", () => {
    const cases: [string, unknown][] = [
      ["3", { kind: "value", value: 3, evidence: null }],
      ["-3", { kind: "value", value: -3, evidence: null }],
      ["2.0", { kind: "value", value: 2, evidence: "decimal_point" }],
      ["2.00", { kind: "value", value: 2, evidence: "decimal_point" }],
      ["1.000.000", { kind: "value", value: 1000000, evidence: "thousands" }],
      ["12.000", { kind: "dot_grouped", thousands: 12000, decimalPoint: null }],
      ["2.5", { kind: "invalid" }],
      ["2.50", { kind: "invalid" }],
      ["2.0000", { kind: "invalid" }],
      ["0.123.456", { kind: "invalid" }],
      ["3,0", { kind: "invalid" }],
      ["+3", { kind: "invalid" }],
      ["1e3", { kind: "invalid" }],
      ["--1", { kind: "invalid" }],
    ];
    for (const [text, expected] of cases) expect(readInteger(text), text).toEqual(expected);
  });

  it("a column's convention: thousands, decimal point, or none / both ways (ambiguous)", () => {
    expect(conventionOf({ thousands: true, decimalPoint: false })).toBe("thousands");
    expect(conventionOf({ thousands: false, decimalPoint: true })).toBe("decimal_point");
    expect(conventionOf({ thousands: true, decimalPoint: true })).toBe("both");
    expect(conventionOf({ thousands: false, decimalPoint: false })).toBe("none");
  });

  it("the ledger refuses a plan the written values contradict (a generator bug, not data)", () => {
    const thousands = new NumberColumnLedger(
      "ventas.csv",
      "precio_unitario",
      "decimal",
      "thousands",
    );
    thousands.clean("$1.299", 129900, true);
    thousands.clean("12,50", 1250, true);
    thousands.clean("12.50", 1250, true); // decimal-point evidence: now both ways
    expect(() => thousands.finish()).toThrow(/planned thousands.*both/);

    const ambiguous = new NumberColumnLedger("ventas.csv", "cantidad", "integer", "both");
    expect(() => ambiguous.clean("1.000", 1000, true)).toThrow(/dot-grouped/);
    expect(() => ambiguous.invalid("2.0")).toThrow(/invalid_number/);
    ambiguous.clean("2.0", 2, true);
    ambiguous.clean("1.000.000", 1000000, true);
    ambiguous.ambiguous("12.000");
    expect(ambiguous.finish()).toEqual({
      convention: "both",
      dot_grouped: 1,
      ambiguous: 1,
      loaded_sum: 1000002,
    });

    // Evidence only in rejected rows would make the prediction depend on whether they
    // count: refused.
    const rejected = new NumberColumnLedger("inventario.csv", "stock", "integer", "thousands");
    rejected.clean("12.000", 12000, true);
    rejected.other("1.000.000");
    expect(() => rejected.finish()).toThrow(/loaded rows alone: none/);
  });
});

describe("the manifest's reading of the contract's encodings", () => {
  const write = (
    options: ConstructorParameters<typeof CsvFileWriter>[1],
    lines: [string, boolean?][],
  ) => {
    const path = join(tempDir(), "f.csv");
    const w = new CsvFileWriter(path, options);
    for (const [text, windows1252] of lines) w.line(text, { windows1252 });
    w.close();
    return { facts: w.facts(), bytes: readFileSync(path) };
  };

  it("a UTF-8 file with a few Windows-1252 records stays UTF-8; those records are counted", () => {
    const { facts, bytes } = write({ encoding: "utf-8", bom: true }, [
      ["cliente_id;nombre;ciudad"],
      ["1;Ana;Bogotá"],
      ["2;Luis;Medellín", true],
      [""],
      ["3;Eva;Cali", true], // ASCII: nothing to recode
    ]);
    expect(facts).toEqual({ encoding: "utf-8", bom: true, recoded_records: 1 });
    expect(bytes.includes(Buffer.from("Medell\xedn", "latin1"))).toBe(true);
    expect(bytes.includes(Buffer.from("Bogotá", "utf8"))).toBe(true);
  });

  it("a Windows-1252 file is Windows-1252 as a whole, its BOM aside; € is 0x80", () => {
    const { facts, bytes } = write({ encoding: "windows-1252", bom: true }, [
      ["Nombre,Precio, Categoría "],
      ["Monitor,€249.00,Electrónicos"],
    ]);
    expect(facts).toEqual({ encoding: "windows-1252", bom: true, recoded_records: 0 });
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.includes(0x80)).toBe(true);
  });

  it("Windows-1252 bytes that happen to form a UTF-8 sequence make the file UTF-8", () => {
    // "Ã©" is C3 A9 in Windows-1252: a valid UTF-8 "é". The record with "ñ" alone is invalid.
    expect(write({ encoding: "windows-1252" }, [["a,Ã©"], ["b,ñ"]]).facts).toEqual({
      encoding: "utf-8",
      bom: false,
      recoded_records: 1,
    });
    expect(write({ encoding: "windows-1252" }, [["a,b"]]).facts.encoding).toBe("utf-8");
  });
});
