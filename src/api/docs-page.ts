/** Renders the OpenAPI document as a self-contained HTML page (no CDN, no script). */

const escapeHtml = (text: unknown) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

interface Operation {
  summary?: string;
  description?: string;
  parameters?: {
    name: string;
    description: string;
    schema: Record<string, unknown>;
    example?: string;
  }[];
  responses?: Record<
    string,
    { description: string; content?: Record<string, { example?: unknown }> }
  >;
}

export function docsPage(doc: Record<string, unknown>): string {
  const info = doc.info as { title: string; version: string; description: string };
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(
    doc.paths as Record<string, Record<string, Operation>>,
  )) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.schema.format ?? p.schema.type)}</td><td>${escapeHtml(p.description)}</td><td><code>${escapeHtml(p.example ?? "")}</code></td></tr>`,
        )
        .join("");
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => {
          const example = r.content?.["application/json"]?.example;
          return `<li><b>${escapeHtml(status)}</b> ${escapeHtml(r.description)}${example ? `<pre>${escapeHtml(JSON.stringify(example, null, 2))}</pre>` : ""}</li>`;
        })
        .join("");
      sections.push(`<section><h2><span class="m">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h2>
<p>${escapeHtml(op.summary ?? "")}</p>${op.description ? `<p>${escapeHtml(op.description)}</p>` : ""}
${params ? `<table><tr><th>query parameter</th><th>type</th><th>meaning</th><th>example</th></tr>${params}</table>` : ""}
<ul>${responses}</ul></section>`);
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font-family:ui-monospace,monospace}pre{background:#f4f4f4;padding:.5rem;overflow:auto}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
.m{background:#2563eb;color:#fff;border-radius:4px;padding:0 .4rem;font-size:.8em}section{border-top:1px solid #eee;margin-top:1.5rem}</style></head>
<body><h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1><p>${escapeHtml(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>${sections.join("\n")}</body></html>`;
}
