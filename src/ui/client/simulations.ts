import type { LiveOutput, RunState } from "../../simulation/run/types.js";
import type {
  SimulationDetail,
  SimulationProgress,
  SimulationRun,
} from "../../simulation/service.js";
import { html } from "../views/html.js";
import {
  chartCards,
  consumersTable,
  convergenceBody,
  histogramBody,
  isOver,
  outputNames,
  progressBody,
  resultCards,
  runActions,
  runRow,
  runsSummary,
  runsTable,
  startError,
} from "../views/simulations.js";
import { tornadoSvg } from "../views/simulations-charts.js";
import { byId, getJson, initialState, startTicking, subscribe, toast } from "./common.js";

/**
 * `/simulations` and `/simulations/:id`. The list: starts a run from the form (the model
 * file, scenarios, seed, mode), shows refusals next to the form (a definition error by its
 * line), keeps the runs current (each active run's event stream, and the list every few
 * seconds). A run's page: follows its event stream (`snapshot`, `state`, `progress`,
 * `live`) and draws the progress, consumers and charts at the width the page gives them;
 * when it completes, its summary and sensitivity; Cancel.
 */

type PageState =
  | { page: "list"; runs: SimulationRun[]; available: boolean }
  | { page: "run"; detail: SimulationDetail };

const state = initialState<PageState>();

/** The run as the stream's `progress` event carries it. */
type ProgressEvent = SimulationProgress & { run_id: string };

// ── The list ──────────────────────────────────────────────────────────────────────────

const MAX_STREAMS = 3;
const POLL_MS = 4000;

function listPage(initial: SimulationRun[], available: boolean): void {
  let runs = initial;
  const streams = new Map<string, EventSource>();

  const renderSummary = () => {
    byId("sim-summary").textContent = runsSummary(runs);
  };
  let frame = 0;
  const render = () => {
    if (frame === 0) frame = requestAnimationFrame(draw);
  };
  const draw = () => {
    frame = 0;
    const body = document.querySelector("#sim-runs tbody");
    const ids = runs.map((run) => run.run_id);
    const shown = body ? [...body.children].map((row) => (row as HTMLElement).dataset.runId) : [];
    if (body && ids.length === shown.length && ids.every((id, i) => id === shown[i])) {
      runs.forEach((run, i) => {
        const row = body.children[i] as HTMLElement;
        const fresh = runRow(run).value;
        if (row.outerHTML !== fresh) row.outerHTML = fresh;
      });
    } else byId("sim-runs-slot").innerHTML = runsTable(runs).value;
    renderSummary();
  };

  const apply = (run: SimulationRun) => {
    const at = runs.findIndex((r) => r.run_id === run.run_id);
    if (at === -1) runs = [run, ...runs].sort((a, b) => b.created_at.localeCompare(a.created_at));
    else runs[at] = run;
    render();
    follow();
  };

  const close = (id: string) => {
    streams.get(id)?.close();
    streams.delete(id);
  };

  /** Streams the runs not over yet, a few at a time (each holds one of the browser's connections). */
  const follow = () => {
    const open = runs.filter((run) => !isOver(run.state));
    const wanted = new Set(open.slice(0, MAX_STREAMS).map((run) => run.run_id));
    for (const id of [...streams.keys()]) if (!wanted.has(id)) close(id);
    for (const id of wanted) {
      if (streams.has(id)) continue;
      const source = subscribe(
        `/api/simulations/${encodeURIComponent(id)}/events`,
        {
          snapshot: (data) => apply(toRun(data as SimulationDetail)),
          state: (data) => apply(data as SimulationRun),
          progress: (data) => {
            const event = data as ProgressEvent;
            const run = runs.find((r) => r.run_id === event.run_id);
            if (!run || isOver(run.state)) return;
            apply({ ...run, completed: event.completed, errors: event.errors });
          },
        },
        { indicator: false },
      );
      streams.set(id, source);
    }
  };

  const load = async () => {
    try {
      const body = await getJson<{ simulations: SimulationRun[] }>("/api/simulations");
      // A run followed live keeps its streamed progress if it is further along.
      runs = body.simulations.map((run) => {
        const mine = runs.find((r) => r.run_id === run.run_id);
        return mine &&
          streams.has(run.run_id) &&
          !isOver(run.state) &&
          mine.completed > run.completed
          ? { ...run, completed: mine.completed, errors: mine.errors }
          : run;
      });
      render();
      follow();
    } catch {
      // the next poll tries again
    }
  };

  addEventListener("pagehide", () => {
    for (const id of [...streams.keys()]) close(id);
  });
  if (!available) return;

  // The form.
  const form = byId<HTMLFormElement>("sim-form");
  const input = byId<HTMLInputElement>("model-input");
  const status = byId("sim-form-status");
  const button = byId<HTMLButtonElement>("sim-start");
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    byId("sim-file-name").textContent = file ? file.name : "Choose a model file";
    byId("sim-file").classList.toggle("chosen", Boolean(file));
    status.innerHTML = "";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) {
      status.innerHTML = startError(400, "choose a model file (.ini) first").value;
      return;
    }
    const data = new FormData();
    data.append("model", file, file.name);
    for (const name of ["scenarios", "seed", "mode"]) {
      const value = (form.elements.namedItem(name) as HTMLInputElement | null)?.value.trim();
      if (value) data.append(name, value);
    }
    button.disabled = true;
    button.textContent = "Starting…";
    status.innerHTML = "";
    try {
      let response: Response;
      try {
        response = await fetch("/api/simulations", {
          method: "POST",
          body: data,
          headers: { Accept: "application/json" },
        });
      } catch {
        status.innerHTML = startError(0, "the connection to the console was lost").value;
        return;
      }
      const text = await response.text();
      if (response.status !== 202) {
        status.innerHTML = startError(response.status, errorOf(response.status, text)).value;
        return;
      }
      const { run_id } = JSON.parse(text) as { run_id: string };
      const href = `/simulations/${encodeURIComponent(run_id)}`;
      status.innerHTML =
        html`<div class="sim-started" role="status"><span class="pill ok">started</span><span><span class="mono">${file.name}</span> is running.</span><a class="btn btn-small btn-run-profile" id="sim-started-link" href="${href}">Follow it live →</a></div>`.value;
      try {
        apply(
          toRun(await getJson<SimulationDetail>(`/api/simulations/${encodeURIComponent(run_id)}`)),
        );
      } catch {
        await load();
      }
    } finally {
      button.disabled = false;
      button.textContent = "Start simulation";
    }
  });

  render();
  startTicking();
  follow();
  setInterval(() => {
    if (!document.hidden) void load();
  }, POLL_MS);
}

/** The list's record out of a run's detail. */
function toRun(detail: SimulationDetail): SimulationRun {
  const { variables: _v, progress: _p, live: _l, result: _r, ...run } = detail;
  return run;
}

/** The console's error message out of a failed answer. */
function errorOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `the console answered ${status}`;
}

// ── One run ───────────────────────────────────────────────────────────────────────────

function runPage(initial: SimulationDetail): void {
  let detail = initial;
  let output = outputNames(detail)[0] ?? "resultado";
  let cancelling = false;
  let source: EventSource | null = null;
  let frame = 0;
  const dirty = { head: false, progress: false, charts: false, result: false, consumers: false };

  /** The width a chart has in its card (the card body's content box). */
  const chartWidth = (id: string): number => {
    const box = document.getElementById(id) ?? document.querySelector(".sim-chart-box");
    if (!box) return 560;
    const style = getComputedStyle(box);
    return Math.max(
      240,
      Math.floor(
        box.clientWidth -
          Number.parseFloat(style.paddingLeft) -
          Number.parseFloat(style.paddingRight),
      ),
    );
  };

  const renderHead = () => {
    byId("sim-head").dataset.state = detail.state;
    byId("sim-actions").innerHTML = runActions(detail, cancelling).value;
    if (isOver(detail.state)) byId("live").hidden = true;
  };
  const renderProgress = () => {
    byId("sim-progress-body").innerHTML = progressBody(detail).value;
  };
  const renderConsumers = () => {
    byId("sim-consumers-body").innerHTML = consumersTable(detail).value;
    byId("sim-consumers-count").textContent = detail.progress
      ? `${detail.progress.consumers.length} reporting`
      : "";
  };
  const renderCharts = () => {
    const names = outputNames(detail);
    if (names.length > 0 && !names.includes(output)) output = names[0] as string;
    const slot = byId("sim-charts-slot");
    const hist = document.getElementById("sim-hist");
    const conv = document.getElementById("sim-conv");
    // Only the charts' bodies change while the run goes on; the cards stay.
    const tabsShown = slot.querySelectorAll(".sim-outputs .seg").length;
    if (hist && conv && tabsShown === (names.length > 1 ? names.length : 0)) {
      hist.innerHTML = histogramBody(detail, output, chartWidth("sim-hist")).value;
      conv.innerHTML = convergenceBody(detail, output, chartWidth("sim-conv")).value;
      for (const meta of slot.querySelectorAll(".card-head > .meta:last-child"))
        meta.textContent = isOver(detail.state) ? "final" : "live";
      for (const title of slot.querySelectorAll("h2 .meta.mono")) title.textContent = output;
      for (const seg of slot.querySelectorAll<HTMLElement>(".sim-outputs .seg"))
        seg.setAttribute("aria-pressed", seg.dataset.output === output ? "true" : "false");
      return;
    }
    slot.innerHTML = chartCards(detail, output, 560).value;
    const h = document.getElementById("sim-hist");
    const c = document.getElementById("sim-conv");
    if (h) h.innerHTML = histogramBody(detail, output, chartWidth("sim-hist")).value;
    if (c) c.innerHTML = convergenceBody(detail, output, chartWidth("sim-conv")).value;
  };
  const renderResult = () => {
    const slot = byId("sim-result-slot");
    slot.innerHTML = resultCards(detail, output, 400).value;
    const tornado = document.getElementById("sim-tornado");
    const summary = detail.result?.outputs[output];
    if (tornado && summary)
      tornado.innerHTML = tornadoSvg(summary.sensitivity, output, {
        width: chartWidth("sim-tornado"),
      }).value;
  };

  const flush = () => {
    frame = 0;
    if (dirty.head) renderHead();
    if (dirty.progress) renderProgress();
    if (dirty.result) renderResult();
    if (dirty.charts) renderCharts();
    if (dirty.consumers) renderConsumers();
    for (const key of Object.keys(dirty) as (keyof typeof dirty)[]) dirty[key] = false;
  };
  const schedule = (...parts: (keyof typeof dirty)[]) => {
    for (const part of parts) dirty[part] = true;
    if (frame === 0) frame = requestAnimationFrame(flush);
  };
  const everything = () => schedule("head", "progress", "charts", "result", "consumers");

  /** The run is over: its full record (with the summary) once, then no stream. */
  const finished = async () => {
    source?.close();
    source = null;
    byId("live").hidden = true;
    try {
      detail = await getJson<SimulationDetail>(
        `/api/simulations/${encodeURIComponent(detail.run_id)}`,
      );
    } catch (error) {
      toast(`Could not load the summary: ${(error as Error).message}`, "error");
    }
    cancelling = false;
    everything();
  };

  const onState = (run: SimulationRun) => {
    const was = detail.state;
    detail = { ...detail, ...run };
    everything();
    if (isOver(run.state) && !isOver(was)) void finished();
  };

  if (!isOver(detail.state)) {
    source = subscribe(`/api/simulations/${encodeURIComponent(detail.run_id)}/events`, {
      snapshot: (data) => {
        const was = detail.state;
        detail = data as SimulationDetail;
        everything();
        if (isOver(detail.state) && !isOver(was)) void finished();
        else if (isOver(detail.state)) {
          source?.close();
          byId("live").hidden = true;
        }
      },
      state: (data) => onState(data as SimulationRun),
      progress: (data) => {
        const { run_id: _id, ...progress } = data as ProgressEvent;
        if (isOver(detail.state)) return;
        detail = {
          ...detail,
          progress,
          completed: progress.completed,
          errors: progress.errors,
          state: detail.state === "queued" ? "running" : detail.state,
        };
        schedule("progress", "consumers");
      },
      live: (data) => {
        if (isOver(detail.state)) return;
        detail = { ...detail, live: (data as { outputs: Record<string, LiveOutput> }).outputs };
        schedule("charts");
      },
    });
  }

  document.addEventListener("click", async (event) => {
    const target = event.target as HTMLElement;
    const seg = target.closest<HTMLElement>(".sim-outputs .seg");
    if (seg?.dataset.output) {
      output = seg.dataset.output;
      schedule("charts", "result");
      return;
    }
    if (!target.closest("#sim-cancel") || cancelling) return;
    cancelling = true;
    schedule("head");
    try {
      const response = await fetch(`/api/simulations/${encodeURIComponent(detail.run_id)}`, {
        method: "DELETE",
        headers: { Accept: "application/json" },
      });
      const text = await response.text();
      if (!response.ok && response.status !== 409) throw new Error(errorOf(response.status, text));
      if (response.ok) onState(JSON.parse(text) as SimulationRun);
      else void finished();
    } catch (error) {
      cancelling = false;
      schedule("head");
      toast(`Could not cancel: ${(error as Error).message}`, "error");
    }
  });

  // The charts follow the page's width (a phone turned, a window resized).
  let widths = "";
  new ResizeObserver(() => {
    const now = `${chartWidth("sim-hist")}:${chartWidth("sim-tornado")}`;
    if (now === widths) return;
    widths = now;
    schedule("charts", "result");
  }).observe(byId("main"));
  startTicking();
  everything();
}

const RUN_STATES: ReadonlySet<RunState> = new Set([
  "queued",
  "running",
  "completed",
  "failed",
  "cancelled",
]);

if (state?.page === "run" && RUN_STATES.has(state.detail.state)) runPage(state.detail);
else if (state?.page === "list") listPage(state.runs, state.available);
