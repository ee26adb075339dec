/**
 * A simulation run (contract `simulation.md`): the model loaded, the one seeded stream
 * walked by the producer and cut into batches — each batch the stream's outputs its
 * scenarios consume (`random/tape.ts`), from which the evaluator draws their values — sent
 * through a transport (worker threads or RabbitMQ),
 * results collected by `escenario_id` into a spill file as they come back, then summarized
 * and written to `SIM_DIR/RUN_ID/resultados.parquet` and `resumen.json`, and recorded in
 * the control database.
 *
 * The producer and the collector know nothing of the transport beyond `Transport`: the same
 * seed gives the same scenarios, and results are placed by id, so the outcome is the same
 * for any number of workers or consumers, in either mode (only `consumidor` differs).
 *
 * Memory: the producer holds at most the batches the transport lets it send ahead; the
 * collector writes each batch's results to the spill file at once (one bit per scenario
 * stays in memory, to refuse a duplicate); the summary is bounded (see `summary.ts`).
 */

import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { type ControlDatabase, openControlDb } from "../../control/db.js";
import { AppError, describeError, throwIfAborted, UsageError } from "../../errors.js";
import { type BrokerLog, redactUrl } from "../broker/connection.js";
import { createRabbitTransport } from "../broker/index.js";
import { type CheckedModel, checkModelSource, readModelFile } from "../model/index.js";
import { ScenarioTaper } from "../random/index.js";
import { LiveSummary } from "../summary/index.js";
import type { OutputSummary } from "../types.js";
import { createEmbeddedTransport, EmbeddedTransport, SimulationError } from "./embedded.js";
import { writeResultsParquet } from "./parquet.js";
import { ResultSpill } from "./spill.js";
import { createRun, getRun, reapOrphans, type SimulationRunFields, updateRun } from "./store.js";
import { summarizeRun } from "./summary.js";
import type {
  LiveOutput,
  ResultBatch,
  RunState,
  SimulationEvent,
  SimulationMode,
  SimulationOptions,
  SimulationResult,
  Transport,
} from "./types.js";

/** Scenarios per batch over RabbitMQ (the contract's default). */
export const DEFAULT_BATCH = 1000;
/**
 * Scenarios per batch on worker threads: larger, since a batch there costs a message and
 * its bookkeeping but no broker round trip (4096 against 1000: about 8 % less CPU per
 * scenario in all, `bench:simulate`).
 */
export const DEFAULT_EMBEDDED_BATCH = 4096;
export const DEFAULT_SIM_DIR = "simulaciones";
/** Error messages kept (the smallest scenario ids). */
export const MAX_ERROR_SAMPLES = 100;
const PROGRESS_INTERVAL_MS = 250;
const LIVE_INTERVAL_MS = 500;
const DB_INTERVAL_MS = 1000;
const LIVE_POINTS = 100;

export interface RunSimulationOptions extends SimulationOptions {
  /** `--no-wait` (RabbitMQ mode): handed to the RabbitMQ transport. */
  noWait?: boolean;
  /** Use this transport instead of the mode's (tests; `mode` is then the transport's). */
  transport?: Transport;
  /** Overrides `SUMMARY_IN_MEMORY_MAX` (tests of the streamed summary). */
  summaryInMemoryMax?: number;
  /** Where the RabbitMQ transport says what it does (reconnects, expired models). */
  log?: BrokerLog;
}

/**
 * Runs left `queued`/`running` by a process of this host that is gone are recorded as
 * failed, and their folders (the spill file of a large run) removed.
 */
export function reapAndClean(db: ControlDatabase, simDir: string): string[] {
  try {
    const reaped = reapOrphans(db);
    for (const id of reaped)
      void rm(join(simDir, id), { recursive: true, force: true }).catch(() => undefined);
    return reaped;
  } catch {
    return []; // the control database is only a record: never the run's failure
  }
}

/** A new run id: `YYYYMMDDTHHMMSS-xxxxxx` (UTC time, random suffix). */
export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").slice(0, 15);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

class Collector {
  readonly scenarios: number;
  private readonly seen: Uint8Array;
  received = 0;
  completed = 0;
  errors = 0;
  readonly consumers: string[] = [];
  private readonly consumerIndex = new Map<string, number>();
  errorSamples: { escenario_id: number; message: string }[] = [];
  readonly live: Map<string, { summary: LiveSummary; convergence: [number, number][] }>;
  private nextPoint = 1;

  constructor(
    private readonly spill: ResultSpill,
    readonly outputs: readonly string[],
  ) {
    this.scenarios = spill.scenarios;
    this.seen = new Uint8Array(Math.ceil(spill.scenarios / 8));
    this.live = new Map(
      outputs.map((name) => [name, { summary: new LiveSummary(), convergence: [] }]),
    );
  }

  private has(id: number): boolean {
    return ((this.seen[(id - 1) >>> 3] as number) & (1 << ((id - 1) & 7))) !== 0;
  }

  /** Takes a batch's results; a batch already received (by its ids) is ignored. */
  add(results: ResultBatch): void {
    const { firstId, count } = results;
    if (!(Number.isInteger(firstId) && firstId >= 1 && firstId + count - 1 <= this.scenarios))
      throw new SimulationError(
        `results for scenarios ${firstId}…${firstId + count - 1}, outside 1…${this.scenarios}`,
      );
    if (this.has(firstId)) return;
    for (let id = firstId; id < firstId + count; id++) {
      if (this.has(id))
        throw new SimulationError(
          `results for scenarios ${firstId}… overlap a batch already received`,
        );
      this.seen[(id - 1) >>> 3] = (this.seen[(id - 1) >>> 3] as number) | (1 << ((id - 1) & 7));
    }
    let consumer = this.consumerIndex.get(results.consumer);
    if (consumer === undefined) {
      consumer = this.consumers.length;
      this.consumers.push(results.consumer);
      this.consumerIndex.set(results.consumer, consumer);
    }
    this.spill.write(results, consumer);

    // A scenario is an error when any output is missing or not finite.
    const columns = this.outputs.map((name) => results.outputs[name]);
    let failed = 0;
    for (let i = 0; i < count; i++) {
      for (const column of columns)
        if (column === undefined || !Number.isFinite(column[i])) {
          failed++;
          break;
        }
    }
    this.errors += failed;
    this.completed += count - failed;
    this.received += count;
    this.outputs.forEach((name, o) => {
      const live = this.live.get(name) as { summary: LiveSummary };
      const column = columns[o];
      if (column === undefined) live.summary.addError(count);
      else live.summary.addMany(column);
    });
    if (this.received >= Math.ceil((this.nextPoint * this.scenarios) / LIVE_POINTS)) {
      for (const live of this.live.values()) {
        const s = live.summary.snapshot();
        if (s.count > 0) live.convergence.push([s.count, s.mean]);
      }
      while (this.received >= Math.ceil((this.nextPoint * this.scenarios) / LIVE_POINTS))
        this.nextPoint++;
    }
    if (results.errors.length > 0) {
      const merged = [...this.errorSamples, ...results.errors];
      merged.sort((a, b) => a.escenario_id - b.escenario_id);
      this.errorSamples = merged.slice(0, MAX_ERROR_SAMPLES);
    }
  }

  liveOutputs(): Record<string, LiveOutput> {
    const outputs: Record<string, LiveOutput> = {};
    for (const [name, live] of this.live) {
      const s = live.summary.snapshot();
      outputs[name] = {
        count: s.count,
        errors: s.errors,
        mean: s.mean,
        ci95: s.ci95,
        histogram: s.histogram,
        convergence: live.convergence.slice(),
      };
    }
    return outputs;
  }
}

/**
 * Runs a simulation to its end and returns the `simulate --json` document.
 *
 * Throws `ModelDefinitionError` (exit 2) for a bad model, `UsageError` (2) for bad
 * options, `SimulationError` (1) when the run cannot finish, and the abort reason (an
 * `InterruptedError`: 130/143 from the CLI) when `signal` is aborted — then the workers
 * are stopped, the partial outputs removed and the run recorded `cancelled`.
 */
export async function runSimulation(options: RunSimulationOptions): Promise<SimulationResult> {
  const { signal } = options;
  throwIfAborted(signal);
  const started = performance.now();
  const runId = options.runId ?? newRunId();
  const mode: SimulationMode =
    options.transport?.mode ?? options.mode ?? (options.brokerUrl ? "rabbitmq" : "embedded");
  const batchSize = options.batch ?? (mode === "rabbitmq" ? DEFAULT_BATCH : DEFAULT_EMBEDDED_BATCH);
  if (!(Number.isSafeInteger(batchSize) && batchSize >= 1))
    throw new UsageError(`the batch size must be a positive integer, not ${batchSize}`);
  if (options.workers !== undefined && !(Number.isInteger(options.workers) && options.workers >= 1))
    throw new UsageError(
      `the number of workers must be a positive integer, not ${options.workers}`,
    );
  if (mode === "rabbitmq" && !options.brokerUrl && !options.transport)
    throw new UsageError("RabbitMQ mode needs a broker URL (--broker or AMQP_URL)");

  const emit = (event: SimulationEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure is not the run's.
    }
  };
  const db: ControlDatabase | undefined = options.controlDb
    ? openControlDb(options.controlDb)
    : undefined;
  if (db) reapAndClean(db, options.simDir ?? DEFAULT_SIM_DIR);
  const modelFile = options.modelPath
    ? basename(options.modelPath)
    : (options.modelName ?? "model.ini");
  let recorded = db !== undefined && getRun(db, runId) !== undefined;
  const record = (fields: SimulationRunFields) => {
    if (!db) return;
    try {
      updateRun(db, runId, fields, ["queued", "running"]);
    } catch {
      // The console shows a stale row at worst; the run itself goes on.
    }
  };
  const setState = (next: RunState, error?: string, fields: SimulationRunFields = {}) => {
    record({ ...fields, state: next, ...(error === undefined ? {} : { error }) });
    emit({ type: "state", run_id: runId, state: next, ...(error === undefined ? {} : { error }) });
  };

  let model: CheckedModel;
  try {
    const loadOptions = {
      allowCode: options.allowCode,
      scenarios: options.scenarios,
      seed: options.seed,
    };
    // A codigo model is tried on a thread of its own: it cannot stop or freeze this one.
    if (options.modelPath)
      model = await checkModelSource(
        await readModelFile(options.modelPath, options.modelPath),
        options.modelPath,
        loadOptions,
      );
    else if (options.modelSource !== undefined)
      model = await checkModelSource(options.modelSource, modelFile, loadOptions);
    else throw new UsageError("no model: give a model file");
  } catch (error) {
    if (recorded)
      setState("failed", describeError(error), { finished_at: new Date().toISOString() });
    db?.close();
    throw error;
  }

  const { definition, outputs } = model;
  const total = definition.scenarios;
  const seed = definition.seed;
  const dir = join(options.simDir ?? DEFAULT_SIM_DIR, runId);
  const files = {
    results: join(dir, "resultados.parquet"),
    summary: join(dir, "resumen.json"),
  };
  const startedAt = new Date().toISOString();
  const runFields: SimulationRunFields = {
    model_name: definition.metadata.nombre,
    model_version: definition.metadata.version,
    model_sha256: definition.sha256,
    model_file: modelFile,
    mode,
    scenarios: total,
    seed,
    started_at: startedAt,
  };

  let transport: Transport | undefined;
  let spill: ResultSpill | undefined;
  let createdDir = false;
  const onAbort = () => {
    void transport?.close();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (db) {
      if (recorded) record(runFields);
      else {
        createRun(db, { ...runFields, run_id: runId, mode });
        recorded = true;
      }
    }
    transport =
      options.transport ??
      (mode === "embedded"
        ? createEmbeddedTransport({ workers: options.workers, allowCode: options.allowCode })
        : await createRabbitTransport({
            url: options.brokerUrl as string,
            runId,
            batch: batchSize,
            allowCode: options.allowCode === true,
            noWait: options.noWait === true,
            signal,
            log: options.log,
          }));
    throwIfAborted(signal);
    await mkdir(dir, { recursive: true });
    createdDir = true;
    spill = new ResultSpill(join(dir, ".resultados.spill"), total, outputs);
    const collector = new Collector(spill, outputs);

    let lastProgress = 0;
    let lastLive = 0;
    let lastDb = 0;
    let generated = 0;
    const progress = (force = false) => {
      const now = Date.now();
      if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      const stats = (transport as Transport).stats();
      const seconds = Math.max(1e-3, (performance.now() - started) / 1000);
      emit({
        type: "progress",
        run_id: runId,
        completed: collector.completed,
        errors: collector.errors,
        total,
        rate: collector.received / seconds,
        producer: { ...stats.producer, generated },
        consumers: stats.consumers,
      });
      if (force || now - lastDb >= DB_INTERVAL_MS) {
        lastDb = now;
        record({ completed: collector.completed, errors: collector.errors });
      }
    };
    const live = (force = false) => {
      const now = Date.now();
      if (!force && now - lastLive < LIVE_INTERVAL_MS) return;
      lastLive = now;
      emit({ type: "live", run_id: runId, outputs: collector.liveOutputs() });
    };

    const modelId = `${definition.sha256.slice(0, 16)}-${runId}`;
    await transport
      .start(
        definition,
        modelId,
        (results) => {
          collector.add(results);
          progress();
          live();
        },
        outputs,
      )
      .catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (mode === "rabbitmq" && typeof code === "string" && /^E[A-Z]+/.test(code))
          throw new SimulationError(
            `cannot reach RabbitMQ at ${redactUrl(options.brokerUrl as string)}: ${describeError(error)}`,
          );
        throw error;
      });
    throwIfAborted(signal);
    const workers =
      transport instanceof EmbeddedTransport ? transport.workers : (options.workers ?? 0);
    record({ workers });
    setState("running");

    // The producer: one stream walked in id order and cut into batches' tapes (the
    // evaluators draw the values from them), as fast as the transport takes them.
    const taper = new ScenarioTaper(definition.variables, seed);
    for (let first = 1; first <= total; first += batchSize) {
      throwIfAborted(signal);
      const count = Math.min(batchSize, total - first + 1);
      const tape = taper.tape(count);
      generated += count;
      await transport.send({ modelId, ...tape, release: () => taper.recycle(tape.parts) });
      progress();
    }
    await transport.drain();
    throwIfAborted(signal);
    if (collector.received !== total)
      throw new SimulationError(
        `only ${collector.received} of ${total} scenarios came back from the evaluators`,
      );
    progress(true);
    live(true);
    const consumersSeen = collector.consumers.length;
    await transport.close();

    const summaries: Record<string, OutputSummary> = summarizeRun(
      spill,
      definition.variables,
      seed,
      { inMemoryMax: options.summaryInMemoryMax },
    );
    throwIfAborted(signal);
    await writeResultsParquet(
      files.results,
      spill,
      definition.variables,
      seed,
      collector.consumers,
      signal,
    );
    spill.remove();
    const duration = (performance.now() - started) / 1000;
    const result: SimulationResult = {
      run_id: runId,
      mode,
      model: {
        nombre: definition.metadata.nombre,
        version: definition.metadata.version,
        sha256: definition.sha256,
      },
      scenarios: total,
      seed,
      workers: workers || consumersSeen,
      completed: collector.completed,
      errors: collector.errors,
      duration_s: Math.round(duration * 1000) / 1000,
      scenarios_per_s: Math.round(total / Math.max(duration, 1e-6)),
      outputs: summaries,
      files,
      error_samples: collector.errorSamples,
    };
    const resumen = {
      ...result,
      modelo: {
        ...definition.metadata,
        archivo: modelFile,
        funcion: { tipo: definition.function.kind, fuente: definition.function.source },
        variables: definition.variables.map(({ name, type, distribution, params }) => ({
          name,
          type,
          distribution,
          params,
        })),
      },
      started_at: startedAt,
      finished_at: new Date().toISOString(),
    };
    const temp = `${files.summary}.tmp`;
    await writeFile(temp, `${JSON.stringify(resumen, null, 2)}\n`);
    await rename(temp, files.summary);
    throwIfAborted(signal);
    setState("completed", undefined, {
      completed: result.completed,
      errors: result.errors,
      workers: result.workers,
      finished_at: resumen.finished_at,
      duration_s: result.duration_s,
      summary: result,
      files,
    });
    return result;
  } catch (caught) {
    const cancelled = signal?.aborted === true;
    await transport?.close().catch(() => {});
    spill?.close();
    if (createdDir) await rm(dir, { recursive: true, force: true }).catch(() => {});
    const finished = {
      finished_at: new Date().toISOString(),
      duration_s: (performance.now() - started) / 1000,
    };
    if (cancelled) {
      setState("cancelled", "cancelled", finished);
      throwIfAborted(signal);
    }
    const error =
      caught instanceof AppError || caught instanceof Error ? caught : new Error(String(caught));
    setState("failed", describeError(error), finished);
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    db?.close();
  }
}
