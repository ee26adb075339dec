import { createRequire } from "node:module";
import { Cron } from "croner";
import type HolidaysType from "date-holidays";
import { localDate, zonedParts } from "./time.js";

/** The cycle settings of a schedule, parsed (lengths in ms, times in minutes after midnight). */
export interface CycleSpec {
  day: number;
  night: number;
  non_working_day: number;
  /** `HH:MM`, as written. */
  day_starts: string;
  night_starts: string;
  /** `mon` … `sun`. */
  working_days: string[];
  /** A country (`ES`) or country-region (`ES-MD`) code, or null. */
  holidays: string | null;
}

export type CycleMode = "day" | "night" | "non_working_day";

export const WEEKDAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/** Minutes after midnight of `HH:MM`, or undefined when it is not a time of day. */
export function parseTimeOfDay(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

type Holidays = HolidaysType;
let holidaysClass: typeof HolidaysType | null = null;

/** date-holidays, loaded at its first use (its data of every country is large). */
function makeHolidays(country?: string, region?: string): HolidaysType {
  holidaysClass ??= createRequire(import.meta.url)("date-holidays") as typeof HolidaysType;
  if (country === undefined) return new holidaysClass();
  return region === undefined ? new holidaysClass(country) : new holidaysClass(country, region);
}

/** Why a holidays code is refused (date-holidays does not know it), or undefined. */
export function holidaysProblem(code: string): string | undefined {
  const [country, region, extra] = code.split("-");
  const known = makeHolidays();
  if (!country || extra !== undefined || !(country in (known.getCountries() ?? {})))
    return `unknown holidays code "${code}" (a country such as ES or CO, or country-region such as ES-MD)`;
  if (region !== undefined) {
    const regions = known.getStates(country) ?? {};
    if (!(region in regions))
      return `unknown region "${region}" of ${country} (known: ${Object.keys(regions).join(", ") || "none"})`;
  }
  return undefined;
}

/**
 * Day, night and non-working days in one time zone: a day is a working day when its
 * weekday is in `working_days` and it is not a public holiday of `holidays` (from
 * date-holidays); on a working day, `day_starts` ≤ time < `night_starts` is day (the range
 * wraps past midnight when day starts after night), the rest is night.
 *
 * @example
 * const cal = new Calendar(schedule.cycle, "Europe/Madrid");
 * cal.modeAt(Date.parse("2026-12-25T10:00:00Z")); // "non_working_day" (Christmas)
 */
export class Calendar {
  private readonly dayStarts: number;
  private readonly nightStarts: number;
  private readonly workingDays: Set<number>;
  private readonly holidays: Holidays | null;
  private readonly holidayYears = new Map<number, Set<string>>();
  private readonly boundaries: Cron[];

  constructor(
    readonly cycle: CycleSpec,
    readonly timeZone: string,
  ) {
    this.dayStarts = parseTimeOfDay(cycle.day_starts) ?? 7 * 60;
    this.nightStarts = parseTimeOfDay(cycle.night_starts) ?? 21 * 60;
    this.workingDays = new Set(
      cycle.working_days.map((d) => WEEKDAY_NAMES.indexOf(d as (typeof WEEKDAY_NAMES)[number])),
    );
    if (cycle.holidays) {
      const [country, region] = cycle.holidays.split("-");
      this.holidays = region
        ? makeHolidays(country as string, region)
        : makeHolidays(country as string);
    } else this.holidays = null;
    const at = (minutes: number) =>
      new Cron(`0 ${minutes % 60} ${Math.floor(minutes / 60)} * * *`, { timezone: timeZone });
    this.boundaries = [at(this.dayStarts), at(this.nightStarts), at(0)];
  }

  /** The public holidays (`YYYY-MM-DD`) of a year, cached. */
  private holidaysOf(year: number): Set<string> {
    let days = this.holidayYears.get(year);
    if (!days) {
      days = new Set(
        (this.holidays?.getHolidays(year) ?? [])
          .filter((h) => h.type === "public")
          .map((h) => h.date.slice(0, 10)),
      );
      this.holidayYears.set(year, days);
    }
    return days;
  }

  /** The public holiday's name on the local day of `instant`, or null. */
  holidayAt(instant: number): string | null {
    if (!this.holidays) return null;
    const day = localDate(instant, this.timeZone);
    if (!this.holidaysOf(Number(day.slice(0, 4))).has(day)) return null;
    const found = (this.holidays.getHolidays(Number(day.slice(0, 4))) ?? []).find(
      (h) => h.type === "public" && h.date.startsWith(day),
    );
    return found?.name ?? "holiday";
  }

  /** Whether the local day of `instant` is a working day (weekday listed, not a public holiday). */
  isWorkingDay(instant: number): boolean {
    const p = zonedParts(instant, this.timeZone);
    if (!this.workingDays.has(p.weekday)) return false;
    if (!this.holidays) return true;
    const day = `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
    return !this.holidaysOf(p.year).has(day);
  }

  /** The cycle mode at `instant`. */
  modeAt(instant: number): CycleMode {
    if (!this.isWorkingDay(instant)) return "non_working_day";
    const p = zonedParts(instant, this.timeZone);
    const minutes = p.hour * 60 + p.minute;
    const isDay =
      this.dayStarts < this.nightStarts
        ? minutes >= this.dayStarts && minutes < this.nightStarts
        : minutes >= this.dayStarts || minutes < this.nightStarts;
    return isDay ? "day" : "night";
  }

  /** The cycle length of a mode (ms). */
  lengthOf(mode: CycleMode): number {
    return this.cycle[mode];
  }

  /**
   * When a cycle started at `start` ends: after its mode's length, or earlier at the first
   * change of mode (day starts, night starts, midnight into another kind of day), so a long
   * night cycle does not run into the morning.
   */
  cycleEnd(start: number): number {
    const mode = this.modeAt(start);
    const end = start + this.lengthOf(mode);
    let from = start;
    for (let i = 0; i < 16; i++) {
      let next = Number.POSITIVE_INFINITY;
      for (const cron of this.boundaries) {
        const at = cron.nextRun(new Date(from))?.getTime();
        if (at !== undefined && at < next) next = at;
      }
      if (!(next < end)) return end;
      if (this.modeAt(next) !== mode) return next;
      from = next;
    }
    return end;
  }
}
