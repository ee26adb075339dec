import type { MiddlewareHandler } from "hono";
import { responseHeaders } from "../../api/headers.js";

/**
 * The console's Content-Security-Policy: everything from the console itself, nothing
 * inline (no inline script or style), no framing, no plugins.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** CORS headers the API sends for programs on any origin; the console sends none. */
const CORS_HEADERS = [
  "Access-Control-Allow-Origin",
  "Access-Control-Expose-Headers",
  "Access-Control-Allow-Methods",
  "Access-Control-Allow-Headers",
  "Access-Control-Max-Age",
  "Allow",
];

/**
 * The sales API's security headers (src/api/headers.ts: nosniff, frame options, referrer
 * policy, COOP, HSTS), with what differs for pages people use: a CSP that allows the
 * console's own scripts and styles (only `'self'`), resources for same-origin use only, and
 * no CORS (another site's page may neither read the console's state nor preflight a POST).
 */
export function consoleHeaders(): MiddlewareHandler {
  const api = responseHeaders();
  return (c, next) =>
    api(c, async () => {
      c.header("Content-Security-Policy", CONSOLE_CSP);
      c.header("Cross-Origin-Resource-Policy", "same-origin");
      for (const name of CORS_HEADERS) c.header(name, undefined);
      await next();
    });
}
