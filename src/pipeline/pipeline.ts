import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Logger as WinstonLogger } from "winston";
import { readDotEnv } from "../config.js";
import { type ControlDatabase, openControlDb } from "../control/db.js";
import { describeError, UsageError } from "../errors.js";
import { DefinitionError } from "./errors.js";
import { buildGraph } from "./graph.js";
import { RunHistory } from "./history.js";
import { type LoadedStep, StepFolder } from "./load.js";
import { indexSteps, planRun, type StepIndex, unknownStep } from "./plan.js";
import { type InFlight, Limiter, Run, type RunHost } from "./run.js";
import { type DatasetInfo, DatasetStore } from "./store.js";
import type {
  Catalog,
  Graph,
  PipelineEvents,
  RunRecord,
  RunReport,
  RunSummary,
  StepInfo,
  StepRun,
  StepState,
} from "./types.js";

export interface PipelineOptions {
  /** The steps folder (`STEPS_DIR`), read again on every `steps()`, `graph()` and `start()`. */
  stepsDir: string;
  /** The control database (`CONTROL_DB`), opened at the first run; none: runs are not recorded. */
  controlDb?: string;
  /** Steps running at once, across runs (`PIPELINE_CONCURRENCY`, default 4). */
  concurrency?: number;
  /** Timeout of a step without its own `timeout_ms` (`STEP_TIMEOUT_MS`); none by default. */
  stepTimeoutMs?: number | null;
  /** The pipeline's log; each step gets a child with its name and run id. */
  log: WinstonLogger;
  /** What steps see as `ctx.env`; by default the environment over `.env`, read at each run. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface StartOptions {
  /** Re-run the whole plan, producers whose outputs are in memory too. */
  force?: boolean;
  /** Aborting it cancels the run: running steps see their signal aborted, the rest are skipped. */
  signal?: AbortSignal;
}

/** Finished runs kept in memory (for `run(id)` and `recentRuns()` without a control database). */
const KEPT_RUNS = 100;

const infoOf = (step: LoadedStep): StepInfo => ({
  name: step.name,
  description: step.description,
  consumes: step.consumes,
  produces: step.produces,
  file: step.file,
  timeout_ms: step.timeoutMs,
});

/**
 * The pipeline runner: steps from a folder, datasets in memory for as long as the object
 * lives, runs recorded in the control database, and events for whoever shows it live.
 * See `src/pipeline/index.ts` for the whole API and the events.
 */
export class Pipeline extends EventEmitter<PipelineEvents> {
  private readonly folder: StepFolder;
  private readonly store = new DatasetStore();
  private readonly inflight = new Map<string, InFlight>();
  private readonly limiter: Limiter;
  private readonly active = new Map<string, Run>();
  private readonly finished: RunReport[] = [];
  private readonly lastState = new Map<string, StepState>();
  private readonly log: WinstonLogger;
  private history: RunHistory | null = null;
  private db: ControlDatabase | null = null;
  private catalogKey = "";

  constructor(private readonly options: PipelineOptions) {
    super();
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
    this.limiter = new Limiter(concurrency);
    this.folder = new StepFolder(options.stepsDir);
    this.log = options.log;
  }

  /** The steps folder read again (changed files only): its steps and its definition problems. */
  async catalog(): Promise<Catalog> {
    return (await this.load()).catalog;
  }

  /** The steps of the folder (read again; the ones that loaded). */
  async steps(): Promise<StepInfo[]> {
    return (await this.load()).catalog.steps;
  }

  /** The dependency graph of the steps that loaded. */
  async graph(): Promise<Graph> {
    return buildGraph((await this.load()).loaded);
  }

  private async load(): Promise<{
    catalog: Catalog;
    loaded: LoadedStep[];
    index: StepIndex<LoadedStep>;
  }> {
    const folder = await this.folder.load();
    const { index, problems } = indexSteps(folder.steps);
    const catalog: Catalog = {
      steps: folder.steps.map(infoOf).sort((a, b) => a.name.localeCompare(b.name)),
      problems: [...folder.problems, ...problems],
    };
    const key = JSON.stringify(catalog);
    if (key !== this.catalogKey) {
      const first = this.catalogKey === "";
      this.catalogKey = key;
      if (!first) this.emitSafe("steps-changed", catalog);
    }
    return { catalog, loaded: folder.steps, index };
  }

  /**
   * Plans a run of `targets` and starts it. Throws before anything runs: a
   * `DefinitionError` (exit 2) naming every problem of the folder and every unknown target,
   * a `UsageError` for no targets, a `DatabaseError` when the control database cannot be
   * opened. `done` resolves with the report when every step has ended (it never rejects).
   */
  async start(
    targets: readonly string[],
    options: StartOptions = {},
  ): Promise<{ runId: string; done: Promise<RunReport> }> {
    if (targets.length === 0) throw new UsageError("no step to run (name at least one)");
    const { catalog, index } = await this.load();
    const unique = [...new Set(targets)];
    const unknown = unique
      .filter((t) => !index.steps.has(t))
      .map((t) => unknownStep(t, [...index.steps.keys()]));
    if (unknown.length > 0 || catalog.problems.length > 0)
      throw new DefinitionError([...unknown, ...catalog.problems]);
    const env = this.options.env ?? { ...readDotEnv(), ...process.env };
    const history = this.openHistory();
    // From here to run.begin() nothing awaits: the plan sees memory and the steps other
    // runs are running as they are now, and claims its own before another run plans.
    const { entries } = planRun(index, unique, {
      force: options.force,
      inMemory: (d) => this.store.has(d),
      inFlight: (step) => this.inflight.has(step),
    });
    const runId = randomUUID();
    const run = new Run(
      runId,
      unique,
      options.force === true,
      entries,
      this.host(env),
      options.signal,
    );
    this.active.set(runId, run);
    const record = this.record(run);
    try {
      history?.begin(record);
    } catch (error) {
      this.historyFailed(error);
    }
    this.log.info(`run ${runId} started: ${unique.join(", ")}`, {
      run_id: runId,
      plan: entries.map((e) => `${e.step.name}${e.mode === "run" ? "" : ` (${e.mode})`}`),
      force: options.force === true,
    });
    this.emitSafe("run-started", record);
    const done = run.begin().then((report) => this.finish(run, report));
    return { runId, done };
  }

  private host(env: Readonly<Record<string, string | undefined>>): RunHost {
    return {
      store: this.store,
      limiter: this.limiter,
      inflight: this.inflight,
      log: this.log,
      env,
      stepTimeoutMs: this.options.stepTimeoutMs ?? null,
      stepChanged: (run, step, seq) => this.stepChanged(run, step, seq),
      progress: (run, step, done, total) =>
        this.emitSafe("progress", { run_id: run.id, step, done, total }),
      stored: (_run, names) =>
        this.emitSafe("memory", { change: "stored", names, datasets: this.store.list() }),
    };
  }

  private stepChanged(run: Run, step: StepRun, seq: number | null): void {
    this.lastState.set(step.name, step.status);
    try {
      this.history?.step(run.id, step, seq);
    } catch (error) {
      this.historyFailed(error);
    }
    const fields = { run_id: run.id, step: step.name, ms: step.ms ?? undefined };
    if (step.status === "failed") this.log.error(`${step.name} failed: ${step.error}`, fields);
    else if (step.status === "skipped")
      this.log.warn(`${step.name} skipped (${step.error})`, fields);
    else if (step.status === "done") this.log.info(`${step.name} done in ${step.ms} ms`, fields);
    else if (step.status === "reused") this.log.info(`${step.name} reused`, fields);
    else this.log.debug(`${step.name} ${step.status}`, fields);
    this.emitSafe("step", { run_id: run.id, step: { ...step } });
  }

  private finish(run: Run, report: RunReport): RunReport {
    this.active.delete(run.id);
    this.finished.unshift(report);
    this.finished.length = Math.min(this.finished.length, KEPT_RUNS);
    try {
      this.history?.finish(run.id, report.status, report.finished_at, report.error);
    } catch (error) {
      this.historyFailed(error);
    }
    const failed = report.steps.filter((s) => s.status === "failed").length;
    this.log.log(
      report.status === "ok" ? "info" : "warn",
      `run ${run.id} ${report.status}${failed > 0 ? ` (${failed} failed)` : ""}`,
      { run_id: run.id, status: report.status },
    );
    this.emitSafe("run-finished", report);
    return report;
  }

  private openHistory(): RunHistory | null {
    if (this.history || !this.options.controlDb) return this.history;
    this.db = openControlDb(this.options.controlDb);
    this.history = new RunHistory(this.db);
    return this.history;
  }

  /** The last history problem said, so a page polling the runs does not repeat it. */
  private lastHistoryProblem: string | null = null;

  private historyFailed(error: unknown): void {
    const problem = describeError(error);
    if (problem === this.lastHistoryProblem) return;
    this.lastHistoryProblem = problem;
    this.log.warn(`cannot use the run history in ${this.options.controlDb}: ${problem}`);
  }

  /** An event listener that throws is logged; it never breaks a run. */
  private emitSafe<K extends keyof PipelineEvents>(event: K, ...args: PipelineEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: PipelineEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.log.warn(`a "${event}" listener failed: ${describeError(error)}`);
    }
  }

  private record(run: Run): RunRecord {
    return {
      run_id: run.id,
      status: run.status,
      targets: run.targets,
      force: run.force,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      error: run.error,
      steps: run.steps(),
    };
  }

  /** The runs under way, and the latest state of every step that has been in a run. */
  state(): { running: RunSummary[]; steps: Record<string, StepState> } {
    return {
      running: [...this.active.values()].map((run) => ({
        run_id: run.id,
        targets: run.targets,
        force: run.force,
        started_at: run.startedAt,
        steps: Object.fromEntries([...run.slots].map(([name, slot]) => [name, slot.record.status])),
      })),
      steps: Object.fromEntries(this.lastState),
    };
  }

  /** The datasets in memory, by name. */
  datasets(): DatasetInfo[] {
    return this.store.list();
  }

  /** The first `rows` rows of a dataset (JSON-safe), or null when it is not in memory. */
  preview(name: string, rows = 10): unknown[] | null {
    return this.store.preview(name, rows);
  }

  /** Empties the memory (runs under way keep the datasets they already hold). */
  clear(): void {
    const names = this.store.clear();
    this.log.info(`memory cleared (${names.length} datasets)`);
    this.emitSafe("memory", { change: "cleared", names, datasets: [] });
  }

  /** The latest runs, newest first: from the control database (every process's), else this object's. */
  recentRuns(limit = 20): RunRecord[] {
    const history = this.safeHistory();
    if (history) return history.recent(limit);
    const live = [...this.active.values()].reverse().map((run) => this.record(run));
    return [...live, ...this.finished].slice(0, limit);
  }

  /** A run by id: live if under way here, else recorded; null if unknown. */
  run(id: string): RunRecord | null {
    const live = this.active.get(id);
    if (live) return this.record(live);
    return this.finished.find((r) => r.run_id === id) ?? this.safeHistory()?.get(id) ?? null;
  }

  private safeHistory(): RunHistory | null {
    try {
      return this.openHistory();
    } catch (error) {
      this.historyFailed(error);
      return null;
    }
  }

  /** Closes the control database (runs under way go on, unrecorded). */
  close(): void {
    this.db?.close();
    this.db = null;
    this.history = null;
  }
}
