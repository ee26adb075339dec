import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { writeDataset } from "./helpers/dataset.js";
import { type ApiProcess, startApi } from "./helpers/server.js";
import { tempDir } from "./helpers/tmp.js";

const HEADER = "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario";
const running: ApiProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.stop()));
});

async function api(cwd: string, env: Record<string, string | undefined> = {}) {
  const started = await startApi(cwd, env);
  running.push(started);
  return started;
}

/** The request lines (level http) in every log file under `root/logs`, with their file. */
function requestLines(root: string): Record<string, unknown>[] {
  const dir = join(root, "logs");
  return readdirSync(dir)
    .filter((file) => /\.log(\.\d+)?$/.test(file))
    .sort()
    .flatMap((file) =>
      readFileSync(join(dir, file), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line): Record<string, unknown> => ({ file, ...JSON.parse(line) })),
    )
    .filter((entry) => entry.level === "http");
}

/** Two datasets with different summaries, to reload back and forth. */
function datasets(root: string) {
  const sales = (rows: number, product: number) =>
    [
      HEADER,
      ...Array.from(
        { length: rows },
        (_, i) => `${i + 1},2024-01-01,${product},1,${(i % 5) + 1},1`,
      ),
    ].join("\n");
  return {
    a: writeDataset(join(root, "a"), { ventas: sales(3000, 1) }),
    b: writeDataset(join(root, "b"), { ventas: sales(2000, 2) }),
  };
}

describe("the API as a real listening server", () => {
  it("answers from the new data after an ETL run into the same database file", async () => {
    const root = tempDir();
    const { a, b } = datasets(root);
    await runEtl({ dataDir: a, dbPath: join(root, "database", "empresa.db") });
    const server = await api(root);
    const get = async () => (await fetch(`${server.url}/ventas/resumen_por_categoria`)).json();
    expect(await get()).toEqual({ Electronicos: 9000 });
    await runEtl({ dataDir: b, dbPath: join(root, "database", "empresa.db") });
    expect(await get()).toEqual({ Ropa: 6000 });
  });

  it("keeps answering 200 with exactly the old or the new summary under load while the ETL reloads", async () => {
    const root = tempDir();
    const { a, b } = datasets(root);
    const dbPath = join(root, "database", "empresa.db");
    await runEtl({ dataDir: a, dbPath });
    const server = await api(root);
    const allowed = [JSON.stringify({ Electronicos: 9000 }), JSON.stringify({ Ropa: 6000 })];
    const seen = new Set<string>();
    let stop = false;
    const failures: string[] = [];
    const worker = async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        const res = await fetch(`${server.url}/ventas/resumen_por_categoria`);
        const body = await res.text();
        if (res.status !== 200 || !allowed.includes(body)) failures.push(`${res.status} ${body}`);
        seen.add(body);
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, worker));
    for (let reload = 0; reload < 6; reload++)
      await runEtl({ dataDir: reload % 2 === 0 ? b : a, dbPath });
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(seen.size).toBe(2); // both versions were served during the reloads
  });

  it("on SIGTERM lets an in-flight request finish, then exits 0", async () => {
    const root = tempDir();
    const { a } = datasets(root);
    const dbPath = join(root, "database", "empresa.db");
    await runEtl({ dataDir: a, dbPath });
    // Make the next read wait: switch the file to rollback-journal mode and hold an
    // exclusive lock, so the server's query waits on it (its busy timeout) until we let go.
    // The signal arrives while the request is in the handler; it is handled after.
    const holder = new Sqlite(dbPath);
    holder.pragma("journal_mode = DELETE");
    const server = await api(root, { LOG_LEVEL: "debug" });
    await server.waitFor("ready: serving etl run");
    holder.exec("BEGIN EXCLUSIVE");
    const pending = fetch(`${server.url}/ventas/resumen_por_categoria`);
    await server.waitFor("→ GET /ventas/resumen_por_categoria"); // the request is in the handler
    server.child.kill("SIGTERM");
    holder.exec("COMMIT");
    holder.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Electronicos: 9000 });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain("SIGTERM: finishing in-flight requests");
    expect(server.stderr()).toContain("stopped");
  });

  it("starts without a database, says it is not ready, and keeps serving /health", async () => {
    const root = tempDir();
    const server = await api(root);
    await server.waitFor("not ready yet");
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const summary = await fetch(`${server.url}/ventas/resumen_por_categoria`);
    expect(summary.status).toBe(503);
    expect(await summary.json()).toEqual({
      error: "database_unavailable",
      message: "the sales database cannot be read right now",
    });
    // …and serves the data as soon as a first ETL run creates the database.
    const { a } = datasets(root);
    await runEtl({ dataDir: a, dbPath: join(root, "database", "empresa.db") });
    expect(await (await fetch(`${server.url}/ventas/resumen_por_categoria`)).json()).toEqual({
      Electronicos: 9000,
    });
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
  });

  it("is bound to 127.0.0.1 by the test helper, whatever HOST says", async () => {
    const server = await api(tempDir(), { HOST: "0.0.0.0" });
    expect(server.stderr()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it("by default logs one request in 100 and every 5xx to logs/api-access.log, written by exit", async () => {
    const root = tempDir();
    const server = await api(root, { ACCESS_LOG: undefined, ACCESS_LOG_SAMPLE: undefined });
    await server.waitFor("not ready yet");
    for (let i = 0; i < 3; i++)
      await (await fetch(`${server.url}/ventas/resumen_por_categoria`)).arrayBuffer(); // 503
    const { a } = datasets(root);
    await runEtl({ dataDir: a, dbPath: join(root, "database", "empresa.db") });
    for (let i = 0; i < 5; i++)
      expect((await fetch(`${server.url}/ventas/resumen_por_categoria`)).status).toBe(200);
    await server.stop();
    const lines = requestLines(root);
    expect(lines.map((l) => [l.file, l.status, l.logged])).toEqual([
      ["api-access.log", 503, "error"],
      ["api-access.log", 503, "error"],
      ["api-access.log", 503, "error"],
    ]);
  });

  it("ACCESS_LOG=all logs every request", async () => {
    const root = tempDir();
    const server = await api(root, { ACCESS_LOG: "all" });
    for (let i = 0; i < 4; i++) await (await fetch(`${server.url}/health`)).arrayBuffer();
    await server.stop();
    expect(requestLines(root).map((l) => [l.file, l.path, l.status])).toEqual(
      Array(4).fill(["api-access.log", "/health", 200]),
    );
  });

  it("refuses to start on a port in use, with a clear message", async () => {
    const root = tempDir();
    const first = await api(root);
    const port = new URL(first.url).port;
    const { runCli } = await import("./helpers/cli.js");
    const second = await runCli("api", ["--port", port, "--host", "127.0.0.1"], { cwd: root });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });
});
