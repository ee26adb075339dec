import { type OverviewView, overviewCards } from "../views/overview.js";
import { byId, getJson, initialState, startTicking, subscribe } from "./common.js";

/**
 * The overview: re-reads `/api/overview` when the pipeline reports a run starting or
 * finishing or the scheduler a change (over SSE); every second while a file job or a
 * simulation is queued or in progress (their bars and rates move, and the end shows); and
 * every 10 s otherwise, for what other processes change (an ETL run, a validation, a job or
 * a simulation started elsewhere). File jobs and simulations have only per-job streams, so
 * the overview asks rather than subscribing to each.
 */

let view = initialState<OverviewView>();
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight = false;
let again = false;

/** Something of the file jobs or the simulations is queued or in progress. */
function busy(): boolean {
  return view.files.running_total > 0 || view.simulations.running_total > 0;
}

function render(): void {
  byId("overview").innerHTML = overviewCards(view).value;
}

function schedule(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(refresh, ms);
}

async function refresh(): Promise<void> {
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  try {
    view = await getJson<OverviewView>("/api/overview");
    render();
  } catch {
    // the live indicator already says the console is unreachable
  } finally {
    inFlight = false;
  }
  if (again) {
    again = false;
    schedule(0);
  } else schedule(busy() ? 1000 : 10_000);
}

/** Refreshes soon, once for a burst of events. */
function refreshSoon(): void {
  schedule(150);
}

subscribe("/api/pipeline/events", {
  snapshot: refreshSoon,
  run: refreshSoon,
  memory: refreshSoon,
});
// The scheduler's stream: the daemon starting or stopping, a job running, a run recorded.
subscribe(
  "/api/scheduler/events",
  { scheduler: refreshSoon, run: refreshSoon },
  { indicator: false },
);
schedule(busy() ? 1000 : 10_000);
startTicking();
