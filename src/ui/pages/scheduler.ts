import type { Context, Hono } from "hono";
import { readJson } from "../http/body.js";
import { ConsoleError } from "../http/errors.js";
import { onlyMethods } from "../http/routes.js";
import { type SseEvent, sseResponse } from "../http/sse.js";
import { layout } from "../views/layout.js";
import { schedulerMain } from "../views/scheduler.js";
import type { PageDeps } from "./deps.js";

/** A job name as the schedule file allows it. */
const JOB_NAME = /^[a-z0-9_-]{1,100}$/;
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 50;

/**
 * The query of `GET /api/scheduler/runs`, checked: `job` (a job name) and `limit`
 * (1–1000, default 50); anything else, or a parameter given twice, is refused.
 */
export function parseRunsQuery(c: Context): { job?: string; limit: number } {
  const url = new URL(c.req.url);
  const seen = new Set<string>();
  for (const key of url.searchParams.keys()) {
    if (key !== "job" && key !== "limit")
      throw new ConsoleError(
        400,
        "invalid_query",
        `unknown parameter ${JSON.stringify(key.slice(0, 40))} (use job and limit)`,
      );
    if (seen.has(key))
      throw new ConsoleError(400, "invalid_query", `${key} is given more than once`);
    seen.add(key);
  }
  const job = url.searchParams.get("job");
  const limitText = url.searchParams.get("limit");
  if (job !== null && !JOB_NAME.test(job))
    throw new ConsoleError(
      400,
      "invalid_job",
      "job must be a job name: 1 to 100 of a-z, 0-9, _ and -",
    );
  let limit = DEFAULT_LIMIT;
  if (limitText !== null) {
    limit = /^\d{1,7}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      throw new ConsoleError(
        400,
        "invalid_limit",
        `limit must be a whole number from 1 to ${MAX_LIMIT}`,
      );
  }
  return job === null ? { limit } : { job, limit };
}

/** `/scheduler` and its JSON and SSE endpoints under `/api/scheduler`. */
export function registerScheduler(app: Hono, deps: PageDeps): void {
  const { scheduler } = deps;

  app.get("/scheduler", (c) => {
    const snapshot = scheduler.snapshot();
    return c.html(
      layout({
        title: "Scheduler",
        active: "/scheduler",
        css: deps.assets.css,
        script: deps.assets.script("scheduler"),
        main: schedulerMain(snapshot),
        state: snapshot,
      }),
    );
  });
  onlyMethods(app, "/scheduler", ["GET"]);

  app.get("/api/scheduler", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(scheduler.view());
  });
  onlyMethods(app, "/api/scheduler", ["GET"]);

  app.get("/api/scheduler/runs", (c) => {
    const query = parseRunsQuery(c);
    c.header("Cache-Control", "no-store");
    return c.json({ runs: scheduler.runs(query) });
  });
  onlyMethods(app, "/api/scheduler/runs", ["GET"]);

  app.get("/api/scheduler/runs/:id", (c) => {
    const text = c.req.param("id");
    const id = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
    const run = Number.isSafeInteger(id) ? scheduler.run(id) : undefined;
    if (!run)
      throw new ConsoleError(
        404,
        "run_not_found",
        `no scheduler run ${JSON.stringify(text.slice(0, 40))}`,
      );
    c.header("Cache-Control", "no-store");
    return c.json(run);
  });
  onlyMethods(app, "/api/scheduler/runs/:id", ["GET"]);

  app.post("/api/scheduler/jobs/:name/run", async (c) => {
    await readJson(c); // a body, if any, must still be JSON of a sane size
    const name = c.req.param("name");
    if (!JOB_NAME.test(name))
      throw new ConsoleError(
        404,
        "job_not_found",
        `no job ${JSON.stringify(name.slice(0, 80))} (job names are a-z, 0-9, _ and -)`,
      );
    const request = scheduler.requestRun(name);
    return c.json(request, 202);
  });
  onlyMethods(app, "/api/scheduler/jobs/:name/run", ["POST"]);

  app.get("/api/scheduler/events", (c) =>
    sseResponse(c, deps.sse, ({ send }) => {
      // Subscribed first, then the snapshot: a change in between is in the snapshot and
      // comes again as an event, and every event carries whole state, so that is harmless.
      const unsubscribe = scheduler.subscribe((event: SseEvent) => send(event));
      try {
        send({ event: "snapshot", data: scheduler.snapshot() });
      } catch (error) {
        deps.log?.warn(`scheduler events: ${(error as Error).message}`);
      }
      return unsubscribe;
    }),
  );
  onlyMethods(app, "/api/scheduler/events", ["GET"]);
}
