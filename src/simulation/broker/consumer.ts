/**
 * A simulation consumer over RabbitMQ (`npm run simulate:consumer`; queues and messages in
 * `topology.ts`): it takes scenario batches from `escenarios` (manual ack, `prefetch` at a
 * time), evaluates them on a thread of its own with the batch's model (read from `modelo`
 * once and cached by id), publishes the results to `resultados` (persistent, confirmed) and
 * only then acks the batch. Its stats go to `stats_consumidores` every second. It survives
 * a broker restart (the connection comes back, the queues are declared again, consuming
 * starts again; a batch in hand when the connection was lost is redelivered by the broker).
 *
 * Refusals: a `codigo` model runs only with `allowCode` AND a valid signature (HMAC-SHA256
 * with `SIM_SECRET` over the model message's body). A refused model's batches are given back
 * to the queue (one attempt spent: another consumer may accept them) after a failure note
 * to `resultados` saying why; after SIM_MAX_ATTEMPTS they are dead-lettered and the
 * producer counts their scenarios as errors with that reason.
 */
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from "amqplib";
import { describeError } from "../../errors.js";
import type { ConsumerStats } from "../run/types.js";
import type { ModelDefinition } from "../types.js";
import {
  type BrokerConnection,
  type BrokerLog,
  connectBroker,
  publishConfirmed,
  silentBrokerLog,
} from "./connection.js";
import { EvaluationTimeout, Evaluator, MalformedBatch } from "./evaluator.js";
import {
  type BatchHeaders,
  batchHeaders,
  decodeModel,
  decodeTape,
  encodeResults,
  signatureMatches,
} from "./messages.js";
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_QUEUE_PREFIX,
  declareTopology,
  type QueueNames,
  queueNames,
} from "./topology.js";

export interface ConsumerOptions {
  /** `amqp://user:pass@host:port/vhost` */
  url: string;
  /** `SIM_QUEUE_PREFIX` */
  prefix?: string;
  /** Batches taken at a time (default 2): one evaluated, the others waiting. */
  prefetch?: number;
  /** This consumer's name in results and stats (default `host-pid`). */
  id?: string;
  /** Whether `codigo` models (signed) may run here. */
  allowCode?: boolean;
  /** `SIM_SECRET`: checks the signature of `codigo` models. */
  secret?: string;
  /** `SIM_MAX_ATTEMPTS`, for declaring `escenarios` (default 3). */
  maxAttempts?: number;
  log?: BrokerLog;
  /** How often stats are published (ms, default 1000). */
  statsIntervalMs?: number;
  /** How long to look for a batch's model in `modelo` before giving the batch back (ms). */
  modelWaitMs?: number;
}

export interface SimulationConsumer {
  readonly id: string;
  stats(): ConsumerStats;
  /** Stops taking batches, finishes the one in hand (results published, acked), disconnects. */
  stop(): Promise<void>;
}

type ModelEntry =
  | { state: "ready"; outputs: string[]; timeoutMs: number }
  | { state: "refused"; reason: string }
  | { state: "expired"; reason: string };

interface Session {
  channel: ConfirmChannel;
  consumerTag?: string;
  alive: boolean;
}

interface Delivery {
  session: Session;
  message: ConsumeMessage;
}

/** Starts a consumer; resolves once it is connected and consuming. */
/**
 * Batches held at once: one evaluated while the results of the others wait for their
 * confirms (a quorum queue's disk write); 2 held a consumer to a few hundred batches a second.
 */
export const DEFAULT_PREFETCH = 16;

export async function startConsumer(options: ConsumerOptions): Promise<SimulationConsumer> {
  const log = options.log ?? silentBrokerLog;
  const names: QueueNames = queueNames(options.prefix ?? DEFAULT_QUEUE_PREFIX);
  const prefetch = options.prefetch ?? DEFAULT_PREFETCH;
  const id = options.id ?? `${hostname()}-${process.pid}`;
  const allowCode = options.allowCode === true;
  const secret = options.secret || undefined;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const modelWaitMs = options.modelWaitMs ?? 15_000;
  const evaluator = new Evaluator();
  const models = new Map<string, ModelEntry>();
  const queue: Delivery[] = [];
  let session: Session | undefined;
  let current: ChannelModel | undefined;
  let stopping = false;
  let state = "connecting";
  let processed = 0;
  const samples: [number, number][] = [[Date.now(), 0]];
  let wake: (() => void) | undefined;
  let connection: BrokerConnection | undefined;

  const remember = (modelId: string, entry: ModelEntry) => {
    models.set(modelId, entry);
    while (models.size > 16) models.delete(models.keys().next().value as string);
  };

  const onMessage = (owner: Session, message: ConsumeMessage | null) => {
    if (message === null) {
      // Cancelled by the broker (the queue was deleted): consume again on a new channel.
      log.warn(`the broker cancelled consuming ${names.escenarios}: starting again`);
      owner.alive = false;
      void owner.channel.close().catch(() => undefined);
      return;
    }
    queue.push({ session: owner, message });
    wake?.();
  };

  const openSession = async (model: ChannelModel) => {
    current = model;
    await declareTopology(
      () => model.createChannel(),
      names,
      maxAttempts,
      (text) => log.warn(text),
    );
    const channel = await model.createConfirmChannel();
    const owner: Session = { channel, alive: true };
    channel.on("error", (error: Error) => log.debug(`channel: ${error.message}`));
    channel.on("close", () => {
      owner.alive = false;
      if (session === owner) session = undefined;
      // The channel closed but the connection lives (a channel error): open another.
      if (!stopping && connection?.connected)
        setTimeout(() => {
          if (!session && !stopping && current === model && connection?.connected)
            openSession(model).catch((error) =>
              log.warn(`cannot consume again: ${describeError(error)}`),
            );
        }, 500);
    });
    await channel.prefetch(prefetch);
    session = owner;
    if (!stopping) {
      const { consumerTag } = await channel.consume(
        names.escenarios,
        (message) => onMessage(owner, message),
        {
          noAck: false,
        },
      );
      owner.consumerTag = consumerTag;
    }
    state = "idle";
    log.info(`consumer ${id} consuming ${names.escenarios} (prefetch ${prefetch})`);
  };

  connection = await connectBroker({
    url: options.url,
    name: `simulate:consumer ${id}`,
    log,
    onConnect: openSession,
    onDisconnect: () => {
      state = "reconnecting";
      // Deliveries of the lost channel will be redelivered by the broker: forget them.
      queue.length = 0;
    },
  });

  /** Publishes a failure note for the producer (best effort). */
  const note = async (owner: Session, headers: BatchHeaders, message: string) => {
    try {
      await publishConfirmed(owner.channel, names.resultados, Buffer.alloc(0), {
        persistent: false,
        type: "fallo",
        headers: { ...headers, consumer: id, message },
      });
    } catch (error) {
      log.debug(`cannot publish a failure note: ${describeError(error)}`);
    }
  };

  /** The batch's model, read from `modelo` if not cached. */
  const modelFor = async (owner: Session, modelId: string): Promise<ModelEntry | undefined> => {
    const cached = models.get(modelId);
    if (cached) return cached;
    const deadline = Date.now() + modelWaitMs;
    let pause = 50;
    for (;;) {
      if (!owner.alive) return undefined;
      const message = await owner.channel.get(names.modelo, { noAck: false });
      if (message === false) {
        if (Date.now() > deadline || stopping) return undefined;
        await sleep(pause);
        pause = Math.min(pause * 2, 1000);
        continue;
      }
      owner.channel.nack(message, false, true);
      const decoded = decodeModel(message.content);
      if (typeof decoded === "string") {
        log.warn(`${names.modelo} holds a message that is not a model: ${decoded}`);
        return { state: "refused", reason: `${names.modelo} holds no valid model (${decoded})` };
      }
      if (decoded.model_id !== modelId) {
        const entry: ModelEntry = {
          state: "expired",
          reason: `model ${modelId} has expired: ${names.modelo} holds model ${decoded.model_id} (${decoded.definition.metadata.nombre}) now`,
        };
        remember(modelId, entry);
        return entry;
      }
      const entry = await checkModel(
        modelId,
        decoded.definition,
        message.content,
        message.properties.headers?.signature,
      );
      remember(modelId, entry);
      if (entry.state === "ready")
        log.info(
          `model ${modelId} (${decoded.definition.metadata.nombre} ${decoded.definition.metadata.version}) loaded: outputs ${entry.outputs.join(", ")}`,
        );
      else log.error(`model ${modelId} refused: ${entry.reason}`);
      return entry;
    }
  };

  const checkModel = async (
    modelId: string,
    definition: ModelDefinition,
    body: Buffer,
    signature: unknown,
  ): Promise<ModelEntry> => {
    const code = definition.function?.kind === "codigo";
    const signed = secret !== undefined && signatureMatches(body, signature, secret);
    if (code) {
      if (!allowCode)
        return {
          state: "refused",
          reason: `consumer ${id} refuses codigo models: it runs without --allow-code`,
        };
      if (secret === undefined)
        return {
          state: "refused",
          reason: `consumer ${id} refuses codigo models: SIM_SECRET is not set here, so the model's signature cannot be checked`,
        };
      if (signature === undefined)
        return {
          state: "refused",
          reason: `consumer ${id} refuses an unsigned codigo model (the producer needs SIM_SECRET)`,
        };
      if (!signed)
        return {
          state: "refused",
          reason: `consumer ${id} refuses a codigo model whose signature does not match its SIM_SECRET`,
        };
    } else if (signature !== undefined && secret !== undefined && !signed) {
      log.warn(
        `model ${modelId}: its signature does not match SIM_SECRET (an expresion model runs anyway: it cannot run code)`,
      );
    }
    const timeoutMs = Math.max(1, definition.consumerTimeoutS ?? 300) * 1000;
    try {
      const outputs = await evaluator.load(
        modelId,
        definition,
        code && allowCode && signed,
        timeoutMs,
      );
      return { state: "ready", outputs, timeoutMs };
    } catch (error) {
      return {
        state: "refused",
        reason: `model ${modelId} does not compile here: ${describeError(error)}`,
      };
    }
  };

  const process1 = async ({ session: owner, message }: Delivery) => {
    const headers = batchHeaders(message.properties.headers);
    const tape = headers
      ? decodeTape(message.content, headers)
      : "its headers lack model_id, run, first_id or count";
    // Malformed: no consumer could ever evaluate it, to fallidos now.
    const malformed = async (why: string) => {
      log.error(`a malformed batch: ${why}: dead-lettered to ${names.fallidos}`);
      if (headers) await note(owner, headers, `malformed batch: ${why}`);
      if (owner.alive) owner.channel.nack(message, false, false);
    };
    if (!headers || typeof tape === "string") {
      await malformed(tape as string);
      return;
    }
    const model = await modelFor(owner, headers.model_id);
    if (!owner.alive) return;
    if (model?.state !== "ready") {
      const reason = model?.reason ?? `model ${headers.model_id} not found in ${names.modelo}`;
      const final = model?.state === "expired";
      log.warn(
        `batch ${headers.first_id}…${headers.first_id + headers.count - 1}: ${reason}: ${final ? `dead-lettered to ${names.fallidos}` : "given back to the queue"}`,
      );
      await note(owner, headers, reason);
      if (!owner.alive) return;
      if (model?.state === "refused") state = "refusing";
      // Expired: no consumer can evaluate it, to fallidos now. Else give it back (an attempt).
      owner.channel.nack(message, false, !final);
      if (!final) await sleep(200);
      return;
    }
    state = "working";
    let evaluated: Awaited<ReturnType<Evaluator["evaluate"]>>;
    try {
      evaluated = await evaluator.evaluate(headers.model_id, tape, model.timeoutMs);
    } catch (error) {
      if (error instanceof MalformedBatch) {
        await malformed(error.message);
        return;
      }
      const reason =
        error instanceof EvaluationTimeout
          ? `the batch's evaluation took over timeout_consumidor (${model.timeoutMs / 1000} s) on consumer ${id}`
          : `consumer ${id} could not evaluate the batch: ${describeError(error)}`;
      log.error(`batch ${headers.first_id}…${headers.first_id + headers.count - 1}: ${reason}`);
      await note(owner, headers, reason);
      if (owner.alive) owner.channel.nack(message, false, true);
      return;
    }
    if (!owner.alive) return;
    const { body, errorsBytes } = encodeResults(model.outputs, evaluated.columns, evaluated.errors);
    // The batch is acked once its results are confirmed, but the next batch is evaluated
    // meanwhile: waiting for each confirm (a quorum queue's disk write) before the next batch
    // held a consumer to a few hundred batches a second.
    const confirmed = publishConfirmed(owner.channel, names.resultados, body, {
      persistent: true,
      type: "resultados",
      contentType: "application/octet-stream",
      headers: {
        model_id: headers.model_id,
        run: headers.run,
        first_id: headers.first_id,
        count: headers.count,
        consumer: id,
        outputs: model.outputs,
        errors_bytes: errorsBytes,
      },
    }).then(
      () => {
        if (!owner.alive) return;
        owner.channel.ack(message);
        processed += headers.count;
      },
      (error: unknown) => {
        log.warn(
          `results of batch ${headers.first_id} not confirmed (${describeError(error)}): the broker will deliver the batch again`,
        );
      },
    );
    confirming.add(confirmed);
    void confirmed.finally(() => confirming.delete(confirmed));
  };

  /** Results published and not confirmed yet (their batches are acked on confirmation). */
  const confirming = new Set<Promise<void>>();

  const loop = (async () => {
    while (!stopping || queue.length > 0) {
      const delivery = queue.shift();
      if (!delivery) {
        if (state === "working") state = "idle";
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      if (stopping) {
        // Taken but not started: back to the queue for another consumer.
        if (delivery.session.alive) delivery.session.channel.nack(delivery.message, false, true);
        continue;
      }
      try {
        await process1(delivery);
      } catch (error) {
        log.warn(`batch not processed (${describeError(error)}): the broker will deliver it again`);
      }
    }
  })();

  const rate = () => {
    const now = Date.now();
    samples.push([now, processed]);
    while (samples.length > 2 && (samples[0] as [number, number])[0] < now - 5000) samples.shift();
    const [t0, p0] = samples[0] as [number, number];
    return now > t0 ? ((processed - p0) * 1000) / (now - t0) : 0;
  };
  let lastRate = 0;
  const stats = (): ConsumerStats => ({
    id,
    host: hostname(),
    pid: process.pid,
    processed,
    rate: Math.round(lastRate),
    state,
    last_seen: new Date().toISOString(),
  });
  const publishStats = () => {
    lastRate = rate();
    const owner = session;
    if (!owner?.alive) return;
    try {
      owner.channel.sendToQueue(names.stats_consumidores, Buffer.from(JSON.stringify(stats())), {
        persistent: false,
        type: "stats",
        contentType: "application/json",
      });
    } catch (error) {
      log.debug(`cannot publish stats: ${describeError(error)}`);
    }
  };
  const timer = setInterval(publishStats, options.statsIntervalMs ?? 1000);
  publishStats();

  let stopped: Promise<void> | undefined;
  return {
    id,
    stats,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        state = "stopping";
        const owner = session;
        if (owner?.alive && owner.consumerTag)
          await owner.channel.cancel(owner.consumerTag).catch(() => undefined);
        wake?.();
        await loop;
        await Promise.all(confirming);
        clearInterval(timer);
        state = "stopped";
        publishStats();
        await sleep(50);
        await evaluator.close();
        await connection?.close().catch(() => undefined);
        log.info(`consumer ${id} stopped: ${processed} scenarios processed`);
      })();
      return stopped;
    },
  };
}
