import type { Hono } from "hono";
import { onlyMethods } from "../http/routes.js";
import { html } from "../views/html.js";
import { layout } from "../views/layout.js";
import type { PageDeps } from "./deps.js";

/** `/files`: large CSV uploads, their preview, background jobs and column profiles. */
export function registerFilesPage(app: Hono, deps: PageDeps): void {
  app.get("/files", (c) =>
    c.html(
      layout({
        title: "Files",
        active: "/files",
        css: deps.assets.css,
        main: html`<h1>Files</h1>`,
      }),
    ),
  );
  onlyMethods(app, "/files", ["GET"]);
}
