import type { Hono } from "hono";
import { onlyMethods } from "../http/routes.js";
import { readSalesStatus } from "../overview/sales.js";
import { filesOverview, simulationsOverview } from "../overview/work.js";
import { layout } from "../views/layout.js";
import { type OverviewView, overviewMain } from "../views/overview.js";
import type { PageDeps } from "./deps.js";

/**
 * The overview's data: the sales database's last load and check, the pipeline's runs, the
 * scheduler, the file jobs and the simulations.
 */
export async function overview(deps: PageDeps): Promise<OverviewView> {
  return {
    sales: { db_path: deps.dbPath, ...readSalesStatus(deps.dbPath) },
    pipeline: await deps.pipeline.summary(),
    scheduler: deps.scheduler.summary(),
    files: await filesOverview(deps.jobs),
    simulations: simulationsOverview(deps.simulations?.service),
  };
}

/** `/` and `GET /api/overview`. */
export function registerOverview(app: Hono, deps: PageDeps): void {
  app.get("/", async (c) => {
    const view = await overview(deps);
    return c.html(
      layout({
        title: "Overview",
        active: "/",
        css: deps.assets.css,
        script: deps.assets.script("overview"),
        main: overviewMain(view),
        state: view,
      }),
    );
  });
  onlyMethods(app, "/", ["GET"]);
  app.get("/api/overview", async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(await overview(deps));
  });
  onlyMethods(app, "/api/overview", ["GET"]);
}
