/**
 * The JSON shapes of the `/pipeline` page: what `GET /api/pipeline` answers, what the SSE
 * events carry, and what the page renders (server and client alike).
 */

import type { StepRun, StepState } from "../../pipeline/types.js";

/** A step's state in a run (the contract's six); `null` in a view: not run since the console started. */
export type { StepState };

export const STEP_STATES: readonly StepState[] = [
  "pending",
  "running",
  "done",
  "reused",
  "failed",
  "skipped",
];

export interface StepView {
  name: string;
  description: string;
  consumes: string[];
  produces: string[];
  /** The step's file, relative to the steps folder. */
  file: string;
  /** Its state in the latest run that planned it, or null. */
  state: StepState | null;
  run_id: string | null;
  started_at: string | null;
  finished_at: string | null;
  ms: number | null;
  error: string | null;
  /** The last `ctx.progress(done, total)` of a running step. */
  progress: { done: number; total: number | null } | null;
}

/** A value's first rows: a table (columns and rows), or a short text for anything else. */
export type Preview =
  | { kind: "table"; columns: string[]; rows: unknown[][] }
  | { kind: "text"; text: string };

export interface DatasetView {
  name: string;
  producer: string;
  /** `table` (an array of objects or an Arrow-like table), `array`, `object`, `string`, … */
  type: string;
  rows: number | null;
  columns: string[] | null;
  /** Approximate size in memory, in bytes. */
  bytes: number | null;
  preview: Preview | null;
}

/** `cancelled`: stopped by a shutdown (its unfinished steps are skipped). */
export type RunStatus = "running" | "ok" | "failed" | "cancelled";

export interface RunSummary {
  run_id: string;
  status: RunStatus;
  targets: string[];
  force: boolean;
  started_at: string;
  finished_at: string | null;
  /** Steps in the plan, and how many failed. */
  steps: number;
  failed: number;
  /** The first failed step's message, if any. */
  error: string | null;
}

/** One step of a run, as `pipeline run --json` prints it (the pipeline's own record). */
export type StepReport = StepRun;

/** `GET /api/pipeline/runs/:id`: the run's `--json` report with its id and times. */
export interface RunDetail {
  run_id: string;
  status: RunStatus;
  targets: string[];
  force: boolean;
  started_at: string;
  finished_at: string | null;
  /** Why the run did not finish (cancelled), else null. */
  error: string | null;
  steps: StepReport[];
  datasets: Record<string, { producer: string; type: string; rows: number | null }>;
}

export interface GraphNode {
  /** `step:<name>` or `dataset:<name>` (a step may produce a dataset of its own name). */
  id: string;
  kind: "step" | "dataset";
  name: string;
  /** Centre and size, in SVG user units (dagre's layout, left to right). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** `GET /api/pipeline`. */
export interface PipelineView {
  /** The steps folder as configured (for the empty state). */
  steps_dir: string;
  /** The step folder's definition errors, one line each (nothing can run until they are fixed). */
  problems: string[];
  steps: StepView[];
  datasets: DatasetView[];
  runs: RunSummary[];
  graph: GraphLayout;
}
