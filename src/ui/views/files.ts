import type {
  Columna,
  FileDelimiter,
  FileEncoding,
  Histogram,
  JobRecord,
  JobState,
  OutputName,
  ProfileDocument,
} from "../../files/types.js";
import * as fmt from "./format.js";
import { type Html, html, meter, raw } from "./html.js";
import { when } from "./scheduler.js";

/**
 * The `/files` page's markup: the upload zone, the preview of an upload, the jobs and a
 * completed job's column profile. The server renders the empty page; the client script
 * renders the rest from the API's JSON (`POST /api/files`, `GET /api/jobs`, the job
 * events, `GET /api/jobs/:id/profile`) with these same functions.
 */

/** The 201 answer of `POST /api/files`. */
export interface UploadedFile {
  file_id: string;
  name: string;
  bytes: number;
  encoding: FileEncoding;
  delimiter: FileDelimiter;
  columns: string[];
  preview: Record<string, string>[];
}

// ── Numbers ─────────────────────────────────────────────────────────────────────────

/** A statistic: whole numbers with separators, others with 4 significant digits or fewer. */
export function stat(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "";
  if (Number.isInteger(n)) return fmt.count(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return n.toLocaleString("en-US", { maximumFractionDigits: 1 });
  if (abs >= 1) return String(Number(n.toFixed(abs >= 100 ? 1 : abs >= 10 ? 2 : 3)));
  if (abs === 0) return "0";
  return String(Number(n.toPrecision(3)));
}

/** A number for tight places (chart labels, rates): "812", "14.2k", "3.1M". */
export function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return stat(n);
  const [value, unit] = abs >= 1e9 ? [n / 1e9, "G"] : abs >= 1e6 ? [n / 1e6, "M"] : [n / 1e3, "k"];
  return `${Math.abs(value) < 10 ? value.toFixed(1) : Math.round(value)}${unit}`;
}

/** An ETA in seconds as "12 s", "3 min 20 s", "1 h 5 min". */
export function eta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "";
  return fmt.span(Math.max(0, seconds) * 1000);
}

/** "12.5%" under 10%, "42%" above, never "100%" before the end. */
export function percentText(percent: number): string {
  const p = Math.max(0, Math.min(100, percent));
  if (p > 99 && p < 100) return `${p.toFixed(1)}%`;
  return p < 10 && p > 0 ? `${p.toFixed(1)}%` : `${Math.floor(p)}%`;
}

const DELIMITER_LABEL: Record<FileDelimiter, string> = {
  ",": "comma ( , )",
  ";": "semicolon ( ; )",
};

const ENCODING_LABEL: Record<FileEncoding, string> = {
  "utf-8": "UTF-8",
  "windows-1252": "Windows-1252",
};

// ── Upload ──────────────────────────────────────────────────────────────────────────

/** The upload bar while a file goes up: its name, bytes sent, percent. */
export function uploadProgress(name: string, loaded: number, total: number): Html {
  const percent = total > 0 ? (100 * loaded) / total : 0;
  const done = total > 0 && loaded >= total;
  return html`<div class="upload-progress" id="upload-progress" data-percent="${Math.floor(percent)}">
<div class="upload-line"><span class="upload-name" title="${name}">${name}</span><span class="num small muted">${
    done
      ? "reading the first rows…"
      : html`${fmt.bytes(loaded)} of ${fmt.bytes(total)} · <strong>${percentText(percent)}</strong>`
  }</span><button type="button" class="btn btn-small btn-danger" id="upload-cancel"${raw(done ? " disabled" : "")}>Cancel</button></div>
${meter(percent, done ? "bar upload-bar done" : "bar upload-bar")}
</div>`;
}

const ERROR_TITLE: Record<number, string> = {
  400: "Nothing to read in this file",
  413: "This file is too large",
  415: "This is not a text (CSV) file",
};

/** What went wrong with an upload, next to the drop zone. */
export function uploadError(status: number, message: string, name?: string): Html {
  const title =
    ERROR_TITLE[status] ?? (status === 0 ? "The upload failed" : "The upload was refused");
  return html`<div class="upload-error" role="alert" data-status="${status}"><strong>${title}</strong><span>${
    name ? html`<span class="mono">${name}</span>: ` : ""
  }${message}</span></div>`;
}

// ── Preview ─────────────────────────────────────────────────────────────────────────

/** The state of the preview's "Process full file" button. */
export type ProcessState =
  | { kind: "ready" }
  | { kind: "sending" }
  | { kind: "started"; job_id: string }
  | { kind: "error"; message: string };

function processButton(state: ProcessState): Html {
  if (state.kind === "started")
    return html`<span class="process-started small"><span class="pill ok">started</span> follow it in Jobs below</span>`;
  return html`<button type="button" class="btn btn-primary" id="process"${raw(state.kind === "sending" ? " disabled" : "")}>${
    state.kind === "sending" ? "Starting…" : "Process full file"
  }</button>`;
}

/** The uploaded file: what was detected, its first rows, and the button that processes it. */
export function previewCard(file: UploadedFile, state: ProcessState = { kind: "ready" }): Html {
  const rows = file.preview.slice(0, 5);
  return html`<section class="card" id="preview" data-file-id="${file.file_id}" aria-labelledby="preview-title">
<div class="card-head"><h2 id="preview-title">Preview <span class="meta">the first ${rows.length} ${rows.length === 1 ? "row" : "rows"}</span></h2>${processButton(state)}</div>
<div class="card-body file-facts">
<dl class="facts">
<div><dt>File</dt><dd class="mono" title="${file.name}">${file.name}</dd></div>
<div><dt>Size</dt><dd>${fmt.bytes(file.bytes)}</dd></div>
<div><dt>Encoding</dt><dd>${ENCODING_LABEL[file.encoding] ?? file.encoding}</dd></div>
<div><dt>Delimiter</dt><dd>${DELIMITER_LABEL[file.delimiter] ?? file.delimiter}</dd></div>
<div><dt>Columns</dt><dd>${fmt.count(file.columns.length)}</dd></div>
</dl>
${state.kind === "error" ? html`<div class="upload-error" role="alert"><strong>Could not start the job</strong><span>${state.message}</span></div>` : ""}
</div>
<div class="preview-grid table-wrap" tabindex="0" aria-label="The first rows of ${file.name}"><table id="preview-table">
<thead><tr><th class="rownum">#</th>${file.columns.map((name) => html`<th title="${name}">${name}</th>`)}</tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr><td class="muted" colspan="${file.columns.length + 1}">The file has a header and no data rows.</td></tr>`
      : rows.map(
          (row, i) =>
            html`<tr><td class="rownum">${i + 1}</td>${file.columns.map((name) => {
              const value = row[name] ?? "";
              return value === ""
                ? html`<td class="blank"></td>`
                : html`<td title="${value.length > 40 ? value : ""}">${value}</td>`;
            })}</tr>`,
        )
  }</tbody>
</table></div>
</section>`;
}

// ── Jobs ────────────────────────────────────────────────────────────────────────────

export function jobPill(state: JobState): Html {
  const cls: Record<JobState, string> = {
    queued: "queued",
    processing: "running",
    completed: "ok",
    failed: "failed",
    cancelled: "killed",
  };
  return html`<span class="pill ${cls[state]}">${state}</span>`;
}

const OUTPUT_LABEL: Record<OutputName, string> = {
  resumen: "resumen",
  columnas: "columnas",
  muestra: "muestra",
};

/** The three Parquet files, as download links. */
export function downloadLinks(job: JobRecord, large = false): Html {
  if (!job.outputs) return html``;
  const outputs = job.outputs;
  return html`<span class="downloads${large ? " large" : ""}">${(
    ["resumen", "columnas", "muestra"] as const
  ).map(
    (name) =>
      html`<a class="download" href="${outputs[name]}" download data-output="${name}" title="Download ${OUTPUT_LABEL[name]}.parquet"><svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 2v8M4.5 6.8 8 10.3l3.5-3.5M3 13h10"/></svg>${OUTPUT_LABEL[name]}<span class="ext">.parquet</span></a>`,
  )}</span>`;
}

/**
 * A failed job's error, said for a person: "roto.csv:22: a quote…" (the file and line, as
 * the profiler words it) reads "line 22: a quote…" in the file's own row.
 */
export function jobError(job: JobRecord): string {
  const error = job.error ?? "no reason given";
  const prefix = `${job.name}:`;
  if (!error.startsWith(prefix)) return error;
  const match = /^(\d+): ?(.*)$/s.exec(error.slice(prefix.length));
  return match ? `line ${fmt.count(Number(match[1]))}: ${match[2]}` : error;
}

function durationOf(job: JobRecord): string {
  if (!job.started_at || !job.finished_at) return "";
  return fmt.duration(Date.parse(job.finished_at) - Date.parse(job.started_at));
}

/** The middle of a job's row: its live progress, or how it ended. */
function jobProgress(job: JobRecord, now: number): Html {
  switch (job.state) {
    case "queued":
      return html`<span class="small muted">Waiting for a worker…</span>`;
    case "processing": {
      const bits: Html[] = [
        html`<span><strong>${fmt.count(job.rows_processed)}</strong> rows</span>`,
        html`<span class="job-percent"><strong>${percentText(job.percent)}</strong></span>`,
      ];
      if (job.rows_per_s !== null) bits.push(html`<span>${compact(job.rows_per_s)} rows/s</span>`);
      if (job.eta_s !== null) bits.push(html`<span>ETA ${eta(job.eta_s)}</span>`);
      return html`<div class="job-bar">${meter(job.percent, "bar job-meter")}</div><div class="job-stats small" data-rows="${job.rows_processed}" data-percent="${job.percent}">${bits.map((bit, i) => html`${i ? html`<span class="sep">·</span>` : ""}${bit}`)}</div><div class="small faint">${fmt.bytes(job.bytes_processed)} of ${fmt.bytes(job.total_bytes)}${job.started_at ? html` · running <span data-tick="elapsed" data-at="${job.started_at}">${fmt.span(now - Date.parse(job.started_at))}</span>` : ""}</div>`;
    }
    case "completed": {
      const took = durationOf(job);
      return html`<span class="small"><strong>${fmt.count(job.rows_processed)}</strong> rows · ${fmt.bytes(job.total_bytes)}${took ? ` · took ${took}` : ""}</span>`;
    }
    case "failed":
      return html`<div class="job-error" role="note"><strong>Error:</strong> ${jobError(job)}</div>`;
    case "cancelled":
      return html`<span class="small muted">Cancelled${job.rows_processed ? ` after ${fmt.count(job.rows_processed)} rows` : ""}; its partial outputs were removed.</span>`;
  }
}

function jobActions(job: JobRecord, selected: boolean, cancelling: boolean): Html {
  if (job.state === "queued" || job.state === "processing")
    return html`<button type="button" class="btn btn-small btn-danger" data-cancel-job="${job.job_id}"${raw(cancelling ? " disabled" : "")}>${cancelling ? "Cancelling…" : "Cancel"}</button>`;
  if (job.state === "completed")
    return html`<button type="button" class="btn btn-small btn-run-profile${selected ? " selected" : ""}" data-profile-job="${job.job_id}" aria-pressed="${selected ? "true" : "false"}">${selected ? "Showing profile" : "Profile"}</button>`;
  return html``;
}

export interface JobItemOptions {
  /** The job whose profile is shown. */
  selected?: boolean;
  /** A Cancel was sent and not answered yet. */
  cancelling?: boolean;
  now?: number;
}

/** One job: its file and times, its state, its progress or outcome, its actions. */
export function jobItem(job: JobRecord, options: JobItemOptions = {}): Html {
  const now = options.now ?? Date.now();
  const times =
    job.state === "queued" || !job.started_at
      ? `added ${when(job.created_at, now)}`
      : job.finished_at
        ? `${when(job.started_at, now)} → ${when(job.finished_at, now)}`
        : `started ${when(job.started_at, now)}`;
  return html`<li class="fjob" id="fjob-${job.job_id}" data-job-id="${job.job_id}" data-state="${job.state}"${raw(options.selected ? ' aria-current="true"' : "")}>
<div class="fjob-id"><div class="fjob-name" title="${job.name}">${job.name}</div><div class="small faint"><span class="mono">${job.job_id.slice(0, 8)}</span> · ${times}</div></div>
<div class="fjob-state">${jobPill(job.state)}</div>
<div class="fjob-progress">${jobProgress(job, now)}</div>
<div class="fjob-actions">${jobActions(job, options.selected === true, options.cancelling === true)}</div>
${job.state === "completed" && job.outputs ? html`<div class="fjob-downloads"><span class="small muted">Parquet</span>${downloadLinks(job)}</div>` : ""}
</li>`;
}

/** The jobs, newest first (as the API lists them), or what to do to get one. */
export function jobsList(
  jobs: readonly JobRecord[] | null,
  selected: string | null = null,
  cancelling: ReadonlySet<string> = new Set(),
  now = Date.now(),
): Html {
  if (jobs === null)
    return html`<div class="empty" id="jobs-empty"><strong>Loading jobs…</strong></div>`;
  if (jobs.length === 0)
    return html`<div class="empty" id="jobs-empty"><strong>No jobs yet</strong>Upload a CSV above, check its preview, then press <em>Process full file</em>.</div>`;
  return html`<ul class="fjobs" id="jobs-list">${jobs.map((job) =>
    jobItem(job, {
      selected: job.job_id === selected,
      cancelling: cancelling.has(job.job_id),
      now,
    }),
  )}</ul>`;
}

/** "2 processing · 1 queued · 5 completed". */
export function jobsSummary(jobs: readonly JobRecord[] | null): string {
  if (!jobs) return "";
  if (jobs.length === 0) return "none yet";
  const order: JobState[] = ["processing", "queued", "completed", "failed", "cancelled"];
  return order
    .map((state) => [state, jobs.filter((job) => job.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${fmt.count(n)} ${state}`)
    .join(" · ");
}

// ── Charts ──────────────────────────────────────────────────────────────────────────

/** A numeric column's histogram: one bar per bin, its edges under it. */
export function histogramChart(hist: Histogram | undefined, column: string): Html {
  if (!hist || hist.counts.length === 0) return html`<span class="faint small">no histogram</span>`;
  const max = Math.max(...hist.counts, 1);
  const n = hist.counts.length;
  const width = n * 10;
  const height = 40;
  const bars = hist.counts.map((count, i) => {
    const h = count === 0 ? 0 : Math.max(1.5, (height * count) / max);
    const from = hist.edges[i] ?? 0;
    const to = hist.edges[i + 1] ?? from;
    return html`<rect class="hist-bar${count === 0 ? " zero" : ""}" x="${i * 10 + 1}" y="${(height - h).toFixed(2)}" width="8" height="${h.toFixed(2)}"><title>${stat(from)} – ${stat(to)}: ${fmt.count(count)}</title></rect>`;
  });
  const first = hist.edges[0] ?? 0;
  const last = hist.edges[hist.edges.length - 1] ?? first;
  return html`<figure class="chart hist" data-chart="histogram"><svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="Histogram of ${column}: ${n} bins from ${stat(first)} to ${stat(last)}"><line class="hist-base" x1="0" x2="${width}" y1="${height - 0.5}" y2="${height - 0.5}"/>${bars}</svg><figcaption><span>${compact(first)}</span><span>${compact(last)}</span></figcaption></figure>`;
}

/** The pairs of `top_valores` (JSON text), or none if it is not what it should be. */
export function topValues(json: string): [string, number][] {
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter(
        (pair): pair is [unknown, number] =>
          Array.isArray(pair) && pair.length === 2 && typeof pair[1] === "number",
      )
      .map(([value, count]) => [String(value), count]);
  } catch {
    return [];
  }
}

/** A column's most frequent values, each with a bar of its share of the non-null values. */
export function topValuesChart(json: string, nonNull: number, column: string): Html {
  const pairs = topValues(json);
  if (pairs.length === 0) return html`<span class="faint small">no values</span>`;
  const top = Math.max(...pairs.map(([, count]) => count), 1);
  const base = Math.max(nonNull, top);
  const unique = top === 1;
  return html`<ol class="chart topv" data-chart="top-values" aria-label="Most frequent values of ${column}">${pairs.map(
    ([value, count]) =>
      html`<li title="${value}: ${fmt.count(count)} rows, ${percentText((100 * count) / base)} of the non-null values"><span class="topv-value">${value}</span><svg class="topv-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true"><rect class="track" width="100" height="6" rx="2"/><rect class="fill" width="${Math.max(1, (100 * count) / top).toFixed(2)}" height="6" rx="2"/></svg><span class="topv-count">${compact(count)}</span></li>`,
  )}${unique ? html`<li class="topv-note">every value appears once</li>` : ""}</ol>`;
}

const NUMERIC = new Set(["integer", "decimal"]);

/** The chart of one column: a histogram for numbers, the top values for everything else. */
export function columnChart(column: Columna, histograms: ProfileDocument["histogramas"]): Html {
  if (column.tipo === "empty") return html`<span class="faint small">all null</span>`;
  // Own keys only: a column may be called `__proto__` or `constructor`.
  const histogram = Object.hasOwn(histograms, column.nombre)
    ? histograms[column.nombre]
    : undefined;
  if (NUMERIC.has(column.tipo) && histogram) return histogramChart(histogram, column.nombre);
  return topValuesChart(column.top_valores, column.no_nulos, column.nombre);
}

// ── Profile ─────────────────────────────────────────────────────────────────────────

const dash = html`<span class="faint">—</span>`;

/** A labelled cell; one with nothing to show is marked `none` (left out of narrow cards). */
function cell(label: string, content: Html | string, cls = ""): Html {
  const none = content === dash ? " none" : "";
  return html`<td class="${cls}${none}" data-label="${label}">${content}</td>`;
}
const orDash = (text: string) => (text === "" ? dash : text);

function distinct(column: Columna): Html {
  if (column.unicos_aproximado)
    return html`<span title="A HyperLogLog estimate (error within 2%): over 100,000 distinct values">≈ ${fmt.count(column.unicos)}</span>`;
  return html`${fmt.count(column.unicos)}`;
}

function textValue(value: string | null): Html | string {
  if (value === null || value === "") return dash;
  return html`<span class="clip" title="${value}">${value}</span>`;
}

function lengths(column: Columna): Html | string {
  if (column.longitud_min === null || column.longitud_max === null) return dash;
  return column.longitud_min === column.longitud_max
    ? fmt.count(column.longitud_min)
    : `${fmt.count(column.longitud_min)}–${fmt.count(column.longitud_max)}`;
}

/** Labelled values stacked in one cell: "min 1 / max 9", "mean … / sd …". */
function stacked(pairs: [string, Html | string][]): Html {
  return html`<dl class="mini">${pairs.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

/** One row of the profile table (a card on narrow screens, each cell labelled). */
export function profileRow(column: Columna, histograms: ProfileDocument["histogramas"]): Html {
  const numeric = column.media !== null || column.p50 !== null;
  return html`<tr data-column="${column.nombre}" data-type="${column.tipo}">
${cell("#", String(column.posicion), "num pos")}
${cell("Column", html`<span class="col-name" title="${column.nombre}">${column.nombre}</span><span class="type type-${column.tipo}">${column.tipo}</span>`, "name")}
${cell("Non-null", fmt.count(column.no_nulos), "num")}
${cell("Nulls", column.nulos ? fmt.count(column.nulos) : html`<span class="faint">0</span>`, "num")}
${cell("Distinct", distinct(column), "num")}
${cell(
  "Min / max",
  column.minimo === null && column.maximo === null
    ? dash
    : stacked([
        ["min", textValue(column.minimo)],
        ["max", textValue(column.maximo)],
      ]),
  "val",
)}
${cell(
  "Mean / std dev",
  column.media === null && column.desviacion === null
    ? dash
    : stacked([
        ["mean", orDash(stat(column.media))],
        ["sd", orDash(stat(column.desviacion))],
      ]),
  "stats",
)}
${cell(
  "Quartiles",
  numeric
    ? stacked([
        ["p25", orDash(stat(column.p25))],
        ["p50", orDash(stat(column.p50))],
        ["p75", orDash(stat(column.p75))],
      ])
    : dash,
  "stats",
)}
${cell("Length", lengths(column), "num")}
${cell("Distribution", columnChart(column, histograms), "chart-cell")}
</tr>`;
}

function tile(label: string, value: Html | string, detail: Html | string = ""): Html {
  return html`<div class="tile"><div class="tile-label">${label}</div><div class="tile-value">${value}</div><div class="tile-detail">${detail}</div></div>`;
}

/** A completed job's profile: the file's summary, the Parquet files, a row per column. */
export function profileCard(job: JobRecord, doc: ProfileDocument | null, error?: string): Html {
  const head = html`<div class="card-head"><h2 id="profile-title">Column profile <span class="meta mono">${job.name}</span></h2><button type="button" class="btn btn-small" id="profile-close">Close</button></div>`;
  if (error)
    return html`<section class="card" id="profile" data-job-id="${job.job_id}" aria-labelledby="profile-title">${head}<div class="card-body"><div class="upload-error" role="alert"><strong>Could not load the profile</strong><span>${error}</span></div></div></section>`;
  if (!doc)
    return html`<section class="card" id="profile" data-job-id="${job.job_id}" aria-labelledby="profile-title" aria-busy="true">${head}<div class="empty"><strong>Loading the profile…</strong></div></section>`;
  const r = doc.resumen;
  return html`<section class="card" id="profile" data-job-id="${job.job_id}" data-loaded="true" aria-labelledby="profile-title">${head}
<div class="card-body">
<div class="tiles">
${tile("Rows profiled", fmt.count(r.filas), r.filas_malformadas ? html`<span class="error-text">${fmt.count(r.filas_malformadas)} malformed ${r.filas_malformadas === 1 ? "row" : "rows"} left out</span>` : "no malformed rows")}
${tile("Columns", fmt.count(r.columnas), `${ENCODING_LABEL[r.encoding] ?? r.encoding} · ${DELIMITER_LABEL[r.delimitador] ?? r.delimitador}`)}
${tile("In memory", fmt.bytes(r.memoria_estimada_bytes), `estimated, with the inferred types (file: ${fmt.bytes(r.bytes)})`)}
${tile("Profiling time", fmt.duration(r.duracion_s * 1000), `processed ${when(r.procesado_en)}`)}
</div>
<div class="profile-downloads"><span class="small muted">Download the Parquet files:</span>${downloadLinks(job, true)}</div>
</div>
<div class="table-wrap profile-wrap"><table class="profile-table" id="profile-table">
<thead><tr><th class="num">#</th><th>Column · type</th><th class="num">Non-null</th><th class="num">Nulls</th><th class="num">Distinct</th><th>Min / max</th><th>Mean / std dev</th><th>Quartiles</th><th class="num" title="Text length, shortest–longest">Length</th><th title="A histogram for numbers, the most frequent values for the rest">Distribution</th></tr></thead>
<tbody>${doc.columnas.map((column) => profileRow(column, doc.histogramas ?? {}))}</tbody>
</table></div>
</section>`;
}

// ── The page ────────────────────────────────────────────────────────────────────────

/** What the page shows of the console's file settings (absent: the console runs without jobs). */
export interface FilesInfo {
  /** `MAX_FILE_SIZE_MB` in bytes. */
  maxFileBytes: number;
  queue: "embedded" | "bullmq";
}

/** "200 MB" for a limit in bytes (MiB, as `MAX_FILE_SIZE_MB` counts them). */
export function limitText(bytes: number): string {
  const mb = bytes / 2 ** 20;
  return `${Number.isInteger(mb) ? fmt.count(mb) : mb.toFixed(1)} MB`;
}

const QUEUE_TEXT: Record<FilesInfo["queue"], string> = {
  embedded: "Jobs run on the console's worker threads",
  bullmq: "Jobs run on BullMQ workers (npm run worker)",
};

/** The page as the server sends it: the drop zone, empty slots, the jobs loading. */
export function filesMain(info?: FilesInfo): Html {
  const limit = info ? limitText(info.maxFileBytes) : "";
  return html`<div class="page-head">
<div><h1>Files</h1><p class="sub">Upload a CSV${limit ? ` of up to ${limit}` : ""}: its first rows show at once, the whole file is profiled in the background.</p></div>
<div class="page-actions"><span class="small muted" id="jobs-summary"></span></div>
</div>
${info ? "" : html`<div class="banner soft" id="files-unavailable" role="status"><strong>File jobs are not running in this console</strong>Start the console with <code>npm run ui</code> to upload and process files.</div>`}
<section class="card" aria-labelledby="upload-title">
<div class="card-head"><h2 id="upload-title">Upload a CSV</h2><span class="meta">UTF-8 or Windows-1252 · comma or semicolon · a header row</span></div>
<div class="card-body">
<label class="dropzone" id="dropzone" for="file-input" data-max-bytes="${info?.maxFileBytes ?? ""}"${raw(info ? "" : ' data-disabled="true"')}>
<svg class="dropzone-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 15V4M7.5 8.5 12 4l4.5 4.5M4 15v3.5A1.5 1.5 0 0 0 5.5 20h13a1.5 1.5 0 0 0 1.5-1.5V15"/></svg>
<span class="dropzone-text"><strong>Drop a CSV file here</strong> <span class="muted">or</span> <span class="link">choose a file</span></span>
<span class="dropzone-hint small faint">${limit ? `Up to ${limit}. ` : ""}Nothing is processed until you ask.</span>
<input type="file" id="file-input" name="file" accept=".csv,.txt,.tsv,text/csv,text/plain"${raw(info ? "" : " disabled")}>
</label>
<div id="upload-status" aria-live="polite"></div>
</div>
</section>
<div id="preview-slot"></div>
<section class="card" aria-labelledby="jobs-title">
<div class="card-head"><h2 id="jobs-title">Jobs <span class="meta">newest first</span></h2><span class="meta">${info ? `${QUEUE_TEXT[info.queue]}; live while they run` : "Unavailable"}</span></div>
<div class="card-body flush" id="jobs">${info ? jobsList(null) : html`<div class="empty" id="jobs-empty"><strong>No file jobs here</strong>This console was started without them.</div>`}</div>
</section>
<div id="profile-slot"></div>
<div class="toast" id="toast" role="status" aria-live="polite" hidden></div>`;
}
