import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CONSOLE_CSS } from "./styles.js";

/** The pages that have a client script (`src/ui/client/<name>.ts`). */
export const CLIENT_SCRIPTS = [
  "overview",
  "pipeline",
  "scheduler",
  "files",
  "simulations",
] as const;
export type ClientScript = (typeof CLIENT_SCRIPTS)[number];

/** One file the console serves under `/assets/`. */
export interface Asset {
  body: string;
  type: string;
}

/** The console's static files, built once per process, addressed by content hash. */
export interface Assets {
  /** URL of the stylesheet. */
  css: string;
  /** URL of a page's client script. */
  script(name: ClientScript): string;
  /** The file at `/assets/<name>`, if there is one. */
  get(name: string): Asset | undefined;
}

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1d4ed8"/><path d="M9 10h6v4H9zM17 18h6v4h-6zM12 14v6h5" fill="none" stroke="#fff" stroke-width="2.2" stroke-linejoin="round"/></svg>`;

function hashed(name: string, ext: string, body: string): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  return `${name}-${hash}.${ext}`;
}

/** The client entry next to this module: `.ts` when run from the sources, `.js` from a build. */
function entryFile(name: string): string {
  for (const ext of ["ts", "js"]) {
    const path = fileURLToPath(new URL(`../client/${name}.${ext}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`the console's client script "${name}" is missing from this build`);
}

/**
 * Bundles each page's client script (TypeScript, with the views it shares with the
 * server) into one small ES module with esbuild, in memory. Done once per process, when
 * the console starts, so the sources and a transpiled build serve the same bundle and a
 * broken script stops the start instead of a page.
 */
async function build(): Promise<Assets> {
  const { build: esbuild } = await import("esbuild");
  const result = await esbuild({
    entryPoints: Object.fromEntries(CLIENT_SCRIPTS.map((name) => [name, entryFile(name)])),
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: ["chrome109", "firefox115", "safari15"],
    minify: true,
    legalComments: "none",
    outdir: "/assets",
    logLevel: "silent",
  });
  const files = new Map<string, Asset>();
  const scripts = new Map<string, string>();
  for (const output of result.outputFiles) {
    const name = output.path.replace(/^.*[\\/]/, "").replace(/\.js$/, "");
    const file = hashed(name, "js", output.text);
    files.set(file, { body: output.text, type: "text/javascript; charset=utf-8" });
    scripts.set(name, `/assets/${file}`);
  }
  const css = hashed("console", "css", CONSOLE_CSS);
  files.set(css, { body: CONSOLE_CSS, type: "text/css; charset=utf-8" });
  files.set("favicon.svg", { body: FAVICON, type: "image/svg+xml" });
  return {
    css: `/assets/${css}`,
    script: (name) => scripts.get(name) as string,
    get: (name) => files.get(name),
  };
}

let built: Promise<Assets> | undefined;

/** The console's assets, built on first use and shared by every console in the process. */
export function loadAssets(): Promise<Assets> {
  built ??= build().catch((error) => {
    built = undefined;
    throw error;
  });
  return built;
}
