/**
 * An embedded evaluator thread: compiles the model once, then for each batch it is sent
 * computes the scenarios' values from the batch's tape, evaluates them and posts the results
 * back (the output arrays transferred, not copied).
 */
import { parentPort, workerData } from "node:worker_threads";
import { describeError } from "../../errors.js";
import { type CompiledModel, compileModel } from "../model/index.js";
import { type ScenarioTape, TapeReader } from "../random/index.js";
import type { ModelDefinition } from "../types.js";
import { evaluateTape } from "./evaluate.js";
import type { ResultBatch } from "./types.js";

export interface WorkerInput {
  definition: ModelDefinition;
  allowCode: boolean;
  /** The consumer name written in `consumidor`. */
  consumer: string;
}

export type ToWorker = { type: "batch" } & ScenarioTape;

export type FromWorker =
  | { type: "ready" }
  /** `parts`: the batch's tape, handed back for the next batch. */
  | { type: "results"; results: ResultBatch; parts: Float64Array }
  | { type: "error"; message: string };

const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");
const input = (workerData as { input: WorkerInput }).input;
let model: CompiledModel | undefined;
try {
  model = compileModel(input.definition, { allowCode: input.allowCode });
  port.postMessage({ type: "ready" } satisfies FromWorker);
} catch (error) {
  port.postMessage({ type: "error", message: describeError(error) } satisfies FromWorker);
}
const reader = new TapeReader(input.definition.variables);
/** The values of a batch, reused from batch to batch. */
let scratch = new Float64Array(0);
port.on("message", (message: ToWorker) => {
  if (message.type !== "batch" || !model) return;
  try {
    const size = message.count * input.definition.variables.length;
    if (scratch.length < size) scratch = new Float64Array(size);
    const results = evaluateTape(model, reader, message, input.consumer, scratch);
    const parts = message.parts;
    port.postMessage({ type: "results", results, parts } satisfies FromWorker, [
      ...Object.values(results.outputs).map((column) => column.buffer as ArrayBuffer),
      parts.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    port.postMessage({ type: "error", message: describeError(error) } satisfies FromWorker);
  }
});
