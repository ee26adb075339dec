import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { CLIENTS, PRODUCTS, type Product, UNKNOWN_CLIENTS, UNKNOWN_PRODUCT } from "./catalog.js";
import { CsvFileWriter, csvField, type FileEncoding } from "./file-writer.js";
import {
  dotGrouped,
  messyAmount,
  messyDate,
  messyGroupedInteger,
  messyId,
  messyInteger,
  messyText,
  type Ymd,
} from "./mess.js";
import { type NumberColumnExpectation, NumberColumnLedger } from "./number-ledger.js";
import { ExactSampler, Rng } from "./rng.js";

/** Why a row is rejected: the contract's reason codes (v1.1, section 3). */
export type ReasonCode =
  | "field_count"
  | "missing_value"
  | "invalid_id"
  | "invalid_date"
  | "invalid_number"
  | "ambiguous_number"
  | "duplicate_key";

export interface GenerateOptions {
  /** Sales rows (default 5,500). */
  rows: number;
  seed: string;
  out: string;
  /** The day the sample's "future" sales are after (`YYYY-MM-DD`). */
  referenceDate: string;
  /** Inventory rows (default 5,000). */
  inventoryRows: number;
  /**
   * Clean files instead of the messy sample: every row valid (nothing rejected, no
   * business-rule breach), each value in one plain form (`17`, `2024-03-05`, `1299.00`),
   * UTF-8 without BOM, LF, no blank lines. For benchmarks against `sqlite3 .import`.
   */
  clean?: boolean;
}

export interface FileExpectation {
  read: number;
  loaded: number;
  rejected: number;
  reasons: Partial<Record<ReasonCode, number>>;
  blank_lines: number;
  /** How the file must be decoded (contract v1.1). */
  encoding: FileEncoding;
  /** Whether the file starts with a UTF-8 byte-order mark (always removed). */
  bom: boolean;
  /** Records of a UTF-8 file that hold invalid bytes and are decoded as Windows-1252. */
  recoded_records: number;
  /** Per number column (contract v1.1): how its dot-grouped values are read. */
  numbers: Record<string, NumberColumnExpectation>;
}

/** Exactly what the generator wrote: what a correct ETL and validation must find. */
export interface Manifest {
  /** The contract version the expectations follow. */
  contract: string;
  seed: string;
  rows: number;
  reference_date: string;
  files: Record<"productos" | "clientes" | "ventas" | "inventario", FileExpectation>;
  /** Business-rule breaches among loaded rows (they load; the validations flag them). */
  loaded_breaches: {
    unknown_product_sales: number;
    unknown_product_ids: number[];
    unknown_client_sales: number;
    negative_cantidad: number;
    zero_cantidad: number;
    negative_precio: number;
    future_sales: number;
    negative_stock: number;
  };
  /** Sum of `cantidad` per category over loaded sales of known products. */
  resumen_por_categoria: Record<string, number>;
}

/** Counts at the reference size of 5,500 sales; other sizes scale them. */
const SALES_REJECTS_AT_5500 = {
  duplicate_key: 30,
  invalid_date: 25,
  invalid_number: 15,
  missing_value: 10,
  invalid_id: 7,
  field_count: 6,
} satisfies Partial<Record<ReasonCode, number>>;
/** Of the `invalid_number` rows above, how many are dot-grouped quantities instead (`ambiguous_number`). */
const SALES_AMBIGUOUS_AT_5500 = 5;
const SALES_BREACHES_AT_5500 = {
  unknown_product: 40,
  unknown_client: 12,
  negative: 5,
  zero: 8,
  negative_price: 4,
};
/**
 * Of the unknown product's sales, how many are bulk orders of millions (`1.250.000` units),
 * and how many are priced in millions (`$4.321.000`): several dot groups, thousands always.
 */
const MILLION_UNIT_SALES_AT_5500 = 2;
const MILLION_PRICE_SALES_AT_5500 = 2;
const FUTURE_SHARE = 1479 / 5407;
const INVENTORY_REJECTS_AT_5000 = {
  duplicate_key: 40,
  invalid_date: 20,
  invalid_number: 15,
  missing_value: 10,
  invalid_id: 10,
  field_count: 5,
} satisfies Partial<Record<ReasonCode, number>>;
const NEGATIVE_STOCK_AT_5000 = 7;
/** Loaded stock rows in the thousands (`12.345`) and in the millions (`1.250.000`). */
const THOUSANDS_STOCK_AT_5000 = 30;
const MILLIONS_STOCK_AT_5000 = 3;

const scale = <K extends string>(counts: Record<K, number>, factor: number): Record<K, number> =>
  Object.fromEntries(
    Object.entries(counts).map(([k, v]) => [k, Math.round((v as number) * factor)]),
  ) as Record<K, number>;

function expectation(): FileExpectation {
  return {
    read: 0,
    loaded: 0,
    rejected: 0,
    reasons: {},
    blank_lines: 0,
    encoding: "utf-8",
    bom: false,
    recoded_records: 0,
    numbers: {},
  };
}

function tally(file: FileExpectation, reason: ReasonCode | null): void {
  file.read++;
  if (reason === null) file.loaded++;
  else {
    file.rejected++;
    file.reasons[reason] = (file.reasons[reason] ?? 0) + 1;
  }
}

/** Records the file's encoding facts, checking they are what the generator meant to write. */
function finishEncoding(
  file: FileExpectation,
  writer: CsvFileWriter,
  name: string,
  meant: FileEncoding,
): void {
  const facts = writer.facts();
  if (facts.encoding !== meant)
    throw new Error(`generator bug: ${name} was meant as ${meant} but reads as ${facts.encoding}`);
  file.encoding = facts.encoding;
  file.bom = facts.bom;
  file.recoded_records = facts.recoded_records;
}

/** Calendar arithmetic on UTC days, free of time zones. */
function addDays(date: string, days: number): Ymd {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const INVALID_DATES = [
  "2024-02-30",
  "13/13/2024",
  "24-01-05",
  "2024/13/01",
  "31.04.2024",
  "ayer",
  "2024-1-5",
  "05/01/24",
];
const INVALID_IDS = ["prod000", "P-0", "abc", "#12", "12a", "prod--3", "0"];
/**
 * Not a quantity under any convention. Used in turn (first ones first, so small samples
 * hold the v1.1 cases): decimals other than `.0`/`.00`, a group starting with zero.
 */
const INVALID_QUANTITIES = ["2.5", "2.0000", "0.123.456", "dos", "2.50", "1e3", "3,0", "--1", "+3"];
/**
 * Not an amount under any convention, in a column written with thousands dots (`1.299,00`):
 * none of them is a number, so none is evidence for a convention, though `0,123` looks
 * like a comma grouping (the contract: only valid values count).
 */
const INVALID_AMOUNTS = ["0,123", "0.123.456", "12.5.3", "1,2345", "abc", "$", "1.299.00,5"];
/** Not a stock level under any convention, and no evidence against thousands dots either. */
const INVALID_STOCK = ["0.123.456", "dos", "3,5", "1e3", "--1", "12.34.567", "+7", "12,0"];
/** Dot-grouped quantities in a column with evidence both ways: `ambiguous_number`. */
const AMBIGUOUS_QUANTITIES = [1000, 12000, 2500, 1200, 3000];

/** Cycles through a list: each of its items in turn. */
function cycler<T>(items: readonly T[]): () => T {
  let next = 0;
  return () => items[next++ % items.length] as T;
}

function writeProducts(out: string, rng: Rng, manifest: Manifest): void {
  // Windows-1252 as a whole, with a UTF-8 byte-order mark anyway (a reader removes it);
  // reordered columns and an extra one, quoted fields, a multi-line name. Prices are
  // written with a decimal point (`25.50`, `1,299.00`), so `25.500` is 25.50.
  const name = "productos.csv";
  const w = new CsvFileWriter(join(out, name), { encoding: "windows-1252", bom: true });
  w.line("Nombre,Producto_ID,Precio,proveedor, Categoría ");
  const file = manifest.files.productos;
  const precio = new NumberColumnLedger(name, "precio", "decimal", "decimal_point");
  for (const p of PRODUCTS) {
    const nombre = messyText(rng, p.nombre, false);
    const id = messyId(rng, "prod", p.id);
    let price = messyAmount(rng, p.cents, "decimal_point");
    const categoria = messyText(rng, p.categoriaWritten, false);
    // Whatever the seed draws: one dot-grouped price, and evidence of the decimal point.
    const units = Math.floor(p.cents / 100);
    const fraction = String(p.cents % 100).padStart(2, "0");
    if (p.id === 2) price = `${units}.${fraction}0`;
    if (p.id === 4) price = `${units}.${fraction}`;
    precio.clean(price, p.cents, true);
    w.line([nombre, id, price, "Proveedor S.A.", categoria].map((v) => csvField(v)).join(","));
    tally(file, null);
    if (p.id === 5) {
      w.line("");
      file.blank_lines++;
    }
  }
  w.line(`Copia,PROD-003,"1,599.00",Otro,Ropa`);
  precio.clean("1,599.00", 159900, false);
  tally(file, "duplicate_key");
  w.line(`Sin categoría,prod012,10.00,Otro,   `);
  precio.other("10.00");
  tally(file, "missing_value");
  w.close();
  finishEncoding(file, w, name, "windows-1252");
  file.numbers = { precio: precio.finish() };
}

/** Clients whose record is written in Windows-1252 inside the UTF-8 file (`Pérez` as one 0xE9 byte). */
const isLatin1Client = (id: number) => id % 5 === 2;

function writeClients(out: string, rng: Rng, manifest: Manifest): void {
  // UTF-8 with a BOM, CRLF, `;` delimiter, and a few records in Windows-1252 bytes (the
  // ones a spreadsheet pasted in): only those records are recoded.
  const name = "clientes.csv";
  const w = new CsvFileWriter(join(out, name), { encoding: "utf-8", bom: true, crlf: true });
  w.line("cliente_id;nombre;ciudad");
  const file = manifest.files.clientes;
  for (const c of CLIENTS) {
    w.line(
      [messyId(rng, "C", c.id), messyText(rng, c.nombre, false), c.ciudad]
        .map((v) => csvField(v, ";"))
        .join(";"),
      { windows1252: isLatin1Client(c.id) },
    );
    tally(file, null);
  }
  w.line("C_000;Nadie;Cali");
  tally(file, "invalid_id");
  w.line("C_23;Incompleto");
  tally(file, "field_count");
  w.close();
  finishEncoding(file, w, name, "utf-8");
}

type SalesKind =
  | ReasonCode
  | "unknown_product"
  | "unknown_client"
  | "negative"
  | "zero"
  | "negative_price";

function writeSales(options: GenerateOptions, rng: Rng, extra: Rng, manifest: Manifest): void {
  // Quantities carry `.0`/`.00` (decimal-point evidence) and, in a few sales of the unknown
  // product, millions written `1.250.000` (thousands evidence): both ways, so a quantity
  // `12.000` is ambiguous_number. Prices are written as in Colombia (`1.299,00`, `$1.299`,
  // and a few sales of the unknown product at `$4.321.000`).
  const name = "ventas.csv";
  const w = new CsvFileWriter(join(options.out, name), { encoding: "utf-8" });
  w.line(" Venta_ID ,Fecha,producto_id,Cliente_ID,CANTIDAD,precio_unitario");
  const file = manifest.files.ventas;
  const factor = options.rows / 5500;
  const rejects = scale(SALES_REJECTS_AT_5500, factor);
  const totalRejects = Object.values(rejects).reduce((a, b) => a + b, 0);
  const warmup = Math.min(10, options.rows); // first rows are ordinary, so duplicates have something to repeat
  const rejectSampler = new ExactSampler(rng, options.rows - warmup, rejects);
  const loadedTotal = options.rows - totalRejects;
  const breachCounts = scale(SALES_BREACHES_AT_5500, factor);
  const breachSampler = new ExactSampler(rng, loadedTotal, breachCounts);
  const futureSampler = new ExactSampler(rng, loadedTotal, {
    future: Math.round(loadedTotal * FUTURE_SHARE),
  });
  // The v1.1 cases draw from their own stream, so the rest of the sample (and its figures)
  // is what it was before them.
  const ambiguous =
    breachCounts.unknown_product > 0
      ? Math.min(rejects.invalid_number, Math.round(SALES_AMBIGUOUS_AT_5500 * factor))
      : 0;
  const ambiguousSampler = new ExactSampler(extra, rejects.invalid_number, { ambiguous });
  const unknown = breachCounts.unknown_product;
  const millionUnits =
    ambiguous > 0
      ? Math.min(unknown, Math.max(1, Math.round(MILLION_UNIT_SALES_AT_5500 * factor)))
      : 0;
  const millionSampler = new ExactSampler(extra, unknown, {
    millionUnits,
    millionPrice: Math.min(
      unknown - millionUnits,
      Math.max(1, Math.round(MILLION_PRICE_SALES_AT_5500 * factor)),
    ),
  });
  const invalidQuantity = cycler(INVALID_QUANTITIES);
  const invalidAmount = cycler(INVALID_AMOUNTS);
  const ambiguousQuantity = cycler(AMBIGUOUS_QUANTITIES);
  const cantidadColumn = new NumberColumnLedger(name, "cantidad", "integer", "both");
  const precioColumn = new NumberColumnLedger(name, "precio_unitario", "decimal", "thousands");
  let decimalPointShown = false;
  const recent: number[] = [];
  const breaches = manifest.loaded_breaches;
  const summary = manifest.resumen_por_categoria;

  for (let i = 0; i < options.rows; i++) {
    let reason: ReasonCode | null = i < warmup ? null : rejectSampler.next();
    let id = i + 1;
    if (reason === "duplicate_key") id = rng.pick(recent);
    const product = rng.pick(PRODUCTS);
    let productId = product.id;
    let clientId = rng.int(1, CLIENTS.length);
    let cantidad = rng.int(1, 10);
    let cents = product.cents;
    let millions = false;
    let millionPrice = false;
    let day: Ymd;
    if (reason === null) {
      const kind = breachSampler.next() as SalesKind | null;
      if (kind === "unknown_product") {
        productId = UNKNOWN_PRODUCT;
        const special = millionSampler.next();
        millions = special === "millionUnits";
        millionPrice = special === "millionPrice";
        if (millions) cantidad = extra.int(1, 3) * 1_000_000 + extra.int(0, 999) * 1000;
        if (millionPrice) cents = extra.int(1, 9) * 100_000_000 + extra.int(0, 999) * 100_000;
      } else if (kind === "unknown_client") clientId = rng.pick(UNKNOWN_CLIENTS);
      else if (kind === "negative") cantidad = -rng.int(1, 3);
      else if (kind === "zero") cantidad = 0;
      else if (kind === "negative_price") cents = -cents;
      const future = futureSampler.next() !== null;
      day = future
        ? addDays(options.referenceDate, rng.int(1, 90))
        : addDays(options.referenceDate, -rng.int(0, 364));
      if (productId === UNKNOWN_PRODUCT) breaches.unknown_product_sales++;
      else summary[product.categoria] = (summary[product.categoria] ?? 0) + cantidad;
      if (clientId > CLIENTS.length) breaches.unknown_client_sales++;
      if (cantidad < 0) breaches.negative_cantidad++;
      if (cantidad === 0) breaches.zero_cantidad++;
      if (cents < 0) breaches.negative_precio++;
      if (future) breaches.future_sales++;
      recent.push(id);
      if (recent.length > 64) recent.shift();
    } else {
      day = addDays(options.referenceDate, -rng.int(0, 364));
    }
    const fields = [
      messyId(rng, "V", id),
      messyDate(rng, day),
      messyId(rng, "prod", productId),
      messyId(rng, "C", clientId),
      messyInteger(rng, cantidad),
      messyAmount(rng, cents, "thousands"),
    ];
    let culprit: "cantidad" | "precio_unitario" | null = null;
    if (millions) fields[4] = dotGrouped(cantidad);
    else if (reason === null && !decimalPointShown) fields[4] = `${cantidad}.0`; // evidence, whatever the seed
    if (reason === null && !millions) decimalPointShown = true;
    if (millionPrice)
      fields[5] = extra.chance(0.5)
        ? `$${dotGrouped(cents / 100)}`
        : `${dotGrouped(cents / 100)},00`;
    if (reason === "invalid_date") fields[1] = rng.pick(INVALID_DATES);
    else if (reason === "invalid_id") fields[rng.pick([0, 2, 3])] = rng.pick(INVALID_IDS);
    else if (reason === "invalid_number") {
      culprit = rng.chance(0.5) ? "cantidad" : "precio_unitario";
      rng.next(); // the draw that once picked the invalid value: kept, so later rows stay the same
      if (ambiguousSampler.next() !== null) {
        reason = "ambiguous_number";
        culprit = "cantidad";
        fields[4] = dotGrouped(ambiguousQuantity());
      } else if (culprit === "cantidad") fields[4] = invalidQuantity();
      else fields[5] = invalidAmount();
    } else if (reason === "missing_value") fields[rng.int(0, 5)] = rng.pick(["", "   "]);
    else if (reason === "field_count") {
      if (rng.chance(0.5)) fields.pop();
      else fields.push("extra");
    }
    checkSaleNumbers(reason, culprit, fields, cantidad, cents, cantidadColumn, precioColumn);
    w.line(fields.map((v) => csvField(v)).join(","));
    tally(file, reason);
    if (i % 997 === 500) {
      w.line("");
      file.blank_lines++;
    }
  }
  w.close();
  finishEncoding(file, w, name, "utf-8");
  file.numbers = { cantidad: cantidadColumn.finish(), precio_unitario: precioColumn.finish() };
}

/**
 * Passes a sale's two numbers through their columns' ledgers, by what its row is meant to
 * be (`culprit`: the number that rejects it, if one does).
 */
function checkSaleNumbers(
  reason: ReasonCode | null,
  culprit: "cantidad" | "precio_unitario" | null,
  fields: string[],
  cantidad: number,
  cents: number,
  cantidadColumn: NumberColumnLedger,
  precioColumn: NumberColumnLedger,
): void {
  const [quantity, price] = [fields[4] as string, fields[5]];
  if (reason === null || reason === "duplicate_key") {
    cantidadColumn.clean(quantity, cantidad, reason === null);
    precioColumn.clean(price as string, cents, reason === null);
  } else if (reason === "ambiguous_number") {
    cantidadColumn.ambiguous(quantity);
    precioColumn.other(price as string);
  } else if (reason === "invalid_number" && culprit === "cantidad") {
    cantidadColumn.invalid(quantity);
    precioColumn.other(price as string);
  } else if (reason === "invalid_number") {
    cantidadColumn.other(quantity);
    precioColumn.invalid(price as string);
  } else {
    cantidadColumn.other(quantity);
    if (price !== undefined) precioColumn.other(price);
  }
}

function writeInventory(options: GenerateOptions, rng: Rng, manifest: Manifest): void {
  // UTF-8, CRLF, title-case header. Stock is written with thousands dots (`12.345`, and
  // a few `1.250.000` as evidence), never `12.0`: `12.345` is 12345.
  const name = "inventario.csv";
  const w = new CsvFileWriter(join(options.out, name), { encoding: "utf-8", crlf: true });
  w.line("Producto_ID,Fecha,Stock");
  const file = manifest.files.inventario;
  const factor = options.inventoryRows / 5000;
  const rejects = scale(INVENTORY_REJECTS_AT_5000, factor);
  const warmup = Math.min(10, options.inventoryRows);
  const rejectSampler = new ExactSampler(rng, options.inventoryRows - warmup, rejects);
  const loadedTotal = options.inventoryRows - Object.values(rejects).reduce((a, b) => a + b, 0);
  const thousands = Math.round(THOUSANDS_STOCK_AT_5000 * factor);
  const stockSampler = new ExactSampler(rng, loadedTotal, {
    negative: Math.round(NEGATIVE_STOCK_AT_5000 * factor),
    thousands,
    millions: thousands > 0 ? Math.max(1, Math.round(MILLIONS_STOCK_AT_5000 * factor)) : 0,
  });
  const stockColumn = new NumberColumnLedger(name, "stock", "integer", "thousands");
  const invalidStock = cycler(INVALID_STOCK);
  const first = addDays(options.referenceDate, -Math.ceil(options.inventoryRows / PRODUCTS.length));
  const firstDate = `${first.year}-${String(first.month).padStart(2, "0")}-${String(first.day).padStart(2, "0")}`;
  const recent: [number, Ymd][] = [];
  let next = 0;
  for (let i = 0; i < options.inventoryRows; i++) {
    const reason: ReasonCode | null = i < warmup ? null : rejectSampler.next();
    let key: [number, Ymd];
    if (reason === "duplicate_key") key = rng.pick(recent);
    else {
      key = [(next % PRODUCTS.length) + 1, addDays(firstDate, Math.floor(next / PRODUCTS.length))];
      next++;
    }
    let stock = rng.int(0, 500);
    let text: string | null = null;
    if (reason === null) {
      const kind = stockSampler.next();
      if (kind === "negative") {
        stock = -rng.int(1, 20);
        manifest.loaded_breaches.negative_stock++;
      } else if (kind === "thousands") stock = rng.int(1000, 60_999);
      else if (kind === "millions") {
        stock = rng.int(1_000_000, 3_000_000);
        text = dotGrouped(stock);
      }
      recent.push(key);
      if (recent.length > 64) recent.shift();
    }
    const fields = [
      messyId(rng, "prod", key[0]),
      messyDate(rng, key[1]),
      text ?? messyGroupedInteger(rng, stock),
    ];
    if (reason === "invalid_date") fields[1] = rng.pick(INVALID_DATES);
    else if (reason === "invalid_id") fields[0] = rng.pick(INVALID_IDS);
    else if (reason === "invalid_number") fields[2] = invalidStock();
    else if (reason === "missing_value") fields[rng.int(0, 2)] = "";
    else if (reason === "field_count") fields.pop();
    const value = fields[2];
    if (reason === null || reason === "duplicate_key")
      stockColumn.clean(value as string, stock, reason === null);
    else if (reason === "invalid_number") stockColumn.invalid(value as string);
    else if (value !== undefined) stockColumn.other(value);
    w.line(fields.map((v) => csvField(v)).join(","));
    tally(file, reason);
  }
  w.close();
  finishEncoding(file, w, name, "utf-8");
  file.numbers = { stock: stockColumn.finish() };
}

const isoDate = ({ year, month, day }: Ymd) =>
  `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
const decimalText = (cents: number) =>
  `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

/**
 * `--clean`: the four files with every row valid, each value in one plain form (integer
 * IDs, ISO dates, integer quantities, prices with a decimal point and two decimals, so no
 * value is dot-grouped), UTF-8 without BOM, LF, no blank lines, no quoting but where a
 * name needs it. No sale breaks a business rule (known product and client, quantity 1–10,
 * dated in the year up to the reference date), so the manifest's breaches are all 0.
 */
function writeCleanFiles(options: GenerateOptions, rng: Rng, manifest: Manifest): void {
  const { files } = manifest;
  const products = new CsvFileWriter(join(options.out, "productos.csv"), { encoding: "utf-8" });
  products.line("producto_id,nombre,categoria,precio");
  let priceSum = 0;
  for (const p of PRODUCTS) {
    products.line(
      [String(p.id), p.nombre, p.categoria, decimalText(p.cents)].map((v) => csvField(v)).join(","),
    );
    priceSum += p.cents;
    tally(files.productos, null);
  }
  products.close();
  finishEncoding(files.productos, products, "productos.csv", "utf-8");
  files.productos.numbers = {
    precio: { convention: "decimal_point", dot_grouped: 0, ambiguous: 0, loaded_sum: priceSum },
  };

  const clients = new CsvFileWriter(join(options.out, "clientes.csv"), { encoding: "utf-8" });
  clients.line("cliente_id,nombre,ciudad");
  for (const c of CLIENTS) {
    clients.line([String(c.id), c.nombre, c.ciudad].map((v) => csvField(v)).join(","));
    tally(files.clientes, null);
  }
  clients.close();
  finishEncoding(files.clientes, clients, "clientes.csv", "utf-8");

  // Days as text, once each: the year up to the reference date.
  const days = Array.from({ length: 365 }, (_, i) => isoDate(addDays(options.referenceDate, -i)));
  const prices = PRODUCTS.map((p) => decimalText(p.cents));
  const sales = new CsvFileWriter(join(options.out, "ventas.csv"), { encoding: "utf-8" });
  sales.line("venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario");
  const summary = manifest.resumen_por_categoria;
  let quantitySum = 0;
  let amountSum = 0;
  for (let i = 1; i <= options.rows; i++) {
    const p = rng.int(0, PRODUCTS.length - 1);
    const product = PRODUCTS[p] as Product;
    const cantidad = rng.int(1, 10);
    const day = days[rng.int(0, days.length - 1)] as string;
    sales.line(`${i},${day},${product.id},${rng.int(1, CLIENTS.length)},${cantidad},${prices[p]}`);
    summary[product.categoria] = (summary[product.categoria] ?? 0) + cantidad;
    quantitySum += cantidad;
    amountSum += product.cents;
    tally(files.ventas, null);
  }
  sales.close();
  finishEncoding(files.ventas, sales, "ventas.csv", "utf-8");
  files.ventas.numbers = {
    cantidad: { convention: "none", dot_grouped: 0, ambiguous: 0, loaded_sum: quantitySum },
    precio_unitario: {
      convention: "decimal_point",
      dot_grouped: 0,
      ambiguous: 0,
      loaded_sum: amountSum,
    },
  };

  const stock = new CsvFileWriter(join(options.out, "inventario.csv"), { encoding: "utf-8" });
  stock.line("producto_id,fecha,stock");
  let stockSum = 0;
  for (let i = 0; i < options.inventoryRows; i++) {
    const product = (i % PRODUCTS.length) + 1;
    const day = isoDate(addDays(options.referenceDate, -Math.floor(i / PRODUCTS.length)));
    const level = rng.int(0, 500);
    stock.line(`${product},${day},${level}`);
    stockSum += level;
    tally(files.inventario, null);
  }
  stock.close();
  finishEncoding(files.inventario, stock, "inventario.csv", "utf-8");
  files.inventario.numbers = {
    stock: { convention: "none", dot_grouped: 0, ambiguous: 0, loaded_sum: stockSum },
  };
}

/** The files `generate` writes into its folder. */
export const OUTPUT_FILES = [
  "productos.csv",
  "clientes.csv",
  "ventas.csv",
  "inventario.csv",
  "manifest.json",
] as const;

/**
 * Which of the generator's files `dir` already holds (none when it does not exist).
 * Throws a `UsageError` when `dir` is not a folder.
 */
export function existingOutputs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} is not a folder`);
  return OUTPUT_FILES.filter((name) => existsSync(join(dir, name)));
}

/**
 * Writes the four sample CSV files and `manifest.json` into `options.out` (created when
 * missing; files of the same names are overwritten: the CLI refuses that without
 * `--force`). Deterministic for a seed, streaming for any number of rows.
 *
 * @example
 * const manifest = generate({ rows: 5500, seed: "empresa", out: "data", referenceDate: "2025-01-01", inventoryRows: 5000 });
 * manifest.files.ventas.loaded; // 5407
 */
export function generate(options: GenerateOptions): Manifest {
  mkdirSync(options.out, { recursive: true });
  const rng = new Rng(options.seed);
  const extra = new Rng(`${options.seed}/v1.1`);
  const manifest: Manifest = {
    contract: "1.1",
    seed: options.seed,
    rows: options.rows,
    reference_date: options.referenceDate,
    files: {
      productos: expectation(),
      clientes: expectation(),
      ventas: expectation(),
      inventario: expectation(),
    },
    loaded_breaches: {
      unknown_product_sales: 0,
      unknown_product_ids: [UNKNOWN_PRODUCT],
      unknown_client_sales: 0,
      negative_cantidad: 0,
      zero_cantidad: 0,
      negative_precio: 0,
      future_sales: 0,
      negative_stock: 0,
    },
    resumen_por_categoria: {},
  };
  if (options.clean) writeCleanFiles(options, rng, manifest);
  else {
    writeProducts(options.out, rng, manifest);
    writeClients(options.out, rng, manifest);
    writeSales(options, rng, extra, manifest);
    writeInventory(options, rng, manifest);
  }
  manifest.resumen_por_categoria = Object.fromEntries(
    Object.entries(manifest.resumen_por_categoria).sort(([a], [b]) => a.localeCompare(b)),
  );
  writeFileSync(join(options.out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
