import { type FSWatcher, watch } from "node:fs";
import { relative, resolve } from "node:path";
import { readDotEnv } from "../../config.js";
import { DatabaseError, describeError, UsageError } from "../../errors.js";
import type { Logger } from "../../log.js";
import {
  buildGraph,
  type Catalog,
  type DatasetInfo,
  DefinitionError,
  Pipeline,
  type RunRecord,
  type RunReport,
  type StepRun,
} from "../../pipeline/index.js";
import { ConsoleError } from "../http/errors.js";
import type { SseEvent } from "../http/sse.js";
import type {
  DatasetView,
  GraphLayout,
  PipelineView,
  Preview,
  RunDetail,
  RunSummary,
  StepView,
} from "../views/pipeline-model.js";
import { layoutGraph } from "./layout.js";
import type { PipelineSource } from "./source.js";

export interface PipelineSourceOptions {
  /** The steps folder (`STEPS_DIR`), watched for added, changed and removed files. */
  stepsDir: string;
  controlDb: string;
  /** Given to the steps as `DB_PATH` (with the environment over `.env`). */
  dbPath?: string;
  concurrency?: number;
  stepTimeoutMs?: number | null;
  log: Logger;
  /** A pipeline made by the caller (`pipeline --ui`): shown as it is, and left open at close. */
  pipeline?: Pipeline;
  /** How often the control database is read for runs of other processes while someone watches (ms). */
  pollMs?: number;
}

/** Runs shown on the page and the overview. */
const RECENT_RUNS = 20;
/** Rows in a dataset's preview. */
const PREVIEW_ROWS = 10;
/** Characters of a non-table preview. */
const PREVIEW_TEXT = 2000;

function summarize(run: RunRecord): RunSummary {
  const failed = run.steps.filter((s) => s.status === "failed");
  const first = failed[0];
  return {
    run_id: run.run_id,
    status: run.status,
    targets: run.targets,
    force: run.force,
    started_at: run.started_at,
    finished_at: run.finished_at,
    steps: run.steps.length,
    failed: failed.length,
    error: run.error ?? (first ? `${first.name}: ${first.error ?? "failed"}` : null),
  };
}

function previewOf(info: DatasetInfo, rows: unknown[] | null): Preview | null {
  if (rows === null) return null;
  if (info.type === "table" && info.columns) {
    const columns = info.columns;
    return {
      kind: "table",
      columns,
      rows: rows.map((row) =>
        columns.map((column) =>
          typeof row === "object" && row !== null ? (row as Record<string, unknown>)[column] : null,
        ),
      ),
    };
  }
  const value = info.type === "array" || info.rows !== null ? rows : rows[0];
  let text = JSON.stringify(value, null, 2) ?? String(value);
  if (text.length > PREVIEW_TEXT) text = `${text.slice(0, PREVIEW_TEXT)}\n…`;
  return { kind: "text", text };
}

/**
 * The console's view of a `Pipeline` (src/pipeline): the page's JSON, the live events
 * (each step's latest state and progress, runs from the library's events and, for runs of
 * other processes, from the control database), and the steps folder watched so a new file
 * appears without a restart.
 */
class PipelineAdapter implements PipelineSource {
  private readonly pipeline: Pipeline;
  private readonly owned: boolean;
  private readonly listeners = new Set<(event: SseEvent) => void>();
  /** Each step's latest state in a run of this console. */
  private readonly steps = new Map<string, { run_id: string; step: StepRun }>();
  private readonly progress = new Map<string, { done: number; total: number | null }>();
  /** Runs started here that have not finished, with what cancels them at shutdown. */
  private readonly active = new Map<
    string,
    { done: Promise<RunReport>; cancel: AbortController }
  >();
  /** The last summary sent of each run, to send only changes. */
  private readonly sent = new Map<string, string>();
  private layoutKey = "";
  private layout: GraphLayout = { width: 0, height: 0, nodes: [], edges: [] };
  private watcher: FSWatcher | null = null;
  private poller: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private closing = false;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: PipelineSourceOptions) {
    this.owned = options.pipeline === undefined;
    this.pipeline =
      options.pipeline ??
      new Pipeline({
        stepsDir: options.stepsDir,
        controlDb: options.controlDb,
        concurrency: options.concurrency,
        stepTimeoutMs: options.stepTimeoutMs ?? null,
        log: options.log,
        env: options.dbPath
          ? { ...readDotEnv(), ...process.env, DB_PATH: options.dbPath }
          : undefined,
      });
    this.listen();
    this.watchFolder();
  }

  private listen(): void {
    const pipeline = this.pipeline;
    const onStep = ({ run_id, step }: { run_id: string; step: StepRun }) => {
      this.steps.set(step.name, { run_id, step });
      if (step.status !== "running") this.progress.delete(step.name);
      this.emit({ event: "step", data: this.stepView(step.name) });
      const run = pipeline.run(run_id);
      if (run) this.emitRun(run);
    };
    const onProgress = (event: { step: string; done: number; total: number | null }) => {
      this.progress.set(event.step, { done: event.done, total: event.total });
      this.emit({ event: "step", data: this.stepView(event.step) });
    };
    const onStarted = (run: RunRecord) => {
      // The plan's steps start `pending` without a step event of their own.
      for (const step of run.steps) {
        this.steps.set(step.name, { run_id: run.run_id, step });
        this.emit({ event: "step", data: this.stepView(step.name) });
      }
      this.emitRun(run);
    };
    const onRun = (run: RunRecord) => this.emitRun(run);
    const onMemory = () => this.emit({ event: "memory", data: { datasets: this.datasetViews() } });
    const onSteps = (catalog: Catalog) => {
      this.remember(catalog);
      void this.emitSnapshot();
    };
    pipeline.on("step", onStep);
    pipeline.on("progress", onProgress);
    pipeline.on("run-started", onStarted);
    pipeline.on("run-finished", onRun);
    pipeline.on("memory", onMemory);
    pipeline.on("steps-changed", onSteps);
    this.detach.push(() => {
      pipeline.off("step", onStep);
      pipeline.off("progress", onProgress);
      pipeline.off("run-started", onStarted);
      pipeline.off("run-finished", onRun);
      pipeline.off("memory", onMemory);
      pipeline.off("steps-changed", onSteps);
    });
  }

  /** Reads the steps folder again (changed files only) and keeps its steps for the events. */
  private async catalog(): Promise<Catalog> {
    return this.remember(await this.pipeline.catalog());
  }

  /** A definition problem as shown: files under the steps folder named from the folder as configured. */
  private shown(problem: string): string {
    const absolute = resolve(this.options.stepsDir);
    return problem.split(absolute).join(this.options.stepsDir.replace(/[\\/]+$/, ""));
  }

  private remember(catalog: Catalog): Catalog {
    this.catalogSteps = new Map(catalog.steps.map((step) => [step.name, step]));
    return catalog;
  }

  /**
   * Watches the steps folder: a change reads the catalog again (the pipeline emits
   * `steps-changed` when it differs). A folder that cannot be watched (not there yet) is
   * covered by the poll that runs while someone watches.
   */
  private watchFolder(): void {
    try {
      this.watcher = watch(this.options.stepsDir, { persistent: false }, () => this.reloadSoon());
      this.watcher.on("error", () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null;
    }
  }

  private reloadSoon(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.catalog().catch((error) => this.options.log.warn(`steps: ${describeError(error)}`));
    }, 80);
    this.debounce.unref();
  }

  private emit(event: SseEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.log.warn(`a live stream failed: ${describeError(error)}`);
      }
    }
  }

  private emitRun(run: RunRecord): void {
    const summary = summarize(run);
    const key = JSON.stringify(summary);
    if (this.sent.get(run.run_id) === key) return;
    this.sent.set(run.run_id, key);
    if (this.sent.size > 500) this.sent.delete(this.sent.keys().next().value as string);
    this.emit({ event: "run", data: summary });
  }

  private async emitSnapshot(): Promise<void> {
    if (this.listeners.size === 0) return;
    try {
      this.emit({ event: "snapshot", data: await this.view() });
    } catch (error) {
      this.options.log.warn(`pipeline snapshot: ${describeError(error)}`);
    }
  }

  /**
   * While someone watches: the runs of other processes (a CLI run) from the control
   * database, sent when they change, and the steps folder read again (a folder that could
   * not be watched, a helper file outside it).
   */
  private poll(): void {
    try {
      for (const run of this.pipeline.recentRuns(RECENT_RUNS)) this.emitRun(run);
    } catch (error) {
      this.options.log.debug(`runs: ${describeError(error)}`);
    }
    if (!this.watcher) this.watchFolder();
    this.reloadSoon();
  }

  private stepView(name: string): StepView {
    const info = this.catalogSteps.get(name);
    const latest = this.steps.get(name);
    const step = latest?.step;
    return {
      name,
      description: info?.description ?? "",
      consumes: info?.consumes ?? step?.consumes ?? [],
      produces: info?.produces ?? step?.produces ?? [],
      file: info ? relative(resolve(this.options.stepsDir), resolve(info.file)) : "",
      state: step?.status ?? null,
      run_id: latest?.run_id ?? null,
      started_at: step?.started_at ?? null,
      finished_at: step?.finished_at ?? null,
      ms: step?.ms ?? null,
      error: step?.error ?? null,
      progress: step?.status === "running" ? (this.progress.get(name) ?? null) : null,
    };
  }

  /** The steps of the last catalog read, by name (for events between reads). */
  private catalogSteps = new Map<string, Catalog["steps"][number]>();

  private datasetViews(): DatasetView[] {
    return this.pipeline.datasets().map((info) => ({
      name: info.name,
      producer: info.producer,
      type: info.type,
      rows: info.rows,
      columns: info.columns,
      bytes: info.bytes,
      preview: previewOf(info, this.pipeline.preview(info.name, PREVIEW_ROWS)),
    }));
  }

  private graphLayout(catalog: Catalog): GraphLayout {
    const graph = buildGraph(catalog.steps);
    const key = JSON.stringify(graph);
    if (key !== this.layoutKey) {
      this.layout = layoutGraph(graph);
      this.layoutKey = key;
    }
    return this.layout;
  }

  private recent(): RunSummary[] {
    try {
      return this.pipeline.recentRuns(RECENT_RUNS).map(summarize);
    } catch (error) {
      this.options.log.warn(`runs: ${describeError(error)}`);
      return [];
    }
  }

  async view(): Promise<PipelineView> {
    const catalog = await this.catalog();
    const graph = this.graphLayout(catalog);
    // Steps in the graph's order, left to right (producers first), then by name.
    const column = new Map(graph.nodes.map((node) => [node.id, node.x]));
    const steps = catalog.steps
      .map((step) => this.stepView(step.name))
      .sort(
        (a, b) =>
          (column.get(`step:${a.name}`) ?? 0) - (column.get(`step:${b.name}`) ?? 0) ||
          a.name.localeCompare(b.name),
      );
    return {
      steps_dir: this.options.stepsDir,
      problems: catalog.problems.map((problem) => this.shown(problem)),
      steps,
      datasets: this.datasetViews(),
      runs: this.recent(),
      graph,
    };
  }

  async summary() {
    const runs = this.recent();
    return {
      steps: (await this.catalog()).steps.length,
      datasets: this.pipeline.datasets().length,
      running: runs.filter((run) => run.status === "running"),
      recent: runs.filter((run) => run.status !== "running").slice(0, 5),
    };
  }

  async start(targets: string[], force: boolean): Promise<{ run_id: string }> {
    if (this.closing) throw new ConsoleError(503, "shutting_down", "the console is shutting down");
    const catalog = await this.catalog();
    const known = new Set(catalog.steps.map((step) => step.name));
    const unknown = targets.filter((target) => !known.has(target));
    if (unknown.length > 0)
      throw new ConsoleError(
        400,
        "unknown_step",
        `no step ${unknown.map((name) => JSON.stringify(name.slice(0, 80))).join(", ")} (steps: ${[...known].join(", ") || "none"})`,
      );
    const cancel = new AbortController();
    let started: { runId: string; done: Promise<RunReport> };
    try {
      started = await this.pipeline.start(targets, { force, signal: cancel.signal });
    } catch (error) {
      if (error instanceof DefinitionError)
        throw new ConsoleError(
          409,
          "definition_error",
          error.problems.map((problem) => this.shown(problem)).join("; "),
        );
      if (error instanceof UsageError)
        throw new ConsoleError(400, "invalid_targets", error.message);
      if (error instanceof DatabaseError) {
        this.options.log.error(`cannot start a run: ${error.message}`);
        throw new ConsoleError(
          500,
          "control_database",
          "the control database cannot be opened; see the console's log",
        );
      }
      throw error;
    }
    const { runId, done } = started;
    this.active.set(runId, { done, cancel });
    void done.finally(() => this.active.delete(runId));
    return { run_id: runId };
  }

  async run(id: string): Promise<RunDetail | undefined> {
    const record = this.pipeline.run(id);
    if (!record) return undefined;
    const memory = new Map(this.pipeline.datasets().map((info) => [info.name, info]));
    let datasets = (record as Partial<RunReport>).datasets;
    if (!datasets) {
      datasets = {};
      for (const step of record.steps)
        if (step.status === "done" || step.status === "reused")
          for (const name of step.produces) {
            const info = memory.get(name);
            if (info)
              datasets[name] = { producer: info.producer, type: info.type, rows: info.rows };
          }
    }
    return {
      run_id: record.run_id,
      status: record.status,
      targets: record.targets,
      force: record.force,
      started_at: record.started_at,
      finished_at: record.finished_at,
      error: record.error,
      steps: record.steps,
      datasets,
    };
  }

  async clear(): Promise<{ cleared: number }> {
    const cleared = this.pipeline.datasets().length;
    this.pipeline.clear();
    return { cleared };
  }

  subscribe(listener: (event: SseEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.poller && !this.closing) {
      this.poller = setInterval(() => this.poll(), this.options.pollMs ?? 1000);
      this.poller.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.poller) {
        clearInterval(this.poller);
        this.poller = null;
      }
    };
  }

  async close(deadlineMs: number): Promise<void> {
    this.closing = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.poller) clearInterval(this.poller);
    if (this.debounce) clearTimeout(this.debounce);
    this.poller = null;
    const runs = [...this.active.values()];
    if (runs.length > 0) {
      this.options.log.info(
        `waiting for ${runs.length} pipeline run(s) in flight (up to ${deadlineMs} ms)`,
      );
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), deadlineMs);
      });
      const all = Promise.all(runs.map((run) => run.done));
      if ((await Promise.race([all, deadline])) === "late") {
        this.options.log.warn("pipeline runs still going at the deadline: cancelling them");
        for (const run of runs) run.cancel.abort(new Error("the console is shutting down"));
        await all;
      }
      clearTimeout(timer);
    }
    for (const undo of this.detach.splice(0)) undo();
    this.listeners.clear();
    if (this.owned) this.pipeline.close();
  }
}

/** The console's pipeline source: over the caller's `Pipeline`, or a new one over `stepsDir`. */
export async function createPipelineSource(
  options: PipelineSourceOptions,
): Promise<PipelineSource> {
  return new PipelineAdapter(options);
}
