import {
  daemonCard,
  jobItem,
  jobsList,
  problems,
  type RunsFilter,
  recentRuns,
  runsFilterSelect,
  spanSwitch,
  summaryLine,
  type TimelineSpan,
  timeline,
  timelineLane,
  timelineNames,
  timelineWindow,
  timelineX,
} from "../views/scheduler.js";
import type { SchedulerRun, SchedulerSnapshot, SchedulerView } from "../views/scheduler-model.js";
import { TIMELINE_HOURS } from "../views/scheduler-model.js";
import { byId, getJson, initialState, postJson, startTicking, subscribe, toast } from "./common.js";

/**
 * The `/scheduler` page: starts from the state the server rendered, then applies the SSE
 * events (`snapshot`, `scheduler`, `run`), re-rendering only what an event changed. Moving
 * times tick every second; the timeline's running marks and "now" line move with them.
 */

let state = initialState<SchedulerSnapshot>();
let span: TimelineSpan = "24h";
let windowFrom = timelineWindow(Date.now(), span).from;

/** Runs whose output is unfolded, and their rows with the output as fetched. */
const openOutputs = new Set<number>();
const outputs = new Map<number, SchedulerRun>();

function renderSummary(): void {
  byId("summary").textContent = summaryLine(state.scheduler);
  byId("problem").outerHTML = problems(state.scheduler).value;
}

function renderDaemon(): void {
  byId("daemon-slot").innerHTML = daemonCard(state.scheduler).value;
}

/** Re-renders the job list, keeping the focus on a Run now button that had it. */
function renderJobs(): void {
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.runJob;
  byId("jobs").innerHTML = jobsList(state.scheduler).value;
  if (focused)
    document.querySelector<HTMLElement>(`button[data-run-job="${CSS.escape(focused)}"]`)?.focus();
}

function renderJob(name: string): void {
  const job = state.scheduler.jobs.find((j) => j.name === name);
  const item = document.getElementById(`job-${name}`);
  if (!job || !item) {
    renderJobs();
    return;
  }
  item.outerHTML = jobItem(job, state.scheduler.daemon).value;
}

function renderTimeline(): void {
  windowFrom = timelineWindow(Date.now(), span).from;
  byId("timeline").innerHTML = timeline(state, Date.now(), span).value;
  byId("span-slot").innerHTML = spanSwitch(span).value;
}

function renderLane(name: string): void {
  const lane = document.querySelector(`.tl-lane[data-lane="${CSS.escape(name)}"]`);
  if (!lane) {
    renderTimeline();
    return;
  }
  const job = state.scheduler.jobs.find((j) => j.name === name);
  lane.outerHTML = timelineLane(name, state.runs, job, Date.now(), span).value;
}

let filter: RunsFilter = { kind: "all" };

function renderRuns(): void {
  byId("runs").innerHTML = recentRuns(state.runs, Date.now(), openOutputs, outputs, filter).value;
}

/** The filter's choices follow the jobs (a job added to the schedule appears in it). */
function renderFilter(): void {
  const names = timelineNames(state.scheduler, state.runs);
  if (filter.kind === "job" && !names.includes(filter.job)) filter = { kind: "all" };
  byId("runs-filter-slot").innerHTML = runsFilterSelect(names, filter).value;
}

document.addEventListener("change", (event) => {
  const select = event.target as HTMLSelectElement;
  if (select.id !== "runs-filter") return;
  const value = select.value;
  filter =
    value === "failures"
      ? { kind: "failures" }
      : value.startsWith("job:")
        ? { kind: "job", job: value.slice(4) }
        : { kind: "all" };
  renderRuns();
});

function renderAll(): void {
  renderSummary();
  renderDaemon();
  renderJobs();
  renderTimeline();
  renderFilter();
  renderRuns();
}

function applyScheduler(view: SchedulerView): void {
  state.scheduler = view;
  renderSummary();
  renderDaemon();
  renderJobs();
  renderTimeline();
  renderFilter();
}

/** A run recorded or finished: into the list (newest first), its lane and the recent runs. */
function applyRun(run: SchedulerRun): void {
  const index = state.runs.findIndex((r) => r.id === run.id);
  if (index === -1) {
    state.runs.push(run);
    state.runs.sort((a, b) => b.id - a.id);
  } else state.runs[index] = run;
  if (openOutputs.has(run.id)) void loadOutput(run.id);
  renderLane(run.job);
  renderRuns();
}

async function loadOutput(id: number): Promise<void> {
  try {
    outputs.set(id, await getJson<SchedulerRun>(`/api/scheduler/runs/${id}`));
    if (openOutputs.has(id)) renderRuns();
  } catch (error) {
    toast(`Could not load the run's output: ${(error as Error).message}`, "error");
  }
}

subscribe("/api/scheduler/events", {
  snapshot: (data) => {
    state = data as SchedulerSnapshot;
    renderAll();
  },
  scheduler: (data) => applyScheduler(data as SchedulerView),
  run: (data) => applyRun(data as SchedulerRun),
});

document.addEventListener("click", async (event) => {
  const spanButton = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-span]");
  if (spanButton) {
    span = spanButton.dataset.span === "1h" ? "1h" : "24h";
    renderTimeline();
    return;
  }
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-run-job]");
  if (!button) return;
  const name = button.dataset.runJob as string;
  button.disabled = true;
  button.textContent = "Asking…";
  try {
    const request = await postJson<{ request_id: number; requested_at: string }>(
      `/api/scheduler/jobs/${encodeURIComponent(name)}/run`,
      {},
    );
    const job = state.scheduler.jobs.find((j) => j.name === name);
    if (job && job.state !== "running")
      job.requested = { id: request.request_id, requested_at: request.requested_at };
    toast(`Asked the daemon to run ${name}`);
  } catch (error) {
    toast(`Could not run ${name}: ${(error as Error).message}`, "error");
  }
  renderJob(name);
});

// A run's <details> unfolds its output ("toggle" does not bubble: caught on its way down).
document.addEventListener(
  "toggle",
  (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.dataset.output) return;
    const id = Number(details.dataset.output);
    if (details.open === openOutputs.has(id)) return; // re-rendered, not toggled
    if (details.open) {
      openOutputs.add(id);
      renderRuns();
      void loadOutput(id);
    } else openOutputs.delete(id);
  },
  true,
);

/** Every second: the running marks grow, "now" moves; a new column (hour, 5 min) redraws the window. */
function moveTimeline(): void {
  const now = Date.now();
  const w = timelineWindow(now, span);
  if (w.from !== windowFrom) {
    const oldest = now - TIMELINE_HOURS * 3_600_000;
    state.runs = state.runs.filter((run) => Date.parse(run.started_at) >= oldest);
    renderTimeline();
    renderRuns();
    return;
  }
  const x = (t: number) => timelineX(t, w).toFixed(2);
  for (const line of document.querySelectorAll<SVGLineElement>("line.tl-now")) {
    line.setAttribute("x1", x(now));
    line.setAttribute("x2", x(now));
  }
  for (const rect of document.querySelectorAll<SVGRectElement>("rect.tl-future")) {
    rect.setAttribute("x", x(now));
    rect.setAttribute("width", (timelineX(w.to, w) - timelineX(now, w)).toFixed(2));
  }
  for (const rect of document.querySelectorAll<SVGRectElement>("rect.tl-live")) {
    const since = Math.max(Date.parse(rect.dataset.since as string), w.from);
    rect.setAttribute("width", (timelineX(now, w) - timelineX(since, w)).toFixed(2));
  }
}

startTicking();
setInterval(moveTimeline, 1000);
