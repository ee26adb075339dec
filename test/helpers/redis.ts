import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeRequiring, freePort } from "./requires.js";

/** Debian's Redis server (installed by `.ci/run`); `REDIS_SERVER_PATH` points elsewhere. */
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? "/usr/bin/redis-server";

/** Why Redis cannot be used here, or undefined when it can. */
export function redisMissing(): string | undefined {
  try {
    accessSync(REDIS_SERVER, constants.X_OK);
    return undefined;
  } catch {
    return `no redis-server at ${REDIS_SERVER} (apt-get install -y redis-server, or set REDIS_SERVER_PATH)`;
  }
}

/**
 * `describe` for a suite that needs a Redis server. Without one, a developer's run says so
 * loudly on stderr and skips the suite; under `CI=true` the suite fails with the reason.
 */
export function describeWithRedis(name: string, suite: () => void): void {
  describeRequiring(name, redisMissing(), "a Redis server to run against", suite);
}

export interface RunningRedis {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

function waitReady(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`redis-server did not start in 15 s:\n${output()}`));
    }, 15_000);
    const onData = () => {
      if (output().includes("Ready to accept connections")) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output()}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * A real `redis-server` on 127.0.0.1 on a free port, with a data folder of its own and no
 * persistence (`--save '' --appendonly no`). Retries on another port if the one it picked
 * was taken meanwhile.
 */
export async function startRedis(): Promise<RunningRedis> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), "empresa-redis-"));
    const port = await freePort();
    const child = spawn(
      REDIS_SERVER,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--loglevel",
        "notice",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    try {
      await waitReady(child, () => output);
    } catch (error) {
      lastError = error;
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError;
}
