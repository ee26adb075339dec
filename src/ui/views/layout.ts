import { type Html, html, raw } from "./html.js";

/** The console's sections, in the navigation bar's order. */
export const NAV = [
  { path: "/", label: "Overview" },
  { path: "/pipeline", label: "Pipeline" },
  { path: "/scheduler", label: "Scheduler" },
  { path: "/files", label: "Files" },
  { path: "/simulations", label: "Simulations" },
] as const;

export type NavPath = (typeof NAV)[number]["path"];

export interface PageParts {
  /** The page's own title ("Pipeline"); the tab shows "Pipeline · empresa-etl console". */
  title: string;
  /** The navigation entry to mark as the current page. */
  active: NavPath;
  /** The page's content (inside `<main>`). */
  main: Html;
  /** URL of the stylesheet. */
  css: string;
  /** URL of the page's client script, if it has one. */
  script?: string;
  /** The state the page was rendered from, handed to its script (no second fetch). */
  state?: unknown;
}

/** JSON safe inside a `<script>` element (no `</script>`, no `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** The navigation bar: every section, the current one marked. */
export function navBar(active: NavPath): Html {
  return html`<nav class="nav" aria-label="Sections">${NAV.map(
    (item) =>
      html`<a href="${item.path}"${raw(item.path === active ? ' aria-current="page"' : "")}>${item.label}</a>`,
  )}</nav>`;
}

/**
 * The HTML document every page shares: head (stylesheet, the page's module script), the
 * top bar with the navigation, the page's content, and its initial state as JSON.
 */
export function layout(parts: PageParts): string {
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${parts.title} · empresa-etl console</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${parts.css}">
${parts.script ? html`<script type="module" src="${parts.script}"></script>` : ""}
</head>
<body>
<header class="topbar">
<div class="topbar-inner">
<a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>empresa-etl</a>
${navBar(parts.active)}
</div>
</header>
<main class="page" id="main">
${parts.main}
</main>
${parts.state === undefined ? "" : raw(`<script type="application/json" id="initial-state">${scriptJson(parts.state)}</script>`)}
</body>
</html>`}`;
}
