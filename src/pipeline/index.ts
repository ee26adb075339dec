/**
 * The pipeline runner as a library (`empresa-etl/pipeline`): steps declare the datasets
 * they consume and produce; asking for a step runs it and, first, whatever produces a
 * dataset it needs that is not in memory. Reference: docs/pipeline.md.
 *
 * ## Writing a step
 *
 * A file in the steps folder whose default export is a step; `defineStep` types it.
 *
 * @example
 * // steps/ventas_por_mes.ts
 * import { defineStep } from "empresa-etl/pipeline";
 *
 * export default defineStep({
 *   description: "Sales per month",
 *   consumes: ["ventas"],
 *   produces: ["ventas_por_mes"],
 *   timeout_ms: 60_000, // optional
 *   async run({ ventas }: { ventas: { fecha: string }[] }, ctx) {
 *     ctx.progress(0, ventas.length); // ctx: log, signal, progress, env, step, runId
 *     return { ventas_por_mes: porMes(ventas) }; // exactly the produced names
 *   },
 * });
 *
 * ## Driving it (the console does this)
 *
 * One `Pipeline` per process; its memory (the datasets) lives as long as the object.
 *
 * @example
 * import { Pipeline } from "empresa-etl/pipeline";
 *
 * const pipeline = new Pipeline({ stepsDir: "steps", controlDb: "database/control.db", log });
 * pipeline.on("step", ({ run_id, step }) => sse.send("step", { run_id, ...step }));
 * const { runId, done } = await pipeline.start(["informe_mensual"]); // DefinitionError: exit 2
 * const report = await done; // never rejects: report.status "ok" | "failed" | "cancelled"
 * pipeline.datasets(); // [{ name, producer, run_id, type, rows, columns, bytes, stored_at }]
 * pipeline.preview("ventas", 5);
 *
 * ## The `Pipeline` API
 *
 * - `new Pipeline({ stepsDir, controlDb?, concurrency? = 4, stepTimeoutMs?, log, env? })`
 *   (throws a `UsageError` for a concurrency below 1).
 * - `catalog(): Promise<Catalog>` — `{ steps: StepInfo[], problems: string[] }`: the folder,
 *   read again (only changed files are recompiled), with every definition problem found in
 *   it (unloadable files, wrong shapes, a dataset produced twice or by no step, cycles).
 * - `steps(): Promise<StepInfo[]>` — the steps that loaded (`catalog().steps`).
 * - `graph(): Promise<Graph>` — `{ nodes: [{ id, kind, name }], edges: [{ from, to }] }`;
 *   ids are `step:<name>` and `dataset:<name>`.
 * - `start(targets, { force?, signal? }): Promise<{ runId, done: Promise<RunReport> }>` —
 *   plans and starts a run; throws before anything runs (`DefinitionError`, exit 2,
 *   `.problems` one line each; `UsageError` for no targets; `DatabaseError` when the control
 *   database cannot be opened). Runs may overlap: a step one run is running is joined by
 *   the others (run once; `reused` in the joiners), and at most `concurrency` steps run at
 *   once across runs. Aborting `signal` cancels: running steps see `ctx.signal` aborted and
 *   fail, pending ones are skipped, the run ends `cancelled`.
 * - `state(): { running: RunSummary[]; steps: Record<name, StepState> }` — runs under way,
 *   and each step's latest state in any run.
 * - `datasets(): DatasetInfo[]`, `preview(name, rows = 10): unknown[] | null` (JSON-safe).
 * - `clear()` — empties the memory (a run under way keeps what it already holds).
 * - `recentRuns(limit = 20): RunRecord[]` — newest first; from the control database (every
 *   process's runs, a CLI run's too, live) when there is one, else this object's.
 * - `run(id): RunRecord | null` — live if under way here, else recorded.
 * - `close()` — closes the control database.
 *
 * Records (`StepRun`, `RunRecord`, `RunReport`, `DatasetInfo`, `StepInfo`) use the
 * snake_case of the JSON documents, so they can be sent as they are.
 *
 * ## Events (`pipeline.on(name, listener)`, typed by `PipelineEvents`)
 *
 * - `"run-started"` `(run: RunRecord)` — planned, every step `pending` (or already `reused`).
 * - `"step"` `({ run_id, step: StepRun })` — every state change of a step of a run.
 * - `"progress"` `({ run_id, step, done, total })` — a step called `ctx.progress`.
 * - `"run-finished"` `(report: RunReport)`.
 * - `"memory"` `({ change: "stored" | "cleared", names, datasets })` — datasets stored by a
 *   step, or the memory cleared; `datasets` is the whole memory after the change.
 * - `"steps-changed"` `(catalog: Catalog)` — a reload found the folder changed (a file
 *   added, changed, removed, or its problems changed). The folder is read when asked
 *   (`steps()`, `catalog()`, `graph()`, `start()`); watch it to call one when it changes.
 *
 * A listener that throws is logged and never breaks a run.
 */

export { PIPELINE_OPTIONS, type PipelineResult, pipelineCommand } from "./command.js";
export type { StepContext, StepDefinition } from "./define.js";
export { DATASET_NAME, defineStep } from "./define.js";
export { DefinitionError } from "./errors.js";
export { buildGraph, formatGraph, GRAPH_FORMATS, type GraphFormat } from "./graph.js";
export { PIPELINE_DDL, RunHistory } from "./history.js";
export { Pipeline, type PipelineOptions, type StartOptions } from "./pipeline.js";
export { indexSteps, type PlanEntry, type PlanStep, planRun } from "./plan.js";
export { runJson } from "./report.js";
export type { DatasetInfo } from "./store.js";
export type {
  Catalog,
  Graph,
  PipelineEvents,
  ReportDataset,
  RunRecord,
  RunReport,
  RunStatus,
  RunSummary,
  StepInfo,
  StepRun,
  StepState,
} from "./types.js";
