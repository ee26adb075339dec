import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReasonCode } from "../etl/normalize/result.js";
import { CLIENTS, PRODUCTS, UNKNOWN_CLIENTS, UNKNOWN_PRODUCT } from "./catalog.js";
import { CsvFileWriter, csvField } from "./file-writer.js";
import { messyAmount, messyDate, messyId, messyInteger, messyText, type Ymd } from "./mess.js";
import { ExactSampler, Rng } from "./rng.js";

export interface GenerateOptions {
  /** Sales rows (default 5,500). */
  rows: number;
  seed: string;
  out: string;
  /** The day the sample's "future" sales are after (`YYYY-MM-DD`). */
  referenceDate: string;
  /** Inventory rows (default 5,000). */
  inventoryRows: number;
}

export interface FileExpectation {
  read: number;
  loaded: number;
  rejected: number;
  reasons: Partial<Record<ReasonCode, number>>;
  blank_lines: number;
}

/** Exactly what the generator wrote: what a correct ETL and validation must find. */
export interface Manifest {
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
const SALES_REJECTS_AT_5500: Record<ReasonCode, number> = {
  duplicate_key: 30,
  invalid_date: 25,
  invalid_number: 15,
  missing_value: 10,
  invalid_id: 7,
  field_count: 6,
};
const SALES_BREACHES_AT_5500 = {
  unknown_product: 40,
  unknown_client: 12,
  negative: 5,
  zero: 8,
  negative_price: 4,
};
const FUTURE_SHARE = 1479 / 5407;
const INVENTORY_REJECTS_AT_5000: Record<ReasonCode, number> = {
  duplicate_key: 40,
  invalid_date: 20,
  invalid_number: 15,
  missing_value: 10,
  invalid_id: 10,
  field_count: 5,
};
const NEGATIVE_STOCK_AT_5000 = 7;

const scale = <K extends string>(counts: Record<K, number>, factor: number): Record<K, number> =>
  Object.fromEntries(
    Object.entries(counts).map(([k, v]) => [k, Math.round((v as number) * factor)]),
  ) as Record<K, number>;

function expectation(): FileExpectation {
  return { read: 0, loaded: 0, rejected: 0, reasons: {}, blank_lines: 0 };
}

function tally(file: FileExpectation, reason: ReasonCode | null): void {
  file.read++;
  if (reason === null) file.loaded++;
  else {
    file.rejected++;
    file.reasons[reason] = (file.reasons[reason] ?? 0) + 1;
  }
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
const INVALID_INTEGERS = ["dos", "2.5", "1e3", "3,0", "--1"];
const INVALID_AMOUNTS = ["12.5.3", "1,2345", "12.345", "abc", "$", "1.299.00,5"];

function writeProducts(out: string, rng: Rng, manifest: Manifest): void {
  // UTF-8 with BOM, reordered columns and an extra one, quoted fields, a multi-line name.
  const w = new CsvFileWriter(join(out, "productos.csv"), { encoding: "utf-8", bom: true });
  w.line("Nombre,Producto_ID,Precio,proveedor, Categoría ");
  const file = manifest.files.productos;
  for (const p of PRODUCTS) {
    w.line(
      [
        messyText(rng, p.nombre, false),
        messyId(rng, "prod", p.id),
        messyAmount(rng, p.cents),
        "Proveedor S.A.",
        messyText(rng, p.categoriaWritten, false),
      ]
        .map((v) => csvField(v))
        .join(","),
    );
    tally(file, null);
    if (p.id === 5) {
      w.line("");
      file.blank_lines++;
    }
  }
  w.line(`Copia,PROD-003,"1.599,00",Otro,Ropa`);
  tally(file, "duplicate_key");
  w.line(`Sin categoría,prod012,10.00,Otro,   `);
  tally(file, "missing_value");
  w.close();
}

function writeClients(out: string, rng: Rng, manifest: Manifest): void {
  // Windows-1252, CRLF, `;` delimiter.
  const w = new CsvFileWriter(join(out, "clientes.csv"), { encoding: "windows-1252", crlf: true });
  w.line("cliente_id;nombre;ciudad");
  const file = manifest.files.clientes;
  for (const c of CLIENTS) {
    w.line(
      [messyId(rng, "C", c.id), messyText(rng, c.nombre, false), c.ciudad]
        .map((v) => csvField(v, ";"))
        .join(";"),
    );
    tally(file, null);
  }
  w.line("C_000;Nadie;Cali");
  tally(file, "invalid_id");
  w.line("C_23;Incompleto");
  tally(file, "field_count");
  w.close();
}

type SalesKind =
  | ReasonCode
  | "unknown_product"
  | "unknown_client"
  | "negative"
  | "zero"
  | "negative_price";

function writeSales(options: GenerateOptions, rng: Rng, manifest: Manifest): void {
  const w = new CsvFileWriter(join(options.out, "ventas.csv"), { encoding: "utf-8" });
  w.line(" Venta_ID ,Fecha,producto_id,Cliente_ID,CANTIDAD,precio_unitario");
  const file = manifest.files.ventas;
  const factor = options.rows / 5500;
  const rejects = scale(SALES_REJECTS_AT_5500, factor);
  const totalRejects = Object.values(rejects).reduce((a, b) => a + b, 0);
  const warmup = Math.min(10, options.rows); // first rows are ordinary, so duplicates have something to repeat
  const rejectSampler = new ExactSampler<ReasonCode>(rng, options.rows - warmup, rejects);
  const loadedTotal = options.rows - totalRejects;
  const breachSampler = new ExactSampler(rng, loadedTotal, scale(SALES_BREACHES_AT_5500, factor));
  const futureSampler = new ExactSampler(rng, loadedTotal, {
    future: Math.round(loadedTotal * FUTURE_SHARE),
  });
  const recent: number[] = [];
  const breaches = manifest.loaded_breaches;
  const summary = manifest.resumen_por_categoria;

  for (let i = 0; i < options.rows; i++) {
    const reason: ReasonCode | null = i < warmup ? null : rejectSampler.next();
    let id = i + 1;
    if (reason === "duplicate_key") id = rng.pick(recent);
    const product = rng.pick(PRODUCTS);
    let productId = product.id;
    let clientId = rng.int(1, CLIENTS.length);
    let cantidad = rng.int(1, 10);
    let cents = product.cents;
    let day: Ymd;
    if (reason === null) {
      const kind = breachSampler.next() as SalesKind | null;
      if (kind === "unknown_product") productId = UNKNOWN_PRODUCT;
      else if (kind === "unknown_client") clientId = rng.pick(UNKNOWN_CLIENTS);
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
      messyAmount(rng, cents),
    ];
    if (reason === "invalid_date") fields[1] = rng.pick(INVALID_DATES);
    else if (reason === "invalid_id") fields[rng.pick([0, 2, 3])] = rng.pick(INVALID_IDS);
    else if (reason === "invalid_number") {
      if (rng.chance(0.5)) fields[4] = rng.pick(INVALID_INTEGERS);
      else fields[5] = rng.pick(INVALID_AMOUNTS);
    } else if (reason === "missing_value") fields[rng.int(0, 5)] = rng.pick(["", "   "]);
    else if (reason === "field_count") {
      if (rng.chance(0.5)) fields.pop();
      else fields.push("extra");
    }
    w.line(fields.map((v) => csvField(v)).join(","));
    tally(file, reason);
    if (i % 997 === 500) {
      w.line("");
      file.blank_lines++;
    }
  }
  w.close();
}

function writeInventory(options: GenerateOptions, rng: Rng, manifest: Manifest): void {
  // UTF-8, CRLF, title-case header.
  const w = new CsvFileWriter(join(options.out, "inventario.csv"), {
    encoding: "utf-8",
    crlf: true,
  });
  w.line("Producto_ID,Fecha,Stock");
  const file = manifest.files.inventario;
  const factor = options.inventoryRows / 5000;
  const rejects = scale(INVENTORY_REJECTS_AT_5000, factor);
  const warmup = Math.min(10, options.inventoryRows);
  const rejectSampler = new ExactSampler<ReasonCode>(rng, options.inventoryRows - warmup, rejects);
  const loadedTotal = options.inventoryRows - Object.values(rejects).reduce((a, b) => a + b, 0);
  const negativeSampler = new ExactSampler(rng, loadedTotal, {
    negative: Math.round(NEGATIVE_STOCK_AT_5000 * factor),
  });
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
    if (reason === null) {
      if (negativeSampler.next() !== null) {
        stock = -rng.int(1, 20);
        manifest.loaded_breaches.negative_stock++;
      }
      recent.push(key);
      if (recent.length > 64) recent.shift();
    }
    const fields = [messyId(rng, "prod", key[0]), messyDate(rng, key[1]), messyInteger(rng, stock)];
    if (reason === "invalid_date") fields[1] = rng.pick(INVALID_DATES);
    else if (reason === "invalid_id") fields[0] = rng.pick(INVALID_IDS);
    else if (reason === "invalid_number") fields[2] = rng.pick(INVALID_INTEGERS);
    else if (reason === "missing_value") fields[rng.int(0, 2)] = "";
    else if (reason === "field_count") fields.pop();
    w.line(fields.map((v) => csvField(v)).join(","));
    tally(file, reason);
  }
  w.close();
}

/**
 * Writes the four sample CSV files and `manifest.json` into `options.out`. Deterministic
 * for a seed, streaming for any number of rows.
 *
 * @example
 * const manifest = generate({ rows: 5500, seed: "empresa", out: "data", referenceDate: "2025-01-01", inventoryRows: 5000 });
 * manifest.files.ventas.loaded; // 5407
 */
export function generate(options: GenerateOptions): Manifest {
  mkdirSync(options.out, { recursive: true });
  const rng = new Rng(options.seed);
  const manifest: Manifest = {
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
  writeProducts(options.out, rng, manifest);
  writeClients(options.out, rng, manifest);
  writeSales(options, rng, manifest);
  writeInventory(options, rng, manifest);
  manifest.resumen_por_categoria = Object.fromEntries(
    Object.entries(manifest.resumen_por_categoria).sort(([a], [b]) => a.localeCompare(b)),
  );
  writeFileSync(join(options.out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
