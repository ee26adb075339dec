import { type ColumnState, DATE, EXACT_DISTINCT_LIMIT, NUMERIC, pruneCounts } from "./column.js";
import { HyperLogLog } from "./hll.js";
import { emitTexts, mergeSpellings, newSpellings } from "./spellings.js";
import { mergeSortedValues, NO_VALUES } from "./value-list.js";

/**
 * A part's values as text counts, for a column that turned out to be text in another
 * part: from its doubles (canonical form, as `ColumnAccumulator.demote` does) when it
 * never needed counts itself.
 */
function countsOf(state: ColumnState): ColumnState {
  if (state.counts !== null) return state;
  const counts = new Map<string, number>();
  let minText: string | null = null;
  let maxText: string | null = null;
  let minLength = Number.POSITIVE_INFINITY;
  let maxLength = 0;
  const add = (text: string, count: number) => {
    const seen = counts.get(text);
    if (seen !== undefined) {
      counts.set(text, seen + count);
      return;
    }
    counts.set(text, count);
    if (minText === null || text < minText) minText = text;
    if (maxText === null || text > maxText) maxText = text;
    if (text.length < minLength) minLength = text.length;
    if (text.length > maxLength) maxLength = text.length;
  };
  let inexact = state.inexact;
  if (state.candidates & NUMERIC) {
    emitTexts(state.numbers, "number", state.numberSpellings, add);
    inexact ||= !state.numberSpellings.complete;
  } else if (state.candidates & DATE) {
    emitTexts(state.dates, state.time ? "datetime" : "date", state.dateSpellings, add);
    inexact ||= !state.dateSpellings.complete;
  }
  return { ...state, counts, minText, maxText, minLength, maxLength, inexact };
}

/** The state of a column over two consecutive parts of the file. */
export function mergeStates(a: ColumnState, b: ColumnState): ColumnState {
  const candidates = a.candidates & b.candidates;
  const merged: ColumnState = {
    nonNull: a.nonNull + b.nonNull,
    nulls: a.nulls + b.nulls,
    candidates,
    time: a.time || b.time,
    numbers: candidates & NUMERIC ? mergeSortedValues(a.numbers, b.numbers) : NO_VALUES,
    dates: candidates & DATE ? mergeSortedValues(a.dates, b.dates) : NO_VALUES,
    counts: null,
    hll: null,
    minText: null,
    maxText: null,
    minLength: Number.POSITIVE_INFINITY,
    maxLength: 0,
    chars: a.chars + b.chars,
    numberSpellings:
      candidates & NUMERIC ? mergeSpellings(a.numberSpellings, b.numberSpellings) : newSpellings(),
    dateSpellings:
      candidates & DATE ? mergeSpellings(a.dateSpellings, b.dateSpellings) : newSpellings(),
    inexact: a.inexact || b.inexact,
  };
  if (candidates & (NUMERIC | DATE)) return merged;
  // Text in the whole: both parts as counts, summed; past the exact limit, estimated.
  const x = countsOf(a);
  const y = countsOf(b);
  // Into the larger of the two maps, in place: a part's state is spent once merged.
  const [big, small] =
    (x.counts as Map<string, number>).size >= (y.counts as Map<string, number>).size
      ? [x.counts as Map<string, number>, y.counts as Map<string, number>]
      : [y.counts as Map<string, number>, x.counts as Map<string, number>];
  const counts = big;
  for (const [text, count] of small) counts.set(text, (counts.get(text) ?? 0) + count);
  let hll: HyperLogLog | null = null;
  if (x.hll || y.hll || counts.size > EXACT_DISTINCT_LIMIT) {
    hll = new HyperLogLog(x.hll ? new Uint8Array(x.hll) : undefined);
    if (y.hll) hll.merge(new HyperLogLog(y.hll));
    for (const text of counts.keys()) hll.add(text);
    if (counts.size > EXACT_DISTINCT_LIMIT) pruneCounts(counts);
  }
  const pick = (p: string | null, q: string | null, less: boolean) =>
    p === null ? q : q === null ? p : q < p === less ? q : p;
  return {
    ...merged,
    counts,
    hll: hll?.registers ?? null,
    minText: pick(x.minText, y.minText, true),
    maxText: pick(x.maxText, y.maxText, false),
    minLength: Math.min(x.minLength, y.minLength),
    maxLength: Math.max(x.maxLength, y.maxLength),
    inexact: x.inexact || y.inexact,
  };
}
