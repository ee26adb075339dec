/**
 * Escaped HTML from template literals, shared by the server (first paint) and the client
 * scripts (live updates), so a page renders the same either way. Interpolated values are
 * escaped unless they are `Html` (from another `html` template or `raw`); arrays are
 * joined; `null`, `undefined` and `false` render as nothing.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for an element's content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/**
 * @example
 * html`<td title="${name}">${rows}</td>`; // name and rows escaped
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new Html(out);
}

/** Trusted markup, inserted as it is. */
export function raw(markup: string): Html {
  return new Html(markup);
}

/**
 * A horizontal bar filled to `percent` (0–100), drawn as SVG so it needs no inline style
 * (the console's CSP allows none).
 */
export function meter(percent: number, className = "bar"): Html {
  const width = Math.max(0, Math.min(100, percent));
  return html`<svg class="${className}" viewBox="0 0 100 6" preserveAspectRatio="none" role="progressbar" aria-valuenow="${Math.round(width)}" aria-valuemin="0" aria-valuemax="100"><rect class="track" width="100" height="6" rx="3"/><rect class="fill" width="${width}" height="6" rx="3"/></svg>`;
}
