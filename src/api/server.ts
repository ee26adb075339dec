import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { AppError } from "../errors.js";
import { errorBody } from "./errors.js";

/** Builds a JSON error body from a stable code and a one-line message. */
export type ErrorBodyBuilder = (code: string, message: string) => unknown;

/** What Node's HTTP parser errors become: the status Node itself would send, our JSON body. */
function clientErrorAnswer(code: string | undefined): [number, string, string, string] {
  if (code === "HPE_HEADER_OVERFLOW")
    return [
      431,
      "Request Header Fields Too Large",
      "headers_too_large",
      "the request headers are too large",
    ];
  if (code === "ERR_HTTP_REQUEST_TIMEOUT")
    return [408, "Request Timeout", "request_timeout", "the request took too long to arrive"];
  return [
    400,
    "Bad Request",
    "bad_request",
    "the request is not valid HTTP (a path or query with bytes outside ASCII must be percent-encoded, such as medell%C3%ADn)",
  ];
}

/**
 * Answers a request Node's HTTP parser rejects (raw non-ASCII bytes in the path, a bad
 * header, ...) with a JSON error instead of Node's bare, empty 400; a connection the
 * client already reset or closed is just destroyed, quietly.
 */
function onClientError(build: ErrorBodyBuilder) {
  return (error: NodeJS.ErrnoException, socket: Socket) => {
    // Never write into a response already under way (it would corrupt what the peer reads).
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, reason, code, message] = clientErrorAnswer(error.code);
    const body = JSON.stringify(build(code, message));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}

export interface Listening {
  server: Server;
  port: number;
}

/**
 * Starts listening; a port in use or not allowed is an `AppError` with a clear message.
 * A request Node's HTTP parser rejects gets a JSON error built by `errorBodyOf` (default:
 * the API's `{"error": code, "message"}`; the console passes its own shape).
 */
export function listen(
  app: Hono,
  port: number,
  host: string,
  errorBodyOf: ErrorBodyBuilder = errorBody,
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }) as Server;
    server.on("clientError", onClientError(errorBodyOf));
    server.once("listening", () =>
      resolve({ server, port: (server.address() as AddressInfo).port }),
    );
    server.once("error", (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === "EADDRINUSE"
          ? "is already in use"
          : error.code === "EACCES"
            ? "is not allowed"
            : `cannot be used (${error.code})`;
      reject(new AppError(`port ${port} on ${host} ${reason}`, "listen", 1));
    });
  });
}

/**
 * Stops accepting connections, lets in-flight requests finish within `deadlineMs`, then
 * cuts what is left and runs `cleanup` (closing the database). Resolves when done.
 */
export function shutdown(
  server: Server,
  deadlineMs: number,
  log: { warn(message: string): unknown } | undefined,
  cleanup: () => void,
): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => {
      log?.warn(
        `shutdown: requests still running after ${deadlineMs} ms; closing their connections`,
      );
      server.closeAllConnections();
    }, deadlineMs);
    deadline.unref();
    // Keep-alive connections that finish their request after this point become idle
    // later; sweep them so the server does not wait out their keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(sweep);
      cleanup();
      resolve();
    });
    server.closeIdleConnections();
  });
}
