import { type OverviewView, overviewCards } from "../views/overview.js";
import { byId, getJson, initialState, startTicking, subscribe } from "./common.js";

/**
 * The overview: re-reads `/api/overview` when the pipeline reports a run starting or
 * finishing or the scheduler a change (over SSE), and every 10 s for what other processes
 * change (an ETL run, a validation).
 */

let view = initialState<OverviewView>();
let pending: ReturnType<typeof setTimeout> | undefined;

function render(): void {
  byId("overview").innerHTML = overviewCards(view).value;
}

async function refresh(): Promise<void> {
  try {
    view = await getJson<OverviewView>("/api/overview");
    render();
  } catch {
    // the live indicator already says the console is unreachable
  }
}

/** Refreshes soon, once for a burst of events. */
function refreshSoon(): void {
  clearTimeout(pending);
  pending = setTimeout(refresh, 150);
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
setInterval(refresh, 10_000);
startTicking();
