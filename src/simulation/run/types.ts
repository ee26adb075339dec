/**
 * The seams of a simulation run (`../shared/contracts/simulation.md`): what a run is asked
 * to do, what it reports while it runs (the dashboard's events), what it returns (the
 * `simulate --json` document), and the transport that carries scenario batches to
 * evaluators and results back — worker threads (embedded) or RabbitMQ.
 */
import type { ScenarioTape } from "../random/index.js";
import type { ModelDefinition, OutputSummary } from "../types.js";

export type SimulationMode = "embedded" | "rabbitmq";
export type RunState = "queued" | "running" | "completed" | "failed" | "cancelled";

export interface SimulationOptions {
  /** The model file (or `modelSource` + `modelName` for an uploaded model). */
  modelPath?: string;
  modelSource?: string | Uint8Array;
  modelName?: string;
  scenarios?: number;
  seed?: number;
  mode?: SimulationMode;
  /** Embedded: worker threads (default: the cores). */
  workers?: number;
  allowCode?: boolean;
  /** RabbitMQ (`--broker`, `AMQP_URL`). */
  brokerUrl?: string;
  /** Scenarios per batch (default 1000). */
  batch?: number;
  /** `SIM_DIR` (default `simulaciones`): outputs go to `SIM_DIR/RUN_ID/`. */
  simDir?: string;
  /** `CONTROL_DB`: the run and its summary are recorded there. */
  controlDb?: string;
  signal?: AbortSignal;
  onEvent?: (event: SimulationEvent) => void;
  /** A run id chosen by the caller (the console creates the record first); default a new one. */
  runId?: string;
}

/** One consumer as the dashboard lists it (`stats_consumidores`). */
export interface ConsumerStats {
  id: string;
  host: string;
  pid: number;
  processed: number;
  rate: number;
  state: string;
  last_seen: string;
}

/** The producer's stats (`stats_productor`). */
export interface ProducerStats {
  generated: number;
  published: number;
  rate: number;
  state: string;
  time: string;
}

/** The live view of one output while the run goes on (from `LiveSummary.snapshot()`). */
export interface LiveOutput {
  count: number;
  errors: number;
  mean: number;
  ci95: [number, number];
  histogram: { edges: number[]; counts: number[] };
  /** Running mean points so far: [results, mean]. */
  convergence: [number, number][];
}

export type SimulationEvent =
  | { type: "state"; run_id: string; state: RunState; error?: string }
  | {
      type: "progress";
      run_id: string;
      completed: number;
      errors: number;
      total: number;
      rate: number;
      producer: ProducerStats;
      consumers: ConsumerStats[];
    }
  | { type: "live"; run_id: string; outputs: Record<string, LiveOutput> };

/** `simulate --json` and the result of `runSimulation`. */
export interface SimulationResult {
  run_id: string;
  mode: SimulationMode;
  model: { nombre: string; version: string; sha256: string };
  scenarios: number;
  seed: number;
  workers: number;
  completed: number;
  errors: number;
  duration_s: number;
  scenarios_per_s: number;
  outputs: Record<string, OutputSummary>;
  files: { results: string; summary: string };
  /** The first 100 errors: scenario id and message. */
  error_samples: { escenario_id: number; message: string }[];
}

/**
 * A batch of scenarios as it travels: ids `firstId … firstId+count-1` as their tape (the
 * stream's outputs they consume, `random/tape.ts`): the evaluator draws their values.
 */
export interface ScenarioBatch extends ScenarioTape {
  modelId: string;
  /** Called by the transport once it no longer needs the tape (its buffer may be reused). */
  release?: () => void;
}

/** The results of one batch, per output, aligned with the batch's scenarios (NaN = error). */
export interface ResultBatch {
  firstId: number;
  count: number;
  /** By output name: `count` doubles (NaN where the scenario failed). */
  outputs: Record<string, Float64Array>;
  errors: { escenario_id: number; message: string }[];
  consumer: string;
}

/**
 * Carries batches to evaluators and results back. The producer publishes at most a bounded
 * number of batches ahead (the transport applies backpressure: `send` resolves when there is
 * room) and receives each batch's results once (a transport that may deliver a batch twice —
 * RabbitMQ — deduplicates by scenario id before `onResults`).
 */
export interface Transport {
  readonly mode: SimulationMode;
  /**
   * Starts the evaluators with this model; resolves when they are ready. `outputs`: the
   * model's outputs as its check found them (else the transport finds them itself).
   */
  start(
    model: ModelDefinition,
    modelId: string,
    onResults: (results: ResultBatch) => void,
    outputs?: readonly string[],
  ): Promise<void>;
  send(batch: ScenarioBatch): Promise<void>;
  /** Resolves when every batch sent has had its results delivered. */
  drain(): Promise<void>;
  stats(): { producer: ProducerStats; consumers: ConsumerStats[] };
  close(): Promise<void>;
}
