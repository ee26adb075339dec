import type { Context } from "hono";

/** The statuses a console endpoint answers an error with. */
export type ErrorStatus = 400 | 403 | 404 | 405 | 409 | 413 | 415 | 500 | 503;

/**
 * An error a client may see: an HTTP status, a stable code and a safe one-line message
 * (never a stack trace, never a server path).
 *
 * @example
 * throw new ConsoleError(404, "run_not_found", `no pipeline run "${id}"`);
 */
export class ConsoleError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
    /** Extra response headers (`Allow` on a 405). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ConsoleError";
  }
}

/** The one JSON error shape of the console: `{"error": {"code", "message"}}`. */
export function errorBody(
  code: string,
  message: string,
): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** Answers `error` as JSON with its status and headers. */
export function errorResponse(c: Context, error: ConsoleError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  c.header("Cache-Control", "no-store");
  return c.json(errorBody(error.code, error.message), error.status);
}
