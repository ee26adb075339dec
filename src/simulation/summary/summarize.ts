/**
 * The final summary of one output (`resumen.json`, `simulate --json`; contract
 * `simulation.md`, "Scenarios and results"), computed exactly from every result.
 */

import type { OutputSummary } from "../types.js";
import {
  CompensatedSum,
  confidenceInterval95,
  histogram,
  quantileSorted,
  rankCorrelation,
  ranksAndSorted,
} from "./stats.js";

export const HISTOGRAM_BINS = 50;
export const CONVERGENCE_POINTS = 100;

/**
 * Summarizes one output.
 *
 * - `values`: the output's finite results in `escenario_id` order (errors left out);
 *   `errors`: how many scenarios failed for it (thrown or non-finite).
 * - `variables[j]`: variable j's value in the same scenarios as `values`, aligned with it;
 *   `variableNames[j]` its name (the key in `sensitivity`).
 *
 * `mean` is a compensated sum over n; `std` the sample standard deviation (n − 1, two
 * passes); `p1`…`p99` exact, NumPy's linear interpolation; `ci95` mean ± t(0.975, n−1)·
 * std/√n (Student's t, the normal 1.96 for large n); `histogram` 50 equal bins from min to
 * max (51 edges, counts summing to n; min − ½ … max + ½ when every value is equal);
 * `sensitivity` Spearman's rank correlation of each variable with the output, average
 * ranks for ties (0 when the variable or the output is constant); `convergence` the
 * running mean, in scenario order, after ⌈k·n/P⌉ results for k = 1…P, P = min(100, n):
 * its last point is [n, mean] exactly.
 *
 * Undefined statistics are NaN (null in JSON): everything but `n` and `errors` when n = 0
 * (with an empty histogram and convergence), `std` and `ci95` when n = 1.
 */
export function summarizeOutput(
  values: Float64Array,
  errors: number,
  variables: readonly Float64Array[],
  variableNames: readonly string[],
): OutputSummary {
  const n = values.length;
  if (variables.length !== variableNames.length) {
    throw new RangeError(`${variables.length} variables but ${variableNames.length} names`);
  }
  for (let j = 0; j < variables.length; j++) {
    if ((variables[j] as Float64Array).length !== n) {
      throw new RangeError(
        `variable "${variableNames[j]}" has ${(variables[j] as Float64Array).length} values for ${n} results`,
      );
    }
  }
  if (n === 0) {
    const sensitivity: Record<string, number> = {};
    for (const name of variableNames) sensitivity[name] = Number.NaN;
    return {
      n: 0,
      errors,
      mean: Number.NaN,
      std: Number.NaN,
      min: Number.NaN,
      max: Number.NaN,
      p1: Number.NaN,
      p5: Number.NaN,
      p25: Number.NaN,
      p50: Number.NaN,
      p75: Number.NaN,
      p95: Number.NaN,
      p99: Number.NaN,
      ci95: [Number.NaN, Number.NaN],
      histogram: { edges: [], counts: [] },
      sensitivity,
      convergence: [],
    };
  }

  // Mean and convergence in one pass over the results in scenario order.
  const points = Math.min(CONVERGENCE_POINTS, n);
  const convergence: [number, number][] = [];
  const sum = new CompensatedSum();
  let nextPoint = 1;
  let at = Math.ceil(n / points);
  for (let i = 0; i < n; i++) {
    sum.add(values[i] as number);
    if (i + 1 === at) {
      convergence.push([at, sum.value / at]);
      nextPoint++;
      at = Math.ceil((nextPoint * n) / points);
    }
  }
  const mean = sum.value / n;

  // Sample variance, corrected two-pass.
  let squares = 0;
  let deviations = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    squares += d * d;
    deviations += d;
  }
  const std =
    n > 1
      ? Math.sqrt(Math.max(0, (squares - (deviations * deviations) / n) / (n - 1)))
      : Number.NaN;

  const { ranks: outputRanks, sorted } = ranksAndSorted(values);
  const min = sorted[0] as number;
  const max = sorted[n - 1] as number;

  const sensitivity: Record<string, number> = {};
  for (let j = 0; j < variables.length; j++) {
    const x = variables[j] as Float64Array;
    sensitivity[variableNames[j] as string] = rankCorrelation(ranksAndSorted(x).ranks, outputRanks);
  }

  return {
    n,
    errors,
    mean,
    std,
    min,
    max,
    p1: quantileSorted(sorted, 0.01),
    p5: quantileSorted(sorted, 0.05),
    p25: quantileSorted(sorted, 0.25),
    p50: quantileSorted(sorted, 0.5),
    p75: quantileSorted(sorted, 0.75),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    ci95: confidenceInterval95(mean, std, n),
    histogram: histogram(sorted, HISTOGRAM_BINS, min, max),
    sensitivity,
    convergence,
  };
}
