/**
 * The RabbitMQ topology of a Monte Carlo run (contract `simulation.md`, "Over RabbitMQ") and
 * the formats of its messages. Every queue is named `SIM_QUEUE_PREFIX` (default
 * `montecarlo.`) + its Spanish name, lives on the default exchange, and is declared by the
 * producer and by every consumer (whoever comes first), with the same arguments.
 *
 * ## Queues and policies
 *
 * | queue                | type    | arguments                                                        |
 * |----------------------|---------|------------------------------------------------------------------|
 * | `modelo`             | classic | durable, `x-max-length: 1`, `x-overflow: drop-head`              |
 * | `escenarios`         | quorum  | `x-delivery-limit: SIM_MAX_ATTEMPTS − 1`, dead-letter → fallidos (at-least-once) |
 * | `resultados`         | quorum  | durable (persistent messages)                                    |
 * | `fallidos`           | quorum  | durable: the dead letters of `escenarios`                        |
 * | `stats_productor`    | classic | `x-message-ttl: 10000`, `x-max-length: 100`, drop-head           |
 * | `stats_consumidores` | classic | `x-message-ttl: 10000`, `x-max-length: 1000`, drop-head          |
 *
 * - `modelo` holds only the newest model: publishing a model drops the one before it
 *   (`drop-head`). A consumer reads it with `basic.get` and gives it straight back
 *   (`basic.nack`, requeue) — it never consumes it — and caches the compiled model by id. A
 *   batch naming an id the consumer lacks makes it read `modelo` again: if `modelo` holds
 *   another id, the batch's model has expired (a newer run replaced it). A model requeued
 *   after a newer one was published is dropped by the same `drop-head` rule (the broker
 *   enforces the limit on requeue too), so a stale model never comes back. `modelo` may be
 *   empty for a moment while another consumer holds it: the reader retries for a while.
 * - `escenarios` is a quorum queue: FIFO, replicated on disk before a publish is confirmed,
 *   and it counts deliveries itself (`x-delivery-count`), so a batch whose consumer died
 *   (SIGKILL, a lost connection) is counted as a failed attempt too. After SIM_MAX_ATTEMPTS
 *   deliveries it is dead-lettered to `fallidos` (reason `delivery_limit`), at least once
 *   (`x-dead-letter-strategy: at-least-once`, which needs `x-overflow: reject-publish`; no
 *   length limit is set, so nothing is ever rejected). A consumer acks a batch only after
 *   its results are confirmed in `resultados`.
 * - A consumer gives a batch back (`nack`, requeue: one attempt spent) when it cannot
 *   evaluate it but another consumer might: the model refused here (unsigned `codigo`, no
 *   `--allow-code`, a bad signature), not found, or the batch over `timeout_consumidor`.
 *   It sends a batch straight to `fallidos` (`nack`, no requeue) when no consumer could
 *   ever evaluate it: a malformed message, or a model that has expired. Either way it first
 *   publishes a failure note to `resultados` (below), so the producer can say why.
 * - The producer deduplicates results by `escenario_id` (a batch delivered twice yields
 *   results twice), and turns each batch in `fallidos` into one error per scenario.
 *   Messages of another run (another `run` id) in `resultados` and `fallidos` are left
 *   over from a run whose model has expired: the producer drops them.
 * - Stats messages are transient and expire after 10 s: the queues only ever hold the last
 *   few seconds. The producer consumes `stats_consumidores` for its consumer table.
 * - If a queue already exists with other arguments (another SIM_MAX_ATTEMPTS), the existing
 *   queue is used as it is and a warning is logged: delete the queue to change them.
 *
 * ## Messages (AMQP properties + body)
 *
 * Numbers travel as raw little-endian IEEE 754 doubles (a `Float64Array`'s bytes);
 * everything else is JSON. Ids and counts are in the AMQP `headers` table.
 *
 * - `modelo`: `content-type: application/json`, persistent, `type: "modelo"`, header
 *   `signature` = hex HMAC-SHA256 of the body's exact bytes with `SIM_SECRET` (present
 *   whenever the producer has a secret; required by consumers for `codigo`). Body:
 *   `{"model_id", "run", "published_at", "definition": ModelDefinition}`.
 * - `escenarios`: `content-type: application/octet-stream`, persistent, `type: "lote"`,
 *   headers `{model_id, run, first_id, count, format: "tape/1"}` (another format, or
 *   none — a producer of the version before tapes — is a malformed batch);
 *   body the batch's tape (`random/tape.ts`): for each scenario, each variable's
 *   first-stage draw (a few doubles), from which the consumer computes the values. A tape
 *   whose size does not fit `count` scenarios of the model's variables is malformed.
 * - `resultados`, `type: "resultados"`: persistent, headers `{model_id, run, first_id,
 *   count, consumer, outputs: [names…], errors_bytes}`; body = for each output in order,
 *   `count` doubles (NaN where the scenario failed), then `errors_bytes` bytes of UTF-8
 *   JSON `[{escenario_id, message}, …]` (the first 100 failed scenarios; NaN counts them all).
 * - `resultados`, `type: "fallo"`: a failure note, transient, headers `{model_id, run,
 *   first_id, count, consumer, message}`, empty body: why a consumer gave the batch back.
 * - `fallidos`: the batch as it was published to `escenarios`, with the broker's `x-death`
 *   / `x-first-death-reason` headers.
 * - `stats_productor`: JSON `ProducerStats` + `{run, model_id}`, `type: "stats"`.
 * - `stats_consumidores`: JSON `ConsumerStats`, `type: "stats"`.
 */
import type { Channel, ConfirmChannel, Options } from "amqplib";

export const DEFAULT_QUEUE_PREFIX = "montecarlo.";
export const DEFAULT_MAX_ATTEMPTS = 3;
/** How long stats messages live in their queues (ms). */
export const STATS_TTL_MS = 10_000;

export interface QueueNames {
  modelo: string;
  escenarios: string;
  resultados: string;
  stats_productor: string;
  stats_consumidores: string;
  fallidos: string;
}

/** The queues' names with this prefix (`SIM_QUEUE_PREFIX`). */
export function queueNames(prefix: string = DEFAULT_QUEUE_PREFIX): QueueNames {
  return {
    modelo: `${prefix}modelo`,
    escenarios: `${prefix}escenarios`,
    resultados: `${prefix}resultados`,
    stats_productor: `${prefix}stats_productor`,
    stats_consumidores: `${prefix}stats_consumidores`,
    fallidos: `${prefix}fallidos`,
  };
}

/** Each queue's declaration (see the table above). `maxAttempts` ≥ 1. */
export function queueOptions(
  names: QueueNames,
  maxAttempts: number = DEFAULT_MAX_ATTEMPTS,
): Record<keyof QueueNames, Options.AssertQueue> {
  const quorum = { "x-queue-type": "quorum" };
  return {
    modelo: {
      durable: true,
      arguments: { "x-max-length": 1, "x-overflow": "drop-head" },
    },
    escenarios: {
      durable: true,
      arguments: {
        ...quorum,
        "x-delivery-limit": Math.max(0, maxAttempts - 1),
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": names.fallidos,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
      },
    },
    resultados: { durable: true, arguments: quorum },
    fallidos: { durable: true, arguments: quorum },
    stats_productor: {
      durable: true,
      arguments: { "x-message-ttl": STATS_TTL_MS, "x-max-length": 100, "x-overflow": "drop-head" },
    },
    stats_consumidores: {
      durable: true,
      arguments: {
        "x-message-ttl": STATS_TTL_MS,
        "x-max-length": 1000,
        "x-overflow": "drop-head",
      },
    },
  };
}

type Warn = (message: string) => void;

/**
 * Declares every queue (the dead-letter target first). A queue that already exists with
 * other arguments (a channel error 406) is used as it is, with a warning; as such an error
 * closes the channel, declarations go on a channel of their own, opened by `open`.
 */
export async function declareTopology(
  open: () => Promise<Channel | ConfirmChannel>,
  names: QueueNames,
  maxAttempts: number,
  warn: Warn,
): Promise<void> {
  const options = queueOptions(names, maxAttempts);
  const order: (keyof QueueNames)[] = [
    "fallidos",
    "modelo",
    "escenarios",
    "resultados",
    "stats_productor",
    "stats_consumidores",
  ];
  let channel = await open();
  channel.on("error", () => undefined);
  try {
    for (const key of order) {
      const name = names[key];
      try {
        await channel.assertQueue(name, options[key]);
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code !== 406) throw error;
        channel = await open();
        channel.on("error", () => undefined);
        await channel.checkQueue(name);
        warn(
          `queue ${name} exists with other arguments than these (${JSON.stringify(options[key].arguments)}): using it as it is (delete it to change them)`,
        );
      }
    }
  } finally {
    await channel.close().catch(() => undefined);
  }
}
