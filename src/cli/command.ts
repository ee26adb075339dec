import {
  type CommandSpec,
  helpText,
  type OptionSpecs,
  type Parsed,
  parseCommand,
} from "../config.js";
import { AppError, describeError } from "../errors.js";
import { createLogger, type Logger } from "../log.js";

export interface CommandContext {
  log: Logger;
}

export interface CommandDefinition<S extends OptionSpecs> extends CommandSpec<S> {
  /** The log file under `logs/` (without `.log`). */
  logFile: string;
  /** Exit code for an unexpected internal error (default 1). */
  internalErrorExit?: number;
  /** Does the work and returns the exit code. */
  run(parsed: Parsed<S>, context: CommandContext): Promise<number>;
}

async function flush(log: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    log.on("finish", () => resolve());
    log.end();
    setTimeout(resolve, 500).unref();
  });
}

/**
 * The one place where a command's outcome becomes an exit code: `--help`, usage errors
 * (exit 2), known errors (their own exit code, one line on stderr) and anything
 * unexpected (exit 1, one line on stderr, the stack only in the log file).
 *
 * @example
 * await runCommand({ name: "etl", summary: "…", options, logFile: "procesamiento", run });
 */
export async function runCommand<S extends OptionSpecs>(
  definition: CommandDefinition<S>,
): Promise<never> {
  const log = createLogger(definition.name, { file: definition.logFile });
  let code: number;
  try {
    const parsed = parseCommand(definition, process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(helpText(definition));
      code = 0;
    } else {
      code = await definition.run(parsed, { log });
    }
  } catch (error) {
    if (error instanceof AppError) {
      log.error(error.message, { code: error.code, exit_code: error.exitCode });
      code = error.exitCode;
    } else {
      log.error(`internal error: ${describeError(error)}`, { stack: (error as Error)?.stack });
      code = definition.internalErrorExit ?? 1;
    }
  }
  await flush(log);
  process.exit(code);
}
