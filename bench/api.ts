/**
 * `npm run bench:api [-- --sizes 1000000,10000000 --seconds 5 --rounds 5 --connections 32
 *   --db PATH[,PATH…] --only miss|http --ceiling --cpu-prof DIR]`
 *
 * For each size: builds the database (generator + ETL; or serves each `--db`, as it is), then
 *
 * 1. in this process, times the summary's cache miss for each combination of parameters:
 *    `SalesStore.summary()` on distinct queries, the cache emptied before each call, so
 *    every call reads the database (this is the work a miss puts on the event loop);
 * 2. starts the API as a real process (`node dist/api/cli.js` on 127.0.0.1, settings as
 *    shipped: sampled request log, security headers, ETag) and the reference, a **bare hono
 *    app on @hono/node-server in a separate process** (`bench/bare-hono.ts`: one route, no
 *    middleware, the same JSON bytes), and loads them with autocannon (32 connections, in
 *    this process) in turn: the unfiltered summary (one cached answer), the bare app, and the
 *    summary with **varied filters** (a fixed pseudo-random sequence of 100,000 queries over
 *    the eight combinations of desde, hasta and ciudad: mostly cache misses). The three loads
 *    alternate for `rounds` rounds, the order rotating each round, so a neighbour's burst of
 *    CPU use does not favour one of them.
 *
 * Prints per load the median and spread (min–max over the rounds) of requests/s, p50 and
 * p99 latency, errors, the server's CPU (% of a core, and µs of CPU per request: steadier
 * than requests/s when other work shares the cores) and the load generator's own CPU; the
 * ratio summary / bare is taken per round (the two ran back to back) and summarized the same
 * way. Targets at 10M sales: summary ≥ 0.8 × bare, p99 ≤ 5 ms; varied filters ≥ 5,000 req/s;
 * no errors.
 *
 * The load generator must not be the limit: its CPU is printed for every load (a generator
 * near 100 % of a core is saturated, and the server's rate is then the generator's), and
 * `--ceiling` adds a fourth load, a raw `node:http` server answering the same bytes, as the
 * most this generator drives on this machine. On 2 cores, autocannon's worker threads do not
 * help: the server has one core, the generator the other.
 *
 * `--cpu-prof DIR` starts the API with `node --cpu-prof --cpu-prof-dir DIR` (written at its
 * exit), to see where the time goes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import Sqlite from "better-sqlite3";
import { SalesStore } from "../src/api/sales-store.js";
import { buildDatabase, flag, fmt, printTable, ROOT } from "./measure.js";

const sizes = flag("sizes", "1000000,10000000").split(",").map(Number);
const seconds = Number(flag("seconds", "5"));
const rounds = Number(flag("rounds", "5"));
const connections = Number(flag("connections", "32"));
const givenDbs = flag("db", "").split(",").filter(Boolean);
const only = flag("only", "");
const ceiling = process.argv.includes("--ceiling");
const cpuProf = flag("cpu-prof", "");
const work = mkdtempSync(join(tmpdir(), "bench-api-"));

const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 5;
const TARGET_VARIED_RPS = 5000;

/** A raw `node:http` server answering BARE_BODY: the ceiling of what the generator drives. */
const RAW_HTTP = `import { createServer } from "node:http";
const body = Buffer.from(process.env.BARE_BODY ?? "{}");
const server = createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": body.length });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => process.stderr.write("listening on http://127.0.0.1:" + server.address().port + "\\n"));
process.once("SIGTERM", () => process.exit(0));`;

interface Server {
  child: ChildProcess;
  url: string;
}

function start(args: string[], env: Record<string, string>): Promise<Server> {
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

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once("exit", () => resolve());
    server.child.kill("SIGTERM");
  });
}

/** CPU time (user + system) a process has used so far, in seconds (Linux: /proc). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
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
  // Emptied before every call: each one is a miss.
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

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server's CPU, % of one core. */
  serverCpu: number;
  /** The server's CPU per request, µs. */
  cpuPerRequest: number;
  /** The load generator's (this process's) CPU, % of one core. */
  generatorCpu: number;
}

function loader(server: Server, path: string, paths?: string[]) {
  let at = 0;
  const options: autocannon.Options = { url: `${server.url}${path}`, connections };
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
    const serverBefore = cpuSeconds(server.child.pid);
    const ownBefore = process.cpuUsage();
    const began = performance.now();
    const result = await autocannon({ ...options, duration });
    const wall = (performance.now() - began) / 1000;
    const own = process.cpuUsage(ownBefore);
    const serverCpu = cpuSeconds(server.child.pid) - serverBefore;
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      serverCpu: (100 * serverCpu) / wall,
      cpuPerRequest: (1e6 * serverCpu) / Math.max(1, result.requests.total),
      generatorCpu: (100 * (own.user + own.system)) / 1e6 / wall,
    };
  };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Median and spread: `12,345 (11,000–13,000)`. */
function spread(values: number[], digits = 0): string {
  const show = (n: number) =>
    n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${show(median(values))} (${show(Math.min(...values))}–${show(Math.max(...values))})`;
}

/** The loads in turn, `rounds` times, the order rotating each round; every round's figures. */
async function alternate(loads: (() => Promise<Load>)[]): Promise<Load[][]> {
  const results: Load[][] = loads.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < loads.length; k++) {
      const i = (round + k) % loads.length;
      results[i]?.push(await (loads[i] as () => Promise<Load>)());
    }
    process.stderr.write(`  round ${round + 1}/${rounds} (load average ${loadText()})\n`);
  }
  return results;
}

const loadText = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");

const missRows: string[][] = [];
let missHeader: string[] = [];
const httpRows: string[][] = [];
const ratioRows: string[][] = [];
const verdicts: string[] = [];
try {
  const targets = givenDbs.length > 0 ? givenDbs.map((db) => ({ db, size: 0 })) : sizes;
  for (const target of targets) {
    const size = typeof target === "number" ? target : 0;
    const db = typeof target === "number" ? buildDatabase(size, work) : target.db;
    const label = typeof target === "number" ? size.toLocaleString("en-US") : db;

    if (only !== "http") {
      const costs = missCosts(db);
      const all = [...costs.values()];
      missHeader = [...costs.keys()];
      missRows.push([
        label,
        ...[...costs.values()].map((c) => `${Math.round(c.mean)} / ${Math.round(c.p99)}`),
        `**${Math.round(all.reduce((a, c) => a + c.mean, 0) / all.length)}**`,
      ]);
    }
    if (only === "miss") continue;

    const profile = cpuProf ? ["--cpu-prof", "--cpu-prof-dir", resolve(cpuProf)] : [];
    const api = await start(
      [...profile, "dist/api/cli.js", "--port", "0", "--host", "127.0.0.1", "--db", db],
      { LOG_DIR: join(work, "logs") },
    );
    const body = await (await fetch(`${api.url}/ventas/resumen_por_categoria`)).text();
    const bare = await start(["--import", "tsx", "bench/bare-hono.ts"], { BARE_BODY: body });
    const servers = [api, bare];
    const paths = variedQueries(db, 100_000).map(
      (q) => `/ventas/resumen_por_categoria?${new URLSearchParams(q)}`,
    );
    const names = ["summary", "bare hono", "varied filters"];
    const loads = [
      loader(api, "/ventas/resumen_por_categoria"),
      loader(bare, "/ventas/resumen_por_categoria"),
      loader(api, "/ventas/resumen_por_categoria", paths),
    ];
    if (ceiling) {
      const raw = await start(["--input-type=module", "-e", RAW_HTTP], { BARE_BODY: body });
      servers.push(raw);
      names.push("raw node:http");
      loads.push(loader(raw, "/"));
    }
    process.stderr.write(`${label}: warm-up (load average ${loadText()})\n`);
    for (const run of loads) await run(2);
    const results = await alternate(loads.map((run) => () => run()));
    await Promise.all(servers.map(stop));
    if (typeof target === "number") rmSync(db, { force: true });

    for (const [i, list] of results.entries()) {
      const pick = (key: keyof Load) => list.map((r) => r[key]);
      httpRows.push([
        label,
        names[i] as string,
        `**${spread(pick("rps"))}**`,
        spread(pick("p50")),
        `**${spread(pick("p99"))}**`,
        String(pick("errors").reduce((a, b) => a + b, 0)),
        spread(pick("serverCpu")),
        spread(pick("cpuPerRequest"), 1),
        spread(pick("generatorCpu")),
      ]);
    }
    const [summary, reference, varied] = results as [Load[], Load[], Load[]];
    const ratios = summary.map((r, i) => r.rps / (reference[i] as Load).rps);
    const cpuRatios = summary.map((r, i) => (reference[i] as Load).cpuPerRequest / r.cpuPerRequest);
    ratioRows.push([
      label,
      `**${spread(ratios, 2)}**`,
      spread(cpuRatios, 2),
      spread(varied.map((r) => r.rps)),
    ]);
    if (size === 0 || size >= 10_000_000) {
      const ratio = median(ratios);
      const p99 = median(summary.map((r) => r.p99));
      const variedRps = median(varied.map((r) => r.rps));
      const errors = [...summary, ...varied].reduce((a, r) => a + r.errors, 0);
      const met = (ok: boolean) => (ok ? "met" : "NOT met");
      verdicts.push(
        `${label}: ratio ${fmt(ratio)} (≥ ${TARGET_RATIO}: ${met(ratio >= TARGET_RATIO)}; by server CPU per request ${fmt(median(cpuRatios))}), summary p99 ${p99} ms (≤ ${TARGET_P99_MS}: ${met(p99 <= TARGET_P99_MS)}), varied ${Math.round(variedRps)} req/s (≥ ${TARGET_VARIED_RPS}: ${met(variedRps >= TARGET_VARIED_RPS)}), errors ${errors} (${met(errors === 0)})`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (missRows.length > 0) {
  console.log("Cache miss, in process (µs, mean / p99, per combination of parameters):\n");
  printTable(["sales rows", ...missHeader, "mean"], missRows);
}
if (httpRows.length > 0) {
  console.log(
    `\nOver HTTP (autocannon, ${connections} connections, ${rounds} alternating rounds of ${seconds} s after a 2 s warm-up; median (min–max) of the rounds):\n`,
  );
  printTable(
    [
      "sales rows",
      "load",
      "req/s",
      "p50 ms",
      "p99 ms",
      "errors",
      "server CPU %",
      "server CPU µs/req",
      "generator CPU %",
    ],
    httpRows,
  );
  console.log("\n");
  printTable(
    [
      "sales rows",
      "summary / bare hono, req/s (per round)",
      "same, by server CPU per request",
      "varied filters req/s",
    ],
    ratioRows,
  );
  console.log(
    `\nTargets at 10M sales: summary ≥ ${TARGET_RATIO} × bare hono, p99 ≤ ${TARGET_P99_MS} ms; varied filters ≥ ${TARGET_VARIED_RPS.toLocaleString("en-US")} req/s; no errors. Load average at the end: ${loadText()}.`,
  );
  for (const line of verdicts) console.log(`- ${line}`);
}
