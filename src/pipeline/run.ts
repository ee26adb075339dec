import type { Logger as WinstonLogger } from "winston";
import { describeError } from "../errors.js";
import type { LoadedStep } from "./load.js";
import { type PlanEntry, quoted } from "./plan.js";
import { type DatasetStore, shapeOf } from "./store.js";
import type { RunReport, RunStatus, StepRun, StepState } from "./types.js";

/** How a step of a run ended, as the steps after it (in this run or another) see it. */
export interface Outcome {
  state: "ok" | "failed" | "skipped";
  error: string | null;
  /** Its datasets, when ok. */
  outputs: Map<string, unknown>;
  runId: string;
}

/** A step being run by some run, that later runs join instead of running it again. */
export interface InFlight {
  runId: string;
  outcome: Promise<Outcome>;
}

/** At most `max` steps at once, across every run of a pipeline. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  acquire(): Promise<void> | undefined {
    if (this.active < this.max) {
      this.active++;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** What a run needs from its pipeline. */
export interface RunHost {
  store: DatasetStore;
  limiter: Limiter;
  inflight: Map<string, InFlight>;
  log: WinstonLogger;
  env: Readonly<Record<string, string | undefined>>;
  stepTimeoutMs: number | null;
  stepChanged(run: Run, step: StepRun, seq: number | null): void;
  progress(run: Run, step: string, done: number, total: number | null): void;
  stored(run: Run, names: string[]): void;
}

class StepTimeout extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Why a step's result is not exactly its declared datasets, or null when it is. */
export function outputProblem(produces: readonly string[], result: unknown): string | null {
  const isObject = typeof result === "object" && result !== null && !Array.isArray(result);
  if (!isObject) {
    if (produces.length === 0 && result === undefined) return null;
    return `returned ${kindOf(result)} instead of { ${produces.join(", ")} }`;
  }
  const record = result as Record<string, unknown>;
  const missing = produces.filter((d) => record[d] === undefined);
  const extra = Object.keys(record).filter((key) => !produces.includes(key));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`did not return ${quoted(missing)}`);
  if (extra.length > 0) parts.push(`returned ${quoted(extra)}, which it does not declare`);
  return parts.length > 0
    ? `${parts.join(" and ")} (produces: ${quoted(produces) || "nothing"})`
    : null;
}

/**
 * Calls a step with its signal and timeout. A timeout (or a cancel) aborts the step's
 * signal and fails the call at once: a step that never settles is not waited for.
 */
async function callStep(
  step: LoadedStep,
  inputs: Record<string, unknown>,
  ctx: Parameters<LoadedStep["run"]>[1],
  controller: AbortController,
  timeoutMs: number | null,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(controller.signal.reason);
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs !== null)
      timer = setTimeout(() => controller.abort(new StepTimeout(timeoutMs)), timeoutMs);
  });
  const work = (async () => step.run(inputs, ctx))();
  work.catch(() => {}); // a step that fails after its timeout has no one left to tell
  try {
    return await Promise.race([work, stopped]);
  } finally {
    clearTimeout(timer);
    if (onAbort) controller.signal.removeEventListener("abort", onAbort);
  }
}

interface Slot {
  entry: PlanEntry<LoadedStep>;
  record: StepRun;
  position: number;
  seq: number | null;
}

/**
 * One run of a plan: each step once, after its producers, at most the pipeline's
 * concurrency at a time across runs; failures skip what depends on them and nothing else.
 */
export class Run {
  readonly startedAt = new Date().toISOString();
  finishedAt: string | null = null;
  status: RunStatus = "running";
  error: string | null = null;
  readonly slots = new Map<string, Slot>();
  /** The datasets this run has at hand: reused ones (taken when planned) and produced ones. */
  private readonly local = new Map<string, unknown>();
  private readonly outcomes = new Map<string, Promise<Outcome>>();
  private started = 0;

  constructor(
    readonly id: string,
    readonly targets: string[],
    readonly force: boolean,
    entries: PlanEntry<LoadedStep>[],
    private readonly host: RunHost,
    private readonly signal: AbortSignal | undefined,
  ) {
    entries.forEach((entry, position) => {
      const { step } = entry;
      this.slots.set(step.name, {
        entry,
        position,
        seq: null,
        record: {
          name: step.name,
          status: "pending",
          started_at: null,
          finished_at: null,
          ms: null,
          consumes: [...step.consumes],
          produces: [...step.produces],
          error: null,
        },
      });
    });
  }

  /**
   * Starts the run. Everything here happens in the tick of planning: reused datasets are
   * taken now, and the steps this run will run are claimed before another run plans.
   */
  begin(): Promise<RunReport> {
    for (const { entry } of this.slots.values()) {
      const name = entry.step.name;
      let outcome: Promise<Outcome>;
      if (entry.mode === "reuse") outcome = Promise.resolve(this.reuse(entry));
      else if (entry.mode === "join") outcome = this.join(entry);
      else {
        outcome = this.execute(entry);
        const claim: InFlight = { runId: this.id, outcome };
        this.host.inflight.set(name, claim);
        void outcome.then(() => {
          if (this.host.inflight.get(name) === claim) this.host.inflight.delete(name);
        });
      }
      this.outcomes.set(name, outcome);
    }
    return Promise.all(this.outcomes.values()).then(() => this.finish());
  }

  private change(slot: Slot, state: StepState, fields: Partial<StepRun> = {}): void {
    if (state !== "pending" && state !== "skipped" && slot.seq === null) slot.seq = this.started++;
    Object.assign(slot.record, fields, { status: state });
    this.host.stepChanged(this, slot.record, slot.seq);
  }

  private reuse(entry: PlanEntry<LoadedStep>): Outcome {
    const outputs = new Map<string, unknown>();
    for (const name of entry.step.produces) {
      outputs.set(name, this.host.store.get(name));
      this.local.set(name, this.host.store.get(name));
    }
    const now = new Date().toISOString();
    this.change(this.slot(entry), "reused", { started_at: now, finished_at: now, ms: 0 });
    return { state: "ok", error: null, outputs, runId: this.id };
  }

  private async join(entry: PlanEntry<LoadedStep>): Promise<Outcome> {
    const other = this.host.inflight.get(entry.step.name) as InFlight;
    const slot = this.slot(entry);
    const outcome = await other.outcome;
    const now = new Date().toISOString();
    if (outcome.state === "ok") {
      for (const [name, value] of outcome.outputs) this.local.set(name, value);
      this.change(slot, "reused", { started_at: now, finished_at: now, ms: 0 });
    } else
      this.change(slot, outcome.state === "failed" ? "failed" : "skipped", {
        finished_at: now,
        error: `${outcome.state === "failed" ? "failed" : "skipped"} in run ${outcome.runId}: ${outcome.error}`,
      });
    return { ...outcome, runId: this.id };
  }

  private slot(entry: PlanEntry<LoadedStep>): Slot {
    return this.slots.get(entry.step.name) as Slot;
  }

  private skip(slot: Slot, error: string): Outcome {
    this.change(slot, "skipped", { error });
    return { state: "skipped", error, outputs: new Map(), runId: this.id };
  }

  private async execute(entry: PlanEntry<LoadedStep>): Promise<Outcome> {
    const slot = this.slot(entry);
    const { step } = entry;
    const before = await Promise.all(entry.after.map((name) => this.outcomes.get(name)));
    const blocker = entry.after.find((_, i) => before[i]?.state !== "ok");
    if (blocker !== undefined)
      return this.skip(
        slot,
        `not run: "${blocker}" ${this.slots.get(blocker)?.record.status === "skipped" ? "was skipped" : "failed"}`,
      );
    if (this.signal?.aborted) return this.skip(slot, "not run: the run was cancelled");
    const waiting = this.host.limiter.acquire();
    if (waiting) await waiting;
    try {
      if (this.signal?.aborted) return this.skip(slot, "not run: the run was cancelled");
      return await this.runStep(slot, step);
    } finally {
      this.host.limiter.release();
    }
  }

  private async runStep(slot: Slot, step: LoadedStep): Promise<Outcome> {
    const controller = new AbortController();
    const forward = () => controller.abort(this.signal?.reason);
    this.signal?.addEventListener("abort", forward, { once: true });
    const inputs: Record<string, unknown> = {};
    for (const name of step.consumes) inputs[name] = this.local.get(name);
    const ctx = {
      log: this.host.log.child({ step: step.name, run_id: this.id }),
      signal: controller.signal,
      progress: (done: number, total?: number) =>
        this.host.progress(this, step.name, done, total ?? null),
      env: this.host.env,
      step: step.name,
      runId: this.id,
    };
    const began = performance.now();
    this.change(slot, "running", { started_at: new Date().toISOString() });
    let problem: string | null;
    let result: unknown;
    try {
      result = await callStep(
        step,
        inputs,
        ctx,
        controller,
        step.timeoutMs ?? this.host.stepTimeoutMs,
      );
      problem = outputProblem(step.produces, result);
    } catch (error) {
      problem =
        error instanceof StepTimeout || !this.signal?.aborted
          ? describeError(error) || "failed without a message"
          : `cancelled: ${describeError(error)}`;
    } finally {
      this.signal?.removeEventListener("abort", forward);
    }
    const ms = Math.round((performance.now() - began) * 10) / 10;
    const finished_at = new Date().toISOString();
    if (problem !== null) {
      this.change(slot, "failed", { finished_at, ms, error: problem });
      return { state: "failed", error: problem, outputs: new Map(), runId: this.id };
    }
    const outputs = new Map<string, unknown>();
    for (const name of step.produces) {
      const value = (result as Record<string, unknown>)[name];
      outputs.set(name, value);
      this.local.set(name, value);
      this.host.store.set(name, value, step.name, this.id);
    }
    if (outputs.size > 0) this.host.stored(this, [...outputs.keys()]);
    this.change(slot, "done", { finished_at, ms });
    return { state: "ok", error: null, outputs, runId: this.id };
  }

  /** The steps in the order they started, then the ones that never did (plan order). */
  steps(): StepRun[] {
    return [...this.slots.values()]
      .sort(
        (a, b) =>
          (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) ||
          a.position - b.position,
      )
      .map((slot) => ({ ...slot.record }));
  }

  private finish(): RunReport {
    const steps = this.steps();
    const ok = steps.every((s) => s.status === "done" || s.status === "reused");
    this.status = ok ? "ok" : this.signal?.aborted ? "cancelled" : "failed";
    if (this.status === "cancelled")
      this.error = `cancelled: ${describeError(this.signal?.reason)}`;
    this.finishedAt = new Date().toISOString();
    const datasets: RunReport["datasets"] = {};
    for (const step of steps)
      if (step.status === "done" || step.status === "reused")
        for (const name of step.produces) {
          datasets[name] = {
            producer: step.name,
            ...shapeOf(this.local.get(name)),
          };
        }
    return {
      run_id: this.id,
      status: this.status,
      targets: this.targets,
      force: this.force,
      started_at: this.startedAt,
      finished_at: this.finishedAt,
      error: this.error,
      steps,
      datasets,
    };
  }
}
