/**
 * `npm run bench:api [-- --sizes 1000000,10000000 --seconds 5 --rounds 3 --db PATH]`
 *
 * For each size: builds the database (generator + ETL; or serves `--db`, as it is), then
 *
 * 1. in this process, times the summary's cache miss for each combination of parameters:
 *    `SalesStore.summary()` on distinct queries, the cache emptied before each call, so
 *    every call reads the database (this is the work a miss puts on the event loop);
 * 2. starts the API as a real process (`node dist/api/cli.js` on 127.0.0.1, settings as
 *    shipped) and loads it with autocannon at 32 connections: the unfiltered summary (one
 *    cached answer), the summary with varied filters (a fixed pseudo-random sequence over
 *    every combination of desde, hasta and ciudad: mostly cache misses), and a
 *    static-JSON route added to the same app (same middleware, logging and hono +
 *    node-server stack; same body bytes) in the same run. The three loads alternate, for
 *    `rounds` rounds, so a neighbour's burst of CPU use does not favour one of them; each
 *    figure is the median of its rounds (errors are summed).
 *
 * Prints requests/s, p50 and p99 latency, errors and the ratio to the static route.
 * Targets at 10M sales: unfiltered ≥ 0.8 × the static route's throughput, p99 ≤ 10 ms,
 * no errors.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import Sqlite from "better-sqlite3";
import { SalesStore } from "../src/api/sales-store.js";
import { buildDatabase, flag, fmt, printTable, ROOT } from "./measure.js";

const sizes = flag("sizes", "1000000,10000000").split(",").map(Number);
const seconds = Number(flag("seconds", "5"));
const rounds = Number(flag("rounds", "3"));
const givenDb = flag("db", "");
const work = mkdtempSync(join(tmpdir(), "bench-api-"));

function start(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
      const port = /listening on http:\/\/[\d.]+:(\d+)/.exec(stderr)?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
    child.on("exit", (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
}

/** A small deterministic generator (mulberry32), so every run asks the same queries. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Query = { desde?: string; hasta?: string; ciudad?: string };

/** `count` queries cycling through the eight combinations, values drawn from the data. */
function variedQueries(db: string, count: number, seed = 1): Query[] {
  const sqlite = new Sqlite(db, { readonly: true });
  const days = sqlite
    .prepare("SELECT DISTINCT fecha FROM ventas_resumen_diario ORDER BY 1")
    .pluck()
    .all() as string[];
  const cities = sqlite
    .prepare("SELECT DISTINCT ciudad FROM ventas_resumen_diario ORDER BY 1")
    .pluck()
    .all() as string[];
  sqlite.close();
  const next = random(seed);
  const pick = <T>(values: T[]) => values[Math.floor(next() * values.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const query: Query = {};
    if (i & 1) query.desde = pick(days);
    if (i & 2) query.hasta = pick(days);
    if (query.desde && query.hasta && query.desde > query.hasta)
      [query.desde, query.hasta] = [query.hasta, query.desde];
    if (i & 4) query.ciudad = pick(cities);
    return query;
  });
}

const combination = (q: Query) => Object.keys(q).join("+") || "(none)";

/** Mean and p99 time of a cache miss per combination, in µs. */
function missCosts(db: string): Map<string, { mean: number; p99: number }> {
  const store = new SalesStore(db);
  // Emptied before every call: each one is a miss (works on the previous store too).
  const cache = (store as unknown as { cache: { clear(): void } }).cache;
  const queries = variedQueries(db, 8 * 2000, 7);
  for (const q of queries.slice(0, 800)) {
    cache.clear();
    store.summary(q);
  }
  const times = new Map<string, number[]>();
  for (const q of queries) {
    cache.clear();
    const began = process.hrtime.bigint();
    store.summary(q);
    const us = Number(process.hrtime.bigint() - began) / 1000;
    const list = times.get(combination(q)) ?? [];
    list.push(us);
    times.set(combination(q), list);
  }
  store.close();
  const costs = new Map<string, { mean: number; p99: number }>();
  for (const [name, list] of times) {
    list.sort((a, b) => a - b);
    costs.set(name, {
      mean: list.reduce((a, b) => a + b, 0) / list.length,
      p99: list[Math.floor(list.length * 0.99)] as number,
    });
  }
  return costs;
}

type Load = { rps: number; p50: number; p99: number; errors: number };

function loader(url: string, paths?: string[]) {
  let at = 0;
  const options: autocannon.Options = { url, connections: 32 };
  if (paths) {
    options.requests = [
      {
        setupRequest(request) {
          request.path = paths[at++ % paths.length] as string;
          return request;
        },
      },
    ];
  }
  return async (duration = seconds): Promise<Load> => {
    const result = await autocannon({ ...options, duration });
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
    };
  };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** The loads in turn, `rounds` times; per load, the median of each figure. */
async function alternate(loads: (() => Promise<Load>)[]): Promise<Load[]> {
  const results: Load[][] = loads.map(() => []);
  for (let round = 0; round < rounds; round++)
    for (const [i, run] of loads.entries()) results[i]?.push(await run());
  return results.map((list) => ({
    rps: median(list.map((r) => r.rps)),
    p50: median(list.map((r) => r.p50)),
    p99: median(list.map((r) => r.p99)),
    errors: list.reduce((sum, r) => sum + r.errors, 0),
  }));
}

const rows: string[][] = [];
const missRows: string[][] = [];
try {
  for (const size of givenDb ? [0] : sizes) {
    const db = givenDb || buildDatabase(size, work);
    const label = givenDb ? givenDb : size.toLocaleString("en-US");

    const costs = missCosts(db);
    const all = [...costs.values()];
    missRows.push([
      label,
      ...[...costs.entries()].map(([, c]) => `${Math.round(c.mean)} / ${Math.round(c.p99)}`),
      `**${Math.round(all.reduce((a, c) => a + c.mean, 0) / all.length)}**`,
    ]);
    if (missRows.length === 1) missRows.unshift(["", ...costs.keys(), "mean"]);

    const api = await start(["dist/api/cli.js", "--port", "0", "--host", "127.0.0.1", "--db", db], {
      LOG_DIR: join(work, "logs"),
    });
    const body = await (await fetch(`${api.url}/ventas/resumen_por_categoria`)).text();
    const staticServer = await start(["--import", "tsx", "bench/static-server.ts"], {
      STATIC_BODY: body,
      DB_PATH: db,
      LOG_DIR: join(work, "logs"),
    });
    const paths = variedQueries(db, 100_000).map(
      (q) => `/ventas/resumen_por_categoria?${new URLSearchParams(q)}`,
    );
    const loads = [
      loader(`${api.url}/ventas/resumen_por_categoria`),
      loader(api.url, paths),
      loader(`${staticServer.url}/static`),
    ];
    for (const run of loads) await run(2); // warm-up
    const [summary, varied, reference] = (await alternate(loads.map((run) => () => run()))) as [
      Load,
      Load,
      Load,
    ];
    api.child.kill("SIGTERM");
    staticServer.child.kill("SIGTERM");
    if (!givenDb) rmSync(db, { force: true });
    const line = (name: string, r: Load) =>
      `${name}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}`;
    console.error(
      `${label}: ${line("summary", summary)}; ${line("varied", varied)}; ${line("static", reference)}`,
    );
    const cell = (r: Load) => [Math.round(r.rps).toLocaleString("en-US"), `${r.p50} / ${r.p99} ms`];
    rows.push([
      label,
      ...cell(summary),
      ...cell(varied),
      String(summary.errors + varied.errors),
      ...cell(reference),
      `**${fmt(summary.rps / reference.rps)}** / ${fmt(varied.rps / reference.rps)}`,
    ]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log("Cache miss, in process (µs, mean / p99, per combination of parameters):\n");
const [missHeader, ...missBody] = missRows;
printTable(["sales rows", ...(missHeader ?? []).slice(1)], missBody);
console.log("\nOver HTTP:\n");
printTable(
  [
    "sales rows",
    "summary req/s",
    "p50 / p99",
    "varied filters req/s",
    "p50 / p99",
    "errors",
    "static req/s",
    "p50 / p99",
    "ratio summary / varied",
  ],
  rows,
);
console.log(
  `\n(autocannon, 32 connections, medians of ${rounds} alternating rounds of ${seconds} s after a 2 s warm-up; targets at 10M: summary ratio ≥ 0.8, p99 ≤ 10 ms, no errors)`,
);
