/**
 * The live summary of one output for the dashboard: results arrive in batches, in any
 * order, and a snapshot (count, running mean with its 95% band, a histogram) must be
 * cheap at any time. Memory is constant: the first `warmup` results are kept only until
 * the histogram's range is set.
 *
 * - Mean and variance: Welford's update (order-independent up to rounding).
 * - The 95% band: mean ± t(0.975, n−1)·std/√n, as in the final summary.
 * - The histogram: until `warmup` results (default 1000) it is computed from the kept
 *   values over their [min, max] (like the final one). At `warmup` its range is fixed to
 *   that [min, max] in `bins` equal bins (default 50). A later value outside the range
 *   grows it: the bin width doubles (pairs of bins merge, so no count is lost or moved
 *   across an edge) and the range extends toward the value, as often as needed. The
 *   histogram therefore always counts every result exactly, on a grid that may be coarser
 *   than the final one when the tails are long.
 */

import { confidenceInterval95, histogram } from "./stats.js";

export interface LiveSnapshot {
  /** Finite results so far. */
  count: number;
  /** Errors so far (`addError`). */
  errors: number;
  mean: number;
  /** Sample standard deviation (NaN below 2 results). */
  std: number;
  min: number;
  max: number;
  /** 95% confidence interval of the mean (NaN below 2 results). */
  ci95: [number, number];
  /** `bins` bins, `bins + 1` edges, counts summing to `count` (empty before any result). */
  histogram: { edges: number[]; counts: number[] };
}

export interface LiveSummaryOptions {
  /** Histogram bins; even, ≥ 2. Default 50. */
  bins?: number;
  /** Results kept before the histogram's range is fixed. Default 1000. */
  warmup?: number;
}

export class LiveSummary {
  private readonly bins: number;
  private readonly warmup: number;
  private n = 0;
  private errorCount = 0;
  private mean = 0;
  private m2 = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;
  /** Until the range is fixed: the results so far. */
  private pending: number[] | undefined = [];
  /** Once fixed: the grid's start, bin width and counts. */
  private start = 0;
  private width = 0;
  private counts: Float64Array;

  constructor(options: LiveSummaryOptions = {}) {
    this.bins = options.bins ?? 50;
    this.warmup = options.warmup ?? 1000;
    if (!Number.isInteger(this.bins) || this.bins < 2 || this.bins % 2 !== 0) {
      throw new RangeError(`bins must be an even integer ≥ 2, got ${this.bins}`);
    }
    if (!Number.isInteger(this.warmup) || this.warmup < 1) {
      throw new RangeError(`warmup must be a positive integer, got ${this.warmup}`);
    }
    this.counts = new Float64Array(this.bins);
  }

  /** Adds one result; a non-finite one counts as an error. */
  add(value: number): void {
    if (!Number.isFinite(value)) {
      this.errorCount++;
      return;
    }
    this.n++;
    const delta = value - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (value - this.mean);
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
    if (this.pending !== undefined) {
      this.pending.push(value);
      if (this.pending.length >= this.warmup) this.fixRange();
    } else {
      this.place(value);
    }
  }

  /** Adds many results (any order). */
  addMany(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.add(values[i] as number);
  }

  /** Counts `count` scenarios that failed. */
  addError(count = 1): void {
    this.errorCount += count;
  }

  get count(): number {
    return this.n;
  }

  get errors(): number {
    return this.errorCount;
  }

  snapshot(): LiveSnapshot {
    const n = this.n;
    const mean = n > 0 ? this.mean : Number.NaN;
    const std = n > 1 ? Math.sqrt(this.m2 / (n - 1)) : Number.NaN;
    return {
      count: n,
      errors: this.errorCount,
      mean,
      std,
      min: n > 0 ? this.lo : Number.NaN,
      max: n > 0 ? this.hi : Number.NaN,
      ci95: confidenceInterval95(mean, std, n),
      histogram: this.histogram(),
    };
  }

  private histogram(): { edges: number[]; counts: number[] } {
    if (this.pending !== undefined) {
      if (this.pending.length === 0) return { edges: [], counts: [] };
      return histogram(Float64Array.from(this.pending), this.bins, this.lo, this.hi);
    }
    const edges = new Array<number>(this.bins + 1);
    for (let i = 0; i <= this.bins; i++) edges[i] = this.start + i * this.width;
    return { edges, counts: Array.from(this.counts) };
  }

  private fixRange(): void {
    const values = this.pending as number[];
    this.pending = undefined;
    this.start = this.lo;
    // Every kept value equal: a unit-wide range around it, as the final histogram does.
    this.width = this.hi > this.lo ? (this.hi - this.lo) / this.bins : 1 / this.bins;
    if (this.hi === this.lo) this.start -= 0.5;
    for (const value of values) this.place(value);
  }

  private place(value: number): void {
    // The range is [start, start + bins·width], its last bin closed.
    while (value < this.start || value > this.start + this.bins * this.width) {
      this.grow(value < this.start);
    }
    let b = Math.floor((value - this.start) / this.width);
    if (b >= this.bins) b = this.bins - 1;
    if (b < 0) b = 0;
    this.counts[b] = (this.counts[b] as number) + 1;
  }

  /** Doubles the bin width, merging pairs of bins, and extends the range down or up. */
  private grow(down: boolean): void {
    const bins = this.bins;
    const half = bins / 2;
    const merged = new Float64Array(bins);
    const offset = down ? half : 0;
    for (let j = 0; j < half; j++) {
      merged[offset + j] = (this.counts[2 * j] as number) + (this.counts[2 * j + 1] as number);
    }
    if (down) this.start -= bins * this.width;
    this.width *= 2;
    this.counts = merged;
  }
}
