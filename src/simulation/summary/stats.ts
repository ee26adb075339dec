/**
 * The statistics of one output's results (contract `simulation.md`, "Scenarios and
 * results"), as pure functions of arrays so the live and final summaries share them.
 */

/** Two-sided 97.5% quantiles of Student's t with 1…30 degrees of freedom (SciPy `t.ppf`). */
const T975 = [
  12.706204736174694, 4.302652729749462, 3.1824463052837078, 2.7764451051977934, 2.5705818356363146,
  2.4469118511449786, 2.364624251592784, 2.306004135204166, 2.262157162798205, 2.228138851986274,
  2.200985160091639, 2.1788128296672284, 2.1603686564627913, 2.144786687917804, 2.131449545559776,
  2.1199052992212546, 2.1098155778333156, 2.1009220402410382, 2.0930240544083087, 2.085963447265864,
  2.0796138447276795, 2.0738730679040254, 2.0686576104190486, 2.0638985616280245,
  2.0595385527532972, 2.0555294386428735, 2.0518305164802846, 2.0484071417952454, 2.045229642132703,
  2.0422724563012378,
];
const Z975 = 1.959963984540054;

/**
 * The 97.5% quantile of Student's t with `df` degrees of freedom: a table to 30, then the
 * Cornish–Fisher expansion to the fourth order (error below 4e-8 from 31 on, tending to
 * the normal 1.95996…).
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  if (df <= 30) return T975[Math.floor(df) - 1] as number;
  const z = Z975;
  const z2 = z * z;
  const z3 = z2 * z;
  const z5 = z3 * z2;
  const z7 = z5 * z2;
  const z9 = z7 * z2;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
  );
}

/**
 * The 95% confidence interval of the mean: mean ± t(0.975, n−1)·std/√n (Student's t, which
 * is the normal 1.96 for large n). NaN bounds below n = 2.
 */
export function confidenceInterval95(mean: number, std: number, n: number): [number, number] {
  if (!(n >= 2)) return [Number.NaN, Number.NaN];
  const half = (tQuantile975(n - 1) * std) / Math.sqrt(n);
  return [mean - half, mean + half];
}

/** NumPy's linear interpolation between a and b (exactly a at t = 0 and b at t = 1). */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/**
 * The q-quantile (q in [0, 1]) of ascending `sorted`, NumPy's default `linear` method:
 * position h = (n − 1)·q between the two neighbouring order statistics.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1] as number;
  return lerp(sorted[lo] as number, sorted[lo + 1] as number, h - lo);
}

/**
 * A histogram of `values` in `bins` equal bins from `min` to `max` (NumPy's
 * `histogram(values, bins, range=(min, max))`): the last bin includes `max`, a value's bin
 * is checked against the edges actually reported, and when min = max the range is
 * min − ½ … max + ½. Values outside [min, max] are not counted.
 */
export function histogram(
  values: Float64Array,
  bins: number,
  min: number,
  max: number,
): { edges: number[]; counts: number[] } {
  let lo = min;
  let hi = max;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Array<number>(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = lo + ((hi - lo) * i) / bins;
  edges[bins] = hi;
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (!(x >= lo && x <= hi)) continue;
    let b = Math.floor((x - lo) * scale);
    if (b >= bins) b = bins - 1;
    // The computed bin can be off by one at an edge: settle it against the edges themselves.
    if (x < (edges[b] as number)) b--;
    else if (b < bins - 1 && x >= (edges[b + 1] as number)) b++;
    counts[b] = (counts[b] as number) + 1;
  }
  return { edges, counts };
}

/**
 * The average rank (1-based; ties share the mean of their positions) of each of `values`,
 * given the same values sorted ascending: found by binary search, so the input's order is
 * kept and ties cost nothing extra.
 */
export function averageRanks(values: Float64Array, sorted: Float64Array): Float64Array {
  const n = values.length;
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i] as number;
    // below = how many are < x, notAbove = how many are ≤ x.
    let a = 0;
    let b = n;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if ((sorted[mid] as number) < x) a = mid + 1;
      else b = mid;
    }
    const below = a;
    b = n;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if ((sorted[mid] as number) <= x) a = mid + 1;
      else b = mid;
    }
    ranks[i] = (below + a + 1) / 2;
  }
  return ranks;
}

const BITS = 11;

function bump(counts: Uint32Array, at: number): void {
  counts[at] = (counts[at] as number) + 1;
}
const MASK = (1 << BITS) - 1;

/**
 * The permutation that sorts `values` ascending (finite values; −0 and 0 adjacent): an
 * LSD radix sort over the 64 bits of each value's order-preserving key, six 11-bit passes
 * carrying the indices, a pass skipped when every key shares its digit (integer-valued
 * variables skip most). Stable, O(n), no comparator calls.
 */
export function argsortDoubles(values: Float64Array): Uint32Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  let index = new Uint32Array(n);
  // Sortable keys: negative numbers have every bit flipped, the others their sign bit.
  for (let i = 0; i < n; i++) {
    const l = words[2 * i] as number;
    const h = words[2 * i + 1] as number;
    if (h & 0x80000000) {
      lo[i] = ~l;
      hi[i] = ~h;
    } else {
      lo[i] = l;
      hi[i] = h ^ 0x80000000;
    }
    index[i] = i;
  }
  const counts = new Uint32Array(6 << BITS);
  for (let i = 0; i < n; i++) {
    const l = lo[i] as number;
    const h = hi[i] as number;
    bump(counts, l & MASK);
    bump(counts, (1 << BITS) + ((l >>> BITS) & MASK));
    bump(counts, (2 << BITS) + (l >>> (2 * BITS)));
    bump(counts, (3 << BITS) + (h & MASK));
    bump(counts, (4 << BITS) + ((h >>> BITS) & MASK));
    bump(counts, (5 << BITS) + (h >>> (2 * BITS)));
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let index2 = new Uint32Array(n);
  for (let pass = 0; pass < 6; pass++) {
    const base = pass << BITS;
    const shift = (pass % 3) * BITS;
    const fromHigh = pass >= 3;
    const first = n > 0 ? ((fromHigh ? hi[0] : lo[0]) as number) : 0;
    if (n === 0 || counts[base + ((first >>> shift) & MASK)] === n) continue;
    let total = 0;
    for (let d = 0; d <= MASK; d++) {
      const c = counts[base + d] as number;
      counts[base + d] = total;
      total += c;
    }
    const keys = fromHigh ? hi : lo;
    for (let i = 0; i < n; i++) {
      const d = base + (((keys[i] as number) >>> shift) & MASK);
      const at = counts[d] as number;
      counts[d] = at + 1;
      lo2[at] = lo[i] as number;
      hi2[at] = hi[i] as number;
      index2[at] = index[i] as number;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [index, index2] = [index2, index];
  }
  return index;
}

/**
 * The average ranks of `values` (1-based; ties share the mean of their positions) and the
 * values sorted ascending, from one radix argsort.
 */
export function ranksAndSorted(values: Float64Array): {
  ranks: Float64Array;
  sorted: Float64Array;
} {
  const n = values.length;
  const order = argsortDoubles(values);
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = values[order[i] as number] as number;
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    const x = sorted[i] as number;
    while (j + 1 < n && sorted[j + 1] === x) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = rank;
    i = j + 1;
  }
  return { ranks, sorted };
}

/**
 * Pearson's correlation of two rank arrays of the same length (each summing to n(n+1)/2,
 * as average ranks do). 0 when either has no variation (a constant variable, or a
 * constant output): no rank order, so no monotone association to report.
 */
export function rankCorrelation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (n < 2) return 0;
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] as number) - mean;
    const y = (b[i] as number) - mean;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  if (saa === 0 || sbb === 0) return 0;
  const r = sab / Math.sqrt(saa * sbb);
  return Math.max(-1, Math.min(1, r));
}

/** Ascending copy of `values`. */
export function sortedCopy(values: Float64Array): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * Spearman's rank correlation of `x` with `y` (same length), average ranks for ties.
 * `sortedY` may be passed when already at hand.
 */
export function spearman(x: Float64Array, y: Float64Array, sortedY?: Float64Array): number {
  if (x.length !== y.length) throw new RangeError("spearman: arrays of different lengths");
  const ry = sortedY === undefined ? ranksAndSorted(y).ranks : averageRanks(y, sortedY);
  return rankCorrelation(ranksAndSorted(x).ranks, ry);
}

/** Neumaier-compensated running sum, so a long run's mean does not drift with its length. */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}
