import type { LiveOutput, RunState, SimulationResult } from "../../simulation/run/types.js";
import type {
  SimulationDetail,
  SimulationProgress,
  SimulationRun,
} from "../../simulation/service.js";
import type { OutputSummary } from "../../simulation/types.js";
import { compact, eta, percentText, stat } from "./files.js";
import * as fmt from "./format.js";
import { type Html, html, meter, raw } from "./html.js";
import { when } from "./scheduler.js";
import { convergenceSvg, histogramSvg, tornadoSvg, trimTails } from "./simulations-charts.js";

/**
 * The `/simulations` and `/simulations/:id` pages' markup: the runs and the form that starts
 * one; a run's live progress, producer, consumers, charts, and when done its summary and
 * sensitivity. The server renders the first paint; the client script renders every update
 * with these same functions.
 */

/** What the pages show of the console's simulation settings. */
export interface SimulationsInfo {
  /** `AMQP_URL` is set: a run can go over RabbitMQ. */
  broker: boolean;
  /** `SIM_ALLOW_CODE`: `codigo` models run. */
  allowCode: boolean;
  /** The largest model file, bytes. */
  maxModelBytes: number;
  /** `SIM_CONCURRENCY`. */
  concurrency: number;
}

const TERMINAL: ReadonlySet<RunState> = new Set(["completed", "failed", "cancelled"]);

export function isOver(state: RunState): boolean {
  return TERMINAL.has(state);
}

export function statePill(state: RunState): Html {
  const cls: Record<RunState, string> = {
    queued: "queued",
    running: "running",
    completed: "ok",
    failed: "failed",
    cancelled: "killed",
  };
  return html`<span class="pill ${cls[state]}">${state}</span>`;
}

const MODE_LABEL = { embedded: "worker threads", rabbitmq: "RabbitMQ" } as const;

function modeChip(mode: SimulationRun["mode"]): Html {
  return html`<span class="chip sim-mode ${mode}">${MODE_LABEL[mode] ?? mode}</span>`;
}

/** A run's percent done (0–100). */
export function percentDone(
  run: Pick<SimulationRun, "completed" | "errors" | "scenarios" | "state">,
): number {
  if (run.state === "completed") return 100;
  const done = run.completed + run.errors;
  return run.scenarios > 0 ? Math.min(100, (100 * done) / run.scenarios) : 0;
}

function durationText(run: SimulationRun): string {
  if (run.duration_s !== null) return fmt.duration(run.duration_s * 1000);
  return "";
}

// ── The list ──────────────────────────────────────────────────────────────────────────

function progressCell(run: SimulationRun, now: number): Html {
  const percent = percentDone(run);
  if (run.state === "queued")
    return html`<span class="small muted">Waiting for a free slot…</span>`;
  const numbers = html`<span class="small num-inline"><strong>${fmt.count(run.completed + run.errors)}</strong> / ${fmt.count(run.scenarios)}${run.errors ? html` · <span class="error-text">${fmt.count(run.errors)} errors</span>` : ""}</span>`;
  if (run.state === "running")
    return html`<div class="sim-row-bar">${meter(percent, "bar sim-meter")}</div><div class="sim-row-stats" data-completed="${run.completed}">${numbers}<span class="small"><strong>${percentText(percent)}</strong></span></div>${run.started_at ? html`<div class="small faint">running <span data-tick="elapsed" data-at="${run.started_at}">${fmt.span(now - Date.parse(run.started_at))}</span></div>` : ""}`;
  if (run.state === "failed")
    return html`<div class="sim-row-error" title="${run.error ?? ""}">${run.error ?? "failed"}</div>`;
  if (run.state === "cancelled")
    return html`<span class="small muted">Cancelled at ${fmt.count(run.completed + run.errors)} of ${fmt.count(run.scenarios)}</span>`;
  return numbers;
}

/** One run's row: the model (a link to its page), mode, state, progress, duration, start. */
export function runRow(run: SimulationRun, now = Date.now()): Html {
  const href = `/simulations/${encodeURIComponent(run.run_id)}`;
  return html`<tr class="sim-run" id="sim-run-${run.run_id}" data-run-id="${run.run_id}" data-state="${run.state}">
<td class="sim-model" data-label="Model"><a href="${href}" class="sim-model-name">${run.model.nombre}</a><div class="small faint"><span class="mono" title="${run.file}">${run.file}</span> · <span class="mono">${run.run_id}</span></div></td>
<td class="sim-mode-cell" data-label="Mode">${modeChip(run.mode)}</td>
<td class="sim-state" data-label="State">${statePill(run.state)}</td>
<td class="sim-progress-cell" data-label="Progress">${progressCell(run, now)}</td>
<td class="num sim-duration" data-label="Duration">${durationText(run) || html`<span class="faint">–</span>`}</td>
<td class="sim-started-cell" data-label="Started"><span title="${fmt.time(run.started_at ?? run.created_at)}">${when(run.started_at ?? run.created_at, now)}</span></td>
</tr>`;
}

/** The runs, newest first, or what to do to get one. */
export function runsTable(runs: readonly SimulationRun[] | null, now = Date.now()): Html {
  if (runs === null)
    return html`<div class="empty" id="sim-runs-empty"><strong>Loading simulations…</strong></div>`;
  if (runs.length === 0)
    return html`<div class="empty" id="sim-runs-empty"><strong>No simulations yet</strong>Choose a model file above and press <em>Start simulation</em>, or run <code>npm run simulate -- modelos/ejemplo.ini</code>.</div>`;
  return html`<div class="table-wrap"><table class="sim-runs" id="sim-runs">
<thead><tr><th>Model</th><th>Mode</th><th>State</th><th>Progress</th><th class="num">Duration</th><th>Started</th></tr></thead>
<tbody>${runs.map((run) => runRow(run, now))}</tbody>
</table></div>`;
}

/** "1 running · 2 completed". */
export function runsSummary(runs: readonly SimulationRun[] | null): string {
  if (!runs || runs.length === 0) return "";
  const order: RunState[] = ["running", "queued", "completed", "failed", "cancelled"];
  return order
    .map((state) => [state, runs.filter((run) => run.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${fmt.count(n)} ${state}`)
    .join(" · ");
}

/** What the form says after a refused start: the title and the console's words. */
export function startError(status: number, message: string): Html {
  const title =
    status === 413
      ? "This model file is too large"
      : status === 415
        ? "This is not a model file"
        : status === 0
          ? "The console could not be reached"
          : /^[^:]*:\d+: /.test(message)
            ? "The model file has an error"
            : "The simulation was not started";
  // "ejemplo.ini:14: unknown distribution" → the line, said in words.
  const match = /^(.*?):(\d+): (.*)$/s.exec(message);
  const body = match
    ? html`<span><span class="mono">${match[1]}</span>, <strong class="sim-error-line">line ${match[2]}</strong>: ${match[3]}</span>`
    : html`<span>${message}</span>`;
  return html`<div class="upload-error" role="alert" data-status="${status}"${raw(match ? ` data-line="${match[2]}"` : "")}><strong>${title}</strong>${body}</div>`;
}

/** The form: a model file, the optional scenarios, seed and mode, the start button. */
export function startForm(info: SimulationsInfo): Html {
  const kb = Math.round(info.maxModelBytes / 1024);
  return html`<form class="sim-form" id="sim-form" method="post" action="/api/simulations" enctype="multipart/form-data" novalidate>
<label class="sim-file" id="sim-file" for="model-input">
<svg class="dropzone-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M7 3h7l5 5v12a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1Z M14 3v5h5 M9 13h6 M9 17h4"/></svg>
<span class="sim-file-text"><strong id="sim-file-name">Choose a model file</strong><span class="small muted" id="sim-file-hint">An .ini file as in <span class="mono">modelos/ejemplo.ini</span>, up to ${kb >= 1024 ? `${Math.round(kb / 1024)} MB` : `${kb} KB`}</span></span>
<span class="btn btn-small">Browse…</span>
<input type="file" id="model-input" name="model" accept=".ini,.txt,text/plain">
</label>
<div class="sim-fields">
<label class="field"><span class="field-label">Scenarios</span><input type="text" inputmode="numeric" name="scenarios" id="sim-scenarios" placeholder="from the file" autocomplete="off"></label>
<label class="field"><span class="field-label">Seed</span><input type="text" inputmode="numeric" name="seed" id="sim-seed" placeholder="from the file" autocomplete="off"></label>
<label class="field field-mode"><span class="field-label">Run on</span><select name="mode" id="sim-mode"><option value="embedded" selected>Worker threads (this machine)</option><option value="rabbitmq"${raw(info.broker ? "" : " disabled")}>RabbitMQ consumers${info.broker ? "" : " (AMQP_URL not set)"}</option></select></label>
<div class="field field-submit"><button type="submit" class="btn btn-primary" id="sim-start">Start simulation</button></div>
</div>
<p class="small faint sim-form-note">${info.allowCode ? "Models with codigo (JavaScript) are allowed on this console (SIM_ALLOW_CODE)." : "Models with an expresion run here; codigo (JavaScript) is refused unless the console allows it (SIM_ALLOW_CODE)."} ${info.concurrency === 1 ? "One simulation runs at a time; the others wait." : `${info.concurrency} simulations run at once; the others wait.`}</p>
<div id="sim-form-status" aria-live="polite"></div>
</form>`;
}

/** `/simulations` as the server sends it. */
export function simulationsMain(
  info: SimulationsInfo | undefined,
  runs: readonly SimulationRun[] | null,
): Html {
  return html`<div class="page-head">
<div><h1>Simulations</h1><p class="sub">Monte Carlo runs of a model file: its scenarios drawn, evaluated on worker threads or RabbitMQ consumers, summarized live.</p></div>
<div class="page-actions"><span class="small muted" id="sim-summary">${runsSummary(runs)}</span></div>
</div>
${info ? "" : html`<div class="banner soft" id="sim-unavailable" role="status"><strong>Simulations are not running in this console</strong>Start the console with <code>npm run ui</code> to run them.</div>`}
<section class="card" aria-labelledby="sim-start-title">
<div class="card-head"><h2 id="sim-start-title">Start a simulation</h2><span class="meta">the file's numero_escenarios and semilla_aleatoria unless you give others</span></div>
<div class="card-body">${info ? startForm(info) : html`<p class="muted">Unavailable in this console.</p>`}</div>
</section>
<section class="card" aria-labelledby="sim-runs-title">
<div class="card-head"><h2 id="sim-runs-title">Runs <span class="meta">newest first</span></h2><span class="meta">live while they run</span></div>
<div class="card-body flush" id="sim-runs-slot">${runsTable(info ? runs : [])}</div>
</section>
<div class="toast" id="toast" role="status" aria-live="polite" hidden></div>`;
}

// ── One run ───────────────────────────────────────────────────────────────────────────

/** The outputs a run's page can show: from the summary, else the live view. */
export function outputNames(detail: SimulationDetail): string[] {
  if (detail.result) return Object.keys(detail.result.outputs);
  if (detail.live) return Object.keys(detail.live);
  return [];
}

function tile(label: string, value: Html | string, detail: Html | string = ""): Html {
  return html`<div class="tile"><div class="tile-label">${label}</div><div class="tile-value">${value}</div><div class="tile-detail">${detail}</div></div>`;
}

/** The run's state and, while it can be cancelled, Cancel. */
export function runActions(detail: SimulationRun, cancelling = false): Html {
  return html`${statePill(detail.state)}${
    isOver(detail.state)
      ? ""
      : html`<button type="button" class="btn btn-danger" id="sim-cancel"${raw(cancelling ? " disabled" : "")}>${cancelling ? "Cancelling…" : "Cancel"}</button>`
  }`;
}

/** The progress card's body: the bar, done/total, rate, ETA, errors, the producer's stats. */
export function progressBody(detail: SimulationDetail, now = Date.now()): Html {
  const p: SimulationProgress | null = detail.progress;
  const total = p?.total ?? detail.scenarios;
  const errors = detail.result?.errors ?? p?.errors ?? detail.errors;
  // Scenarios done: with a result or an error.
  const completed =
    detail.state === "completed"
      ? total
      : (p?.completed ?? detail.completed) + (p?.errors ?? detail.errors);
  const percent = detail.state === "completed" ? 100 : total > 0 ? (100 * completed) / total : 0;
  const rate =
    detail.state === "completed"
      ? (detail.result?.scenarios_per_s ?? null)
      : detail.state === "running"
        ? (p?.rate ?? null)
        : null;
  const remaining =
    detail.state === "running" && rate && rate > 0 ? (total - completed) / rate : null;
  const bits: Html[] = [
    html`<span><strong>${fmt.count(completed)}</strong> of ${fmt.count(total)} scenarios</span>`,
    html`<span><strong>${percentText(percent)}</strong></span>`,
  ];
  if (rate !== null) bits.push(html`<span>${compact(rate)} scenarios/s</span>`);
  if (remaining !== null) bits.push(html`<span>ETA ${eta(remaining)}</span>`);
  if (errors > 0)
    bits.push(
      html`<span class="error-text">${fmt.count(errors)} ${errors === 1 ? "error" : "errors"}</span>`,
    );
  const producer = p?.producer;
  const elapsed =
    detail.duration_s !== null
      ? fmt.duration(detail.duration_s * 1000)
      : detail.started_at
        ? html`<span data-tick="elapsed" data-at="${detail.started_at}">${fmt.span(now - Date.parse(detail.started_at))}</span>`
        : "–";
  const state = detail.state;
  return html`<div class="sim-bar-wrap" data-completed="${completed}" data-total="${total}" data-percent="${percent.toFixed(2)}">${meter(percent, `bar sim-big-meter ${state}`)}</div>
<div class="job-stats sim-stats">${bits.map((bit, i) => html`${i ? html`<span class="sep">·</span>` : ""}${bit}`)}</div>
${detail.state === "failed" ? html`<div class="job-error sim-failed" role="note"><strong>Failed:</strong> ${detail.error ?? "no reason given"}</div>` : ""}
${detail.state === "cancelled" ? html`<p class="small muted sim-cancelled">Cancelled after ${fmt.count(completed)} of ${fmt.count(total)} scenarios; no summary was written.</p>` : ""}
${detail.state === "queued" ? html`<p class="small muted">Waiting for a free slot: another simulation is running.</p>` : ""}
<div class="tiles sim-tiles">
${tile(detail.state === "running" ? "Running for" : "Duration", elapsed, detail.started_at ? `started ${when(detail.started_at, now)}` : `added ${when(detail.created_at, now)}`)}
${tile("Producer", producer ? html`<span class="sim-producer-state">${isOver(detail.state) ? (detail.state === "completed" ? "finished" : detail.state) : producer.state}</span>` : "–", producer ? `${fmt.count(producer.generated)} generated · ${fmt.count(producer.published)} published` : "")}
${tile("Producer rate", producer ? `${compact(producer.rate)}/s` : "–", producer?.time ? `at ${when(producer.time, now)}` : "")}
${tile("Model", html`<span class="mono sim-sha" title="SHA-256 ${detail.model.sha256}">${detail.model.sha256.slice(0, 12)}</span>`, `version ${detail.model.version} · seed ${detail.seed}`)}
</div>`;
}

/** The consumers (in embedded mode, the worker threads). */
export function consumersTable(detail: SimulationDetail, now = Date.now()): Html {
  const consumers = detail.progress?.consumers ?? [];
  if (consumers.length === 0)
    return html`<div class="empty small" id="sim-consumers-empty"><strong>${isOver(detail.state) ? "No consumer stats kept" : "No consumer yet"}</strong>${detail.mode === "embedded" ? "The worker threads appear here while the run goes on." : "RabbitMQ consumers (npm run simulate:consumer) appear here as they report."}</div>`;
  return html`<div class="table-wrap"><table class="sim-consumers" id="sim-consumers-table">
<thead><tr><th>Consumer</th><th>Host</th><th class="num">Processed</th><th class="num">Rate</th><th>State</th><th>Last seen</th></tr></thead>
<tbody>${consumers.map(
    (c) =>
      html`<tr data-consumer="${c.id}"><td class="mono sim-consumer-id" data-label="Consumer" title="${c.id}">${c.id}</td><td data-label="Host"><span class="mono">${c.host}</span>${c.pid ? html` <span class="faint small">pid ${c.pid}</span>` : ""}</td><td class="num" data-label="Processed">${fmt.count(c.processed)}</td><td class="num" data-label="Rate">${compact(c.rate)}/s</td><td data-label="State"><span class="pill ${consumerClass(c.state)}">${c.state}</span></td><td data-label="Last seen" title="${fmt.time(c.last_seen)}">${c.last_seen ? fmt.ago(c.last_seen, now) : "–"}</td></tr>`,
  )}</tbody></table></div>`;
}

function consumerClass(state: string): string {
  if (/^(busy|running|processing|working)$/i.test(state)) return "running";
  if (/^(idle|waiting|ready)$/i.test(state)) return "idle";
  if (/^(done|finished|stopped|closed)$/i.test(state)) return "ok";
  if (/fail|error|dead|lost/i.test(state)) return "failed";
  return "idle";
}

/** The output selector (only with several outputs). */
export function outputTabs(names: readonly string[], selected: string): Html {
  if (names.length < 2) return html``;
  return html`<span class="segmented sim-outputs" role="group" aria-label="Output">${names.map(
    (name) =>
      html`<button type="button" class="seg" data-output="${name}" aria-pressed="${name === selected ? "true" : "false"}">${name}</button>`,
  )}</span>`;
}

/** What the charts draw for one output: the summary when done, the live view while running. */
export interface OutputView {
  histogram: { edges: number[]; counts: number[] } | undefined;
  mean: number;
  ci95: [number, number] | undefined;
  std: number;
  convergence: [number, number][] | undefined;
  count: number;
  p5?: number;
  p95?: number;
}

export function outputView(detail: SimulationDetail, output: string): OutputView | undefined {
  const summary: OutputSummary | undefined = detail.result?.outputs[output];
  if (summary)
    return {
      histogram: summary.histogram,
      mean: summary.mean,
      ci95: summary.ci95,
      std: summary.std,
      convergence: summary.convergence,
      count: summary.n,
      p5: summary.p5,
      p95: summary.p95,
    };
  const live: LiveOutput | undefined = detail.live?.[output];
  if (!live) return undefined;
  // The live view has the band's ends, not s: s = half-width · √n / 1.96 (n large).
  const half = live.ci95 ? (live.ci95[1] - live.ci95[0]) / 2 : Number.NaN;
  const std = live.count > 1 && Number.isFinite(half) ? (half * Math.sqrt(live.count)) / 1.96 : 0;
  return {
    histogram: live.histogram,
    mean: live.mean,
    ci95: live.ci95,
    std,
    convergence: live.convergence,
    count: live.count,
  };
}

/** The histogram card's body. */
export function histogramBody(detail: SimulationDetail, output: string, width: number): Html {
  const view = outputView(detail, output);
  const trimmed = view?.histogram?.counts.length ? trimTails(view.histogram) : undefined;
  const hidden = trimmed ? trimmed.below + trimmed.above : 0;
  const count = view?.count ?? 0;
  const legend = view
    ? html`<div class="sim-legend small"><span><i class="sw bar"></i>results</span><span><i class="sw mean"></i>mean ${stat(view.mean)}</span>${view.ci95 && Number.isFinite(view.ci95[0]) ? html`<span><i class="sw band"></i>95% CI ${stat(view.ci95[0])} – ${stat(view.ci95[1])}</span>` : ""}${view.p5 !== undefined ? html`<span><i class="sw pct"></i>p5 · p95</span>` : ""}${hidden > 0 && trimmed ? html`<span class="faint sim-tails" title="${fmt.count(trimmed.below)} below ${stat(trimmed.edges[0])}, ${fmt.count(trimmed.above)} above ${stat(trimmed.edges[trimmed.edges.length - 1])}">${percentText((100 * hidden) / Math.max(1, count))} in the far tails, off the axis</span>` : ""}</div>`
    : "";
  return html`${histogramSvg(trimmed, output, { width }, { mean: view?.mean, ci95: view?.ci95, p5: view?.p5, p95: view?.p95, hidden })}${legend}`;
}

/** The running-mean card's body. */
export function convergenceBody(detail: SimulationDetail, output: string, width: number): Html {
  const view = outputView(detail, output);
  const total = detail.progress?.total ?? detail.scenarios;
  const legend = view
    ? html`<div class="sim-legend small"><span><i class="sw line"></i>running mean</span><span><i class="sw band"></i>95% band (±1.96·s/√n)</span><span class="faint">${fmt.count(view.count)} results</span></div>`
    : "";
  return html`${convergenceSvg(view?.convergence, view?.std ?? 0, total, output, { width })}${legend}`;
}

const STATS: [keyof OutputSummary, string][] = [
  ["n", "n (results)"],
  ["errors", "errors"],
  ["mean", "mean"],
  ["std", "std (sample)"],
  ["min", "min"],
  ["p1", "p1"],
  ["p5", "p5"],
  ["p25", "p25"],
  ["p50", "p50 (median)"],
  ["p75", "p75"],
  ["p95", "p95"],
  ["p99", "p99"],
  ["max", "max"],
];

/** The summary table: a row per statistic, a column per output. */
export function summaryTable(result: SimulationResult): Html {
  const names = Object.keys(result.outputs);
  const cell = (value: unknown) =>
    typeof value === "number" ? stat(value) || (Number.isNaN(value) ? "–" : String(value)) : "–";
  return html`<div class="table-wrap"><table class="sim-summary" id="sim-summary-table">
<thead><tr><th>Statistic</th>${names.map((name) => html`<th class="num mono">${name}</th>`)}</tr></thead>
<tbody>${STATS.map(
    ([key, label]) =>
      html`<tr data-stat="${key}"><th scope="row">${label}</th>${names.map((name) => html`<td class="num">${cell(result.outputs[name]?.[key])}</td>`)}</tr>`,
  )}<tr data-stat="ci95"><th scope="row">95% CI of the mean</th>${names.map((name) => {
    const ci = result.outputs[name]?.ci95;
    return html`<td class="num">${ci ? `${stat(ci[0])} – ${stat(ci[1])}` : "–"}</td>`;
  })}</tr></tbody></table></div>`;
}

/** The two files of a completed run, as download links. */
export function downloadLinks(runId: string): Html {
  const base = `/api/simulations/${encodeURIComponent(runId)}/files`;
  return html`<span class="downloads large">${[
    ["resultados.parquet", "resultados", ".parquet"],
    ["resumen.json", "resumen", ".json"],
  ].map(
    ([file, name, ext]) =>
      html`<a class="download" href="${base}/${file}" download data-file="${file}" title="Download ${file}"><svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 2v8M4.5 6.8 8 10.3l3.5-3.5M3 13h10"/></svg>${name}<span class="ext">${ext}</span></a>`,
  )}</span>`;
}

/** The completed run's summary card and sensitivity card. */
export function resultCards(detail: SimulationDetail, output: string, width: number): Html {
  const result = detail.result;
  if (!result || detail.state !== "completed") return html``;
  const summary = result.outputs[output];
  return html`<div class="cols sim-result">
<section class="card" id="sim-summary" aria-labelledby="sim-summary-title">
<div class="card-head"><h2 id="sim-summary-title">Summary <span class="meta">${fmt.count(result.completed)} scenarios · ${fmt.duration(result.duration_s * 1000)} · ${compact(result.scenarios_per_s)}/s</span></h2></div>
${summaryTable(result)}
<div class="card-body sim-downloads"><span class="small muted">Download:</span>${downloadLinks(detail.run_id)}</div>
</section>
<section class="card" id="sim-sensitivity" aria-labelledby="sim-sensitivity-title">
<div class="card-head"><h2 id="sim-sensitivity-title">Sensitivity <span class="meta mono">${output}</span></h2><span class="meta">Spearman's ρ of each variable</span></div>
<div class="card-body sim-chart-box" id="sim-tornado">${tornadoSvg(summary?.sensitivity, output, { width })}</div>
<p class="small faint sim-chart-note">Sorted by |ρ|: a bar to the right means the output rises with the variable, to the left that it falls.</p>
</section>
</div>`;
}

/** The charts: the histogram and the running mean of the selected output. */
export function chartCards(detail: SimulationDetail, output: string, width: number): Html {
  const names = outputNames(detail);
  const tabs = outputTabs(names, output);
  const live = !isOver(detail.state);
  return html`<div class="grid sim-charts">
<section class="card" aria-labelledby="sim-hist-title">
<div class="card-head"><h2 id="sim-hist-title">Distribution <span class="meta mono">${output}</span></h2>${tabs}<span class="meta">${live ? "live" : "final"}</span></div>
<div class="card-body sim-chart-box" id="sim-hist">${histogramBody(detail, output, width)}</div>
</section>
<section class="card" aria-labelledby="sim-conv-title">
<div class="card-head"><h2 id="sim-conv-title">Running mean <span class="meta mono">${output}</span></h2><span class="meta">${live ? "live" : "final"}</span></div>
<div class="card-body sim-chart-box" id="sim-conv">${convergenceBody(detail, output, width)}</div>
</section>
</div>`;
}

/** Default chart width for the server's first paint (the client draws again at its width). */
export const FIRST_PAINT_WIDTH = 560;

/** `/simulations/:id` as the server sends it. */
export function simulationMain(detail: SimulationDetail, now = Date.now()): Html {
  const output = outputNames(detail)[0] ?? "resultado";
  return html`<p class="crumbs small"><a href="/simulations">← Simulations</a></p>
<div class="page-head" id="sim-head" data-run-id="${detail.run_id}" data-state="${detail.state}">
<div class="sim-title"><h1>${detail.model.nombre}</h1><p class="sub"><span class="mono">${detail.file}</span> · ${modeChip(detail.mode)} · ${fmt.count(detail.scenarios)} scenarios · seed ${detail.seed} · <span class="mono">${detail.run_id}</span></p></div>
<div class="page-actions"><span class="live" id="live" data-state="connecting"${raw(isOver(detail.state) ? " hidden" : "")}>connecting…</span><span class="sim-actions" id="sim-actions">${runActions(detail)}</span></div>
</div>
<section class="card" id="sim-progress" aria-labelledby="sim-progress-title">
<div class="card-head"><h2 id="sim-progress-title">Progress</h2><span class="meta">${detail.variables.length} variables: <span class="mono">${detail.variables.join(", ")}</span></span></div>
<div class="card-body" id="sim-progress-body">${progressBody(detail, now)}</div>
</section>
<div id="sim-result-slot">${resultCards(detail, output, FIRST_PAINT_WIDTH)}</div>
<div id="sim-charts-slot">${chartCards(detail, output, FIRST_PAINT_WIDTH)}</div>
<section class="card" id="sim-consumers" aria-labelledby="sim-consumers-title">
<div class="card-head"><h2 id="sim-consumers-title">Consumers <span class="meta">${detail.mode === "embedded" ? "the worker threads" : "RabbitMQ consumers"}</span></h2><span class="meta" id="sim-consumers-count">${detail.progress ? `${detail.progress.consumers.length} reporting` : ""}</span></div>
<div class="card-body flush" id="sim-consumers-body">${consumersTable(detail, now)}</div>
</section>
<div class="toast" id="toast" role="status" aria-live="polite" hidden></div>`;
}

/** `/simulations/:id` for an id the console does not know. */
export function simulationMissing(id: string): Html {
  return html`<p class="crumbs small"><a href="/simulations">← Simulations</a></p><div class="empty sim-missing"><strong>No simulation <span class="mono">${id.slice(0, 80)}</span></strong>It may have run in another console, or before this one started. See the runs on <a href="/simulations">Simulations</a>.</div>`;
}
