import { randomUUID } from "node:crypto";
import { describeError } from "../../errors.js";
import type { JobEvent, JobQueue, JobRecord, StoredFile } from "../types.js";
import {
  createJobRow,
  type JobEvents,
  type JobLog,
  removeDir,
  removeTempCopy,
  resultDirOf,
  tempPathOf,
} from "./common.js";
import { finalRate, progressFields, type RunProgress, Throttle } from "./progress.js";
import { processInThread } from "./run-thread.js";
import type { JobRow, JobStore } from "./store.js";

export interface EmbeddedOptions {
  store: JobStore;
  events: JobEvents;
  tempDir: string;
  resultsDir: string;
  /** Jobs run at once (`JOB_CONCURRENCY`). */
  concurrency: number;
  chunkSize: number;
  log: JobLog;
}

/** Why a running job's thread was stopped. */
type StopReason = "cancel" | "close";

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/** The embedded queues alive in this process (`pid:instance`): their jobs are not orphans. */
const liveOwners = new Set<string>();

/** Whether the process (or, in this process, the queue) that took a job still runs. */
function ownerAlive(owner: string | null): boolean {
  if (!owner) return false;
  const pid = Number(owner.split(":")[0]);
  if (pid === process.pid) return liveOwners.has(owner);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The default queue: jobs are rows of the control database, run on worker threads of this
 * process (`concurrency` at a time, oldest first). A job left `processing` by a process that
 * is gone (a crash, a restart) goes back to `queued` at start and runs again from scratch;
 * `close()` puts its own running jobs back to `queued` the same way.
 */
export class EmbeddedQueue implements JobQueue {
  readonly kind = "embedded";
  private readonly owner = `${process.pid}:${randomUUID()}`;
  private readonly running = new Map<string, Running>();
  private pumpScheduled = false;
  private closed = false;

  constructor(private readonly options: EmbeddedOptions) {}

  /** Requeues the jobs of processes that are gone, then starts the queued ones. */
  start(): void {
    liveOwners.add(this.owner);
    const { store, log } = this.options;
    for (const row of store.unfinished("embedded")) {
      if (row.state !== "processing" || ownerAlive(row.owner)) continue;
      if (store.requeue(row.job_id)) {
        log.warn(`job ${row.job_id} (${row.name}) was interrupted: queued to run again`);
        this.options.events.emit("state", store.record(row.job_id));
      }
    }
    this.schedulePump();
  }

  async enqueue(file: StoredFile): Promise<JobRecord> {
    if (this.closed) throw new Error("the job queue is closed");
    const { store } = this.options;
    const jobId = await createJobRow(store, this.options.tempDir, file, "embedded");
    const record = store.record(jobId) as JobRecord;
    this.options.events.emit("state", record);
    this.schedulePump();
    return record;
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    return this.options.store.record(jobId);
  }

  async list(): Promise<JobRecord[]> {
    return this.options.store.list();
  }

  async cancel(jobId: string): Promise<JobRecord | undefined> {
    const { store, events, tempDir, resultsDir } = this.options;
    const row = store.row(jobId);
    if (!row) return undefined;
    const running = this.running.get(jobId);
    if (running) {
      running.controller.abort("cancel" satisfies StopReason);
      await running.done;
    } else if (row.state === "queued" || row.state === "processing") {
      // Queued, or processing in a process that is gone: nothing runs it here.
      if (store.cancel(jobId)) {
        events.emit("state", store.record(jobId));
        await removeDir(resultDirOf(resultsDir, jobId));
        await removeTempCopy(store, tempDir, row.file_id);
      }
    }
    return store.record(jobId);
  }

  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    return this.options.events.subscribe(jobId, listener);
  }

  /** Stops the running jobs' threads; those jobs are queued again for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const running of this.running.values())
      running.controller.abort("close" satisfies StopReason);
    await Promise.all([...this.running.values()].map((running) => running.done));
    liveOwners.delete(this.owner);
  }

  /**
   * Starts queued jobs on a later turn of the event loop, so whoever just enqueued one (or
   * created the queue) can subscribe to its events before it starts.
   */
  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Starts queued jobs while there is room. */
  private pump(): void {
    while (!this.closed && this.running.size < this.options.concurrency) {
      const row = this.options.store.claimNext("embedded", this.owner);
      if (!row) return;
      const controller = new AbortController();
      const done = this.execute(row, controller.signal)
        .catch((error) => {
          this.options.log.error(`job ${row.job_id}: ${describeError(error)}`, {
            stack: (error as Error)?.stack,
          });
        })
        .finally(() => {
          this.running.delete(row.job_id);
          this.schedulePump();
        });
      this.running.set(row.job_id, { controller, done });
    }
  }

  private async execute(row: JobRow, signal: AbortSignal): Promise<void> {
    const { store, events, tempDir, resultsDir, chunkSize, log } = this.options;
    const jobId = row.job_id;
    const outDir = resultDirOf(resultsDir, jobId);
    events.emit("state", store.record(jobId));
    log.info(`job ${jobId}: processing ${row.name}`);
    const throttle = new Throttle<RunProgress>((progress) => {
      if (store.progress(jobId, progressFields(progress)))
        events.emit("progress", store.record(jobId));
    });
    try {
      await removeDir(outDir); // what an interrupted attempt left
      const outcome = await processInThread(
        { path: tempPathOf(tempDir, row.file_id), name: row.name, outDir, chunkSize },
        { signal, onProgress: (progress) => throttle.push(progress) },
      );
      throttle.cancel();
      if (
        store.complete(jobId, {
          rows: outcome.rows,
          rows_per_s: finalRate(outcome.rows, outcome.elapsedMs),
          outputs: outcome.outputs,
        })
      ) {
        log.info(`job ${jobId}: completed, ${outcome.rows} rows`);
        events.emit("state", store.record(jobId));
      }
      await removeTempCopy(store, tempDir, row.file_id);
    } catch (error) {
      throttle.cancel();
      await removeDir(outDir);
      if (signal.aborted && (signal.reason as StopReason) === "close") {
        store.requeue(jobId); // runs again at the next start
        return;
      }
      const changed = signal.aborted
        ? store.cancel(jobId)
        : store.fail(jobId, describeError(error));
      if (changed) {
        if (signal.aborted) log.info(`job ${jobId}: cancelled`);
        else log.warn(`job ${jobId}: failed: ${describeError(error)}`);
        events.emit("state", store.record(jobId));
      }
      await removeTempCopy(store, tempDir, row.file_id);
    }
  }
}
