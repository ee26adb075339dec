import { latin1AsWindows1252 } from "../../etl/read/recode.js";
import {
  booleanAt,
  type DateReading,
  dateAt,
  isNullAt,
  type NumberReading,
  numberAt,
} from "./classify.js";
import { HyperLogLog, hashString } from "./hll.js";
import { emitTexts, newSpellings, recordSpelling, type Spellings } from "./spellings.js";
import { TextDict } from "./text-dict.js";
import { type SortedValues, ValueList } from "./value-list.js";

/** Candidate types still possible for a column (each dies at its first misfit). */
export const INTEGER = 1;
export const DECIMAL = 2;
export const BOOLEAN = 4;
export const DATE = 8;
export const NUMERIC = INTEGER | DECIMAL;

/** The filter of counted values: 2^21 bits (256 KB), for at most 100,000 values. */
const FILTER_BITS = 21;

function filterOf(counts: Map<string, number>): Uint32Array {
  const filter = new Uint32Array(1 << (FILTER_BITS - 5));
  for (const value of counts.keys()) mark(filter, hashString(value));
  return filter;
}

const bit = (hash: number) => hash >>> (32 - FILTER_BITS);
function mark(filter: Uint32Array, hash: number): void {
  const b = bit(hash);
  filter[b >>> 5] = (filter[b >>> 5] as number) | (1 << (b & 31));
}
const isMarked = (filter: Uint32Array, hash: number) =>
  ((filter[bit(hash) >>> 5] as number) & (1 << (bit(hash) & 31))) !== 0;

/**
 * The bytes a Windows-1252 text gains as UTF-8: one for each byte from 0xA0 and for the
 * letters of 0x80–0x9F below U+0800 (Š, Œ, ƒ…), two for the punctuation and € there.
 */
const EXTRA_80_9F = [
  2, 1, 2, 1, 2, 2, 2, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 1, 2, 1, 2, 1, 1, 1, 1,
];
function utf8Extra(b: Buffer, start: number, end: number): number {
  let extra = 0;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c >= 0xa0) extra++;
    else if (c >= 0x80) extra += EXTRA_80_9F[c - 0x80] as number;
  }
  return extra;
}

/** Past the exact limit, one value in this many not counted yet is admitted to the counts. */
const ADMIT_EVERY = 8;

/** Distinct values are counted exactly up to this many, then estimated (contract). */
export const EXACT_DISTINCT_LIMIT = 100_000;

/**
 * The state of one column after some rows: plain data (typed arrays, a Map, numbers) so
 * that a thread's part travels by `postMessage` and merges with the next part.
 */
export interface ColumnState {
  nonNull: number;
  nulls: number;
  candidates: number;
  /** A value with a time of day was seen (date → datetime). */
  time: boolean;
  /** Values read as numbers, while the column may still be numeric: sorted. */
  numbers: SortedValues;
  /** Values read as dates (ms), while the column may still be a date: sorted. */
  dates: SortedValues;
  /** Counts by text, kept once the column can be neither numeric nor a date. */
  counts: Map<string, number> | null;
  /** Set once the counts passed the exact limit: every value seen, estimated. */
  hll: Uint8Array | null;
  minText: string | null;
  maxText: string | null;
  minLength: number;
  maxLength: number;
  /** UTF-8 bytes of all non-null values (for the memory estimate). */
  chars: number;
  /** The texts of `numbers` and `dates` not written as their value prints (see spellings.ts). */
  numberSpellings: Spellings;
  dateSpellings: Spellings;
  /** Text counts rebuilt from more spellings than were kept: `unicos` is an estimate. */
  inexact: boolean;
}

/**
 * Accumulates one column's values, one trimmed value at a time. Numbers and dates are
 * kept as doubles while their type is still possible (distinct values, top values,
 * quantiles and exact moments all come from the sorted values at the end); text is
 * counted in a Map only once neither is possible — most of a typical file's fields never
 * touch a hash table.
 */
export class ColumnAccumulator {
  nonNull = 0;
  nulls = 0;
  candidates = INTEGER | DECIMAL | BOOLEAN | DATE;
  time = false;
  chars = 0;
  numbers = new ValueList();
  dates = new ValueList();
  counts: Map<string, number> | null = null;
  hll: HyperLogLog | null = null;
  minText: string | null = null;
  maxText: string | null = null;
  minLength = Number.POSITIVE_INFINITY;
  maxLength = 0;
  numberSpellings = newSpellings();
  dateSpellings = newSpellings();
  inexact = false;
  /** Byte lookups for the first values of a text column (see text-dict.ts). */
  private dict: TextDict | null = null;
  /** Values not counted yet seen past the exact limit (see `count`). */
  private misses = 0;
  /** Past the exact limit: a bit per hash of the values being counted (see `count`). */
  private seenFilter: Uint32Array | null = null;
  private readonly number: NumberReading = { value: 0, integer: false, canonical: true };
  private readonly date: DateReading = { ms: 0, time: false, canonical: true };

  /** Set while `add` feeds a value that was text already (UTF-8 whatever the file's encoding). */
  private utf8Now = false;

  constructor(
    private readonly decimalComma: boolean,
    private readonly windows1252 = false,
  ) {}

  /** One value given as text (a quoted field, a recoded record): read as its UTF-8 bytes. */
  add(value: string): void {
    const bytes = Buffer.from(value, "utf8");
    this.utf8Now = true;
    this.addBytes(bytes, 0, bytes.length);
    this.utf8Now = false;
  }

  /**
   * One value as the file's bytes `b[start, end)`: trimmed (ASCII spaces and controls),
   * tested against each type still possible, and decoded to a string only when its text is
   * needed (a text column's counts, a spelling to keep, a non-ASCII boolean word).
   */
  addBytes(b: Buffer, start: number, end: number): void {
    while (start < end && (b[start] as number) <= 32) start++;
    while (end > start && (b[end - 1] as number) <= 32) end--;
    if (isNullAt(b, start, end)) {
      this.nulls++;
      return;
    }
    this.nonNull++;
    this.chars += end - start;
    if (this.windows1252 && !this.utf8Now) this.chars += utf8Extra(b, start, end);
    let candidates = this.candidates;
    if (candidates & NUMERIC) {
      const value = numberAt(b, start, end, this.decimalComma, this.number);
      if (Number.isNaN(value)) candidates &= ~NUMERIC;
      else {
        if (!this.number.integer) candidates &= ~INTEGER;
        this.numbers.push(value);
        if (!this.number.canonical) recordSpelling(this.numberSpellings, this.text(b, start, end));
      }
    }
    if (
      candidates & BOOLEAN &&
      booleanAt(b, start, end, () => this.text(b, start, end)) === undefined
    )
      candidates &= ~BOOLEAN;
    if (candidates & DATE) {
      if (dateAt(b, start, end, this.date)) {
        if (this.date.time) this.time = true;
        this.dates.push(this.date.ms);
        if (!this.date.canonical) recordSpelling(this.dateSpellings, this.text(b, start, end));
      } else candidates &= ~DATE;
    }
    if (candidates !== this.candidates) this.demote(candidates);
    if (this.counts !== null) {
      const dict = this.dict;
      if (dict?.hit(b, start, end)) return;
      const text = this.text(b, start, end);
      this.count(text, 1);
      if (dict !== null && (this.hll !== null || !dict.add(b, start, end, text))) this.flushDict();
    }
  }

  /** Moves the dictionary's sightings into the counts and stops using it. */
  private flushDict(): void {
    const dict = this.dict;
    if (dict === null) return;
    this.dict = null;
    const counts = this.counts as Map<string, number>;
    dict.texts.forEach((text, i) => {
      const hits = dict.hits[i] as number;
      if (hits > 0) counts.set(text, (counts.get(text) ?? 0) + hits);
    });
  }

  /** The text of `b[start, end)`: UTF-8, or Windows-1252 for such a file. */
  private text(b: Buffer, start: number, end: number): string {
    return this.windows1252 && !this.utf8Now
      ? latin1AsWindows1252(b.toString("latin1", start, end))
      : b.toString("utf8", start, end);
  }

  /**
   * The candidates narrowed. When the column can no longer be a number or a date, the
   * values held so far as doubles are counted as text — as written: each value's canonical
   * text, and the spellings recorded for the others — and the doubles released. Whichever
   * of the two lists was still being filled holds every value so far.
   */
  private demote(candidates: number): void {
    const before = this.candidates;
    this.candidates = candidates;
    if (this.counts === null && !(candidates & (NUMERIC | DATE))) {
      this.counts = new Map();
      this.dict = new TextDict();
      const count = (text: string, n: number) => this.count(text, n);
      if (before & NUMERIC) {
        emitTexts(this.numbers.sorted(), "number", this.numberSpellings, count);
        this.inexact ||= !this.numberSpellings.complete;
      } else if (before & DATE) {
        emitTexts(this.dates.sorted(), this.time ? "datetime" : "date", this.dateSpellings, count);
        this.inexact ||= !this.dateSpellings.complete;
      }
    }
    if (!(candidates & NUMERIC)) {
      this.numbers.clear();
      this.numberSpellings = newSpellings();
    }
    if (!(candidates & DATE)) {
      this.dates.clear();
      this.dateSpellings = newSpellings();
      this.time = false;
    }
  }

  /**
   * This column's part as plain data (for `postMessage`), its doubles sorted — on the
   * part's own thread, so the threads share the sorting too. The accumulator is spent.
   */
  state(): ColumnState {
    this.flushDict();
    return {
      nonNull: this.nonNull,
      nulls: this.nulls,
      candidates: this.candidates,
      time: this.time,
      numbers: this.numbers.sorted(),
      dates: this.dates.sorted(),
      counts: this.counts,
      hll: this.hll?.registers ?? null,
      minText: this.minText,
      maxText: this.maxText,
      minLength: this.minLength,
      maxLength: this.maxLength,
      chars: this.chars,
      numberSpellings: this.numberSpellings,
      dateSpellings: this.dateSpellings,
      inexact: this.inexact,
    };
  }

  /** Counts `n` occurrences of the text `s` (1 while reading; more when rebuilt from a list). */
  count(s: string, n: number): void {
    const counts = this.counts as Map<string, number>;
    let hash = 0;
    if (this.seenFilter !== null) {
      // Past the exact limit most values of a high-cardinality column are not counted: the
      // filter (one bit per hash) says so without a hash-table lookup.
      hash = hashString(s);
      (this.hll as HyperLogLog).addHash(hash);
    }
    const filtered = this.seenFilter !== null && !isMarked(this.seenFilter, hash);
    const seen = filtered ? undefined : counts.get(s);
    if (seen !== undefined) {
      counts.set(s, seen + n);
      return; // min, max and lengths already saw this value
    }
    if (this.minText === null || s < this.minText) this.minText = s;
    if (this.maxText === null || s > this.maxText) this.maxText = s;
    if (s.length < this.minLength) this.minLength = s.length;
    if (s.length > this.maxLength) this.maxLength = s.length;
    if (this.seenFilter !== null) {
      // Only one value in ADMIT_EVERY not counted yet starts a count: a frequent value is
      // admitted after a few sightings, and the hash table stops churning through the
      // unique ones.
      if (++this.misses % ADMIT_EVERY !== 0) return;
      mark(this.seenFilter, hash);
    }
    counts.set(s, n);
    if (counts.size > EXACT_DISTINCT_LIMIT) {
      if (this.hll === null) this.overflow();
      else pruneCounts(counts);
      this.seenFilter = filterOf(counts);
    }
  }

  /** Past the exact limit: every distinct value into the estimate, the rarest counts dropped. */
  private overflow(): void {
    const hll = new HyperLogLog();
    for (const key of (this.counts as Map<string, number>).keys()) hll.add(key);
    this.hll = hll;
    pruneCounts(this.counts as Map<string, number>);
  }
}

/**
 * Keeps at most the most frequent half of the counts (lossy counting), in place: once a column has more
 * distinct values than can be counted exactly, top values are those frequent enough to
 * survive the pruning. Exact whenever `unicos_aproximado` is false.
 */
export function pruneCounts(counts: Map<string, number>): void {
  // The smallest count threshold that leaves at most half the limit: a histogram of the
  // counts (O(n), no sort), then one deleting pass.
  const keep = EXACT_DISTINCT_LIMIT / 2;
  const cap = 4096;
  const histogram = new Uint32Array(cap + 1);
  for (const count of counts.values()) {
    const bin = Math.min(count, cap);
    histogram[bin] = (histogram[bin] as number) + 1;
  }
  let remaining = counts.size;
  let threshold = 0;
  while (remaining > keep && threshold < cap) remaining -= histogram[++threshold] as number;
  for (const [value, count] of counts) if (count <= threshold) counts.delete(value);
}
