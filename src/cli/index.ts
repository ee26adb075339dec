/**
 * The command model: every command is a value with its option specs and a `run` that
 * returns a result; `runCli` is the one command-line edge. Write your own command the
 * same way, or call the project's commands from your code with your own logger and signal.
 *
 * @example
 * import { createLogger, defineCommand, runCli } from "empresa-etl/command";
 *
 * const hello = defineCommand({
 *   name: "hello",
 *   summary: "Says hello.",
 *   options: { who: { type: "string", flag: "who", default: "world", help: "Whom to greet" } },
 *   logFile: "hello",
 *   async run({ config }, { log }) {
 *     log.info(`hello, ${config.who}`);
 *     return { greeted: config.who };
 *   },
 * });
 * await runCli(hello); // node hello.js --who Ana
 */

export { type ConfigOf, type OptionSpec, type OptionSpecs, parseCommand } from "../config.js";
export { AppError, InterruptedError, UsageError } from "../errors.js";
export { createLogger, type Logger, type LoggerOptions } from "../log.js";
export {
  type Command,
  type CommandConfig,
  type CommandContext,
  type CommandInput,
  defineCommand,
  runCli,
} from "./command.js";
export { LOG_OPTIONS } from "./options.js";
