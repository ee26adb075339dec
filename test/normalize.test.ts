import { describe, expect, it } from "vitest";
import { normalizeDate } from "../src/etl/normalize/date.js";
import { normalizeId } from "../src/etl/normalize/id.js";
import { normalizeCents, normalizeInteger } from "../src/etl/normalize/number.js";
import { INVALID } from "../src/etl/normalize/result.js";
import {
  normalizeCategory,
  normalizeCity,
  normalizeHeader,
  normalizeName,
} from "../src/etl/normalize/text.js";

const X = INVALID;

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
    ["2.000", 2],
    ["007", 7],
    ["-0", 0],
    ["0", 0],
    ["2.5", X],
    ["2.", X],
    ["+3", X],
    ["1e3", X],
    ["3,0", X],
    ["dos", X],
    ["--1", X],
    ["-", X],
    ["", X],
    ["1 000", X],
  ])("%j → %j", (text, expected) => {
    expect(normalizeInteger(text)).toBe(expected);
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
    ["1,299", 129900],
    ["1,299,000", 129900000],
    ["1.299.000", 129900000],
    ["12.5", 1250],
    ["12.50", 1250],
    ["12.500", 1250],
    ["0.01", 1],
    ["-12.50", -1250],
    ["+12.50", 1250],
    ["$-5.00", -500],
    ["€-1.299,50", -129950],
    ["1,234,567.89", 123456789],
    ["1.234.567,89", 123456789],
    [" $12.50 ", 1250],
    ["1.299", X], // a lone dot is a decimal point: three decimals, not exact to the cent
    ["12.345", X],
    ["1,2345", X],
    ["1,23,456", X],
    ["12.5.3", X],
    ["1.299.00,5", X],
    ["1,299.00.00", X],
    ["12,", X],
    ["12.", X],
    [".50", X],
    ["$", X],
    ["-$5", X],
    ["12 €", X],
    ["abc", X],
    ["1e3", X],
    ["", X],
  ])("%j → %j", (text, expected) => {
    expect(normalizeCents(text)).toBe(expected);
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
