/**
 * The simulation over RabbitMQ: the producer's transport (`createRabbitTransport`, loaded by
 * `runSimulation` when a broker is given) and the consumer (`startConsumer`, behind
 * `npm run simulate:consumer`). Queues, policies and message formats: `topology.ts`.
 */
export { type ConsumerOptions, type SimulationConsumer, startConsumer } from "./consumer.js";
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_QUEUE_PREFIX,
  type QueueNames,
  queueNames,
} from "./topology.js";
export {
  createRabbitTransport,
  type RabbitTransport,
  type RabbitTransportOptions,
} from "./transport.js";
