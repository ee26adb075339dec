/**
 * An embedded evaluator thread: compiles the model once, then evaluates each batch it is
 * sent and posts the results back (the output arrays transferred, not copied).
 */
import { parentPort, workerData } from "node:worker_threads";
import { describeError } from "../../errors.js";
import { type CompiledModel, compileModel } from "../model/index.js";
import type { ModelDefinition } from "../types.js";
import { evaluateBatch } from "./evaluate.js";
import type { ResultBatch } from "./types.js";

export interface WorkerInput {
  definition: ModelDefinition;
  allowCode: boolean;
  /** The consumer name written in `consumidor`. */
  consumer: string;
}

export type ToWorker = { type: "batch"; firstId: number; count: number; values: Float64Array };

export type FromWorker =
  | { type: "ready" }
  | { type: "results"; results: ResultBatch }
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
const width = input.definition.variables.length;
port.on("message", (message: ToWorker) => {
  if (message.type !== "batch" || !model) return;
  try {
    const results = evaluateBatch(model, width, message, input.consumer);
    port.postMessage(
      { type: "results", results } satisfies FromWorker,
      Object.values(results.outputs).map((column) => column.buffer as ArrayBuffer),
    );
  } catch (error) {
    port.postMessage({ type: "error", message: describeError(error) } satisfies FromWorker);
  }
});
