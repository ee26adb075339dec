import type { MiddlewareHandler } from "hono";

/**
 * Security and CORS headers for every response, set before the handler runs. (Hono's
 * `secureHeaders()` and `cors()` rewrite the finished response, which takes
 * @hono/node-server off its fast path: 81k → 13k requests/s here. Setting the same
 * headers up front keeps it.) CORS allows any origin to read, and only GET, HEAD, OPTIONS.
 */
const HEADERS: readonly [string, string][] = [
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["Referrer-Policy", "no-referrer"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "cross-origin"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  [
    "Content-Security-Policy",
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  ],
  ["Access-Control-Allow-Origin", "*"],
  ["Access-Control-Expose-Headers", "ETag"],
];

export const ALLOWED_METHODS = "GET, HEAD, OPTIONS";

export function responseHeaders(): MiddlewareHandler {
  return async (c, next) => {
    for (const [name, value] of HEADERS) c.header(name, value);
    if (c.req.method === "OPTIONS") {
      // Preflight (or a plain OPTIONS): what may be asked, for how long to remember it.
      c.header("Allow", ALLOWED_METHODS);
      c.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
      c.header(
        "Access-Control-Allow-Headers",
        c.req.header("Access-Control-Request-Headers") ?? "If-None-Match",
      );
      c.header("Access-Control-Max-Age", "600");
    }
    await next();
  };
}
