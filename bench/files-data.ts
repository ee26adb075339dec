/**
 * The large CSV of `bench:files`: a seeded, realistic sales-like export of about 80 bytes a
 * row (200 MB ≈ 2.5M rows), nine columns of mixed types:
 *
 * | column    | type                                   | distinct            |
 * | --------- | -------------------------------------- | ------------------- |
 * | id        | integer, 1, 2, 3 …                     | every row           |
 * | fecha     | date `YYYY-MM-DD`, 2022-01-01 … 2024-12-31 | 1,096           |
 * | creado_en | datetime `YYYY-MM-DD HH:MM:SS`, on `fecha` | nearly every row |
 * | cliente   | text `C-000000` … `C-199999`, skewed   | ≈ 200,000 (HyperLogLog path) |
 * | ciudad    | text, 54 cities, accents (UTF-8)       | 54                  |
 * | categoria | text, 12 categories, accents           | 12                  |
 * | cantidad  | integer 1–50                           | 50                  |
 * | precio    | decimal, 2 places, 0.50–2000.00; 1 % empty (null) | ≈ 200,000 |
 * | activo    | boolean `true`/`false` (about 70/30)   | 2                   |
 *
 * No field needs quotes. Written once per (size, seed, version) under the temp folder
 * (`bench-files-cache/`), to a temporary name renamed into place, and reused afterwards.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Bumped whenever the generated content changes, so a stale cached file is not reused. */
const VERSION = 1;

const CITIES = [
  "Bogotá",
  "Medellín",
  "Cali",
  "Barranquilla",
  "Cartagena",
  "Cúcuta",
  "Ibagué",
  "Popayán",
  "Montería",
  "Santa Marta",
  "Lima",
  "Cusco",
  "Arequipa",
  "Trujillo",
  "Quito",
  "Guayaquil",
  "Cuenca",
  "Santiago",
  "Valparaíso",
  "Concepción",
  "Buenos Aires",
  "Córdoba",
  "Rosario",
  "Mendoza",
  "Montevideo",
  "Asunción",
  "La Paz",
  "Sucre",
  "Caracas",
  "Maracaibo",
  "Mérida",
  "Panamá",
  "San José",
  "Managua",
  "Tegucigalpa",
  "San Salvador",
  "Guatemala",
  "Ciudad de México",
  "Guadalajara",
  "Monterrey",
  "Puebla",
  "Querétaro",
  "León",
  "Mazatlán",
  "Madrid",
  "Barcelona",
  "Sevilla",
  "Málaga",
  "Zaragoza",
  "València",
  "Bilbao",
  "A Coruña",
  "Cádiz",
  "Logroño",
];

const CATEGORIES = [
  "Electrónica",
  "Hogar",
  "Jardín",
  "Juguetes",
  "Ropa",
  "Calzado",
  "Deportes",
  "Libros",
  "Música",
  "Alimentos",
  "Bebidas",
  "Belleza",
];

const CLIENTS = 200_000;
const FIRST_DAY = Date.UTC(2022, 0, 1);
const DAYS = 1096; // 2022-01-01 … 2024-12-31

/** mulberry32: a small 32-bit generator with good low bits; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Cumulative weights of a Zipf-like law over `n` values (the first ones most frequent). */
function zipf(n: number, exponent: number): Float64Array {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** exponent;
    cumulative[i] = sum;
  }
  for (let i = 0; i < n; i++) cumulative[i] = (cumulative[i] as number) / sum;
  return cumulative;
}

/** The index whose cumulative weight first reaches `r` (binary search). */
function pick(cumulative: Float64Array, r: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface GeneratedCsv {
  path: string;
  bytes: number;
  /** Data rows (the header not counted). */
  rows: number;
  /** Whether it was written by this call (false: reused from the cache). */
  generated: boolean;
  seconds: number;
}

export const HEADER = "id,fecha,creado_en,cliente,ciudad,categoria,cantidad,precio,activo";

/**
 * Writes `path`: whole rows until the file holds `bytes` bytes or just over (by less than a
 * row). Returns the row count.
 */
function write(path: string, bytes: number, seed: number): number {
  const next = mulberry32(seed);
  const days = Array.from({ length: DAYS }, (_, d) =>
    new Date(FIRST_DAY + d * 86_400_000).toISOString().slice(0, 10),
  );
  const clients = Array.from(
    { length: CLIENTS },
    (_, i) => `C-${String((i * 7919) % CLIENTS).padStart(6, "0")}`,
  );
  const cities = zipf(CITIES.length, 0.8);
  const categories = zipf(CATEGORIES.length, 0.6);
  const fd = openSync(path, "w");
  let written = 0;
  let rows = 0;
  try {
    writeSync(fd, `${HEADER}\n`);
    written = Buffer.byteLength(`${HEADER}\n`);
    while (written < bytes) {
      const lines: string[] = [];
      let blockBytes = 0;
      for (let i = 0; i < 20_000 && written + blockBytes < bytes; i++) {
        rows++;
        const day = days[Math.floor(next() * DAYS)] as string;
        const second = Math.floor(next() * 86_400);
        const time = `${pad2(Math.floor(second / 3600))}:${pad2(Math.floor(second / 60) % 60)}:${pad2(second % 60)}`;
        // Skewed towards the first clients (density ∝ 1/√k), yet nearly all of them appear.
        const r = next();
        const client = clients[Math.floor(r * r * CLIENTS)] as string;
        const city = CITIES[pick(cities, next())] as string;
        const category = CATEGORIES[pick(categories, next())] as string;
        const quantity = 1 + Math.floor(next() * 50);
        // Log-uniform between 0.50 and 2000.00, in cents; 1 % left empty.
        const cents = Math.round(50 * 4000 ** next());
        const price = next() < 0.01 ? "" : `${Math.floor(cents / 100)}.${pad2(cents % 100)}`;
        const active = next() < 0.7 ? "true" : "false";
        const line = `${rows},${day},${day} ${time},${client},${city},${category},${quantity},${price},${active}\n`;
        lines.push(line);
        blockBytes += Buffer.byteLength(line);
      }
      const buffer = Buffer.from(lines.join(""));
      writeSync(fd, buffer);
      written += buffer.length;
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}

/**
 * The cached CSV for (`megabytes` × 10⁶ bytes, `seed`): generated on first use. The row
 * count is in the name, so a reuse knows it without reading the file.
 */
export function benchCsv(megabytes: number, seed: number): GeneratedCsv {
  const dir = join(tmpdir(), "bench-files-cache");
  mkdirSync(dir, { recursive: true });
  const bytes = Math.round(megabytes * 1e6);
  const prefix = `ventas-v${VERSION}-${bytes}b-seed${seed}`;
  const started = performance.now();
  const cached = readdirSync(dir).find(
    (name) => name.startsWith(`${prefix}-`) && name.endsWith("rows.csv"),
  );
  if (cached) {
    const path = join(dir, cached);
    const rows = Number(/-(\d+)rows\.csv$/.exec(cached)?.[1]);
    return { path, bytes: statSync(path).size, rows, generated: false, seconds: 0 };
  }
  const temporary = join(dir, `tmp-${process.pid}-${prefix}.csv`);
  try {
    const rows = write(temporary, bytes, seed);
    const path = join(dir, `${prefix}-${rows}rows.csv`);
    renameSync(temporary, path);
    return {
      path,
      bytes: statSync(path).size,
      rows,
      generated: true,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    if (existsSync(temporary)) rmSync(temporary, { force: true });
  }
}
