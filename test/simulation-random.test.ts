/**
 * The scenario stream (`src/simulation/random/`, contract `../shared/contracts/simulation.md`,
 * "The model file" and "Scenarios and results") against known answers:
 *
 * - every distribution's mean and variance over N seeded draws, within 5 standard errors
 *   derived from N (the variance's from the distribution's fourth central moment), and the
 *   same for sums of independent variables;
 * - exactness of the discrete samplers by a chi-square goodness-of-fit test against the
 *   exact pmf (int uniform, binomial by inversion and by BTRD, Poisson by inversion and by
 *   PTRS), bound df + 6·√(2·df);
 * - the raw stream against NumPy's `RandomState(seed).random_sample()` (same MT19937
 *   seeding and 53-bit doubles);
 * - reproducibility: the same seed gives the same values bit for bit, whatever the batch
 *   sizes; another seed other values.
 */

import { describe, expect, it } from "vitest";
import {
  binomialSampler,
  createScenarioStream,
  logFactorial,
  poissonSampler,
  RandomSource,
  roundHalfAwayFromZero,
  variableProblem,
} from "../src/simulation/random/index.js";
import type { DistributionName, VariableSpec } from "../src/simulation/types.js";
import { sameBits, spec } from "./helpers/variables.js";

const N = 200_000;

function draw(variable: VariableSpec, n = N, seed = 12345): Float64Array {
  return createScenarioStream([variable], seed).batch(n).values;
}

function moments(values: Float64Array): { mean: number; variance: number } {
  let sum = 0;
  for (const x of values) sum += x;
  const mean = sum / values.length;
  let squares = 0;
  for (const x of values) squares += (x - mean) ** 2;
  return { mean, variance: squares / (values.length - 1) };
}

/** Mean within 5·σ/√n; sample variance within 5·√((μ4 − σ⁴)/n). */
function expectMoments(values: Float64Array, mean: number, variance: number, mu4: number): void {
  const n = values.length;
  const got = moments(values);
  const meanTolerance = 5 * Math.sqrt(variance / n);
  const varianceTolerance = 5 * Math.sqrt((mu4 - variance * variance) / n);
  expect(Math.abs(got.mean - mean), `mean ${got.mean} vs ${mean}`).toBeLessThan(meanTolerance);
  expect(Math.abs(got.variance - variance), `variance ${got.variance} vs ${variance}`).toBeLessThan(
    varianceTolerance,
  );
}

/** Chi-square of integer draws against a pmf, cells with expected < 5 pooled into the tails. */
function expectFits(
  values: Float64Array,
  pmf: (k: number) => number,
  lo: number,
  hi: number,
): void {
  const n = values.length;
  const observed = new Map<number, number>();
  let outside = 0;
  for (const x of values) {
    if (!(Number.isInteger(x) && x >= lo && x <= hi)) outside++;
    observed.set(x, (observed.get(x) ?? 0) + 1);
  }
  expect(outside, `draws that are not integers in [${lo}, ${hi}]`).toBe(0);
  // Cells: consecutive integers, merged until each expects ≥ 5.
  const cells: { expected: number; observed: number }[] = [];
  let expected = 0;
  let seen = 0;
  for (let k = lo; k <= hi; k++) {
    expected += n * pmf(k);
    seen += observed.get(k) ?? 0;
    if (expected >= 5) {
      cells.push({ expected, observed: seen });
      expected = 0;
      seen = 0;
    }
  }
  const last = cells[cells.length - 1];
  if (last !== undefined) {
    last.expected += expected;
    last.observed += seen;
  }
  let chi2 = 0;
  for (const cell of cells) chi2 += (cell.observed - cell.expected) ** 2 / cell.expected;
  const df = cells.length - 1;
  expect(df).toBeGreaterThan(0);
  expect(chi2, `chi2 ${chi2} with ${df} df`).toBeLessThan(df + 6 * Math.sqrt(2 * df));
}

/** ln k! for k = 0…max, a compensated running sum of logs (independent of the sampler's). */
function logFactorials(max: number): Float64Array {
  const out = new Float64Array(max + 1);
  let sum = 0;
  let c = 0;
  for (let k = 2; k <= max; k++) {
    const y = Math.log(k) - c;
    const t = sum + y;
    c = t - sum - y;
    sum = t;
    out[k] = sum;
  }
  return out;
}

function binomialPmf(n: number, p: number): (k: number) => number {
  const lf = logFactorials(n);
  return (k) =>
    Math.exp(
      (lf[n] as number) -
        (lf[k] as number) -
        (lf[n - k] as number) +
        k * Math.log(p) +
        (n - k) * Math.log1p(-p),
    );
}

function poissonPmf(lambda: number, max: number): (k: number) => number {
  const lf = logFactorials(max);
  return (k) => Math.exp(-lambda + k * Math.log(lambda) - (lf[k] as number));
}

/** The contract's example model. */
const EXAMPLE: VariableSpec[] = [
  spec("normal", { media: 0, std: 1 }, "float", "x"),
  spec("uniform", { min: 0, max: 10 }, "float", "y"),
  spec("exponential", { lambda: 1.5 }, "float", "z"),
  spec("lognormal", { mu: 0, sigma: 1 }, "float", "w"),
  spec("triangular", { left: 0, mode: 5, right: 10 }, "float", "v"),
  spec("binomial", { n: 10, p: 0.5 }, "int", "n"),
];

describe("the random source", () => {
  it("gives NumPy's RandomState(seed).random_sample() for seeds in [0, 2^32)", () => {
    const take = (seed: number, k: number) => {
      const source = new RandomSource(seed);
      return Array.from({ length: k }, () => source.uniform());
    };
    expect(take(42, 3)).toEqual([0.3745401188473625, 0.9507143064099162, 0.7319939418114051]);
    expect(take(0, 2)).toEqual([0.5488135039273248, 0.7151893663724195]);
    expect(take(4294967295, 2)).toEqual([0.0976320289940138, 0.9123828453026218]);
  });

  it("seeds other safe integers like RandomState([low 32 bits, high 32 bits])", () => {
    const take = (seed: number) => {
      const source = new RandomSource(seed);
      return [source.uniform(), source.uniform(), source.uniform()];
    };
    expect(take(-1)).toEqual([0.021825695401270107, 0.3380953268613758, 0.21196748656082065]);
    expect(take(2 ** 32 + 5)).toEqual([
      0.15727238718789782, 0.2824866316461999, 0.6044540318498407,
    ]);
    expect(take(-42)).toEqual([0.146159018636855, 0.2599265222230628, 0.6721852534900699]);
    expect(() => new RandomSource(1.5)).toThrow(RangeError);
    expect(() => new RandomSource(2 ** 53)).toThrow(RangeError);
  });

  it("open uniforms are in (0, 1) and uniforms in [0, 1), 53 bits", () => {
    const source = new RandomSource(7);
    let fine = true;
    for (let i = 0; i < 100_000; i++) {
      const u = source.uniform();
      const o = source.open();
      if (!(u >= 0 && u < 1 && o > 0 && o < 1)) fine = false;
      if (!Number.isInteger(u * 2 ** 53) || !Number.isInteger(o * 2 ** 53 - 0.5)) fine = false;
    }
    expect(fine).toBe(true);
  });

  it("log-factorial matches the sum of logs, through the table and Stirling's series", () => {
    let exact = 0;
    for (let k = 0; k <= 2000; k++) {
      if (k >= 2) exact += Math.log(k);
      expect(Math.abs(logFactorial(k) - exact)).toBeLessThanOrEqual(1e-12 * Math.max(1, exact));
    }
  });
});

describe("each distribution's mean and variance", () => {
  it("normal(media, std)", () => {
    expectMoments(draw(spec("normal", { media: 3, std: 2 })), 3, 4, 3 * 16);
    expectMoments(draw(spec("normal", { media: -1000, std: 0.01 })), -1000, 1e-4, 3e-8);
  });

  it("uniform(min, max), float", () => {
    const values = draw(spec("uniform", { min: -2, max: 8 }));
    expectMoments(values, 3, 100 / 12, 10 ** 4 / 80);
    expect(values.every((x) => x >= -2 && x < 8)).toBe(true);
  });

  it("uniform(min, max), int: each integer from min to max equally likely", () => {
    const values = draw(spec("uniform", { min: 1, max: 6 }, "int"));
    expectFits(values, () => 1 / 6, 1, 6);
    const k = 6;
    expectMoments(values, 3.5, (k * k - 1) / 12, ((k * k - 1) * (3 * k * k - 7)) / 240);
    // Non-integer bounds: the integers inside them.
    const inner = draw(spec("uniform", { min: -3.5, max: 2.2 }, "int"), 60_000);
    expectFits(inner, () => 1 / 6, -3, 2);
    // A wide range, beyond 2^32: still integers, inside, with the right mean.
    const wide = draw(spec("uniform", { min: 0, max: 2 ** 40 }, "int"), 50_000);
    expect(wide.every((x) => Number.isInteger(x) && x >= 0 && x <= 2 ** 40)).toBe(true);
    const w = 2 ** 40 + 1;
    expectMoments(wide, 2 ** 39, (w * w - 1) / 12, ((w * w - 1) * (3 * w * w - 7)) / 240);
  });

  it("exponential(lambda), the rate", () => {
    const values = draw(spec("exponential", { lambda: 1.5 }));
    expectMoments(values, 1 / 1.5, 1 / 1.5 ** 2, 9 / 1.5 ** 4);
    expect(values.every((x) => x > 0 && Number.isFinite(x))).toBe(true);
  });

  it("lognormal(mu, sigma) of the underlying normal", () => {
    for (const [mu, sigma] of [
      [0, 0.5],
      [1, 0.25],
    ] as const) {
      const s2 = sigma * sigma;
      const variance = (Math.exp(s2) - 1) * Math.exp(2 * mu + s2);
      const kurtosis = Math.exp(4 * s2) + 2 * Math.exp(3 * s2) + 3 * Math.exp(2 * s2) - 3;
      expectMoments(
        draw(spec("lognormal", { mu, sigma })),
        Math.exp(mu + s2 / 2),
        variance,
        variance ** 2 * kurtosis,
      );
    }
    // sigma = 1 (the contract's example): the log of the draws is normal(0, 1).
    const logs = draw(spec("lognormal", { mu: 0, sigma: 1 })).map(Math.log);
    expectMoments(logs, 0, 1, 3);
  });

  it("triangular(left, mode, right)", () => {
    for (const [a, c, b] of [
      [0, 5, 10],
      [-1, -1, 3],
      [2, 7, 7],
      [0, 1, 10],
    ] as const) {
      const values = draw(spec("triangular", { left: a, mode: c, right: b }));
      const variance = (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
      expectMoments(values, (a + b + c) / 3, variance, 2.4 * variance ** 2);
      expect(values.every((x) => x >= a && x <= b)).toBe(true);
    }
  });

  it("binomial(n, p): exact by inversion (n·p < 10) and by BTRD, p on either side of ½", () => {
    for (const [n, p] of [
      [10, 0.5], // the example's: inversion
      [1, 0.3], // Bernoulli
      [1000, 0.005], // inversion, p near 0
      [1000, 0.995], // reflected inversion, p near 1
      [1000, 0.3], // BTRD
      [200, 0.95], // reflected BTRD (n·q = 10)
      [50, 0.2], // BTRD at n·p = 10
      [100_000, 0.5], // BTRD, large n
      [1_000_000, 0.0001], // BTRD, n large and p small
    ] as const) {
      const values = draw(spec("binomial", { n, p }, "int"));
      const q = 1 - p;
      const variance = n * p * q;
      expectMoments(values, n * p, variance, variance ** 2 * (3 + (1 - 6 * p * q) / variance));
      const sd = Math.sqrt(variance);
      expectFits(
        values,
        binomialPmf(n, p),
        Math.max(0, Math.floor(n * p - 12 * sd - 10)),
        Math.min(n, Math.ceil(n * p + 12 * sd + 10)),
      );
    }
  });

  it("binomial by BTRD and Poisson by PTRS fit their pmf at a finer resolution (4M draws)", () => {
    const big = 4_000_000;
    const b = draw(spec("binomial", { n: 1000, p: 0.3 }, "int"), big, 777);
    expectFits(b, binomialPmf(1000, 0.3), 180, 420);
    expectMoments(b, 300, 210, 210 ** 2 * (3 + (1 - 6 * 0.21) / 210));
    const p = draw(spec("poisson", { lambda: 50 }, "int"), big, 778);
    expectFits(p, poissonPmf(50, 160), 0, 160);
    expectMoments(p, 50, 50, 3 * 2500 + 50);
  });

  it("binomial edge cases: p = 0, p = 1, n = 0", () => {
    expect(draw(spec("binomial", { n: 7, p: 0 }, "int"), 100).every((x) => x === 0)).toBe(true);
    expect(draw(spec("binomial", { n: 7, p: 1 }, "int"), 100).every((x) => x === 7)).toBe(true);
    expect(draw(spec("binomial", { n: 0, p: 0.4 }, "int"), 100).every((x) => x === 0)).toBe(true);
  });

  it("poisson(lambda): exact by inversion (lambda < 10) and by PTRS", () => {
    for (const lambda of [0.05, 0.5, 3.5, 9.99, 10, 50, 1000, 1e6]) {
      const values = draw(spec("poisson", { lambda }, "int"));
      expectMoments(values, lambda, lambda, 3 * lambda * lambda + lambda);
      const sd = Math.sqrt(lambda);
      const hi = Math.ceil(lambda + 12 * sd + 20);
      expectFits(
        values,
        poissonPmf(lambda, hi),
        Math.max(0, Math.floor(lambda - 12 * sd - 10)),
        hi,
      );
    }
  });

  it("constant(valor) draws nothing and gives valor (rounded for int)", () => {
    const values = createScenarioStream(
      [
        spec("constant", { valor: 2.5 }, "float", "a"),
        spec("constant", { valor: -2.5 }, "int", "b"),
        spec("uniform", { min: 0, max: 1 }, "float", "u"),
      ],
      42,
    ).batch(3).values;
    expect(Array.from(values)).toEqual([
      2.5, -3, 0.3745401188473625, 2.5, -3, 0.9507143064099162, 2.5, -3, 0.7319939418114051,
    ]);
  });

  it("int with a continuous distribution: rounded to the nearest integer, halves away from zero", () => {
    expect([2.5, -2.5, 1.49, -1.5, -0.4, 0.5, 7].map(roundHalfAwayFromZero)).toEqual([
      3, -3, 1, -2, 0, 1, 7,
    ]);
    expect(Object.is(roundHalfAwayFromZero(-0.4), 0)).toBe(true);
    const floats = createScenarioStream([spec("normal", { media: 10, std: 3 })], 9).batch(
      1000,
    ).values;
    const ints = createScenarioStream([spec("normal", { media: 10, std: 3 }, "int")], 9).batch(
      1000,
    ).values;
    for (let i = 0; i < 1000; i++) expect(ints[i]).toBe(roundHalfAwayFromZero(floats[i] as number));
    // Rounding a symmetric distribution keeps its mean; the variance grows by 1/12.
    expectMoments(draw(spec("normal", { media: 0, std: 3 }, "int")), 0, 9 + 1 / 12, 3 * 81);
    for (const distribution of ["exponential", "lognormal", "triangular"] as const) {
      const params: Record<string, number> = {
        exponential: { lambda: 0.1 },
        lognormal: { mu: 1, sigma: 0.5 },
        triangular: { left: 0, mode: 2, right: 9 },
      }[distribution];
      expect(draw(spec(distribution, params, "int"), 10_000).every(Number.isInteger)).toBe(true);
    }
  });
});

describe("sums of independent variables", () => {
  it("x + y has the sum of the means and of the variances", () => {
    const stream = createScenarioStream(
      [
        spec("normal", { media: 1, std: 2 }, "float", "x"),
        spec("exponential", { lambda: 0.5 }, "float", "y"),
        spec("binomial", { n: 40, p: 0.25 }, "int", "k"),
        spec("poisson", { lambda: 25 }, "int", "p"),
      ],
      2024,
    );
    const { values } = stream.batch(N);
    const xy = new Float64Array(N);
    const kp = new Float64Array(N);
    const all = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const [x, y, k, p] = values.subarray(4 * i, 4 * i + 4) as unknown as [
        number,
        number,
        number,
        number,
      ];
      xy[i] = x + y;
      kp[i] = k + p;
      all[i] = x + y + k + p;
    }
    // Fourth central moment of a sum of independent X, Y: μ4X + 6·σ²X·σ²Y + μ4Y.
    const sum4 = (a: [number, number], b: [number, number]): [number, number] => [
      a[0] + b[0],
      a[1] + 6 * a[0] * b[0] + b[1],
    ];
    const normal: [number, number] = [4, 48];
    const exponential: [number, number] = [4, 9 * 16];
    const bv = 40 * 0.25 * 0.75;
    const binomial: [number, number] = [bv, bv * bv * (3 + (1 - 6 * 0.25 * 0.75) / bv)];
    const poisson: [number, number] = [25, 3 * 625 + 25];
    const [vxy, m4xy] = sum4(normal, exponential);
    expectMoments(xy, 1 + 2, vxy, m4xy);
    const [vkp, m4kp] = sum4(binomial, poisson);
    expectMoments(kp, 10 + 25, vkp, m4kp);
    const [vall, m4all] = sum4(sum4(normal, exponential), sum4(binomial, poisson));
    expectMoments(all, 3 + 35, vall, m4all);
  });

  it("the contract's example model: each variable's moments, drawn together", () => {
    const { values } = createScenarioStream(EXAMPLE, 42).batch(N);
    const column = (j: number) => {
      const out = new Float64Array(N);
      for (let i = 0; i < N; i++) out[i] = values[6 * i + j] as number;
      return out;
    };
    expectMoments(column(0), 0, 1, 3);
    expectMoments(column(1), 5, 100 / 12, 10 ** 4 / 80);
    expectMoments(column(2), 1 / 1.5, 1 / 1.5 ** 2, 9 / 1.5 ** 4);
    expect(moments(column(3).map(Math.log)).mean).toBeCloseTo(0, 1);
    expectMoments(column(4), 5, 25 / 6, 2.4 * (25 / 6) ** 2);
    expectFits(column(5), binomialPmf(10, 0.5), 0, 10);
  });
});

describe("reproducibility", () => {
  it("the same seed gives the same scenarios bit for bit; another seed others", () => {
    const a = createScenarioStream(EXAMPLE, 42).batch(10_000).values;
    const b = createScenarioStream(EXAMPLE, 42).batch(10_000).values;
    const c = createScenarioStream(EXAMPLE, 43).batch(10_000).values;
    expect(sameBits(a, b)).toBe(true);
    expect(sameBits(a, c)).toBe(false);
    let equal = 0;
    for (let i = 0; i < a.length; i += 6) if (a[i] === c[i]) equal++;
    expect(equal).toBe(0);
  });

  it("batches of 1, 7 or 1000 (and mixed, with offsets) draw the same stream", () => {
    const total = 7000;
    const whole = createScenarioStream(EXAMPLE, 99).batch(total).values;
    for (const size of [1, 7, 1000]) {
      const stream = createScenarioStream(EXAMPLE, 99);
      const out = new Float64Array(total * 6);
      for (let id = 1; id <= total; id += size) {
        expect(stream.nextId).toBe(id);
        const first = stream.fill(out, size, (id - 1) * 6);
        expect(first).toBe(id);
      }
      expect(stream.nextId).toBe(total + 1);
      expect(sameBits(out, whole)).toBe(true);
    }
    const stream = createScenarioStream(EXAMPLE, 99);
    const parts: Float64Array[] = [
      stream.next(),
      stream.batch(2).values,
      stream.next(new Float64Array(6)),
    ];
    const rest = new Float64Array(6 * 10);
    expect(stream.fill(rest)).toBe(5);
    const joined = new Float64Array(6 * 14);
    let at = 0;
    for (const part of [...parts, rest]) {
      joined.set(part, at);
      at += part.length;
    }
    expect(sameBits(joined, whole.subarray(0, 6 * 14))).toBe(true);
  });

  it("discrete samplers draw the same values however they are interleaved with others", () => {
    const alone = createScenarioStream([spec("binomial", { n: 1000, p: 0.3 }, "int")], 5).batch(
      1000,
    ).values;
    const again = new Float64Array(1000);
    const source = new RandomSource(5);
    const sampler = binomialSampler(1000, 0.3);
    for (let i = 0; i < 1000; i++) again[i] = sampler(source);
    expect(sameBits(alone, again)).toBe(true);
    const poisson = poissonSampler(42);
    const s2 = new RandomSource(5);
    const direct = Float64Array.from({ length: 100 }, () => poisson(s2));
    expect(
      sameBits(
        direct,
        createScenarioStream([spec("poisson", { lambda: 42 }, "int")], 5).batch(100).values,
      ),
    ).toBe(true);
  });
});

describe("invalid variables", () => {
  it("are refused with the variable's name and line", () => {
    const bad: [VariableSpec, RegExp][] = [
      [spec("normal", { media: 0, std: 0 }), /std must be > 0/],
      [spec("normal", { media: 0 }), /needs the parameter "std"/],
      [spec("normal", { media: 0, std: 1, sigma: 2 }), /no parameter "sigma"/],
      [spec("uniform", { min: 3, max: 3 }), /min must be < max/],
      [spec("uniform", { min: 0.2, max: 0.8 }, "int"), /integer between/],
      [spec("exponential", { lambda: 0 }), /lambda must be > 0/],
      [spec("poisson", { lambda: -1 }), /lambda must be > 0/],
      [spec("triangular", { left: 0, mode: 11, right: 10 }), /left ≤ mode ≤ right/],
      [spec("binomial", { n: 2.5, p: 0.5 }), /non-negative integer/],
      [spec("binomial", { n: 10, p: 1.5 }), /p must be in/],
      [spec("lognormal", { mu: 0, sigma: -1 }), /sigma/],
      [spec("normal", { media: Number.NaN, std: 1 }), /finite/],
      [spec("gamma" as DistributionName, { k: 1 }), /unknown distribution/],
    ];
    for (const [variable, reason] of bad) {
      expect(variableProblem(variable)).toMatch(reason);
      expect(() => createScenarioStream([{ ...variable, name: "precio", line: 14 }], 1)).toThrow(
        /"precio" \(line 14\)/,
      );
    }
    expect(variableProblem(spec("lognormal", { mu: 2, sigma: 0 }))).toBeUndefined();
    expect(variableProblem(spec("triangular", { left: 3, mode: 3, right: 3 }))).toBeUndefined();
    expect(Array.from(draw(spec("triangular", { left: 3, mode: 3, right: 3 }), 5))).toEqual([
      3, 3, 3, 3, 3,
    ]);
  });

  it("a batch that does not fit is refused", () => {
    const stream = createScenarioStream(EXAMPLE, 1);
    expect(() => stream.fill(new Float64Array(11), 2)).toThrow(RangeError);
    expect(() => stream.fill(new Float64Array(12), 1, 7)).toThrow(RangeError);
    expect(stream.nextId).toBe(1);
  });
});
