// The reference for `bench:api`: a bare hono app on @hono/node-server, in its own process,
// answering GET /ventas/resumen_por_categoria with fixed bytes (BARE_BODY: the API's summary,
// fetched by the bench) and nothing else — no middleware, no logging, no extra headers
// (Content-Type only; node adds Date, Connection, Keep-Alive and Content-Length, as it does
// for the API). This is what a hono app costs at the least; the API is measured against it.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const body = process.env.BARE_BODY ?? "{}";
const app = new Hono();
app.get("/ventas/resumen_por_categoria", (c) =>
  c.body(body, 200, { "Content-Type": "application/json; charset=utf-8" }),
);
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, ({ port }) =>
  process.stderr.write(`listening on http://127.0.0.1:${port}\n`),
);
process.once("SIGTERM", () => server.close(() => process.exit(0)));
