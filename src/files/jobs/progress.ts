import type { ProfileProgress } from "../types.js";
import type { ProgressFields } from "./store.js";

/** At most 4 progress writes and events a second per job (the contract's SSE rate). */
export const PROGRESS_INTERVAL_MS = 250;

/** What a run reports after each chunk, with the time since its attempt started. */
export interface RunProgress extends ProfileProgress {
  elapsedMs: number;
}

/**
 * The record's progress fields: rows per second over the attempt so far, and the time left
 * at the same byte rate (null until there is a rate).
 */
export function progressFields(progress: RunProgress): ProgressFields {
  const seconds = progress.elapsedMs / 1000;
  const rowsPerS = seconds > 0 ? Math.round(progress.rowsProcessed / seconds) : null;
  const bytesPerS = seconds > 0 ? progress.bytesProcessed / seconds : 0;
  const left = Math.max(0, progress.totalBytes - progress.bytesProcessed);
  return {
    rows_processed: progress.rowsProcessed,
    bytes_processed: Math.min(progress.bytesProcessed, progress.totalBytes),
    rows_per_s: rowsPerS,
    eta_s: bytesPerS > 0 ? Math.round((left / bytesPerS) * 10) / 10 : null,
  };
}

/** Rows per second of a whole run. */
export function finalRate(rows: number, elapsedMs: number): number | null {
  return elapsedMs > 0 ? Math.round(rows / (elapsedMs / 1000)) : null;
}

/**
 * Passes on the newest value at most once per `intervalMs`: the first at once, later ones
 * when the interval has passed (a value that arrives sooner waits, replaced by any newer
 * one, so the last report is never lost). `cancel()` drops a waiting value.
 */
export class Throttle<T> {
  private last = 0;
  private pending: { value: T } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (value: T) => void,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  push(value: T): void {
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0 && !this.timer) {
      this.emit(value);
      return;
    }
    this.pending = { value };
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        const pending = this.pending;
        this.pending = undefined;
        if (pending) this.emit(pending.value);
      },
      Math.max(0, wait),
    );
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private emit(value: T): void {
    this.last = Date.now();
    this.flush(value);
  }
}
