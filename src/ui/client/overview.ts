import { type OverviewView, overviewCards } from "../views/overview.js";
import { byId, getJson, initialState, subscribe } from "./common.js";

/**
 * The overview: re-reads `/api/overview` when the pipeline reports a run starting or
 * finishing (over SSE), and every 10 s for what other processes change (an ETL run, a
 * validation).
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
setInterval(refresh, 10_000);
