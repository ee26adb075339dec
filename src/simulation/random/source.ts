/**
 * The one seeded random source a run draws from: pure-rand's Mersenne Twister (MT19937)
 * and the continuous building blocks every distribution uses.
 *
 * - Seeds 0…2³²−1 seed MT19937 with the reference `init_genrand(seed)` (pure-rand's
 *   `mersenne(seed)`): the same raw stream as NumPy's legacy `RandomState(seed)`. Any other
 *   safe integer (negative, or ≥ 2³²) seeds it with the reference `init_by_array` on its
 *   64-bit two's complement `[low 32 bits, high 32 bits]`, like `RandomState([lo, hi])`.
 *   Distinct seeds give distinct streams.
 * - A uniform double takes two 32-bit outputs, 27 + 26 bits (`genrand_res53`): every
 *   multiple of 2⁻⁵³ in [0, 1) equally likely. `uniform()` is that value; `open()` adds
 *   half a step, (k + ½)·2⁻⁵³, so it is in (0, 1) and never 0 where a log is taken.
 * - The standard normal is Marsaglia's polar method, which makes two normals from one
 *   accepted pair; the second is kept and returned by the next call. The stream is single
 *   and consumed in order, so this cache is deterministic like the rest of the state.
 *   `normalParts` consumes exactly what `normal()` does but returns the value's parts
 *   (a, s), the value being a·√(−2·ln s / s) (`normalFromParts`): the logarithm and the
 *   square root can then be computed elsewhere (`tape.ts`), with the same result.
 */

import { uniformInt } from "pure-rand/distribution/uniformInt";
import { mersenne, mersenneFromState } from "pure-rand/generator/mersenne";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

const TWO_26 = 67108864;
const TWO_53 = 9007199254740992;
const TWO_32 = 4294967296;

/** The normal value of the parts `normalParts` gave: a·√(−2·ln s / s), as `normal()` computes it. */
export function normalFromParts(a: number, s: number): number {
  return a * Math.sqrt((-2 * Math.log(s)) / s);
}

export class RandomSource {
  private readonly rng: RandomGenerator;
  private spare = 0;
  private hasSpare = false;
  /** The spare's parts: its coordinate of the accepted pair, and the pair's s. */
  private spareV = 0;
  private spareS = 0;
  /** `normalParts` made the pair: `spare` is computed only if `normal()` asks for it. */
  private spareLazy = false;

  /** Seeded by `seed`; `generator` replaces MT19937 (tests drive the source with chosen outputs). */
  constructor(seed: number, generator?: RandomGenerator) {
    this.rng = generator ?? seededMersenne(seed);
  }

  /** The raw generator (32-bit outputs), for pure-rand's distributions. */
  get generator(): RandomGenerator {
    return this.rng;
  }

  /** Uniform on [0, 1), 53 random bits. */
  uniform(): number {
    const a = this.rng.next() >>> 5;
    const b = this.rng.next() >>> 6;
    return (a * TWO_26 + b) / TWO_53;
  }

  /** Uniform on (0, 1): never 0 nor 1, 53 random bits. */
  open(): number {
    const a = this.rng.next() >>> 5;
    const b = this.rng.next() >>> 6;
    return (a * TWO_26 + b + 0.5) / TWO_53;
  }

  /** Standard normal, Marsaglia's polar method (the second value of a pair is cached). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareLazy ? normalFromParts(this.spareV, this.spareS) : this.spare;
    }
    const u = this.polarPair();
    const s = this.spareS;
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = this.spareV * f;
    this.spareLazy = false;
    this.hasSpare = true;
    return u * f;
  }

  /**
   * Marsaglia's polar method's accepted pair (u, v) in the unit disc, s = u² + v²: returns
   * u; v and s are kept as the spare's parts.
   */
  private polarPair(): number {
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    this.spareV = v;
    this.spareS = s;
    return u;
  }

  /**
   * Consumes what `normal()` would and writes the parts of its value at `out[k]`,
   * `out[k + 1]`: `normalFromParts(out[k], out[k + 1])` is the value `normal()` returns.
   */
  normalParts(out: Float64Array, k: number): void {
    if (this.hasSpare) {
      this.hasSpare = false;
      out[k] = this.spareV;
      out[k + 1] = this.spareS;
      return;
    }
    out[k] = this.polarPair();
    out[k + 1] = this.spareS;
    this.spareLazy = true;
    this.hasSpare = true;
  }

  /** Standard exponential (rate 1), by inversion of an open uniform. */
  exponential(): number {
    return -Math.log(this.open());
  }

  /** Each integer in [from, to] (safe integers, from ≤ to) equally likely: pure-rand's unbiased `uniformInt`. */
  integer(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }
}

function seededMersenne(seed: number): RandomGenerator {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`the seed must be a safe integer, got ${seed}`);
  }
  if (seed >= 0 && seed < TWO_32) return mersenne(seed | 0);
  const lo = seed >>> 0; // ToUint32 of a safe integer: its low 32 bits (two's complement)
  const hi = Math.floor(seed / TWO_32) >>> 0;
  return mersenneFromState([0, ...twist(initByArray([lo, hi]))]);
}

const N = 624;
const M = 397;

/** MT19937's reference `init_by_array`. */
function initByArray(key: number[]): number[] {
  const mt = new Array<number>(N);
  mt[0] = 19650218;
  for (let i = 1; i < N; i++) {
    const prev = mt[i - 1] as number;
    mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
  }
  let i = 1;
  let j = 0;
  for (let k = Math.max(N, key.length); k > 0; k--) {
    const prev = mt[i - 1] as number;
    mt[i] =
      ((((mt[i] as number) ^ Math.imul(prev ^ (prev >>> 30), 1664525)) >>> 0) +
        (key[j] as number) +
        j) >>>
      0;
    i++;
    j++;
    if (i >= N) {
      mt[0] = mt[N - 1] as number;
      i = 1;
    }
    if (j >= key.length) j = 0;
  }
  for (let k = N - 1; k > 0; k--) {
    const prev = mt[i - 1] as number;
    mt[i] = ((((mt[i] as number) ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) >>> 0) - i) >>> 0;
    i++;
    if (i >= N) {
      mt[0] = mt[N - 1] as number;
      i = 1;
    }
  }
  mt[0] = 0x80000000;
  return mt.map((x) => x | 0);
}

/** MT19937's regeneration of the whole state (what `genrand_int32` does when it runs out). */
function twist(mt: number[]): number[] {
  for (let k = 0; k < N; k++) {
    const y = ((mt[k] as number) & 0x80000000) | ((mt[(k + 1) % N] as number) & 0x7fffffff);
    mt[k] = (mt[(k + M) % N] as number) ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
  }
  return mt.map((x) => x | 0);
}
