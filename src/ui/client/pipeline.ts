import {
  datasetsTable,
  graphSvg,
  nodeClass,
  problemBanner,
  runsList,
  stepItem,
  stepsList,
  summaryLine,
} from "../views/pipeline.js";
import type {
  DatasetView,
  PipelineView,
  RunDetail,
  RunSummary,
  StepView,
} from "../views/pipeline-model.js";
import { byId, getJson, initialState, postJson, subscribe, toast } from "./common.js";

/**
 * The `/pipeline` page: starts from the state the server rendered, then applies the SSE
 * events (`snapshot`, `step`, `run`, `memory`), re-rendering only what an event changed.
 */

let view = initialState<PipelineView>();
const MAX_RUNS = 20;

/** The datasets whose preview is open, kept open across re-renders. */
function openPreviews(): Set<string> {
  return new Set(
    [...document.querySelectorAll<HTMLDetailsElement>("details.preview[open]")].map(
      (d) => d.dataset.preview as string,
    ),
  );
}

function renderSummary(): void {
  byId("summary").textContent = summaryLine(view);
  byId<HTMLButtonElement>("clear-memory").disabled = view.datasets.length === 0;
}

function renderProblem(): void {
  byId("problem").outerHTML = problemBanner(view).value;
}

function renderGraph(): void {
  byId("graph").innerHTML = graphSvg(view).value;
  hintGraph();
}

/** Says so when the graph is wider than its box (a phone): it scrolls sideways. */
function hintGraph(): void {
  const box = byId("graph");
  byId("graph-hint").hidden = box.scrollWidth <= box.clientWidth + 1;
}
hintGraph();
addEventListener("resize", hintGraph);

/** Updates the graph's node classes in place (no re-layout). */
function paintGraph(): void {
  const states = new Map(view.steps.map((s) => [s.name, s.state]));
  const inMemory = new Set(view.datasets.map((d) => d.name));
  for (const node of document.querySelectorAll<SVGGElement>("#graph-svg g.graph-node")) {
    const kind = node.dataset.kind as "step" | "dataset";
    node.setAttribute("class", nodeClass(kind, node.dataset.name as string, states, inMemory));
  }
}

function renderSteps(): void {
  byId("steps").innerHTML = stepsList(view).value;
}

function renderStep(step: StepView): void {
  const item = document.getElementById(`step-${step.name}`);
  if (!item) {
    renderSteps();
    return;
  }
  const focused = document.activeElement === item.querySelector("button");
  item.outerHTML = stepItem(
    step,
    new Set(view.datasets.map((d) => d.name)),
    view.problems.length > 0,
  ).value;
  if (focused) document.getElementById(`step-${step.name}`)?.querySelector("button")?.focus();
}

/** The runs whose steps are unfolded, and their reports as last fetched. */
const openRuns = new Set<string>();
const runDetails = new Map<string, RunDetail>();

function renderRuns(): void {
  byId("runs").innerHTML = runsList(view, Date.now(), openRuns, runDetails).value;
}

/** Fetches an unfolded run's report (again while it runs), then shows it. */
async function loadRun(id: string): Promise<void> {
  try {
    runDetails.set(id, await getJson<RunDetail>(`/api/pipeline/runs/${encodeURIComponent(id)}`));
    if (openRuns.has(id)) renderRuns();
  } catch (error) {
    toast(`Could not load the run: ${(error as Error).message}`, "error");
  }
}

function renderDatasets(): void {
  byId("datasets").innerHTML = datasetsTable(view, openPreviews()).value;
}

function renderAll(): void {
  renderSummary();
  renderProblem();
  renderGraph();
  renderSteps();
  renderRuns();
  renderDatasets();
}

function applyStep(step: StepView): void {
  const index = view.steps.findIndex((s) => s.name === step.name);
  if (index === -1) return; // a step the folder no longer has; the next snapshot says so
  view.steps[index] = step;
  renderStep(step);
  paintGraph();
}

function applyRun(run: RunSummary): void {
  const index = view.runs.findIndex((r) => r.run_id === run.run_id);
  if (index === -1) view.runs = [run, ...view.runs].slice(0, MAX_RUNS);
  else view.runs[index] = run;
  if (openRuns.has(run.run_id)) void loadRun(run.run_id);
  renderRuns();
  renderSummary();
}

function applyMemory(datasets: DatasetView[]): void {
  view.datasets = datasets;
  renderDatasets();
  renderSteps();
  paintGraph();
  renderSummary();
}

subscribe("/api/pipeline/events", {
  snapshot: (data) => {
    view = data as PipelineView;
    renderAll();
  },
  step: (data) => applyStep(data as StepView),
  run: (data) => applyRun(data as RunSummary),
  memory: (data) => applyMemory((data as { datasets: DatasetView[] }).datasets),
});

document.addEventListener("click", async (event) => {
  const target = event.target as HTMLElement;
  const run = target.closest<HTMLButtonElement>("button[data-run]");
  if (run) {
    const name = run.dataset.run as string;
    const force = (document.getElementById("force") as HTMLInputElement | null)?.checked ?? false;
    run.disabled = true;
    run.textContent = "Starting…";
    try {
      await postJson<{ run_id: string }>("/api/pipeline/runs", { targets: [name], force });
    } catch (error) {
      toast(`Could not run ${name}: ${(error as Error).message}`, "error");
      const step = view.steps.find((s) => s.name === name);
      if (step) renderStep(step);
    }
    return;
  }
  if (target.closest("#clear-memory")) {
    const button = byId<HTMLButtonElement>("clear-memory");
    button.disabled = true;
    try {
      const { cleared } = await postJson<{ cleared: number }>("/api/pipeline/clear", {});
      applyMemory([]);
      toast(
        cleared === 0
          ? "Memory was already empty"
          : `Cleared ${cleared} ${cleared === 1 ? "dataset" : "datasets"} from memory`,
      );
    } catch (error) {
      toast(`Could not clear memory: ${(error as Error).message}`, "error");
    } finally {
      button.disabled = view.datasets.length === 0;
    }
  }
});

// A preview's <details> shows or hides the row under its dataset; a run's unfolds its
// steps ("toggle" does not bubble, so it is caught on its way down).
document.addEventListener(
  "toggle",
  (event) => {
    const details = event.target as HTMLElement;
    if (!(details instanceof HTMLDetailsElement)) return;
    const run = details.dataset.run;
    if (run) {
      if (details.open === openRuns.has(run)) return; // re-rendered, not toggled
      if (details.open) {
        openRuns.add(run);
        renderRuns();
        void loadRun(run);
      } else openRuns.delete(run);
      return;
    }
    if (!details.dataset.preview) return;
    const row = document.querySelector<HTMLElement>(
      `tr[data-preview-row="${CSS.escape(details.dataset.preview)}"]`,
    );
    if (row) row.hidden = !details.open;
  },
  true,
);

// Durations of running steps and runs tick between events.
setInterval(() => {
  for (const step of view.steps) if (step.state === "running") renderStep(step);
  if (view.runs.some((run) => run.status === "running")) renderRuns();
}, 1000);
