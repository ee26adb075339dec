import { hostname } from "node:os";
import { defineCommand, untilAborted } from "../cli/command.js";
import { JSON_OPTION } from "../cli/options.js";
import type { OptionSpecs } from "../config.js";
import { AppError, describeError, UsageError } from "../errors.js";
import { redactUrl } from "./broker/connection.js";
import { DEFAULT_PREFETCH, startConsumer } from "./broker/consumer.js";
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE_PREFIX, queueNames } from "./broker/topology.js";
import type { ConsumerStats } from "./run/types.js";

/** The options of `npm run simulate:consumer`: flags, environment variables, defaults. */
export const CONSUMER_OPTIONS = {
  broker: {
    type: "string",
    flag: "broker",
    env: "AMQP_URL",
    arg: "URL",
    secret: true,
    help: "The RabbitMQ broker (amqp://user:pass@host:port/vhost); required",
  },
  prefetch: {
    type: "number",
    flag: "prefetch",
    env: "SIM_PREFETCH",
    default: DEFAULT_PREFETCH,
    min: 1,
    max: 1000,
    integer: true,
    arg: "K",
    help: "Batches taken from the queue at a time (one evaluated while the others' results are confirmed or they wait)",
  },
  id: {
    type: "string",
    flag: "id",
    env: "SIM_CONSUMER_ID",
    arg: "NAME",
    help: "This consumer's name in the results and the dashboard (default: host-pid)",
  },
  allowCode: {
    type: "boolean",
    flag: "allow-code",
    help: "Run codigo models (JavaScript) — only those signed with SIM_SECRET",
  },
  secret: {
    type: "string",
    env: "SIM_SECRET",
    secret: true,
    help: "The secret shared with the producer: codigo models must be signed with it (HMAC-SHA256)",
  },
  prefix: {
    type: "string",
    env: "SIM_QUEUE_PREFIX",
    default: DEFAULT_QUEUE_PREFIX,
    help: "Prefix of the queue names (modelo, escenarios, resultados, …)",
  },
  maxAttempts: {
    type: "number",
    env: "SIM_MAX_ATTEMPTS",
    default: DEFAULT_MAX_ATTEMPTS,
    min: 1,
    max: 100,
    integer: true,
    help: "Deliveries of a batch before it is dead-lettered to fallidos",
  },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

export interface ConsumerResult {
  stats: ConsumerStats;
}

/**
 * `npm run simulate:consumer`: evaluates scenario batches from RabbitMQ until
 * SIGTERM/SIGINT, then finishes the batch in hand and exits 0.
 */
export const consumerCommand = defineCommand({
  name: "simulate:consumer",
  summary:
    "A Monte Carlo consumer: takes scenario batches from the RabbitMQ queue\n" +
    `"${queueNames().escenarios}" (--broker or AMQP_URL), evaluates them with the current model\n` +
    `(read once from "${queueNames().modelo}"), publishes the results to "${queueNames().resultados}"\n` +
    "and acks each batch once its results are confirmed. Run as many as you like, on any\n" +
    "machine. codigo models run only with --allow-code and a valid SIM_SECRET signature;\n" +
    "refused batches go back to the queue and, after SIM_MAX_ATTEMPTS, to fallidos.\n" +
    "Reconnects after a broker restart. SIGTERM/SIGINT: finishes its batch, exits 0.",
  options: CONSUMER_OPTIONS,
  logFile: "simulate-consumer",
  interruptedNote: "the batch in hand was finished; batches not started went back to the queue",
  async run({ config }, { log, signal }): Promise<ConsumerResult> {
    if (!config.broker)
      throw new UsageError(
        "--broker URL (or AMQP_URL) is required: the RabbitMQ broker (see --help)",
      );
    const broker = config.broker;
    const consumer = await startConsumer({
      url: broker,
      prefix: config.prefix,
      prefetch: config.prefetch,
      id: config.id || `${hostname()}-${process.pid}`,
      allowCode: config.allowCode === true,
      secret: config.secret,
      maxAttempts: config.maxAttempts,
      log,
    }).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code === "string" && /^E[A-Z]+/.test(code))
        throw new AppError(
          `cannot reach RabbitMQ at ${redactUrl(broker)}: ${describeError(error)}`,
          "broker_unreachable",
          1,
        );
      throw error;
    });
    log.info(
      `consumer ${consumer.id} (pid ${process.pid}) ready on ${redactUrl(config.broker)}${config.allowCode ? ", codigo allowed if signed" : ""}`,
    );
    await untilAborted(signal);
    await consumer.stop();
    return { stats: consumer.stats() };
  },
  exitCode: () => 0,
  json: (result) => ({ status: "stopped", ...result.stats }),
});
