import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.js";
import { SUMMARY_PARAMS } from "../src/api/params.js";
import { SalesStore } from "../src/api/sales-store.js";
import { runEtl } from "../src/etl/run.js";
import { ROOT } from "./helpers/cli.js";
import { writeDataset } from "./helpers/dataset.js";
import { query } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

const stores: SalesStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function appFor(dbPath: string) {
  const store = new SalesStore(dbPath);
  stores.push(store);
  return createApp({ store, version: "9.9.9" });
}

async function sampleApp() {
  const dbPath = join(tempDir(), "empresa.db");
  await runEtl({ dataDir: join(ROOT, "data"), dbPath });
  return { app: appFor(dbPath), dbPath };
}

/** The oracle: the same sum computed straight from the contract's view. */
function expectedSummary(
  dbPath: string,
  where = "1 = 1",
  ...params: unknown[]
): Record<string, number> {
  const rows = query(
    dbPath,
    `SELECT categoria, sum(cantidad) AS n FROM ventas_enriquecidas WHERE categoria IS NOT NULL AND ${where} GROUP BY categoria ORDER BY categoria`,
    ...params,
  );
  return Object.fromEntries(rows.map((r) => [r.categoria, r.n]));
}

describe("GET /ventas/resumen_por_categoria", () => {
  it("answers the sum of cantidad per category over known products, keys sorted", async () => {
    const { app, dbPath } = await sampleApp();
    const res = await app.request("/ventas/resumen_por_categoria");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const body = await res.json();
    expect(body).toEqual({
      Accesorios: 5677,
      Almacenamiento: 6141,
      Electronicos: 8917,
      Ropa: 8634,
    });
    expect(body).toEqual(expectedSummary(dbPath));
    expect(Object.keys(body)).toEqual(["Accesorios", "Almacenamiento", "Electronicos", "Ropa"]);
  });

  it("filters by desde, hasta (inclusive) and ciudad, normalizing the city", async () => {
    const { app, dbPath } = await sampleApp();
    const get = async (qs: string) =>
      (await app.request(`/ventas/resumen_por_categoria?${qs}`)).json();
    expect(await get("desde=2024-06-01&hasta=2024-06-30")).toEqual(
      expectedSummary(dbPath, "fecha BETWEEN ? AND ?", "2024-06-01", "2024-06-30"),
    );
    expect(await get("desde=2024-06-15&hasta=2024-06-15")).toEqual(
      expectedSummary(dbPath, "fecha = ?", "2024-06-15"),
    );
    expect(await get("ciudad=%20%20medell%C3%ADn%20")).toEqual(
      expectedSummary(dbPath, "ciudad = ?", "Medellín"),
    );
    expect(await get("ciudad=ciudad_desconocida")).toEqual(
      expectedSummary(dbPath, "ciudad = ?", "ciudad_desconocida"),
    );
    expect(await get("desde=2025-01-02&ciudad=Cali")).toEqual(
      expectedSummary(dbPath, "fecha >= ? AND ciudad = ?", "2025-01-02", "Cali"),
    );
    expect(await get("desde=2031-01-01")).toEqual({});
    expect(await get("ciudad=Atlantis")).toEqual({});
  });

  it("answers {} when there are no sales at all", async () => {
    const root = tempDir();
    const dataDir = writeDataset(join(root, "data"), {
      ventas: "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario\n",
    });
    const dbPath = join(root, "empresa.db");
    await runEtl({ dataDir, dbPath });
    const res = await appFor(dbPath).request("/ventas/resumen_por_categoria");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  it.each([
    [
      "desde=2024-13-01",
      "invalid_parameter",
      'desde must be a date as YYYY-MM-DD, got "2024-13-01"',
    ],
    [
      "hasta=2024-02-30",
      "invalid_parameter",
      'hasta must be a date as YYYY-MM-DD, got "2024-02-30"',
    ],
    [
      "desde=01/06/2024",
      "invalid_parameter",
      'desde must be a date as YYYY-MM-DD, got "01/06/2024"',
    ],
    ["desde=", "invalid_parameter", 'desde must be a date as YYYY-MM-DD, got ""'],
    [
      "desde=2024-07-01&hasta=2024-06-01",
      "invalid_parameter",
      "desde (2024-07-01) is after hasta (2024-06-01)",
    ],
    ["ciudad=", "invalid_parameter", "ciudad must be 1 to 100 characters of text"],
    [
      `ciudad=${"x".repeat(101)}`,
      "invalid_parameter",
      "ciudad must be 1 to 100 characters of text",
    ],
    ["desde=2024-01-01&desde=2024-02-01", "invalid_parameter", "desde is given more than once"],
    [
      "categoria=Ropa",
      "unknown_parameter",
      'unknown query parameter "categoria" (allowed: desde, hasta, ciudad)',
    ],
  ])("400 for %s", async (qs, error, message) => {
    const { app } = await sampleApp();
    const res = await app.request(`/ventas/resumen_por_categoria?${qs}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error, message });
  });

  it("supports conditional GET with an ETag tied to the loaded data", async () => {
    const { app, dbPath } = await sampleApp();
    const first = await app.request("/ventas/resumen_por_categoria");
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.request("/ventas/resumen_por_categoria", {
      headers: { "If-None-Match": etag },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const otherQuery = await app.request("/ventas/resumen_por_categoria?ciudad=Cali", {
      headers: { "If-None-Match": etag },
    });
    expect(otherQuery.status).toBe(200);

    await runEtl({ dataDir: join(ROOT, "data"), dbPath }); // same data, new run: a new identity
    const afterReload = await app.request("/ventas/resumen_por_categoria", {
      headers: { "If-None-Match": etag },
    });
    expect(afterReload.status).toBe(200);
    expect(afterReload.headers.get("etag")).not.toBe(etag);
  });

  it("answers from the new data right after an ETL run commits, with no restart", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    const header = "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario";
    await runEtl({
      dataDir: writeDataset(join(root, "a"), { ventas: `${header}\n1,2024-01-01,1,1,5,1\n` }),
      dbPath,
    });
    const app = appFor(dbPath);
    expect(await (await app.request("/ventas/resumen_por_categoria")).json()).toEqual({
      Electronicos: 5,
    });
    await runEtl({
      dataDir: writeDataset(join(root, "b"), {
        ventas: `${header}\n1,2024-01-01,2,1,7,1\n2,2024-01-01,1,1,1,1\n`,
      }),
      dbPath,
    });
    expect(await (await app.request("/ventas/resumen_por_categoria")).json()).toEqual({
      Electronicos: 1,
      Ropa: 7,
    });
  });
});

describe("the answer cache", () => {
  it("keeps the most recently used answers, up to its bound in entries (LRU, not FIFO)", async () => {
    const dbPath = join(tempDir(), "empresa.db");
    await runEtl({ dataDir: join(ROOT, "data"), dbPath });
    const store = new SalesStore(dbPath, { cacheEntries: 2 });
    stores.push(store);
    const a = { ciudad: "Cali" };
    const b = { desde: "2024-06-01" };
    const c = { hasta: "2024-06-30" };
    store.summary(a);
    store.summary(b);
    store.summary(a); // a is now the most recently used…
    store.summary(c); // …so c pushes b out, not a
    expect(store.cacheStats()).toMatchObject({ entries: 2, capacity: 2, hits: 1, misses: 3 });
    store.summary(a);
    expect(store.cacheStats()).toMatchObject({ hits: 2, misses: 3 });
    store.summary(b);
    expect(store.cacheStats()).toMatchObject({ hits: 2, misses: 4, entries: 2 });
    for (let day = 1; day <= 28; day++)
      store.summary({ desde: `2024-02-${String(day).padStart(2, "0")}` });
    expect(store.cacheStats().entries).toBe(2);
  });

  it("is emptied when the data changes, and answers the new data", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    const header = "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario";
    await runEtl({
      dataDir: writeDataset(join(root, "a"), { ventas: `${header}\n1,2024-01-01,1,1,5,1\n` }),
      dbPath,
    });
    const store = new SalesStore(dbPath, { cacheEntries: 10 });
    stores.push(store);
    expect(store.summary({}).body).toBe('{"Electronicos":5}');
    expect(store.summary({ ciudad: "Medellín" }).body).toBe('{"Electronicos":5}');
    expect(store.cacheStats()).toMatchObject({ entries: 2, misses: 2 });
    await runEtl({
      dataDir: writeDataset(join(root, "b"), { ventas: `${header}\n1,2024-01-01,2,1,7,1\n` }),
      dbPath,
    });
    await new Promise((resolve) => setImmediate(resolve)); // the next event-loop turn
    expect(store.summary({}).body).toBe('{"Ropa":7}');
    expect(store.cacheStats()).toMatchObject({ entries: 1, misses: 3, hits: 0 });
  });

  it("can be turned off (0 entries)", async () => {
    const { dbPath } = await sampleApp();
    const store = new SalesStore(dbPath, { cacheEntries: 0 });
    stores.push(store);
    const first = store.summary({});
    expect(store.summary({})).toEqual(first);
    expect(store.cacheStats()).toMatchObject({ entries: 0, hits: 0, misses: 2 });
  });
});

describe("other routes and errors", () => {
  it("GET /health and /ready", async () => {
    const { app, dbPath } = await sampleApp();
    expect(await (await app.request("/health")).json()).toEqual({ status: "ok" });
    const ready = await app.request("/ready");
    expect(ready.status).toBe(200);
    const runId = query(dbPath, "SELECT run_id FROM etl_runs")[0]?.run_id;
    expect(await ready.json()).toMatchObject({
      status: "ready",
      etl_run: {
        run_id: runId,
        tables: {
          productos: { read: 12, loaded: 10, rejected: 2 },
          clientes: { read: 22, loaded: 20, rejected: 2 },
          ventas: { read: 5500, loaded: 5407, rejected: 93 },
          inventario: { read: 5000, loaded: 4900, rejected: 100 },
        },
      },
    });
  });

  it("GET /openapi.json is generated from the same parameter specs that validate requests", async () => {
    const { app } = await sampleApp();
    const doc = await (await app.request("/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe("9.9.9");
    const params = doc.paths["/ventas/resumen_por_categoria"].get.parameters;
    expect(params.map((p: { name: string }) => p.name)).toEqual(SUMMARY_PARAMS.map((p) => p.name));
    expect(Object.keys(doc.paths)).toEqual([
      "/ventas/resumen_por_categoria",
      "/health",
      "/ready",
      "/openapi.json",
      "/docs",
    ]);
  });

  it("GET /docs is a self-contained page (no CDN, no script)", async () => {
    const { app } = await sampleApp();
    const res = await app.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("/ventas/resumen_por_categoria");
    expect(html).toContain("<code>desde</code>");
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it("404 and 405 share the JSON error shape; OPTIONS and CORS allow only reads", async () => {
    const { app } = await sampleApp();
    const missing = await app.request("/ventas");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: "not_found",
      message: "no route for GET /ventas",
    });
    const post = await app.request("/ventas/resumen_por_categoria", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(await post.json()).toEqual({
      error: "method_not_allowed",
      message: "POST is not allowed on /ventas/resumen_por_categoria (allowed: GET, HEAD, OPTIONS)",
    });
    const preflight = await app.request("/ventas/resumen_por_categoria", {
      method: "OPTIONS",
      headers: { Origin: "https://example.com", "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET, HEAD, OPTIONS");
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    const head = await app.request("/ventas/resumen_por_categoria", { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("sets secure headers", async () => {
    const { app } = await sampleApp();
    const res = await app.request("/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });

  it.each([
    ["a missing database", (_path: string) => {}],
    ["a corrupt file", (path: string) => writeFileSync(path, Buffer.alloc(4096, 0x41))],
    [
      "a database without the expected tables",
      (path: string) => {
        const db = new Sqlite(path);
        db.exec("CREATE TABLE other (x)");
        db.close();
      },
    ],
  ])("%s: 503 with the JSON shape, no path or SQL, and /health stays up", async (_name, make) => {
    const path = join(tempDir(), "broken.db");
    make(path);
    const app = appFor(path);
    for (const route of ["/ventas/resumen_por_categoria", "/ready"]) {
      const res = await app.request(route);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.error).toBe("database_unavailable");
      expect(Object.keys(body)).toEqual(["error", "message"]);
      expect(body.message).not.toContain(path);
      expect(body.message).not.toMatch(/SELECT|sqlite|\bat\b/i);
    }
    expect((await app.request("/health")).status).toBe(200);
  });
});
