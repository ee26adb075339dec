/**
 * The final summary of a run's outputs, read from its spill file (`spill.ts`) with bounded
 * memory.
 *
 * - Up to `SUMMARY_IN_MEMORY_MAX` scenarios (1,000,000): every result and every variable
 *   (drawn again from the seeded stream) is loaded and `summarizeOutput` computes the
 *   summary exactly (≈ 8 bytes × (variables + outputs) per scenario, plus its sort).
 * - Above: the same statistics with the same arithmetic, streamed over the spill file in
 *   passes — the compensated mean, the two-pass variance, the running mean and the
 *   histogram in scenario order give the very numbers `summarizeOutput` would; the
 *   percentiles are exact order statistics found by a radix selection (a histogram of the
 *   top 16 bits of each value's sortable key, then of the next 16 bits inside the buckets
 *   that hold the ranks wanted, until a bucket is small enough to collect and sort). Only
 *   `sensitivity` is estimated: Spearman's correlation on a systematic subsample of at most
 *   `SUMMARY_IN_MEMORY_MAX` scenarios (ids 1, 1+k, 1+2k, … with k = ⌈N / 1,000,000⌉; the
 *   scenarios are independent draws, so every k-th one is a random sample). Memory is
 *   then flat in N: the subsample plus one chunk of the file.
 */

import { tapedStream } from "../random/index.js";
import {
  CONVERGENCE_POINTS,
  CompensatedSum,
  confidenceInterval95,
  HISTOGRAM_BINS,
  histogram,
  summarizeOutput,
} from "../summary/index.js";
import type { OutputSummary, VariableSpec } from "../types.js";
import type { ResultSpill } from "./spill.js";

/** Up to this many scenarios the summary is computed in memory; above, streamed (see above). */
export const SUMMARY_IN_MEMORY_MAX = 1_000_000;

/** A radix-selection bucket at most this large is collected and sorted. */
const COLLECT_MAX = 1 << 20;
const CHUNK = 65536;

export interface SummarizeRunOptions {
  /** Overrides `SUMMARY_IN_MEMORY_MAX` (tests). */
  inMemoryMax?: number;
}

/** The summary of every output of a finished run, by output name. */
export function summarizeRun(
  spill: ResultSpill,
  variables: readonly VariableSpec[],
  seed: number,
  options: SummarizeRunOptions = {},
): Record<string, OutputSummary> {
  const limit = options.inMemoryMax ?? SUMMARY_IN_MEMORY_MAX;
  const n = spill.scenarios;
  const names = variables.map((variable) => variable.name);
  const step = n <= limit ? 1 : Math.ceil(n / limit);
  const sample = loadSample(spill, variables, seed, step);
  const result: Record<string, OutputSummary> = {};
  spill.outputs.forEach((output, o) => {
    const { values, vars, errors } = finiteOnly(sample.outputs[o] as Float64Array, sample.vars);
    const summary = summarizeOutput(values, errors, vars, names);
    if (step === 1) result[output] = summary;
    else result[output] = { ...streamedSummary(spill, o), sensitivity: summary.sensitivity };
  });
  return result;
}

/** Scenarios 1, 1+step, 1+2·step, …: their outputs (from the spill) and variables (drawn again). */
function loadSample(
  spill: ResultSpill,
  variables: readonly VariableSpec[],
  seed: number,
  step: number,
): { outputs: Float64Array[]; vars: Float64Array[] } {
  const n = spill.scenarios;
  const m = Math.ceil(n / step);
  const width = variables.length;
  const outputs = spill.outputs.map(() => new Float64Array(m));
  const vars = variables.map(() => new Float64Array(m));
  const stream = tapedStream(variables, seed);
  const drawn = new Float64Array(CHUNK * width);
  const record = spill.record;
  let k = 0;
  spill.scan((records, firstId, count) => {
    stream.fill(drawn, count);
    // The first sampled index in this chunk.
    let i = (step - ((firstId - 1) % step)) % step;
    for (; i < count; i += step, k++) {
      for (let o = 0; o < outputs.length; o++)
        (outputs[o] as Float64Array)[k] = records[i * record + o] as number;
      for (let j = 0; j < width; j++) (vars[j] as Float64Array)[k] = drawn[i * width + j] as number;
    }
  }, CHUNK);
  return { outputs, vars };
}

function finiteOnly(
  output: Float64Array,
  vars: Float64Array[],
): { values: Float64Array; vars: Float64Array[]; errors: number } {
  let n = 0;
  for (let i = 0; i < output.length; i++) if (Number.isFinite(output[i])) n++;
  if (n === output.length) return { values: output, vars, errors: 0 };
  const values = new Float64Array(n);
  const kept = vars.map(() => new Float64Array(n));
  for (let i = 0, k = 0; i < output.length; i++) {
    if (!Number.isFinite(output[i])) continue;
    values[k] = output[i] as number;
    for (let j = 0; j < vars.length; j++)
      (kept[j] as Float64Array)[k] = (vars[j] as Float64Array)[i] as number;
    k++;
  }
  return { values, vars: kept, errors: output.length - n };
}

/** Calls `fn` with output `o`'s finite results, chunk by chunk, in scenario order. */
function scanOutput(spill: ResultSpill, o: number, fn: (values: Float64Array) => void): void {
  const buffer = new Float64Array(CHUNK);
  const record = spill.record;
  spill.scan((records, _firstId, count) => {
    let k = 0;
    for (let i = 0; i < count; i++) {
      const x = records[i * record + o] as number;
      if (Number.isFinite(x)) buffer[k++] = x;
    }
    if (k > 0) fn(buffer.subarray(0, k));
  }, CHUNK);
}

/** NumPy's linear interpolation between a and b, as `quantileSorted` does it. */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

const QUANTILES = [
  ["p1", 0.01],
  ["p5", 0.05],
  ["p25", 0.25],
  ["p50", 0.5],
  ["p75", 0.75],
  ["p95", 0.95],
  ["p99", 0.99],
] as const;

/** Everything but `sensitivity`, streamed over the spill file (the same numbers as in memory). */
function streamedSummary(spill: ResultSpill, o: number): Omit<OutputSummary, "sensitivity"> {
  // Pass 1: count, compensated sum, min, max.
  let n = 0;
  const sum = new CompensatedSum();
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  scanOutput(spill, o, (values) => {
    n += values.length;
    for (let i = 0; i < values.length; i++) {
      const x = values[i] as number;
      sum.add(x);
      if (x < min) min = x;
      if (x > max) max = x;
    }
  });
  const errors = spill.scenarios - n;
  if (n === 0) {
    const empty = summarizeOutput(new Float64Array(0), errors, [], []);
    const { sensitivity: _, ...rest } = empty;
    return rest;
  }
  const mean = sum.value / n;

  // Pass 2: variance (corrected two-pass), running mean, histogram.
  let squares = 0;
  let deviations = 0;
  const points = Math.min(CONVERGENCE_POINTS, n);
  const convergence: [number, number][] = [];
  const running = new CompensatedSum();
  let nextPoint = 1;
  let at = Math.ceil(n / points);
  let seen = 0;
  let counts: number[] | undefined;
  let edges: number[] = [];
  scanOutput(spill, o, (values) => {
    for (let i = 0; i < values.length; i++) {
      const x = values[i] as number;
      const d = x - mean;
      squares += d * d;
      deviations += d;
      running.add(x);
      seen++;
      if (seen === at) {
        convergence.push([at, running.value / at]);
        nextPoint++;
        at = Math.ceil((nextPoint * n) / points);
      }
    }
    const part = histogram(values, HISTOGRAM_BINS, min, max);
    if (counts === undefined) {
      counts = part.counts;
      edges = part.edges;
    } else
      for (let b = 0; b < counts.length; b++)
        counts[b] = (counts[b] as number) + (part.counts[b] as number);
  });
  const std =
    n > 1
      ? Math.sqrt(Math.max(0, (squares - (deviations * deviations) / n) / (n - 1)))
      : Number.NaN;

  // Percentiles: the order statistics around each (n − 1)·q.
  const ranks = new Set<number>();
  for (const [, q] of QUANTILES) {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    ranks.add(Math.min(lo, n - 1));
    if (lo < n - 1) ranks.add(lo + 1);
  }
  const order = selectRanks((fn) => scanOutput(spill, o, fn), n, [...ranks]);
  const quantile = (q: number): number => {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    if (lo >= n - 1) return order.get(n - 1) as number;
    return lerp(order.get(lo) as number, order.get(lo + 1) as number, h - lo);
  };
  const percentiles = Object.fromEntries(QUANTILES.map(([key, q]) => [key, quantile(q)])) as Record<
    (typeof QUANTILES)[number][0],
    number
  >;
  return {
    n,
    errors,
    mean,
    std,
    min,
    max,
    ...percentiles,
    ci95: confidenceInterval95(mean, std, n),
    histogram: { edges, counts: counts ?? [] },
    convergence,
  };
}

interface Target {
  rank: number;
  /** Rank among the values that share the prefix. */
  within: number;
  depth: number;
  hi: number;
  lo: number;
  /** How many values share the prefix. */
  size: number;
  value?: number;
}

const word = new Float64Array(1);
const words = new Uint32Array(word.buffer);

/** The double whose sortable key is (hi, lo). */
function fromKey(hi: number, lo: number): number {
  if (hi & 0x80000000) {
    words[1] = (hi ^ 0x80000000) >>> 0;
    words[0] = lo >>> 0;
  } else {
    words[1] = ~hi >>> 0;
    words[0] = ~lo >>> 0;
  }
  return word[0] as number;
}

const digitOf = (hi: number, lo: number, depth: number): number =>
  depth === 0 ? hi >>> 16 : depth === 1 ? hi & 0xffff : depth === 2 ? lo >>> 16 : lo & 0xffff;

/** Whether (hi, lo) has the target's first `depth` 16-bit digits. */
function matches(hi: number, lo: number, t: Target): boolean {
  switch (t.depth) {
    case 0:
      return true;
    case 1:
      return hi >>> 16 === t.hi >>> 16;
    case 2:
      return hi === t.hi;
    case 3:
      return hi === t.hi && lo >>> 16 === t.lo >>> 16;
    default:
      return hi === t.hi && lo === t.lo;
  }
}

/**
 * The values of the given 0-based ranks in ascending order (−0 before 0, as a sort puts
 * them), by radix selection over repeated scans of the values (`scan` calls its argument
 * with every value, chunk by chunk). Memory: a 65,536-count histogram per pending target
 * and at most `COLLECT_MAX` collected values.
 */
export function selectRanks(
  scan: (fn: (values: Float64Array) => void) => void,
  n: number,
  ranks: readonly number[],
  /** Buckets at most this large are collected and sorted (tests force the full radix path with 0). */
  collectMax = COLLECT_MAX,
): Map<number, number> {
  const targets: Target[] = ranks.map((rank) => ({
    rank,
    within: rank,
    depth: 0,
    hi: 0,
    lo: 0,
    size: n,
  }));
  for (;;) {
    const pending = targets.filter((t) => t.value === undefined);
    if (pending.length === 0) break;
    // Targets with the same prefix share a histogram or a collection.
    const groups = new Map<
      string,
      { head: Target; members: Target[]; counts?: Uint32Array; collected?: Float64Array; k: number }
    >();
    for (const t of pending) {
      const key = `${t.depth}:${t.hi}:${t.lo}`;
      const group = groups.get(key);
      if (group) group.members.push(t);
      else
        groups.set(key, {
          head: t,
          members: [t],
          k: 0,
          ...(t.size <= collectMax
            ? { collected: new Float64Array(t.size) }
            : { counts: new Uint32Array(65536) }),
        });
    }
    const list = [...groups.values()];
    scan((values) => {
      const w = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
      for (let i = 0; i < values.length; i++) {
        const l = w[2 * i] as number;
        const h = w[2 * i + 1] as number;
        const neg = (h & 0x80000000) !== 0;
        const hi = (neg ? ~h : h ^ 0x80000000) >>> 0;
        const lo = (neg ? ~l : l) >>> 0;
        for (const group of list) {
          if (!matches(hi, lo, group.head)) continue;
          if (group.counts) {
            const d = digitOf(hi, lo, group.head.depth);
            group.counts[d] = (group.counts[d] as number) + 1;
          } else if (group.collected && group.k < group.collected.length)
            group.collected[group.k++] = values[i] as number;
        }
      }
    });
    for (const group of list) {
      if (group.collected) {
        const sorted = group.collected.subarray(0, group.k).sort();
        for (const t of group.members) t.value = sorted[t.within] as number;
        continue;
      }
      const counts = group.counts as Uint32Array;
      for (const t of group.members) {
        let below = 0;
        let d = 0;
        while (below + (counts[d] as number) <= t.within) below += counts[d++] as number;
        t.within -= below;
        t.size = counts[d] as number;
        if (t.depth === 0) t.hi = (d << 16) >>> 0;
        else if (t.depth === 1) t.hi = (t.hi | d) >>> 0;
        else if (t.depth === 2) t.lo = (d << 16) >>> 0;
        else t.lo = (t.lo | d) >>> 0;
        t.depth++;
        // Every value with the full 64-bit key is the same number.
        if (t.depth === 4) t.value = fromKey(t.hi, t.lo);
      }
    }
  }
  return new Map(targets.map((t) => [t.rank, t.value as number]));
}
