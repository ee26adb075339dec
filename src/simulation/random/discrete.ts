/**
 * Exact binomial and Poisson samplers. Each is prepared once per variable (its constants
 * computed from the parameters) and then draws from a `RandomSource`.
 *
 * - Binomial(n, p): drawn for min(p, 1 − p) and reflected (k → n − k) when p > ½. When
 *   n·min(p, 1−p) < 10, by inversion: a sequential search from 0 with the pmf computed
 *   recursively, f(k) = f(k−1)·(n−k+1)/k·p/q from f(0) = qⁿ (one uniform, about n·p + 1
 *   steps). Otherwise by BTRD, Hörmann's transformed rejection with decomposition
 *   (W. Hörmann, "The generation of binomial random variates", J. Statist. Comput. Simul.
 *   46, 1993): exact, about 1.1 uniforms per draw, constant time in n.
 * - Poisson(λ): when λ < 10, inversion by the same sequential search (f(0) = e^−λ,
 *   f(k) = f(k−1)·λ/k); otherwise PTRS, Hörmann's transformed rejection with squeeze
 *   (W. Hörmann, "The transformed rejection method for generating Poisson random
 *   variables", Insurance: Mathematics and Economics 12, 1993): exact, constant time in λ.
 *
 * A sequential search that runs past the support because of rounding (the summed pmf
 * falls short of the uniform by an ulp) starts again with a new uniform, so no value is
 * truncated or clamped.
 */

import type { RandomSource } from "./source.js";

export type DiscreteSampler = (source: RandomSource) => number;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_FACTORIAL_TABLE = 256;
const logFactorials = new Float64Array(LOG_FACTORIAL_TABLE);
for (let k = 2; k < LOG_FACTORIAL_TABLE; k++) {
  logFactorials[k] = (logFactorials[k - 1] as number) + Math.log(k);
}

/** ln k! for an integer k ≥ 0: a table below 256, Stirling's series (error < 1e-17 relative) above. */
export function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE) return logFactorials[k] as number;
  const x = k + 1;
  const x2 = x * x;
  return (
    (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + (1 / 12 - (1 / 360 - 1 / (1260 * x2)) / x2) / x
  );
}

/** The Stirling correction ln k! − [(k + ½)·ln(k + 1) − (k + 1) + ½·ln 2π] used by BTRD. */
function stirlingCorrection(k: number): number {
  if (k < 16) return logFactorial(k) - ((k + 0.5) * Math.log(k + 1) - (k + 1) + HALF_LOG_2PI);
  const x = k + 1;
  const x2 = x * x;
  return (1 / 12 - (1 / 360 - 1 / (1260 * x2)) / x2) / x;
}

/** A binomial(n, p) sampler; n a non-negative integer, p in [0, 1]. */
export function binomialSampler(n: number, p: number): DiscreteSampler {
  if (n === 0 || p === 0) return () => 0;
  if (p === 1) return () => n;
  const flip = p > 0.5;
  const r = flip ? 1 - p : p;
  const draw = n * r < 10 ? binomialInversion(n, r) : binomialBtrd(n, r);
  return flip ? (source) => n - draw(source) : draw;
}

function binomialInversion(n: number, p: number): DiscreteSampler {
  const search = binomialSearch(n, p);
  return (source) => {
    for (;;) {
      const k = search(source.uniform());
      if (k >= 0) return k;
    }
  };
}

/** The sequential search from one uniform: k, or −1 when it runs past n (start again). */
function binomialSearch(n: number, p: number): (u: number) => number {
  const q = 1 - p;
  const ratio = p / q;
  const f0 = Math.exp(n * Math.log1p(-p));
  return (u) => {
    let f = f0;
    let k = 0;
    while (u >= f) {
      u -= f;
      k++;
      // Past n, or the pmf underflowed: it would only go on to n + 1 (n may be huge).
      if (k > n || f === 0) return -1;
      f *= ((n - k + 1) / k) * ratio;
    }
    return k;
  };
}

function binomialBtrd(n: number, p: number): DiscreteSampler {
  const q = 1 - p;
  const m = Math.floor((n + 1) * p);
  const r = p / q;
  const nr = (n + 1) * r;
  const npq = n * p * q;
  const spq = Math.sqrt(npq);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const alpha = (2.83 + 5.1 / b) * spq;
  const vr = 0.92 - 4.2 / b;
  const urvr = 0.86 * vr;
  const nm = n - m + 1;
  const h =
    (m + 0.5) * Math.log((m + 1) / (r * nm)) + stirlingCorrection(m) + stirlingCorrection(n - m);
  return (source) => {
    for (;;) {
      let v = source.uniform();
      let u: number;
      if (v <= urvr) {
        // The box where every point is accepted: one uniform.
        u = v / vr - 0.43;
        return Math.floor(((2 * a) / (0.5 - Math.abs(u)) + b) * u + c);
      }
      if (v >= vr) {
        u = source.uniform() - 0.5;
      } else {
        u = v / vr - 0.93;
        u = (u < 0 ? -0.5 : 0.5) - u;
        v = source.uniform() * vr;
      }
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + c);
      if (!(k >= 0 && k <= n)) continue;
      v = (v * alpha) / (a / (us * us) + b);
      const km = Math.abs(k - m);
      if (km <= 15) {
        // Recursive evaluation of f(k)/f(m).
        let f = 1;
        if (m < k) {
          for (let i = m + 1; i <= k; i++) f *= nr / i - r;
        } else if (m > k) {
          for (let i = k + 1; i <= m; i++) v *= nr / i - r;
        }
        if (v <= f) return k;
        continue;
      }
      // Squeeze on the log scale, then the exact test with Stirling corrections.
      v = Math.log(v);
      const rho = (km / npq) * (((km / 3 + 0.625) * km + 1 / 6) / npq + 0.5);
      const t = (-km * km) / (2 * npq);
      if (v < t - rho) return k;
      if (v > t + rho) continue;
      const nk = n - k + 1;
      const bound =
        h +
        (n + 1) * Math.log(nm / nk) +
        (k + 0.5) * Math.log((nk * r) / (k + 1)) -
        stirlingCorrection(k) -
        stirlingCorrection(n - k);
      if (v <= bound) return k;
    }
  };
}

/**
 * Below this uniform a sequential search always ends inside the support: the pmf it sums
 * is 1 within a few hundred ulps (rounding of f(0), the recursion and the subtractions),
 * far less than 2⁻³⁰, so only a uniform above it can run past the end and start again.
 */
const SEARCH_ENDS_BELOW = 1 - 2 ** -30;

/**
 * A discrete draw in two stages (`DrawStages` in `distributions.ts`): by inversion, the
 * first stage takes the uniform the search will end with (running the search itself only
 * for a uniform within 2⁻³⁰ of 1, which may start again) and the second runs the search;
 * BTRD and PTRS, whose uniforms depend on their computations, draw in the first stage.
 */
export interface DiscreteStages {
  record(source: RandomSource): number;
  finish(recorded: number): number;
}

/** `binomialSampler(n, p)` in two stages. */
export function binomialStages(n: number, p: number): DiscreteStages {
  if (n === 0 || p === 0) return { record: () => 0, finish: () => 0 };
  if (p === 1) return { record: () => 0, finish: () => n };
  const flip = p > 0.5;
  const r = flip ? 1 - p : p;
  if (n * r >= 10) {
    const draw = binomialSampler(n, p);
    return { record: draw, finish: (k) => k };
  }
  const search = binomialSearch(n, r);
  const finish = checkedSearch(search);
  return { record: inversionRecord(search), finish: flip ? (u) => n - finish(u) : finish };
}

/** `poissonSampler(lambda)` in two stages. */
export function poissonStages(lambda: number): DiscreteStages {
  if (lambda >= 10) return { record: poissonSampler(lambda), finish: (k) => k };
  const search = poissonSearch(lambda);
  return { record: inversionRecord(search), finish: checkedSearch(search) };
}

/** A search from a recorded uniform, which ends inside the support unless the tape was not the producer's. */
function checkedSearch(search: (u: number) => number): (u: number) => number {
  return (u) => {
    const k = search(u);
    if (k < 0) throw new RangeError(`the tape's uniform ${u} does not end an inversion search`);
    return k;
  };
}

function inversionRecord(search: (u: number) => number): (source: RandomSource) => number {
  return (source) => {
    for (;;) {
      const u = source.uniform();
      if (u < SEARCH_ENDS_BELOW || search(u) >= 0) return u;
    }
  };
}

/** A Poisson(λ) sampler; λ > 0. */
export function poissonSampler(lambda: number): DiscreteSampler {
  return lambda < 10 ? poissonInversion(lambda) : poissonPtrs(lambda);
}

function poissonInversion(lambda: number): DiscreteSampler {
  const search = poissonSearch(lambda);
  return (source) => {
    for (;;) {
      const k = search(source.uniform());
      if (k >= 0) return k;
    }
  };
}

/** The sequential search from one uniform: k, or −1 when the pmf underflows first (start again). */
function poissonSearch(lambda: number): (u: number) => number {
  const f0 = Math.exp(-lambda);
  return (u) => {
    let f = f0;
    let k = 0;
    while (u >= f && f > 0) {
      u -= f;
      k++;
      f *= lambda / k;
    }
    return f > 0 ? k : -1;
  };
}

function poissonPtrs(lambda: number): DiscreteSampler {
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * Math.sqrt(lambda);
  const a = -0.059 + 0.02483 * b;
  const logInvAlpha = Math.log(1.1239 + 1.1328 / (b - 3.4));
  const vr = 0.9277 - 3.6224 / (b - 2);
  return (source) => {
    for (;;) {
      const u = source.uniform() - 0.5;
      const v = source.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + logInvAlpha - Math.log(a / (us * us) + b) <=
        -lambda + k * logLambda - logFactorial(k)
      ) {
        return k;
      }
    }
  };
}
