/**
 * A consumer's evaluator: one worker thread (`evaluator-thread.ts`) that compiles models and
 * evaluates batches, each bounded in time. A batch (or a model's test scenario) over its
 * time is stopped by terminating the thread; the next request starts a new one, which is
 * given the models again.
 */
import { Worker } from "node:worker_threads";
import type { ScenarioTape } from "../random/index.js";
import type { ModelDefinition } from "../types.js";
import type { EvaluatorReply, EvaluatorRequest } from "./evaluator-thread.js";

const THREAD_EXT = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/** One batch's results: a column of doubles per output (NaN = error), the first errors. */
export interface EvaluatedBatch {
  columns: Record<string, Float64Array>;
  errors: { escenario_id: number; message: string }[];
}

/** The evaluation took longer than allowed: the thread was stopped. */
export class EvaluationTimeout extends Error {}

/** The batch's tape does not fit its model: no consumer could evaluate it. */
export class MalformedBatch extends Error {}

interface Pending {
  resolve: (reply: EvaluatorReply) => void;
  reject: (error: Error) => void;
}

export class Evaluator {
  private worker: Worker | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly definitions = new Map<
    string,
    { definition: ModelDefinition; allowCode: boolean }
  >();
  private readonly loaded = new Set<string>();
  private seq = 0;

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL("../../files/jobs/boot.mjs", import.meta.url), {
      workerData: { entry: new URL(`./evaluator-thread${THREAD_EXT}`, import.meta.url).href },
    });
    worker.on("message", (reply: EvaluatorReply) => {
      const key = reply.type === "model" ? `m:${reply.id}` : `b:${reply.seq}`;
      const pending = this.pending.get(key);
      this.pending.delete(key);
      pending?.resolve(reply);
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.loaded.clear();
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the evaluator thread exited (${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private request(
    key: string,
    message: EvaluatorRequest,
    timeoutMs: number,
    transfer: ArrayBuffer[] = [],
  ): Promise<EvaluatorReply> {
    const worker = this.thread();
    return new Promise<EvaluatorReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new EvaluationTimeout(`over ${timeoutMs / 1000} s`));
        if (this.worker === worker) {
          this.worker = undefined;
          this.loaded.clear();
          for (const pending of this.pending.values())
            pending.reject(new EvaluationTimeout("stopped"));
          this.pending.clear();
        }
        void worker.terminate();
      }, timeoutMs);
      this.pending.set(key, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      worker.postMessage(message, transfer);
    });
  }

  /** Compiles a model on the thread; resolves with its outputs, rejects with why not. */
  async load(
    id: string,
    definition: ModelDefinition,
    allowCode: boolean,
    timeoutMs: number,
  ): Promise<string[]> {
    this.definitions.set(id, { definition, allowCode });
    while (this.definitions.size > 4)
      this.definitions.delete(this.definitions.keys().next().value as string);
    const reply = await this.request(
      `m:${id}`,
      { type: "model", id, definition, allowCode },
      timeoutMs,
    );
    if (reply.type !== "model" || reply.error || !reply.outputs) {
      this.definitions.delete(id);
      throw new Error(reply.type === "model" ? (reply.error ?? "no outputs") : "unexpected reply");
    }
    this.loaded.add(id);
    return reply.outputs;
  }

  /** Evaluates a batch of a loaded model within `timeoutMs` (else `EvaluationTimeout`). */
  async evaluate(modelId: string, tape: ScenarioTape, timeoutMs: number): Promise<EvaluatedBatch> {
    if (!this.loaded.has(modelId)) {
      const known = this.definitions.get(modelId);
      if (!known) throw new Error(`model ${modelId} is not loaded`);
      await this.load(modelId, known.definition, known.allowCode, timeoutMs);
    }
    const seq = ++this.seq;
    const reply = await this.request(`b:${seq}`, { type: "batch", seq, modelId, tape }, timeoutMs, [
      tape.parts.buffer as ArrayBuffer,
    ]);
    if (reply.type === "batch" && reply.malformed) throw new MalformedBatch(reply.error);
    if (reply.type !== "batch" || reply.error || !reply.columns || !reply.errors)
      throw new Error(reply.type === "batch" ? (reply.error ?? "no results") : "unexpected reply");
    return { columns: reply.columns, errors: reply.errors };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
