/**
 * The large-CSV profiler (`src/files/profile/`, contract `../shared/contracts/files.md`,
 * "What it computes") checked against an independent computation of the same files:
 * DuckDB reads each generated CSV as text and computes in SQL what the contract defines
 * (nulls, the narrowest type, counts, exact distinct, min/max, mean, sample standard
 * deviation, numpy-linear quantiles = `quantile_cont`, top values). Files above
 * `PARALLEL_MIN_BYTES` run with 1, 2 and 4 threads, which must give the same profile.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InputError } from "../src/errors.js";
import { ColumnAccumulator, EXACT_DISTINCT_LIMIT } from "../src/files/profile/column.js";
import { PARALLEL_MIN_BYTES, profileFile } from "../src/files/profile/index.js";
import type { Columna, Profile } from "../src/files/types.js";
import {
  duckProfile,
  duckRowCount,
  type ExpectedColumn,
  int,
  openDuck,
  pick,
  prng,
  writeCsv,
} from "./helpers/csv-files.js";

/** Every profile thread started, to check that none is left running after an abort. */
const threads = vi.hoisted(() => ({
  started: [] as { exited: Promise<number>; done: boolean; terminated: boolean }[],
}));

vi.mock("node:worker_threads", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:worker_threads")>();
  class TrackedWorker extends real.Worker {
    private readonly record: (typeof threads.started)[number];
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      const record = { exited: Promise.resolve(0), done: false, terminated: false };
      record.exited = new Promise((resolve) =>
        this.once("exit", (code: number) => {
          record.done = true;
          resolve(code);
        }),
      );
      this.record = record;
      threads.started.push(record);
    }
    override terminate(): Promise<number> {
      this.record.terminated = true;
      return super.terminate();
    }
  }
  return { ...real, Worker: TrackedWorker, default: { ...real, Worker: TrackedWorker } };
});

let db: DuckDBInstance;
let c: DuckDBConnection;
let dir: string;

beforeAll(async () => {
  ({ db, c } = await openDuck());
  dir = mkdtempSync(join(tmpdir(), "files-profile-"));
});

afterAll(() => {
  c?.closeSync();
  db?.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------
// Comparing a profile with DuckDB's

const RELATIVE = 1e-9;

function expectClose(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  const tolerance = RELATIVE * Math.max(1, Math.abs(expected));
  expect(
    Math.abs((actual as number) - expected),
    `${what}: ${actual} vs ${expected}`,
  ).toBeLessThanOrEqual(tolerance);
}

/**
 * Every column against DuckDB's; `approximate` names the columns expected to be estimated.
 * Their top values are checked only when frequent (`frequent`), and not at all with
 * `exactTop` false (a file where no value is frequent).
 */
function expectProfileMatches(
  columnas: Columna[],
  expected: ExpectedColumn[],
  approximate: string[] = [],
  exactTop = true,
): void {
  expect(columnas.map((col) => col.nombre)).toEqual(expected.map((e) => e.nombre));
  columnas.forEach((col, i) => {
    const e = expected[i] as ExpectedColumn;
    const what = `column ${col.nombre}`;
    expect(col.posicion, what).toBe(i + 1);
    expect(col.tipo, what).toBe(e.tipo);
    expect(col.no_nulos, `${what} no_nulos`).toBe(e.no_nulos);
    expect(col.nulos, `${what} nulos`).toBe(e.nulos);
    if (approximate.includes(col.nombre)) {
      expect(col.unicos_aproximado, `${what} unicos_aproximado`).toBe(true);
      expect(
        Math.abs(col.unicos - e.unicos) / e.unicos,
        `${what} unicos ${col.unicos} vs exact ${e.unicos}`,
      ).toBeLessThanOrEqual(0.02);
    } else {
      expect(col.unicos_aproximado, `${what} unicos_aproximado`).toBe(false);
      expect(col.unicos, `${what} unicos`).toBe(e.unicos);
    }
    const numeric = e.tipo === "integer" || e.tipo === "decimal";
    if (numeric) {
      expectClose(Number(col.minimo), Number(e.minimo), `${what} minimo`);
      expectClose(Number(col.maximo), Number(e.maximo), `${what} maximo`);
    } else {
      expect(col.minimo, `${what} minimo`).toBe(e.minimo);
      expect(col.maximo, `${what} maximo`).toBe(e.maximo);
    }
    expectClose(col.media, e.media, `${what} media`);
    expectClose(col.desviacion, e.desviacion, `${what} desviacion`);
    expectClose(col.p25, e.p25, `${what} p25`);
    expectClose(col.p50, e.p50, `${what} p50`);
    expectClose(col.p75, e.p75, `${what} p75`);
    expect(col.longitud_min, `${what} longitud_min`).toBe(e.longitud_min);
    expect(col.longitud_max, `${what} longitud_max`).toBe(e.longitud_max);
    const top = JSON.parse(col.top_valores) as [string, number][];
    if (approximate.includes(col.nombre)) {
      expect(top.length).toBeLessThanOrEqual(5);
      if (exactTop) expect(frequent(top), `${what} frequent top_valores`).toEqual(frequent(e.top));
    } else if (numeric) {
      expect(
        top.map(([v, n]) => [Number(v), n]),
        `${what} top_valores`,
      ).toEqual(e.top.map(([v, n]) => [Number(v), n]));
      for (const [v] of top) expect(typeof v, `${what} top value as text`).toBe("string");
    } else expect(top, `${what} top_valores`).toEqual(e.top);
  });
}

/**
 * Top values of an estimated column that are frequent (10+): those are exact; the rarer
 * ones depend on which values the lossy counting kept, which may differ with the threads.
 */
const frequent = (top: [string, number][]) => top.filter(([, n]) => n >= 10);

/**
 * The profile without what changes from run to run (duration, time of day) and, in an
 * estimated column, its rare top values.
 */
function stable(profile: Profile): Profile {
  return {
    ...profile,
    resumen: { ...profile.resumen, duracion_s: 0, procesado_en: "" },
    columnas: profile.columnas.map((col) =>
      col.unicos_aproximado
        ? { ...col, top_valores: JSON.stringify(frequent(JSON.parse(col.top_valores))) }
        : col,
    ),
  };
}

function column(profile: Profile, name: string): Columna {
  const found = profile.columnas.find((col) => col.nombre === name);
  if (!found) throw new Error(`no column ${name}`);
  return found;
}

// ---------------------------------------------------------------------------------------
// Generated values

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const DAY_MS = 86_400_000;

function ymd(day: number): [number, number, number] {
  const d = new Date(day * DAY_MS);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/** A day in one of the ETL's date forms. */
function dateText(random: () => number, day: number): string {
  const [y, m, d] = ymd(day);
  switch (int(random, 0, 4)) {
    case 0:
      return `${y}-${pad(m)}-${pad(d)}`;
    case 1:
      return `${pad(d)}/${pad(m)}/${y}`;
    case 2:
      return `${y}/${pad(m)}/${pad(d)}`;
    case 3:
      return `${pad(d)}.${pad(m)}.${y}`;
    default:
      return `${pad(d)}-${pad(m)}-${y}`;
  }
}

/** A wall-clock time in one of the forms after `YYYY-MM-DD`: T or space, seconds or not, a zone or not. */
function dateTimeText(random: () => number, seconds: number): string {
  const d = new Date(seconds * 1000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const s = pad(d.getUTCSeconds());
  switch (int(random, 0, 6)) {
    case 0:
      return `${date} ${hm}:${s}`;
    case 1:
      return `${date}T${hm}:${s}`;
    case 2:
      return `${date}T${hm}:${s}Z`;
    case 3:
      return `${date}T${hm}:${s}+02:00`;
    case 4:
      return `${date} ${hm}:${s}-0500`;
    case 5:
      return `${date}T${hm}:${s}+01`;
    default:
      return `${date} ${hm}:${s}`;
  }
}

const NULLS = ["", "NULL", "null", "N/A", " ", "  NULL ", " N/A ", "null"];
const BOOLEANS = ["true", "false", "TRUE", "False", "si", "no", "Sí", "SÍ", "NO", "yes", "Yes"];
const MORE_BOOLEANS = ["YES", "No", "sí", "SI", "nO", "tRuE", "FALSE"];
const CITIES = [
  "Madrid",
  "Sevilla",
  "A Coruña",
  "Cádiz",
  "Logroño",
  "Málaga, centro",
  "  Bilbao  ",
  "Ávila",
  "San Sebastián",
  "León",
  'El "Puerto"',
];

const MIXED_HEADER = [
  "id",
  "cantidad",
  "precio",
  "descuento",
  "activo",
  "fecha",
  "momento",
  "ymd",
  "ciudad",
  "cliente",
  "codigo",
  "tardio",
  "nivel",
  "vacia",
];

/**
 * `rows` records of every column type: integers with > 4,096 distinct values (`id`,
 * `ymd`: YYYYMMDD is an integer first) and fewer (`cantidad`), decimals (`precio` many
 * distinct, `descuento` few), booleans in every spelling, dates in the ETL's forms,
 * date-times with and without zones, text with few (`ciudad`), ~55k (`cliente`) and
 * > 100k (`codigo`) distinct values, numbers that turn to text in the last record
 * (`tardio` many distinct, `nivel` few) and a column of nulls only.
 */
function* mixedRecords(seed: number, rows: number): Generator<string[]> {
  const random = prng(seed);
  const maybeNull = (p: number, value: () => string) =>
    random() < p ? pick(random, NULLS) : value();
  for (let i = 1; i <= rows; i++) {
    const last = i === rows;
    yield [
      String(i),
      maybeNull(0.06, () => String(1 + Math.floor(random() ** 2 * 40))),
      maybeNull(0.02, () => (int(random, 1, 999_999) / 100).toFixed(2)),
      pick(random, ["0", "-0.50", "0.05", "0.1", "0.15", "0.25", "-1", " 0.3 "]),
      maybeNull(0.03, () => pick(random, random() < 0.9 ? BOOLEANS : MORE_BOOLEANS)),
      maybeNull(0.03, () => dateText(random, int(random, 12_000, 20_000))),
      maybeNull(0.01, () => dateTimeText(random, int(random, 1_577_836_800, 1_735_689_599))),
      (() => {
        const [y, m, d] = ymd(int(random, 10_000, 20_000));
        return `${y}${pad(m)}${pad(d)}`;
      })(),
      maybeNull(0.02, () => CITIES[Math.floor(random() ** 1.5 * CITIES.length)] as string),
      `cli-${int(random, 1, 60_000)}`,
      random() < 0.05
        ? pick(random, ["AAA", "BBB", "CCC"])
        : `c${i.toString(36)}x${int(random, 0, 9)}`,
      last ? "pendiente" : String(int(random, 0, 99_999)),
      last ? "sin nivel" : maybeNull(0.1, () => String(int(random, 1, 300))),
      pick(random, NULLS),
    ];
  }
}

/** A few records with the wrong field count, put between `records` (seeded). */
function* withRagged(
  seed: number,
  records: Iterable<string[]>,
  every: number,
): Generator<string[]> {
  const random = prng(seed);
  for (const record of records) {
    if (random() < 1 / every)
      yield random() < 0.5 ? record.slice(0, 3) : [...record, "extra", "99"];
    yield record;
  }
}

// ---------------------------------------------------------------------------------------

describe("a large file of every column type, against DuckDB", () => {
  const rows = 120_000;
  let clean: string;
  let ragged: string;
  let raggedCount = 0;
  let expected: ExpectedColumn[];
  const profiles = new Map<number, Profile>();

  beforeAll(async () => {
    clean = join(dir, "mixto.csv");
    ragged = join(dir, "mixto-ragged.csv");
    writeCsv(clean, MIXED_HEADER, mixedRecords(1, rows));
    let records = 0;
    const bytes = writeCsv(
      ragged,
      MIXED_HEADER,
      (function* () {
        for (const record of withRagged(2, mixedRecords(1, rows), 5000)) {
          records++;
          yield record;
        }
      })(),
    );
    raggedCount = records - rows;
    expect(bytes).toBeGreaterThan(PARALLEL_MIN_BYTES);
    expected = await duckProfile(c, clean);
    for (const threads of [1, 2, 4])
      profiles.set(threads, await profileFile(ragged, { threads, name: "mixto.csv" }));
  });

  it("DuckDB sees the types the contract names", () => {
    expect(expected.map((e) => [e.nombre, e.tipo])).toEqual([
      ["id", "integer"],
      ["cantidad", "integer"],
      ["precio", "decimal"],
      ["descuento", "decimal"],
      ["activo", "boolean"],
      ["fecha", "date"],
      ["momento", "datetime"],
      ["ymd", "integer"],
      ["ciudad", "text"],
      ["cliente", "text"],
      ["codigo", "text"],
      ["tardio", "text"],
      ["nivel", "text"],
      ["vacia", "empty"],
    ]);
    expect(raggedCount).toBeGreaterThan(5);
  });

  it.each([1, 2, 4])("with %i thread(s): every statistic as DuckDB computes it", (threads) => {
    const profile = profiles.get(threads) as Profile;
    expect(profile.resumen.filas).toBe(rows);
    expect(profile.resumen.filas_malformadas).toBe(raggedCount);
    expect(profile.resumen.columnas).toBe(MIXED_HEADER.length);
    expect(profile.resumen.encoding).toBe("utf-8");
    expect(profile.resumen.delimitador).toBe(",");
    expect(profile.resumen.archivo).toBe("mixto.csv");
    expectProfileMatches(profile.columnas, expected, ["codigo"]);
  });

  it("1, 2 and 4 threads give the same profile", () => {
    const one = stable(profiles.get(1) as Profile);
    expect(stable(profiles.get(2) as Profile)).toEqual(one);
    expect(stable(profiles.get(4) as Profile)).toEqual(one);
  });

  it("muestra holds the first 1,000 well-formed rows as read; histograms sum to no_nulos", () => {
    const profile = profiles.get(2) as Profile;
    const first: string[][] = [];
    for (const record of mixedRecords(1, rows)) if (first.push(record) === 1000) break;
    expect(profile.muestra.rows).toEqual(first);
    for (const col of profile.columnas) {
      const histogram = profile.histogramas[col.nombre];
      if (col.tipo === "integer" || col.tipo === "decimal") {
        expect(histogram, col.nombre).toBeDefined();
        const h = histogram as NonNullable<typeof histogram>;
        expect(
          h.counts.reduce((a, b) => a + b, 0),
          col.nombre,
        ).toBe(col.no_nulos);
        expect(h.edges.length).toBe(h.counts.length + 1);
        expect(h.edges[0]).toBe(Number(col.minimo));
        expect(h.edges[h.edges.length - 1]).toBe(Number(col.maximo));
      } else expect(histogram, col.nombre).toBeUndefined();
    }
    expect(profile.resumen.memoria_estimada_bytes).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------

const NOTE_WORDS = [
  "hola",
  "adiós",
  "coma, dentro",
  'dijo "sí"',
  "línea\nnueva",
  '""',
  "a;b",
  "fin\n",
  '"',
  "x,y,z",
];

/**
 * Quotes everywhere: most `nota` fields hold line breaks, delimiters and doubled quotes,
 * `cita` is always quoted, written with CRLF line ends and a BOM.
 */
function* quotedRecords(seed: number, rows: number): Generator<string[]> {
  const random = prng(seed);
  for (let i = 1; i <= rows; i++) {
    const words = Array.from({ length: int(random, 1, 4) }, () => pick(random, NOTE_WORDS));
    yield [
      String(i),
      words.join(pick(random, [" ", "\n", ", ", '"'])),
      (int(random, -99_999, 99_999) / 100).toFixed(2),
      pick(random, ['"citado"', "x,y", 'él dijo ""no""', "uno\r\ndos"]),
      dateText(random, int(random, 18_000, 18_400)),
    ];
  }
}

describe("a large file with quoted line breaks, delimiters and quotes in every record", () => {
  const rows = 145_000;
  let path: string;
  let expected: ExpectedColumn[];
  const profiles = new Map<number, Profile>();

  beforeAll(async () => {
    path = join(dir, "comillas.csv");
    const bytes = writeCsv(path, ["id", "nota", "valor", "cita", "fecha"], quotedRecords(3, rows), {
      eol: "\r\n",
      bom: true,
    });
    expect(bytes).toBeGreaterThan(PARALLEL_MIN_BYTES);
    expected = await duckProfile(c, path);
    for (const threads of [1, 2, 4]) profiles.set(threads, await profileFile(path, { threads }));
  });

  it("the row count is DuckDB's, with 1, 2 and 4 threads, and the profiles are the same", async () => {
    expect(await duckRowCount(c, path)).toBe(rows);
    const one = stable(profiles.get(1) as Profile);
    expect(one.resumen.filas).toBe(rows);
    expect(one.resumen.filas_malformadas).toBe(0);
    expect(stable(profiles.get(2) as Profile)).toEqual(one);
    expect(stable(profiles.get(4) as Profile)).toEqual(one);
  });

  it("every statistic as DuckDB computes it; the header's BOM is not part of its first name", () => {
    const profile = profiles.get(4) as Profile;
    expect(profile.columnas[0]?.nombre).toBe("id");
    expect(expected.map((e) => e.tipo)).toEqual(["integer", "text", "decimal", "text", "date"]);
    expectProfileMatches(profile.columnas, expected);
  });

  it("muestra keeps the quoted fields as they were written", () => {
    const first: string[][] = [];
    for (const record of quotedRecords(3, rows)) if (first.push(record) === 1000) break;
    expect((profiles.get(2) as Profile).muestra.rows).toEqual(first);
  });
});

describe("a `;` file with decimal commas", () => {
  const rows = 190_000;
  let path: string;
  let expected: ExpectedColumn[];
  const profiles = new Map<number, Profile>();

  function* records(): Generator<string[]> {
    const random = prng(4);
    for (let i = 1; i <= rows; i++)
      yield [
        (int(random, -500_000, 5_000_000) / 100).toFixed(2).replace(".", ","),
        String(int(random, 0, 12)),
        pick(random, ["uno, dos", "tres; cuatro", "cinco", "seis", 'siete "7"', "ocho\nnueve"]),
        (() => {
          const [y, m, d] = ymd(int(random, 18_000, 19_000));
          return random() < 0.5 ? `${pad(d)}.${pad(m)}.${y}` : `${pad(d)}/${pad(m)}/${y}`;
        })(),
        pick(random, ["si", "no", "sí", "No", "SI", "N/A"]),
        random() < 0.5 ? `${int(random, 0, 99)},${int(random, 1, 9)}` : `${int(random, 0, 99)}.25`,
        String(i),
      ];
  }

  beforeAll(async () => {
    path = join(dir, "punto-y-coma.csv");
    const header = ["importe", "unidades", "nota", "fecha", "activo", "mezcla", "id"];
    const bytes = writeCsv(path, header, records(), { delimiter: ";" });
    expect(bytes).toBeGreaterThan(PARALLEL_MIN_BYTES);
    expected = await duckProfile(c, path, ";");
    for (const threads of [1, 2]) profiles.set(threads, await profileFile(path, { threads }));
  });

  it("reads `1234,56` as a decimal (and `12.25` too) and every statistic as DuckDB computes it", () => {
    expect(expected.map((e) => e.tipo)).toEqual([
      "decimal",
      "integer",
      "text",
      "date",
      "boolean",
      "decimal",
      "integer",
    ]);
    for (const threads of [1, 2]) {
      const profile = profiles.get(threads) as Profile;
      expect(profile.resumen.delimitador).toBe(";");
      expect(profile.resumen.filas).toBe(rows);
      expectProfileMatches(profile.columnas, expected);
    }
    expect(stable(profiles.get(2) as Profile)).toEqual(stable(profiles.get(1) as Profile));
  });
});

// ---------------------------------------------------------------------------------------

describe("distinct values: exact up to 100,000, estimated above", () => {
  it("> 100,000 distinct in a text column: flagged approximate, within 2% of DuckDB's exact count, top values exact", async () => {
    const path = join(dir, "distintos.csv");
    const random = prng(5);
    const heavy = ["ALFA", "BETA", "GAMMA", "DELTA", "EPSILON", "ZETA", "ETA"];
    const bytes = writeCsv(
      path,
      ["codigo", "grupo", "n"],
      (function* () {
        for (let i = 0; i < 480_000; i++)
          yield [
            random() < 0.06
              ? (heavy[Math.floor(random() ** 2 * heavy.length)] as string)
              : Math.floor(random() * 2 ** 40).toString(36),
            `g${int(random, 1, 12)}`,
            String(int(random, 0, 99_999)),
          ];
      })(),
    );
    expect(bytes).toBeGreaterThan(PARALLEL_MIN_BYTES);
    const expected = await duckProfile(c, path);
    expect(expected[0]?.unicos).toBeGreaterThan(300_000);
    const one = await profileFile(path, { threads: 1 });
    const two = await profileFile(path, { threads: 2 });
    for (const profile of [one, two]) expectProfileMatches(profile.columnas, expected, ["codigo"]);
  });

  /** `distinct` values (each once, then a second round of a fifth of them), padded past 8 MB. */
  function writeDistinct(path: string, distinct: number): number {
    const random = prng(distinct);
    const filler = "r".repeat(64);
    return writeCsv(
      path,
      ["valor", "relleno"],
      (function* () {
        for (let i = 0; i < distinct; i++) yield [`v${i}`, filler];
        for (let i = 0; i < distinct / 5; i++) yield [`v${int(random, 0, distinct - 1)}`, filler];
      })(),
    );
  }

  it.each([
    [100_000, false],
    [100_001, true],
  ])(
    "%i distinct values: unicos_aproximado %s (1 and 2 threads)",
    async (distinct, approximate) => {
      const path = join(dir, `limite-${distinct}.csv`);
      expect(writeDistinct(path, distinct)).toBeGreaterThan(PARALLEL_MIN_BYTES);
      const expected = await duckProfile(c, path);
      expect(expected[0]?.unicos).toBe(distinct);
      for (const threads of [1, 2]) {
        const profile = await profileFile(path, { threads });
        expectProfileMatches(profile.columnas, expected, approximate ? ["valor"] : [], false);
        if (!approximate) expect(profile.columnas[0]?.unicos).toBe(distinct);
      }
    },
  );

  it("numbers at the 4,096 distinct values where counting turns into a list: the same statistics", async () => {
    const path = join(dir, "cuatro-mil.csv");
    const random = prng(6);
    writeCsv(
      path,
      ["a4096", "b4097", "d4096", "d4097"],
      (function* () {
        for (let i = 0; i < 20_000; i++) {
          const k = i < 4097 ? i : int(random, 0, 4096);
          yield [
            String(Math.min(k, 4095) * 3 - 5000),
            String(k * 7 - 9000),
            ((Math.min(k, 4095) - 2000) / 8).toString(),
            ((k - 2000) / 4).toFixed(2),
          ];
        }
      })(),
    );
    const expected = await duckProfile(c, path);
    expect(expected.map((e) => e.unicos)).toEqual([4096, 4097, 4096, 4097]);
    expectProfileMatches((await profileFile(path)).columnas, expected);
  });
});

// ---------------------------------------------------------------------------------------

describe("numbers and dates that turn out to be text", () => {
  it("a column numeric up to its last value, then text: type text, counts right (1 and 2 threads)", async () => {
    const path = join(dir, "tarde.csv");
    const random = prng(7);
    const rows = 160_000;
    writeCsv(
      path,
      ["muchos", "pocos", "fecha", "relleno"],
      (function* () {
        for (let i = 1; i <= rows; i++) {
          const last = i === rows;
          yield [
            last ? "texto al final" : String(int(random, -50_000, 50_000)),
            last ? "?" : random() < 0.1 ? "" : String(int(random, 0, 50)),
            last ? "no sé" : dateText(random, int(random, 18_000, 18_030)).replaceAll("/", "-"),
            "relleno relleno relleno relleno relleno",
          ];
        }
      })(),
    );
    const expected = await duckProfile(c, path);
    expect(expected.map((e) => e.tipo)).toEqual(["text", "text", "text", "text"]);
    for (const threads of [1, 2]) {
      const profile = await profileFile(path, { threads });
      expect(profile.columnas.map((col) => col.tipo)).toEqual(["text", "text", "text", "text"]);
      for (const [i, col] of profile.columnas.entries()) {
        expect(col.no_nulos, col.nombre).toBe(expected[i]?.no_nulos);
        expect(col.nulos, col.nombre).toBe(expected[i]?.nulos);
      }
      // `muchos` and `pocos` were written canonically (no leading zeros), so their texts are exact.
      expectProfileMatches(profile.columnas.slice(0, 2), expected.slice(0, 2));
    }
  });

  // Once a column can no longer be a number or a date (column.ts `demote`, merge.ts
  // `countsOf`), the values read so far as doubles are counted by their texts as written (`01001`, not `1001`; `1.50` apart from `1.5`; `05/03/2024` apart from
  // `2024-03-05`): distinct counts, top values, min/max and lengths match the file's text.
  it("a text column keeps the texts of the values first read as numbers or dates", async () => {
    const path = join(dir, "codigos.csv");
    writeFileSync(
      path,
      [
        "cp,importe,fecha",
        "01001,1.50,05/03/2024",
        "28001,1.5,2024-03-05",
        "01001,2.0,05.03.2024",
        "08001,2,2024/03/05",
        "E-123,?,desconocida",
        "",
      ].join("\n"),
    );
    const expected = await duckProfile(c, path);
    expect(expected.map((e) => e.tipo)).toEqual(["text", "text", "text"]);
    expect(expected.map((e) => e.unicos)).toEqual([4, 5, 5]);
    expectProfileMatches((await profileFile(path)).columnas, expected);
  });

  it("a large code column, zero-padded numbers until a letter code at the end, keeps its texts (1 and 2 threads)", async () => {
    const path = join(dir, "codigos-grandes.csv");
    const random = prng(77);
    const lines = ["cp,importe"];
    // > 8 MB, so two threads each hold a part; > 4,096 distinct codes, so the values are
    // listed (not counted) and their zero-padded spellings are what keeps the texts.
    for (let i = 0; i < 700_000; i++)
      lines.push(
        `${String(int(random, 1, 52_999)).padStart(5, "0")},${int(random, 0, 9_999)}.${int(random, 0, 99)}0`,
      );
    lines.push("E-123,1.5");
    writeFileSync(path, `${lines.join("\n")}\n`);
    const expected = await duckProfile(c, path);
    expect(expected.map((e) => e.tipo)).toEqual(["text", "decimal"]);
    for (const threads of [1, 2]) {
      const profile = await profileFile(path, { threads });
      expect(profile.columnas[0]?.minimo).toMatch(/^0/);
      expectProfileMatches(profile.columnas, expected);
    }
  });
});

// ---------------------------------------------------------------------------------------

describe("malformed records and unclosed quotes", () => {
  it("records with the wrong field count are counted in filas_malformadas and left out", async () => {
    const path = join(dir, "irregular.csv");
    const lines = [
      "id,nombre,fecha",
      "1,ana,2024-01-01",
      "2,solo dos",
      "3,luis,2024-01-02,de más",
      "",
      "   ",
      '4,"eva, con coma",2024-01-03',
      "texto,texto",
      "5,,2024-01-04",
      "x,y,z,w,v",
    ];
    writeFileSync(path, `${lines.join("\n")}\n`);
    const profile = await profileFile(path);
    expect(profile.resumen.filas).toBe(3);
    expect(profile.resumen.filas_malformadas).toBe(4);
    const clean = join(dir, "irregular-limpio.csv");
    writeFileSync(
      clean,
      `${["id,nombre,fecha", "1,ana,2024-01-01", '4,"eva, con coma",2024-01-03', "5,,2024-01-04"].join("\n")}\n`,
    );
    // Only the well-formed records count: `texto` never reaches the integer column.
    expect(profile.columnas.map((col) => col.tipo)).toEqual(["integer", "text", "date"]);
    expectProfileMatches(profile.columnas, await duckProfile(c, clean));
    expect(profile.muestra.rows).toEqual([
      ["1", "ana", "2024-01-01"],
      ["4", "eva, con coma", "2024-01-03"],
      ["5", "", "2024-01-04"],
    ]);
  });

  it("a quote never closed: an InputError naming the line the quote opens on", async () => {
    const path = join(dir, "sin-cerrar.csv");
    const text =
      'id,nota,valor\n1,uno,1\n"2\nx",dos,2\n3,"tres\nlíneas",3\n4,"abierta,4\n5,cinco,5\n';
    writeFileSync(path, text);
    const error = await profileFile(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).line).toBe(7);
    expect((error as InputError).message).toContain("sin-cerrar.csv:7:");
  });

  /**
   * A file over 8 MB: records whose quoted fields span lines, then one quote never closed
   * in the record at `at` (a fraction of the records), then records without quotes (a
   * later quote would close it). `spanFirstMiB`: a long quoted field crosses byte 1 MiB.
   * Returns the line of the quote.
   */
  function writeUnclosed(path: string, at: number, spanFirstMiB: boolean): number {
    const random = prng(Math.round(at * 1000));
    const records = 300_000;
    const parts: string[] = ["id,nota,valor\n"];
    let offset = parts[0]?.length as number;
    let spanned = false;
    let line = -1;
    for (let i = 1; i <= records; i++) {
      let record: string;
      if (i === Math.round(records * at)) {
        record = `${i},"abierta y nunca cerrada,${i}\n`;
        line = 1 + parts.join("").split("\n").length - 1;
      } else if (spanFirstMiB && !spanned && offset >= 2 ** 20 - 1000) {
        record = `${i},"${"larga ".repeat(500)}\n""sigue""",${i}\n`;
        spanned = true;
      } else if (line === -1)
        record = `${i},"nota ${i}\n${pick(random, ["a,b", '""c""', "d"])}",${int(random, 0, 999)}\n`;
      else record = `${i},nota ${i} sin comillas,${int(random, 0, 999)}\n`;
      parts.push(record);
      offset += record.length; // ASCII only: characters are bytes
    }
    const text = parts.join("");
    writeFileSync(path, text);
    expect(text.length).toBeGreaterThan(PARALLEL_MIN_BYTES);
    if (spanFirstMiB) {
      // The quoted field that crosses 1 MiB: its opening quote before, its closing quote after.
      const open = text.lastIndexOf(',"larga', 2 ** 20);
      expect(open).toBeGreaterThan(0);
      expect(text.indexOf('"""', open)).toBeGreaterThan(2 ** 20);
    }
    return line;
  }

  it.each([
    [0.8, 2],
    [0.8, 4],
    [0.3, 2],
    [0.3, 4],
  ])(
    "in a large file (quote at %f of it, %i threads): the line is the file's",
    async (at, threads) => {
      const path = join(dir, `sin-cerrar-${at}-${threads}.csv`);
      const line = writeUnclosed(path, at, false);
      const error = await profileFile(path, { threads }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).line).toBe(line);
      expect((error as InputError).message).toMatch(new RegExp(`:${line}: .*never closed`));
    },
  );

  it("in a large file whose first MiB ends inside a quoted field (2 threads): still an InputError with the line", async () => {
    const path = join(dir, "sin-cerrar-mib.csv");
    const line = writeUnclosed(path, 0.8, true);
    for (const threads of [1, 2]) {
      const error = await profileFile(path, { threads }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `${threads} threads`).toBeInstanceOf(InputError);
      expect((error as InputError).line).toBe(line);
    }
  });
});

// ---------------------------------------------------------------------------------------

describe("encodings and files that are not CSV", () => {
  it("UTF-8 with a BOM, Windows-1252 and plain UTF-8 of the same text: the same profile", async () => {
    const random = prng(8);
    const lines = ["año,descripción,importe,señal"];
    for (let i = 0; i < 3000; i++)
      lines.push(
        [
          String(int(random, 1990, 2030)),
          pick(random, ["niño", "€ 5", "cañón", "Ñandú", "crème brûlée", "«cita»", "plain"]),
          (int(random, 0, 99_999) / 100).toFixed(2),
          pick(random, ["sí", "no", "SÍ", "No"]),
        ].join(","),
      );
    const text = `${lines.join("\r\n")}\r\n`;
    const utf8 = join(dir, "utf8.csv");
    const bom = join(dir, "bom.csv");
    const cp1252 = join(dir, "cp1252.csv");
    writeFileSync(utf8, text);
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    // Windows-1252: Latin-1 for these letters, 0x80 for €.
    const bytes = Buffer.from(text.replaceAll("€", "\x80"), "latin1");
    expect(bytes.includes(0xf1)).toBe(true); // ñ
    expect(bytes.includes(0x80)).toBe(true); // €
    writeFileSync(cp1252, bytes);

    const expected = await duckProfile(c, utf8);
    expect(expected.map((e) => e.tipo)).toEqual(["integer", "text", "decimal", "boolean"]);
    const plain = await profileFile(utf8);
    expectProfileMatches(plain.columnas, expected);
    for (const [path, encoding] of [
      [bom, "utf-8"],
      [cp1252, "windows-1252"],
    ] as const) {
      const profile = await profileFile(path, { name: "utf8.csv" });
      expect(profile.resumen.encoding).toBe(encoding);
      expect(profile.columnas).toEqual(plain.columnas);
      expect(profile.muestra).toEqual(plain.muestra);
      expect(profile.resumen.memoria_estimada_bytes).toBe(plain.resumen.memoria_estimada_bytes);
    }
    expect(plain.columnas[0]?.nombre).toBe("año");
    expect(plain.muestra.rows[0]).toEqual(lines[1]?.split(","));
  });

  it("a header only: no rows, every column empty", async () => {
    for (const text of ["id,nombre,importe\n", "id,nombre,importe"]) {
      const path = join(dir, "cabecera.csv");
      writeFileSync(path, text);
      const profile = await profileFile(path);
      expect(profile.resumen.filas).toBe(0);
      expect(profile.resumen.columnas).toBe(3);
      expect(profile.resumen.memoria_estimada_bytes).toBe(0);
      expect(profile.muestra.rows).toEqual([]);
      expect(profile.histogramas).toEqual({});
      for (const col of profile.columnas) {
        expect(col).toMatchObject({
          tipo: "empty",
          no_nulos: 0,
          nulos: 0,
          unicos: 0,
          minimo: null,
          maximo: null,
          media: null,
          top_valores: "[]",
        });
      }
    }
  });

  async function failure(path: string): Promise<InputError> {
    const error = await profileFile(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }

  it("an empty file, a binary file and CR-only line ends are errors", async () => {
    const empty = join(dir, "vacio.csv");
    writeFileSync(empty, "");
    expect((await failure(empty)).message).toMatch(/empty/);
    const blank = join(dir, "blanco.csv");
    writeFileSync(blank, "\n\n  \n");
    expect((await failure(blank)).message).toMatch(/empty/);

    const binary = join(dir, "imagen.csv");
    writeFileSync(
      binary,
      Buffer.concat([Buffer.from("id,nombre\n1,a\n"), Buffer.from([0x89, 0x50, 0x00, 0x0d, 0x0a])]),
    );
    expect((await failure(binary)).message).toMatch(/binary/);

    const mac = join(dir, "mac.csv");
    writeFileSync(mac, "id,nombre\r1,a\r2,b\r");
    const error = await failure(mac);
    expect(error.message).toMatch(/CR/);
    expect(error.line).toBe(1);
  });
});

describe("a tiny file by hand", () => {
  it("every statistic, the sample, histograms and memoria_estimada_bytes as documented", async () => {
    const path = join(dir, "minimo.csv");
    writeFileSync(
      path,
      [
        "i,d,b,f,t,ts,e",
        "1,1.5,true,2024-01-02,ab,2024-01-02 10:00:00,",
        "2,,no,,ñandú,2024-01-03T11:00:00Z,",
        "3,2.25,si,2024-01-05,,2024-01-04 12:00,NULL",
        "",
      ].join("\n"),
    );
    const profile = await profileFile(path);
    expect(profile.columnas.map((col) => col.tipo)).toEqual([
      "integer",
      "decimal",
      "boolean",
      "date",
      "text",
      "datetime",
      "empty",
    ]);
    expectProfileMatches(profile.columnas, await duckProfile(c, path));
    expect(column(profile, "ts")).toMatchObject({
      minimo: "2024-01-02 10:00:00",
      maximo: "2024-01-04 12:00:00",
    });
    expect(column(profile, "d")).toMatchObject({ media: 1.875, p50: 1.875, nulos: 1 });
    expect(column(profile, "i")).toMatchObject({ media: 2, desviacion: 1, p25: 1.5, p75: 2.5 });
    expect(profile.muestra.rows).toHaveLength(3);
    expect(profile.muestra.rows[1]).toEqual([
      "2",
      "",
      "no",
      "",
      "ñandú",
      "2024-01-03T11:00:00Z",
      "",
    ]);
    expect(profile.histogramas.i?.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(profile.histogramas.d?.counts.reduce((a, b) => a + b, 0)).toBe(2);
    // 3 rows, the Arrow layout of memory.ts: 8 bytes a value (integer, decimal, datetime),
    // 4 (date), a bit (boolean), 4-byte offsets a row + 1 plus the UTF-8 bytes (text), and
    // a validity bit a row for each column with nulls (d, f, t, e).
    const i = 8 * 3;
    const d = 1 + 8 * 3;
    const b = 1;
    const f = 1 + 4 * 3;
    const t = 1 + 4 * (3 + 1) + Buffer.byteLength("ab") + Buffer.byteLength("ñandú");
    const ts = 8 * 3;
    const e = 1;
    expect(profile.resumen.memoria_estimada_bytes).toBe(i + d + b + f + t + ts + e);
    expect(profile.resumen.memoria_estimada_bytes).toBe(114);
  });

  it("the first 1,000 rows in muestra, whatever the chunk size", async () => {
    const path = join(dir, "muestra.csv");
    const records: string[][] = [];
    for (let i = 0; i < 2500; i++) records.push([String(i), ` v${i} `]);
    writeCsv(path, ["n", "v"], records);
    for (const chunkSize of [1, 7, 10_000]) {
      const progress: number[] = [];
      const profile = await profileFile(path, {
        chunkSize,
        onProgress: (p) => progress.push(p.rowsProcessed),
      });
      expect(profile.muestra.rows).toEqual(records.slice(0, 1000));
      expect(profile.resumen.filas).toBe(2500);
      expect(progress.at(-1)).toBe(2500);
      expect(column(profile, "v").longitud_max).toBe(5);
    }
  });
});

// ---------------------------------------------------------------------------------------

describe("abort", () => {
  it("aborted mid-run (2 and 4 threads): rejects with the reason and leaves no thread running", async () => {
    const path = join(dir, "abortar.csv");
    expect(writeCsv(path, MIXED_HEADER, mixedRecords(9, 90_000))).toBeGreaterThan(
      PARALLEL_MIN_BYTES,
    );
    for (const count of [2, 4]) {
      const before = threads.started.length;
      const controller = new AbortController();
      const reason = new Error("stop");
      let reports = 0;
      const error = await profileFile(path, {
        threads: count,
        chunkSize: 500,
        signal: controller.signal,
        onProgress: () => {
          if (++reports === 3) controller.abort(reason);
        },
      }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBe(reason);
      const started = threads.started.slice(before);
      expect(started.length).toBe(count); // one thread per part
      // Every thread still running when the run was given up is told to stop, and stops.
      for (const thread of started) expect(thread.done || thread.terminated).toBe(true);
      await Promise.all(started.map((thread) => thread.exited));
    }
  });

  it("an already aborted signal, and an abort on a single thread, reject", async () => {
    const path = join(dir, "abortar-pequeno.csv");
    writeCsv(
      path,
      ["n"],
      Array.from({ length: 50_000 }, (_, i) => [String(i)]),
    );
    const reason = new Error("ya");
    await expect(profileFile(path, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    const stop = new Error("stop");
    await expect(
      profileFile(path, {
        chunkSize: 100,
        signal: controller.signal,
        onProgress: () => controller.abort(stop),
      }),
    ).rejects.toBe(stop);
  });
});

describe("memory of a text column past the exact limit", () => {
  // index.ts: "the distinct values of text columns (at most 100,000 each, then an
  // estimate)". Before the pruning in `count` past the first overflow, the counts were
  // pruned to 50,000 once and then grew with every new distinct value (249,999 here).
  it("keeps at most 100,000 counts however many distinct values it sees", () => {
    const column = new ColumnAccumulator(false);
    for (let i = 0; i < 3 * EXACT_DISTINCT_LIMIT; i++) column.add(`id-${i}`);
    const state = column.state();
    expect(state.hll).not.toBeNull();
    expect(state.counts?.size).toBeLessThanOrEqual(EXACT_DISTINCT_LIMIT);
  });
});
