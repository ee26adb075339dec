/**
 * The console's simulations (`/simulations`, `../shared/contracts/simulation.md`): a model
 * uploaded from the page is checked, recorded and run in the background (`runSimulation`),
 * at most `concurrency` at once (the others wait, `queued`); its events are kept (the latest
 * progress and live view) and forwarded to the page's live streams; a run can be cancelled;
 * at shutdown every run still going is cancelled.
 */
import { join } from "node:path";
import { type ControlDatabase, openControlDb } from "../control/db.js";
import { describeError } from "../errors.js";
import type { Logger } from "../log.js";
import { checkModelSource, ModelDefinitionError, parseModel } from "./model/index.js";
import {
  createRun,
  getRun,
  listRuns,
  newRunId,
  reapAndClean,
  runSimulation,
  type SimulationRun as StoredRun,
  updateRun,
} from "./run/index.js";
import type {
  ConsumerStats,
  LiveOutput,
  ProducerStats,
  RunState,
  SimulationEvent,
  SimulationMode,
  SimulationOptions,
  SimulationResult,
} from "./run/types.js";

/** A run as the console lists it (`GET /api/simulations`). */
export interface SimulationRun {
  run_id: string;
  model: { nombre: string; version: string; sha256: string };
  /** The uploaded file's name (only shown, never a path). */
  file: string;
  mode: SimulationMode;
  state: RunState;
  scenarios: number;
  seed: number;
  /** Scenarios with a result so far. */
  completed: number;
  /** Scenarios that failed so far. */
  errors: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_s: number | null;
  /** Why it failed. */
  error: string | null;
}

/** The latest `progress` event of a running simulation. */
export interface SimulationProgress {
  completed: number;
  errors: number;
  total: number;
  rate: number;
  producer: ProducerStats;
  consumers: ConsumerStats[];
}

/** One run with everything its page shows (`GET /api/simulations/:id`, the stream's snapshot). */
export interface SimulationDetail extends SimulationRun {
  /** The model's variables, in the file's order. */
  variables: string[];
  /** While it runs: the latest progress and live view. */
  progress: SimulationProgress | null;
  live: Record<string, LiveOutput> | null;
  /** When completed: the `simulate --json` document (the summary per output, the files). */
  result: SimulationResult | null;
}

/** What the page's stream forwards: the record when its state changes, progress, live views. */
export type SimulationUpdate =
  | { type: "state"; run: SimulationRun }
  | { type: "progress"; run_id: string; progress: SimulationProgress }
  | { type: "live"; run_id: string; outputs: Record<string, LiveOutput> };

/** A request the service refuses: the status and code the console answers. */
export class SimulationRequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "SimulationRequestError";
  }
}

export interface StartSimulation {
  /** The model file's bytes. */
  source: Uint8Array;
  /** The uploaded file's name (messages name the model by it). */
  name: string;
  scenarios?: number;
  seed?: number;
  mode?: SimulationMode;
}

export interface SimulationServiceOptions {
  /** `SIM_DIR`: outputs in `SIM_DIR/RUN_ID/`. */
  simDir: string;
  /** `CONTROL_DB`: runs and their summaries are recorded there. */
  controlDb?: string;
  /** `AMQP_URL`: without it only embedded runs are accepted. */
  brokerUrl?: string;
  /** `SIM_CONCURRENCY`: runs at once (default 1); the others wait. */
  concurrency?: number;
  /** `SIM_ALLOW_CODE`: run `codigo` models (JavaScript) uploaded to the console. Default false. */
  allowCode?: boolean;
  /** Worker threads of an embedded run (default: the cores). */
  workers?: number;
  /** The engine (tests pass their own); default `runSimulation`. */
  run?: (options: SimulationOptions) => Promise<SimulationResult>;
  log?: Pick<Logger, "info" | "warn" | "error" | "debug">;
}

export interface SimulationService {
  readonly brokerAvailable: boolean;
  readonly allowCode: boolean;
  /** Checks the model (a `ModelDefinitionError` names the line) and queues its run. */
  start(request: StartSimulation): Promise<SimulationRun>;
  /** Cancels a queued or running run; resolves with its record once it has stopped. */
  cancel(id: string): Promise<SimulationRun>;
  /** Newest first. */
  list(): SimulationRun[];
  get(id: string): SimulationDetail | undefined;
  /** A finished run's output file (`resultados.parquet`, `resumen.json`), if it is there. */
  filePath(id: string, name: OutputFile): string | undefined;
  /** Every update of one run until the returned function is called. */
  subscribe(id: string, listener: (update: SimulationUpdate) => void): () => void;
  /** Cancels every run still queued or running and waits for them to stop. */
  close(): Promise<void>;
}

export const OUTPUT_FILES = ["resultados.parquet", "resumen.json"] as const;
export type OutputFile = (typeof OUTPUT_FILES)[number];

export const FINAL_STATES: ReadonlySet<RunState> = new Set(["completed", "failed", "cancelled"]);

interface Entry {
  run: SimulationRun;
  source: Uint8Array;
  variables: string[];
  progress: SimulationProgress | null;
  live: Record<string, LiveOutput> | null;
  result: SimulationResult | null;
  controller: AbortController;
  /** Settles when the run has stopped (or at once for one that never started). */
  done: Promise<void>;
  finish: () => void;
  listeners: Set<(update: SimulationUpdate) => void>;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Runs listed from the control database. */
const LIST_LIMIT = 100;

/** A run recorded in the control database (by `npm run simulate`, or an earlier console). */
function fromStore(row: StoredRun): SimulationRun {
  return {
    run_id: row.run_id,
    model: {
      nombre: row.model_name ?? row.model_file ?? "?",
      version: row.model_version ?? "",
      sha256: row.model_sha256 ?? "",
    },
    file: row.model_file ?? "",
    mode: row.mode,
    state: row.state,
    scenarios: row.scenarios ?? 0,
    seed: row.seed ?? 0,
    completed: row.completed,
    errors: row.errors,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    duration_s: row.duration_s,
    error: row.error,
  };
}

function detailFromStore(row: StoredRun): SimulationDetail {
  const result = row.state === "completed" ? row.summary : null;
  const first = result ? Object.values(result.outputs)[0] : undefined;
  return {
    ...fromStore(row),
    variables: first ? Object.keys(first.sensitivity) : [],
    progress: null,
    live: null,
    result,
  };
}

/**
 * The console's simulation service.
 *
 * @example
 * const sims = createSimulationService({ simDir: "simulaciones", controlDb: "database/control.db" });
 * const run = await sims.start({ source: bytes, name: "ejemplo.ini", scenarios: 100_000 });
 * const stop = sims.subscribe(run.run_id, (update) => console.log(update.type));
 */
export function createSimulationService(options: SimulationServiceOptions): SimulationService {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const allowCode = options.allowCode === true;
  const log = options.log;
  const entries = new Map<string, Entry>();
  const waiting: string[] = [];
  let running = 0;
  let closing = false;

  const engine = options.run ?? runSimulation;
  const db: ControlDatabase | undefined = options.controlDb
    ? openControlDb(options.controlDb)
    : undefined;
  // Runs a dead console or CLI left running: failed, with why, their folders removed.
  if (db)
    for (const id of reapAndClean(db, options.simDir))
      log?.warn(`simulation ${id}: its process ended before it finished; recorded as failed`);
  /** Writes to the control database; a failure there is logged, never the run's. */
  const store = <T>(what: string, write: (db: ControlDatabase) => T): T | undefined => {
    if (!db) return undefined;
    try {
      return write(db);
    } catch (error) {
      log?.warn(`simulations: ${what}: ${describeError(error)}`);
      return undefined;
    }
  };

  const emit = (entry: Entry, update: SimulationUpdate) => {
    for (const listener of entry.listeners) {
      try {
        listener(update);
      } catch (error) {
        log?.warn(`simulation ${entry.run.run_id}: a listener failed: ${describeError(error)}`);
      }
    }
  };
  const changed = (entry: Entry) => emit(entry, { type: "state", run: { ...entry.run } });

  const end = (entry: Entry, state: RunState, error: string | null = null, duration?: number) => {
    const run = entry.run;
    run.state = state;
    run.error = error;
    run.finished_at = new Date().toISOString();
    if (duration !== undefined) run.duration_s = duration;
    else if (run.started_at)
      run.duration_s = (Date.parse(run.finished_at) - Date.parse(run.started_at)) / 1000;
    entry.source = new Uint8Array(0);
    if (!entry.run.started_at)
      // Never started: runSimulation did not record how it ended.
      store("record the cancellation", (db) =>
        updateRun(db, run.run_id, { state, error, finished_at: run.finished_at }, ["queued"]),
      );
    changed(entry);
    entry.finish();
  };

  const onEvent = (entry: Entry) => (event: SimulationEvent) => {
    if (FINAL_STATES.has(entry.run.state)) return;
    switch (event.type) {
      case "state":
        // The final state is the service's to say (from runSimulation's outcome).
        if (event.state === "running" && entry.run.state !== "running") {
          entry.run.state = "running";
          changed(entry);
        }
        return;
      case "progress": {
        const { type: _type, run_id: _id, ...progress } = event;
        entry.progress = progress;
        entry.run.completed = progress.completed;
        entry.run.errors = progress.errors;
        emit(entry, { type: "progress", run_id: entry.run.run_id, progress });
        return;
      }
      case "live":
        entry.live = event.outputs;
        emit(entry, { type: "live", run_id: entry.run.run_id, outputs: event.outputs });
        return;
    }
  };

  const execute = async (entry: Entry) => {
    const run = entry.run;
    running++;
    run.state = "running";
    run.started_at = new Date().toISOString();
    changed(entry);
    log?.info(`simulation ${run.run_id}: ${run.file}, ${run.scenarios} scenarios, ${run.mode}`, {
      run_id: run.run_id,
    });
    try {
      const result = await engine({
        modelSource: entry.source,
        modelName: run.file,
        scenarios: run.scenarios,
        seed: run.seed,
        mode: run.mode,
        workers: options.workers,
        allowCode,
        brokerUrl: options.brokerUrl,
        simDir: options.simDir,
        controlDb: options.controlDb,
        signal: entry.controller.signal,
        onEvent: onEvent(entry),
        runId: run.run_id,
      });
      if (entry.controller.signal.aborted) {
        end(entry, "cancelled");
      } else {
        entry.result = result;
        run.completed = result.completed;
        run.errors = result.errors;
        end(entry, "completed", null, result.duration_s);
      }
    } catch (error) {
      if (entry.controller.signal.aborted) end(entry, "cancelled");
      else {
        log?.warn(`simulation ${run.run_id} failed: ${describeError(error)}`);
        end(entry, "failed", describeError(error).slice(0, 500));
      }
    } finally {
      running--;
      pump();
    }
  };

  const pump = () => {
    while (!closing && running < concurrency && waiting.length > 0) {
      const entry = entries.get(waiting.shift() as string);
      if (entry && entry.run.state === "queued") void execute(entry);
    }
  };

  const api: SimulationService = {
    brokerAvailable: Boolean(options.brokerUrl),
    allowCode,

    async start(request) {
      if (closing)
        throw new SimulationRequestError(409, "console_closing", "the console is shutting down");
      const mode = request.mode ?? "embedded";
      if (mode === "rabbitmq" && !options.brokerUrl)
        throw new SimulationRequestError(
          400,
          "rabbitmq_unavailable",
          "this console has no RabbitMQ (AMQP_URL is not set): run the simulation embedded, on the console's worker threads",
        );
      // Throws ModelDefinitionError (the line and the reason) or UsageError: nothing is queued.
      const parsed = parseModel(request.source, request.name);
      if (parsed.function.kind === "codigo" && !allowCode)
        throw new ModelDefinitionError(
          request.name,
          parsed.function.line,
          "codigo runs JavaScript, which this console does not run unless its settings allow it (SIM_ALLOW_CODE=true); write the function as an expresion, or run it with npm run simulate -- --allow-code",
        );
      // A codigo model's test scenario runs on a thread of its own: it cannot freeze the console.
      const { definition } = await checkModelSource(request.source, request.name, {
        scenarios: request.scenarios,
        seed: request.seed,
        allowCode,
      });
      const run: SimulationRun = {
        run_id: newRunId(),
        model: {
          nombre: definition.metadata.nombre,
          version: definition.metadata.version,
          sha256: definition.sha256,
        },
        file: request.name,
        mode,
        state: "queued",
        scenarios: definition.scenarios,
        seed: definition.seed,
        completed: 0,
        errors: 0,
        created_at: new Date().toISOString(),
        started_at: null,
        finished_at: null,
        duration_s: null,
        error: null,
      };
      let finish = () => {};
      const done = new Promise<void>((resolve) => {
        finish = resolve;
      });
      entries.set(run.run_id, {
        run,
        source: request.source,
        variables: definition.variables.map((variable) => variable.name),
        progress: null,
        live: null,
        result: null,
        controller: new AbortController(),
        done,
        finish,
        listeners: new Set(),
      });
      store("record the run", (db) =>
        createRun(db, {
          run_id: run.run_id,
          mode,
          state: "queued",
          model_name: run.model.nombre,
          model_version: run.model.version,
          model_sha256: run.model.sha256,
          model_file: run.file,
          scenarios: run.scenarios,
          seed: run.seed,
        }),
      );
      waiting.push(run.run_id);
      pump();
      return { ...run };
    },

    async cancel(id) {
      const entry = entries.get(id);
      if (!entry) {
        const run = api.get(id);
        if (!run)
          throw new SimulationRequestError(
            404,
            "simulation_not_found",
            `no simulation ${JSON.stringify(id.slice(0, 80))}`,
          );
        throw new SimulationRequestError(
          409,
          FINAL_STATES.has(run.state) ? "simulation_finished" : "simulation_elsewhere",
          FINAL_STATES.has(run.state)
            ? `simulation ${JSON.stringify(id.slice(0, 80))} is already ${run.state}`
            : `simulation ${JSON.stringify(id.slice(0, 80))} was not started by this console (npm run simulate, or a console that stopped): stop it where it runs`,
        );
      }
      if (FINAL_STATES.has(entry.run.state))
        throw new SimulationRequestError(
          409,
          "simulation_finished",
          `simulation ${JSON.stringify(id.slice(0, 80))} is already ${entry.run.state}`,
        );
      if (entry.run.state === "queued") {
        const at = waiting.indexOf(id);
        if (at !== -1) waiting.splice(at, 1);
        entry.controller.abort();
        end(entry, "cancelled");
      } else {
        entry.controller.abort();
        log?.info(`simulation ${id}: cancelled`, { run_id: id });
      }
      await entry.done;
      return { ...entry.run };
    },

    list() {
      const mine = [...entries.values()].map((entry) => ({ ...entry.run }));
      const ids = new Set(mine.map((run) => run.run_id));
      const stored = (store("list the runs", (db) => listRuns(db, { limit: LIST_LIMIT })) ?? [])
        .filter((row) => !ids.has(row.run_id))
        .map(fromStore);
      return [...mine, ...stored]
        .sort((a, b) => b.created_at.localeCompare(a.created_at))
        .slice(0, Math.max(LIST_LIMIT, mine.length));
    },

    get(id) {
      const entry = entries.get(id);
      if (!entry) {
        const row = store("read a run", (db) => getRun(db, id));
        return row ? detailFromStore(row) : undefined;
      }
      const over = FINAL_STATES.has(entry.run.state);
      return {
        ...entry.run,
        variables: entry.variables,
        progress: entry.progress,
        live: over && entry.result ? null : entry.live,
        result: entry.result,
      };
    },

    filePath(id, name) {
      const entry = entries.get(id);
      const run = entry?.run ?? api.get(id);
      if (run?.state !== "completed" || !RUN_ID.test(id)) return undefined;
      const files =
        entry?.result?.files ?? store("read a run", (db) => getRun(db, id))?.files ?? undefined;
      if (files) return name === "resultados.parquet" ? files.results : files.summary;
      return join(options.simDir, id, name);
    },

    subscribe(id, listener) {
      const entry = entries.get(id);
      if (entry) {
        entry.listeners.add(listener);
        return () => {
          entry.listeners.delete(listener);
        };
      }
      // A run of another process (npm run simulate): its record, as it changes, every second.
      let last = api.get(id);
      if (!last)
        throw new SimulationRequestError(
          404,
          "simulation_not_found",
          `no simulation ${JSON.stringify(id.slice(0, 80))}`,
        );
      const timer = setInterval(() => {
        const now = api.get(id);
        if (!now || !last) return;
        if (
          now.state !== last.state ||
          now.completed !== last.completed ||
          now.errors !== last.errors
        ) {
          const { variables: _v, progress: _p, live: _l, result: _r, ...run } = now;
          listener({ type: "state", run });
        }
        last = now;
        if (FINAL_STATES.has(now.state)) clearInterval(timer);
      }, 1000);
      timer.unref();
      return () => clearInterval(timer);
    },

    async close() {
      closing = true;
      const open = [...entries.values()].filter((entry) => !FINAL_STATES.has(entry.run.state));
      for (const entry of open) {
        if (entry.run.state === "queued") {
          entry.controller.abort();
          end(entry, "cancelled", "the console shut down before it started");
        } else entry.controller.abort();
      }
      waiting.length = 0;
      await Promise.all(open.map((entry) => entry.done));
      db?.close();
    },
  };
  return api;
}
