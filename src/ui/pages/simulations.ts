import type { Hono } from "hono";
import { onlyMethods } from "../http/routes.js";
import { layout } from "../views/layout.js";
import { simulationMain, simulationMissing, simulationsMain } from "../views/simulations.js";
import type { PageDeps } from "./deps.js";

/**
 * `/simulations` (the runs and the form that starts one) and `/simulations/:id` (one run,
 * live). The server paints the current state; the page's script follows it from the API
 * under `/api/simulations` and the run's event stream.
 */
export function registerSimulationsPage(app: Hono, deps: PageDeps): void {
  const sims = deps.simulations;
  app.get("/simulations", (c) => {
    const runs = sims ? sims.service.list() : [];
    return c.html(
      layout({
        title: "Simulations",
        active: "/simulations",
        css: deps.assets.css,
        script: deps.assets.script("simulations"),
        main: simulationsMain(sims?.info, runs),
        state: { page: "list", runs, available: Boolean(sims) },
      }),
    );
  });
  onlyMethods(app, "/simulations", ["GET"]);

  app.get("/simulations/:id", (c) => {
    const id = c.req.param("id");
    const detail = sims?.service.get(id);
    if (!detail) {
      // A page that says so (the API answers 404): a link to a run of another console still lands somewhere.
      c.header("Cache-Control", "no-store");
      return c.html(
        layout({
          title: "Simulation not found",
          active: "/simulations",
          css: deps.assets.css,
          main: simulationMissing(id),
        }),
      );
    }
    return c.html(
      layout({
        title: `${detail.model.nombre} · Simulations`,
        active: "/simulations",
        css: deps.assets.css,
        script: deps.assets.script("simulations"),
        main: simulationMain(detail),
        state: { page: "run", detail },
      }),
    );
  });
  onlyMethods(app, "/simulations/:id", ["GET"]);
}
