import { DoubleBlocks } from "./blocks.js";
import { sortDoubles } from "./sort.js";

/** Distinct values counted in a hash map before the list keeps every value instead. */
const SMALL = 4096;

/** Sorted values: each value once with its count (`weights`), or every value (`weights` null). */
export interface SortedValues {
  values: Float64Array;
  weights: Float64Array | null;
}

export const NO_VALUES: SortedValues = { values: new Float64Array(0), weights: null };

/**
 * A column's numbers (or dates) as they are read. While they take few distinct values
 * (quantities, days, codes) they are only counted — a few KB however many rows; past
 * 4,096 distinct values the counts are spilled into a plain list of every value (8 bytes
 * each), sorted at the end. Either way the exact quantiles, moments, distinct and top
 * values follow (`summary.ts`).
 */
export class ValueList {
  private counts: Map<number, number> | null = new Map();
  private readonly blocks = new DoubleBlocks();
  length = 0;

  push(value: number): void {
    this.length++;
    const counts = this.counts;
    if (counts !== null) {
      const seen = counts.get(value);
      if (seen !== undefined) {
        counts.set(value, seen + 1);
        return;
      }
      if (counts.size < SMALL) {
        counts.set(value, 1);
        return;
      }
      this.spill();
    }
    this.blocks.push(value);
  }

  private spill(): void {
    for (const [value, count] of this.counts as Map<number, number>)
      for (let i = 0; i < count; i++) this.blocks.push(value);
    this.counts = null;
  }

  /** Every value, each as many times as it was read (order not kept). */
  *all(): IterableIterator<number> {
    if (this.counts === null) yield* this.blocks.values();
    else for (const [value, count] of this.counts) for (let i = 0; i < count; i++) yield value;
  }

  clear(): void {
    this.counts = new Map();
    this.blocks.clear();
    this.length = 0;
  }

  /** The values sorted; the list is spent. */
  sorted(): SortedValues {
    if (this.counts === null) return { values: sortDoubles(this.blocks), weights: null };
    const values = Float64Array.from(this.counts.keys()).sort();
    const weights = new Float64Array(values.length);
    values.forEach((value, i) => {
      weights[i] = (this.counts as Map<number, number>).get(value) as number;
    });
    this.counts = null;
    return { values, weights };
  }
}

/** Calls `run(value, count)` for each distinct value in ascending order. */
export function forEachRun(
  sorted: SortedValues,
  run: (value: number, count: number) => void,
): void {
  const { values, weights } = sorted;
  if (weights !== null) {
    for (let i = 0; i < values.length; i++) run(values[i] as number, weights[i] as number);
    return;
  }
  let i = 0;
  while (i < values.length) {
    const v = values[i] as number;
    let j = i + 1;
    while (j < values.length && values[j] === v) j++;
    run(v, j - i);
    i = j;
  }
}

/** How many values (counting repeats). */
export function countOf(sorted: SortedValues): number {
  if (sorted.weights === null) return sorted.values.length;
  let n = 0;
  for (const w of sorted.weights) n += w;
  return n;
}

/** The value at 0-based `index` of the full ascending order. */
export function valueAt(sorted: SortedValues, index: number): number {
  const { values, weights } = sorted;
  if (weights === null) return values[index] as number;
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    seen += weights[i] as number;
    if (index < seen) return values[i] as number;
  }
  return values[values.length - 1] as number;
}

function expand(sorted: SortedValues): Float64Array {
  if (sorted.weights === null) return sorted.values;
  const all = new Float64Array(countOf(sorted));
  let k = 0;
  forEachRun(sorted, (value, count) => {
    all.fill(value, k, k + count);
    k += count;
  });
  return all;
}

/** Two parts' sorted values as one. */
export function mergeSortedValues(a: SortedValues, b: SortedValues): SortedValues {
  if (a.values.length === 0) return b;
  if (b.values.length === 0) return a;
  if (a.weights !== null && b.weights !== null) {
    const values: number[] = [];
    const weights: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.values.length || j < b.values.length) {
      const x = i < a.values.length ? (a.values[i] as number) : Number.POSITIVE_INFINITY;
      const y = j < b.values.length ? (b.values[j] as number) : Number.POSITIVE_INFINITY;
      if (i < a.values.length && (j >= b.values.length || x <= y)) {
        const w =
          (a.weights[i++] as number) +
          (x === y && j < b.values.length ? (b.weights[j++] as number) : 0);
        values.push(x);
        weights.push(w);
      } else {
        values.push(y);
        weights.push(b.weights[j++] as number);
      }
    }
    return { values: Float64Array.from(values), weights: Float64Array.from(weights) };
  }
  const x = expand(a);
  const y = expand(b);
  const all = new Float64Array(x.length + y.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < x.length && j < y.length) {
    const p = x[i] as number;
    const q = y[j] as number;
    if (q < p) {
      all[k++] = q;
      j++;
    } else {
      all[k++] = p;
      i++;
    }
  }
  if (i < x.length) all.set(x.subarray(i), k);
  else all.set(y.subarray(j), k);
  return { values: all, weights: null };
}
