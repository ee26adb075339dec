import { request as httpRequest } from "node:http";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import Transport from "winston-transport";
import { createApp } from "../src/api/app.js";
import { SalesStore } from "../src/api/sales-store.js";
import { listen } from "../src/api/server.js";
import { latestEtlRun } from "../src/db/etl-history.js";
import { runEtl } from "../src/etl/run.js";
import { ROOT } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

// The summary's common case is answered before hono's router (createApp wraps app.fetch);
// at `debug` it is not (the middleware says each request as it starts), so the same app
// at `debug` is the reference: every answer, header, access-log decision and cache count
// must be the same either way.

function capturingLogger(level: string) {
  const entries: Record<string, unknown>[] = [];
  class Capture extends Transport {
    override log(info: Record<string, unknown>, next: () => void): void {
      entries.push({ ...info });
      next();
    }
  }
  const log = winston.createLogger({ level, transports: [new Capture()] });
  return { log, entries };
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function loadedDb(): Promise<string> {
  const dbPath = join(tempDir(), "empresa.db");
  await runEtl({ dataDir: join(ROOT, "data"), dbPath });
  return dbPath;
}

/** An app over `dbPath`: with the fast path (`info`) or without it (`debug`). */
async function served(dbPath: string, level: "info" | "debug") {
  const problems: unknown[] = [];
  const store = new SalesStore(dbPath, { onError: (error) => problems.push(error) });
  const diagnostics = capturingLogger(level);
  const requests = capturingLogger("http");
  const app = createApp({
    store,
    log: diagnostics.log,
    accessLog: { mode: "sample", sampleEvery: 3, log: requests.log },
  });
  const { server, port } = await listen(app, 0, "127.0.0.1");
  closers.push(() => {
    server.closeAllConnections();
    server.close();
    store.close();
  });
  const lines = () =>
    requests.entries.map(({ method, path, status, logged }) => ({ method, path, status, logged }));
  return { app, port, store, lines, problems };
}

interface Raw {
  status: number | undefined;
  headers: string[];
  body: string;
}

function raw(port: number, method: string, path: string, headers = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => {
        const pairs: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          if (res.rawHeaders[i] !== "Date")
            pairs.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        resolve({ status: res.statusCode, headers: pairs, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

const SUMMARY = "/ventas/resumen_por_categoria";

async function exchanges(port: number, etag: string): Promise<Raw[]> {
  const asks: [string, string, Record<string, string>?][] = [
    ["GET", SUMMARY],
    ["GET", SUMMARY],
    ["GET", `${SUMMARY}?desde=2024-03-01`],
    ["GET", `${SUMMARY}?desde=2024-03-01`],
    ["GET", `${SUMMARY}?ciudad=medell%C3%ADn&hasta=2024-06-30`],
    ["GET", `${SUMMARY}?`],
    ["GET", `${SUMMARY}?desde=2024-13-01`],
    ["GET", `${SUMMARY}?otro=1`],
    ["GET", `${SUMMARY}?ciudad=%E9`],
    ["GET", `${SUMMARY}?desde=2024-06-01&hasta=2024-01-01`],
    ["GET", SUMMARY, { "If-None-Match": etag }],
    ["GET", SUMMARY, { "If-None-Match": `W/${etag}` }],
    ["GET", SUMMARY, { "If-None-Match": '"other"' }],
    ["HEAD", SUMMARY],
    ["POST", SUMMARY],
    ["OPTIONS", SUMMARY, { "Access-Control-Request-Headers": "if-none-match" }],
    ["GET", `${SUMMARY}/`],
    ["GET", "/ventas/resumen%5Fpor_categoria"],
    ["GET", "/health"],
    ["GET", "/nope"],
    ["GET", SUMMARY],
  ];
  const answers: Raw[] = [];
  for (const [method, path, headers] of asks) answers.push(await raw(port, method, path, headers));
  return answers;
}

describe("the summary's fast path", () => {
  it("answers exactly what the middleware and routes answer: bytes, headers, log lines, cache counts", async () => {
    const dbPath = await loadedDb();
    const fast = await served(dbPath, "info");
    const reference = await served(dbPath, "debug");
    const etag = (await raw(fast.port, "GET", SUMMARY)).headers
      .find((h) => h.startsWith("etag: "))
      ?.slice(6) as string;
    await raw(reference.port, "GET", SUMMARY);
    expect(etag).toMatch(/^"[\w-]{27}"$/);

    const got = await exchanges(fast.port, etag);
    const expected = await exchanges(reference.port, etag);
    expect(got).toEqual(expected);
    expect(got[0]?.status).toBe(200);
    expect(got[0]?.headers).toContain("x-content-type-options: nosniff");
    expect(got[10]?.status).toBe(304);
    expect(fast.lines()).toEqual(reference.lines());
    expect(fast.lines().length).toBeGreaterThan(3);
    expect(fast.store.cacheStats()).toEqual(reference.store.cacheStats());

    // Through app.request() (no node-server) hono answers either way: the same again.
    for (const [path, init] of [
      [SUMMARY, {}],
      [`${SUMMARY}?hasta=2024-02-01`, {}],
      [SUMMARY, { headers: { "If-None-Match": etag } }],
      [`${SUMMARY}?desde=x`, {}],
    ] as const) {
      const [a, b] = [await fast.app.request(path, init), await reference.app.request(path, init)];
      expect(a.status).toBe(b.status);
      expect([...a.headers]).toEqual([...b.headers]);
      expect(await a.text()).toBe(await b.text());
    }
  });

  it("hands a database problem on once: one 503, one problem told, one miss counted", async () => {
    const missing = join(tempDir(), "none.db");
    const fast = await served(missing, "info");
    const reference = await served(missing, "debug");
    for (const app of [fast, reference]) {
      const answer = await raw(app.port, "GET", SUMMARY);
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ error: "database_unavailable" });
    }
    expect(await raw(fast.port, "GET", SUMMARY)).toEqual(await raw(reference.port, "GET", SUMMARY));
    expect(fast.problems).toHaveLength(1);
    expect(reference.problems).toHaveLength(1);
    expect(fast.lines()).toEqual(reference.lines());
    expect(fast.lines()[0]).toMatchObject({ status: 503, logged: "error" });
    expect(fast.store.cacheStats()).toEqual(reference.store.cacheStats());
  });

  it("serves the latest run's id and data right after another load commits", async () => {
    const dbPath = await loadedDb();
    const { port, store } = await served(dbPath, "info");
    const latest = () => {
      const db = new Sqlite(dbPath, { readonly: true });
      try {
        return latestEtlRun(db)?.run_id;
      } finally {
        db.close();
      }
    };
    const before = await raw(port, "GET", SUMMARY);
    expect(store.summary({}).runId).toBe(latest());
    await runEtl({ dataDir: join(ROOT, "data"), dbPath });
    const after = await raw(port, "GET", SUMMARY);
    expect(store.summary({}).runId).toBe(latest());
    expect(after.headers.find((h) => h.startsWith("etag: "))).not.toBe(
      before.headers.find((h) => h.startsWith("etag: ")),
    );
    expect(after.body).toBe(before.body);
  });
});
