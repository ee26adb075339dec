import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import { Calendar, type CycleSpec, holidaysProblem } from "../src/scheduler/calendar.js";
import { Scheduler } from "../src/scheduler/daemon.js";
import { cronInWords, describeSchedule, nextRuns } from "../src/scheduler/describe.js";
import { formatDuration, parseDuration } from "../src/scheduler/duration.js";
import { parseSchedule } from "../src/scheduler/schedule.js";
import { fixedClock, isoInZone, scaledClock } from "../src/scheduler/time.js";

const MIN = 60_000;
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];
const EVERY_DAY = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const cycle = (over: Partial<CycleSpec> = {}): CycleSpec => ({
  day: 5 * MIN,
  night: 30 * MIN,
  non_working_day: 60 * MIN,
  day_starts: "07:00",
  night_starts: "21:00",
  working_days: WEEKDAYS,
  holidays: null,
  ...over,
});

const at = (iso: string) => Date.parse(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("cycle modes in Europe/Madrid (ES holidays)", () => {
  const madrid = new Calendar(cycle({ holidays: "ES" }), "Europe/Madrid");

  it("day from day_starts, night from night_starts, on working days", () => {
    expect(madrid.modeAt(at("2026-11-25T06:59:00+01:00"))).toBe("night");
    expect(madrid.modeAt(at("2026-11-25T07:00:00+01:00"))).toBe("day");
    expect(madrid.modeAt(at("2026-11-25T20:59:59+01:00"))).toBe("day");
    expect(madrid.modeAt(at("2026-11-25T21:00:00+01:00"))).toBe("night");
    expect(madrid.lengthOf("day")).toBe(5 * MIN);
  });

  it("weekends and public holidays are non-working days, all day long", () => {
    expect(madrid.modeAt(at("2026-11-28T12:00:00+01:00"))).toBe("non_working_day"); // Saturday
    expect(madrid.modeAt(at("2026-12-08T12:00:00+01:00"))).toBe("non_working_day"); // Tuesday, holiday
    expect(madrid.holidayAt(at("2026-12-08T03:00:00+01:00"))).toMatch(/inmaculada/i);
    expect(madrid.modeAt(at("2026-12-09T12:00:00+01:00"))).toBe("day");
    // The local day decides: 23:30 UTC on the 7th is already the 8th in Madrid.
    expect(madrid.isWorkingDay(at("2026-12-07T23:30:00Z"))).toBe(false);
    expect(madrid.isWorkingDay(at("2026-12-07T22:30:00Z"))).toBe(true);
  });

  it("a region's holidays count with country-region (ES-MD), not with the country alone", () => {
    const region = new Calendar(cycle({ holidays: "ES-MD" }), "Europe/Madrid");
    const mayTheSecond = at("2025-05-02T10:00:00+02:00"); // a Friday
    expect(region.modeAt(mayTheSecond)).toBe("non_working_day");
    expect(region.holidayAt(mayTheSecond)).toMatch(/Madrid/);
    expect(madrid.modeAt(mayTheSecond)).toBe("day");
  });

  it("spring forward (2026-03-29): 07:00 is 05:00 UTC from that day on, not 06:00", () => {
    const everyDay = new Calendar(cycle({ working_days: EVERY_DAY }), "Europe/Madrid");
    expect(everyDay.modeAt(at("2026-03-28T05:30:00Z"))).toBe("night"); // 06:30 CET
    expect(everyDay.modeAt(at("2026-03-29T05:30:00Z"))).toBe("day"); // 07:30 CEST
    // A 30-minute night cycle across the missing hour ends 30 real minutes later.
    expect(new Date(everyDay.cycleEnd(at("2026-03-29T00:50:00Z"))).toISOString()).toBe(
      "2026-03-29T01:20:00.000Z",
    );
    expect(isoInZone(at("2026-03-29T01:20:00Z"), "Europe/Madrid")).toBe(
      "2026-03-29T03:20:00.000+02:00",
    );
    // A night cycle does not run into the morning: it ends when day starts.
    const longNights = new Calendar(
      cycle({ working_days: EVERY_DAY, night: 60 * MIN }),
      "Europe/Madrid",
    );
    expect(new Date(longNights.cycleEnd(at("2026-03-29T04:30:00Z"))).toISOString()).toBe(
      "2026-03-29T05:00:00.000Z",
    );
  });

  it("fall back (2026-10-25): 07:00 is 06:00 UTC from that day on", () => {
    const everyDay = new Calendar(cycle({ working_days: EVERY_DAY }), "Europe/Madrid");
    expect(everyDay.modeAt(at("2026-10-24T05:30:00Z"))).toBe("day"); // 07:30 CEST
    expect(everyDay.modeAt(at("2026-10-25T05:30:00Z"))).toBe("night"); // 06:30 CET
    expect(isoInZone(at("2026-10-25T05:30:00Z"), "Europe/Madrid")).toBe(
      "2026-10-25T06:30:00.000+01:00",
    );
  });

  it("daily and cron times across DST: once on each day, at the local time", () => {
    const job = { timezone: "Europe/Madrid", cycle: cycle(), enabled: true };
    // 02:30 does not exist on 2026-03-29: that day's run is right after the jump, once.
    expect(
      iso(nextRuns({ ...job, schedule: { daily: "02:30" } }, 3, at("2026-03-28T12:00:00Z"))),
    ).toEqual(["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z", "2026-03-31T00:30:00.000Z"]);
    // 02:30 happens twice on 2026-10-25: it runs once.
    expect(
      iso(nextRuns({ ...job, schedule: { cron: "30 2 * * *" } }, 3, at("2026-10-24T12:00:00Z"))),
    ).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z", "2026-10-27T01:30:00.000Z"]);
  });
});

describe("cycle modes in America/New_York (US holidays) and America/Bogota (CO)", () => {
  const ny = new Calendar(
    cycle({ day_starts: "08:00", night_starts: "20:00", holidays: "US" }),
    "America/New_York",
  );

  it("US public holidays, observed ones too", () => {
    expect(ny.modeAt(at("2026-11-26T12:00:00-05:00"))).toBe("non_working_day"); // Thanksgiving
    expect(ny.holidayAt(at("2026-07-03T12:00:00-04:00"))).toMatch(/Independence/); // observed
    expect(ny.modeAt(at("2026-11-25T12:00:00-05:00"))).toBe("day");
    expect(ny.modeAt(at("2026-11-25T07:59:00-05:00"))).toBe("night");
  });

  it("spring forward (2026-03-08) and fall back (2026-11-01)", () => {
    const everyDay = new Calendar(
      cycle({
        day_starts: "08:00",
        night_starts: "20:00",
        working_days: EVERY_DAY,
        night: 60 * MIN,
      }),
      "America/New_York",
    );
    expect(everyDay.modeAt(at("2026-03-07T12:30:00Z"))).toBe("night"); // 07:30 EST
    expect(everyDay.modeAt(at("2026-03-08T12:30:00Z"))).toBe("day"); // 08:30 EDT
    expect(everyDay.modeAt(at("2026-11-01T12:30:00Z"))).toBe("night"); // 07:30 EST
    expect(everyDay.modeAt(at("2026-10-31T12:30:00Z"))).toBe("day"); // 08:30 EDT
    // The night cycle started at 07:30 EDT ends at 08:00 EDT (12:00 UTC), when day starts.
    expect(new Date(everyDay.cycleEnd(at("2026-03-08T11:30:00Z"))).toISOString()).toBe(
      "2026-03-08T12:00:00.000Z",
    );
    const job = { timezone: "America/New_York", cycle: everyDay.cycle, enabled: true };
    expect(
      iso(nextRuns({ ...job, schedule: { cron: "0 30 1 * * *" } }, 2, at("2026-10-31T12:00:00Z"))),
    ).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT, not again at 01:30 EST
      "2026-11-02T06:30:00.000Z",
    ]);
    expect(
      iso(nextRuns({ ...job, schedule: { daily: "02:30" } }, 2, at("2026-03-07T12:00:00Z"))),
    ).toEqual([
      "2026-03-08T07:00:00.000Z", // 03:00 EDT: 02:30 does not exist that day
      "2026-03-09T06:30:00.000Z",
    ]);
  });

  it("Colombia: no DST, its own holidays", () => {
    const bogota = new Calendar(cycle({ holidays: "CO" }), "America/Bogota");
    expect(bogota.modeAt(at("2026-01-12T10:00:00-05:00"))).toBe("non_working_day"); // Reyes Magos (moved to Monday)
    expect(bogota.modeAt(at("2026-01-13T10:00:00-05:00"))).toBe("day");
    expect(isoInZone(at("2026-07-01T12:00:00Z"), "America/Bogota")).toBe(
      "2026-07-01T07:00:00.000-05:00",
    );
  });

  it("a day that starts after night (night shift) wraps past midnight", () => {
    const inverted = new Calendar(
      cycle({ day_starts: "22:00", night_starts: "06:00", working_days: EVERY_DAY }),
      "UTC",
    );
    expect(inverted.modeAt(at("2026-11-25T23:00:00Z"))).toBe("day");
    expect(inverted.modeAt(at("2026-11-25T03:00:00Z"))).toBe("day");
    expect(inverted.modeAt(at("2026-11-25T12:00:00Z"))).toBe("night");
  });
});

describe("schedules in words and next runs", () => {
  it.each([
    [{ every: "cycle" as const }, "every cycle"],
    [{ daily: "06:30" }, "daily at 06:30"],
    [{ cron: "30 2 * * *" }, "at 02:30 every day"],
    [{ cron: "0 */2 * * 1-5" }, "every 2 hours at minute 0, Monday to Friday"],
    [{ cron: "*/5 * * * *" }, "every 5 minutes"],
    [{ cron: "*/2 * * * * *" }, "every 2 seconds"],
    [{ cron: "0 8 * * 1-5" }, "at 08:00, Monday to Friday"],
    [{ cron: "15 6 1 * *" }, "at 06:15, on the 1st of the month"],
    [{ cron: "0 9 * * 0,6" }, "at 09:00, on Saturday and Sunday"],
    [{ cron: "5 4 * * 1,3,5" }, "at 04:05, on Monday, Wednesday and Friday"],
    [{ cron: "0 0 12 1W * *" }, 'cron "0 0 12 1W * *"'],
  ])("%j → %s", (schedule, words) => {
    expect(describeSchedule({ schedule })).toBe(words);
  });

  it("a disabled job says so and has no next run", () => {
    const job = { schedule: { daily: "06:30" }, enabled: false, timezone: "UTC", cycle: cycle() };
    expect(describeSchedule(job)).toBe("daily at 06:30 (disabled)");
    expect(nextRuns(job, 3, Date.now())).toEqual([]);
  });

  it("an every-cycle job runs now, then at each cycle's end", () => {
    const job = {
      schedule: { every: "cycle" as const },
      enabled: true,
      timezone: "Europe/Madrid",
      cycle: cycle(),
    };
    expect(iso(nextRuns(job, 3, at("2026-11-25T10:00:00+01:00")))).toEqual([
      "2026-11-25T09:00:00.000Z",
      "2026-11-25T09:05:00.000Z",
      "2026-11-25T09:10:00.000Z",
    ]);
  });

  it("cron in words falls back to null when it cannot say it simply", () => {
    expect(cronInWords("0 0 L * *")).toBe("at 00:00, on the last day of the month");
    expect(cronInWords("1-5/2 * * * *")).toBeNull();
  });

  it("durations and holiday codes", () => {
    expect([
      parseDuration("500ms"),
      parseDuration("30s"),
      parseDuration("5m"),
      parseDuration("2h"),
    ]).toEqual([500, 30_000, 300_000, 7_200_000]);
    expect([
      parseDuration("5 min"),
      parseDuration("1.5h"),
      parseDuration("-3s"),
      parseDuration(5),
    ]).toEqual([undefined, undefined, undefined, undefined]);
    expect(formatDuration(5_400_000)).toBe("1h30m");
    expect(holidaysProblem("ES")).toBeUndefined();
    expect(holidaysProblem("ES-MD")).toBeUndefined();
    expect(holidaysProblem("CO")).toBeUndefined();
    expect(holidaysProblem("XX")).toMatch(/unknown holidays code "XX"/);
    expect(holidaysProblem("ES-ZZ")).toMatch(/unknown region "ZZ" of ES/);
  });
});

describe("the daemon's decisions on an injected clock", () => {
  const file = (jobs: unknown[], extra: Record<string, unknown> = {}) =>
    parseSchedule(
      JSON.stringify({
        timezone: "Europe/Madrid",
        cycle: { holidays: "ES", day: "5m", night: "30m", non_working_day: "1h" },
        jobs,
        ...extra,
      }),
      "schedule.json",
    );

  function scheduler(jobs: unknown[], now: string) {
    const dir = mkdtempSync(join(tmpdir(), "scheduler-clock-"));
    const log = createLogger("scheduler", { dir, console: false, level: "error" });
    const instance = new Scheduler({
      schedule: file(jobs),
      statusFile: join(dir, "status.json"),
      db: null,
      log,
      clock: fixedClock(now),
      jobLogDir: join(dir, "jobs"),
      cwd: dir,
    });
    return {
      instance,
      async done() {
        await instance.stop();
        await log.flushFile();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  it("the first cycle's mode and length follow the clock: a holiday, a working night", async () => {
    const holiday = scheduler([], "2026-12-25T10:00:00+01:00");
    holiday.instance.start();
    expect(holiday.instance.status().cycle).toMatchObject({
      number: 1,
      mode: "non_working_day",
      length_s: 3600,
      started_at: "2026-12-25T10:00:00.000+01:00",
      next_at: "2026-12-25T11:00:00.000+01:00",
    });
    await holiday.done();
    const night = scheduler([], "2026-07-01T23:00:00+02:00");
    night.instance.start();
    expect(night.instance.status().cycle).toMatchObject({ mode: "night", length_s: 1800 });
    expect(night.instance.status().started_at).toBe("2026-07-01T23:00:00.000+02:00");
    await night.done();
  });

  it("a daily job is due once its time has come that day, not before", async () => {
    const job = { name: "riesgos", command: ["true"], daily: "06:30" };
    const early = scheduler([job], "2026-11-25T06:00:00+01:00");
    expect(await early.instance.runOnce()).toBe(true);
    expect(early.instance.status().jobs.riesgos).toMatchObject({ runs: 0 });
    expect(early.instance.status().jobs.riesgos?.next_at).toBe("2026-11-25T06:30:00.000+01:00");
    await early.done();
    const late = scheduler([job], "2026-11-25T07:15:00+01:00");
    expect(await late.instance.runOnce()).toBe(true);
    expect(late.instance.status().jobs.riesgos).toMatchObject({ runs: 1, ok: 1 });
    await late.done();
  });

  it("a fast clock runs an hour of schedule in seconds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scheduler-clock-"));
    const log = createLogger("scheduler", { dir, console: false, level: "error" });
    const instance = new Scheduler({
      schedule: file([], { cycle: { day: "5m", night: "5m", non_working_day: "5m" } }),
      statusFile: join(dir, "status.json"),
      db: null,
      log,
      clock: scaledClock(3600, Date.parse("2026-11-25T10:00:00+01:00")), // an hour a second
      jobLogDir: join(dir, "jobs"),
    });
    instance.start();
    await new Promise((r) => setTimeout(r, 1100));
    expect(instance.status().stats.cycles).toBeGreaterThanOrEqual(12);
    await instance.stop();
    await log.flushFile();
    rmSync(dir, { recursive: true, force: true });
  });
});
