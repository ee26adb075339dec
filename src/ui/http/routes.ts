import type { Hono } from "hono";
import { ConsoleError } from "./errors.js";

/**
 * After a path's handlers: OPTIONS answers 204 with `Allow` (and no CORS headers, so
 * another site's preflight fails), any other method 405 with `Allow`. Register it last
 * for the path.
 *
 * @example
 * app.post("/api/pipeline/clear", clear);
 * onlyMethods(app, "/api/pipeline/clear", ["POST"]);
 */
export function onlyMethods(app: Hono, path: string, methods: readonly string[]): void {
  const allowed = [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  app.all(path, (c) => {
    if (c.req.method === "OPTIONS") return c.body(null, 204, { Allow: allowed });
    throw new ConsoleError(
      405,
      "method_not_allowed",
      `${c.req.method} is not allowed on ${c.req.path.slice(0, 200)} (allowed: ${allowed})`,
      { Allow: allowed },
    );
  });
}
