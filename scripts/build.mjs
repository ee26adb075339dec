// Transpiles src/ to dist/ (about 0.1 s): the npm scripts run plain JavaScript, so a
// command starts fast and its reader thread needs no TypeScript loader. Tests and
// `tsc --noEmit` work on the sources directly.
import { cpSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );

const sources = files("src");
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: sources.filter((file) => file.endsWith(".ts")),
  outdir: "dist",
  outbase: "src",
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});
for (const file of sources.filter((file) => file.endsWith(".mjs")))
  cpSync(file, file.replace(/^src/, "dist"));
