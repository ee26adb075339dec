import type { ChildProcess } from "node:child_process";
import { spawnCli } from "./cli.js";

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves when stderr contains `text`. */
  waitFor(text: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * Starts `npm run api` from source on a free port of 127.0.0.1 (always: a HOST in the
 * environment is overridden by the flag); resolves once it listens. `env` values that are
 * undefined are removed from the inherited environment.
 */
export async function startApi(
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<ApiProcess> {
  const child = spawnCli("api", ["--port", "0", "--host", "127.0.0.1"], { cwd, env });
  child.stdout?.resume();
  let stderr = "";
  const waiters: { text: string; done: () => void }[] = [];
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
    for (const waiter of waiters.splice(0)) {
      if (stderr.includes(waiter.text)) waiter.done();
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on("exit", (code, signal) => done({ code, signal })),
  );
  const waitFor = (text: string) =>
    new Promise<void>((done, fail) => {
      if (stderr.includes(text)) return done();
      waiters.push({ text, done });
      void exited.then(() => fail(new Error(`api exited before printing "${text}":\n${stderr}`)));
    });
  await waitFor("listening on http://");
  const port = /listening on http:\/\/[\d.]+:(\d+)/.exec(stderr)?.[1];
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    waitFor,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
