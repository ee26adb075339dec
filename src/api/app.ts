import type { IncomingMessage } from "node:http";
import { type Context, Hono } from "hono";
import { type AccessLogOptions, type ApiLogger, accessLogDecider } from "./access-log.js";
import { docsPage } from "./docs-page.js";
import { ApiError, errorBody } from "./errors.js";
import { ALLOWED_METHODS, headerTemplate, responseHeaders } from "./headers.js";
import { openApiDocument } from "./openapi.js";
import { parseSummaryQuery } from "./params.js";
import type { CachedBody, SalesStore } from "./sales-store.js";

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
const SUMMARY_PATH = "/ventas/resumen_por_categoria";

/** What the summary's fast path hands on to the middleware when it cannot answer. */
interface HandedOn {
  error: unknown;
  started: number;
}

/**
 * Reads a request header (`name` lower-cased) straight from Node's IncomingMessage when
 * served by @hono/node-server: `c.req.header()` builds a whole WHATWG Headers object on
 * first use, which cost the summary route a tenth of its throughput. Under `app.request()`
 * (no IncomingMessage) it asks `c.req.header()`.
 */
function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
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
  const handedOn = new WeakMap<Request, HandedOn>();

  /** The request line, when the access log's settings say so (one decision per request). */
  const record = (method: string, path: string, status: number, started: number) => {
    const ms = performance.now() - started;
    const why = logged(status, ms);
    if (why && requests) {
      requests.http(`${method} ${path} ${status}`, {
        method,
        path,
        status,
        ms: Math.round(ms * 100) / 100,
        logged: why,
      });
    }
  };

  /** Each cached answer's whole header record, built once. */
  const records = new WeakMap<CachedBody, Record<string, string | number>>();
  const summaryHeaders = headerTemplate(
    { "Cache-Control": "no-cache", "Content-Type": JSON_TYPE },
    "ETag",
  );

  /**
   * The summary's common case, before hono's router: `GET /ventas/resumen_por_categoria`
   * (that path exactly, any query) without `If-None-Match`, served by node-server, whose
   * answer is computed (or cached) without error, is sent from here with its header record
   * built once per answer, and its request line decided here (the same decision, counted
   * in the same sample). Anything else (HEAD, a conditional request, a bad parameter, the
   * database unavailable, every other route) goes through hono — the middleware and the
   * routes below, which answer exactly as before; an error already met here is handed on
   * with the request, not met twice. Undefined: not the common case. Against a bare hono
   * app this skips what hono itself costs (router, Context, the middleware's promises) and
   * the WHATWG Headers of every response (`c.header()`), which node-server converts back.
   */
  const fastSummary = (request: Request, env: unknown): Response | undefined => {
    if (request.method !== "GET") return undefined;
    const url = request.url;
    const start = url.indexOf("/", url.indexOf(":") + 4);
    const end = start + SUMMARY_PATH.length;
    if (!url.startsWith(SUMMARY_PATH, start) || (url.length > end && url[end] !== "?"))
      return undefined;
    const started = performance.now();
    // Served by @hono/node-server only (its IncomingMessage in `env`): node-server writes
    // the record as it is; elsewhere (`app.request()`, another runtime) hono answers.
    const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming || incoming.headers["if-none-match"] !== undefined) return undefined;
    let answer: CachedBody;
    try {
      answer = store.summary(url.length > end ? parseSummaryQuery(new URL(url)) : {});
    } catch (error) {
      handedOn.set(request, { error, started });
      return undefined;
    }
    let headers = records.get(answer);
    if (!headers) {
      headers = summaryHeaders(answer.etag, Buffer.byteLength(answer.body));
      records.set(answer, headers);
    }
    const response = new Response(answer.body, { status: 200, headers: headers as HeadersInit });
    record("GET", SUMMARY_PATH, 200, started);
    return response;
  };

  app.use(async (c, next) => {
    const started = handedOn.get(c.req.raw)?.started ?? performance.now();
    if (traceStarts) log?.debug(`→ ${c.req.method} ${c.req.path}`);
    await next();
    record(c.req.method, c.req.path, c.res.status, started);
  });
  app.use(responseHeaders());

  app.get(SUMMARY_PATH, (c) => {
    const handed = handedOn.get(c.req.raw);
    if (handed) throw handed.error;
    const url = c.req.url;
    const query = url.includes("?") ? parseSummaryQuery(new URL(url)) : {};
    const answer = store.summary(query);
    c.header("ETag", answer.etag);
    c.header("Cache-Control", "no-cache");
    const match = requestHeader(c, "if-none-match");
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

  for (const path of [SUMMARY_PATH, "/health", "/ready", "/openapi.json", "/docs"]) {
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

  // The common case first (not at `debug`, where the middleware says each request as it
  // starts). An app mounted with `route()`, or driven by `app.request()`, serves the same
  // answers through its routes.
  if (!traceStarts) {
    const honoFetch = app.fetch;
    app.fetch = (request, env, executionCtx) =>
      fastSummary(request, env) ?? honoFetch(request, env, executionCtx);
  }
  return app;
}
