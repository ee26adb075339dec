import type { SseEvent } from "../http/sse.js";
import type { OverviewView } from "../views/overview.js";
import type { PipelineView, RunDetail } from "../views/pipeline-model.js";

/**
 * What the console needs from the pipeline, in the page's own shapes: the adapter over
 * `Pipeline` (src/pipeline) is the one place that knows the library's types.
 */
export interface PipelineSource {
  /** `GET /api/pipeline`: steps (reloaded from the folder), states, memory, runs, graph. */
  view(): Promise<PipelineView>;
  /** The overview's pipeline card. */
  summary(): Promise<OverviewView["pipeline"]>;
  /** Starts a run of `targets`; resolves once it is planned (a definition error rejects). */
  start(targets: string[], force: boolean): Promise<{ run_id: string }>;
  /** A run's report, live while it runs, or undefined for an unknown id. */
  run(id: string): Promise<RunDetail | undefined>;
  /** Empties the memory; how many datasets it held. */
  clear(): Promise<{ cleared: number }>;
  /** Live events for SSE (`step`, `run`, `memory`, `steps`, `progress`); returns the unsubscribe. */
  subscribe(listener: (event: SseEvent) => void): () => void;
  /** Stops watching; lets runs in flight finish for up to `deadlineMs`, then cancels them. */
  close(deadlineMs: number): Promise<void>;
}
