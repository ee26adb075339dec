import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = resolve(import.meta.dirname, "..");

export interface Measured {
  seconds: number;
  peakRssMb?: number;
  stdout: string;
}

/** Runs a command to completion and returns its wall time (fails loudly on a non-zero exit). */
export function timed(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): Measured {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr?.slice(-2000)}`,
    );
  }
  return { seconds, stdout: result.stdout };
}

/** Runs a Node script with the RSS probe preloaded: wall time and peak RSS of the whole process. */
export function timedNode(script: string, args: string[], cwd = ROOT): Measured {
  const dir = mkdtempSync(join(tmpdir(), "rss-"));
  const file = join(dir, "rss");
  const probe = pathToFileURL(resolve(ROOT, "bench/rss-probe.mjs")).href;
  const previous = process.env.RSS_PROBE_FILE;
  process.env.RSS_PROBE_FILE = file;
  try {
    const measured = timed(process.execPath, ["--import", probe, script, ...args], { cwd });
    return { ...measured, peakRssMb: Number(readFileSync(file, "utf8")) / 2 ** 20 };
  } finally {
    process.env.RSS_PROBE_FILE = previous;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses `--name value` flags of a benchmark. */
export function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** Prints a Markdown table: the header, a separator as wide as it, then one line per row. */
export function printTable(header: string[], rows: string[][]): void {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  console.log(line(header));
  console.log(line(header.map(() => "---")));
  for (const row of rows) console.log(line(row));
}
export const rate = (rows: number, seconds: number) =>
  Math.round(rows / seconds).toLocaleString("en-US");

/** Generates `size` sales with the generator and loads them with the ETL; returns the database path. */
export function buildDatabase(size: number, work: string): string {
  const data = join(work, `data-${size}`);
  const db = join(work, `db-${size}.db`);
  timed(process.execPath, ["dist/generate/cli.js", "--rows", String(size), "--out", data]);
  timed(process.execPath, ["dist/etl/cli.js", "--data-dir", data, "--db", db]);
  rmSync(data, { recursive: true, force: true });
  return db;
}
