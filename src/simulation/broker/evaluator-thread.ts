/**
 * The thread a consumer evaluates its batches on (see `evaluator.ts`): it compiles the
 * models it is given and answers each batch with its results, so a model that loops
 * forever can be stopped (the thread is terminated) and the consumer's own thread stays
 * free for the broker's heartbeats.
 */
import { parentPort } from "node:worker_threads";
import { describeError } from "../../errors.js";
import { type CompiledModel, compileModel } from "../model/index.js";
import { evaluateBatch } from "../run/evaluate.js";
import type { ModelDefinition } from "../types.js";

export type EvaluatorRequest =
  | { type: "model"; id: string; definition: ModelDefinition; allowCode: boolean }
  | {
      type: "batch";
      seq: number;
      modelId: string;
      firstId: number;
      count: number;
      width: number;
      values: Float64Array;
    };

export type EvaluatorReply =
  | { type: "model"; id: string; outputs?: string[]; error?: string }
  | {
      type: "batch";
      seq: number;
      columns?: Record<string, Float64Array>;
      errors?: { escenario_id: number; message: string }[];
      error?: string;
    };

const models = new Map<string, CompiledModel>();
const port = parentPort;
if (!port) throw new Error("evaluator-thread.ts runs on a worker thread");

port.on("message", (request: EvaluatorRequest) => {
  if (request.type === "model") {
    try {
      const compiled = compileModel(request.definition, {
        allowCode: request.allowCode,
        file: `modelo ${request.definition.metadata?.nombre ?? request.id}`,
      });
      models.set(request.id, compiled);
      while (models.size > 4) models.delete(models.keys().next().value as string);
      port.postMessage({ type: "model", id: request.id, outputs: compiled.outputs });
    } catch (error) {
      port.postMessage({ type: "model", id: request.id, error: describeError(error) });
    }
    return;
  }
  const model = models.get(request.modelId);
  if (!model) {
    port.postMessage({ type: "batch", seq: request.seq, error: "model not loaded" });
    return;
  }
  const { outputs: columns, errors } = evaluateBatch(model, request.width, request, "");
  port.postMessage(
    { type: "batch", seq: request.seq, columns, errors },
    Object.values(columns).map((column) => column.buffer as ArrayBuffer),
  );
});
