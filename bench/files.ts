/**
 * `npm run bench:files [-- --mb 200 --seed 1 --rounds 3 --only profile|upload]`
 *
 * On a generated CSV of `mb` × 10⁶ bytes (200 MB ≈ 2.5M rows, nine columns of mixed types:
 * `bench/files-data.ts`; cached in the temp folder between runs):
 *
 * 1. Profile: `node dist/files/profile-cli.js FILE --out DIR --json` (`npm run profile`'s
 *    entry, a real process: wall time start to exit, peak RSS of the whole process and its
 *    threads) and DuckDB's `SUMMARIZE SELECT * FROM read_csv('FILE')` (`@duckdb/node-api`,
 *    a fresh Node process each time: the query's own time, start to result, and the process's
 *    start to exit), alternating for `rounds` rounds. The ratio is ours (start to exit)
 *    over DuckDB's process (start to exit), the median of the rounds' ratios (the ratio of
 *    the medians and the ratio to DuckDB's query alone are shown too). Targets: ratio ≤ 1.5,
 *    peak RSS ≤ 400 MB (the largest of the rounds).
 * 2. Upload: starts the console (`node dist/ui/cli.js --port 0`, every folder and database
 *    in a temp folder) and POSTs the file to `/api/files` as multipart/form-data, the body
 *    streamed from disk (this process never holds the file), with the headers a same-origin
 *    page sends; time from the request's start to the 201 answer, and the server's RSS
 *    (`/proc/PID/status`, every 20 ms) before and at its highest during the upload.
 *    `rounds` rounds. Targets: ≤ 3 s (median), RSS growth ≤ 64 MB (every round).
 *
 * The build is pinned at the start (`dist`'s target), so a rebuild by someone else during
 * the run changes nothing. The load average is printed, the machine being shared.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  rmSync,
} from "node:fs";
import { request } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { benchCsv } from "./files-data.js";
import { flag, fmt, printTable, ROOT, timed } from "./measure.js";

const megabytes = Number(flag("mb", "200"));
const seed = Number(flag("seed", "1"));
const rounds = Number(flag("rounds", "3"));
const only = flag("only", "");
const TARGET_RATIO = 1.5;
const TARGET_RSS_MB = 400;
const TARGET_UPLOAD_S = 3;
const TARGET_GROWTH_MB = 64;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" / ");
const MB = 2 ** 20;

timed(process.execPath, ["scripts/build.mjs"]);
const build = realpathSync(join(ROOT, "dist"));
const work = mkdtempSync(join(tmpdir(), "bench-files-"));
const probe = pathToFileURL(resolve(ROOT, "bench/rss-probe.mjs")).href;

console.error(`load average (1 / 5 / 15 min) at the start: ${load()} on ${cpus().length} cores`);
const csv = benchCsv(megabytes, seed);
console.error(
  `${csv.generated ? `generated in ${fmt(csv.seconds)} s` : "cached"}: ${csv.path} (${csv.bytes.toLocaleString("en-US")} bytes, ${csv.rows.toLocaleString("en-US")} rows)`,
);

interface Run {
  seconds: number;
  peakRssMb: number;
  stdout: string;
}

/** A Node process with the RSS probe preloaded: wall time, peak RSS (all threads), stdout. */
function runNode(args: string[], env: Record<string, string> = {}, cwd = work): Run {
  const rssFile = join(work, `rss-${process.hrtime.bigint()}`);
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--import", probe, ...args], {
    cwd,
    env: { ...process.env, ...env, RSS_PROBE_FILE: rssFile },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0)
    throw new Error(
      `node ${args.slice(0, 2).join(" ")} … failed (${result.status ?? result.signal}): ${result.stderr.slice(-2000)}`,
    );
  const peakRssMb = Number(readFileSync(rssFile, "utf8")) / MB;
  rmSync(rssFile, { force: true });
  return { seconds, peakRssMb, stdout: result.stdout };
}

// DuckDB's side, run with `node --input-type=module -e` (no TypeScript loader to start).
const DUCKDB = `
const began = performance.now();
const { DuckDBInstance } = await import("@duckdb/node-api");
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
const ready = performance.now();
const path = process.argv[1].replaceAll("'", "''");
const reader = await connection.runAndReadAll("SUMMARIZE SELECT * FROM read_csv('" + path + "')");
const rows = reader.getRowObjectsJson();
const done = performance.now();
console.log(JSON.stringify({ startup: (ready - began) / 1000, query: (done - ready) / 1000, rows }));
`;

interface ProfileRound {
  ours: Run & { rows: number; duracion: number };
  duck: Run & { query: number; rows: number };
}

function profileRound(): ProfileRound {
  const out = join(work, "out");
  const ours = runNode([join(build, "files/profile-cli.js"), csv.path, "--out", out, "--json"], {
    LOG_DIR: join(work, "logs"),
  });
  rmSync(out, { recursive: true, force: true });
  const report = JSON.parse(ours.stdout) as { resumen: { filas: number; duracion_s: number } };
  // In the project's folder: `-e` resolves @duckdb/node-api from there.
  const duck = runNode(["--input-type=module", "-e", DUCKDB, csv.path], {}, ROOT);
  const summary = JSON.parse(duck.stdout) as { query: number; rows: { count: string }[] };
  return {
    ours: { ...ours, rows: report.resumen.filas, duracion: report.resumen.duracion_s },
    duck: { ...duck, query: summary.query, rows: Number(summary.rows[0]?.count) },
  };
}

// ---------------------------------------------------------------------------------------
// Upload

interface Server {
  child: ChildProcess;
  port: number;
}

function startConsole(dir: string): Promise<Server> {
  mkdirSync(join(dir, "steps"), { recursive: true });
  const child = spawn(
    process.execPath,
    [join(build, "ui/cli.js"), "--port", "0", "--host", "127.0.0.1"],
    {
      cwd: dir,
      env: {
        ...process.env,
        TEMP_DIR: join(dir, "temp"),
        RESULTS_DIR: join(dir, "resultados"),
        CONTROL_DB: join(dir, "control.db"),
        STEPS_DIR: join(dir, "steps"),
        DB_PATH: join(dir, "empresa.db"),
        SCHEDULE_FILE: join(dir, "schedule.json"),
        MASTER_STATUS_FILE: join(dir, "status.json"),
        LOG_DIR: join(dir, "logs"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return new Promise((done, fail) => {
    let output = "";
    const read = (chunk: Buffer) => {
      output += chunk;
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port) done({ child, port: Number(port) });
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.on("exit", (code) =>
      fail(new Error(`the console exited (${code}): ${output.slice(-2000)}`)),
    );
  });
}

/** VmRSS and VmHWM of a process, in MB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

interface UploadRound {
  seconds: number;
  before: number;
  peak: number;
  hwmBefore: number;
  hwmAfter: number;
  clientGrowth: number;
}

/** POSTs the file as multipart/form-data, the body streamed from disk. */
function upload(server: Server): Promise<UploadRound> {
  const boundary = `----bench${process.hrtime.bigint()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="ventas.csv"\r\n` +
      "Content-Type: text/csv\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const origin = `http://127.0.0.1:${server.port}`;
  const pid = server.child.pid as number;
  const before = memoryOf(pid);
  const clientBefore = process.memoryUsage.rss() / MB;
  let peak = before.rss;
  let clientPeak = clientBefore;
  const poll = setInterval(() => {
    peak = Math.max(peak, memoryOf(pid).rss);
    clientPeak = Math.max(clientPeak, process.memoryUsage.rss() / MB);
  }, 20);
  const started = process.hrtime.bigint();
  return new Promise<UploadRound>((done, fail) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: server.port,
        method: "POST",
        path: "/api/files",
        agent: false,
        headers: {
          "Content-Type": `multipart/form-data; boundary=${boundary}`,
          "Content-Length": head.length + csv.bytes + tail.length,
          Origin: origin,
          Referer: `${origin}/files`,
          "Sec-Fetch-Site": "same-origin",
          "Sec-Fetch-Mode": "cors",
          Accept: "application/json",
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          clearInterval(poll);
          peak = Math.max(peak, memoryOf(pid).rss);
          if (res.statusCode !== 201) {
            fail(new Error(`POST /api/files answered ${res.statusCode}: ${body.slice(0, 500)}`));
            return;
          }
          const answer = JSON.parse(body) as { file_id: string; bytes: number; preview: unknown[] };
          if (answer.bytes !== csv.bytes || answer.preview.length !== 5) {
            fail(new Error(`unexpected answer: ${body.slice(0, 500)}`));
            return;
          }
          // The stored copy is removed, so rounds do not fill the disk.
          const temp = join(work, "console", "temp");
          for (const name of readdirSync(temp, { recursive: true }) as string[])
            if (name.includes(answer.file_id))
              rmSync(join(temp, name), { recursive: true, force: true });
          done({
            seconds,
            before: before.rss,
            peak,
            hwmBefore: before.hwm,
            hwmAfter: memoryOf(pid).hwm,
            clientGrowth: clientPeak - clientBefore,
          });
        });
      },
    );
    req.on("error", (error) => {
      clearInterval(poll);
      fail(error);
    });
    req.write(head);
    const file = createReadStream(csv.path, { highWaterMark: 1 << 20 });
    file.on("error", fail);
    file.on("end", () => req.end(tail));
    file.pipe(req, { end: false });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------

const summary: string[][] = [];
try {
  if (only !== "upload") {
    // The file read once (1 MB at a time), so the first round does not pay for the disk.
    const fd = openSync(csv.path, "r");
    const buffer = Buffer.alloc(1 << 20);
    while (readSync(fd, buffer) > 0);
    closeSync(fd);
    const results: ProfileRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      const r = profileRound();
      results.push(r);
      if (r.ours.rows !== csv.rows || r.duck.rows !== csv.rows)
        throw new Error(`rows: generated ${csv.rows}, ours ${r.ours.rows}, DuckDB ${r.duck.rows}`);
      console.error(
        `round ${round}: ours ${fmt(r.ours.seconds)} s (profile ${fmt(r.ours.duracion)} s), peak RSS ${Math.round(r.ours.peakRssMb)} MB; ` +
          `DuckDB query ${fmt(r.duck.query)} s, process ${fmt(r.duck.seconds)} s, peak RSS ${Math.round(r.duck.peakRssMb)} MB; ` +
          `ratio ${fmt(r.ours.seconds / r.duck.seconds)}; load ${load()}`,
      );
    }
    const ours = median(results.map((r) => r.ours.seconds));
    const duckProcess = median(results.map((r) => r.duck.seconds));
    const duckQuery = median(results.map((r) => r.duck.query));
    const peak = Math.max(...results.map((r) => r.ours.peakRssMb));
    // Each round's pair runs back to back: the median of the rounds' ratios follows a
    // neighbour's load less than the ratio of the two medians (both are printed).
    const ratio = median(results.map((r) => r.ours.seconds / r.duck.seconds));
    const queryRatio = median(results.map((r) => r.ours.seconds / r.duck.query));
    const each = (pick: (r: ProfileRound) => number) =>
      results.map((r) => fmt(pick(r))).join(" / ");
    console.log(
      `Profile of ${csv.rows.toLocaleString("en-US")} rows (${fmt(csv.bytes / 1e6, 0)} MB), ${rounds} alternating rounds:\n`,
    );
    printTable(
      ["", "each round (s)", "median", "peak RSS"],
      [
        [
          "npm run profile (start to exit)",
          each((r) => r.ours.seconds),
          `**${fmt(ours)} s**`,
          `${Math.round(peak)} MB (max)`,
        ],
        [
          "  its own duracion_s",
          each((r) => r.ours.duracion),
          `${fmt(median(results.map((r) => r.ours.duracion)))} s`,
          "",
        ],
        [
          "DuckDB SUMMARIZE (process start to exit)",
          each((r) => r.duck.seconds),
          `${fmt(duckProcess)} s`,
          `${Math.round(Math.max(...results.map((r) => r.duck.peakRssMb)))} MB (max)`,
        ],
        ["  the query alone", each((r) => r.duck.query), `${fmt(duckQuery)} s`, ""],
      ],
    );
    console.log(
      `\nratio ours / DuckDB process, median of the rounds' ratios: **${fmt(ratio)}** (target ≤ ${TARGET_RATIO}) ${verdict(ratio <= TARGET_RATIO)}` +
        ` (each round: ${each((r) => r.ours.seconds / r.duck.seconds)}; ratio of the medians ${fmt(ours / duckProcess)})` +
        `\nratio ours / DuckDB query alone, median of the rounds' ratios: ${fmt(queryRatio)} ${verdict(queryRatio <= TARGET_RATIO)}` +
        `\npeak RSS: **${Math.round(peak)} MB** (target ≤ ${TARGET_RSS_MB}) ${verdict(peak <= TARGET_RSS_MB)}\n`,
    );
    summary.push(
      [
        "profile / DuckDB SUMMARIZE",
        `${fmt(ours)} s / ${fmt(duckProcess)} s; ratio ${fmt(ratio)}`,
        `≤ ${TARGET_RATIO}`,
        verdict(ratio <= TARGET_RATIO),
      ],
      [
        "profile peak RSS",
        `${Math.round(peak)} MB`,
        `≤ ${TARGET_RSS_MB} MB`,
        verdict(peak <= TARGET_RSS_MB),
      ],
    );
  }

  if (only !== "profile") {
    const server = await startConsole(join(work, "console"));
    try {
      await new Promise((r) => setTimeout(r, 500)); // its start-up work settles
      const results: UploadRound[] = [];
      for (let round = 1; round <= rounds; round++) {
        const r = await upload(server);
        results.push(r);
        console.error(
          `upload round ${round}: ${fmt(r.seconds)} s, server RSS ${Math.round(r.before)} → ${Math.round(r.peak)} MB (+${Math.round(r.peak - r.before)}), ` +
            `VmHWM ${Math.round(r.hwmBefore)} → ${Math.round(r.hwmAfter)} MB, client +${Math.round(r.clientGrowth)} MB; load ${load()}`,
        );
        await new Promise((r) => setTimeout(r, 500));
      }
      const seconds = median(results.map((r) => r.seconds));
      const growth = Math.max(...results.map((r) => r.peak - r.before));
      console.log(
        `Upload of the ${fmt(csv.bytes / 1e6, 0)} MB file to POST /api/files (127.0.0.1), ${rounds} rounds:\n`,
      );
      printTable(
        [
          "round",
          "request start to 201",
          "MB/s",
          "server RSS before → peak",
          "growth",
          "server VmHWM before → after",
        ],
        results.map((r, i) => [
          String(i + 1),
          `${fmt(r.seconds)} s`,
          fmt(csv.bytes / MB / r.seconds, 0),
          `${Math.round(r.before)} → ${Math.round(r.peak)} MB`,
          `+${Math.round(r.peak - r.before)} MB`,
          `${Math.round(r.hwmBefore)} → ${Math.round(r.hwmAfter)} MB`,
        ]),
      );
      console.log(
        `\nupload time, median: **${fmt(seconds)} s** (target ≤ ${TARGET_UPLOAD_S} s) ${verdict(seconds <= TARGET_UPLOAD_S)}` +
          `\nserver RSS growth, largest: **${Math.round(growth)} MB** (target ≤ ${TARGET_GROWTH_MB} MB) ${verdict(growth <= TARGET_GROWTH_MB)}\n`,
      );
      summary.push(
        [
          "upload, request start to 201",
          `${fmt(seconds)} s`,
          `≤ ${TARGET_UPLOAD_S} s`,
          verdict(seconds <= TARGET_UPLOAD_S),
        ],
        [
          "upload, server RSS growth",
          `+${Math.round(growth)} MB`,
          `≤ ${TARGET_GROWTH_MB} MB`,
          verdict(growth <= TARGET_GROWTH_MB),
        ],
      );
    } finally {
      await stop(server.child);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log("Summary:\n");
printTable(["", "measured (medians)", "target", ""], summary);
console.log(
  `\n(${build}; ${cpus().length} cores; load average at the end ${load()}; the CSV is cached in ${csv.path})`,
);
