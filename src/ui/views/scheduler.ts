import * as fmt from "./format.js";
import { span, type TickKind, tickText } from "./format.js";
import { type Html, html, meter, raw } from "./html.js";
import type {
  CycleMode,
  DaemonView,
  JobView,
  SchedulerRun,
  SchedulerSnapshot,
  SchedulerView,
} from "./scheduler-model.js";

/**
 * The `/scheduler` page's markup, from its JSON (`GET /api/scheduler` and the runs of the
 * last 24 hours). The server renders the first paint with it; the client script re-renders
 * the part an SSE event changed. Times that move (ago, in, elapsed) carry `data-tick` so
 * the client updates their text every second without re-rendering.
 */

// ── Time ────────────────────────────────────────────────────────────────────────────

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const pad = (n: number) => String(n).padStart(2, "0");

/** "14:05:09" today, "Jan 30 14:05" another day (the reader's local time). */
export function when(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const today = new Date(now);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (date.toDateString() === today.toDateString()) return `${clock}:${pad(date.getSeconds())}`;
  return `${MONTHS[date.getMonth()]} ${date.getDate()} ${clock}`;
}

/** A `<span>` whose text the client keeps current (`data-tick`, see client/common.ts). */
export function tick(kind: TickKind, iso: string | null, now: number, className = ""): Html {
  if (!iso) return html``;
  return html`<span class="${className}" data-tick="${kind}" data-at="${iso}">${tickText(kind, iso, now)}</span>`;
}

// ── Pills ───────────────────────────────────────────────────────────────────────────

const DAEMON_LABEL: Record<DaemonView["state"], string> = {
  running: "running",
  stopping: "stopping",
  stopped: "stopped",
  not_running: "not running",
};

export function daemonPill(state: DaemonView["state"]): Html {
  return html`<span class="pill daemon-${state}">${DAEMON_LABEL[state]}</span>`;
}

export function runStatusPill(status: SchedulerRun["status"]): Html {
  if (status === null) return html`<span class="pill running">running</span>`;
  return html`<span class="pill ${status}">${status}</span>`;
}

const CYCLE_LABEL: Record<CycleMode, string> = {
  day: "Day",
  night: "Night",
  non_working_day: "Non-working day",
};

/** A small icon for the cycle mode: a sun, a moon, a calendar. */
function cycleIcon(mode: CycleMode): Html {
  const paths: Record<CycleMode, string> = {
    day: '<circle cx="10" cy="10" r="3.6"/><path d="M10 1.8v2.4M10 15.8v2.4M1.8 10h2.4M15.8 10h2.4M4.2 4.2l1.7 1.7M14.1 14.1l1.7 1.7M4.2 15.8l1.7-1.7M14.1 5.9l1.7-1.7"/>',
    night: '<path d="M15.5 12.6A6.5 6.5 0 0 1 7.4 4.5a6.5 6.5 0 1 0 8.1 8.1z"/>',
    non_working_day:
      '<rect x="3" y="4.5" width="14" height="12.5" rx="2"/><path d="M3 8.5h14M7 2.8v3.2M13 2.8v3.2"/>',
  };
  return html`<svg class="cycle-icon ${mode}" viewBox="0 0 20 20" aria-hidden="true">${raw(paths[mode])}</svg>`;
}

// ── The daemon ──────────────────────────────────────────────────────────────────────

/** "182 ok · 4 failed · 2 skipped": the counts that are not zero, failures in colour. */
function countsLine(stats: NonNullable<DaemonView["stats"]>): Html {
  const shown = (["ok", "failed", "timeout", "killed", "skipped"] as const).filter(
    (key) => stats[key] > 0,
  );
  if (shown.length === 0) return html`<span class="faint">none yet</span>`;
  return html`<span class="counts">${shown.map(
    (key, i) =>
      html`${i ? " · " : ""}<span class="count ${key}">${fmt.count(stats[key])} ${key}</span>`,
  )}</span>`;
}

function tile(label: string, value: Html | string, detail: Html | string = ""): Html {
  return html`<div class="tile"><div class="tile-label">${label}</div><div class="tile-value">${value}</div><div class="tile-detail">${detail}</div></div>`;
}

/** The daemon's state, its cycle and its counts (or how to start it). */
export function daemonCard(view: SchedulerView, now = Date.now()): Html {
  const { daemon } = view;
  const live = daemon.state === "running" || daemon.state === "stopping";
  let body: Html;
  if (!live) {
    const title =
      daemon.state === "stopped"
        ? "The scheduler daemon is stopped"
        : "The scheduler daemon is not running";
    const why =
      daemon.state === "stopped"
        ? html`It stopped at ${fmt.time(daemon.updated_at)} (${tick("ago", daemon.updated_at, now)}). `
        : html`${daemon.reason ?? ""}. `;
    body = html`<div class="daemon-off"><div class="daemon-off-text"><strong>${title}</strong><span class="muted">${why}No job runs on its schedule until it runs again, and Run now waits for it.</span></div><div class="start-hint"><span class="muted small">Start it with</span> <code>npm run scheduler</code></div></div>`;
  } else {
    const cycle = daemon.cycle;
    const stats = daemon.stats;
    body = html`<div class="tiles">
${tile("Daemon", daemonPill(daemon.state), html`pid <span class="mono">${daemon.pid}</span> · ${tick("uptime", daemon.started_at, now)}`)}
${
  cycle
    ? tile(
        "Cycle",
        html`${cycleIcon(cycle.mode)}${CYCLE_LABEL[cycle.mode]} · every ${span(cycle.length_s * 1000)}`,
        cycle.started_at
          ? `cycle #${cycle.number}, since ${when(cycle.started_at, now)}`
          : `cycle #${cycle.number}`,
      )
    : tile("Cycle", html`<span class="faint">—</span>`, "none started yet")
}
${
  cycle
    ? tile(
        "Next cycle",
        daemon.state === "stopping" || !cycle.next_at
          ? html`<span class="faint">none</span>`
          : when(cycle.next_at, now),
        daemon.state === "stopping"
          ? "stopping: nothing new starts"
          : tick("until", cycle.next_at, now),
      )
    : tile("Next cycle", html`<span class="faint">—</span>`)
}
${
  stats
    ? tile("Runs since it started", fmt.count(stats.runs), countsLine(stats))
    : tile("Runs since it started", "0")
}
</div>
${
  daemon.stale
    ? html`<div class="notice warn">The status file has not changed since ${fmt.time(daemon.updated_at)}, over two cycles: the daemon may be hung (pid ${daemon.pid}).</div>`
    : ""
}`;
  }
  return html`<section class="card daemon-card" id="daemon" data-state="${daemon.state}" aria-labelledby="daemon-title"><div class="card-head"><h2 id="daemon-title">Daemon</h2><span class="meta">status file <span class="mono">${daemon.status_file}</span>${
    daemon.updated_at && live ? html` · updated ${tick("ago", daemon.updated_at, now)}` : ""
  }</span></div><div class="card-body">${body}</div></section>`;
}

// ── Jobs ────────────────────────────────────────────────────────────────────────────

export function jobState(job: JobView, daemon: DaemonView, now = Date.now()): Html {
  if (job.state === "running")
    return html`<span class="pill running">running</span><span class="small muted">${
      job.running_since ? tick("elapsed", job.running_since, now) : ""
    }</span>`;
  if (job.requested)
    return html`<span class="pill requested">requested</span><span class="small muted">${tick("ago", job.requested.requested_at, now)}</span>`;
  if (!job.enabled) return html`<span class="pill">disabled</span>`;
  if (job.state === "queued") return html`<span class="pill queued">queued</span>`;
  if (job.state === "idle") return html`<span class="pill idle">idle</span>`;
  return html`<span class="faint small">${daemon.state === "stopping" ? "stopping" : "—"}</span>`;
}

function lastRun(job: JobView, now: number): Html {
  const last = job.last;
  if (!last) return html`<span class="faint small">never run</span>`;
  const bits: string[] = [];
  if (last.ms !== null) bits.push(fmt.duration(last.ms));
  if (last.status !== "ok" && last.exit_code !== null) bits.push(`exit ${last.exit_code}`);
  return html`<div class="cell-line">${runStatusPill(last.status)}<span class="small">${when(last.started_at, now)}</span></div><div class="small muted">${bits.join(" · ")}${
    job.consecutive_failures > 1
      ? html` <span class="error-text">· ${job.consecutive_failures} failures in a row</span>`
      : ""
  }</div>`;
}

function nextRun(job: JobView, daemon: DaemonView, now: number): Html {
  if (!job.enabled) return html`<span class="faint small">disabled</span>`;
  if (daemon.state === "stopping") return html`<span class="faint small">none (stopping)</span>`;
  if (job.next_from === "schedule" && job.next_at)
    return html`<div class="small muted">${when(job.next_at, now)}</div><div class="small faint">if the daemon runs</div>`;
  if (daemon.state !== "running")
    return html`<span class="faint small">when the daemon runs</span>`;
  if (!job.next_at) return html`<span class="faint small">—</span>`;
  return html`<div class="small">${when(job.next_at, now)}</div><div class="small muted">${tick("until", job.next_at, now)}</div>`;
}

function success(job: JobView): Html {
  if (!job.success) return html`<span class="faint small">no runs yet</span>`;
  const percent = (100 * job.success.ok) / job.success.of;
  const cls = percent >= 99.5 ? "bar" : percent >= 90 ? "bar low" : "bar bad";
  const shown =
    percent >= 99.5 || percent < 10
      ? String(Math.round(percent))
      : percent.toFixed(percent >= 99 ? 1 : 0);
  return html`<div class="rate" title="${job.success.ok} of the last ${job.success.of} runs ok (skipped ones aside)"><span class="num">${shown}%</span>${meter(percent, cls)}</div><div class="small muted">of ${job.success.of} ${job.success.of === 1 ? "run" : "runs"}${job.avg_ms !== null ? html`<span class="avg"> · ~${fmt.duration(job.avg_ms)}</span>` : ""}</div>`;
}

/** Why Run now is not offered, or null when it is. */
export function runNowBlocked(job: JobView, daemon: DaemonView): string | null {
  if (daemon.state === "stopping") return "the daemon is stopping";
  if (daemon.state !== "running") return "the daemon is not running";
  if (job.state === "running") return "running now";
  if (job.requested) return "requested; the daemon picks it up within a second";
  return null;
}

function runNowButton(job: JobView, daemon: DaemonView): Html {
  const blocked = runNowBlocked(job, daemon);
  const label =
    job.state === "running"
      ? "Running…"
      : job.requested && !blocked?.startsWith("the daemon")
        ? "Requested…"
        : "Run now";
  return html`<button type="button" class="btn btn-run btn-small" data-run-job="${job.name}" title="${blocked ? `Run now: ${blocked}` : `Run ${job.name} now`}"${raw(blocked ? " disabled" : "")}>${label}</button>`;
}

/** One job's row: name and command, schedule, state, last run, next run, success, Run now. */
export function jobItem(job: JobView, daemon: DaemonView, now = Date.now()): Html {
  const state =
    job.state === "running" ? "running" : job.requested ? "requested" : (job.state ?? "none");
  return html`<li class="job" id="job-${job.name}" data-job="${job.name}" data-state="${state}">
<div class="job-id"><div class="job-name">${job.name}${job.in_schedule ? "" : html` <span class="tag" title="The running daemon has this job; the schedule file on disk does not (it changed since the daemon read it)">not in file</span>`}</div>${job.command ? html`<div class="job-command" title="${job.command}">${job.command}</div>` : ""}</div>
<div class="job-schedule"><span class="cell-label">Schedule</span>${job.schedule}</div>
<div class="job-state"><span class="cell-label">State</span>${jobState(job, daemon, now)}</div>
<div class="job-last"><span class="cell-label">Last run</span>${lastRun(job, now)}</div>
<div class="job-next"><span class="cell-label">Next run</span>${nextRun(job, daemon, now)}</div>
<div class="job-rate"><span class="cell-label">Success</span>${success(job)}</div>
<div class="job-action">${runNowButton(job, daemon)}</div>
</li>`;
}

export function jobsList(view: SchedulerView, now = Date.now()): Html {
  if (view.jobs.length === 0) {
    const why = view.schedule.problem
      ? html`<strong>No jobs to show</strong>${view.schedule.problem}. Write one (see docs/console.md), then check it with <code>npm run scheduler -- --dry-run</code>.`
      : html`<strong>No jobs in ${view.schedule.file}</strong>Add a job to its <code>jobs</code> list; <code>npm run scheduler -- --dry-run</code> checks the file.`;
    return html`<div class="empty" id="jobs-empty">${why}</div>`;
  }
  return html`<div class="jobs-head" aria-hidden="true"><span>Job</span><span>Schedule</span><span>State</span><span>Last run</span><span>Next run</span><span>Success</span><span></span></div><ul class="jobs">${view.jobs.map(
    (job) => jobItem(job, view.daemon, now),
  )}</ul>`;
}

// ── The timeline ────────────────────────────────────────────────────────────────────

const HOUR = 3_600_000;
const LANE_HEIGHT = 24;

/** What the timeline spans: the last 24 hours (the default), or the last hour (short runs). */
export type TimelineSpan = "24h" | "1h";

/** A span's columns: 25 of an hour, or 13 of five minutes. */
const SPANS: Record<TimelineSpan, { column: number; columns: number }> = {
  "24h": { column: HOUR, columns: 25 },
  "1h": { column: 5 * 60_000, columns: 13 },
};

export interface TimelineWindow {
  from: number;
  to: number;
  /** One column's length (ms): an hour, or five minutes. */
  column: number;
  columns: number;
}

/**
 * The window the timeline draws: whole columns (hours, or five minutes, of the reader's
 * clock) from before `now - span` to the end of the current column, so the whole span is
 * there, the labels fall on column edges, and the coming runs of the current column show.
 */
export function timelineWindow(now = Date.now(), span: TimelineSpan = "24h"): TimelineWindow {
  const { column, columns } = SPANS[span];
  const start = new Date(now);
  if (column === HOUR) start.setMinutes(0, 0, 0);
  else start.setMinutes(Math.floor(start.getMinutes() / 5) * 5, 0, 0);
  const to = start.getTime() + column;
  return { from: to - columns * column, to, column, columns };
}

/** A time's x in the track (60 units a column). */
export function timelineX(t: number, w: TimelineWindow): number {
  return ((t - w.from) / w.column) * 60;
}

const x = (t: number, w: TimelineWindow) => timelineX(t, w).toFixed(2);
const len = (ms: number, w: TimelineWindow) => Math.max(0, (ms / w.column) * 60).toFixed(2);

/** Marks of failures draw over successes, so one failure among many runs still shows. */
const LAYER: Record<string, number> = { ok: 0, skipped: 1, killed: 2, timeout: 3, failed: 4 };

function markTitle(run: SchedulerRun): string {
  const parts = [run.job, run.status ?? "running", fmt.time(run.started_at)];
  if (run.ms !== null) parts.push(fmt.duration(run.ms));
  if (run.exit_code !== null && run.status !== "ok") parts.push(`exit ${run.exit_code}`);
  if (run.attempt > 1) parts.push(`attempt ${run.attempt}`);
  return parts.join(" · ");
}

const SPAN_WORDS: Record<TimelineSpan, string> = { "24h": "24 hours", "1h": "hour" };

/** One job's lane: a mark per run (its length the run's), the running one, the next run. */
export function timelineLane(
  name: string,
  runs: readonly SchedulerRun[],
  job: JobView | undefined,
  now = Date.now(),
  span: TimelineSpan = "24h",
): Html {
  const w = timelineWindow(now, span);
  const width = w.columns * 60;
  const endOf = (run: SchedulerRun) =>
    run.finished_at ? Date.parse(run.finished_at) : Date.parse(run.started_at) + (run.ms ?? 0);
  const mine = runs
    .filter((run) => run.job === name && endOf(run) >= w.from)
    .sort((a, b) => (LAYER[a.status ?? ""] ?? 0) - (LAYER[b.status ?? ""] ?? 0));
  const failed = mine.filter(
    (run) => run.status && run.status !== "ok" && run.status !== "skipped",
  ).length;
  const marks = mine.map((run) => {
    const start = Math.max(Date.parse(run.started_at), w.from);
    const end = Math.min(endOf(run), w.to);
    return html`<rect class="tl-mark ${run.status ?? "running"}" data-run-id="${run.id}" x="${x(start, w)}" y="5" width="${len(end - start, w)}" height="${LANE_HEIGHT - 10}"><title>${markTitle(run)}</title></rect>`;
  });
  let running: Html | string = "";
  if (job?.state === "running" && job.running_since) {
    const since = Math.max(Date.parse(job.running_since), w.from);
    running = html`<rect class="tl-mark running tl-live" data-since="${job.running_since}" x="${x(since, w)}" y="5" width="${len(now - since, w)}" height="${LANE_HEIGHT - 10}"><title>${name} · running since ${fmt.time(job.running_since)}</title></rect>`;
  }
  const nextAt = job?.next_at ? Date.parse(job.next_at) : Number.NaN;
  const next =
    nextAt < w.to && nextAt >= now
      ? html`<line class="tl-next" x1="${x(nextAt, w)}" x2="${x(nextAt, w)}" y1="4" y2="${LANE_HEIGHT - 4}"><title>${name} · next run ${fmt.time(job?.next_at)}</title></line>`
      : "";
  const label = `${name}: ${mine.length} ${mine.length === 1 ? "run" : "runs"} in the last ${SPAN_WORDS[span]}${failed ? `, ${failed} not ok` : ""}`;
  return html`<div class="tl-lane" data-lane="${name}"><div class="tl-label" title="${label}">${name}</div><svg class="tl-track" viewBox="0 0 ${width} ${LANE_HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${label}">${gridLines(w)}<rect class="tl-future" x="${x(now, w)}" y="0" width="${len(w.to - now, w)}" height="${LANE_HEIGHT}"/><line class="tl-now" x1="${x(now, w)}" x2="${x(now, w)}" y1="0" y2="${LANE_HEIGHT}"/>${marks}${running}${next}</svg></div>`;
}

/** A column edge's label and weight: midnight, a major edge (always labelled), a minor one. */
function edge(t: number, w: TimelineWindow): { text: string; cls: string } {
  const date = new Date(t);
  if (w.column === HOUR) {
    const hour = date.getHours();
    if (hour === 0)
      return { text: `${DAYS[date.getDay()]} ${date.getDate()}`, cls: "major midnight" };
    return {
      text: `${pad(hour)}:00`,
      cls: hour % 6 === 0 ? "major" : hour % 3 === 0 ? "minor" : "",
    };
  }
  const minute = date.getMinutes();
  return {
    text: `${pad(date.getHours())}:${pad(minute)}`,
    cls: minute % 15 === 0 ? "major" : "minor",
  };
}

function gridLines(w: TimelineWindow): Html {
  const lines: Html[] = [];
  for (let i = 1; i < w.columns; i++) {
    const { cls } = edge(w.from + i * w.column, w);
    lines.push(
      html`<line class="tl-grid ${cls}" x1="${i * 60}" x2="${i * 60}" y1="0" y2="${LANE_HEIGHT}"/>`,
    );
  }
  return html`${lines}`;
}

function axis(w: TimelineWindow): Html {
  const cells: Html[] = [];
  for (let i = 0; i < w.columns; i++) {
    const { text, cls } = edge(w.from + i * w.column, w);
    cells.push(html`<span class="tl-hour ${cls}"><span>${text}</span></span>`);
  }
  return html`<div class="tl-lane tl-axis" aria-hidden="true"><div class="tl-label"></div><div class="tl-hours cols-${w.columns}">${cells}</div></div>`;
}

/** The lanes: the jobs in the list's order, then jobs that ran but are no longer listed. */
export function timelineNames(view: SchedulerView, runs: readonly SchedulerRun[]): string[] {
  const names = view.jobs.map((job) => job.name);
  const known = new Set(names);
  for (const run of runs)
    if (!known.has(run.job)) {
      known.add(run.job);
      names.push(run.job);
    }
  return names;
}

/** The timeline: one lane per job, a mark per run coloured by its status. */
export function timeline(
  snapshot: SchedulerSnapshot,
  now = Date.now(),
  span: TimelineSpan = "24h",
): Html {
  const names = timelineNames(snapshot.scheduler, snapshot.runs);
  if (names.length === 0)
    return html`<div class="empty"><strong>Nothing to draw yet</strong>Each job gets a lane here, with a mark for each of its runs.</div>`;
  const w = timelineWindow(now, span);
  const jobs = new Map(snapshot.scheduler.jobs.map((job) => [job.name, job]));
  return html`<div class="tl" id="timeline-lanes" data-from="${w.from}" data-span="${span}">${axis(w)}${names.map(
    (name) => timelineLane(name, snapshot.runs, jobs.get(name), now, span),
  )}</div>${
    snapshot.truncated
      ? html`<p class="small muted tl-note">Showing the latest ${fmt.count(snapshot.runs.length)} runs of the last 24 hours.</p>`
      : ""
  }`;
}

/** The span switch: the last 24 hours, or the last hour. */
export function spanSwitch(span: TimelineSpan): Html {
  const button = (value: TimelineSpan, label: string) =>
    html`<button type="button" class="seg" data-span="${value}" aria-pressed="${value === span ? "true" : "false"}">${label}</button>`;
  return html`<span class="segmented" role="group" aria-label="Timeline span">${button("24h", "24 hours")}${button("1h", "1 hour")}</span>`;
}

export function timelineLegend(): Html {
  const items: [string, string][] = [
    ["ok", "ok"],
    ["failed", "failed"],
    ["timeout", "timeout"],
    ["killed", "killed"],
    ["skipped", "skipped"],
    ["running", "running"],
  ];
  return html`<div class="legend" aria-label="Legend">${items.map(
    ([cls, label]) => html`<span><i class="swatch run-${cls}"></i>${label}</span>`,
  )}<span><i class="swatch next"></i>next run</span></div>`;
}

// ── Recent runs ─────────────────────────────────────────────────────────────────────

/** Runs shown in the list (the timeline has all of the last 24 hours). */
export const RECENT_RUNS = 25;

/** A run's output tail, as fetched by the client (`null`: loading). */
export function runOutput(run: SchedulerRun | undefined): Html {
  if (!run) return html`<p class="muted small">Loading…</p>`;
  if (!run.output_tail) return html`<p class="muted small">No output.</p>`;
  return html`<pre class="run-output" title="The last 4 KB of the run's output">${run.output_tail}</pre>`;
}

/** The recent runs' filter: every run, only those not ok, or one job's. */
export type RunsFilter = { kind: "all" } | { kind: "failures" } | { kind: "job"; job: string };

/**
 * The runs the filter keeps, the latest start first (the daemon records a run when it ends,
 * so a long run's id comes after those of shorter runs that started later).
 */
export function filterRuns(runs: readonly SchedulerRun[], filter: RunsFilter): SchedulerRun[] {
  const kept =
    filter.kind === "failures"
      ? runs.filter((run) => run.status !== null && run.status !== "ok" && run.status !== "skipped")
      : filter.kind === "job"
        ? runs.filter((run) => run.job === filter.job)
        : [...runs];
  return kept.sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at) || b.id - a.id);
}

/** The filter's `<select>`: all runs, failures, then each job. */
export function runsFilterSelect(names: readonly string[], filter: RunsFilter): Html {
  const value = filter.kind === "job" ? `job:${filter.job}` : filter.kind;
  const option = (v: string, label: string) =>
    html`<option value="${v}"${raw(v === value ? " selected" : "")}>${label}</option>`;
  return html`<label class="meta runs-filter">Show <select id="runs-filter">${option("all", "all jobs")}${option("failures", "failures only")}${names.map((name) => option(`job:${name}`, name))}</select></label>`;
}

export function recentRuns(
  all: readonly SchedulerRun[],
  now = Date.now(),
  open: ReadonlySet<number> = new Set(),
  details: ReadonlyMap<number, SchedulerRun> = new Map(),
  filter: RunsFilter = { kind: "all" },
): Html {
  const runs = filterRuns(all, filter);
  if (runs.length === 0)
    return html`<div class="empty" id="runs-empty"><strong>${
      filter.kind === "all"
        ? "No runs in the last 24 hours"
        : filter.kind === "failures"
          ? "No failed runs in the last 24 hours"
          : `No runs of ${filter.job} in the last 24 hours`
    }</strong>Runs show here as the daemon records them, and with Run now.</div>`;
  return html`<ul class="sruns">${runs.slice(0, RECENT_RUNS).map((run) => {
    const meta: string[] = [];
    if (run.ms !== null) meta.push(fmt.duration(run.ms));
    if (run.exit_code !== null && run.status !== "ok") meta.push(`exit ${run.exit_code}`);
    if (run.attempt > 1) meta.push(`attempt ${run.attempt}`);
    const isOpen = open.has(run.id);
    return html`<li class="srun" data-run-id="${run.id}" data-status="${run.status ?? "running"}">
<span class="srun-time">${when(run.started_at, now)}</span>
<span class="srun-job">${run.job}</span>
<span class="srun-status">${runStatusPill(run.status)}</span>
<span class="srun-meta">${meta.join(" · ")}</span>
<details class="srun-output" data-output="${run.id}"${raw(isOpen ? " open" : "")}><summary>Output</summary></details>
${isOpen ? html`<div class="srun-detail">${runOutput(details.get(run.id))}</div>` : ""}
</li>`;
  })}</ul>`;
}

// ── The page ────────────────────────────────────────────────────────────────────────

/** "4 jobs in schedule.json · Europe/Madrid". */
export function summaryLine(view: SchedulerView): string {
  const n = view.jobs.length;
  const parts = [`${n} ${n === 1 ? "job" : "jobs"} in ${view.schedule.file}`];
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (view.schedule.timezone && view.schedule.timezone !== local)
    parts.push(`schedules in ${view.schedule.timezone}, times here in ${local}`);
  const running = view.jobs.filter((job) => job.state === "running").length;
  if (running) parts.push(`${running} running`);
  return parts.join(" · ");
}

export function problems(view: SchedulerView): Html {
  const lines = [view.schedule.problem, view.history_problem].filter(
    (line): line is string => line !== null,
  );
  return html`<div class="banner soft" id="problem"${raw(lines.length ? "" : " hidden")} role="status">${lines.map((line) => html`<div>${line}</div>`)}</div>`;
}

export function schedulerMain(snapshot: SchedulerSnapshot, now = Date.now()): Html {
  const view = snapshot.scheduler;
  return html`<div class="page-head">
<div><h1>Scheduler</h1><p class="sub" id="summary">${summaryLine(view)}</p></div>
<div class="page-actions"><span class="live" id="live" data-state="connecting">connecting…</span></div>
</div>
${problems(view)}
<div id="daemon-slot">${daemonCard(view, now)}</div>
<section class="card" aria-labelledby="jobs-title">
<div class="card-head"><h2 id="jobs-title">Jobs</h2><span class="meta">Run now asks the daemon, which starts the job within a second</span></div>
<div class="card-body flush" id="jobs">${jobsList(view, now)}</div>
</section>
<section class="card" aria-labelledby="timeline-title">
<div class="card-head"><h2 id="timeline-title">Timeline <span id="span-slot">${spanSwitch("24h")}</span></h2>${timelineLegend()}</div>
<div class="card-body" id="timeline">${timeline(snapshot, now)}</div>
</section>
<section class="card" aria-labelledby="runs-title">
<div class="card-head"><h2 id="runs-title">Recent runs <span class="meta">the latest ${RECENT_RUNS} of the last 24 hours</span></h2><span id="runs-filter-slot">${runsFilterSelect(timelineNames(view, snapshot.runs), { kind: "all" })}</span></div>
<div class="card-body flush" id="runs">${recentRuns(snapshot.runs, now)}</div>
</section>
<div class="toast" id="toast" role="status" aria-live="polite" hidden></div>`;
}
