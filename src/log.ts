import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createStream, type RotatingFileStream } from "rotating-file-stream";
import winston from "winston";
import Transport from "winston-transport";
import { UsageError } from "./errors.js";

import { LEVELS, type Level } from "./levels.js";

export { LEVELS, type Level };

/**
 * Reads a level as a person writes it: case-insensitive, `warning` for `warn`. An unknown
 * level is a usage error (winston would otherwise silently log nothing at all).
 */
export function parseLevel(value: string, source = "LOG_LEVEL"): Level {
  const lower = value.trim().toLowerCase();
  const level = lower === "warning" ? "warn" : lower;
  if ((LEVELS as readonly string[]).includes(level)) return level as Level;
  throw new UsageError(`${source}: unknown log level "${value}" (one of ${LEVELS.join(", ")})`);
}

/**
 * JSON lines in a file that rotates by size (rotating-file-stream): `api.log` is always
 * the current file, older ones are `api.log.1`, `api.log.2`, … up to `maxFiles`.
 */
class RotatingJsonLines extends Transport {
  private readonly stream: RotatingFileStream;

  constructor(
    dir: string,
    file: string,
    maxSizeMb: number,
    maxFiles: number,
    onError: (e: Error) => void,
  ) {
    super();
    this.stream = createStream((time, index) => (time ? `${file}.${index}` : file), {
      path: dir,
      size: `${Math.max(1, Math.round(maxSizeMb * 1024))}K`,
      maxFiles,
      history: `.${file}.history`,
    });
    this.stream.on("error", onError);
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const entry: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(info)) entry[key] = value;
    this.stream.write(`${JSON.stringify(entry)}\n`);
    next();
  }

  /** Resolves once every line written so far is on disk. */
  closeFile(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000).unref();
      this.stream.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

const LEVEL_COLOURS: Record<string, string> = {
  error: "\x1b[31m",
  warn: "\x1b[33m",
  info: "\x1b[36m",
  debug: "\x1b[90m",
};

/** Whether stderr should get ANSI colours (a terminal, and NO_COLOR not set). */
export function useColour(stream: NodeJS.WriteStream = process.stderr): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/**
 * Whether the message already says a field (its value, or each `key value` of an object),
 * so the readable line does not repeat it; the JSON file always has every field.
 */
function saidIn(message: string, key: string, value: unknown): boolean {
  if (typeof value === "string" || typeof value === "number") {
    return (
      new RegExp(
        `(^|[\\s(:=/])${String(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[\\s),:;/])`,
      ).test(message) || message.includes(`${key} ${value}`)
    );
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).every(([k, v]) => message.includes(`${k} ${v}`));
  }
  return false;
}

function readableLine(colour: boolean) {
  return winston.format.printf((info) => {
    // The stack of an internal error goes to the file only, never to the user's terminal.
    const {
      level,
      message,
      timestamp: _t,
      service,
      stack: _s,
      ...rest
    } = info as Record<string, unknown>;
    const text = String(message);
    const fields = Object.entries(rest)
      .filter(([key, value]) => value !== undefined && !saidIn(text, key, value))
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    const tag = String(level).padEnd(5);
    const coloured = colour ? `${LEVEL_COLOURS[String(level)] ?? ""}${tag}\x1b[0m` : tag;
    return `${coloured} [${String(service)}] ${String(message)}${fields ? ` ${fields}` : ""}`;
  });
}

export interface LoggerOptions {
  /** Folder for the JSON-lines file (default `logs`). */
  dir?: string;
  /** File name without extension (default: the service name). */
  file?: string;
  level?: Level;
  /** Set false to keep stderr quiet (tests). */
  console?: boolean;
  /** The least severe level shown on stderr (default: the logger's level). */
  consoleLevel?: Level;
  /** Rotate the file past this size (MB, default 10). */
  maxSizeMb?: number;
  /** Rotated files kept besides the current one (default 5). */
  maxFiles?: number;
  /** @deprecated the file is always written through a buffered stream now. */
  buffered?: boolean;
}

export interface Logger extends winston.Logger {
  /** Why the log file cannot be written, if it cannot (the logger then uses stderr only). */
  fileError(): string | undefined;
  /** Flushes and closes the log file. */
  flushFile(): Promise<void>;
}

/** Checks now, synchronously, that the log file can be written: the error, or undefined. */
function unwritable(dir: string, path: string): string | undefined {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) return "ENOTDIR: not a folder";
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/**
 * The shared logger: JSON lines in `logs/<file>.log` (rotated by size), readable lines on
 * stderr. A log file that cannot be written is said once on stderr, never silently dropped.
 *
 * @example
 * const log = createLogger("etl", { file: "procesamiento" });
 * log.info("loaded", { file: "ventas.csv", rows: 5407 });
 * await log.flushFile();
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const dir = options.dir ?? "logs";
  const name = `${options.file ?? service}.log`;
  const path = join(dir, name);
  const transports: winston.transport[] = [];
  let fileError = unwritable(dir, path);
  const sayFileError = (reason: string) => {
    if (fileError && fileError !== reason) return;
    fileError = reason;
    process.stderr.write(
      `warn  [${service}] cannot write ${path} (${reason}): logging to stderr only\n`,
    );
  };
  let file: RotatingJsonLines | null = null;
  if (fileError) sayFileError(fileError);
  else {
    file = new RotatingJsonLines(
      dir,
      name,
      options.maxSizeMb ?? 10,
      options.maxFiles ?? 5,
      (error) => {
        const reason = (error as NodeJS.ErrnoException).code ?? error.message;
        if (!fileError) sayFileError(reason);
      },
    );
    transports.push(file);
  }
  if (options.console !== false) {
    transports.push(
      new winston.transports.Console({
        ...(options.consoleLevel ? { level: options.consoleLevel } : {}),
        stderrLevels: [...LEVELS],
        format: readableLine(useColour()),
      }),
    );
  }
  // winston complains loudly (with every entry) when a logger has nowhere to write.
  if (transports.length === 0) transports.push(new winston.transports.Console({ silent: true }));
  const logger = winston.createLogger({
    level: options.level ?? "info",
    defaultMeta: { service },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports,
  });
  return Object.assign(logger, {
    fileError: () => fileError,
    flushFile: async () => {
      await file?.closeFile();
    },
  }) as Logger;
}
