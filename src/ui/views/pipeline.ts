import * as fmt from "./format.js";
import { type Html, html, meter, raw } from "./html.js";
import type {
  DatasetView,
  GraphLayout,
  PipelineView,
  Preview,
  RunDetail,
  RunSummary,
  StepState,
  StepView,
} from "./pipeline-model.js";

/**
 * The `/pipeline` page's markup, from its JSON (`GET /api/pipeline`). The server renders
 * the first paint with it; the client script re-renders the part an SSE event changed.
 */

const STATE_LABEL: Record<StepState, string> = {
  pending: "pending",
  running: "running",
  done: "done",
  reused: "reused",
  failed: "failed",
  skipped: "skipped",
};

/** The steps whose Run button is busy: the step runs or waits to in a run. */
export function isBusy(step: StepView): boolean {
  return step.state === "running" || step.state === "pending";
}

/** "4 steps in steps/ · 2 datasets in memory · 1 run in progress". */
export function summaryLine(view: PipelineView): string {
  const running = view.runs.filter((run) => run.status === "running").length;
  const parts = [
    `${view.steps.length} ${view.steps.length === 1 ? "step" : "steps"} in ${view.steps_dir.replace(/\/?$/, "/")}`,
    `${view.datasets.length} ${view.datasets.length === 1 ? "dataset" : "datasets"} in memory`,
  ];
  if (running > 0) parts.push(`${running} ${running === 1 ? "run" : "runs"} in progress`);
  return parts.join(" · ");
}

/** A run's status as a pill: running, ok, failed, cancelled. */
export function runPill(status: RunSummary["status"]): Html {
  const cls =
    status === "running"
      ? "running"
      : status === "ok"
        ? "ok"
        : status === "failed"
          ? "failed"
          : "skipped";
  return html`<span class="pill ${cls}">${status}</span>`;
}

export function statePill(state: StepState | null): Html {
  if (state === null) return html`<span class="pill">not run</span>`;
  return html`<span class="pill ${state}">${STATE_LABEL[state]}</span>`;
}

/** One step: name, description, consumes → produces, state, Run. */
export function stepItem(
  step: StepView,
  inMemory: ReadonlySet<string>,
  blocked = false,
  now = Date.now(),
): Html {
  const chips = (names: string[]) =>
    names.map(
      (name) => html`<span class="chip${inMemory.has(name) ? " in-memory" : ""}">${name}</span>`,
    );
  const detail =
    step.state === "running"
      ? step.progress
        ? step.progress.total
          ? `${fmt.count(step.progress.done)} / ${fmt.count(step.progress.total)}`
          : fmt.count(step.progress.done)
        : step.started_at
          ? fmt.duration(Math.max(0, now - new Date(step.started_at).getTime()))
          : ""
      : fmt.duration(step.ms);
  const percent =
    step.state === "running" && step.progress?.total
      ? Math.min(100, Math.round((100 * step.progress.done) / step.progress.total))
      : null;
  return html`<li class="step" id="step-${step.name}" data-step="${step.name}" data-state="${step.state ?? "none"}">
<div><div class="step-name">${step.name}</div>${step.description ? html`<div class="step-desc">${step.description}</div>` : ""}</div>
<div class="step-state">${statePill(step.state)}<span class="small">${detail}</span>${
    percent === null ? "" : meter(percent, "progress")
  }</div>
<div class="actions"><button type="button" class="btn btn-small btn-run" data-run="${step.name}"${raw(isBusy(step) || blocked ? " disabled" : "")} aria-label="Run ${step.name}"${blocked ? html` title="Fix the steps folder's definition errors first"` : ""}>${step.state === "running" ? "Running…" : step.state === "pending" ? "Waiting…" : "Run"}</button></div>
<div class="step-io">${step.consumes.length ? chips(step.consumes) : html`<span>no inputs</span>`}<span class="arrow" aria-hidden="true">→</span>${step.produces.length ? chips(step.produces) : html`<span>nothing</span>`}<span class="faint">· ${step.file}</span></div>
${step.state === "failed" || (step.state === "skipped" && step.error) ? html`<div class="step-error">${step.error ?? "failed"}</div>` : ""}
</li>`;
}

export function stepsList(view: PipelineView): Html {
  if (view.steps.length === 0) {
    return html`<div class="empty" id="steps-empty"><strong>No steps in ${view.steps_dir.replace(/\/?$/, "/")}</strong>Add a file such as <code>${view.steps_dir.replace(/\/?$/, "/")}ventas.ts</code> whose default export is a step (<code>defineStep({…})</code>); it appears here without a restart.</div>`;
  }
  const inMemory = new Set(view.datasets.map((d) => d.name));
  const blocked = view.problems.length > 0;
  return html`<ul class="steps">${view.steps.map((step) => stepItem(step, inMemory, blocked))}</ul>`;
}

/** A smooth SVG path through dagre's edge points. */
function edgePath(points: { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (!first) return "";
  let d = `M${first.x},${first.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i] as { x: number; y: number };
    const q = rest[i + 1] as { x: number; y: number };
    d += ` Q${p.x},${p.y} ${(p.x + q.x) / 2},${(p.y + q.y) / 2}`;
  }
  const last = rest[rest.length - 1];
  if (last) d += ` L${last.x},${last.y}`;
  return d;
}

/** The class of a graph node: its kind and its state (a step's run state, a dataset in memory). */
export function nodeClass(
  kind: "step" | "dataset",
  name: string,
  states: ReadonlyMap<string, StepState | null>,
  inMemory: ReadonlySet<string>,
): string {
  if (kind === "dataset") return `graph-node dataset${inMemory.has(name) ? " in-memory" : ""}`;
  const state = states.get(name);
  return `graph-node step${state ? ` ${state}` : ""}`;
}

/** The dependency graph as SVG: boxes placed by dagre, edges with arrowheads. */
export function graphSvg(view: PipelineView): Html {
  const layout: GraphLayout = view.graph;
  if (layout.nodes.length === 0) {
    return html`<div class="empty"><strong>Nothing to draw yet</strong>The graph shows each step and the datasets it consumes and produces.</div>`;
  }
  const states = new Map(view.steps.map((s) => [s.name, s.state]));
  const inMemory = new Set(view.datasets.map((d) => d.name));
  const width = layout.width + 4;
  const height = layout.height + 4;
  return html`<svg id="graph-svg" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="-2 -2 ${width} ${height}" role="img" aria-label="Dependency graph: ${view.steps.length} steps and their datasets">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="graph-arrow" d="M0,1 L10,5 L0,9 z"/></marker></defs>
<g class="edges">${layout.edges.map(
    (edge) =>
      html`<path class="graph-edge" data-from="${edge.from}" data-to="${edge.to}" d="${edgePath(edge.points)}" marker-end="url(#arrow)"/>`,
  )}</g>
<g class="nodes">${layout.nodes.map(
    (node) =>
      html`<g class="${nodeClass(node.kind, node.name, states, inMemory)}" data-id="${node.id}" data-kind="${node.kind}" data-name="${node.name}" transform="translate(${node.x - node.width / 2},${node.y - node.height / 2})"><title>${node.kind === "step" ? `step ${node.name}` : `dataset ${node.name}`}</title><rect width="${node.width}" height="${node.height}" rx="${node.kind === "step" ? 7 : node.height / 2}"/><text x="${node.width / 2}" y="${node.height / 2 + 1}">${node.name}</text></g>`,
  )}</g>
</svg>`;
}

export function legend(): Html {
  const states: [string, string][] = [
    ["idle", "not run"],
    ["pending", "pending"],
    ["running", "running"],
    ["done", "done"],
    ["reused", "reused"],
    ["failed", "failed"],
    ["skipped", "skipped"],
  ];
  return html`<div class="legend" aria-label="Legend"><span class="faint">Steps:</span>${states.map(
    ([state, label]) => html`<span><i class="swatch ${state}"></i>${label}</span>`,
  )}<span class="faint">Datasets:</span><span><i class="swatch in-memory"></i>in memory</span><span><i class="swatch absent"></i>not in memory</span></div>`;
}

function previewCell(value: unknown): Html | string {
  if (value === null || value === undefined)
    return html`<span class="faint">${String(value)}</span>`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function previewBlock(preview: Preview | null): Html {
  if (!preview) return html`<p class="muted small">No preview.</p>`;
  if (preview.kind === "text") return html`<pre class="preview-value">${preview.text}</pre>`;
  if (preview.rows.length === 0) return html`<p class="muted small">No rows.</p>`;
  return html`<div class="preview-table"><table><thead><tr>${preview.columns.map(
    (column) => html`<th>${column}</th>`,
  )}</tr></thead><tbody>${preview.rows.map(
    (row) => html`<tr>${row.map((value) => html`<td>${previewCell(value)}</td>`)}</tr>`,
  )}</tbody></table></div>`;
}

function datasetRows(dataset: DatasetView, open: boolean): Html {
  return html`<tr data-dataset="${dataset.name}">
<td><span class="chip in-memory">${dataset.name}</span></td>
<td class="mono hide-narrow">${dataset.producer}</td>
<td class="hide-narrow">${dataset.type}</td>
<td class="num">${dataset.rows === null ? "—" : fmt.count(dataset.rows)}</td>
<td class="num">${dataset.bytes === null ? "—" : `≈ ${fmt.bytes(dataset.bytes)}`}</td>
<td class="actions"><details class="preview" data-preview="${dataset.name}"${raw(open ? " open" : "")}><summary>Preview</summary></details></td>
</tr><tr class="preview-row" data-preview-row="${dataset.name}"${raw(open ? "" : " hidden")}><td colspan="6">${previewBlock(dataset.preview)}</td></tr>`;
}

export function datasetsTable(view: PipelineView, open: ReadonlySet<string> = new Set()): Html {
  if (view.datasets.length === 0) {
    return html`<div class="empty" id="datasets-empty"><strong>Memory is empty</strong>Run a step: the datasets it produces stay here, shared by later runs, until you clear memory.</div>`;
  }
  return html`<div class="table-wrap"><table id="datasets-table"><thead><tr><th>Dataset</th><th class="hide-narrow">Producer</th><th class="hide-narrow">Type</th><th class="num">Rows</th><th class="num">Size</th><th></th></tr></thead><tbody>${view.datasets.map(
    (dataset) => datasetRows(dataset, open.has(dataset.name)),
  )}</tbody></table></div>`;
}

function runMeta(run: RunSummary, now: number): string {
  const parts = [fmt.time(run.started_at)];
  if (run.finished_at)
    parts.push(
      fmt.duration(new Date(run.finished_at).getTime() - new Date(run.started_at).getTime()),
    );
  else parts.push(`${fmt.duration(now - new Date(run.started_at).getTime())} so far`);
  if (run.force) parts.push("forced");
  return parts.join(" · ");
}

/** A run's steps (from `GET /api/pipeline/runs/:id`), in the order they started. */
export function runSteps(detail: RunDetail | undefined): Html {
  if (!detail) return html`<p class="muted small">Loading…</p>`;
  return html`<table class="run-steps-table"><tbody>${detail.steps.map(
    (step) =>
      html`<tr><td class="mono">${step.name}</td><td>${statePill(step.status)}</td><td class="num small muted">${fmt.duration(step.ms)}</td></tr>${
        step.error ? html`<tr class="run-step-error"><td colspan="3">${step.error}</td></tr>` : ""
      }`,
  )}</tbody></table>`;
}

/**
 * The recent runs, newest first; a run's steps unfold under it (`open`: the runs unfolded,
 * `details`: their reports, as the client fetched them).
 */
export function runsList(
  view: PipelineView,
  now = Date.now(),
  open: ReadonlySet<string> = new Set(),
  details: ReadonlyMap<string, RunDetail> = new Map(),
): Html {
  if (view.runs.length === 0) {
    return html`<div class="empty" id="runs-empty"><strong>No runs yet</strong>Press Run on a step; its run and the steps it needed show here.</div>`;
  }
  return html`<ul class="runs">${view.runs.map(
    (run) => html`<li class="run" data-run-id="${run.run_id}" data-status="${run.status}">
<div class="run-targets">${run.targets.join(", ")}</div>
<div>${runPill(run.status)}</div>
<div class="run-meta">${runMeta(run, now)}</div>
${run.error ? html`<div class="run-error">${run.error}</div>` : ""}
<details class="run-steps" data-run="${run.run_id}"${raw(open.has(run.run_id) ? " open" : "")}><summary>${run.steps} ${run.steps === 1 ? "step" : "steps"}</summary>${open.has(run.run_id) ? runSteps(details.get(run.run_id)) : ""}</details>
</li>`,
  )}</ul>`;
}

export function problemBanner(view: PipelineView): Html {
  const n = view.problems.length;
  return html`<div class="banner" id="problem"${raw(n ? "" : " hidden")} role="alert"><strong>${n === 1 ? "A definition error in the steps folder" : `${n} definition errors in the steps folder`}: nothing can run until ${n === 1 ? "it is" : "they are"} fixed.</strong>The page updates as soon as the files change.<ul class="problems">${view.problems.map((line) => html`<li>${line}</li>`)}</ul></div>`;
}

/** The whole page's content. */
export function pipelineMain(view: PipelineView): Html {
  return html`<div class="page-head">
<div><h1>Pipeline</h1><p class="sub" id="summary">${summaryLine(view)}</p></div>
<div class="page-actions"><span class="live" id="live" data-state="connecting">connecting…</span><button type="button" class="btn btn-danger" id="clear-memory"${raw(view.datasets.length === 0 ? " disabled" : "")}>Clear memory</button></div>
</div>
${problemBanner(view)}
<section class="card" aria-labelledby="graph-title">
<div class="card-head"><h2 id="graph-title">Dependency graph <span class="meta graph-hint" id="graph-hint" hidden>· scroll →</span></h2>${legend()}</div>
<div class="graph-wrap" id="graph">${graphSvg(view)}</div>
</section>
<div class="cols">
<section class="card" aria-labelledby="steps-title">
<div class="card-head"><h2 id="steps-title">Steps</h2><label class="meta"><input type="checkbox" id="force"> force: re-run every step of the plan</label></div>
<div class="card-body flush" id="steps">${stepsList(view)}</div>
</section>
<section class="card" aria-labelledby="runs-title">
<div class="card-head"><h2 id="runs-title">Recent runs</h2></div>
<div class="card-body flush" id="runs">${runsList(view)}</div>
</section>
</div>
<section class="card" aria-labelledby="datasets-title">
<div class="card-head"><h2 id="datasets-title">Datasets in memory</h2><span class="meta">first rows of each; sizes are estimates</span></div>
<div class="card-body flush" id="datasets">${datasetsTable(view)}</div>
</section>
<div class="toast" id="toast" role="status" aria-live="polite" hidden></div>`;
}
