/**
 * The simulation over a real RabbitMQ (contract `simulation.md`, "Over RabbitMQ"): the
 * producer's transport driven by a small producer loop (the seeded scenario stream, batches
 * sent, results collected by escenario_id), real consumer processes
 * (`npm run simulate:consumer` from the sources), and the queues inspected with amqplib.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import amqp from "amqplib";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createRabbitTransport, type RabbitTransport } from "../src/simulation/broker/index.js";
import { encodeModel } from "../src/simulation/broker/messages.js";
import { queueNames } from "../src/simulation/broker/topology.js";
import { loadModelSource } from "../src/simulation/model/index.js";
import { createScenarioStream } from "../src/simulation/random/index.js";
import type { ResultBatch } from "../src/simulation/run/types.js";
import type { ModelDefinition } from "../src/simulation/types.js";
import { spawnCli } from "./helpers/cli.js";
import { describeWithRabbitMQ, type RunningRabbitMQ, startRabbitMQ } from "./helpers/rabbitmq.js";

const SECRET = "a secret shared by producer and consumers";

function model(fn: string, opts: { scenarios?: number; timeout?: number; vars?: string } = {}) {
  const text = [
    "[MODELO]",
    "nombre = prueba",
    "version = 1",
    "[VARIABLES]",
    opts.vars ?? "x, float, normal, media=0, std=1\ny, float, uniform, min=0, max=10",
    "[FUNCION]",
    fn,
    "[SIMULACION]",
    `numero_escenarios = ${opts.scenarios ?? 1000}`,
    "semilla_aleatoria = 7",
    "[CONFIGURACION]",
    `timeout_consumidor = ${opts.timeout ?? 300}`,
    "",
  ].join("\n");
  return loadModelSource(text, "prueba.ini", { allowCode: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** What a run collected: each scenario's first output (NaN = error), how often each id came. */
class Collected {
  readonly values: Float64Array;
  readonly times: Uint8Array;
  readonly byConsumer = new Map<string, number>();
  readonly messages: string[] = [];
  results = 0;
  constructor(readonly n: number) {
    this.values = new Float64Array(n + 1).fill(Number.NaN);
    this.times = new Uint8Array(n + 1);
  }
  add = (batch: ResultBatch) => {
    const column = Object.values(batch.outputs)[0];
    for (let i = 0; i < batch.count; i++) {
      const id = batch.firstId + i;
      this.times[id] = (this.times[id] as number) + 1;
      this.values[id] = column ? (column[i] as number) : Number.NaN;
    }
    this.results += batch.count;
    this.byConsumer.set(batch.consumer, (this.byConsumer.get(batch.consumer) ?? 0) + batch.count);
    for (const error of batch.errors)
      if (this.messages.length < 50) this.messages.push(error.message);
  };
  /** Every id 1…n exactly once. */
  exactlyOnce(): boolean {
    for (let id = 1; id <= this.n; id++) if (this.times[id] !== 1) return false;
    return this.results === this.n;
  }
  errors(): number {
    let count = 0;
    for (let id = 1; id <= this.n; id++) if (Number.isNaN(this.values[id])) count++;
    return count;
  }
}

describeWithRabbitMQ("simulation over RabbitMQ", () => {
  let broker: RunningRabbitMQ;
  let work: string;
  const children: ChildProcess[] = [];
  const transports: RabbitTransport[] = [];
  let prefixCount = 0;

  beforeAll(async () => {
    broker = await startRabbitMQ();
    work = mkdtempSync(join(tmpdir(), "sim-broker-"));
  }, 120_000);

  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.close();
    await Promise.all(
      children.splice(0).map(async (child) => {
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGKILL");
          await gone;
        }
      }),
    );
  });

  afterAll(async () => {
    await broker?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  const newPrefix = () => `t${++prefixCount}.`;

  /** A consumer process; its output is kept on the child (`output()`). */
  function consumer(prefix: string, args: string[] = [], env: Record<string, string> = {}) {
    const child = spawnCli("simulate:consumer", ["--broker", broker.url, ...args], {
      cwd: work,
      env: { SIM_QUEUE_PREFIX: prefix, SIM_SECRET: undefined, ...env },
    });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    children.push(child);
    return Object.assign(child, { output: () => output });
  }

  function transport(
    prefix: string,
    extra: Partial<Parameters<typeof createRabbitTransport>[0]> = {},
  ) {
    const created = createRabbitTransport({
      url: broker.url,
      prefix,
      window: 8,
      ahead: 16,
      noWait: true,
      secret: "",
      ...extra,
    });
    transports.push(created);
    return created;
  }

  /** Sends scenarios `from…to` (1-based, inclusive) in batches of `size`. */
  async function sendRange(
    t: RabbitTransport,
    definition: ModelDefinition,
    stream: ReturnType<typeof createScenarioStream>,
    count: number,
    size: number,
  ) {
    for (let sent = 0; sent < count; sent += size) {
      const batch = stream.batch(Math.min(size, count - sent));
      await t.send({ modelId: "m", ...batch });
    }
    void definition;
  }

  /** Each scenario's value computed here, with the same seeded draws. */
  function reference(text: ReturnType<typeof model>, n: number): Float64Array {
    const stream = createScenarioStream(text.definition.variables, text.definition.seed);
    const out = new Float64Array(n + 1);
    for (let id = 1; id <= n; id++) {
      const value = text.evaluate(stream.next());
      out[id] = typeof value === "number" ? value : Number.NaN;
    }
    return out;
  }

  async function channel() {
    const connection = await amqp.connect(broker.url);
    const ch = await connection.createChannel();
    return { connection, ch };
  }

  it("two consumers, one killed with SIGKILL mid-run: exactly N results, each escenario_id once, the same values", async () => {
    const prefix = newPrefix();
    const N = 20_000;
    // A model slow enough (a loop per scenario) for the kill to land mid-run.
    const m = model(
      'codigo = """\nfunction modelo(x, y) {\n  let s = 0;\n  for (let i = 0; i < 3000; i++) s += i % 7;\n  return x * x + y + s * 0;\n}\n"""',
      { scenarios: N },
    );
    const a = consumer(prefix, ["--id", "A", "--allow-code", "--prefetch", "2"], {
      SIM_SECRET: SECRET,
    });
    const b = consumer(prefix, ["--id", "B", "--allow-code", "--prefetch", "2"], {
      SIM_SECRET: SECRET,
    });
    const t = transport(prefix, { secret: SECRET, noWait: false });
    const got = new Collected(N);
    await t.start(m.definition, "m1", got.add);
    const stream = createScenarioStream(m.definition.variables, m.definition.seed);
    await sendRange(t, m.definition, stream, N / 2, 250);
    await until(
      () => (got.byConsumer.get("A") ?? 0) > 0 && (got.byConsumer.get("B") ?? 0) > 0,
      "results from both consumers",
    );
    const killed = new Promise((resolve) => a.once("exit", resolve));
    a.kill("SIGKILL");
    await killed;
    await sendRange(t, m.definition, stream, N / 2, 250);
    await t.drain();
    expect(got.exactlyOnce()).toBe(true);
    expect(got.errors()).toBe(0);
    const want = reference(m, N);
    for (let id = 1; id <= N; id++)
      if (got.values[id] !== want[id]) expect([id, got.values[id]]).toEqual([id, want[id]]);
    expect((got.byConsumer.get("A") ?? 0) + (got.byConsumer.get("B") ?? 0)).toBe(N);
    // The consumer table came from stats_consumidores.
    await until(
      () => t.stats().consumers.some((c) => c.id === "B" && c.processed > 0),
      "B's stats",
    );
    // SIGTERM: B finishes its batch and exits 0.
    const exit = new Promise<number | null>((resolve) => b.once("exit", (code) => resolve(code)));
    b.kill("SIGTERM");
    expect(await exit).toBe(0);
  }, 180_000);
});
