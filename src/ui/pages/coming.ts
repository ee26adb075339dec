import type { Hono } from "hono";
import { onlyMethods } from "../http/routes.js";
import { layout, type NavPath } from "../views/layout.js";
import { type Coming, comingMain } from "../views/placeholder.js";
import type { PageDeps } from "./deps.js";

const SECTIONS: {
  path: Exclude<NavPath, "/" | "/pipeline" | "/scheduler" | "/files">;
  coming: Coming;
}[] = [
  {
    path: "/simulations",
    coming: {
      title: "Simulations",
      what: "Monte Carlo runs from a model file, over worker threads or RabbitMQ, with their results filling in live.",
      command: "npm run simulate",
    },
  },
];

/** The sections not built yet: a page that says what will be there (not a 404). */
export function registerComing(app: Hono, deps: PageDeps): void {
  for (const { path, coming } of SECTIONS) {
    const page = (title: string) =>
      layout({ title, active: path, css: deps.assets.css, main: comingMain({ ...coming, title }) });
    app.get(path, (c) => c.html(page(coming.title)));
    onlyMethods(app, path, ["GET"]);
    if (path === "/simulations") {
      app.get("/simulations/:id", (c) =>
        c.html(page(`${coming.title}: ${c.req.param("id").slice(0, 80)}`)),
      );
      onlyMethods(app, "/simulations/:id", ["GET"]);
    }
  }
}
