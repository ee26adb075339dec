import type { Hono } from "hono";
import { onlyMethods } from "../http/routes.js";
import { filesMain } from "../views/files.js";
import { layout } from "../views/layout.js";
import type { PageDeps } from "./deps.js";

/**
 * `/files`: large CSV uploads, their preview, background jobs and column profiles. The
 * page is a shell; its script fills it from the API under `/api/files` and `/api/jobs`.
 */
export function registerFilesPage(app: Hono, deps: PageDeps): void {
  app.get("/files", (c) =>
    c.html(
      layout({
        title: "Files",
        active: "/files",
        css: deps.assets.css,
        script: deps.assets.script("files"),
        main: filesMain(deps.files),
      }),
    ),
  );
  onlyMethods(app, "/files", ["GET"]);
}
