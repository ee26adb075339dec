import * as fmt from "./format.js";
import { type Html, html, meter } from "./html.js";
import { runPill } from "./pipeline.js";
import type { RunSummary } from "./pipeline-model.js";
import { daemonPill, runStatusPill, tick, when } from "./scheduler.js";
import type { SchedulerSummary } from "./scheduler-model.js";

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
  /** Systems not built yet: their cards say so. */
  files: { built: false };
  simulations: { built: false };
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

function placeholderCard(id: string, title: string, text: string, href: string): Html {
  return html`<section class="card" id="${id}" aria-labelledby="${id}-title"><div class="card-head"><h2 id="${id}-title">${title}</h2><span class="placeholder"><span class="soon">not built yet</span></span></div><div class="card-body placeholder">${text} <a href="${href}">More</a></div></section>`;
}

/** The overview's cards (re-rendered as a whole on updates). */
export function overviewCards(view: OverviewView): Html {
  return html`<div class="grid">${etlCard(view)}${validationCard(view)}</div>
<div class="grid">${pipelineCard(view)}${schedulerCard(view)}</div>
<div class="grid">${placeholderCard("files-card", "File jobs", "Large CSV uploads being processed, with live progress.", "/files")}${placeholderCard("simulations-card", "Simulations", "Monte Carlo runs and their live results.", "/simulations")}</div>`;
}

export function overviewMain(view: OverviewView): Html {
  return html`<div class="page-head"><div><h1>Overview</h1><p class="sub">The sales data, its checks, and what the pipeline and the scheduler are doing.</p></div><div class="page-actions"><span class="live" id="live" data-state="connecting">connecting…</span></div></div>
<div id="overview">${overviewCards(view)}</div>`;
}
