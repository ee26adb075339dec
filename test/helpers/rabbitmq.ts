import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeRequiring, freePort } from "./requires.js";

/**
 * Debian's RabbitMQ (installed by `.ci/run`): the generic server script behind
 * `/usr/sbin/rabbitmq-server` (which, run as root, switches to the `rabbitmq` user and drops
 * the environment). `RABBITMQ_SERVER_PATH` points elsewhere.
 */
export const RABBITMQ_SERVER =
  process.env.RABBITMQ_SERVER_PATH ?? "/usr/lib/rabbitmq/bin/rabbitmq-server";

/** Why RabbitMQ cannot be used here, or undefined when it can. */
export function rabbitmqMissing(): string | undefined {
  try {
    accessSync(RABBITMQ_SERVER, constants.X_OK);
    return undefined;
  } catch {
    return `no rabbitmq-server at ${RABBITMQ_SERVER} (apt-get install -y rabbitmq-server, or set RABBITMQ_SERVER_PATH)`;
  }
}

/**
 * `describe` for a suite that needs a RabbitMQ server. Without one, a developer's run says
 * so loudly on stderr and skips the suite; under `CI=true` the suite fails with the reason.
 */
export function describeWithRabbitMQ(name: string, suite: () => void): void {
  describeRequiring(name, rabbitmqMissing(), "a RabbitMQ server to run against", suite);
}

export interface RunningRabbitMQ {
  /** `amqp://guest:guest@127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Stops the server (its data stays) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
  /** The server's output so far (for failure messages). */
  output(): string;
}

/** Whether an AMQP handshake starts on the port: the server answers the protocol header. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write(Buffer.from("AMQP\x00\x00\x09\x01", "latin1")));
    socket.once("data", (data) => done(data.length > 0 && data[0] === 1));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real `rabbitmq-server` on 127.0.0.1 on free ports, with its node name, data, logs,
 * config and Erlang cookie in a folder of its own, no plugins. It takes a few seconds to
 * boot: this resolves once it accepts AMQP connections (the `guest` user works on
 * loopback). `restart()` keeps the data, so durable queues and persistent messages survive.
 */
export async function startRabbitMQ(): Promise<RunningRabbitMQ> {
  const dir = mkdtempSync(join(tmpdir(), "empresa-rabbitmq-"));
  const port = await freePort();
  let distPort = await freePort();
  while (distPort === port) distPort = await freePort();
  const node = `rabbit-${Math.random().toString(36).slice(2, 10)}@localhost`;
  mkdirSync(join(dir, "mnesia"));
  mkdirSync(join(dir, "log"));
  writeFileSync(join(dir, "enabled_plugins"), "[].\n");
  writeFileSync(join(dir, "rabbitmq-env.conf"), "");
  writeFileSync(
    join(dir, "rabbitmq.conf"),
    [
      `listeners.tcp.1 = 127.0.0.1:${port}`,
      "loopback_users.guest = true",
      "log.console = true",
      "log.console.level = warning",
      "log.file = false",
      "",
    ].join("\n"),
  );
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_NODENAME: node,
    RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: join(dir, "log"),
    RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
    RABBITMQ_CONF_ENV_FILE: join(dir, "rabbitmq-env.conf"),
    RABBITMQ_PID_FILE: join(dir, "rabbitmq.pid"),
  };
  let child: ChildProcess | undefined;
  let output = "";

  const boot = async () => {
    output += `--- starting ${node} on port ${port}\n`;
    const started = spawn(RABBITMQ_SERVER, [], {
      cwd: dir,
      env,
      detached: true, // its own process group: beam and its helpers stop together
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = started;
    started.stdout?.on("data", (chunk) => (output += chunk));
    started.stderr?.on("data", (chunk) => (output += chunk));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (started.exitCode !== null || started.signalCode !== null)
        throw new Error(
          `rabbitmq-server exited (${started.exitCode}) before it was ready:\n${output}`,
        );
      if (await answers(port)) return;
      await sleep(250);
    }
    throw new Error(`rabbitmq-server did not start in 60 s:\n${output}`);
  };

  const halt = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    const group = -(running.pid as number);
    try {
      process.kill(group, "SIGTERM");
    } catch {
      running.kill("SIGTERM");
    }
    const timer = setTimeout(() => {
      try {
        process.kill(group, "SIGKILL");
      } catch {
        // gone already
      }
    }, 20_000);
    await exited;
    clearTimeout(timer);
    // The port is free again once beam has gone.
    for (let i = 0; i < 40 && (await answers(port)); i++) await sleep(250);
  };

  try {
    await boot();
  } catch (error) {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    port,
    output: () => output,
    async restart() {
      await halt();
      await boot();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
