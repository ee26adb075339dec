/**
 * `npm run bench:simulate [-- --sizes 1000000,10000000 --rounds 3 --rss-sizes 1000000,3000000,10000000
 *   --broker-sizes 1000000 --broker-rss-sizes 1000000,3000000,10000000 --cpu-prof 10000000 --only loop|broker|rss|prof]`
 *
 * The contract's example model (`modelos/ejemplo.ini`, `x**2 + y*z - w + v/(n+1)` over six
 * variables), run from the build (`dist/`), three ways:
 *
 * 1. **Embedded against a hand-written loop.** The reference is one JavaScript thread that
 *    draws the same six variables from the same stream (`createScenarioStream`, same seed,
 *    1000 scenarios per `fill`) and computes the expression directly into a `Float64Array`
 *    of N results by id (and their sum): the same draws, the same results, no threads, no
 *    files. Ours is `runSimulation` with one worker thread per core, in a fresh process,
 *    timed by phase from its events: start (model, threads ready), evaluation (the first
 *    batch sent to the last result back: every scenario drawn, evaluated and its result
 *    kept by id — the loop's work, and the target's measure), outputs (summary, Parquet,
 *    resumen.json: work the loop does not do, reported beside it). Both alternate, each
 *    round in fresh processes; medians and spread; the mean of the results must agree.
 *    The loop's process also times its draws alone, and the run's own code path in its one
 *    thread (tapes recorded, values computed from them, evaluated): what the threads
 *    share, so that the gain of parallelism shows apart from the code path's.
 * 2. **Over RabbitMQ.** A real `rabbitmq-server` on 127.0.0.1 (`test/helpers/rabbitmq.ts`),
 *    two `simulate:consumer` processes (`dist/simulation/consumer-cli.js`), the producer
 *    `runSimulation` with the broker, against the embedded run of the same size.
 * 3. **Producer memory.** `npm run simulate`'s entry (`dist/simulation/cli.js … --json`) as
 *    a process at growing N, its `/proc/PID/status` VmHWM (peak RSS, all threads) polled
 *    until it exits. Flat: the largest size's peak within +25 % of the smallest's.
 *
 * `--cpu-prof N` (0 to skip) profiles one embedded run of N scenarios (`node --cpu-prof`,
 * every thread) and splits the producer thread's time: recording tapes, sending,
 * collecting, the outputs (and the variables redrawn for them); and each worker's
 * computing values, evaluating and waiting.
 *
 * The load average is printed before and after: the machine is shared.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { flag, fmt, printTable, ROOT } from "./measure.js";

const list = (name: string, fallback: string) =>
  flag(name, fallback)
    .split(",")
    .filter((s) => s.trim() !== "")
    .map(Number);
const sizes = list("sizes", "1000000,10000000");
const rounds = Number(flag("rounds", "3"));
const rssSizes = list("rss-sizes", "1000000,3000000,10000000");
const brokerSizes = list("broker-sizes", "1000000");
const brokerRssSizes = list("broker-rss-sizes", "1000000,3000000,10000000");
const profileSize = Number(flag("cpu-prof", "10000000"));
const only = flag("only", "");
const SEED = 42;
const CORES = availableParallelism();
const MODEL = join(ROOT, "modelos/ejemplo.ini");
const work = mkdtempSync(join(tmpdir(), "bench-simulate-"));
const dist = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, "dist", path)).href);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const perS = (n: number, s: number) => Math.round(n / s).toLocaleString("en-US");
const millions = (n: number) => `${n / 1e6}M`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The hand-written reference: one thread, the same stream, the expression written out.
const LOOP = join(work, "loop.mjs");
writeFileSync(
  LOOP,
  `import { loadModel } from ${dist("simulation/model/index.js")};
import { createScenarioStream, ScenarioTaper, TapeReader } from ${dist("simulation/random/index.js")};
const [model, n, seed] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const { definition } = await loadModel(model, { scenarios: n, seed });
const variables = definition.variables;
if (variables.map((v) => v.name).join() !== "x,y,z,w,v,n") throw new Error("not the example model");
const BATCH = 1000;
const buffer = new Float64Array(BATCH * 6);

// Draws (by draw(buffer, count)) and evaluates every scenario: results by escenario_id, their sum.
function evaluateAll(draw) {
  const t0 = performance.now();
  const results = new Float64Array(n);
  let sum = 0;
  for (let first = 0; first < n; first += BATCH) {
    const count = Math.min(BATCH, n - first);
    draw(buffer, count);
    for (let i = 0, k = 0; i < count; i++, k += 6) {
      const x = buffer[k], y = buffer[k + 1], z = buffer[k + 2];
      const w = buffer[k + 3], v = buffer[k + 4], nn = buffer[k + 5];
      const r = x ** 2 + y * z - w + v / (nn + 1);
      results[first + i] = r;
      sum += r;
    }
  }
  return { sum, seconds: (performance.now() - t0) / 1000 };
}

// The hand-written loop: the stream's draws.
const stream = createScenarioStream(variables, seed);
const { sum, seconds: loopS } = evaluateAll((out, count) => stream.fill(out, count));

// The same draws alone (the stream's fill, without the expression).
let t0 = performance.now();
const again = createScenarioStream(variables, seed);
let check = 0;
for (let first = 0; first < n; first += BATCH) {
  const count = Math.min(BATCH, n - first);
  again.fill(buffer, count);
  check += buffer[0];
}
const drawS = (performance.now() - t0) / 1000;

// The run's own code path in this one thread: each batch's tape recorded, its values
// computed from it, the expression evaluated — what the run spreads over its threads.
const taper = new ScenarioTaper(variables, seed);
const reader = new TapeReader(variables);
const tape = evaluateAll((out, count) => reader.values(taper.tape(count), out.subarray(0, count * 6)));
const tapeS = tape.seconds;
if (tape.sum !== sum) throw new Error("the tape path and the stream disagree");
process.stdout.write(JSON.stringify({ loopS, drawS, tapeS, mean: sum / n, check }));
`,
);

// A run in a fresh process: runSimulation, timed by phase from its events.
const RUN = join(work, "run.mjs");
writeFileSync(
  RUN,
  `import { runSimulation } from ${dist("simulation/run/index.js")};
const [model, n, seed, workers, simDir, broker] = process.argv.slice(2);
const t0 = performance.now();
let running, done;
const total = Number(n);
const result = await runSimulation({
  modelPath: model, scenarios: total, seed: Number(seed), simDir,
  ...(process.env.SIM_BATCH ? { batch: Number(process.env.SIM_BATCH) } : {}),
  ...(broker ? { brokerUrl: broker, mode: "rabbitmq" } : { workers: Number(workers), mode: "embedded" }),
  onEvent: (e) => {
    if (e.type === "state" && e.state === "running") running = performance.now();
    if (e.type === "progress" && done === undefined && e.completed + e.errors === total) done = performance.now();
  },
});
const end = performance.now();
process.stdout.write(JSON.stringify({
  totalS: (end - t0) / 1000, startS: (running - t0) / 1000, evalS: (done - running) / 1000,
  outputsS: (end - done) / 1000, duration_s: result.duration_s, mean: result.outputs.resultado.mean,
  completed: result.completed, workers: result.workers,
}));
`,
);

interface Exited {
  stdout: string;
  seconds: number;
  /** Peak RSS (VmHWM) of the process, MB, the last value read before it exited. */
  peakMb: number;
}

/** Runs a Node process, polling its VmHWM every 50 ms; rejects on a non-zero exit. */
function run(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<Exited>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? work,
      env: { ...process.env, LOG_LEVEL: "warn", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let peakKb = 0;
    const poll = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0));
      } catch {
        // gone
      }
    };
    const timer = setInterval(poll, 50);
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0)
        reject(new Error(`${args.join(" ")} exited ${code ?? signal}: ${stderr.slice(-2000)}`));
      else resolve({ stdout, seconds, peakMb: peakKb / 1024 });
    });
  });
}

interface LoopRound {
  loopS: number;
  drawS: number;
  tapeS: number;
  mean: number;
}
interface RunRound {
  totalS: number;
  startS: number;
  evalS: number;
  outputsS: number;
  mean: number;
  completed: number;
  workers: number;
}

async function runOnce(n: number, broker?: string, extra: string[] = []): Promise<RunRound> {
  const simDir = join(work, "runs");
  try {
    const out = await run([
      ...extra,
      RUN,
      MODEL,
      String(n),
      String(SEED),
      String(CORES),
      simDir,
      ...(broker ? [broker] : []),
    ]);
    const result = JSON.parse(out.stdout) as RunRound;
    if (result.completed !== n) throw new Error(`${result.completed} of ${n} results`);
    return result;
  } finally {
    rmSync(simDir, { recursive: true, force: true });
  }
}

const summary: string[][] = [];
const docs: string[] = [];

// 1. Embedded against the hand-written loop.
const embeddedMedian = new Map<number, number>();
async function embeddedVsLoop(): Promise<void> {
  const rows: string[][] = [];
  for (const n of sizes) {
    const loops: LoopRound[] = [];
    const runs: RunRound[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first.
      const order = r % 2 === 0 ? ["loop", "run"] : ["run", "loop"];
      for (const which of order) {
        if (which === "loop")
          loops.push(
            JSON.parse((await run([LOOP, MODEL, String(n), String(SEED)])).stdout) as LoopRound,
          );
        else runs.push(await runOnce(n));
      }
      const l = loops.at(-1) as LoopRound;
      const e = runs.at(-1) as RunRound;
      console.error(
        `  ${millions(n)} round ${r + 1}: loop ${fmt(l.loopS)} s (draws ${fmt(l.drawS)} s; the run's path in one thread ${fmt(l.tapeS)} s), embedded ${fmt(e.totalS)} s (start ${fmt(e.startS)}, evaluation ${fmt(e.evalS)}, outputs ${fmt(e.outputsS)}); load ${load()}`,
      );
      const agree = Math.abs(l.mean - e.mean) <= 1e-9 * Math.max(1, Math.abs(l.mean));
      if (!agree) throw new Error(`the means differ: loop ${l.mean}, embedded ${e.mean}`);
    }
    const loopS = median(loops.map((l) => l.loopS));
    const drawS = median(loops.map((l) => l.drawS));
    const tapeS = median(loops.map((l) => l.tapeS));
    const totalS = median(runs.map((e) => e.totalS));
    const evalS = median(runs.map((e) => e.evalS));
    const startS = median(runs.map((e) => e.startS));
    const outputsS = median(runs.map((e) => e.outputsS));
    const evalSpread = `${fmt(Math.min(...runs.map((e) => e.evalS)))}–${fmt(Math.max(...runs.map((e) => e.evalS)))}`;
    const loopSpread = `${fmt(Math.min(...loops.map((l) => l.loopS)))}–${fmt(Math.max(...loops.map((l) => l.loopS)))}`;
    embeddedMedian.set(n, totalS);
    const ratioWhole = loopS / totalS;
    const ratioEval = loopS / evalS;
    const pass = ratioEval >= 1.5;
    rows.push([
      millions(n),
      `${fmt(loopS)} s (${loopSpread}; ${perS(n, loopS)}/s)`,
      `${fmt(drawS)} s`,
      `${fmt(tapeS)} s`,
      `${fmt(evalS)} s (${evalSpread}; ${perS(n, evalS)}/s)`,
      `**${fmt(ratioEval)}×** ${pass ? "PASS" : "FAIL"} (target ≥ 1.5); ${fmt(tapeS / evalS)}× the run's path in one thread`,
      `${fmt(totalS)} s (${fmt(startS)} / ${fmt(evalS)} / ${fmt(outputsS)}); ${fmt(ratioWhole)}× the loop`,
    ]);
    summary.push([
      `embedded (${CORES} workers) vs loop, ${millions(n)}`,
      `${perS(n, evalS)}/s drawing and evaluating vs ${perS(n, loopS)}/s (whole run with outputs ${perS(n, totalS)}/s)`,
      `${fmt(ratioEval)}× (whole ${fmt(ratioWhole)}×)`,
      pass ? "PASS" : "FAIL",
    ]);
  }
  const header = [
    "N",
    "hand-written loop (1 thread): draw, evaluate, keep by id",
    "its draws alone",
    "the run's path (tapes) in 1 thread",
    `embedded, ${CORES} workers: drawing and evaluating`,
    "embedded ÷ loop (scenarios/s)",
    "whole run (start / evaluation / outputs written)",
  ];
  console.log(
    `\n## Embedded (${CORES} worker threads) against a single-thread loop, medians of ${rounds}\n`,
  );
  printTable(header, rows);
  docs.push(tableText(header, rows));
}

// 2. Over RabbitMQ, two consumers.
interface Broker {
  url: string;
  stop(): Promise<void>;
}
let broker: Broker | undefined;
const consumers: ChildProcess[] = [];
async function startBroker(): Promise<Broker | string> {
  const helper = (await import("../test/helpers/rabbitmq.js")) as {
    rabbitmqMissing(): string | undefined;
    startRabbitMQ(): Promise<Broker>;
  };
  const missing = helper.rabbitmqMissing();
  if (missing) return missing;
  return helper.startRabbitMQ();
}
function startConsumer(url: string, id: string): ChildProcess {
  const dir = join(work, id);
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "dist/simulation/consumer-cli.js"),
      "--broker",
      url,
      "--id",
      id,
      ...(process.env.SIM_PREFETCH ? ["--prefetch", process.env.SIM_PREFETCH] : []),
    ],
    { cwd: dir, env: { ...process.env, LOG_LEVEL: "warn" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr?.on("data", (c) => process.stderr.write(`  [${id}] ${c}`));
  consumers.push(child);
  return child;
}
async function stopConsumers(): Promise<void> {
  await Promise.all(
    consumers.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        }),
    ),
  );
  consumers.length = 0;
}

async function overRabbitMQ(): Promise<void> {
  const started = await startBroker().catch((e: Error) => e.message);
  if (typeof started === "string") {
    const line = `RabbitMQ: not measured (${started})`;
    console.log(`\n${line}`);
    summary.push(["RabbitMQ, 2 consumers vs embedded", "not measured", started, "-"]);
    docs.push(line);
    return;
  }
  broker = started;
  startConsumer(broker.url, "consumer-1");
  startConsumer(broker.url, "consumer-2");
  const rows: string[][] = [];
  for (const n of brokerSizes) {
    const rabbit: RunRound[] = [];
    const embedded: RunRound[] = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ["rabbit", "embedded"] : ["embedded", "rabbit"];
      for (const which of order) {
        if (which === "rabbit") rabbit.push(await runOnce(n, broker.url));
        else embedded.push(await runOnce(n));
      }
      const q = rabbit.at(-1) as RunRound;
      const e = embedded.at(-1) as RunRound;
      console.error(
        `  RabbitMQ ${millions(n)} round ${r + 1}: ${fmt(q.totalS)} s (evaluation ${fmt(q.evalS)} s, ${q.workers} consumers) vs embedded ${fmt(e.totalS)} s; load ${load()}`,
      );
      if (Math.abs(q.mean - e.mean) > 1e-9 * Math.max(1, Math.abs(e.mean)))
        throw new Error(`the means differ: RabbitMQ ${q.mean}, embedded ${e.mean}`);
    }
    const q = median(rabbit.map((x) => x.totalS));
    const qe = median(rabbit.map((x) => x.evalS));
    const e = median(embedded.map((x) => x.totalS));
    const ee = median(embedded.map((x) => x.evalS));
    const ratio = e / q;
    rows.push([
      millions(n),
      `${fmt(q)} s (${perS(n, q)}/s)`,
      `${fmt(qe)} s (${perS(n, qe)}/s)`,
      `${fmt(e)} s (${perS(n, e)}/s)`,
      `${fmt(ee)} s`,
      `**${fmt(ratio)}×** ${ratio >= 0.5 ? "PASS" : "FAIL"} (target ≥ 0.5); evaluation ${fmt(ee / qe)}×`,
    ]);
    summary.push([
      `RabbitMQ (2 consumers) vs embedded, ${millions(n)}`,
      `${perS(n, q)}/s vs ${perS(n, e)}/s`,
      `${fmt(ratio)}×`,
      ratio >= 0.5 ? "PASS" : "FAIL",
    ]);
  }
  const header = [
    "N",
    "RabbitMQ, 2 consumers, outputs written",
    "its evaluation phase",
    `embedded, ${CORES} workers`,
    "its evaluation phase",
    "RabbitMQ ÷ embedded (scenarios/s)",
  ];
  console.log(
    `\n## Over RabbitMQ (2 consumers on this machine) against embedded, medians of ${rounds}\n`,
  );
  printTable(header, rows);
  docs.push(tableText(header, rows));
}

// 3. Producer RSS from the smallest to the largest N, `npm run simulate`'s entry as a process.
async function cliPeak(n: number, url?: string): Promise<Exited> {
  const dir = join(work, "cli");
  mkdirSync(dir, { recursive: true });
  try {
    return await run(
      [
        join(ROOT, "dist/simulation/cli.js"),
        MODEL,
        "--scenarios",
        String(n),
        "--json",
        "--control-db",
        join(dir, "control.db"),
        ...(url ? ["--broker", url] : []),
      ],
      { cwd: dir },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
async function producerRss(): Promise<void> {
  const series: [string, number[], string | undefined][] = [["embedded", rssSizes, undefined]];
  if (broker) series.push(["RabbitMQ", brokerRssSizes, broker.url]);
  const rows: string[][] = [];
  for (const [name, ns, url] of series) {
    const peaks: number[] = [];
    for (const n of ns) {
      const out = await cliPeak(n, url);
      peaks.push(out.peakMb);
      console.error(
        `  ${name} ${millions(n)}: ${fmt(out.seconds)} s, peak RSS ${fmt(out.peakMb, 0)} MB; load ${load()}`,
      );
      rows.push([name, millions(n), `${fmt(out.seconds)} s`, `${fmt(out.peakMb, 0)} MB`]);
    }
    const growth = (peaks.at(-1) as number) / (peaks[0] as number) - 1;
    const pass = growth <= 0.25;
    const last = rows.at(-1) as string[];
    last.push(
      `**${growth >= 0 ? "+" : ""}${fmt(growth * 100, 0)} %** from ${millions(ns[0] as number)} ${pass ? "PASS" : "FAIL"} (target ≤ +25 %)`,
    );
    summary.push([
      `producer peak RSS, ${name}, ${millions(ns[0] as number)} → ${millions(ns.at(-1) as number)}`,
      peaks.map((p) => `${fmt(p, 0)} MB`).join(" → "),
      `${growth >= 0 ? "+" : ""}${fmt(growth * 100, 0)} %`,
      pass ? "PASS" : "FAIL",
    ]);
  }
  for (const row of rows) while (row.length < 5) row.push("");
  const header = [
    "mode",
    "N",
    "`npm run simulate` (process)",
    "peak RSS (VmHWM)",
    "largest N vs smallest",
  ];
  console.log("\n## Producer peak RSS (the simulate process, all its threads)\n");
  printTable(header, rows);
  docs.push(tableText(header, rows));
}

// --cpu-prof: where the producer's time goes.
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
/** Inclusive seconds per category of a profile (a sample counts once per category on its stack). */
function split(profile: Profile, categories: [string, (f: ProfileNode["callFrame"]) => boolean][]) {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const seconds = new Map<string, number>(categories.map(([name]) => [name, 0]));
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1e6;
    total += dt;
    const hit = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      for (const [name, test] of categories) if (test(frame)) hit.add(name);
    }
    // Tapes recorded by the producer itself, not for the summary's or the Parquet file's redraw.
    if (hit.has(TAPE) && (hit.has(SUMMARY) || hit.has(PARQUET))) hit.delete(TAPE);
    for (const name of hit) seconds.set(name, (seconds.get(name) ?? 0) + dt);
  });
  return { seconds, total };
}
const TAPE = "recording tapes (ScenarioTaper.tape)";
const DRAW = "redrawing the variables for the outputs (tapedStream's fill)";
const SUMMARY = "summary (summarizeRun)";
const PARQUET = "Parquet (writeResultsParquet)";
const fn =
  (file: string, ...names: string[]) =>
  (f: ProfileNode["callFrame"]) =>
    f.url.endsWith(file) && (names.length === 0 || names.includes(f.functionName));
const named = (name: string) => (f: ProfileNode["callFrame"]) => f.functionName === name;

async function cpuProfile(): Promise<void> {
  const dir = join(work, "prof");
  mkdirSync(dir, { recursive: true });
  const timing = await runOnce(profileSize, undefined, ["--cpu-prof", "--cpu-prof-dir", dir]);
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the producer.
  const thread = (f: string) => Number(f.split(".")[4]);
  const rows: string[][] = [];
  for (const file of files.sort((a, b) => thread(a) - thread(b))) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile;
    const main = thread(file) === 0;
    const cats: [string, (f: ProfileNode["callFrame"]) => boolean][] = main
      ? [
          [TAPE, fn("random/tape.js", "tape")],
          ["sending (postMessage)", fn("run/embedded.js", "post")],
          ["collecting (Collector.add: spill, live summary)", fn("run/run.js", "add")],
          [SUMMARY, fn("run/summary.js", "summarizeRun")],
          [PARQUET, fn("run/parquet.js", "writeResultsParquet")],
          [DRAW, fn("random/tape.js", "fill")],
          ["garbage collector", named("(garbage collector)")],
          ["idle", named("(idle)")],
        ]
      : [
          ["values from tapes (TapeReader.values)", fn("random/tape.js", "values")],
          ["evaluating (evaluateBatch)", fn("run/evaluate.js", "evaluateBatch")],
          ["garbage collector", named("(garbage collector)")],
          ["idle (waiting for a batch)", named("(idle)")],
        ];
    const { seconds, total } = split(profile, cats);
    rows.push([
      main ? "producer (main thread)" : `worker thread ${thread(file)}`,
      `${fmt(total)} s`,
      [...seconds].map(([name, s]) => `${name} ${fmt(s)} s`).join("; "),
    ]);
  }
  rmSync(dir, { recursive: true, force: true });
  const header = ["thread", "profiled", "inclusive time"];
  const title = `## Where the time goes: one embedded run of ${millions(profileSize)} under --cpu-prof (evaluation phase ${fmt(timing.evalS)} s, whole ${fmt(timing.totalS)} s)`;
  console.log(`\n${title}\n`);
  printTable(header, rows);
  docs.push(`${title.replace("## ", "")}:\n\n${tableText(header, rows)}`);
}

function tableText(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

try {
  const loadBefore = load();
  console.log(
    `bench:simulate — modelos/ejemplo.ini, seed ${SEED}, ${CORES} cores, rounds ${rounds}; load average ${loadBefore}`,
  );
  if (!only || only === "loop") await embeddedVsLoop();
  if (!only || only === "broker") await overRabbitMQ();
  if (!only || only === "rss") await producerRss();
  await stopConsumers();
  if ((!only || only === "prof") && profileSize > 0) await cpuProfile();
  console.log("\n## Summary\n");
  printTable(["measure", "figures", "ratio / growth", "verdict"], summary);
  console.log(`\nload average: before ${loadBefore}, after ${load()}`);
  if (process.env.BENCH_DOCS) writeFileSync(process.env.BENCH_DOCS, `${docs.join("\n\n")}\n`);
} finally {
  await stopConsumers();
  await broker?.stop();
  await sleep(0);
  rmSync(work, { recursive: true, force: true });
}
