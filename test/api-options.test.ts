import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { API_OPTIONS } from "../src/api/options.js";
import { type ApiParts, setupApi } from "../src/api/setup.js";
import { LOG_OPTIONS } from "../src/cli/options.js";
import { parseCommand } from "../src/config.js";
import { UsageError } from "../src/errors.js";
import { runEtl } from "../src/etl/run.js";
import { createLogger } from "../src/log.js";
import { ROOT } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

// As the CLI edge parses them: the command's options and every command's log settings.
const SPEC = { name: "api", summary: "", options: { ...LOG_OPTIONS, ...API_OPTIONS } };
const parse = (argv: string[], env: Record<string, string> = {}) =>
  parseCommand(SPEC, argv, env, {}).config;

describe("npm run api's options", () => {
  it("has defaults for everything the server needs", () => {
    expect(parse([])).toMatchObject({
      port: 5000,
      host: "127.0.0.1",
      shutdownMs: 10000,
      logLevel: "info",
      logDir: "logs",
      accessLog: "sample",
      accessLogSample: 100,
      slowMs: 1000,
      cacheEntries: 1000,
    });
    expect(
      parse(["--port", "0"], {
        LOG_LEVEL: "DEBUG",
        ACCESS_LOG: "All",
        ACCESS_LOG_SAMPLE: "10",
        ACCESS_LOG_SLOW_MS: "250",
        SUMMARY_CACHE_ENTRIES: "0",
      }),
    ).toMatchObject({
      port: 0,
      logLevel: "DEBUG",
      accessLog: "All",
      accessLogSample: 10,
      slowMs: 250,
      cacheEntries: 0,
    });
  });

  it.each([
    [["--port", "65536"], {}, "--port: must be at most 65535, got 65536"],
    [["--port=-1"], {}, "--port: must be at least 0, got -1"],
    [["--port", "80.5"], {}, "--port: expected a whole number, got 80.5"],
    [[], { SHUTDOWN_TIMEOUT_MS: "-5" }, "SHUTDOWN_TIMEOUT_MS: must be at least 0, got -5"],
    [[], { ACCESS_LOG: "some" }, 'ACCESS_LOG: must be one of off, sample, all, got "some"'],
    [[], { ACCESS_LOG_SAMPLE: "0" }, "ACCESS_LOG_SAMPLE: must be at least 1, got 0"],
    [[], { ACCESS_LOG_SAMPLE: "0.5" }, "ACCESS_LOG_SAMPLE: expected a whole number, got 0.5"],
    [[], { ACCESS_LOG_SLOW_MS: "-1" }, "ACCESS_LOG_SLOW_MS: must be at least 0, got -1"],
    [[], { SUMMARY_CACHE_ENTRIES: "2.5" }, "SUMMARY_CACHE_ENTRIES: expected a whole number"],
  ])("refuses %j %j", (argv, env, message) => {
    expect(() => parse(argv, env)).toThrow(UsageError);
    expect(() => parse(argv, env)).toThrow(message);
  });
});

describe("setupApi", () => {
  const parts: ApiParts[] = [];
  afterEach(() => {
    for (const p of parts.splice(0)) p.store.close();
  });

  it("takes everything from the command's config, not from process.env", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    await runEtl({ dataDir: join(ROOT, "data"), dbPath });
    const logDir = join(root, "my-logs");
    const saved = process.env.LOG_DIR;
    process.env.LOG_DIR = join(root, "env-logs"); // must be ignored
    try {
      const log = createLogger("api", { dir: join(root, "command-logs"), console: false });
      const config = { ...parse([]), dbPath, logDir, cacheEntries: 7 };
      const api = setupApi(config, { log, version: "4.5.6" });
      parts.push(api);
      expect(api.store.path).toBe(dbPath);
      expect(api.store.cacheStats().capacity).toBe(7);
      const doc = await (await api.app.request("/openapi.json")).json();
      expect(doc.info.version).toBe("4.5.6");
      expect((await api.app.request("/ventas/resumen_por_categoria")).status).toBe(200);
      await api.accessLog.flushFile();
      expect(readdirSync(logDir).filter((f) => f.endsWith(".log"))).toEqual(["api-access.log"]);
      expect(existsSync(join(root, "env-logs"))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.LOG_DIR;
      else process.env.LOG_DIR = saved;
    }
  });
});
