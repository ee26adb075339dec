/**
 * `npm run bench:api [-- --sizes 1000000,10000000 --seconds 10]`
 *
 * For each size: builds the database (generator + ETL), starts the API as a real process
 * (`node dist/api/cli.js`, request logging on, as shipped), and loads
 * GET /ventas/resumen_por_categoria with autocannon at 32 connections; then the same
 * load against a static-JSON route added to the same app (same middleware, logging and
 * hono + node-server stack; same body bytes), in the same run. Prints requests/s, p50 and p99 latency, errors and the ratio.
 * Targets at 10M sales: ≥ 0.8 × the static route's throughput, p99 ≤ 10 ms, no errors.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { buildDatabase, flag, fmt, printTable, ROOT } from "./measure.js";

const sizes = flag("sizes", "1000000,10000000").split(",").map(Number);
const seconds = Number(flag("seconds", "10"));
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

async function load(url: string) {
  await autocannon({ url, connections: 32, duration: 2 }); // warm-up
  const result = await autocannon({ url, connections: 32, duration: seconds });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
  };
}

const rows: string[][] = [];
try {
  for (const size of sizes) {
    const db = buildDatabase(size, work);

    const api = await start(["dist/api/cli.js", "--port", "0", "--db", db], {
      LOG_DIR: join(work, "logs"),
    });
    const body = await (await fetch(`${api.url}/ventas/resumen_por_categoria`)).text();
    const staticServer = await start(["--import", "tsx", "bench/static-server.ts"], {
      STATIC_BODY: body,
      DB_PATH: db,
      LOG_DIR: join(work, "logs"),
    });
    const summary = await load(`${api.url}/ventas/resumen_por_categoria`);
    const reference = await load(`${staticServer.url}/static`);
    api.child.kill("SIGTERM");
    staticServer.child.kill("SIGTERM");
    rmSync(db, { force: true });
    const ratio = summary.rps / reference.rps;
    const line = (name: string, r: typeof summary) =>
      `${name}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}`;
    console.error(
      `${size} sales: ${line("summary", summary)}; ${line("static", reference)}; ratio ${fmt(ratio)}`,
    );
    rows.push([
      size.toLocaleString("en-US"),
      Math.round(summary.rps).toLocaleString("en-US"),
      `${summary.p50} / ${summary.p99} ms`,
      String(summary.errors),
      Math.round(reference.rps).toLocaleString("en-US"),
      `${reference.p50} / ${reference.p99} ms`,
      `**${fmt(ratio)}**`,
    ]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
printTable(
  [
    "sales rows",
    "summary req/s",
    "summary p50 / p99",
    "errors",
    "static req/s",
    "static p50 / p99",
    "ratio",
  ],
  rows,
);
console.log(
  `\n(autocannon, 32 connections, ${seconds} s after a 2 s warm-up; targets at 10M: ratio ≥ 0.8, p99 ≤ 10 ms, no errors)`,
);
