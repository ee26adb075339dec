import type { Hono } from "hono";
import { readJson } from "../http/body.js";
import { ConsoleError } from "../http/errors.js";
import { onlyMethods } from "../http/routes.js";
import { type SseEvent, sseResponse } from "../http/sse.js";
import { layout } from "../views/layout.js";
import { pipelineMain } from "../views/pipeline.js";
import type { PageDeps } from "./deps.js";

/** The body of `POST /api/pipeline/runs`, checked: `{"targets": [...], "force": false}`. */
export function parseRunRequest(body: unknown): { targets: string[]; force: boolean } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ConsoleError(400, "invalid_body", 'send {"targets": ["step", …], "force": false}');
  const { targets, force, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined)
    throw new ConsoleError(
      400,
      "invalid_body",
      `unknown field ${JSON.stringify(unknown.slice(0, 40))} (send "targets" and optionally "force")`,
    );
  if (!Array.isArray(targets) || targets.length === 0)
    throw new ConsoleError(
      400,
      "invalid_targets",
      '"targets" must be a non-empty array of step names',
    );
  if (targets.length > 1000)
    throw new ConsoleError(400, "invalid_targets", '"targets" lists more than 1000 steps');
  for (const target of targets)
    if (typeof target !== "string" || target.length === 0 || target.length > 200)
      throw new ConsoleError(400, "invalid_targets", '"targets" must hold step names (strings)');
  if (force !== undefined && typeof force !== "boolean")
    throw new ConsoleError(400, "invalid_force", '"force" must be true or false');
  return { targets: [...new Set(targets as string[])], force: force === true };
}

/** `/pipeline` and its JSON and SSE endpoints under `/api/pipeline`. */
export function registerPipeline(app: Hono, deps: PageDeps): void {
  const { pipeline } = deps;

  app.get("/pipeline", async (c) => {
    const view = await pipeline.view();
    return c.html(
      layout({
        title: "Pipeline",
        active: "/pipeline",
        css: deps.assets.css,
        script: deps.assets.script("pipeline"),
        main: pipelineMain(view),
        state: view,
      }),
    );
  });
  onlyMethods(app, "/pipeline", ["GET"]);

  app.get("/api/pipeline", async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(await pipeline.view());
  });
  onlyMethods(app, "/api/pipeline", ["GET"]);

  app.post("/api/pipeline/runs", async (c) => {
    const { targets, force } = parseRunRequest(await readJson(c));
    const { run_id } = await pipeline.start(targets, force);
    c.header("Location", `/api/pipeline/runs/${encodeURIComponent(run_id)}`);
    return c.json({ run_id }, 202);
  });
  onlyMethods(app, "/api/pipeline/runs", ["POST"]);

  app.get("/api/pipeline/runs/:id", async (c) => {
    const id = c.req.param("id");
    const run = await pipeline.run(id);
    if (!run)
      throw new ConsoleError(
        404,
        "run_not_found",
        `no pipeline run ${JSON.stringify(id.slice(0, 80))}`,
      );
    c.header("Cache-Control", "no-store");
    return c.json(run);
  });
  onlyMethods(app, "/api/pipeline/runs/:id", ["GET"]);

  app.post("/api/pipeline/clear", async (c) => {
    await readJson(c); // a body, if any, must still be JSON of a sane size
    return c.json(await pipeline.clear());
  });
  onlyMethods(app, "/api/pipeline/clear", ["POST"]);

  app.get("/api/pipeline/events", (c) =>
    sseResponse(c, deps.sse, ({ send, ended }) => {
      // Events that arrive while the snapshot is read are sent after it: each carries the
      // whole state of its step, run or memory, so applying one twice changes nothing.
      let early: SseEvent[] | null = [];
      const unsubscribe = pipeline.subscribe((event) => {
        if (early) early.push(event);
        else send(event);
      });
      pipeline
        .view()
        .then((view) => {
          if (ended.aborted) return;
          send({ event: "snapshot", data: view });
          for (const event of early ?? []) send(event);
          early = null;
        })
        .catch((error) => {
          deps.log?.warn(`pipeline events: ${(error as Error).message}`);
          early = null;
        });
      return unsubscribe;
    }),
  );
  onlyMethods(app, "/api/pipeline/events", ["GET"]);
}
