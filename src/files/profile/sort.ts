/**
 * Sorts doubles ascending with an LSD radix sort over their bits (six 11-bit passes,
 * a pass skipped when every value shares its digit): about 3× faster than
 * `Float64Array.prototype.sort` for the millions of values of a large column, which
 * every numeric and date column needs sorted for its exact quantiles and distinct counts.
 * NaN never reaches here. Returns a new array; `values` is left as garbage.
 */
/** 11-bit digits: 2,048 buckets stay in the cache while scattering (16-bit ones did not). */
const BITS = 11;
const MASK = (1 << BITS) - 1;

export function sortDoubles(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < 1 << 14) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
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
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  const counts = new Uint32Array(1 << BITS);
  for (let pass = 0; pass < 6; pass++) {
    const keys = pass < 3 ? lo : hi;
    const shift = (pass % 3) * BITS;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keys[i] as number) >>> shift) & MASK]++;
    if (counts[((keys[0] as number) >>> shift) & MASK] === n) continue; // one digit: nothing to do
    let total = 0;
    for (let d = 0; d < 1 << BITS; d++) {
      const c = counts[d] as number;
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const d = ((keys[i] as number) >>> shift) & MASK;
      const at = counts[d] as number;
      counts[d] = at + 1;
      lo2[at] = lo[i] as number;
      hi2[at] = hi[i] as number;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  const sorted = new Float64Array(n);
  const out = new Uint32Array(sorted.buffer);
  for (let i = 0; i < n; i++) {
    const h = hi[i] as number;
    if (h & 0x80000000) {
      out[2 * i] = lo[i] as number;
      out[2 * i + 1] = h ^ 0x80000000;
    } else {
      out[2 * i] = ~(lo[i] as number);
      out[2 * i + 1] = ~h;
    }
  }
  return sorted;
}
