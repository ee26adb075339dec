import { isoDate, isoDateTime, readDate, readNumber } from "./classify.js";
import { forEachRun, type SortedValues } from "./value-list.js";

/** Spellings kept per column and list; past this many the text counts become estimates. */
export const SPELLINGS_LIMIT = 100_000;

/**
 * The texts of a number or date list that their value would not print back (`007`, `1.50`,
 * `05/03/2024`), counted: if the column turns out to be text after all, its counts are the
 * texts as written — the value's canonical text for the rest. Most columns never record one.
 */
export interface Spellings {
  counts: Map<string, number>;
  /** False once more than `SPELLINGS_LIMIT` distinct spellings were seen. */
  complete: boolean;
}

export const newSpellings = (): Spellings => ({ counts: new Map(), complete: true });

export function recordSpelling(spellings: Spellings, text: string): void {
  const seen = spellings.counts.get(text);
  if (seen !== undefined) spellings.counts.set(text, seen + 1);
  else if (spellings.counts.size < SPELLINGS_LIMIT) spellings.counts.set(text, 1);
  else spellings.complete = false;
}

export function mergeSpellings(a: Spellings, b: Spellings): Spellings {
  const [big, small] = a.counts.size >= b.counts.size ? [a, b] : [b, a];
  let complete = a.complete && b.complete;
  for (const [text, count] of small.counts) {
    const seen = big.counts.get(text);
    if (seen !== undefined) big.counts.set(text, seen + count);
    else if (big.counts.size < SPELLINGS_LIMIT) big.counts.set(text, count);
    else complete = false;
  }
  return { counts: big.counts, complete };
}

/**
 * Calls `emit(text, count)` for every text of a list's values as they were written: each
 * value's canonical text (`String(n)`, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`) for the count
 * not spelled otherwise, and each recorded spelling with its own count.
 */
export function emitTexts(
  sorted: SortedValues,
  kind: "number" | "date" | "datetime",
  spellings: Spellings,
  emit: (text: string, count: number) => void,
): void {
  const byValue = new Map<number, [string, number][]>();
  const number = { value: 0, integer: false, canonical: true };
  const date = { ms: 0, time: false, canonical: true };
  for (const [text, count] of spellings.counts) {
    const value =
      kind === "number"
        ? readNumber(text, true, number)
        : readDate(text, date)
          ? date.ms
          : Number.NaN;
    if (Number.isNaN(value)) continue;
    const list = byValue.get(value);
    if (list) list.push([text, count]);
    else byValue.set(value, [[text, count]]);
  }
  const canonical = kind === "number" ? String : kind === "date" ? isoDate : isoDateTime;
  forEachRun(sorted, (value, count) => {
    const spelled = byValue.get(value);
    let rest = count;
    if (spelled)
      for (const [text, n] of spelled) {
        if (text === canonical(value)) continue; // written canonically after all
        emit(text, n);
        rest -= n;
      }
    if (rest > 0) emit(canonical(value), rest);
  });
}
