/**
 * A connection to RabbitMQ that comes back by itself: amqplib's recovery (reconnects with
 * exponential backoff and jitter, forever once it has connected once). Channels are not
 * recovered by amqplib: `onConnect` is called after every (re)connection to open them again,
 * declare the queues and start consuming.
 */
import amqp, {
  type ChannelModel,
  type ConfirmChannel,
  type Options,
  type RecoveringChannelModel,
} from "amqplib";
import type { Logger } from "../../log.js";

export type BrokerLog = Pick<Logger, "info" | "warn" | "error" | "debug">;

export const silentBrokerLog: BrokerLog = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
} as unknown as BrokerLog;

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an invalid URL)";
  }
}

/** `url` with a 10 s heartbeat unless it names one: a silent broker is noticed in 20 s. */
function withHeartbeat(url: string): string {
  if (/[?&]heartbeat=/.test(url)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}heartbeat=10`;
}

export interface BrokerConnection {
  readonly connection: RecoveringChannelModel;
  /** Whether a connection is up right now. */
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * Connects to `url`, retrying `initialRetries` times before giving up (the promise rejects),
 * then keeps reconnecting whenever the connection is lost. `onConnect` runs on each
 * connection; if it throws, that connection is closed and another is tried.
 */
export async function connectBroker(options: {
  url: string;
  name: string;
  log: BrokerLog;
  onConnect: (model: ChannelModel) => Promise<void>;
  onDisconnect?: (error: Error) => void;
  initialRetries?: number;
}): Promise<BrokerConnection> {
  const { url, log } = options;
  let connected = false;
  const connection = await amqp.connect(withHeartbeat(url), {
    clientProperties: { connection_name: options.name },
    recovery: {
      initialDelay: 200,
      maxDelay: 5000,
      factor: 2,
      jitter: 0.2,
      maxRetries: Number.POSITIVE_INFINITY,
      // A broker that is not there at start is said within a second (a typo, a stopped
      // server); once connected, reconnecting never gives up.
      initialMaxRetries: options.initialRetries ?? 2,
      waitForConnect: false,
      setup: async (model: ChannelModel) => {
        model.on("error", (error: Error) => log.debug(`broker connection: ${error.message}`));
        await options.onConnect(model);
      },
    },
  });
  connection.on("connect", () => {
    connected = true;
  });
  connection.on("disconnect", (error: Error) => {
    connected = false;
    log.warn(`lost the broker at ${redactUrl(url)} (${error.message}): reconnecting`);
    options.onDisconnect?.(error);
  });
  connection.on("connect-failed", (error: Error) =>
    log.debug(`cannot connect to ${redactUrl(url)}: ${error.message}`),
  );
  connection.on("error", (error: Error) => log.debug(`broker: ${error.message}`));
  await connection.waitForConnect();
  return {
    connection,
    get connected() {
      return connected;
    },
    close: () => connection.close(),
  };
}

/** Publishes to `queue` and resolves once the broker confirms it (rejects if it refuses). */
export function publishConfirmed(
  channel: ConfirmChannel,
  queue: string,
  body: Buffer,
  options: Options.Publish,
): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      channel.sendToQueue(queue, body, options, (error) => (error ? reject(error) : resolve()));
    } catch (error) {
      reject(error);
    }
  });
}
