/**
 * Time for the scheduler: an injectable clock (so calendar decisions and whole daemons can
 * run on a fixed or fast clock in tests and benchmarks) and wall-clock parts in an IANA
 * time zone (ISO 8601 with the zone's offset, the local day, the weekday).
 */

/** A timer of a `Clock`; `cancel()` is idempotent. */
export interface ClockTimer {
  cancel(): void;
}

/** Where every time decision of the scheduler comes from. */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /** Calls `fn` once, as soon as `now() >= when` (never before). */
  at(when: number, fn: () => void): ClockTimer;
}

/** Real timers are re-armed at least this often (real ms): a wall clock that jumps is followed. */
const MAX_REAL_STEP_MS = 60_000;

/**
 * A clock that runs `factor` times faster than real time from `start` (1: the real clock).
 * Timers wait the scaled real time and re-check `now()` when they fire, so they never fire
 * early, and follow a wall clock that is changed under them within a minute.
 *
 * @example
 * const fast = scaledClock(60); // an hour of schedule in a real minute
 */
export function scaledClock(factor = 1, start?: number): Clock {
  if (!(factor > 0)) throw new RangeError(`clock factor must be positive, got ${factor}`);
  const realStart = Date.now();
  const from = start ?? realStart;
  const now =
    factor === 1 && start === undefined
      ? () => Date.now()
      : () => from + (Date.now() - realStart) * factor;
  return {
    now,
    at(when, fn) {
      let handle: NodeJS.Timeout | null = null;
      let cancelled = false;
      const arm = () => {
        if (cancelled) return;
        const wait = when - now();
        if (wait <= 0) {
          handle = null;
          fn();
          return;
        }
        handle = setTimeout(arm, Math.min(Math.max(1, Math.ceil(wait / factor)), MAX_REAL_STEP_MS));
      };
      handle = setTimeout(
        arm,
        Math.min(Math.max(0, Math.ceil((when - now()) / factor)), MAX_REAL_STEP_MS),
      );
      return {
        cancel() {
          cancelled = true;
          if (handle) clearTimeout(handle);
          handle = null;
        },
      };
    },
  };
}

/** The machine's clock. */
export const systemClock: Clock = scaledClock(1);

/** A clock stopped at one instant (for calendar decisions in tests); its timers never fire. */
export function fixedClock(instant: Date | number | string): Clock {
  const ms = typeof instant === "string" ? Date.parse(instant) : Number(instant);
  return { now: () => ms, at: () => ({ cancel() {} }) };
}

/** The machine's time zone (IANA name). */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Why a time zone name is refused, or undefined when `Intl` knows it. */
export function timeZoneProblem(name: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return undefined;
  } catch {
    return `unknown time zone "${name}" (an IANA name such as Europe/Madrid or America/Bogota)`;
  }
}

/** Wall-clock parts of an instant in a time zone; `weekday` is 0 for Sunday … 6 for Saturday. */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock parts of `instant` in `timeZone`. */
export function zonedParts(instant: number, timeZone: string): ZonedParts {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ""] ?? 0,
  };
}

/** The zone's offset from UTC at `instant`, in minutes (Madrid in summer: 120). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The local day `YYYY-MM-DD` of `instant` in `timeZone`. */
export function localDate(instant: number, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/**
 * ISO 8601 with the zone's offset and milliseconds.
 *
 * @example
 * isoInZone(Date.parse("2026-03-29T01:00:00Z"), "Europe/Madrid"); // "2026-03-29T03:00:00.000+02:00"
 */
export function isoInZone(instant: number, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  const offset = offsetMinutes(instant, timeZone);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const ms = ((instant % 1000) + 1000) % 1000;
  return (
    `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` +
    `.${pad(ms, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
