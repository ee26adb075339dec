import type { Server } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.js";
import { SalesStore } from "../src/api/sales-store.js";
import { listen } from "../src/api/server.js";
import { runEtl } from "../src/etl/run.js";
import { errorBody as consoleErrorBody } from "../src/ui/http/errors.js";
import { ROOT } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const servers: Server[] = [];
const stores: SalesStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) store.close();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** Writes `request` as raw bytes on a fresh socket; resolves with all the server sent back. */
function rawRequest(port: number, request: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.write(request);
  });
}

function parseResponse(raw: string) {
  const at = raw.indexOf("\r\n\r\n");
  const body = raw.slice(at + 4);
  const [status, ...lines] = raw.slice(0, at).split("\r\n");
  const headers = Object.fromEntries(
    lines.map((line) => {
      const at = line.indexOf(":");
      return [line.slice(0, at).toLowerCase(), line.slice(at + 1).trim()];
    }),
  );
  return { status, headers, body };
}

const NON_ASCII = Buffer.concat([
  Buffer.from("GET /ventas/resumen_por_categoria?ciudad=medell"),
  Buffer.from("í", "utf8"),
  Buffer.from("n HTTP/1.1\r\nHost: localhost\r\n\r\n"),
]);

describe("requests Node's HTTP parser rejects", () => {
  it("get a 400 with the API's JSON error body, not an empty one", async () => {
    const app = new Hono();
    app.get("*", (c) => c.text("ok"));
    const { server, port } = await listen(app, 0, "127.0.0.1");
    servers.push(server);
    const { status, headers, body } = parseResponse(await rawRequest(port, NON_ASCII));
    expect(status).toBe("HTTP/1.1 400 Bad Request");
    expect(headers["content-type"]).toBe("application/json");
    expect(headers.connection).toBe("close");
    const json = JSON.parse(body);
    expect(json).toEqual({ error: "bad_request", message: expect.any(String) });
    expect(json.message).not.toMatch(/\n|at |Error:/);
    expect(Number(headers["content-length"])).toBe(Buffer.byteLength(body));
  });

  it("take the body builder the caller gives (the console's shape)", async () => {
    const app = new Hono();
    const { server, port } = await listen(app, 0, "127.0.0.1", consoleErrorBody);
    servers.push(server);
    const { status, body } = parseResponse(await rawRequest(port, NON_ASCII));
    expect(status).toBe("HTTP/1.1 400 Bad Request");
    expect(JSON.parse(body)).toEqual({
      error: { code: "bad_request", message: expect.any(String) },
    });
  });

  it("a connection reset by the client leaves the server serving", async () => {
    const app = new Hono();
    app.get("/health", (c) => c.json({ status: "ok" }));
    const { server, port } = await listen(app, 0, "127.0.0.1");
    servers.push(server);
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write("GET /health HTTP/1.1\r\nHo");
        socket.resetAndDestroy();
        resolve();
      });
    });
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});

describe("a query with invalid percent-encoding", () => {
  it("is 400 invalid_parameter naming the parameter", async () => {
    const dbPath = join(tempDir(), "empresa.db");
    await runEtl({ dataDir: join(ROOT, "data"), dbPath });
    const store = new SalesStore(dbPath);
    stores.push(store);
    const app = createApp({ store });
    for (const qs of ["ciudad=%E9", "ciudad=medell%ED", "desde=2024-01-01&ciudad=%C3"]) {
      const res = await app.request(`/ventas/resumen_por_categoria?${qs}`);
      expect(res.status, qs).toBe(400);
      const body = await res.json();
      expect(body.error).toBe("invalid_parameter");
      expect(body.message).toMatch(/^ciudad /);
    }
    const ok = await app.request("/ventas/resumen_por_categoria?ciudad=medell%C3%ADn");
    expect(ok.status).toBe(200);
  });
});
