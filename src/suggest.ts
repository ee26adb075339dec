/** The Levenshtein distance between two names. */
export function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The candidate nearest to `name` (the first of equals), or undefined when there is none. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/**
 * The candidate a typo most likely meant: the nearest one, if it is near enough (at most
 * 2 edits, or a third of the name's length) — for "did you mean" messages.
 *
 * @example
 * suggest("dat-dir", ["data-dir", "db", "json"]); // "data-dir"
 */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  const best = closest(name, candidates);
  return best !== undefined && distance(name, best) <= Math.max(2, Math.floor(name.length / 3))
    ? best
    : undefined;
}
