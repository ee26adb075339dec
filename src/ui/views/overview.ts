import type {
  FilesOverview,
  OverviewJob,
  OverviewSimulation,
  SimulationsOverview,
} from "../overview/work.js";
import { compact, eta, jobPill, percentText, stat } from "./files.js";
import * as fmt from "./format.js";
import { type Html, html, meter } from "./html.js";
import { runPill } from "./pipeline.js";
import type { RunSummary } from "./pipeline-model.js";
import { daemonPill, runStatusPill, tick, when } from "./scheduler.js";
import type { SchedulerSummary } from "./scheduler-model.js";
import { statePill } from "./simulations.js";

/** `GET /api/overview`. */
export interface OverviewView {
  sales: {
    /** The sales database as configured (`DB_PATH`), for the empty state. */
    db_path: string;
    database: "ok" | "missing" | "unreadable";
    etl: {
      run_id: string;
      started_at: string;
      finished_at: string;
      files: { table: string; file: string; read: number; loaded: number; rejected: number }[];
    } | null;
    validation: {
      run_id: string;
      as_of: string;
      finished_at: string;
      status: string;
      failing: Record<string, number>;
    } | null;
  };
  pipeline: {
    steps: number;
    datasets: number;
    /** Runs in progress, then the most recent ones (newest first). */
    running: RunSummary[];
    recent: RunSummary[];
  };
  /** The scheduler daemon's state, its running jobs and its latest failures. */
  scheduler: SchedulerSummary;
  /** The file jobs (`/files`): processing now, then the latest finished. */
  files: FilesOverview;
  /** The simulations (`/simulations`): running now, then the latest finished. */
  simulations: SimulationsOverview;
}

function etlCard(view: OverviewView): Html {
  const { sales } = view;
  let body: Html;
  if (sales.database !== "ok" || !sales.etl) {
    const why =
      sales.database === "unreadable"
        ? html`<strong>The sales database cannot be read</strong>Run <code>npm run etl</code> to rebuild it.`
        : html`<strong>No ETL run yet</strong>Run <code>npm run etl</code> to load <code>data/</code> into <code>${sales.db_path}</code>.`;
    body = html`<div class="empty">${why}</div>`;
  } else {
    const etl = sales.etl;
    body = html`<div class="card-body"><ul class="stat-list">${etl.files.map((file) => {
      const percent = file.read === 0 ? 100 : (100 * file.loaded) / file.read;
      return html`<li><span class="mono">${file.table}</span>${meter(percent, percent < 95 ? "bar low" : "bar")}<span class="num small">${fmt.count(file.loaded)} / ${fmt.count(file.read)} <span class="muted">(${percent.toFixed(1)}%)</span></span></li>`;
    })}</ul>
<dl class="kv"><dt>Finished</dt><dd>${fmt.time(etl.finished_at)} <span class="muted">(${fmt.ago(etl.finished_at)})</span></dd><dt>Took</dt><dd>${fmt.duration(new Date(etl.finished_at).getTime() - new Date(etl.started_at).getTime())}</dd><dt>Run</dt><dd class="mono">${etl.run_id}</dd></dl></div>`;
  }
  return html`<section class="card" id="etl-card" aria-labelledby="etl-title"><div class="card-head"><h2 id="etl-title">Last ETL run</h2><span class="meta mono">${sales.db_path}</span></div>${body}</section>`;
}

function validationCard(view: OverviewView): Html {
  const validation = view.sales.validation;
  let body: Html;
  if (!validation) {
    body = html`<div class="empty"><strong>No validation yet</strong>Run <code>npm run validate</code> after a load to check the data.</div>`;
  } else {
    const failing = Object.entries(validation.failing).filter(([, n]) => n > 0);
    body = html`<div class="card-body"><div class="big-status"><span class="pill ${validation.status}">${validation.status}</span><span class="muted">${
      failing.length === 0
        ? "every rule passed"
        : `rules failing: ${failing.map(([severity, n]) => `${n} ${severity.toLowerCase()}`).join(", ")}`
    }</span></div>
<dl class="kv"><dt>As of</dt><dd>${validation.as_of}</dd><dt>Checked</dt><dd>${fmt.time(validation.finished_at)} <span class="muted">(${fmt.ago(validation.finished_at)})</span></dd><dt>Run</dt><dd class="mono">${validation.run_id}</dd></dl></div>`;
  }
  return html`<section class="card" id="validation-card" aria-labelledby="validation-title"><div class="card-head"><h2 id="validation-title">Validation</h2></div>${body}</section>`;
}

function runLine(run: RunSummary): Html {
  return html`<li class="run" data-run-id="${run.run_id}" data-status="${run.status}"><div class="run-targets">${run.targets.join(", ")}</div><div>${runPill(run.status)}</div><div class="run-meta">${fmt.time(run.started_at)} · ${run.steps} ${run.steps === 1 ? "step" : "steps"}${run.finished_at ? ` · ${fmt.duration(new Date(run.finished_at).getTime() - new Date(run.started_at).getTime())}` : ""}</div></li>`;
}

function pipelineCard(view: OverviewView): Html {
  const { pipeline } = view;
  const runs = [...pipeline.running, ...pipeline.recent];
  const body =
    runs.length === 0
      ? html`<div class="empty"><strong>No pipeline runs yet</strong>Open <a href="/pipeline">Pipeline</a> and press Run on a step.</div>`
      : html`<ul class="runs">${runs.map(runLine)}</ul>`;
  return html`<section class="card" id="pipeline-card" aria-labelledby="pipeline-title"><div class="card-head"><h2 id="pipeline-title">Pipeline</h2><span class="meta">${pipeline.steps} steps · ${pipeline.datasets} datasets in memory · <a href="/pipeline">open</a></span></div>${body}</section>`;
}

const MODE_LABEL = { day: "day", night: "night", non_working_day: "non-working day" } as const;

function schedulerCard(view: OverviewView, now = Date.now()): Html {
  const { daemon, running, failures, jobs } = view.scheduler;
  const live = daemon.state === "running" || daemon.state === "stopping";
  const head = html`<div class="big-status">${daemonPill(daemon.state)}<span class="muted">${
    live && daemon.cycle
      ? `${MODE_LABEL[daemon.cycle.mode]} cycle #${daemon.cycle.number}${daemon.state === "running" ? ` · next ${when(daemon.cycle.next_at, now)}` : ""}`
      : live
        ? `pid ${daemon.pid}`
        : daemon.state === "stopped"
          ? `since ${when(daemon.updated_at, now)}`
          : ""
  }</span></div>${
    live
      ? ""
      : html`<p class="small muted sched-hint">${daemon.state === "not_running" && daemon.reason ? `${daemon.reason}. ` : ""}Start it with <code>npm run scheduler</code>.</p>`
  }${daemon.stale ? html`<p class="small error-text">No status update for over two cycles: the daemon may be hung.</p>` : ""}`;
  const runningList = !live
    ? ""
    : running.length === 0
      ? html`<h3 class="sched-h">Running</h3><p class="small muted sched-line">No job running now</p>`
      : html`<h3 class="sched-h">Running</h3><ul class="sched-list">${running.map(
          (job) =>
            html`<li><span class="mono">${job.job}</span><span class="pill running">running</span><span class="small muted">${tick("elapsed", job.since, now)}</span></li>`,
        )}</ul>`;
  const failureList =
    failures.length === 0
      ? html`<p class="small muted sched-line">No failed runs recorded</p>`
      : html`<ul class="sched-list">${failures.map(
          (run) =>
            html`<li data-run-id="${run.id}"><span class="mono">${run.job}</span>${runStatusPill(run.status)}<span class="small muted">${when(run.started_at, now)}${run.exit_code !== null ? ` · exit ${run.exit_code}` : ""}</span></li>`,
        )}</ul>`;
  return html`<section class="card" id="scheduler-card" data-state="${daemon.state}" aria-labelledby="scheduler-card-title"><div class="card-head"><h2 id="scheduler-card-title">Scheduler</h2><span class="meta">${jobs} ${jobs === 1 ? "job" : "jobs"} · <a href="/scheduler">open</a></span></div><div class="card-body">${head}${runningList}<h3 class="sched-h">Latest failures</h3>${failureList}</div></section>`;
}

// ── File jobs and simulations ───────────────────────────────────────────────────────

/** A long error cut to one short line (the whole of it in the title). */
function short(text: string, max = 140): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

/** A failed job's error as `/files` words it: "line 22: a quote…" for "roto.csv:22: a quote…". */
function jobErrorText(job: OverviewJob): string {
  const error = job.error ?? "no reason given";
  const prefix = `${job.name}:`;
  if (!error.startsWith(prefix)) return error;
  const match = /^(\d+): ?(.*)$/s.exec(error.slice(prefix.length));
  return match ? `line ${fmt.count(Number(match[1]))}: ${match[2]}` : error;
}

/** "· "-joined bits of a meta line. */
function dots(bits: (Html | string | false | null | undefined)[]): Html {
  return html`${bits
    .filter((bit): bit is Html | string => Boolean(bit))
    .map((bit, i) => html`${i ? html`<span class="ov-sep">·</span>` : ""}${bit}`)}`;
}

function finishedAt(iso: string | null, now: number): Html | string {
  if (!iso) return "";
  return html`<span title="${fmt.time(iso)}">${when(iso, now)}</span>`;
}

function activeJob(job: OverviewJob, now: number): Html {
  const meta =
    job.state === "queued"
      ? dots([
          html`<span class="muted">waiting for a worker</span>`,
          `added ${when(job.created_at, now)}`,
        ])
      : dots([
          html`<strong>${percentText(job.percent)}</strong>`,
          `${fmt.count(job.rows_processed)} rows`,
          job.rows_per_s !== null && `${compact(job.rows_per_s)} rows/s`,
          job.eta_s !== null && `ETA ${eta(job.eta_s)}`,
          job.started_at && html`running ${tick("elapsed", job.started_at, now)}`,
        ]);
  return html`<li class="ov-item" data-job-id="${job.job_id}" data-state="${job.state}"><span class="ov-name" title="${job.name}">${job.name}</span>${jobPill(job.state)}${job.state === "processing" ? html`<div class="ov-bar">${meter(job.percent, "bar ov-meter")}</div>` : ""}<div class="ov-meta">${meta}</div></li>`;
}

function finishedJob(job: OverviewJob, now: number): Html {
  const at = finishedAt(job.finished_at ?? job.created_at, now);
  const meta =
    job.state === "failed"
      ? dots([
          html`<span class="error-text ov-error" title="${job.error ?? ""}">${short(jobErrorText(job))}</span>`,
          at,
        ])
      : job.state === "cancelled"
        ? dots([
            job.rows_processed
              ? `cancelled after ${fmt.count(job.rows_processed)} rows`
              : "cancelled",
            at,
          ])
        : dots([`${fmt.count(job.rows_processed)} rows`, at]);
  return html`<li class="ov-item" data-job-id="${job.job_id}" data-state="${job.state}"><span class="ov-name" title="${job.name}">${job.name}</span>${jobPill(job.state)}<div class="ov-meta">${meta}</div></li>`;
}

function filesCard(view: OverviewView, now: number): Html {
  const { files } = view;
  const head = (meta: Html | string) =>
    html`<div class="card-head"><h2 id="files-card-title">File jobs</h2><span class="meta">${meta}</span></div>`;
  const section = (body: Html, meta: Html | string, state: string) =>
    html`<section class="card ov-card" id="files-card" data-state="${state}" aria-labelledby="files-card-title">${head(meta)}${body}</section>`;
  if (!files.available)
    return section(
      html`<div class="empty"><strong>No file jobs in this console</strong>It was started without the large-CSV system; <code>npm run ui</code> runs them.</div>`,
      "",
      "unavailable",
    );
  const open = html`<a href="/files">open</a>`;
  const queue = files.queue === "bullmq" ? "BullMQ queue" : "in-console queue";
  if (files.error)
    return section(
      html`<div class="empty"><strong>The job queue cannot be read</strong>${files.error}</div>`,
      html`${queue} · ${open}`,
      "error",
    );
  const meta = html`${fmt.count(files.total)} ${files.total === 1 ? "job" : "jobs"} · ${queue} · ${open}`;
  if (files.running_total === 0 && files.recent.length === 0)
    return section(
      html`<div class="empty"><strong>No file jobs yet</strong>Drop a CSV on <a href="/files">Files</a> and press <em>Process full file</em>. From a terminal, <code>npm run profile -- ventas.csv</code> writes the same Parquet files (not listed here).</div>`,
      meta,
      "empty",
    );
  const more = files.running_total - files.running.length;
  const running =
    files.running_total === 0
      ? html`<p class="small muted ov-line">Nothing processing now</p>`
      : html`<ul class="ov-list">${files.running.map((job) => activeJob(job, now))}</ul>${more > 0 ? html`<p class="small muted ov-line">and ${fmt.count(more)} more on <a href="/files">Files</a></p>` : ""}`;
  const recent =
    files.recent.length === 0
      ? html`<p class="small muted ov-line">No job finished yet</p>`
      : html`<ul class="ov-list">${files.recent.map((job) => finishedJob(job, now))}</ul>`;
  return section(
    html`<div class="card-body"><h3 class="ov-h">Processing now</h3>${running}<h3 class="ov-h">Latest</h3>${recent}</div>`,
    meta,
    files.running_total > 0 ? "busy" : "idle",
  );
}

const SIM_MODE = { embedded: "worker threads", rabbitmq: "RabbitMQ" } as const;

function simName(run: OverviewSimulation): Html {
  return html`<a class="ov-name" href="/simulations/${encodeURIComponent(run.run_id)}" title="${run.model.nombre} ${run.model.version} · ${run.file}">${run.model.nombre}</a>`;
}

function activeSimulation(run: OverviewSimulation, now: number): Html {
  const mode = html`<span class="chip sim-mode ${run.mode}">${SIM_MODE[run.mode] ?? run.mode}</span>`;
  const meta =
    run.state === "queued"
      ? dots([
          mode,
          html`<span class="muted">waiting for a free slot</span>`,
          `${fmt.count(run.scenarios)} scenarios`,
        ])
      : dots([
          mode,
          html`<strong>${percentText(run.percent)}</strong>`,
          `${fmt.count(run.completed + run.errors)} / ${fmt.count(run.scenarios)}`,
          run.errors > 0 && html`<span class="error-text">${fmt.count(run.errors)} errors</span>`,
          run.rate !== null && `${compact(run.rate)}/s`,
          run.started_at && html`running ${tick("elapsed", run.started_at, now)}`,
        ]);
  return html`<li class="ov-item" data-run-id="${run.run_id}" data-state="${run.state}">${simName(run)}${statePill(run.state)}${run.state === "running" ? html`<div class="ov-bar">${meter(run.percent, "bar ov-meter")}</div>` : ""}<div class="ov-meta">${meta}</div></li>`;
}

function finishedSimulation(run: OverviewSimulation, now: number): Html {
  const at = finishedAt(run.finished_at ?? run.created_at, now);
  const scenarios = `${fmt.count(run.scenarios)} scenarios`;
  const meta =
    run.state === "completed"
      ? dots([
          scenarios,
          run.first_output &&
            html`<span class="ov-mean">mean <span class="mono">${run.first_output.name}</span> = <strong>${stat(run.first_output.mean)}</strong></span>`,
          at,
        ])
      : run.state === "failed"
        ? dots([
            html`<span class="error-text ov-error" title="${run.error ?? ""}">${short(run.error ?? "failed")}</span>`,
            at,
          ])
        : dots([
            `cancelled at ${fmt.count(run.completed + run.errors)} of ${fmt.count(run.scenarios)}`,
            at,
          ]);
  return html`<li class="ov-item" data-run-id="${run.run_id}" data-state="${run.state}">${simName(run)}${statePill(run.state)}<div class="ov-meta">${meta}</div></li>`;
}

function simulationsCard(view: OverviewView, now: number): Html {
  const sims = view.simulations;
  const section = (body: Html, meta: Html | string, state: string) =>
    html`<section class="card ov-card" id="simulations-card" data-state="${state}" aria-labelledby="simulations-card-title"><div class="card-head"><h2 id="simulations-card-title">Simulations</h2><span class="meta">${meta}</span></div>${body}</section>`;
  if (!sims.available)
    return section(
      html`<div class="empty"><strong>No simulations in this console</strong>It was started without them; <code>npm run ui</code> runs them.</div>`,
      "",
      "unavailable",
    );
  const meta = html`${fmt.count(sims.total)} ${sims.total === 1 ? "run" : "runs"} · <a href="/simulations">open</a>`;
  if (sims.running_total === 0 && sims.recent.length === 0)
    return section(
      html`<div class="empty"><strong>No simulations yet</strong>Upload a model on <a href="/simulations">Simulations</a>, or run <code>npm run simulate -- modelos/ejemplo.ini</code>.</div>`,
      meta,
      "empty",
    );
  const more = sims.running_total - sims.running.length;
  const running =
    sims.running_total === 0
      ? html`<p class="small muted ov-line">Nothing running now</p>`
      : html`<ul class="ov-list">${sims.running.map((run) => activeSimulation(run, now))}</ul>${more > 0 ? html`<p class="small muted ov-line">and ${fmt.count(more)} more on <a href="/simulations">Simulations</a></p>` : ""}`;
  const recent =
    sims.recent.length === 0
      ? html`<p class="small muted ov-line">No run finished yet</p>`
      : html`<ul class="ov-list">${sims.recent.map((run) => finishedSimulation(run, now))}</ul>`;
  return section(
    html`<div class="card-body"><h3 class="ov-h">Running now</h3>${running}<h3 class="ov-h">Latest</h3>${recent}</div>`,
    meta,
    sims.running_total > 0 ? "busy" : "idle",
  );
}

/** The overview's cards (re-rendered as a whole on updates). */
export function overviewCards(view: OverviewView, now = Date.now()): Html {
  return html`<div class="grid">${etlCard(view)}${validationCard(view)}</div>
<div class="grid">${pipelineCard(view)}${schedulerCard(view, now)}</div>
<div class="grid">${filesCard(view, now)}${simulationsCard(view, now)}</div>`;
}

export function overviewMain(view: OverviewView): Html {
  return html`<div class="page-head"><div><h1>Overview</h1><p class="sub">The sales data, its checks, and what the pipeline, the scheduler, the file jobs and the simulations are doing.</p></div><div class="page-actions"><span class="live" id="live" data-state="connecting">connecting…</span></div></div>
<div id="overview">${overviewCards(view)}</div>`;
}
