import type { DoubleBlocks } from "./blocks.js";

/** 11-bit digits: 2,048 buckets stay in the cache while scattering (16-bit ones did not). */
const BITS = 11;
const MASK = (1 << BITS) - 1;

/**
 * The values of `blocks`, sorted ascending, by an LSD radix sort over their bits: six
 * 11-bit passes, a pass skipped when every value shares its digit. About twice as fast as
 * `Float64Array.prototype.sort` on millions of values, and lean: the values are copied
 * once out of their blocks (which are released) and sorted between that array and one
 * scratch array of the same size. Every numeric and date column is sorted for its exact
 * quantiles, distinct and top values. NaN never reaches here.
 */
export function sortDoubles(blocks: DoubleBlocks): Float64Array {
  const n = blocks.length;
  let values = new Float64Array(n);
  blocks.copyTo(values);
  blocks.clear();
  // Already in order (an id, a timestamp of an append-only export): nothing to do.
  let i = 1;
  while (i < n && (values[i - 1] as number) <= (values[i] as number)) i++;
  if (i >= n) return values;
  if (n < 1 << 14) return values.sort();
  let words = new Uint32Array(values.buffer);
  // Sortable keys, in place: negative numbers have every bit flipped, the others their sign bit.
  for (let i = 0; i < 2 * n; i += 2) {
    const h = words[i + 1] as number;
    if (h & 0x80000000) {
      words[i] = ~(words[i] as number);
      words[i + 1] = ~h;
    } else words[i + 1] = h ^ 0x80000000;
  }
  let scratch = new Float64Array(n);
  let into = new Uint32Array(scratch.buffer);
  const counts = new Uint32Array(1 << BITS);
  for (let pass = 0; pass < 6; pass++) {
    const word = pass < 3 ? 0 : 1;
    const shift = (pass % 3) * BITS;
    counts.fill(0);
    for (let i = word; i < 2 * n; i += 2) {
      const d = ((words[i] as number) >>> shift) & MASK;
      counts[d] = (counts[d] as number) + 1;
    }
    if (counts[((words[word] as number) >>> shift) & MASK] === n) continue; // one digit: nothing to do
    let total = 0;
    for (let d = 0; d <= MASK; d++) {
      const c = counts[d] as number;
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < 2 * n; i += 2) {
      const d = ((words[i + word] as number) >>> shift) & MASK;
      const at = 2 * (counts[d] as number);
      counts[d] = at / 2 + 1;
      into[at] = words[i] as number;
      into[at + 1] = words[i + 1] as number;
    }
    [values, scratch] = [scratch, values];
    [words, into] = [into, words];
  }
  for (let i = 0; i < 2 * n; i += 2) {
    const h = words[i + 1] as number;
    if (h & 0x80000000) words[i + 1] = h ^ 0x80000000;
    else {
      words[i] = ~(words[i] as number);
      words[i + 1] = ~h;
    }
  }
  return values;
}
