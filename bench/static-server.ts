// The reference for `bench:api`: the API's own stack — the same app, middleware (security
// and CORS headers, request logging with the same settings, read from the environment
// through the same option specs) and hono + @hono/node-server server — with one extra
// route answering a constant JSON body (the same bytes as the summary) from memory.
import { API_OPTIONS } from "../src/api/options.js";
import { listen } from "../src/api/server.js";
import { setupApi } from "../src/api/setup.js";
import { LOG_OPTIONS } from "../src/cli/options.js";
import { parseCommand } from "../src/config.js";
import { createLogger, parseLevel } from "../src/log.js";

const body = process.env.STATIC_BODY ?? "{}";
const { config } = parseCommand(
  { name: "api", summary: "", options: { ...LOG_OPTIONS, ...API_OPTIONS } },
  [],
);
const log = createLogger("api", {
  file: "api",
  dir: config.logDir,
  level: parseLevel(config.logLevel),
});
const { app } = setupApi(config, { log, version: "bench" });
app.get("/static", (c) => c.body(body, 200, { "Content-Type": "application/json; charset=utf-8" }));
const { server, port } = await listen(app, 0, "127.0.0.1");
process.stderr.write(`listening on http://127.0.0.1:${port}\n`);
process.once("SIGTERM", () => server.close(() => process.exit(0)));
