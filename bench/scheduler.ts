/**
 * `npm run bench:scheduler [-- --idle-seconds 60 --sim-seconds 60 --lateness-seconds 60]`
 *
 * Three measurements of the scheduler daemon, each next to a reference measured in the same
 * run on the same machine:
 *
 * 1. **Idle**: `npm run scheduler` (the launcher, from the build) with 100 jobs, none of
 *    them due during the measurement: its CPU (% of one core, from /proc utime+stime) and
 *    RSS, against an idle `node -e "setInterval(() => {}, 1000)"`.
 * 2. **An hour of schedule, simulated**: the daemon's library (`Scheduler`, from the build)
 *    on a clock 60 times faster than real time, with 100 jobs that do fire (every cycle,
 *    cron every few minutes, daily), each a real `true` process, its runs recorded in the
 *    control database: RSS sampled every real second (every simulated minute) to show it
 *    stays flat.
 * 3. **Lateness of cron starts**: the daemon with jobs on 6-field cron expressions (a run
 *    every second): the delay from the due second to the start, from the history's
 *    `started_at` (ms), against the lateness of a bare `setTimeout` to each next second in a
 *    plain Node process.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { flag, fmt, printTable, ROOT } from "./measure.js";

const idleSeconds = Number(flag("idle-seconds", "60"));
const simSeconds = Number(flag("sim-seconds", "60"));
const latenessSeconds = Number(flag("lateness-seconds", "60"));
const SPEED = 60;
const work = mkdtempSync(join(tmpdir(), "bench-scheduler-"));
const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) of a process, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Resident set size of a process (MB), from /proc. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

interface Sampled {
  cpuPercent: number;
  rss: number[];
}

/** Samples a process's RSS every second for `seconds`; its CPU share over the whole span. */
async function sample(pid: number, seconds: number): Promise<Sampled> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const rss: number[] = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    rss.push(rssMb(pid));
  }
  const wall = (performance.now() - t0) / 1000;
  return { cpuPercent: ((cpuSeconds(pid) - cpu0) / wall) * 100, rss };
}

function jobsFor(kind: "idle" | "busy"): unknown[] {
  const jobs: unknown[] = [];
  const now = new Date();
  // Idle: due in about 12 hours (never during the measurement).
  const far = (now.getUTCHours() + 12) % 24;
  for (let i = 0; i < 40; i++)
    jobs.push({
      name: `cycle-${i}`,
      command: ["true"],
      every: "cycle",
    });
  for (let i = 0; i < 30; i++)
    jobs.push({
      name: `cron-${i}`,
      command: ["true"],
      cron: kind === "idle" ? `${i} ${far} * * *` : `${i % 5}-59/${[5, 10, 15][i % 3]} * * * *`,
    });
  for (let i = 0; i < 30; i++)
    jobs.push({
      name: `daily-${i}`,
      command: ["true"],
      daily:
        kind === "idle"
          ? `${String(far).padStart(2, "0")}:${String(i).padStart(2, "0")}`
          : `10:${String(i * 2).padStart(2, "0")}`,
    });
  return jobs;
}

function folder(name: string, schedule: Record<string, unknown>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "schedule.json"), JSON.stringify(schedule, null, 2));
  return dir;
}

function startDaemon(dir: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [join(ROOT, "scripts/launch.mjs"), "scheduler"], {
    cwd: dir,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) as number };
};

// 1. Idle, with 100 jobs.
async function idle(): Promise<void> {
  const dir = folder("idle", {
    timezone: "UTC",
    cycle: { day: "1h", night: "1h", non_working_day: "1h" },
    jobs: jobsFor("idle"),
  });
  const daemon = startDaemon(dir);
  const reference = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
    stdio: "ignore",
  });
  await sleep(10_000); // the first cycle's 40 runs and the start's garbage, then nothing is due for hours
  const [ours, ref] = await Promise.all([
    sample(daemon.pid as number, idleSeconds),
    sample(reference.pid as number, idleSeconds),
  ]);
  await stop(daemon);
  reference.kill();
  console.log(`\n## Idle, 100 jobs, ${idleSeconds} s (CPU: % of one core)\n`);
  printTable(
    ["process", "CPU %", "RSS first", "RSS last", "RSS max"],
    [
      [
        "`npm run scheduler` (100 jobs)",
        `**${fmt(ours.cpuPercent, 3)}** (target < 1)`,
        `${fmt(ours.rss[0] ?? 0, 1)} MB`,
        `${fmt(ours.rss.at(-1) ?? 0, 1)} MB`,
        `${fmt(Math.max(...ours.rss), 1)} MB`,
      ],
      [
        'reference: `node -e "setInterval(() => {}, 1000)"`',
        fmt(ref.cpuPercent, 3),
        `${fmt(ref.rss[0] ?? 0, 1)} MB`,
        `${fmt(ref.rss.at(-1) ?? 0, 1)} MB`,
        `${fmt(Math.max(...ref.rss), 1)} MB`,
      ],
    ],
  );
}

// 2. An hour of schedule on a fast clock.
async function simulated(): Promise<void> {
  const dir = folder("simulated", {
    timezone: "Europe/Madrid",
    cycle: { day: "5m", night: "30m", non_working_day: "1h", holidays: "ES" },
    jobs: jobsFor("busy"),
  });
  const dist = (path: string) => pathToFileURL(join(ROOT, "dist", path)).href;
  const script = join(dir, "simulate.mjs");
  // A working day at 10:00 in Madrid: day cycles of 5 minutes.
  const start = Date.parse("2026-11-25T10:00:00+01:00");
  writeFileSync(
    script,
    `import { readFileSync } from "node:fs";
import { Scheduler, parseSchedule, scaledClock } from ${JSON.stringify(dist("scheduler/index.js"))};
import { openControlDb } from ${JSON.stringify(dist("control/db.js"))};
import { createLogger } from ${JSON.stringify(dist("log.js"))};
const schedule = parseSchedule(readFileSync("schedule.json", "utf8"), "schedule.json");
const db = openControlDb("control.db");
const log = createLogger("scheduler", { dir: "logs", console: false, level: "warn" });
const scheduler = new Scheduler({
  schedule, statusFile: "logs/status.json", db, log, jobLogDir: "logs/jobs",
  clock: scaledClock(${SPEED}, ${start}),
});
scheduler.start();
// Each real second (a simulated minute): the heap after a full GC, and the RSS.
setInterval(() => {
  globalThis.gc();
  const m = process.memoryUsage();
  process.stderr.write(JSON.stringify({ heap: m.heapUsed / 1048576, rss: m.rss / 1048576 }) + "\\n");
}, 1000);
process.on("SIGTERM", async () => {
  await scheduler.stop();
  db.close();
  await log.flushFile();
  process.stdout.write(JSON.stringify(scheduler.status().stats));
  process.exit(0);
});
`,
  );
  const child = spawn(process.execPath, ["--expose-gc", script], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c) => (out += c));
  child.stderr?.on("data", (c) => (err += c));
  const sampled = await sample(child.pid as number, simSeconds);
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
  const final = JSON.parse(out || "{}") as { runs?: number; cycles?: number };
  const minutes = simSeconds * (SPEED / 60);
  console.log(
    `\n## ${minutes} simulated minutes (${SPEED}× clock, ${simSeconds} s real), 100 jobs firing: ${final.cycles} cycles, ${final.runs} runs of real processes\n`,
  );
  const memory = err
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { heap: number; rss: number });
  const rows: string[][] = [];
  const step = Math.max(1, Math.floor(memory.length / 6));
  for (let i = 0; i < memory.length; i += step)
    rows.push([
      `${Math.round((i + 1) * (SPEED / 60))} min`,
      `${fmt(memory[i]?.heap ?? 0, 2)} MB`,
      `${fmt(memory[i]?.rss ?? 0, 1)} MB`,
    ]);
  const last = memory.at(-1);
  if ((memory.length - 1) % step !== 0)
    rows.push([
      `${memory.length * (SPEED / 60)} min`,
      `${fmt(last?.heap ?? 0, 2)} MB`,
      `${fmt(last?.rss ?? 0, 1)} MB`,
    ]);
  printTable(["simulated time", "heap after GC", "RSS"], rows);
  const heaps = memory.slice(Math.floor(memory.length / 10)).map((m) => m.heap);
  console.log(
    `\nHeap after GC from minute ${Math.floor(memory.length / 10)} on: min ${fmt(Math.min(...heaps), 2)} MB, max ${fmt(Math.max(...heaps), 2)} MB; RSS max ${fmt(Math.max(...sampled.rss), 1)} MB; CPU while starting ${final.runs} processes in ${simSeconds} s: ${fmt(sampled.cpuPercent, 1)} % of a core`,
  );
}

// 3. Lateness of cron starts.
async function lateness(): Promise<void> {
  const jobs = Array.from({ length: 10 }, (_, i) => ({
    name: `sec-${i}`,
    command: ["true"],
    cron: i % 2 === 0 ? "*/2 * * * * *" : "1-59/2 * * * * *",
  }));
  const dir = folder("lateness", {
    timezone: "UTC",
    cycle: { day: "1h", night: "1h", non_working_day: "1h" },
    jobs,
  });
  const daemon = startDaemon(dir, { MASTER_MAX_PARALLEL: "16" });
  const reference = spawn(
    process.execPath,
    [
      "-e",
      `const out = [];
const next = () => { const due = Math.ceil((Date.now() + 1) / 1000) * 1000; setTimeout(() => { out.push(Date.now() - due); next(); }, due - Date.now()); };
next();
process.on("SIGTERM", () => { process.stdout.write(JSON.stringify(out)); process.exit(0); });`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let refOut = "";
  reference.stdout?.on("data", (c) => (refOut += c));
  await sleep(latenessSeconds * 1000 + 2000);
  await stop(daemon);
  const refExited = new Promise((r) => reference.once("exit", r));
  reference.kill("SIGTERM");
  await refExited;
  const db = new Database(join(dir, "database", "control.db"), { readonly: true });
  const starts = (
    db.prepare("SELECT started_at FROM scheduler_runs WHERE status != 'skipped'").all() as {
      started_at: string;
    }[]
  ).map((r) => Date.parse(r.started_at));
  db.close();
  // Every pattern fires on whole seconds: the lateness is the start's offset in its second.
  const ours = stats(starts.map((t) => t % 1000));
  const ref = stats(JSON.parse(refOut || "[]") as number[]);
  console.log(
    `\n## Lateness of cron starts (${latenessSeconds} s, 10 jobs on 6-field cron, 5 due each second)\n`,
  );
  printTable(
    ["", "starts", "p50", "p95", "p99", "max"],
    [
      [
        "scheduler: due second → `started_at`",
        String(starts.length),
        `${ours.p50} ms`,
        `${ours.p95} ms`,
        `**${ours.p99} ms** (target ≤ 50)`,
        `${ours.max} ms`,
      ],
      [
        "reference: `setTimeout` to each next second",
        String(JSON.parse(refOut || "[]").length),
        `${ref.p50} ms`,
        `${ref.p95} ms`,
        `${ref.p99} ms`,
        `${ref.max} ms`,
      ],
    ],
  );
}

try {
  console.log(
    `# bench:scheduler (${process.version}, ${spawnSync("nproc").stdout?.toString().trim()} cores)`,
  );
  if (idleSeconds > 0) await idle();
  if (simSeconds > 0) await simulated();
  if (latenessSeconds > 0) await lateness();
} finally {
  rmSync(work, { recursive: true, force: true });
}
