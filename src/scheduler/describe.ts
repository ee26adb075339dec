import { Cron } from "croner";
import { Calendar } from "./calendar.js";
import type { Job, JobSchedule } from "./schedule.js";

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const pad = (n: number) => String(n).padStart(2, "0");
const isNumber = (field: string) => /^\d+$/.test(field);
const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
const ordinal = (n: number) =>
  `${n}${n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th"}`;

function weekdays(field: string): string | null {
  if (field === "*" || field === "?") return "";
  if (field === "1-5") return "Monday to Friday";
  if (field === "0,6" || field === "6,0" || field === "6-7" || field === "6,7")
    return "on Saturday and Sunday";
  const range = /^([0-7])-([0-7])$/.exec(field);
  if (range) return `${DAY_NAMES[Number(range[1]) % 7]} to ${DAY_NAMES[Number(range[2]) % 7]}`;
  if (/^[0-7](,[0-7])*$/.test(field))
    return `on ${list(field.split(",").map((d) => DAY_NAMES[Number(d) % 7] as string))}`;
  return null;
}

function days(dom: string, month: string, dow: string): string | null {
  const parts: string[] = [];
  if (dom !== "*" && dom !== "?") {
    if (/^\d+(,\d+)*$/.test(dom))
      parts.push(`on the ${list(dom.split(",").map((d) => ordinal(Number(d))))} of the month`);
    else if (dom === "L") parts.push("on the last day of the month");
    else return null;
  }
  if (month !== "*") {
    if (/^\d+(,\d+)*$/.test(month))
      parts.push(`in ${list(month.split(",").map((m) => MONTH_NAMES[Number(m) - 1] ?? m))}`);
    else return null;
  }
  const w = weekdays(dow);
  if (w === null) return null;
  if (w) parts.push(w);
  return parts.join(", ");
}

function every(field: string, unit: string): string | null {
  if (field === "*") return `every ${unit}`;
  const step = /^\*\/(\d+)$/.exec(field);
  if (step) return Number(step[1]) === 1 ? `every ${unit}` : `every ${step[1]} ${unit}s`;
  return null;
}

/** A cron expression in words ("at 02:30 every day", "every 5 minutes, Monday to Friday"), or null. */
export function cronInWords(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  const [sec, min, hour, dom, month, dow] =
    fields.length === 6 ? fields : ["0", ...(fields as [string, string, string, string, string])];
  if (!sec || !min || !hour || !dom || !month || !dow) return null;
  const when = days(dom, month, dow);
  if (when === null) return null;
  let time: string | null = null;
  if (isNumber(sec) && isNumber(min) && /^\d+(,\d+)*$/.test(hour)) {
    const s = Number(sec) ? `:${pad(Number(sec))}` : "";
    time = `at ${list(hour.split(",").map((h) => `${pad(Number(h))}:${pad(Number(min))}${s}`))}`;
  } else if (isNumber(sec) && Number(sec) === 0 && hour === "*") {
    time = every(min, "minute");
    if (!time && isNumber(min)) time = `every hour at minute ${Number(min)}`;
  } else if (isNumber(sec) && Number(sec) === 0 && isNumber(min)) {
    const h = every(hour, "hour");
    if (h) time = `${h} at minute ${Number(min)}`;
    const range = /^(\d+)-(\d+)$/.exec(hour);
    if (range)
      time = `every hour from ${pad(Number(range[1]))}:${pad(Number(min))} to ${pad(Number(range[2]))}:${pad(Number(min))}`;
  } else if (min === "*" && hour === "*") {
    time = every(sec, "second");
  } else if (isNumber(sec) && Number(sec) === 0) {
    const m = every(min, "minute");
    const range = /^(\d+)-(\d+)$/.exec(hour);
    if (m && range) time = `${m} from ${pad(Number(range[1]))}:00 to ${pad(Number(range[2]))}:59`;
  }
  if (!time) return null;
  if (!when) return time.startsWith("at ") ? `${time} every day` : time;
  return `${time}, ${when}`;
}

/**
 * A job's schedule in words, as the status file and the console show it.
 *
 * @example
 * describeSchedule({ schedule: { daily: "06:30" } }); // "daily at 06:30"
 * describeSchedule({ schedule: { every: "cycle" } }); // "every cycle"
 * describeSchedule({ schedule: { cron: "0 *\/2 * * 1-5" } }); // "every 2 hours at minute 0, Monday to Friday"
 */
export function describeSchedule(job: { schedule: JobSchedule; enabled?: boolean }): string {
  const s = job.schedule;
  let text: string;
  if ("every" in s) text = "every cycle";
  else if ("daily" in s) text = `daily at ${s.daily}`;
  else text = cronInWords(s.cron) ?? `cron "${s.cron}"`;
  return job.enabled === false ? `${text} (disabled)` : text;
}

/** The pattern of a daily job as a cron expression (seconds first). */
export const dailyCron = (time: string) => {
  const [h, m] = time.split(":");
  return `0 ${Number(m)} ${Number(h)} * * *`;
};

/** A job's cron (a `cron` job, or a `daily` job's time), in the schedule's time zone. */
export function cronOf(job: Pick<Job, "schedule" | "timezone">): Cron | null {
  const s = job.schedule;
  if ("cron" in s) return new Cron(s.cron, { timezone: job.timezone, paused: true });
  if ("daily" in s) return new Cron(dailyCron(s.daily), { timezone: job.timezone, paused: true });
  return null;
}

/**
 * The next `n` times a job runs after `now` (its time zone and DST applied). An every-cycle
 * job runs at the start of each cycle of a daemon started at `now`: now, then at each
 * cycle's end. A disabled job: none.
 *
 * @example
 * nextRuns(job, 3, new Date()); // [Date, Date, Date]
 */
export function nextRuns(
  job: Pick<Job, "schedule" | "timezone" | "cycle" | "enabled">,
  n: number,
  now: Date | number = Date.now(),
): Date[] {
  const from = typeof now === "number" ? now : now.getTime();
  if (job.enabled === false || n <= 0) return [];
  const cron = cronOf(job);
  if (cron) return cron.nextRuns(n, new Date(from));
  const calendar = new Calendar(job.cycle, job.timezone);
  const runs: Date[] = [];
  for (let t = from; runs.length < n; t = calendar.cycleEnd(t)) runs.push(new Date(t));
  return runs;
}
