import type { DatasetInfo } from "./store.js";

/**
 * A step's state in a run: `pending` (waiting for its producers or a free slot),
 * `running`, `done`, `reused` (its outputs were in memory, or another run produced them
 * while this one waited), `failed` (threw, timed out, or did not return exactly its
 * datasets), `skipped` (not run: a step it depends on failed, or the run was cancelled).
 */
export type StepState = "pending" | "running" | "done" | "reused" | "failed" | "skipped";

/** A run's status: `ok` when every step is done or reused. */
export type RunStatus = "running" | "ok" | "failed" | "cancelled";

/** A step of the steps folder, as `list --json` prints it. */
export interface StepInfo {
  name: string;
  description: string;
  consumes: string[];
  produces: string[];
  /** The file, relative to the working folder when inside it. */
  file: string;
  /** The step's own timeout, or null (then `STEP_TIMEOUT_MS`, if set, applies). */
  timeout_ms: number | null;
}

/** What a folder holds: its steps and the definition problems found in it (empty when none). */
export interface Catalog {
  steps: StepInfo[];
  problems: string[];
}

/** One step of a run, as the `run --json` report and the control database have it. */
export interface StepRun {
  name: string;
  status: StepState;
  started_at: string | null;
  finished_at: string | null;
  /** Duration in milliseconds (0 when reused; null until finished, and when skipped). */
  ms: number | null;
  consumes: string[];
  produces: string[];
  /** Why it failed or was skipped, else null. */
  error: string | null;
}

/** A run, live or recorded. `steps` in the order they started, then pending and skipped ones. */
export interface RunRecord {
  run_id: string;
  status: RunStatus;
  targets: string[];
  force: boolean;
  started_at: string;
  finished_at: string | null;
  /** Why the run did not finish: cancelled, or its process ended. */
  error: string | null;
  steps: StepRun[];
}

/** A dataset in a run report, as the contract prints it. */
export interface ReportDataset {
  producer: string;
  type: string;
  rows: number | null;
}

/** A finished run, with the datasets its steps made or reused. */
export interface RunReport extends RunRecord {
  status: Exclude<RunStatus, "running">;
  finished_at: string;
  datasets: Record<string, ReportDataset>;
}

/** A running run, for `state()`. */
export interface RunSummary {
  run_id: string;
  targets: string[];
  force: boolean;
  started_at: string;
  steps: Record<string, StepState>;
}

/** The dependency graph: a node per step and per dataset. */
export interface Graph {
  /** `id` is `step:<name>` or `dataset:<name>` (a step and its dataset often share a name). */
  nodes: { id: string; kind: "step" | "dataset"; name: string }[];
  /** Producing step → dataset, dataset → consuming step. */
  edges: { from: string; to: string }[];
}

/** The events a `Pipeline` emits (see `src/pipeline/index.ts`). */
export interface PipelineEvents {
  "run-started": [RunRecord];
  step: [{ run_id: string; step: StepRun }];
  progress: [{ run_id: string; step: string; done: number; total: number | null }];
  "run-finished": [RunReport];
  memory: [{ change: "stored" | "cleared"; names: string[]; datasets: DatasetInfo[] }];
  "steps-changed": [Catalog];
}
