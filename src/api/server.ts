import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { AppError } from "../errors.js";

export interface Listening {
  server: Server;
  port: number;
}

/** Starts listening; a port in use or not allowed is an `AppError` with a clear message. */
export function listen(app: Hono, port: number, host: string): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }) as Server;
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
