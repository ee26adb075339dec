import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import Transport from "winston-transport";
import { apiCommand } from "../src/api/command.js";
import { API_OPTIONS } from "../src/api/options.js";
import type { CommandConfig } from "../src/cli/command.js";
import { LOG_OPTIONS } from "../src/cli/options.js";
import { parseCommand } from "../src/config.js";
import { AppError, InterruptedError } from "../src/errors.js";
import { runEtl } from "../src/etl/run.js";
import { createLogger } from "../src/log.js";
import { ROOT } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const SPEC = { name: "api", summary: "", options: { ...LOG_OPTIONS, ...API_OPTIONS } };
const progress = { update() {}, clear() {} };

/** The config as the CLI edge would resolve it from these flags and environment. */
function configFor(argv: string[], env: Record<string, string>) {
  return parseCommand(SPEC, argv, env, {}).config as CommandConfig<typeof API_OPTIONS>;
}

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** The command's own logger, as the CLI edge makes it, plus a hook on its messages. */
function commandLogger(dir: string) {
  const log = createLogger("api", { dir, file: "api", console: false });
  const waiters: { pattern: RegExp; done: (match: RegExpExecArray) => void }[] = [];
  class Hook extends Transport {
    override log(info: { message: string }, next: () => void): void {
      for (const waiter of waiters.splice(0)) {
        const match = waiter.pattern.exec(info.message);
        if (match) waiter.done(match);
        else waiters.push(waiter);
      }
      next();
    }
  }
  log.add(new Hook());
  const next = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((done) => waiters.push({ pattern, done }));
  return { log, next };
}

describe("apiCommand, the command as a library value", () => {
  it("serves until its signal is aborted, then shuts down and writes out the request log", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    await runEtl({ dataDir: join(ROOT, "data"), dbPath });
    const logDir = join(root, "logs");
    const config = configFor(["--port", "0", "--host", "127.0.0.1", "--db", dbPath], {
      LOG_DIR: logDir,
      ACCESS_LOG: "all",
    });
    const { log, next } = commandLogger(logDir);
    const listening = next(/^listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const controller = new AbortController();
    const done = apiCommand.run({ config, args: [] }, { log, signal: controller.signal, progress });
    const url = `http://127.0.0.1:${(await listening)[1]}`;
    for (const path of ["/health", "/ventas/resumen_por_categoria?ciudad=Cali", "/nope"])
      await (await fetch(`${url}${path}`)).arrayBuffer();
    controller.abort(new InterruptedError("SIGTERM", 143));
    expect(await done).toMatchObject({ stoppedBy: "SIGTERM" });
    // run() resolves after the request log is on disk: no waiting on a timer.
    expect(
      lines(join(logDir, "api-access.log")).map((l) => [l.level, l.path, l.status, l.logged]),
    ).toEqual([
      ["http", "/health", 200, "all"],
      ["http", "/ventas/resumen_por_categoria", 200, "all"],
      ["http", "/nope", 404, "all"],
    ]);
    await log.flushFile();
    const messages = lines(join(logDir, "api.log")).map((l) => l.message);
    expect(messages).toContain("SIGTERM: finishing in-flight requests (up to 10000 ms)");
    expect(messages.at(-1)).toBe("stopped");
  });

  it("a port in use is a clear error, and the request log is closed", async () => {
    const root = tempDir();
    const logDir = join(root, "logs");
    const { log, next } = commandLogger(logDir);
    const first = new AbortController();
    const listening = next(/^listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const config = configFor(["--port", "0", "--host", "127.0.0.1"], { LOG_DIR: logDir });
    const running = apiCommand.run({ config, args: [] }, { log, signal: first.signal, progress });
    const port = (await listening)[1] as string;
    const second = apiCommand.run(
      { config: { ...config, port: Number(port) }, args: [] },
      { log, signal: new AbortController().signal, progress },
    );
    await expect(second).rejects.toThrow(AppError);
    await expect(second).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    first.abort();
    expect(await running).toMatchObject({ stoppedBy: "abort" });
  });
});
