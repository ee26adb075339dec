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
import { encodeModel, encodeTape, TAPE_FORMAT } from "../src/simulation/broker/messages.js";
import { queueNames } from "../src/simulation/broker/topology.js";
import { loadModelSource } from "../src/simulation/model/index.js";
import { createScenarioStream, ScenarioTaper } from "../src/simulation/random/index.js";
import { runSimulation } from "../src/simulation/run/index.js";
import type { ResultBatch } from "../src/simulation/run/types.js";
import { ROOT, spawnCli } from "./helpers/cli.js";
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
      if (this.messages.length < 1000) this.messages.push(error.message);
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

  /** Sends the taper's next `count` scenarios in batches of `size`. */
  async function sendRange(t: RabbitTransport, taper: ScenarioTaper, count: number, size: number) {
    for (let sent = 0; sent < count; sent += size) {
      const tape = taper.tape(Math.min(size, count - sent));
      await t.send({ modelId: "m", ...tape });
    }
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
    connection.on("error", () => undefined);
    const ch = await connection.createChannel();
    ch.on("error", () => undefined);
    return { connection, ch };
  }

  /** Consumers on a queue (0 while it does not exist), asked on a channel of its own. */
  async function consumersOn(queue: string): Promise<number> {
    const { connection, ch } = await channel();
    try {
      return (await ch.checkQueue(queue)).consumerCount;
    } catch {
      return 0;
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  it("two consumers, one killed with SIGKILL mid-run: exactly N results, each escenario_id once, the same values", async () => {
    const prefix = newPrefix();
    const N = 20_000;
    // A model slow enough (a loop per scenario) for the kill to land mid-run.
    const m = model(
      'codigo = """\nfunction modelo(x, y) {\n  let s = 0;\n  for (let i = 0; i < 20000; i++) s += i % 7;\n  return x * x + y + s * 0;\n}\n"""',
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
    const stream = new ScenarioTaper(m.definition.variables, m.definition.seed);
    await sendRange(t, stream, N / 2, 250);
    await until(
      () => (got.byConsumer.get("A") ?? 0) > 0 && (got.byConsumer.get("B") ?? 0) > 0,
      "results from both consumers",
    );
    const killed = new Promise((resolve) => a.once("exit", resolve));
    a.kill("SIGKILL");
    await killed;
    await sendRange(t, stream, N / 2, 250);
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
  it("a new model expires the old: modelo holds only the newest, the old run's batches are dead-lettered, the new run gets the new model's results", async () => {
    const prefix = newPrefix();
    const names = queueNames(prefix);
    const old = model("expresion = x * 0 + 1");
    const current = model("expresion = x * 0 + 2");
    const first = transport(prefix);
    await first.start(old.definition, "viejo", () => undefined);
    const oldStream = new ScenarioTaper(old.definition.variables, old.definition.seed);
    await sendRange(first, oldStream, 200, 100);
    await until(() => first.stats().producer.published === 200, "the old batches confirmed");
    await first.close();

    const N = 2000;
    const second = transport(prefix);
    const got = new Collected(N);
    await second.start(current.definition, "nuevo", got.add);
    const { connection, ch } = await channel();
    try {
      expect((await ch.checkQueue(names.modelo)).messageCount).toBe(1);
      const held = await ch.get(names.modelo, { noAck: false });
      if (held === false) throw new Error("modelo is empty");
      expect(JSON.parse(held.content.toString()).model_id).toBe(second.wireModelId);
      ch.nack(held, false, true);
    } finally {
      await connection.close();
    }

    const c = consumer(prefix, ["--id", "C"]);
    const stream = new ScenarioTaper(current.definition.variables, current.definition.seed);
    await sendRange(second, stream, N, 100);
    await second.drain();
    expect(got.exactlyOnce()).toBe(true);
    for (let id = 1; id <= N; id++)
      if (got.values[id] !== 2) expect([id, got.values[id]]).toEqual([id, 2]);
    // The old run's two batches: a failure note each, then dead-lettered; dropped as another run's.
    await until(() => second.foreign >= 4, "the old run's batches in fallidos", 30_000);
    expect(c.output()).toMatch(/has expired/);
  }, 120_000);

  it("one producer per prefix: a second run on the same queues is refused while the first holds them, and runs once it is gone", async () => {
    const prefix = newPrefix();
    const m = model("expresion = x * 0 + 1");
    const first = transport(prefix);
    await first.start(m.definition, "uno", () => undefined);
    const second = transport(prefix);
    await expect(second.start(m.definition, "dos", () => undefined)).rejects.toThrow(
      /another simulation is running on this broker with the queue prefix/,
    );
    await first.close();
    const third = transport(prefix);
    await third.start(m.definition, "tres", () => undefined);
    await third.close();
  }, 60_000);

  it("a poison batch is dead-lettered to fallidos after SIM_MAX_ATTEMPTS and its scenarios are errors; a malformed one at once", async () => {
    const prefix = newPrefix();
    const N = 2000;
    const vars = "x, float, uniform, min=0, max=1";
    const probe = model("expresion = x", { vars });
    const xs = reference(probe, N);
    let worst = 1;
    for (let id = 1; id <= N; id++) if ((xs[id] as number) > (xs[worst] as number)) worst = id;
    // The scenario with the largest x loops forever: its batch goes over timeout_consumidor.
    const m = model(
      `codigo = """\nfunction modelo(x) {\n  if (x === ${JSON.stringify(xs[worst])}) for (;;) {}\n  return x;\n}\n"""`,
      { vars, timeout: 1 },
    );
    consumer(prefix, ["--id", "P", "--allow-code"], { SIM_SECRET: SECRET });
    const t = transport(prefix, { secret: SECRET });
    const got = new Collected(N + 10);
    await t.start(m.definition, "veneno", got.add);
    const stream = new ScenarioTaper(m.definition.variables, m.definition.seed);
    await sendRange(t, stream, N, 100);
    // A malformed batch: a tape of 5 doubles for 10 scenarios of one uniform (10 needed).
    await t.send({ modelId: "veneno", firstId: N + 1, count: 10, parts: new Float64Array(5) });
    await t.drain();
    expect(got.exactlyOnce()).toBe(true);
    const poisoned = Math.floor((worst - 1) / 100) * 100 + 1;
    for (let id = 1; id <= N + 10; id++) {
      const bad = (id >= poisoned && id < poisoned + 100) || id > N;
      if (bad !== Number.isNaN(got.values[id]))
        expect([id, got.values[id]]).toEqual([id, bad ? Number.NaN : xs[id]]);
    }
    expect(got.errors()).toBe(110);
    expect(got.messages.join("\n")).toMatch(
      /failed 3 times and was dead-lettered to t\d+\.fallidos: the batch's evaluation took over timeout_consumidor \(1 s\)/,
    );
    expect(got.messages.join("\n")).toMatch(
      /dead-lettered to t\d+\.fallidos \(rejected\): malformed batch/,
    );
  }, 120_000);

  it("a consumer refuses an unsigned codigo model (its batch ends in fallidos) and runs a signed one with --allow-code and the same SIM_SECRET", async () => {
    const code =
      'codigo = """\nfunction modelo(x, y) {\n  return { suma: x + y, producto: x * y };\n}\n"""';
    const m = model(code);
    // Unsigned, published by hand: refused SIM_MAX_ATTEMPTS times, then dead-lettered.
    {
      const prefix = newPrefix();
      const names = queueNames(prefix);
      const c = consumer(prefix, ["--id", "R", "--allow-code"], { SIM_SECRET: SECRET });
      const { connection, ch } = await channel();
      try {
        await until(
          async () => (await consumersOn(names.escenarios)) > 0,
          "the consumer on escenarios",
        );
        const unsigned = encodeModel(
          {
            model_id: "sin-firma",
            run: "r",
            published_at: new Date().toISOString(),
            definition: m.definition,
          },
          undefined,
        );
        ch.sendToQueue(names.modelo, unsigned.body, {
          persistent: true,
          headers: unsigned.headers,
        });
        const tape = new ScenarioTaper(m.definition.variables, 1).tape(10);
        ch.sendToQueue(names.escenarios, encodeTape(tape), {
          persistent: true,
          headers: { model_id: "sin-firma", run: "r", first_id: 1, count: 10, format: TAPE_FORMAT },
        });
        let dead: amqp.GetMessage | false = false;
        await until(async () => {
          dead = await ch.get(names.fallidos, { noAck: true });
          return dead !== false;
        }, "the refused batch in fallidos");
        expect(
          (dead as unknown as amqp.GetMessage).properties.headers?.["x-first-death-reason"],
        ).toBe("delivery_limit");
        const note = await ch.get(names.resultados, { noAck: true });
        if (note === false) throw new Error("no failure note in resultados");
        expect(note.properties.type).toBe("fallo");
        expect(String(note.properties.headers?.message)).toMatch(
          /refuses an unsigned codigo model/,
        );
      } finally {
        await connection.close();
      }
      expect(c.output()).toMatch(/refused/);
    }
    // Signed with the shared secret: evaluated, both outputs.
    {
      const prefix = newPrefix();
      consumer(prefix, ["--id", "S", "--allow-code"], { SIM_SECRET: SECRET });
      const t = transport(prefix, { secret: SECRET, noWait: false });
      const N = 1000;
      const outputs = new Map<string, Float64Array>();
      const got = new Collected(N);
      await t.start(m.definition, "firmado", (batch) => {
        got.add(batch);
        for (const [name, column] of Object.entries(batch.outputs)) {
          const all = outputs.get(name) ?? new Float64Array(N + 1);
          all.set(column, batch.firstId);
          outputs.set(name, all);
        }
      });
      await sendRange(t, new ScenarioTaper(m.definition.variables, m.definition.seed), N, 100);
      await t.drain();
      expect(got.exactlyOnce()).toBe(true);
      expect(got.errors()).toBe(0);
      const stream = createScenarioStream(m.definition.variables, m.definition.seed);
      for (let id = 1; id <= N; id++) {
        const [x, y] = stream.next() as unknown as [number, number];
        expect([outputs.get("suma")?.[id], outputs.get("producto")?.[id]]).toEqual([x + y, x * y]);
      }
    }
    // Another secret, or no --allow-code: every scenario an error that says why.
    for (const [args, env, why] of [
      [["--allow-code"], { SIM_SECRET: "another secret" }, /signature does not match/],
      [[], { SIM_SECRET: SECRET }, /without --allow-code/],
    ] as const) {
      const prefix = newPrefix();
      consumer(prefix, ["--id", "W", ...args], env);
      const t = transport(prefix, { secret: SECRET, noWait: false });
      const N = 300;
      const got = new Collected(N);
      await t.start(m.definition, "firmado", got.add);
      await sendRange(t, new ScenarioTaper(m.definition.variables, m.definition.seed), N, 100);
      await t.drain();
      expect(got.exactlyOnce()).toBe(true);
      expect(got.errors()).toBe(N);
      expect(got.messages[0]).toMatch(why);
    }
  }, 180_000);

  it("the broker restarted mid-run: producer and consumers reconnect and the run completes with exactly N", async () => {
    const prefix = newPrefix();
    const N = 20_000;
    const m = model("expresion = x ** 2 + y * 3");
    consumer(prefix, ["--id", "A"]);
    consumer(prefix, ["--id", "B"]);
    const t = transport(prefix, { noWait: false });
    const got = new Collected(N);
    await t.start(m.definition, "reinicio", got.add);
    const stream = new ScenarioTaper(m.definition.variables, m.definition.seed);
    await sendRange(t, stream, N / 2, 250);
    await until(() => got.results > 0, "the first results");
    await broker.restart();
    await sendRange(t, stream, N / 2, 250);
    await t.drain();
    expect(got.exactlyOnce()).toBe(true);
    expect(got.errors()).toBe(0);
    const want = reference(m, N);
    for (let id = 1; id <= N; id++)
      if (got.values[id] !== want[id]) expect([id, got.values[id]]).toEqual([id, want[id]]);
  }, 240_000);
  it("runSimulation over RabbitMQ gives the embedded run's results for the same seed (the contract's example model)", async () => {
    const prefix = newPrefix();
    consumer(prefix, ["--id", "E1"]);
    consumer(prefix, ["--id", "E2"]);
    const common = {
      modelPath: join(ROOT, "modelos/ejemplo.ini"),
      scenarios: 20_000,
      seed: 11,
      batch: 500,
    };
    const embedded = await runSimulation({ ...common, simDir: join(work, "emb"), workers: 2 });
    const saved = process.env.SIM_QUEUE_PREFIX;
    process.env.SIM_QUEUE_PREFIX = prefix;
    let overBroker: Awaited<ReturnType<typeof runSimulation>>;
    try {
      overBroker = await runSimulation({
        ...common,
        simDir: join(work, "rmq"),
        brokerUrl: broker.url,
      });
    } finally {
      if (saved === undefined) delete process.env.SIM_QUEUE_PREFIX;
      else process.env.SIM_QUEUE_PREFIX = saved;
    }
    expect(overBroker.mode).toBe("rabbitmq");
    expect(overBroker.completed + overBroker.errors).toBe(20_000);
    expect([overBroker.completed, overBroker.errors]).toEqual([
      embedded.completed,
      embedded.errors,
    ]);
    expect(overBroker.outputs).toEqual(embedded.outputs);
  }, 180_000);
});
