/**
 * The producer's side of a run over RabbitMQ (`simulate --broker URL`), as a `Transport`
 * (queues and messages in `topology.ts`):
 *
 * - `start` declares the queues and publishes the model to `modelo` (signed with
 *   `SIM_SECRET` when there is one; a `codigo` model needs one), confirmed.
 * - `send` publishes a scenario batch to `escenarios` (persistent, publisher confirms). It
 *   resolves when there is room: fewer than `window` batches unconfirmed and fewer than
 *   `ahead` batches without their results. Only unconfirmed batches are kept in memory (to
 *   publish them again after a lost connection); a confirmed batch is the broker's.
 * - Results are consumed from `resultados` and kept once per `escenario_id` (a bitmap of
 *   the ids sent): a batch delivered twice (its consumer died after publishing its
 *   results, or a broker restart lost an ack) gives its results once. A batch dead-lettered
 *   to `fallidos` gives one error per scenario not already there, with the reason its
 *   consumers gave (their failure notes).
 * - It survives a broker restart: the connection comes back (amqplib's recovery), the
 *   queues are declared again, unconfirmed batches are published again, consuming starts
 *   again, and `drain` goes on waiting until every scenario sent has a result or an error.
 * - Consumers' stats are read from `stats_consumidores` (`stats().consumers`); the
 *   producer's own go to `stats_productor` every second.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from "amqplib";
import { AppError, describeError, UsageError } from "../../errors.js";
import { compileModel, SINGLE_OUTPUT } from "../model/index.js";
import { MAX_BATCH_ERRORS } from "../run/evaluate.js";
import type {
  ConsumerStats,
  ProducerStats,
  ResultBatch,
  ScenarioBatch,
  SimulationMode,
  Transport,
} from "../run/types.js";
import type { ModelDefinition } from "../types.js";
import {
  type BrokerConnection,
  type BrokerLog,
  connectBroker,
  publishConfirmed,
  redactUrl,
  silentBrokerLog,
} from "./connection.js";
import {
  batchHeaders,
  decodeResults,
  encodeModel,
  encodeTape,
  type Headers,
  TAPE_FORMAT,
} from "./messages.js";
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_QUEUE_PREFIX,
  declareTopology,
  type QueueNames,
  queueNames,
} from "./topology.js";

export interface RabbitTransportOptions {
  /** `amqp://user:pass@host:port/vhost` (`--broker`, `AMQP_URL`). */
  url: string;
  /** The run's id, on every message (default a new UUID): other runs' messages are dropped. */
  runId?: string;
  /** `--no-wait`: `start` does not wait for a consumer on `escenarios`. */
  noWait?: boolean;
  /** Accepted for `runSimulation`'s call; the model was checked by the caller already. */
  allowCode?: boolean;
  /** `SIM_QUEUE_PREFIX` (default: the environment's, else `montecarlo.`). */
  prefix?: string;
  /** Scenarios per batch (`--batch`): sizes how many results are taken at a time. */
  batch?: number;
  /** Batches published and not yet confirmed by the broker, at most (default 32). */
  window?: number;
  /** Batches published whose results have not all come back, at most (default 128). */
  ahead?: number;
  /** `SIM_SECRET` (default: the environment's): signs the model (required for `codigo`). */
  secret?: string;
  /** `SIM_MAX_ATTEMPTS` (default: the environment's, else 3): deliveries of a batch before it goes to `fallidos`. */
  maxAttempts?: number;
  log?: BrokerLog;
  /** Aborting it makes `send` and `drain` reject with its reason. */
  signal?: AbortSignal;
  /** How often the producer's stats are published (ms, default 1000). */
  statsIntervalMs?: number;
}

export interface RabbitTransport extends Transport {
  /** This run's id on the wire (`run` header): messages of other runs are dropped. */
  readonly runId: string;
  /** The model's id on the wire: `modelId@runId` (`modelId` when it holds the run id already). */
  readonly wireModelId: string | undefined;
  /** Results and dead letters of other runs dropped so far. */
  readonly foreign: number;
  /** Scenario results received again (a batch delivered twice) and dropped so far. */
  readonly duplicates: number;
}

/** A growable bitmap of scenario ids 1…N. */
class IdBitmap {
  private words = new Uint32Array(1024);
  ensure(maxId: number): void {
    const needed = (maxId >>> 5) + 1;
    if (needed <= this.words.length) return;
    let size = this.words.length;
    while (size < needed) size *= 2;
    const grown = new Uint32Array(size);
    grown.set(this.words);
    this.words = grown;
  }
  has(id: number): boolean {
    return ((this.words[id >>> 5] as number) & (1 << (id & 31))) !== 0;
  }
  set(id: number): void {
    this.words[id >>> 5] = (this.words[id >>> 5] as number) | (1 << (id & 31));
  }
}

interface Unconfirmed {
  firstId: number;
  count: number;
  body: Buffer;
  headers: Record<string, unknown>;
  /** The session it was last published on. */
  on?: Session;
}

interface Session {
  pub: ConfirmChannel;
  sub: Channel;
  alive: boolean;
}

/** The outputs a model has: `resultado` for an expression, else its test scenario's keys. */
function outputsOf(definition: ModelDefinition): string[] {
  if (definition.function.kind === "expresion") return [SINGLE_OUTPUT];
  try {
    return compileModel(definition, { allowCode: true }).outputs;
  } catch {
    return [SINGLE_OUTPUT];
  }
}

/** A `Transport` over RabbitMQ (see the top of this file). */
export function createRabbitTransport(options: RabbitTransportOptions): RabbitTransport {
  const log = options.log ?? silentBrokerLog;
  const env = process.env;
  const prefix = options.prefix ?? (env.SIM_QUEUE_PREFIX || DEFAULT_QUEUE_PREFIX);
  const names: QueueNames = queueNames(prefix);
  /**
   * One producer per prefix: producers share `resultados` and `fallidos`, so a second run
   * would take the first one's results. Holding this exclusive queue (dropped by the broker
   * with the connection, so a crashed producer frees it) is the producer's claim.
   */
  const claim = `${prefix}productor`;
  /** Set when another producer holds the claim. */
  let busy: string | undefined;
  const window = Math.max(1, options.window ?? 32);
  const ahead = Math.max(1, options.ahead ?? 128);
  const envAttempts = Number(env.SIM_MAX_ATTEMPTS);
  const maxAttempts =
    options.maxAttempts ??
    (Number.isInteger(envAttempts) && envAttempts >= 1 ? envAttempts : DEFAULT_MAX_ATTEMPTS);
  const secret = (options.secret ?? env.SIM_SECRET) || undefined;
  const signal = options.signal;
  const runId = options.runId ?? randomUUID();
  const seen = new IdBitmap();
  /** Batches sent whose results have not all come: first id → scenarios still missing. */
  const outstanding = new Map<number, number>();
  const unconfirmed = new Map<number, Unconfirmed>();
  /** Why a batch was given back, by its first id (failure notes). */
  const notes = new Map<number, string>();
  const consumers = new Map<string, ConsumerStats & { seenAt: number }>();
  let waiters: { check: () => boolean; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let connection: BrokerConnection | undefined;
  let session: Session | undefined;
  let current: ChannelModel | undefined;
  let onResults: ((results: ResultBatch) => void) | undefined;
  let outputNames: string[] = [SINGLE_OUTPUT];
  let wireModelId: string | undefined;
  let seq = 0;
  let generated = 0;
  let published = 0;
  let foreign = 0;
  let duplicates = 0;
  let state = "starting";
  let closed = false;
  let failure: unknown;
  let timer: NodeJS.Timeout | undefined;
  const samples: [number, number][] = [[Date.now(), 0]];
  let lastRate = 0;

  const settle = () => {
    const keep: typeof waiters = [];
    for (const waiter of waiters) {
      if (failure !== undefined) waiter.reject(failure);
      else if (waiter.check()) waiter.resolve();
      else keep.push(waiter);
    }
    waiters = keep;
  };
  const until = (check: () => boolean): Promise<void> => {
    if (failure !== undefined) return Promise.reject(failure);
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => waiters.push({ check, resolve, reject }));
  };
  const fail = (error: unknown) => {
    if (failure === undefined) failure = error;
    settle();
  };
  signal?.addEventListener("abort", () => fail(signal.reason), { once: true });

  const publishBatch = (entry: Unconfirmed, key: number) => {
    const owner = session;
    if (!owner?.alive) return; // published again when the connection is back
    entry.on = owner;
    try {
      owner.pub.sendToQueue(
        names.escenarios,
        entry.body,
        {
          persistent: true,
          type: "lote",
          contentType: "application/octet-stream",
          headers: entry.headers,
        },
        (error) => {
          if (!unconfirmed.has(key)) return;
          if (error) {
            // Nacked by a live broker: publish it again; a lost channel: the reconnection does.
            if (entry.on === owner && owner.alive) setTimeout(() => publishBatch(entry, key), 200);
            return;
          }
          unconfirmed.delete(key);
          published += entry.count;
          settle();
        },
      );
    } catch (error) {
      log.debug(`publish failed (${describeError(error)}): it will be published again`);
    }
  };

  /** Results (or errors) for `[firstId, firstId+count)`: those not seen yet go to `onResults`. */
  const deliver = (
    firstId: number,
    count: number,
    outputs: Record<string, Float64Array>,
    errors: { escenario_id: number; message: string }[],
    consumer: string,
  ) => {
    const remaining = outstanding.get(firstId);
    if (remaining === undefined) {
      duplicates += count; // a batch complete already
      return;
    }
    let fresh = 0;
    let runStart = -1;
    const emit = (from: number, to: number) => {
      // scenarios from…to-1 of the batch (indexes), none seen before
      const whole = from === 0 && to === count;
      const sub: Record<string, Float64Array> = {};
      for (const [name, column] of Object.entries(outputs))
        sub[name] = whole ? column : column.subarray(from, to);
      const lo = firstId + from;
      const hi = firstId + to;
      onResults?.({
        firstId: lo,
        count: to - from,
        outputs: sub,
        errors: whole
          ? errors
          : errors.filter((error) => error.escenario_id >= lo && error.escenario_id < hi),
        consumer,
      });
    };
    for (let i = 0; i < count; i++) {
      const id = firstId + i;
      if (!seen.has(id)) {
        seen.set(id);
        fresh++;
        if (runStart < 0) runStart = i;
      } else {
        duplicates++;
        if (runStart >= 0) {
          emit(runStart, i);
          runStart = -1;
        }
      }
    }
    if (runStart >= 0) emit(runStart, count);
    if (remaining - fresh <= 0) {
      outstanding.delete(firstId);
      notes.delete(firstId);
    } else outstanding.set(firstId, remaining - fresh);
    settle();
  };

  /** Every scenario of a batch as an error with `message`. */
  const deliverErrors = (firstId: number, count: number, message: string, consumer: string) => {
    const outputs: Record<string, Float64Array> = {};
    for (const name of outputNames) outputs[name] = new Float64Array(count).fill(Number.NaN);
    // Every scenario is NaN (an error); the messages of the first ones are enough.
    const errors = Array.from({ length: Math.min(count, MAX_BATCH_ERRORS) }, (_, i) => ({
      escenario_id: firstId + i,
      message,
    }));
    deliver(firstId, count, outputs, errors, consumer);
  };

  const ours = (headers: Headers) => {
    const ids = batchHeaders(headers);
    return ids && ids.run === runId && outstanding.has(ids.first_id) ? ids : undefined;
  };

  const onResult = (sub: Channel, message: ConsumeMessage) => {
    const ids = ours(message.properties.headers);
    if (!ids) {
      const other = batchHeaders(message.properties.headers);
      if (other?.run !== runId) foreign++;
      else if (message.properties.type === "resultados") duplicates += other.count;
      sub.ack(message);
      return;
    }
    const headers = message.properties.headers ?? {};
    const consumer = typeof headers.consumer === "string" ? headers.consumer : "?";
    if (message.properties.type === "fallo") {
      if (typeof headers.message === "string") notes.set(ids.first_id, headers.message);
      sub.ack(message);
      return;
    }
    const decoded = decodeResults(message.content, headers, ids.count);
    if (typeof decoded === "string") {
      log.error(`malformed results of batch ${ids.first_id} from ${consumer}: ${decoded}`);
      deliverErrors(
        ids.first_id,
        ids.count,
        `the results from consumer ${consumer} were malformed: ${decoded}`,
        consumer,
      );
    } else {
      if (Object.keys(decoded.outputs).length > 0) outputNames = Object.keys(decoded.outputs);
      deliver(ids.first_id, ids.count, decoded.outputs, decoded.errors, consumer);
    }
    sub.ack(message);
  };

  const onDeadLetter = (sub: Channel, message: ConsumeMessage) => {
    const ids = ours(message.properties.headers);
    if (!ids) {
      if (batchHeaders(message.properties.headers)?.run !== runId) foreign++;
      sub.ack(message);
      return;
    }
    const headers = message.properties.headers ?? {};
    const reason = String(headers["x-first-death-reason"] ?? "rejected");
    const note = notes.get(ids.first_id);
    const text =
      reason === "delivery_limit"
        ? `the batch failed ${maxAttempts} times and was dead-lettered to ${names.fallidos}: ${note ?? "its consumers stopped or lost the broker before finishing it"}`
        : `the batch was dead-lettered to ${names.fallidos} (${reason}): ${note ?? "a consumer rejected it"}`;
    log.warn(`batch ${ids.first_id}…${ids.first_id + ids.count - 1}: ${text}`);
    deliverErrors(ids.first_id, ids.count, text, "");
    sub.ack(message);
  };

  const onConsumerStats = (sub: Channel, message: ConsumeMessage) => {
    sub.ack(message);
    try {
      const stats = JSON.parse(message.content.toString("utf8")) as ConsumerStats;
      if (typeof stats.id === "string") consumers.set(stats.id, { ...stats, seenAt: Date.now() });
    } catch {
      // not a stats message: ignored
    }
  };

  const openSession = async (model: ChannelModel) => {
    current = model;
    const claiming = await model.createChannel();
    claiming.on("error", () => undefined);
    try {
      await claiming.assertQueue(claim, { exclusive: true, durable: false });
      await claiming.close();
    } catch (error) {
      if ((error as { code?: number }).code !== 405) throw error;
      busy = `another simulation is running on this broker with the queue prefix "${prefix}" (its producer holds ${claim}): wait for it to end, or give this run another SIM_QUEUE_PREFIX (its consumers too)`;
      if (state === "reconnecting") log.error(`after reconnecting: ${busy}`);
      else return; // start() says so and closes
    }
    await declareTopology(
      () => model.createChannel(),
      names,
      maxAttempts,
      (text) => log.warn(text),
    );
    const pub = await model.createConfirmChannel();
    const sub = await model.createChannel();
    const owner: Session = { pub, sub, alive: true };
    const lost = () => {
      if (!owner.alive) return;
      owner.alive = false;
      if (session === owner) session = undefined;
      void pub.close().catch(() => undefined);
      void sub.close().catch(() => undefined);
      // A channel error with the connection up: open both channels again.
      setTimeout(() => {
        if (!closed && !session && current === model && connection?.connected)
          openSession(model).catch((error) =>
            log.warn(`cannot open the channels again: ${describeError(error)}`),
          );
      }, 500);
    };
    for (const channel of [pub, sub]) {
      channel.on("error", (error: Error) => log.debug(`channel: ${error.message}`));
      channel.on("close", lost);
    }
    await sub.prefetch(Math.max(64, 2 * ahead));
    const consume = (queue: string, handler: (sub: Channel, message: ConsumeMessage) => void) =>
      sub.consume(queue, (message) => {
        if (message === null) lost();
        else handler(sub, message);
      });
    await consume(names.resultados, onResult);
    await consume(names.fallidos, onDeadLetter);
    await consume(names.stats_consumidores, onConsumerStats);
    session = owner;
    // Publish again what the broker had not confirmed (duplicates are deduplicated).
    for (const [key, entry] of unconfirmed) publishBatch(entry, key);
    if (state === "reconnecting")
      state = outstanding.size > 0 || unconfirmed.size > 0 ? "publishing" : "waiting";
    settle();
  };

  const producerStats = (): ProducerStats => ({
    generated,
    published,
    rate: Math.round(lastRate),
    state,
    time: new Date().toISOString(),
  });

  const tick = () => {
    const now = Date.now();
    samples.push([now, published]);
    while (samples.length > 2 && (samples[0] as [number, number])[0] < now - 5000) samples.shift();
    const [t0, p0] = samples[0] as [number, number];
    lastRate = now > t0 ? ((published - p0) * 1000) / (now - t0) : 0;
    const owner = session;
    if (!owner?.alive) return;
    try {
      owner.pub.sendToQueue(
        names.stats_productor,
        Buffer.from(JSON.stringify({ ...producerStats(), run: runId, model_id: wireModelId })),
        { persistent: false, type: "stats", contentType: "application/json" },
      );
    } catch {
      // the next tick will do
    }
  };

  return {
    mode: "rabbitmq" as SimulationMode,
    runId,
    get wireModelId() {
      return wireModelId;
    },
    get foreign() {
      return foreign;
    },
    get duplicates() {
      return duplicates;
    },

    async start(
      model: ModelDefinition,
      modelId: string,
      results: (r: ResultBatch) => void,
      outputs?: readonly string[],
    ) {
      if (model.function.kind === "codigo" && !secret)
        throw new UsageError(
          "a codigo model runs on RabbitMQ consumers only when its message is signed: set SIM_SECRET (the same secret on the producer and the consumers)",
        );
      onResults = results;
      // Given by the run's check (a codigo model then never runs in the producer).
      outputNames = outputs ? [...outputs] : outputsOf(model);
      wireModelId = modelId.includes(runId) ? modelId : `${modelId}@${runId}`;
      connection = await connectBroker({
        url: options.url,
        name: `simulate ${runId}`,
        log,
        onConnect: openSession,
        onDisconnect: () => {
          state = "reconnecting";
        },
      });
      if (busy !== undefined) {
        const message = busy;
        await connection.close().catch(() => undefined);
        throw new AppError(message, "broker_busy", 1);
      }
      timer = setInterval(tick, options.statsIntervalMs ?? 1000);
      const { body, headers } = encodeModel(
        {
          model_id: wireModelId,
          run: runId,
          published_at: new Date().toISOString(),
          definition: model,
        },
        secret,
      );
      for (;;) {
        await until(() => session?.alive === true);
        const owner = session as Session;
        try {
          await publishConfirmed(owner.pub, names.modelo, body, {
            persistent: true,
            type: "modelo",
            contentType: "application/json",
            headers,
          });
          break;
        } catch (error) {
          log.warn(`the model was not confirmed (${describeError(error)}): publishing it again`);
          await sleep(200);
        }
      }
      log.info(
        `model ${wireModelId} published to ${names.modelo} on ${redactUrl(options.url)}${secret ? " (signed)" : ""}`,
      );
      if (!options.noWait) {
        // The evaluators are ready when at least one consumer listens on escenarios.
        state = "waiting for consumers";
        let said = false;
        for (;;) {
          await until(() => session?.alive === true);
          const owner = session as Session;
          const found = await owner.sub.checkQueue(names.escenarios).catch(() => undefined);
          if (found && found.consumerCount > 0) break;
          if (!said)
            log.info(`waiting for a consumer on ${names.escenarios} (npm run simulate:consumer)`);
          said = true;
          await sleep(500);
          if (failure !== undefined) throw failure;
        }
      }
      state = "publishing";
    },

    async send(batch: ScenarioBatch) {
      if (closed) throw new Error("the transport is closed");
      await until(() => unconfirmed.size < window && outstanding.size < ahead);
      const { firstId, count } = batch;
      seen.ensure(firstId + count);
      outstanding.set(firstId, count);
      generated += count;
      const key = ++seq;
      const entry: Unconfirmed = {
        firstId,
        count,
        body: encodeTape(batch), // a copy: the tape can be reused
        headers: {
          model_id: wireModelId,
          run: runId,
          first_id: firstId,
          count,
          format: TAPE_FORMAT,
        },
      };
      unconfirmed.set(key, entry);
      batch.release?.();
      publishBatch(entry, key);
    },

    async drain() {
      state = "waiting";
      await until(() => outstanding.size === 0 && unconfirmed.size === 0);
      state = "done";
    },

    stats() {
      const now = Date.now();
      return {
        producer: producerStats(),
        consumers: [...consumers.values()]
          .sort((a, b) => a.id.localeCompare(b.id))
          .map(({ seenAt, ...stats }) => ({
            ...stats,
            state: now - seenAt > 10_000 && stats.state !== "stopped" ? "silent" : stats.state,
          })),
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      if (state !== "done") state = "closed";
      if (timer) clearInterval(timer);
      fail(new Error("the transport is closed"));
      await connection?.close().catch(() => undefined);
    },
  };
}
