import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { RULES } from "../src/validation/rules.js";
import { runValidation } from "../src/validation/run.js";
import { sendWebhook, webhookUrlProblem } from "../src/validation/webhook.js";
import { ROOT, runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

/** A database loaded from the bundled sample data (as of 2025-01-01 it fails ERROR rules). */
async function sampleDatabase(): Promise<{ root: string; dbPath: string }> {
  const root = tempDir();
  const dbPath = join(root, "database", "empresa.db");
  await runEtl({ dataDir: join(ROOT, "data"), dbPath });
  return { root, dbPath };
}

/** Every file under `dir`, read as text ("" when the folder does not exist). */
function everythingUnder(dir: string): string {
  let text = "";
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return "";
  }
  for (const name of names) {
    const path = join(dir, name);
    text += statSync(path).isDirectory() ? everythingUnder(path) : readFileSync(path, "utf8");
  }
  return text;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

/** A real HTTP server on 127.0.0.1; returns its base URL. */
async function listen(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const SECRET = "T0SECRET/B0SECRET/xoxb-s3cr3t-t0k3n";

describe("the webhook URL is a secret, checked when the options are read", () => {
  it.each([
    ["a URL without its colon", `https//hooks.example.com/services/${SECRET}`],
    ["plain http to another host", `http://hooks.example.com/services/${SECRET}`],
    ["a user and password in the URL", `https://user:${SECRET}@hooks.example.com/services/x`],
    ["another scheme", `ftp://hooks.example.com/services/${SECRET}`],
    ["not a URL at all", `${SECRET}`],
  ])("%s: exit 2 before anything runs, and the URL appears nowhere", async (_name, url) => {
    const { root } = await sampleDatabase();
    const run = await runCli("validate", ["--as-of", "2025-01-01", "--json"], {
      cwd: root,
      env: { ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_TIMEOUT_MS: "200", ALERT_WEBHOOK_RETRIES: "0" },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("ALERT_WEBHOOK_URL");
    const logs = everythingUnder(join(root, "logs"));
    for (const part of ["s3cr3t", "T0SECRET", "B0SECRET", url]) {
      expect(run.stdout).not.toContain(part);
      expect(run.stderr).not.toContain(part);
      expect(logs).not.toContain(part);
    }
  });

  it("accepts https, and http only to this machine", () => {
    expect(webhookUrlProblem("https://hooks.slack.com/services/T0/B0/x")).toBeUndefined();
    expect(webhookUrlProblem("http://127.0.0.1:8080/hook")).toBeUndefined();
    expect(webhookUrlProblem("http://localhost/hook")).toBeUndefined();
    expect(webhookUrlProblem("http://[::1]:9/hook")).toBeUndefined();
    expect(webhookUrlProblem("http://127.0.0.1.example.com/hook")).toMatch(/https/);
    expect(webhookUrlProblem("http://10.0.0.1/hook")).toMatch(/https/);
    for (const bad of [`https//x/${SECRET}`, `https://u:${SECRET}@x/`, `file:///${SECRET}`]) {
      const problem = webhookUrlProblem(bad);
      expect(problem).toBeTypeOf("string");
      expect(problem).not.toContain("s3cr3t");
    }
  });

  it("the library refuses a bad URL without naming it either", async () => {
    const report = await sampleReport();
    const outcome = await sendWebhook(report, {
      url: `https//hooks.example.com/${SECRET}`,
      timeoutMs: 200,
      retries: 0,
    });
    expect(outcome.sent).toBe(false);
    expect(outcome.attempts).toBe(0);
    expect(outcome.error).not.toContain("s3cr3t");
  });
});

async function sampleReport() {
  const { dbPath } = await sampleDatabase();
  return runValidation({ dbPath, asOf: "2025-01-01", thresholds: {}, rules: RULES });
}

describe("what the receiver answers cannot lead the command elsewhere or hold it", () => {
  it("a 302 to another local server is not followed: one attempt, a failure, nothing else changes", async () => {
    const { root } = await sampleDatabase();
    const elsewhere: string[] = [];
    const other = await listen((req, res) => {
      elsewhere.push(`${req.method} ${req.url}`);
      res.end("ok");
    });
    let attempts = 0;
    const hook = await listen((req, res) => {
      attempts++;
      req.resume();
      res.writeHead(302, { location: `${other}/stolen` }).end();
    });
    const run = await runCli("validate", ["--as-of", "2025-01-01", "--json"], {
      cwd: root,
      env: { ALERT_WEBHOOK_URL: `${hook}/${SECRET}`, ALERT_WEBHOOK_RETRIES: "2" },
    });
    expect(elsewhere).toEqual([]);
    expect(attempts).toBe(1);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).status).toBe("attention");
    expect(run.stderr).toContain("alert webhook failed after 1 attempts: HTTP 302");
    expect(run.stderr).not.toContain("s3cr3t");
    expect(everythingUnder(join(root, "logs"))).not.toContain("s3cr3t");
  });

  it("a receiver streaming an endless body: a few KB are read, then the connection is dropped", async () => {
    const { root } = await sampleDatabase();
    // "Endless" within reason: it gives up after 256 MB, so a client that reads everything
    // ends (and fails this test) instead of hanging it. The timeout is far away on purpose:
    // only reading less can end the request early.
    const LIMIT = 256 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, "x");
    const streamed = { written: 0, finished: false, dropped: false };
    const hook = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/plain" });
      res.on("close", () => {
        if (!streamed.finished) streamed.dropped = true;
      });
      const pump = () => {
        while (!streamed.dropped && streamed.written < LIMIT) {
          streamed.written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        if (!streamed.dropped) {
          streamed.finished = true;
          res.end();
        }
      };
      pump();
    });
    const run = await runCli("validate", ["--as-of", "2025-01-01"], {
      cwd: root,
      env: { ALERT_WEBHOOK_URL: `${hook}/hook`, ALERT_WEBHOOK_TIMEOUT_MS: "120000" },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("alert webhook delivered");
    expect(streamed.finished).toBe(false);
    expect(streamed.dropped).toBe(true);
    // What the kernel's socket buffers took before the client hung up, not what it read.
    expect(streamed.written).toBeLessThan(32 * 1024 * 1024);
  });
});

describe("sendWebhook and an AbortSignal", () => {
  it("an abort while the receiver is silent ends the request at once with an AbortError", async () => {
    const report = await sampleReport();
    const controller = new AbortController();
    let requests = 0;
    const hook = await listen((req) => {
      requests++;
      req.resume();
      controller.abort(); // never answers; the caller gives up instead
    });
    await expect(
      sendWebhook(report, {
        url: `${hook}/hook`,
        timeoutMs: 60_000,
        retries: 3,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(requests).toBe(1);
  });

  it("an abort during the wait before a retry ends it without another attempt", async () => {
    const report = await sampleReport();
    const controller = new AbortController();
    let requests = 0;
    const hook = await listen((req, res) => {
      requests++;
      req.resume();
      res.statusCode = 503;
      res.end(() => controller.abort());
    });
    await expect(
      sendWebhook(report, {
        url: `${hook}/hook`,
        timeoutMs: 60_000,
        retries: 3,
        backoffMs: 60_000,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(requests).toBe(1);
  });

  it("an already aborted signal sends nothing", async () => {
    const report = await sampleReport();
    let requests = 0;
    const hook = await listen((_req, res) => {
      requests++;
      res.end();
    });
    await expect(
      sendWebhook(report, {
        url: `${hook}/hook`,
        timeoutMs: 1000,
        retries: 0,
        signal: AbortSignal.abort(),
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(requests).toBe(0);
  });
});
