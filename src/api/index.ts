/**
 * The sales API as a library: build the hono app over a sales database and serve it from
 * your own code (or mount it in a larger app, or drive it with `app.request()` in tests).
 *
 * @example
 * import { createApp, listen, SalesStore, shutdown } from "empresa-etl/api";
 *
 * const store = new SalesStore("database/empresa.db", { cacheEntries: 5000 });
 * const app = createApp({ store, accessLog: { mode: "off" } });
 * const { server, port } = await listen(app, 5000, "127.0.0.1");
 * console.log(`serving on http://127.0.0.1:${port}`);
 * process.once("SIGTERM", async () => {
 *   // Stop accepting, let in-flight requests finish (up to 10 s), then close the database.
 *   await shutdown(server, 10_000, undefined, () => store.close());
 * });
 *
 * @module
 */
export type { AccessLogMode, AccessLogOptions, ApiLogger, AppOptions } from "./app.js";
export { createApp } from "./app.js";
export { type ApiRunResult, apiCommand } from "./command.js";
export { API_OPTIONS, type ApiConfig } from "./options.js";
export { SUMMARY_PARAMS, type SummaryQuery } from "./params.js";
export {
  type CachedBody,
  type CacheStats,
  type Readiness,
  SalesStore,
  type SalesStoreOptions,
} from "./sales-store.js";
export { type Listening, listen, shutdown } from "./server.js";
export { type ApiContext, type ApiParts, type ApiSetupConfig, setupApi } from "./setup.js";
