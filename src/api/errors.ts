/** An error a client may see: an HTTP status, a stable code and a safe one-line message. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 500 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The one JSON error shape: `{"error": "<code>", "message": "…"}`. */
export function errorBody(code: string, message: string): { error: string; message: string } {
  return { error: code, message };
}
