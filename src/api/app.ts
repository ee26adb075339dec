import type { IncomingMessage } from "node:http";
import { Hono } from "hono";
import { type AccessLogOptions, type ApiLogger, accessLogDecider } from "./access-log.js";
import { docsPage } from "./docs-page.js";
import { ApiError, errorBody } from "./errors.js";
import { ALLOWED_METHODS, responseHeaders } from "./headers.js";
import { openApiDocument } from "./openapi.js";
import { parseSummaryQuery } from "./params.js";
import type { SalesStore } from "./sales-store.js";

export type { AccessLogMode, AccessLogOptions, ApiLogger } from "./access-log.js";

export interface AppOptions {
  /** The sales database the API answers from. */
  store: SalesStore;
  /** Diagnostics: database problems, unhandled errors, and (at `debug`) each request as it starts. */
  log?: ApiLogger;
  /** Request lines; see `AccessLogOptions`. */
  accessLog?: AccessLogOptions;
  /** The API version shown in the OpenAPI document. */
  version?: string;
}

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * Reads a request header straight from Node's IncomingMessage when served by
 * @hono/node-server: `c.req.header()` builds a whole WHATWG Headers object on first use,
 * which cost the summary route a tenth of its throughput. Undefined under `app.request()`.
 */
function requestHeader(env: unknown, name: string): string | undefined {
  const value = (env as { incoming?: IncomingMessage } | undefined)?.incoming?.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * Builds the API from its dependencies: a hono app, to serve with `listen()` or drive with
 * `app.request()` (no socket needed).
 *
 * @example
 * const app = createApp({ store: new SalesStore("database/empresa.db") });
 * const res = await app.request("/ventas/resumen_por_categoria?desde=2024-06-01");
 */
export function createApp({ store, log, accessLog = {}, version = "1.0.0" }: AppOptions): Hono {
  const app = new Hono();
  const document = openApiDocument(version);
  const openapi = JSON.stringify(document);
  const docs = docsPage(document);
  const requests = accessLog.log ?? log;
  const logged = accessLogDecider(accessLog);
  // Checked once: winston's level methods do the work of a write before any level filter.
  const traceStarts = log !== undefined && (log.isLevelEnabled?.("debug") ?? true);

  app.use(async (c, next) => {
    const started = performance.now();
    if (traceStarts) log?.debug(`→ ${c.req.method} ${c.req.path}`);
    await next();
    const ms = performance.now() - started;
    const why = logged(c.res.status, ms);
    if (why && requests) {
      requests.http(`${c.req.method} ${c.req.path} ${c.res.status}`, {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(ms * 100) / 100,
        logged: why,
      });
    }
  });
  app.use(responseHeaders());

  app.get("/ventas/resumen_por_categoria", (c) => {
    const url = c.req.url;
    const query = url.includes("?") ? parseSummaryQuery(new URL(url)) : {};
    const answer = store.summary(query);
    c.header("ETag", answer.etag);
    c.header("Cache-Control", "no-cache");
    const match = requestHeader(c.env, "if-none-match") ?? c.req.header("If-None-Match");
    if (match?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === answer.etag)) {
      return c.body(null, 304);
    }
    return c.body(answer.body, 200, { "Content-Type": JSON_TYPE });
  });

  app.get("/health", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ status: "ok" });
  });

  app.get("/ready", (c) => {
    c.header("Cache-Control", "no-store");
    const { quality } = store.readiness();
    return c.json({
      status: "ready",
      etl_run: {
        run_id: quality.etlRunId,
        finished_at: quality.finishedAt,
        tables: Object.fromEntries(
          quality.tables.map((t) => [
            t.table,
            { read: t.read, loaded: t.loaded, rejected: t.rejected },
          ]),
        ),
      },
    });
  });

  app.get("/openapi.json", (c) => c.body(openapi, 200, { "Content-Type": JSON_TYPE }));
  app.get("/docs", (c) => c.html(docs));

  for (const path of [
    "/ventas/resumen_por_categoria",
    "/health",
    "/ready",
    "/openapi.json",
    "/docs",
  ]) {
    app.all(path, (c) => {
      if (c.req.method === "OPTIONS") return c.body(null, 204);
      return c.json(
        errorBody(
          "method_not_allowed",
          `${c.req.method} is not allowed on ${path} (allowed: ${ALLOWED_METHODS})`,
        ),
        405,
        {
          Allow: ALLOWED_METHODS,
        },
      );
    });
  }

  app.notFound((c) =>
    c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path.slice(0, 200)}`), 404),
  );

  app.onError((error, c) => {
    // A 5xx of ours (the database unavailable) is in the access log, always, and its cause
    // was told once by the store: no line per request here.
    if (error instanceof ApiError)
      return c.json(errorBody(error.code, error.message), error.status);
    log?.error(`unhandled error on ${c.req.method} ${c.req.path}`, {
      error: (error as Error).message,
      stack: (error as Error).stack,
    });
    return c.json(errorBody("internal_error", "the server could not answer this request"), 500);
  });

  return app;
}
