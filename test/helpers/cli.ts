import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = resolve(import.meta.dirname, "../..");
const TSX = pathToFileURL(resolve(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

export type Command =
  | "etl"
  | "validate"
  | "api"
  | "upload"
  | "generate"
  | "pipeline"
  | "ui"
  | "scheduler"
  | "profile"
  | "worker"
  | "simulate"
  | "simulate:consumer";

/** Where each command's entry lives when it is not `src/<command>/cli.ts`. */
const ENTRIES: Partial<Record<Command, string>> = {
  validate: "src/validation/cli.ts",
  profile: "src/files/profile-cli.ts",
  worker: "src/files/worker-cli.ts",
  simulate: "src/simulation/cli.ts",
  "simulate:consumer": "src/simulation/consumer-cli.ts",
};

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts one of the project's commands from its TypeScript source, as a real process, in
 * `cwd` (give a temporary folder: the command reads `.env` and writes `logs/` there).
 * stdin is closed; stdout and stderr are pipes.
 */
export function spawnCli(
  command: Command,
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): ChildProcess {
  const entry = resolve(ROOT, ENTRIES[command] ?? `src/${command}/cli.ts`);
  return spawn(process.execPath, ["--import", TSX, entry, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs a command to its end (see `spawnCli`) and returns its exit and output. */
export function runCli(
  command: Command,
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawnCli(command, args, options);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
  });
}
