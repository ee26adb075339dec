import type { Hono } from "hono";
import { createLogger, type Logger } from "../log.js";
import { createApp } from "./app.js";
import { SalesStore } from "./sales-store.js";

export interface ApiParts {
  app: Hono;
  store: SalesStore;
  /** The request logger: level `http` (every request) to logs/api.log, info and above to stderr. */
  requests: Logger;
}

/** The app as `npm run api` serves it: its store, its request logging. */
export function setupApi(dbPath: string, version: string): ApiParts {
  const level = (process.env.LOG_LEVEL ?? "http") as "http";
  const requests = createLogger("api", {
    level,
    consoleLevel: (process.env.LOG_LEVEL ?? "info") as "info",
    buffered: true,
  });
  const store = new SalesStore(dbPath, (error) =>
    requests.warn(`database: ${(error as Error).message}`),
  );
  return { app: createApp({ store, log: requests, version }), store, requests };
}
