/**
 * The embedded transport: `workers` worker threads on this machine, each compiling the
 * model once and evaluating the batches it is sent. Each thread has at most `inFlight`
 * batches (default 2: one evaluating, one waiting), so `send` resolves only when a thread
 * has room — the producer never runs ahead of the evaluators by more than that.
 *
 * A batch whose evaluation takes longer than `timeoutS` (the model's `timeout_consumidor`)
 * makes its thread be replaced: that batch's scenarios become errors, the batches queued
 * behind it go to the new thread. A thread that dies otherwise fails the run.
 */
import { availableParallelism, hostname } from "node:os";
import { Worker } from "node:worker_threads";
import { AppError } from "../../errors.js";
import type { ModelDefinition } from "../types.js";
import type {
  ConsumerStats,
  ProducerStats,
  ResultBatch,
  ScenarioBatch,
  Transport,
} from "./types.js";
import type { FromWorker, ToWorker, WorkerInput } from "./worker.js";

const WORKER_EXT = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/** The run could not finish: a worker or the broker failed (exit 1). */
export class SimulationError extends AppError {
  constructor(message: string) {
    super(message, "simulation", 1);
  }
}

export interface EmbeddedTransportOptions {
  /** Worker threads (default: the cores). */
  workers?: number;
  /** Whether `codigo` may run (`--allow-code`). */
  allowCode?: boolean;
  /** Batches queued per thread (default 2). */
  inFlight?: number;
  /** Seconds one batch may take (default: the model's `timeout_consumidor`). */
  timeoutS?: number;
}

interface Pending {
  batch: ScenarioBatch;
}

interface Slot {
  index: number;
  name: string;
  worker: Worker;
  queue: Pending[];
  /** Timer of the batch at the head of the queue (the one being evaluated). */
  timer: NodeJS.Timeout | undefined;
  processed: number;
  started: number;
  lastSeen: number;
  state: "starting" | "idle" | "busy" | "stopped";
}

export const defaultWorkers = (): number => Math.max(1, availableParallelism());

export class EmbeddedTransport implements Transport {
  readonly mode = "embedded" as const;
  readonly workers: number;
  private readonly allowCode: boolean;
  private readonly inFlight: number;
  private timeoutS: number | undefined;
  private slots: Slot[] = [];
  /** Tape buffers handed back by the threads, for the next batches' copies. */
  private buffers: ArrayBuffer[] = [];
  private definition: ModelDefinition | undefined;
  private onResults: ((results: ResultBatch) => void) | undefined;
  private failure: Error | undefined;
  private closed = false;
  private published = 0;
  private started = Date.now();
  /** Called when a slot frees room, a batch completes, or the transport fails. */
  private waiters: (() => void)[] = [];

  constructor(options: EmbeddedTransportOptions = {}) {
    this.workers = options.workers ?? defaultWorkers();
    if (!Number.isInteger(this.workers) || this.workers < 1)
      throw new RangeError(`workers must be a positive integer, got ${this.workers}`);
    this.allowCode = options.allowCode === true;
    this.inFlight = options.inFlight ?? 2;
    this.timeoutS = options.timeoutS;
  }

  async start(
    model: ModelDefinition,
    _modelId: string,
    onResults: (results: ResultBatch) => void,
  ): Promise<void> {
    this.definition = model;
    this.onResults = onResults;
    this.timeoutS ??= model.consumerTimeoutS;
    this.started = Date.now();
    const ready = Array.from({ length: this.workers }, (_, i) => this.spawn(i));
    this.slots = ready.map((r) => r.slot);
    try {
      await Promise.all(ready.map((r) => r.ready));
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** Starts thread `index` (again, after a timeout); resolves when it has compiled the model. */
  private spawn(index: number, queue: Pending[] = []): { slot: Slot; ready: Promise<void> } {
    const name = `worker-${index + 1}`;
    const input: WorkerInput = {
      definition: this.definition as ModelDefinition,
      allowCode: this.allowCode,
      consumer: name,
    };
    const worker = new Worker(new URL("../../etl/read/boot.mjs", import.meta.url), {
      workerData: { entry: new URL(`./worker${WORKER_EXT}`, import.meta.url).href, input },
    });
    const now = Date.now();
    const slot: Slot = {
      index,
      name,
      worker,
      queue,
      timer: undefined,
      processed: 0,
      started: now,
      lastSeen: now,
      state: "starting",
    };
    const ready = new Promise<void>((resolve, reject) => {
      let isReady = false;
      // A replaced thread (timed out) is ignored from then on.
      const retired = () => this.slots[slot.index] !== slot;
      worker.on("message", (message: FromWorker) => {
        if (retired()) return;
        slot.lastSeen = Date.now();
        if (message.type === "ready") {
          isReady = true;
          slot.state = slot.queue.length > 0 ? "busy" : "idle";
          for (const pending of slot.queue) this.post(slot, pending);
          this.armTimer(slot);
          resolve();
        } else if (message.type === "results") {
          if (this.buffers.length < 4 * this.workers)
            this.buffers.push(message.parts.buffer as ArrayBuffer);
          this.completed(slot, message.results);
        } else {
          const error = new SimulationError(`${name}: ${message.message}`);
          if (!isReady) reject(error);
          this.fail(error);
        }
      });
      worker.on("error", (error) => {
        if (retired()) return;
        const failure = new SimulationError(`${name} failed: ${error.message}`);
        if (!isReady) reject(failure);
        this.fail(failure);
      });
      worker.on("exit", (code) => {
        slot.state = "stopped";
        // Closed (cancelled) before it was ready: `start` must not wait for it forever.
        if (!isReady && this.closed) reject(new SimulationError("the transport was closed"));
        if (this.closed || retired()) return;
        const failure = new SimulationError(`${name} stopped unexpectedly (exit code ${code})`);
        if (!isReady) reject(failure);
        this.fail(failure);
      });
    });
    return { slot, ready };
  }

  /**
   * Sends a batch's tape to a thread: a copy, transferred (copying is cheaper than
   * postMessage's serialization, and the batch keeps its tape for a replacement thread),
   * in a buffer a thread handed back with its results when there is one.
   */
  private post(slot: Slot, pending: Pending): void {
    const { firstId, count } = pending.batch;
    const size = pending.batch.parts.length;
    let buffer = this.buffers.pop();
    if (!buffer || buffer.byteLength < size * 8) buffer = new ArrayBuffer(size * 8);
    const parts = new Float64Array(buffer, 0, size);
    parts.set(pending.batch.parts);
    slot.worker.postMessage({ type: "batch", firstId, count, parts } satisfies ToWorker, [buffer]);
  }

  private armTimer(slot: Slot): void {
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.timer = undefined;
    const timeout = this.timeoutS;
    if (slot.queue.length === 0 || slot.state === "starting" || !timeout || timeout <= 0) return;
    slot.timer = setTimeout(() => this.timedOut(slot), timeout * 1000);
    slot.timer.unref();
  }

  /** The head batch took too long: its scenarios are errors, the thread is replaced. */
  private timedOut(slot: Slot): void {
    if (this.closed || this.failure) return;
    const head = slot.queue.shift();
    if (!head) return;
    const old = slot.worker;
    const { slot: fresh, ready } = this.spawn(slot.index, slot.queue);
    this.slots[slot.index] = fresh;
    void old.terminate();
    ready.catch(() => {}); // a failure there reaches this.fail
    const { firstId, count } = head.batch;
    head.batch.release?.();
    // No output columns: every scenario of the batch is an error.
    const outputs: Record<string, Float64Array> = {};
    const message = `the batch's evaluation took longer than timeout_consumidor (${this.timeoutS} s)`;
    const errors = Array.from({ length: Math.min(count, 100) }, (_, i) => ({
      escenario_id: firstId + i,
      message,
    }));
    this.deliver({ firstId, count, outputs, errors, consumer: slot.name });
  }

  private completed(slot: Slot, results: ResultBatch): void {
    const head = slot.queue.shift();
    if (!head || head.batch.firstId !== results.firstId) {
      this.fail(new SimulationError(`${slot.name}: results for a batch it was not evaluating`));
      return;
    }
    head.batch.release?.();
    slot.processed += results.count;
    slot.state = slot.queue.length > 0 ? "busy" : "idle";
    this.armTimer(slot);
    this.deliver(results);
  }

  private deliver(results: ResultBatch): void {
    try {
      this.onResults?.(results);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private fail(error: Error): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    this.wake();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async send(batch: ScenarioBatch): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.closed) throw new SimulationError("the transport is closed");
      let best: Slot | undefined;
      for (const slot of this.slots)
        if (slot.queue.length < this.inFlight && (!best || slot.queue.length < best.queue.length))
          best = slot;
      if (best) {
        const pending = { batch };
        best.queue.push(pending);
        this.published += batch.count;
        if (best.state !== "starting") {
          this.post(best, pending);
          if (best.queue.length === 1) {
            best.state = "busy";
            this.armTimer(best);
          }
        }
        return;
      }
      await this.wait();
    }
  }

  async drain(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.slots.every((slot) => slot.queue.length === 0)) return;
      await this.wait();
    }
  }

  stats(): { producer: ProducerStats; consumers: ConsumerStats[] } {
    const now = Date.now();
    const seconds = Math.max(1e-3, (now - this.started) / 1000);
    const host = hostname();
    return {
      producer: {
        generated: this.published,
        published: this.published,
        rate: this.published / seconds,
        state: this.failure ? "failed" : this.closed ? "stopped" : "running",
        time: new Date(now).toISOString(),
      },
      consumers: this.slots.map((slot) => ({
        id: slot.name,
        host,
        pid: process.pid,
        processed: slot.processed,
        rate: slot.processed / Math.max(1e-3, (now - slot.started) / 1000),
        state: slot.state,
        last_seen: new Date(slot.lastSeen).toISOString(),
      })),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) if (slot.timer !== undefined) clearTimeout(slot.timer);
    await Promise.all(this.slots.map((slot) => slot.worker.terminate().catch(() => 0)));
    this.wake();
  }
}

export function createEmbeddedTransport(options: EmbeddedTransportOptions = {}): EmbeddedTransport {
  return new EmbeddedTransport(options);
}
