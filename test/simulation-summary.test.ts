/**
 * The summaries of an output (`src/simulation/summary/`, contract
 * `../shared/contracts/simulation.md`, "Scenarios and results") against straightforward
 * reference computations and against known answers from NumPy/SciPy (`np.percentile`,
 * `np.histogram`, `scipy.stats.spearmanr`, `scipy.stats.t.ppf`), and the live summary's
 * invariants (every result counted, the band around the mean).
 */

import { describe, expect, it } from "vitest";
import { createScenarioStream } from "../src/simulation/random/index.js";
import {
  argsortDoubles,
  averageRanks,
  confidenceInterval95,
  LiveSummary,
  quantileSorted,
  ranksAndSorted,
  spearman,
  summarizeOutput,
  tQuantile975,
} from "../src/simulation/summary/index.js";
import type { VariableSpec } from "../src/simulation/types.js";

const QUANTILES = [
  ["p1", 0.01],
  ["p5", 0.05],
  ["p25", 0.25],
  ["p50", 0.5],
  ["p75", 0.75],
  ["p95", 0.95],
  ["p99", 0.99],
] as const;

/** NumPy's linear percentile, written plainly on a sorted copy. */
function referenceQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Average ranks by sorting indices and giving each run of ties the mean of its positions. */
function referenceRanks(values: number[]): number[] {
  const order = values
    .map((_, i) => i)
    .sort((a, b) => (values[a] as number) - (values[b] as number));
  const ranks = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1] as number] === values[order[i] as number])
      j++;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += ((a[i] as number) - ma) * ((b[i] as number) - mb);
    saa += ((a[i] as number) - ma) ** 2;
    sbb += ((b[i] as number) - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

function referenceSpearman(x: number[], y: number[]): number {
  return pearson(referenceRanks(x), referenceRanks(y));
}

/** The histogram by its definition: bin i holds edges[i] ≤ x < edges[i+1], the last bin closed. */
function referenceCounts(values: ArrayLike<number>, edges: number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let k = 0; k < values.length; k++) {
    const x = values[k] as number;
    for (let i = 0; i < counts.length; i++) {
      const last = i === counts.length - 1;
      if (
        x >= (edges[i] as number) &&
        (x < (edges[i + 1] as number) || (last && x <= (edges[i + 1] as number)))
      ) {
        counts[i] = (counts[i] as number) + 1;
        break;
      }
    }
  }
  return counts;
}

function v(
  name: string,
  distribution: VariableSpec["distribution"],
  params: Record<string, number>,
  type: "float" | "int" = "float",
): VariableSpec {
  return { name, type, distribution, params, line: 1 };
}

/** The contract's example model, evaluated: x**2 + y*z - w + v/(n+1). */
function exampleRun(
  n: number,
  seed: number,
): { values: Float64Array; variables: Float64Array[]; names: string[] } {
  const spec = [
    v("x", "normal", { media: 0, std: 1 }),
    v("y", "uniform", { min: 0, max: 10 }),
    v("z", "exponential", { lambda: 1.5 }),
    v("w", "lognormal", { mu: 0, sigma: 1 }),
    v("v", "triangular", { left: 0, mode: 5, right: 10 }),
    v("n", "binomial", { n: 10, p: 0.5 }, "int"),
  ];
  const { values: draws } = createScenarioStream(spec, seed).batch(n);
  const variables = spec.map(() => new Float64Array(n));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = draws.subarray(6 * i, 6 * i + 6);
    for (let j = 0; j < 6; j++) (variables[j] as Float64Array)[i] = row[j] as number;
    const [x, y, z, w, vv, k] = row as unknown as number[];
    values[i] =
      (x as number) ** 2 +
      (y as number) * (z as number) -
      (w as number) +
      (vv as number) / ((k as number) + 1);
  }
  return { values, variables, names: spec.map((s) => s.name) };
}

describe("percentiles", () => {
  it("match NumPy's linear interpolation (known answers)", () => {
    const ten = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    const expected = [1.09, 1.45, 3.25, 5.5, 7.75, 9.549999999999999, 9.91];
    QUANTILES.forEach(([, q], i) => {
      expect(quantileSorted(ten, q)).toBeCloseTo(expected[i] as number, 12);
    });
    const data = [0.5, 1.25, 1.25, 2, 7.5, 3, 3.3, 9.75, -1, 4.4, 4.4, 0, 6.125];
    const summary = summarizeOutput(Float64Array.from(data), 0, [], []);
    const numpy = [
      -0.88, -0.3999999999999999, 1.25, 3.0, 4.4, 8.399999999999997, 9.479999999999997,
    ];
    QUANTILES.forEach(([key], i) => {
      expect(summary[key]).toBeCloseTo(numpy[i] as number, 12);
    });
    expect(quantileSorted(Float64Array.of(4), 0.99)).toBe(4);
    expect(quantileSorted(Float64Array.of(1, 2), 1)).toBe(2);
  });

  it("match a plain sorted-array reference on simulated outputs", () => {
    for (const n of [1, 2, 3, 17, 1000, 54_321]) {
      const { values } = exampleRun(n, n);
      const summary = summarizeOutput(values, 0, [], []);
      const plain = Array.from(values);
      for (const [key, q] of QUANTILES) {
        const want = referenceQuantile(plain, q);
        expect(Math.abs(summary[key] - want)).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(want)),
        );
      }
      expect(summary.min).toBe(Math.min(...plain));
      expect(summary.max).toBe(Math.max(...plain));
    }
  });
});

describe("mean, std and the 95% interval", () => {
  it("mean and sample std match a two-pass reference; errors pass through", () => {
    const { values } = exampleRun(100_000, 3);
    const summary = summarizeOutput(values, 17, [], []);
    let sum = 0;
    for (const x of values) sum += x;
    const mean = sum / values.length;
    let squares = 0;
    for (const x of values) squares += (x - mean) ** 2;
    expect(summary.n).toBe(100_000);
    expect(summary.errors).toBe(17);
    expect(summary.mean).toBeCloseTo(mean, 10);
    expect(summary.std).toBeCloseTo(Math.sqrt(squares / (values.length - 1)), 10);
  });

  it("uses Student's t for small n (SciPy t.ppf) and tends to the normal", () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706204736174694, 12);
    expect(tQuantile975(10)).toBeCloseTo(2.228138851986274, 12);
    expect(tQuantile975(30)).toBeCloseTo(2.0422724563012378, 12);
    // SciPy: t.ppf(0.975, 31) = 2.039513446396408, 100 → 1.9839715185235518, 1000 → 1.9623390808264083.
    expect(tQuantile975(31)).toBeCloseTo(2.039513446396408, 6);
    expect(tQuantile975(100)).toBeCloseTo(1.9839715185235518, 8);
    expect(tQuantile975(1000)).toBeCloseTo(1.9623390808264083, 10);
    const two = summarizeOutput(Float64Array.of(0, 2), 0, [], []);
    expect(two.mean).toBe(1);
    expect(two.std).toBeCloseTo(Math.SQRT2, 14);
    expect(two.ci95[0]).toBeCloseTo(1 - 12.706204736174694, 12);
    expect(two.ci95[1]).toBeCloseTo(1 + 12.706204736174694, 12);
  });

  it("narrows like 1/√n", () => {
    const { values } = exampleRun(160_000, 11);
    const width = (n: number) => {
      const ci = summarizeOutput(values.subarray(0, n), 0, [], []).ci95;
      return ci[1] - ci[0];
    };
    const w10 = width(10_000);
    const w40 = width(40_000);
    const w160 = width(160_000);
    expect(w40 / w10).toBeGreaterThan(0.45);
    expect(w40 / w10).toBeLessThan(0.55);
    expect(w160 / w40).toBeGreaterThan(0.45);
    expect(w160 / w40).toBeLessThan(0.55);
    const s = summarizeOutput(values, 0, [], []);
    expect(s.ci95[0]).toBeLessThan(s.mean);
    expect(s.ci95[1]).toBeGreaterThan(s.mean);
    expect((s.ci95[1] - s.ci95[0]) / 2).toBeCloseTo((tQuantile975(159_999) * s.std) / 400, 12);
    expect(confidenceInterval95(5, 2, 1)).toEqual([Number.NaN, Number.NaN]);
  });

  it("undefined statistics are NaN: everything for n = 0, std and ci95 for n = 1", () => {
    const none = summarizeOutput(new Float64Array(0), 5, [new Float64Array(0)], ["x"]);
    expect(none.n).toBe(0);
    expect(none.errors).toBe(5);
    expect(none.mean).toBeNaN();
    expect(none.p50).toBeNaN();
    expect(none.histogram).toEqual({ edges: [], counts: [] });
    expect(none.convergence).toEqual([]);
    expect(none.sensitivity.x).toBeNaN();
    const one = summarizeOutput(Float64Array.of(3.5), 0, [Float64Array.of(1)], ["x"]);
    expect([one.mean, one.min, one.max, one.p1, one.p99]).toEqual([3.5, 3.5, 3.5, 3.5, 3.5]);
    expect(one.std).toBeNaN();
    expect(one.ci95[0]).toBeNaN();
    expect(one.convergence).toEqual([[1, 3.5]]);
    expect(one.histogram.counts.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("refuses variables not aligned with the results", () => {
    expect(() => summarizeOutput(Float64Array.of(1, 2), 0, [Float64Array.of(1)], ["x"])).toThrow(
      /"x" has 1 values for 2/,
    );
    expect(() => summarizeOutput(Float64Array.of(1), 0, [Float64Array.of(1)], [])).toThrow(
      RangeError,
    );
  });
});

describe("histogram", () => {
  it("has 50 bins from min to max whose counts match NumPy and the edge definition", () => {
    const data = Float64Array.from([0.5, 1.25, 1.25, 2, 7.5, 3, 3.3, 9.75, -1, 4.4, 4.4, 0, 6.125]);
    const { histogram } = summarizeOutput(data, 0, [], []);
    expect(histogram.edges).toHaveLength(51);
    expect(histogram.counts).toHaveLength(50);
    expect(histogram.edges[0]).toBe(-1);
    expect(histogram.edges[50]).toBe(9.75);
    // np.histogram(data, bins=50)[0]
    expect(histogram.counts).toEqual([
      1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0,
      0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    ]);
  });

  it("counts every result, in the bins its edges define", () => {
    for (const [n, seed] of [
      [5000, 1],
      [20_000, 2],
    ] as const) {
      const { values } = exampleRun(n, seed);
      const { histogram, min, max } = summarizeOutput(values, 0, [], []);
      expect(histogram.counts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(histogram.edges[0]).toBe(min);
      expect(histogram.edges[50]).toBe(max);
      for (let i = 0; i < 50; i++)
        expect(histogram.edges[i + 1]).toBeGreaterThan(histogram.edges[i] as number);
      expect(histogram.counts).toEqual(referenceCounts(values, histogram.edges));
    }
    // Integer outputs land on edges: still by the edges.
    const ints = Float64Array.from({ length: 1001 }, (_, i) => i % 101);
    const h = summarizeOutput(ints, 0, [], []).histogram;
    expect(h.counts).toEqual(referenceCounts(ints, h.edges));
  });

  it("every value equal: one unit-wide range around it (NumPy's choice)", () => {
    const { histogram } = summarizeOutput(new Float64Array(10).fill(4), 0, [], []);
    expect(histogram.edges[0]).toBe(3.5);
    expect(histogram.edges[50]).toBe(4.5);
    expect(histogram.counts.reduce((a, b) => a + b, 0)).toBe(10);
    expect(histogram.counts[25]).toBe(10);
  });
});

describe("sensitivity (Spearman)", () => {
  it("matches SciPy's spearmanr with ties (known answers) and the plain reference", () => {
    const x = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9]);
    const y = Float64Array.from([2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4]);
    const z = Float64Array.from([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]);
    expect(spearman(x, y)).toBeCloseTo(0.17916174391114706, 12);
    expect(spearman(z, y)).toBeCloseTo(0.12177204676176312, 12);
    expect(spearman(x, z)).toBeCloseTo(0.6055300708194984, 12);
    const s = summarizeOutput(y, 0, [x, z], ["x", "z"]).sensitivity;
    expect(s.x).toBeCloseTo(0.17916174391114706, 12);
    expect(s.z).toBeCloseTo(0.12177204676176312, 12);
    expect(Array.from(averageRanks(x, Float64Array.from(x).sort()))).toEqual(
      referenceRanks(Array.from(x)),
    );
  });

  it("the radix argsort and its ranks agree with a comparator sort (signs, ±0, ties, magnitudes)", () => {
    let seed = 1;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pool = [0, -0, 1, -1, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 2.5, -2.5, 1 / 3];
    for (const n of [0, 1, 2, 100, 70_000]) {
      const values = Float64Array.from({ length: n }, (_, i) =>
        i % 3 === 0
          ? (pool[Math.floor(next() * pool.length)] as number)
          : (next() - 0.5) * 10 ** Math.floor(next() * 20 - 10),
      );
      const order = argsortDoubles(values);
      const want = [...values].sort((a, b) => a - b);
      expect(Array.from(order, (i) => values[i] as number).map((x) => x + 0)).toEqual(
        want.map((x) => x + 0),
      );
      expect(new Set(order).size).toBe(n);
      const { ranks, sorted } = ranksAndSorted(values);
      expect(Array.from(sorted).map((x) => x + 0)).toEqual(want.map((x) => x + 0));
      if (n <= 5000) expect(Array.from(ranks)).toEqual(referenceRanks(Array.from(values)));
      else
        expect(Array.from(ranks)).toEqual(
          Array.from(averageRanks(values, Float64Array.from(want))),
        );
    }
    // Integer-valued (most radix passes skipped) with heavy ties.
    const ints = Float64Array.from({ length: 20_000 }, () => Math.floor(next() * 11));
    expect(Array.from(ranksAndSorted(ints).ranks)).toEqual(
      Array.from(averageRanks(ints, Float64Array.from(ints).sort())),
    );
  });

  it("matches the reference on the example model (int binomial variable: many ties)", () => {
    const { values, variables, names } = exampleRun(3000, 8);
    const s = summarizeOutput(values, 0, variables, names).sensitivity;
    for (let j = 0; j < names.length; j++) {
      const want = referenceSpearman(Array.from(variables[j] as Float64Array), Array.from(values));
      expect(s[names[j] as string]).toBeCloseTo(want, 12);
    }
    // x**2 + y*z - w + v/(n+1): y and z push up, w down, x (squared, symmetric) barely.
    expect(s.y).toBeGreaterThan(0.3);
    expect(s.z).toBeGreaterThan(0.3);
    expect(s.w).toBeLessThan(0);
    expect(Math.abs(s.x as number)).toBeLessThan(0.1);
  });

  it("is ±1 for monotone relations and 0 for a constant variable or output", () => {
    const x = Float64Array.from({ length: 500 }, (_, i) => Math.sin(i));
    const s = summarizeOutput(
      x.map((a) => Math.exp(a)),
      0,
      [x, x.map((a) => -a * a * a), new Float64Array(500).fill(2)],
      ["up", "down", "constant"],
    ).sensitivity;
    expect(s.up).toBeCloseTo(1, 12);
    expect(s.down).toBeCloseTo(-1, 12);
    expect(s.constant).toBe(0);
    expect(
      summarizeOutput(new Float64Array(50).fill(1), 0, [x.subarray(0, 50)], ["x"]).sensitivity.x,
    ).toBe(0);
  });
});

describe("convergence", () => {
  it("the running mean at up to 100 points, the last [n, mean] exactly", () => {
    for (const n of [1, 37, 100, 101, 12_345, 100_000]) {
      const { values } = exampleRun(n, 5);
      const summary = summarizeOutput(values, 0, [], []);
      const points = summary.convergence;
      expect(points).toHaveLength(Math.min(100, n));
      expect(points[points.length - 1]).toEqual([n, summary.mean]);
      let previous = 0;
      for (const [count, mean] of points) {
        expect(count).toBeGreaterThan(previous);
        previous = count;
        let sum = 0;
        for (let i = 0; i < count; i++) sum += values[i] as number;
        expect(mean).toBeCloseTo(sum / count, 9);
      }
      // Evenly spaced: consecutive counts differ by ⌊n/100⌋ or ⌈n/100⌉.
      for (let k = 1; k < points.length; k++) {
        const step = (points[k] as [number, number])[0] - (points[k - 1] as [number, number])[0];
        expect(step).toBeGreaterThanOrEqual(Math.max(1, Math.floor(n / 100)));
        expect(step).toBeLessThanOrEqual(Math.ceil(n / 100));
      }
    }
  });
});

describe("the live summary", () => {
  it("counts, mean, std and band agree with the final summary, in any order", () => {
    const { values } = exampleRun(50_000, 21);
    const final = summarizeOutput(values, 0, [], []);
    const live = new LiveSummary();
    // Arrival in shuffled batches.
    const order = Array.from({ length: 50 }, (_, i) => i).sort(
      (a, b) => ((a * 7919) % 50) - ((b * 7919) % 50),
    );
    for (const batch of order) live.addMany(values.subarray(batch * 1000, batch * 1000 + 1000));
    live.add(Number.NaN);
    live.addError(2);
    const snap = live.snapshot();
    expect(snap.count).toBe(50_000);
    expect(snap.errors).toBe(3);
    expect(snap.mean).toBeCloseTo(final.mean, 9);
    expect(snap.std).toBeCloseTo(final.std, 9);
    expect(snap.ci95[0]).toBeCloseTo(final.ci95[0], 9);
    expect(snap.ci95[1]).toBeCloseTo(final.ci95[1], 9);
    expect(snap.min).toBe(final.min);
    expect(snap.max).toBe(final.max);
    expect(snap.histogram.counts.reduce((a, b) => a + b, 0)).toBe(50_000);
    expect(snap.histogram.edges).toHaveLength(51);
    expect(snap.histogram.edges[0]).toBeLessThanOrEqual(final.min);
    expect(snap.histogram.edges[50]).toBeGreaterThanOrEqual(final.max);
  });

  it("before the warm-up: the histogram of the results so far over their range", () => {
    const live = new LiveSummary({ warmup: 1000 });
    expect(live.snapshot().histogram).toEqual({ edges: [], counts: [] });
    expect(live.snapshot().mean).toBeNaN();
    const data = Float64Array.from([0.5, 1.25, 1.25, 2, 7.5, 3, 3.3, 9.75, -1, 4.4, 4.4, 0, 6.125]);
    live.addMany(data);
    expect(live.snapshot().histogram).toEqual(summarizeOutput(data, 0, [], []).histogram);
  });

  it("grows its range by merging bins: no result lost, each in the bin its edges give", () => {
    const live = new LiveSummary({ warmup: 100, bins: 10 });
    const seen: number[] = [];
    const add = (x: number) => {
      live.add(x);
      seen.push(x);
    };
    for (let i = 0; i < 100; i++) add(i / 10); // range fixed to [0, 9.9]
    add(25); // grows up twice
    add(-30); // grows down
    add(9.9);
    for (let i = 0; i < 1000; i++) add(Math.sin(i) * 40);
    const { histogram, count } = live.snapshot();
    expect(count).toBe(seen.length);
    expect(histogram.counts.reduce((a, b) => a + b, 0)).toBe(seen.length);
    expect(histogram.edges[0]).toBeLessThanOrEqual(Math.min(...seen));
    expect(histogram.edges[10]).toBeGreaterThanOrEqual(Math.max(...seen));
    // The grid is the warm-up's, doubled: edges are exact multiples, so the definition holds.
    expect(histogram.counts).toEqual(referenceCounts(seen, histogram.edges));
  });

  it("a constant output", () => {
    const live = new LiveSummary({ warmup: 10 });
    for (let i = 0; i < 100; i++) live.add(7);
    const snap = live.snapshot();
    expect(snap.std).toBe(0);
    expect(snap.histogram.counts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(snap.histogram.edges[0]).toBeLessThanOrEqual(7);
    expect(snap.histogram.edges[50]).toBeGreaterThanOrEqual(7);
  });
});
