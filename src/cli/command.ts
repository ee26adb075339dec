import {
  type CommandSpec,
  type ConfigOf,
  helpText,
  type OptionSpecs,
  parseCommand,
  readDotEnv,
} from "../config.js";
import { AppError, describeError, InterruptedError, UsageError } from "../errors.js";
import { createLogger, type Logger, parseLevel, useColour } from "../log.js";
import { packageVersion } from "../version.js";
import { LOG_OPTIONS } from "./options.js";
import { ProgressLine } from "./progress.js";

/** What a command's `run` gets besides its configuration. */
export interface CommandContext {
  log: Logger;
  /** Aborted on SIGTERM/SIGINT (or by whoever called the command): stop, keep data intact. */
  signal: AbortSignal;
  /** A transient status line on a terminal; does nothing elsewhere. */
  progress: { update(text: string): void; clear(): void };
}

/** The configuration a command's `run` receives: its own options and the log settings. */
export type CommandConfig<S extends OptionSpecs> = ConfigOf<S & typeof LOG_OPTIONS>;

export interface CommandInput<S extends OptionSpecs> {
  config: CommandConfig<S>;
  /** Positional arguments, already checked against `args`. */
  args: string[];
}

/**
 * A command as a library value: its option specs, and `run` returning a result. The CLI
 * edge (`runCli`) parses, prints and maps the result to an exit code; the pipeline and
 * the scheduler call `run` directly with their own logger and signal.
 */
export interface Command<S extends OptionSpecs, R> extends CommandSpec<S> {
  /** The log file under `logs/` (without `.log`). */
  logFile: string;
  /** How many positional arguments the command takes (default none). */
  args?: { min: number; max: number };
  /** Exit code for an unexpected internal error (default 1). */
  internalErrorExit?: number;
  /** Said after "interrupted by SIGTERM": what state the data was left in. */
  interruptedNote?: string;
  run(input: CommandInput<S>, context: CommandContext): Promise<R>;
  /** The exit code of a result (default 0). */
  exitCode?(result: R): number;
  /** The one JSON document printed with `--json` (default: nothing). */
  json?(result: R): unknown;
  /** A readable report for stdout (on stderr when `--json` is given). */
  report?(result: R, colour: boolean): string;
}

/** Resolves when `signal` is aborted (at once if it already is): a server's `run` awaits it. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}

/** What aborted a command's signal: the signal's name (`SIGTERM`, `SIGINT`) or `abort`. */
export function stoppedBy(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof InterruptedError ? reason.signal : "abort";
}

/** Declares a command with its types inferred. */
export function defineCommand<S extends OptionSpecs, R>(command: Command<S, R>): Command<S, R> {
  return command;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** The error's code and exit: known errors their own, anything else internal. */
function classify(error: unknown, internalExit: number): { code: string; exit: number } {
  if (error instanceof AppError) return { code: error.code, exit: error.exitCode };
  return { code: "internal", exit: internalExit };
}

async function flushStream(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (!text) return;
  await new Promise<void>((resolve) => stream.write(text, () => resolve()));
}

/**
 * The CLI edge of every command, the one place where an outcome becomes output and an
 * exit code: `--help`/`-h`, `--version`, usage errors (exit 2, with a did-you-mean),
 * SIGTERM/SIGINT (the command's signal is aborted: it stops and keeps the data intact;
 * a second signal exits at once), known errors (their own exit code, one line on stderr),
 * anything unexpected (exit 1, one line on stderr, the stack only in the log file). With
 * `--json`, stdout holds exactly one document, `{"status": "error", "error": {…}}` on failure.
 *
 * @example
 * await runCli(etlCommand); // in src/etl/cli.ts
 */
export async function runCli<S extends OptionSpecs, R>(command: Command<S, R>): Promise<never> {
  const argv = process.argv.slice(2);
  const options = { ...LOG_OPTIONS, ...command.options } as S & typeof LOG_OPTIONS;
  const spec = { ...command, options };
  const wantsJson = argv.includes("--json");
  let log: Logger | null = null;
  let code: number;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    log?.warn(`${signal}: stopping (send it again to exit at once)`);
    controller.abort(new InterruptedError(signal, SIGNAL_EXIT[signal] ?? 1));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    const parsed = parseCommand(spec, argv, process.env, readDotEnv());
    if (parsed.help) {
      await flushStream(process.stdout, helpText(spec));
      process.exit(0);
    }
    if (parsed.version) {
      await flushStream(process.stdout, `${packageVersion()}\n`);
      process.exit(0);
    }
    const config = parsed.config as CommandConfig<S>;
    const level = parseLevel(config.logLevel, parsed.sources.logLevel);
    log = createLogger(command.name, {
      file: command.logFile,
      dir: config.logDir,
      level,
      maxSizeMb: config.logMaxSizeMb,
      maxFiles: config.logMaxFiles,
    });
    const { min, max } = command.args ?? { min: 0, max: 0 };
    const args = parsed.positionals;
    if (args.length > max) throw new UsageError(`unexpected argument "${args[max]}" (see --help)`);
    if (args.length < min)
      throw new UsageError(
        `missing ${command.positionals ?? "argument"} (usage: npm run ${command.name} -- ${command.positionals ?? ""} [options])`,
      );
    const progress = new ProgressLine();
    const result = await command.run(
      { config, args },
      { log, signal: controller.signal, progress },
    );
    progress.clear();
    code = command.exitCode?.(result) ?? 0;
    const json =
      (config as { json?: boolean }).json === true && command.json
        ? command.json(result)
        : undefined;
    const report = command.report?.(result, useColour(json ? process.stderr : process.stdout));
    if (json !== undefined) {
      if (report) await flushStream(process.stderr, report);
      await flushStream(process.stdout, `${JSON.stringify(json)}\n`);
    } else if (report) await flushStream(process.stdout, report);
  } catch (caught) {
    // An error caused by the abort is the interruption itself.
    const error =
      controller.signal.aborted && !(caught instanceof AppError)
        ? controller.signal.reason
        : caught;
    const { code: errorCode, exit } = classify(error, command.internalErrorExit ?? 1);
    let message =
      errorCode === "internal" ? `internal error: ${describeError(error)}` : describeError(error);
    // The note describes an interruption the command did not describe itself.
    if (error === controller.signal.reason && command.interruptedNote)
      message = `${message}; ${command.interruptedNote}`;
    if (log)
      log.error(message, {
        code: errorCode,
        exit_code: exit,
        stack: errorCode === "internal" ? (error as Error)?.stack : undefined,
      });
    else process.stderr.write(`error [${command.name}] ${message}\n`);
    if (wantsJson)
      await flushStream(
        process.stdout,
        `${JSON.stringify({ status: "error", error: { code: errorCode, message } })}\n`,
      );
    code = exit;
  }
  await log?.flushFile();
  process.exit(code);
}
