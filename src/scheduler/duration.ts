/** Durations as the schedule file writes them: `500ms`, `30s`, `5m`, `2h` (whole numbers). */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d{1,9})(ms|s|m|h)$/;

/** Milliseconds of a duration, or undefined when it is not one (`5 min`, `1.5h`, `-3s`). */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/** Why a duration is refused (for option specs), or undefined. */
export function durationProblem(text: string): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined)
    return `"${text}" is not a duration (a whole number and a unit: 500ms, 30s, 5m, 2h)`;
  if (ms <= 0) return `"${text}": must be longer than zero`;
  return undefined;
}

/**
 * A duration written back the way a person would (`5m`, `90s`, `1h30m`, `750ms`).
 *
 * @example
 * formatDuration(5_400_000); // "1h30m"
 */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0 || ms === 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}
