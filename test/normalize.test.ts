import { describe, expect, it } from "vitest";
import { normalizeDate } from "../src/etl/normalize/date.js";
import { normalizeId } from "../src/etl/normalize/id.js";
import {
  DECIMAL_POINT_EVIDENCE as D,
  normalizeCents,
  normalizeInteger,
  THOUSANDS_EVIDENCE as T,
} from "../src/etl/normalize/number.js";
import { NumberColumn } from "../src/etl/normalize/number-column.js";
import { AMBIGUOUS, INVALID } from "../src/etl/normalize/result.js";
import {
  normalizeCategory,
  normalizeCity,
  normalizeHeader,
  normalizeName,
} from "../src/etl/normalize/text.js";

const X = INVALID;
const A = AMBIGUOUS;

describe("normalizeId", () => {
  it.each([
    ["prod001", 1],
    ["PROD-007", 7],
    ["C_12", 12],
    ["V019", 19],
    ["15", 15],
    [" prod 3 ", 3],
    ["p_0010", 10],
    ["ABCdef-99", 99],
    ["-5", 5], // the contract's grammar: no letters, separator "-", digits
    ["prod000", X],
    ["0", X],
    ["", X],
    ["prod", X],
    ["prod-", X],
    ["prod--3", X],
    ["12a", X],
    ["#12", X],
    ["pród1", X],
    ["prod 1 2", X],
    ["1.0", X],
    ["99999999999999999999", X],
  ])("%j → %j", (text, expected) => {
    expect(normalizeId(text)).toBe(expected);
  });
});

describe("normalizeDate", () => {
  it.each([
    ["2024-03-05", "2024-03-05"],
    ["2024/03/05", "2024-03-05"],
    ["2024.03.05", "2024-03-05"],
    ["20240305", "2024-03-05"],
    ["05/03/2024", "2024-03-05"],
    ["05-03-2024", "2024-03-05"],
    ["05.03.2024", "2024-03-05"],
    [" 2024-03-05 ", "2024-03-05"],
    ["2024-03-05T10:20", "2024-03-05"],
    ["2024-03-05 10:20", "2024-03-05"],
    ["2024-03-05T10:20:30", "2024-03-05"],
    ["2024-03-05T10:20:30.123", "2024-03-05"],
    ["2024-03-05T10:20:30Z", "2024-03-05"],
    ["2024-03-05T23:30:00-05:00", "2024-03-05"], // calendar date as written, no shift
    ["2024-03-05T00:30:00+0900", "2024-03-05"],
    ["2024-03-05 10:20:30.5+02", "2024-03-05"],
    ["2024-02-29", "2024-02-29"],
    ["2000-02-29", "2000-02-29"],
    ["31/12/1999", "1999-12-31"],
    ["2024-02-30", X],
    ["1900-02-29", X],
    ["2023-02-29", X],
    ["13/13/2024", X],
    ["31/04/2024", X],
    ["2024-13-01", X],
    ["2024-00-10", X],
    ["0000-01-01", X],
    ["24-01-05", X],
    ["05/01/24", X],
    ["2024-1-5", X],
    ["5/1/2024", X],
    ["2024-03/05", X],
    ["2024/03/05T10:20", X], // a time only after the dash form
    ["2024-03-05T25:00", X],
    ["2024-03-05T10:60", X],
    ["2024-03-05T10", X],
    ["2024-03-05T10:20Q", X],
    ["2024-03-05x", X],
    ["March 5, 2024", X],
    ["ayer", X],
    ["", X],
  ])("%j → %j", (text, expected) => {
    expect(normalizeDate(text)).toBe(expected);
  });
});

describe("normalizeInteger", () => {
  it.each([
    ["3", 3],
    ["-3", -3],
    [" 42 ", 42],
    ["2.0", 2],
    ["2.00", 2],
    ["007", 7],
    ["-0", 0],
    ["0", 0],
    ["1.000.000", 1000000],
    ["-12.345.678", -12345678],
    ["1.000", A], // dot-grouped: the column's convention decides
    ["-2.500", A],
    ["2.000", A], // was 2
    ["2.0000", X], // was 2: only .0 and .00
    ["2.000000", X],
    ["0.000", X], // cannot be thousands (a group never starts with a zero), three decimals
    ["1234.000", X],
    ["0.123.456", X],
    ["1.00.000", X],
    ["1234.567.890", X],
    ["2.5", X],
    ["2.50", X],
    ["2.", X],
    [".0", X],
    ["+3", X],
    ["1e3", X],
    ["3,0", X],
    ["1,000", X],
    ["dos", X],
    ["--1", X],
    ["-", X],
    ["", X],
    ["1 000", X],
  ])("%j → %j", (text, expected) => {
    expect(normalizeInteger(text)).toBe(expected);
  });

  it.each([
    ["1.000", "thousands", 1000],
    ["-2.500", "thousands", -2500],
    ["1.000", "decimal", X], // three decimals: not an integer's
    ["2.0", "thousands", 2],
    ["1.000.000", "decimal", 1000000],
  ] as const)("%j read with %s → %j", (text, reading, expected) => {
    expect(normalizeInteger(text, reading)).toBe(expected);
  });
});

describe("normalizeCents", () => {
  it.each([
    ["1299", 129900],
    ["1299.00", 129900],
    ["1,299.00", 129900],
    ["1.299,00", 129900],
    ["$1,299.00", 129900],
    ["€1.299,00", 129900],
    ["12,50", 1250],
    ["12,5", 1250],
    ["0,12", 12],
    ["1,299", 129900],
    ["1,299,000", 129900000],
    ["1.299.000", 129900000],
    ["12.5", 1250],
    ["12.50", 1250],
    ["12.5000", 1250],
    ["0.01", 1],
    ["0.500", 50], // cannot be thousands: a decimal
    ["01.500", 150],
    ["1299.000", 129900], // a first group of four digits: not thousands
    ["-12.50", -1250],
    ["+12.50", 1250],
    ["$-5.00", -500],
    ["€-1.299,50", -129950],
    ["1,234,567.89", 123456789],
    ["1.234.567,89", 123456789],
    [" $12.50 ", 1250],
    ["1.500", A], // dot-grouped: the column's convention decides
    ["$12.000", A],
    ["-1.299", A],
    ["12.500", A], // was 12.50
    ["1.299.00,5", X],
    ["0,123", X], // a group never starts a number with a zero (was 123.00)
    ["00,123", X],
    ["0.123.456", X],
    ["0,123.45", X],
    ["12.3456", X],
    ["1,2345", X],
    ["1,23,456", X],
    ["12.5.3", X],
    ["1,299.00.00", X],
    ["12,", X],
    ["12.", X],
    [".50", X],
    [",50", X],
    ["$", X],
    ["-$5", X],
    ["12 €", X],
    ["abc", X],
    ["1e3", X],
    ["", X],
  ])("%j → %j", (text, expected) => {
    expect(normalizeCents(text)).toBe(expected);
  });

  it.each([
    ["1.500", "thousands", 150000],
    ["1.500", "decimal", 150],
    ["$12.000", "thousands", 1200000],
    ["-1.299", "thousands", -129900],
    ["1.299", "decimal", X], // three decimals, not exact to the cent
    ["12.50", "thousands", 1250], // only a lone group of three digits follows the convention
    ["1.000.000", "decimal", 100000000],
  ] as const)("%j read with %s → %j", (text, reading, expected) => {
    expect(normalizeCents(text, reading)).toBe(expected);
  });
});

describe("evidence about a column's convention", () => {
  it.each([
    ["12,50", T],
    ["1.299,00", T],
    ["€0,5", T],
    ["1.000.000", T],
    ["12.5", D],
    ["12.50", D],
    ["12.5000", D],
    ["1,299.00", D],
    ["1,299", D],
    ["1,299,000", D],
    ["1.500", 0], // ambiguous itself
    ["0.500", 0], // reads the same either way
    ["1299.000", 0],
    ["1299", 0],
    ["12.3456", 0], // invalid values are no evidence
    ["1,2345", 0],
    ["0,123", 0],
  ])("decimal %j → %j", (text, evidence) => {
    const sink = { evidence: 0 };
    normalizeCents(text, undefined, sink);
    expect(sink.evidence).toBe(evidence);
  });

  it.each([
    ["2.0", D],
    ["2.00", D],
    ["1.000.000", T],
    ["1.000", 0],
    ["2", 0],
    ["2.5", 0],
    ["12,50", 0],
  ])("integer %j → %j", (text, evidence) => {
    const sink = { evidence: 0 };
    normalizeInteger(text, undefined, sink);
    expect(sink.evidence).toBe(evidence);
  });

  it("fixes a column's reading from its evidence: one way reads, none or both stays ambiguous", () => {
    const read = (kind: "integer" | "decimal", evidence: string[], text: string) => {
      const column = new NumberColumn(kind);
      for (const value of evidence) column.normalize(value);
      const before = column.normalize(text);
      column.resolve();
      return [before, column.normalize(text), column.undecided];
    };
    expect(read("decimal", ["12,50"], "1.500")).toEqual([A, 150000, false]);
    expect(read("decimal", ["9.99"], "1.500")).toEqual([A, 150, false]);
    expect(read("decimal", ["10"], "1.500")).toEqual([A, A, false]);
    expect(read("decimal", ["12,50", "9.99"], "1.500")).toEqual([A, A, true]);
    expect(read("integer", ["1.000.000"], "1.000")).toEqual([A, 1000, false]);
    expect(read("integer", ["3.0"], "1.000")).toEqual([A, X, false]);
  });
});

describe("text columns", () => {
  it.each([
    ["electrónicos ", "Electronicos"],
    ["  ROPA", "Ropa"],
    ["almacenamiento   externo", "Almacenamiento Externo"],
    ["ELECTRÓNICOS", "Electronicos"],
    ["e\u0301lectronicos", "Electronicos"], // decomposed accent
  ])("categoria %j → %j", (text, expected) => {
    expect(normalizeCategory(text)).toBe(expected);
  });

  it.each([
    ["  medellín ", "Medellín"],
    ["BOGOTÁ", "Bogotá"],
    ["cartagena  de indias", "Cartagena De Indias"],
    ["   ", null],
    ["", null],
  ])("ciudad %j → %j", (text, expected) => {
    expect(normalizeCity(text)).toBe(expected);
  });

  it.each([
    ["  Ana   Gómez ", "Ana Gómez"],
    ["Audífonos\nBluetooth", "Audífonos Bluetooth"],
    ["MAYÚSCULAS", "MAYÚSCULAS"],
  ])("nombre %j → %j", (text, expected) => {
    expect(normalizeName(text)).toBe(expected);
  });

  it.each([
    [" Venta_ID ", "venta_id"],
    ["Categoría", "categoria"],
    ["PRECIO_UNITARIO", "precio_unitario"],
  ])("header %j → %j", (text, expected) => {
    expect(normalizeHeader(text)).toBe(expected);
  });
});
