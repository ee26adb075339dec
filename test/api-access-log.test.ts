import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import Transport from "winston-transport";
import { type AccessLogOptions, createApp } from "../src/api/app.js";
import { SalesStore } from "../src/api/sales-store.js";
import { runEtl } from "../src/etl/run.js";
import { ROOT } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

/** A real winston logger whose entries land in an array. */
function capturingLogger() {
  const entries: Record<string, unknown>[] = [];
  class Capture extends Transport {
    override log(info: Record<string, unknown>, next: () => void): void {
      entries.push({ ...info });
      next();
    }
  }
  const log = winston.createLogger({ level: "silly", transports: [new Capture()] });
  return { log, entries };
}

const stores: SalesStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

async function loadedDb(): Promise<string> {
  const dbPath = join(tempDir(), "empresa.db");
  await runEtl({ dataDir: join(ROOT, "data"), dbPath });
  return dbPath;
}

function appWith(dbPath: string, access?: Omit<AccessLogOptions, "log">) {
  const store = new SalesStore(dbPath);
  stores.push(store);
  const diagnostics = capturingLogger();
  const requests = capturingLogger();
  const app = createApp({
    store,
    log: diagnostics.log,
    ...(access ? { accessLog: { ...access, log: requests.log } } : {}),
  });
  // Without accessLog options, request lines go to the one logger given.
  const lines = () =>
    (access ? requests.entries : diagnostics.entries).filter((e) => e.level === "http");
  return { app, lines };
}

async function hit(app: ReturnType<typeof appWith>["app"], path: string, times: number) {
  for (let i = 0; i < times; i++) await (await app.request(path)).arrayBuffer();
}

describe("request (access) log lines", () => {
  it("by default, one request in 100 is logged, the first included", async () => {
    const { app, lines } = appWith(await loadedDb());
    await hit(app, "/ventas/resumen_por_categoria", 250);
    expect(lines()).toHaveLength(3); // requests 1, 101 and 201
    expect(lines()[0]).toMatchObject({
      message: "GET /ventas/resumen_por_categoria 200",
      method: "GET",
      path: "/ventas/resumen_por_categoria",
      status: 200,
      logged: "sample",
    });
    expect(typeof lines()[0]?.ms).toBe("number");
  });

  it("ACCESS_LOG=off logs no ordinary request, but every 5xx", async () => {
    const missing = join(tempDir(), "none.db");
    const { app, lines } = appWith(missing, { mode: "off" });
    await hit(app, "/health", 5);
    await hit(app, "/nope", 5); // 404: a client's mistake, not logged
    await hit(app, "/ventas/resumen_por_categoria", 3); // 503
    expect(lines().map((l) => [l.status, l.logged])).toEqual([
      [503, "error"],
      [503, "error"],
      [503, "error"],
    ]);
  });

  it("slow requests are always logged (a threshold of 0 ms makes every request slow)", async () => {
    const { app, lines } = appWith(await loadedDb(), { mode: "off", slowMs: 0 });
    await hit(app, "/health", 4);
    expect(lines().map((l) => l.logged)).toEqual(["slow", "slow", "slow", "slow"]);
    const quiet = appWith(await loadedDb(), { mode: "off", slowMs: 60_000 });
    await hit(quiet.app, "/health", 4);
    expect(quiet.lines()).toEqual([]);
  });

  it("ACCESS_LOG=sample with ACCESS_LOG_SAMPLE=3 logs requests 1, 4, 7…; all logs each one", async () => {
    const sampled = appWith(await loadedDb(), { mode: "sample", sampleEvery: 3 });
    await hit(sampled.app, "/health", 7);
    expect(sampled.lines()).toHaveLength(3);
    const all = appWith(await loadedDb(), { mode: "all" });
    await hit(all.app, "/health", 7);
    expect(all.lines()).toHaveLength(7);
    expect(all.lines()[0]?.logged).toBe("all");
  });

  it("a database outage is said once, not once per request; each 5xx still gets its access line", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    const problems: string[] = [];
    const store = new SalesStore(dbPath, {
      onError: (error) => problems.push((error as Error).message),
    });
    stores.push(store);
    const diagnostics = capturingLogger();
    const requests = capturingLogger();
    const app = createApp({
      store,
      log: diagnostics.log,
      accessLog: { mode: "off", log: requests.log },
    });
    await hit(app, "/ventas/resumen_por_categoria", 5);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("ENOENT");
    expect(diagnostics.entries.filter((e) => e.level === "warn" || e.level === "error")).toEqual(
      [],
    );
    expect(requests.entries.map((e) => e.status)).toEqual([503, 503, 503, 503, 503]);
    await runEtl({ dataDir: join(ROOT, "data"), dbPath });
    expect((await app.request("/ventas/resumen_por_categoria")).status).toBe(200);
    expect(problems).toHaveLength(1);
  });
});
