import type { Hono } from "hono";
import { onlyMethods } from "../http/routes.js";
import { layout, type NavPath } from "../views/layout.js";
import { type Coming, comingMain } from "../views/placeholder.js";
import type { PageDeps } from "./deps.js";

const SECTIONS: {
  path: Exclude<NavPath, "/" | "/pipeline" | "/scheduler" | "/files" | "/simulations">;
  coming: Coming;
}[] = [];

/** The sections not built yet: a page that says what will be there (not a 404). */
export function registerComing(app: Hono, deps: PageDeps): void {
  for (const { path, coming } of SECTIONS) {
    const page = (title: string) =>
      layout({ title, active: path, css: deps.assets.css, main: comingMain({ ...coming, title }) });
    app.get(path, (c) => c.html(page(coming.title)));
    onlyMethods(app, path, ["GET"]);
  }
}
