/**
 * The thread a consumer evaluates its batches on (see `evaluator.ts`): it compiles the
 * models it is given and answers each batch with its results, so a model that loops
 * forever can be stopped (the thread is terminated) and the consumer's own thread stays
 * free for the broker's heartbeats.
 */
import { parentPort } from "node:worker_threads";
import { describeError } from "../../errors.js";
import { type CompiledModel, compileModel } from "../model/index.js";
import { type ScenarioTape, TapeReader } from "../random/index.js";
import { evaluateTape, MalformedTapeError } from "../run/evaluate.js";
import type { ModelDefinition } from "../types.js";

export type EvaluatorRequest =
  | { type: "model"; id: string; definition: ModelDefinition; allowCode: boolean }
  | { type: "batch"; seq: number; modelId: string; tape: ScenarioTape };

export type EvaluatorReply =
  | { type: "model"; id: string; outputs?: string[]; error?: string }
  | {
      type: "batch";
      seq: number;
      columns?: Record<string, Float64Array>;
      errors?: { escenario_id: number; message: string }[];
      error?: string;
      /** The tape does not fit the model: no consumer could ever evaluate this batch. */
      malformed?: boolean;
    };

const models = new Map<string, { compiled: CompiledModel; reader: TapeReader }>();
const port = parentPort;
if (!port) throw new Error("evaluator-thread.ts runs on a worker thread");

port.on("message", (request: EvaluatorRequest) => {
  if (request.type === "model") {
    try {
      const compiled = compileModel(request.definition, {
        allowCode: request.allowCode,
        file: `modelo ${request.definition.metadata?.nombre ?? request.id}`,
      });
      models.set(request.id, { compiled, reader: new TapeReader(request.definition.variables) });
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
  let evaluated: ReturnType<typeof evaluateTape>;
  try {
    evaluated = evaluateTape(model.compiled, model.reader, request.tape, "");
  } catch (error) {
    const malformed = error instanceof MalformedTapeError;
    port.postMessage({ type: "batch", seq: request.seq, error: describeError(error), malformed });
    return;
  }
  const { outputs: columns, errors } = evaluated;
  port.postMessage(
    { type: "batch", seq: request.seq, columns, errors },
    Object.values(columns).map((column) => column.buffer as ArrayBuffer),
  );
});
