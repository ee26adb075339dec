// The reference for `bench:api`: the API's own stack — the same app, middleware (security
// and CORS headers, request logging) and hono + @hono/node-server server — with one extra
// route answering a constant JSON body (the same bytes as the summary) from memory.
import { listen } from "../src/api/server.js";
import { setupApi } from "../src/api/setup.js";

const body = process.env.STATIC_BODY ?? "{}";
const { app } = setupApi(process.env.DB_PATH ?? "database/empresa.db", "bench");
app.get("/static", (c) => c.body(body, 200, { "Content-Type": "application/json; charset=utf-8" }));
const { server, port } = await listen(app, 0, "127.0.0.1");
process.stderr.write(`listening on http://127.0.0.1:${port}\n`);
process.once("SIGTERM", () => server.close(() => process.exit(0)));
